"""The ``eco12geo`` command line, a click group in the manner of rasterio's ``rio``."""
