"""The bundled illustrative demo layers (layers/*.gpkg) match the plan figures and carry the documented defects.

Areas are computed here, independently of eco12geo: ellipsoidal area on the CGCS2000
ellipsoid (GRS80) with ``pyproj.Geod`` on lon/lat geometry densified to 0.001 degree.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from pyproj import Geod

LAYERS = Path(__file__).resolve().parents[1] / "layers"
BASELINE = LAYERS / "demo_baseline.gpkg"
REVISION = LAYERS / "demo_revision.gpkg"
GEOD = Geod(ellps="GRS80")

KEYS = [
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
UNIT_NAMES = {"五一农场", "三坪农场", "头屯河农场", "西山农牧场", "104团", "222团", "221团"}
# plan figures (m2): 一（一）, 四（二）1-3, 一（二）, 五（四）
FIGURES_M2 = {
    "units": 2_879_482_400.0,
    "ecological_redline": 741_420_000.0,
    "farmland": 160_880_000.0,
    "basic_farmland": 70_560_000.0,
    "basic_farmland_reserve": 18_000_000.0,
    "urban_boundary": 154_090_000.0,
    "construction_land": 120_150_000.0,
    "forest_land": 138_020_000.0,
}
TOLERANCE_M2 = 10_000.0
CONTROL_LINES = ["ecological_redline", "basic_farmland", "urban_boundary"]


def area(geom) -> float:
    """Ellipsoidal area (m2) of a lon/lat geometry, summed over its polygon parts."""
    total = 0.0
    for part in shapely.get_parts(geom):
        if part.geom_type == "Polygon" and not part.is_empty:
            part = shapely.orient_polygons(shapely.segmentize(part, 0.001))
            total += abs(GEOD.geometry_area_perimeter(part)[0])
    return total


@cache
def layer(path: Path, key: str) -> gpd.GeoDataFrame:
    """Read one layer as stored."""
    return pyogrio.read_dataframe(path, layer=key)


@cache
def lonlat(path: Path, key: str) -> gpd.GeoDataFrame:
    """Read one layer in EPSG:4490."""
    df = layer(path, key)
    return df if df.crs.to_epsg() == 4490 else df.to_crs(4490)


def total(path: Path, key: str) -> float:
    """Total ellipsoidal area (m2) of a layer."""
    return sum(area(g) for g in lonlat(path, key).geometry)


@pytest.mark.parametrize("path", [BASELINE, REVISION], ids=["baseline", "revision"])
def test_every_plan_key_is_a_layer(path: Path) -> None:
    """Both files hold exactly one layer per plan key."""
    assert sorted(pyogrio.list_layers(path)[:, 0]) == sorted(KEYS)


def test_crs() -> None:
    """Baseline in EPSG:4490; revision in EPSG:4538 except units."""
    for key in KEYS:
        assert layer(BASELINE, key).crs.to_epsg() == 4490, key
        assert layer(REVISION, key).crs.to_epsg() == (4490 if key == "units" else 4538), key


@pytest.mark.parametrize("key", sorted(FIGURES_M2))
def test_baseline_totals_match_plan(key: str) -> None:
    """Each layer's total matches its plan figure within 0.01 km2."""
    assert total(BASELINE, key) == pytest.approx(FIGURES_M2[key], abs=TOLERANCE_M2)


def test_units() -> None:
    """Seven regiments, named exactly, summing to 287 948.24 ha, not overlapping."""
    units = lonlat(BASELINE, "units")
    assert len(units) == 7
    assert set(units["XZQMC"]) == UNIT_NAMES
    assert sum(area(g) for g in units.geometry) == pytest.approx(2_879_482_400.0, abs=TOLERANCE_M2)
    # no two regiments overlap: the union is as large as the parts
    parts = sum(area(g) for g in units.geometry)
    assert area(shapely.union_all(units.geometry.values)) == pytest.approx(parts, abs=1.0)


def test_shoreline_length() -> None:
    """Two shoreline features, 23.38 km together."""
    lines = lonlat(BASELINE, "shoreline")
    assert len(lines) == 2
    length = sum(GEOD.geometry_length(shapely.segmentize(g, 0.001)) for g in lines.geometry)
    assert length == pytest.approx(23_380.0, abs=10.0)


