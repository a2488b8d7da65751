"""Exceptions raised by eco12geo.

Every class inherits from :class:`Eco12GeoError`; those that describe bad
input also inherit the matching builtin, as rasterio's errors do, so callers
may catch either.  The CLI turns any :class:`Eco12GeoError` into exit code 2
with its message on one line.
"""

from __future__ import annotations

__all__ = [
    "AssetError",
    "CRSError",
    "Eco12GeoError",
    "GeometryTypeError",
    "InputError",
    "OutputError",
    "PlanError",
]


class Eco12GeoError(Exception):
    """Root of all eco12geo errors."""


class InputError(Eco12GeoError, ValueError):
    """An input file cannot be used as given (missing, unreadable, wrong content)."""


class CRSError(InputError):
    """A layer has no CRS, an unsupported CRS, or coordinates impossible for its CRS."""


class GeometryTypeError(InputError):
    """A layer's geometry type does not fit its layer key (points given for polygons)."""


class PlanError(Eco12GeoError, ValueError):
    """A plan file is malformed; the message names the key at fault."""


class AssetError(Eco12GeoError, RuntimeError):
    """The map assets are missing, or a page refers to an asset eco12geo cannot inline."""


class OutputError(Eco12GeoError):
    """An output cannot be written where asked (read-only, full disk, a link at its name)."""
