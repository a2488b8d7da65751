"""eco12geo: check territorial spatial-planning layers (三区三线) against a plan.

Read the plan's layers (shapefile, GeoPackage, GeoJSON, FileGDB), measure their
ellipsoidal areas per unit, validate them against the plan's rules and draw
them on offline HTML maps.
"""

from __future__ import annotations

from importlib import metadata as _metadata

from ._log import logger
from .audit import Audit, audit
from .errors import CRSError, Eco12GeoError, GeometryTypeError, InputError, OutputError, PlanError
from .indicators import Scorecard, evaluate, load_indicators
from .io import LayerSource, detect_encoding, discover_layers, read_layer
from .layerset import LayerSet, harmonize, load_layers
from .measure import ellipsoidal_area, ellipsoidal_length, gk_zone_epsg, planar_area
from .plan import Figure, LayerDef, Plan, RuleDef, load_plan
from .raster import Coverage, zonal_coverage
from .render.maps import build_maps
from .survey import sheet_area, survey_area
from .validate import Report, validate

__version__ = _metadata.version("eco12geo")

__all__ = [
    "Audit",
    "CRSError",
    "Coverage",
    "Eco12GeoError",
    "Figure",
    "GeometryTypeError",
    "InputError",
    "OutputError",
    "LayerDef",
    "LayerSet",
    "LayerSource",
    "Plan",
    "PlanError",
    "Report",
    "RuleDef",
    "Scorecard",
    "__version__",
    "audit",
    "build_maps",
    "detect_encoding",
    "discover_layers",
    "ellipsoidal_area",
    "ellipsoidal_length",
    "evaluate",
    "gk_zone_epsg",
    "harmonize",
    "load_indicators",
    "load_layers",
    "load_plan",
    "logger",
    "planar_area",
    "read_layer",
    "sheet_area",
    "survey_area",
    "validate",
    "zonal_coverage",
]