def test_nature_reserves_named_in_plan() -> None:
    """Five reserves with the plan's names."""
    names = set(lonlat(BASELINE, "nature_reserves")["MC"])
    assert len(names) == 5
    assert {"新疆乌鲁木齐柴窝堡国家湿地自然公园", "天山大峡谷国家森林自然公园"} <= names


def test_baseline_control_lines_do_not_overlap() -> None:
    """Red line, basic farmland and urban boundary do not overlap in the baseline."""
    unions = {k: shapely.union_all(lonlat(BASELINE, k).geometry.values) for k in CONTROL_LINES}
    for i, a in enumerate(CONTROL_LINES):
        for b in CONTROL_LINES[i + 1 :]:
            assert area(unions[a].intersection(unions[b])) <= 1.0, (a, b)


def test_baseline_basic_farmland_within_farmland() -> None:
    """Every basic-farmland polygon lies inside the farmland in the baseline."""
    farmland = shapely.union_all(lonlat(BASELINE, "farmland").geometry.values)
    bf = lonlat(BASELINE, "basic_farmland")
    for bsm, g in zip(bf["BSM"], bf.geometry, strict=True):
        assert area(g.difference(farmland)) < 1.0, bsm


def test_baseline_everything_within_units() -> None:
    """Every feature of the baseline lies within the regiments."""
    units = shapely.union_all(lonlat(BASELINE, "units").geometry.values)
    for key in KEYS[1:]:
        for bsm, g in zip(lonlat(BASELINE, key)["BSM"], lonlat(BASELINE, key).geometry, strict=True):
            rest = g.difference(units)
            assert rest.is_empty or (area(rest) < 1.0 and rest.length < 1e-7), (key, bsm)


def test_baseline_geometries_valid_and_mj_recorded() -> None:
    """All baseline geometries are valid and MJ is their ellipsoidal area."""
    for key in KEYS:
        df = lonlat(BASELINE, key)
        assert df.geometry.is_valid.all(), key
        if key not in ("corridors", "shoreline"):
            for bsm, g, mj in zip(df["BSM"], df.geometry, df["MJ"], strict=True):
                assert mj == pytest.approx(area(g), rel=1e-6, abs=0.05), (key, bsm)


@pytest.mark.parametrize("path", [BASELINE, REVISION], ids=["baseline", "revision"])
def test_standard_fields_and_unique_ids(path: Path) -> None:
    """Standard fields everywhere; BSM unique per layer."""
    for key in KEYS:
        df = layer(path, key)
        for col in ("BSM", "YSDM", "XZQDM", "XZQMC", "MJ"):
            assert col in df.columns, (key, col)
        assert df["BSM"].is_unique, key
        assert set(df["XZQMC"]) <= UNIT_NAMES, key


def test_defects_are_documented_and_present() -> None:
    """defects.csv lists the defects, and the revision carries them."""
    with open(LAYERS / "defects.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {"defect", "rule", "layers", "features", "unit", "area_m2", "description"} <= set(rows[0])
    rules = {r["rule"] for r in rows}
    assert rules == {
        "overlap",
        "area_decreased",
        "area_removed",
        "area_below_target",
        "sliver",
        "geometry_invalid",
        "recorded_area",
        "not_covered",
    }
    invalid = next(r for r in rows if r["rule"] == "geometry_invalid")
    construction = layer(REVISION, "construction_land")
    bad = construction[~construction.geometry.is_valid]
    assert list(bad["BSM"]) == [invalid["features"]]
    # the red line of the revision falls below the plan figure by the documented shortfall
    shortfall = next(float(r["area_m2"]) for r in rows if r["rule"] == "area_below_target")
    assert FIGURES_M2["ecological_redline"] - total(REVISION, "ecological_redline") == pytest.approx(
        shortfall, abs=10.0
    )
    # the documented overlap is there
    ov = next(r for r in rows if r["rule"] == "overlap")
    urban_id, bf_id = ov["features"].split(";")
    urban = lonlat(REVISION, "urban_boundary")
    bf = lonlat(REVISION, "basic_farmland")
    g = urban[urban["BSM"] == urban_id].geometry.iloc[0].intersection(bf[bf["BSM"] == bf_id].geometry.iloc[0])
    assert area(g) == pytest.approx(float(ov["area_m2"]), abs=10.0)
