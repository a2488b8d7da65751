"""The results of zonal statistics (:class:`Coverage`, :class:`UnitCoverage`) and their constants."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pyproj import CRS

SCHEMA_VERSION = 1
#: the division's share is judged only when valid pixels cover at least this share of the units
MIN_VALID_SHARE = 0.99
#: pixels per chunk: about 260 k cells, a few tens of MB of cell polygons at a time
CHUNK_CELLS = 1 << 18
#: GB/T 21010 first-level classes, for labels only (a raster may hold any values)
#: (GB/T 21010-2017 first level; 00 wetland and 20 城镇村及工矿用地 from the 三调 working classification)
CLASS_NAMES: dict[str, tuple[str, str]] = {
    "0": ("湿地", "wetland"),
    "1": ("耕地", "cropland"),
    "2": ("园地", "garden"),
    "3": ("林地", "forest"),
    "4": ("草地", "grassland"),
    "5": ("商服用地", "commercial"),
    "6": ("工矿仓储用地", "industrial and storage"),
    "7": ("住宅用地", "residential"),
    "8": ("公共管理与公共服务用地", "public administration and services"),
    "9": ("特殊用地", "special use"),
    "10": ("交通运输用地", "transport"),
    "11": ("水域及水利设施用地", "water"),
    "12": ("其他土地", "other land (sand, bare soil, bare rock)"),
    "20": ("城镇村及工矿用地", "urban, village and mining land"),
}



@dataclass
class CoverageCheck:
    """The division's forest–grass share against the plan figure."""

    figure: str
    kind: str
    target_percent: float
    value_percent: float | None
    status: str
    source: str
    text: str


def class_key(value: float) -> str:
    """Return the JSON key of a raster value: ``"3"`` for 3 or 3.0, the decimal text otherwise."""
    v = float(value)
    return str(int(v)) if v.is_integer() else repr(v)


@dataclass
class UnitCoverage:
    """The classes inside one unit; areas in m² (ellipsoidal)."""

    unit: str
    area_m2: float
    classes: dict[str, float]
    pixels: dict[str, float]
    valid_m2: float
    nodata_m2: float
    outside_m2: float
    forest_m2: float
    grass_m2: float

    @property
    def forest_grass_m2(self) -> float:
        """Forest plus grassland area."""
        return self.forest_m2 + self.grass_m2

    @property
    def forest_grass_share(self) -> float | None:
        """(forest + grassland) / valid area inside the unit; None without valid pixels."""
        return self.forest_grass_m2 / self.valid_m2 if self.valid_m2 > 0 else None


@dataclass
class Coverage:
    """Forest–grass coverage of a raster over a set of units."""

    raster: str
    raster_crs: str
    resolution: tuple[float, float]
    nodata: float | None
    forest: tuple[str, ...]
    grass: tuple[str, ...]
    unit_field: str
    units: list[UnitCoverage]
    notes: list[str] = field(default_factory=list)

    @property
    def valid_m2(self) -> float:
        """Valid (not nodata) area inside all units."""
        return sum(u.valid_m2 for u in self.units)

    @property
    def forest_grass_m2(self) -> float:
        """Forest plus grassland inside all units."""
        return sum(u.forest_grass_m2 for u in self.units)

    @property
    def forest_grass_share(self) -> float | None:
        """The division's share: all units' forest + grassland over all their valid area."""
        valid = self.valid_m2
        return self.forest_grass_m2 / valid if valid > 0 else None

    def classes(self) -> dict[str, float]:
        """Area of each class inside all units."""
        out: dict[str, float] = {}
        for u in self.units:
            for k, v in u.classes.items():
                out[k] = out.get(k, 0.0) + v
        return dict(sorted(out.items(), key=lambda kv: _sort_key(kv[0])))

    #: the plan figure judged against the division's share (set by :func:`coverage_check` callers)
    check: CoverageCheck | None = None

    def _check_doc(self) -> dict[str, Any] | None:
        c = self.check
        if c is None:
            return None
        return {"figure": c.figure, "kind": c.kind, "target_percent": c.target_percent,
                "value_percent": None if c.value_percent is None else round(c.value_percent, 4),
                "status": c.status, "source": c.source}

    def to_dict(self) -> dict[str, Any]:
        """Return the ``coverage.json`` document (schema_version 1, INTERFACE.md)."""

        def share(v: float | None) -> float | None:
            return None if v is None else round(v, 6)

        units = [
            {
                "unit": u.unit,
                "area_m2": round(u.area_m2, 2),
                "classes": {k: round(v, 2) for k, v in u.classes.items()},
                "forest_grass_share": share(u.forest_grass_share),
                "forest_grass_m2": round(u.forest_grass_m2, 2),
                "valid_m2": round(u.valid_m2, 2),
                "nodata_m2": round(u.nodata_m2, 2),
                "outside_raster_m2": round(u.outside_m2, 2),
                "pixels": {k: round(v, 4) for k, v in u.pixels.items()},
            }
            for u in self.units
        ]
        return {
            "schema_version": SCHEMA_VERSION,
            "raster": self.raster,
            "units": units,
            "division": {
                "area_m2": round(sum(u.area_m2 for u in self.units), 2),
                "classes": {k: round(v, 2) for k, v in self.classes().items()},
                "forest_grass_share": share(self.forest_grass_share),
                "forest_grass_m2": round(self.forest_grass_m2, 2),
                "valid_m2": round(self.valid_m2, 2),
                "nodata_m2": round(sum(u.nodata_m2 for u in self.units), 2),
            },
            "forest_classes": list(self.forest),
            "grass_classes": list(self.grass),
            "raster_crs": self.raster_crs,
            "resolution": list(self.resolution),
            "nodata": self.nodata,
            "unit_field": self.unit_field,
            "method": "exact partial pixels; ellipsoidal areas (CGCS2000/GRS80 for Chinese data)",
            **({"check": check} if (check := self._check_doc()) else {}),
            "notes": list(self.notes),
        }


def _sort_key(k: str) -> tuple[int, float, str]:
    try:
        return (0, float(k), k)
    except ValueError:  # pragma: no cover - keys come from class_key
        return (1, 0.0, k)


def lonlat_cell_areas(lat_edges: NDArray[np.float64], dlon: float, crs: CRS) -> NDArray[np.float64]:
    """Return the closed-form ellipsoidal area (m²) of lon/lat cells between successive latitude edges.

    ``A = b²·Δλ/2 · [q(φ1) − q(φ0)]``, ``q(φ) = sinφ/(1 − e²sin²φ) + artanh(e·sinφ)/e``,
    on the ellipsoid of ``crs``'s datum.
    """
    ell = crs.ellipsoid
    a = ell.semi_major_metre if ell is not None else 6378137.0
    inv_f = ell.inverse_flattening if ell is not None else 298.257222101
    f = 1.0 / inv_f if inv_f else 0.0
    e2 = f * (2 - f)
    b = a * (1 - f)
    s = np.sin(np.radians(np.asarray(lat_edges, dtype=float)))
    if e2 > 0:
        e = math.sqrt(e2)
        q = s / (1 - e2 * s * s) + np.arctanh(e * s) / e
    else:
        q = 2 * s
    return np.abs(b * b * math.radians(abs(dlon)) / 2 * np.diff(q))
