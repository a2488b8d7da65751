"""Exact zonal statistics of a classified raster per unit (forest–grass coverage, 林草覆盖率).

:func:`zonal_coverage` takes a land-cover raster (GB/T 21010 first-level
codes: 1 cropland, 3 forest, 4 grassland, 11 water …) and polygons (the
regiments) in any CRS, and returns the ellipsoidal area of every class inside
every unit.  It is *exact* about partial pixels: a pixel cut by a unit's edge
counts with the ellipsoidal area of the part of the pixel inside the unit, not
with all or nothing.

Method, unit by unit:

1. the unit is densified (``densify_m``) and brought to the raster's CRS;
2. the raster window covering it is read in chunks of rows (at most
   ``chunk_cells`` pixels at a time, so memory stays bounded);
3. the chunk's pixel cells are built as polygons (vectorised :func:`shapely.box`
   from the affine transform) and sorted with prepared predicates: cells
   wholly inside the unit, cells cut by its edge, cells outside;
4. a whole cell counts with its ellipsoidal area: closed-form on the
   ellipsoid for latitude/longitude cells (they shrink towards the pole), the
   cell polygon measured with :func:`eco12geo.measure.ellipsoidal_area` in a
   projected raster (Gauss–Krüger cells are planar squares);
5. a cut cell is clipped to the unit and the piece measured with
   :func:`~eco12geo.measure.ellipsoidal_area` (equal-area projection on the
   datum, as every area in eco12geo);
6. the areas are summed per raster value; nodata pixels (the dataset mask:
   nodata value, NaN, mask band) are kept apart and excluded from the shares.

Modules: :mod:`~eco12geo.raster.model` (the results), :mod:`~eco12geo.raster.reading` (opening the
raster), :mod:`~eco12geo.raster.zonal` (the computation), :mod:`~eco12geo.raster.judge` (the plan's
figure).  No I/O of outputs here; :func:`eco12geo.workflows.run_coverage` writes the files.
"""

from __future__ import annotations

from .judge import coverage_check, coverage_frame
from .model import (
    CHUNK_CELLS,
    CLASS_NAMES,
    MIN_VALID_SHARE,
    SCHEMA_VERSION,
    Coverage,
    CoverageCheck,
    UnitCoverage,
    class_key,
    lonlat_cell_areas,
)
from .zonal import iter_cell_areas, pixel_areas, zonal_coverage

__all__ = [
    "CHUNK_CELLS",
    "CLASS_NAMES",
    "MIN_VALID_SHARE",
    "SCHEMA_VERSION",
    "Coverage",
    "CoverageCheck",
    "UnitCoverage",
    "class_key",
    "coverage_check",
    "coverage_frame",
    "iter_cell_areas",
    "lonlat_cell_areas",
    "pixel_areas",
    "zonal_coverage",
]
