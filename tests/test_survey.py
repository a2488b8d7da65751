"""Survey areas (国土调查办发〔2008〕32号) and map-sheet areas (GB/T 13989-2012), against independent oracles.

Oracles: the closed-form authalic area of a latitude/longitude cell (conftest.cell_area),
:class:`pyproj.Geod` on densely vertexed polygons, and the notice's formula (2) evaluated here
by hand with :mod:`math` on the vertices of a small polygon.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from pyproj import CRS, Geod, Transformer

import eco12geo
from eco12geo import audit, load_layers, load_plan, validate
from eco12geo.cli.main import main
from eco12geo.errors import InputError, PlanError
from eco12geo.io import LayerSource
from eco12geo.measure import ellipsoidal_area
from eco12geo.survey import sheet, sheet_code, sheets_covering

from .conftest import GRS80_A, GRS80_F, REGIMENTS, cell_area

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "layers" / "demo_baseline.gpkg"
GEOD = Geod(a=GRS80_A, f=GRS80_F)


def _notice_area(lonlat: list[tuple[float, float]], a: float = GRS80_A, f: float = GRS80_F) -> float:
    """Return the notice's formula (2) by hand: each edge's trapezoid against the prime meridian (its annex), summed."""
    b = a * (1 - f)
    e2 = (a * a - b * b) / (a * a)
    ka = 1 + (3 / 6) * e2 + (30 / 80) * e2**2 + (35 / 112) * e2**3 + (630 / 2304) * e2**4
    kb = (1 / 6) * e2 + (15 / 80) * e2**2 + (21 / 112) * e2**3 + (420 / 2304) * e2**4
    kc = (3 / 80) * e2**2 + (7 / 112) * e2**3 + (180 / 2304) * e2**4
    kd = (1 / 112) * e2**3 + (45 / 2304) * e2**4
    ke = (5 / 2304) * e2**4
    total = 0.0
    pts = list(lonlat) + [lonlat[0]]
    for (l1, b1), (l2, b2) in zip(pts[:-1], pts[1:], strict=True):
        b1, b2 = math.radians(b1), math.radians(b2)
        dl = (math.radians(l1) + math.radians(l2)) / 2  # mean longitude from the prime meridian
        db, bm = b2 - b1, (b1 + b2) / 2
        total += 2 * b * b * dl * (
            ka * math.sin(db / 2) * math.cos(bm) - kb * math.sin(3 * db / 2) * math.cos(3 * bm)
            + kc * math.sin(5 * db / 2) * math.cos(5 * bm) - kd * math.sin(7 * db / 2) * math.cos(7 * bm)
            + ke * math.sin(9 * db / 2) * math.cos(9 * bm)
        )
    return abs(total)


# ------------------------------------------------------------------ map sheets
@pytest.mark.parametrize(
    ("code", "bounds"),
    [
        ("J45", (84.0, 36.0, 90.0, 40.0)),
        ("K45B002001", (84.0, 40.0, 87.0, 42.0)),
        ("K45C001004", (88.5, 43.0, 90.0, 44.0)),
        ("K45D012001", (84.0, 40.0, 84.5, 40 + 1 / 3)),
        ("K45E001024", (89.75, 43 + 5 / 6, 90.0, 44.0)),
        ("K45F048001", (84.0, 40.0, 84.125, 40 + 1 / 12)),
        ("J45G001001", (84.0, 40 - 2.5 / 60, 84 + 3.75 / 60, 40.0)),
        ("K45H192192", (90 - 1.875 / 60, 40.0, 90.0, 40 + 1.25 / 60)),
        ("K45I001576", (90 - 37.5 / 3600, 44 - 25 / 3600, 90.0, 44.0)),
        ("K45J11520001", (84.0, 40.0, 84 + 18.75 / 3600, 40 + 12.5 / 3600)),
        ("K45K00012304", (90 - 9.375 / 3600, 44 - 6.25 / 3600, 90.0, 44.0)),
    ],
)
def test_sheet_area_is_the_closed_form_cell(code: str, bounds: tuple[float, float, float, float]) -> None:
    s = sheet(code)
    assert (s.west, s.south, s.east, s.north) == pytest.approx(bounds, abs=1e-12)
    # the notice's series (to e⁸) against the exact authalic integral: agree far below 1e-9
    assert eco12geo.sheet_area(code) == pytest.approx(cell_area(*bounds), rel=1e-9)


def test_sheet_codes_of_points_follow_gb_t_13989() -> None:
    # the worked example of the numbering (116°28′15″E, 39°54′30″N): J50, and J50E001010 at 1:50 000
    lon, lat = 116 + 28 / 60 + 15 / 3600, 39 + 54 / 60 + 30 / 3600
    assert sheet_code(lon, lat, 1_000_000) == "J50"
    assert sheet_code(lon, lat, 50_000) == "J50E001010"
    # 43.8°N is row 96 − ⌊3.8° / 2′30″⌋ = 5 of K45, 87.6°E column ⌊3.6° / 3′45″⌋ + 1 = 58
    assert sheet_code(87.6, 43.8, 10_000) == "K45G005058"
    assert len(sheet_code(87.6, 43.8, 1_000)) == 12 and len(sheet_code(87.6, 43.8, 2_000)) == 10
    s = sheet(sheet_code(87.6, 43.8, 500))
    assert s.west <= 87.6 < s.east and s.south <= 43.8 < s.north


@pytest.mark.parametrize("code", ["J45G1001", "Z45", "J61", "J45G097001", "J45J001001", "J45L001001", "hello"])
def test_bad_sheet_codes_are_refused(code: str) -> None:
    with pytest.raises(InputError):
        eco12geo.sheet_area(code)


def test_sheets_covering_a_polygon_tile_it() -> None:
    poly = shapely.Polygon([(87.01, 43.01), (87.2, 43.02), (87.15, 43.11)])
    found = sheets_covering(np.array([poly]), 4490, 50_000)
    union = shapely.union_all([s.box for s in found])
    assert union.contains(poly)
    assert all(s.box.intersection(poly).area > 0 for s in found)
    assert len({s.code for s in found}) == len(found) and all(s.scale == 50_000 for s in found)


# ------------------------------------------------------------------ survey areas
def test_survey_area_by_hand_on_four_vertices() -> None:
    quad = [(87.0, 43.0), (87.4, 43.05), (87.35, 43.4), (87.1, 43.3)]
    by_hand = _notice_area(quad)
    assert eco12geo.survey_area(np.array([shapely.Polygon(quad)]), "EPSG:4490")[0] == pytest.approx(by_hand, rel=1e-11)
    # the same vertices held in their GK zone (CM 87°E): inverse-projected first, same area
    t = Transformer.from_crs(4490, 4538, always_xy=True)
    gk = shapely.Polygon([t.transform(x, y) for x, y in quad])
    assert eco12geo.survey_area(np.array([gk]), 4538)[0] == pytest.approx(by_hand, rel=1e-10)
    # orientation does not matter
    assert eco12geo.survey_area(np.array([shapely.Polygon(quad[::-1])]), 4490)[0] == pytest.approx(by_hand, rel=1e-11)


def test_survey_area_holes_parts_and_non_polygons() -> None:
    outer = shapely.box(87.0, 43.0, 87.3, 43.2)
    hole = shapely.box(87.1, 43.05, 87.2, 43.1)
    holed = shapely.Polygon(outer.exterior.coords, [hole.exterior.coords])
    multi = shapely.MultiPolygon([shapely.box(87, 43, 87.1, 43.1), shapely.box(88, 43, 88.1, 43.1)])
    got = eco12geo.survey_area(
        np.array([holed, multi, None, shapely.Point(87, 43), shapely.LineString([(87, 43), (88, 44)]),
                  shapely.Polygon()], dtype=object), 4490)
    # cells have edges on meridians and parallels: the trapezoids are exact (parallels add nothing)
    assert got[0] == pytest.approx(cell_area(87.0, 43.0, 87.3, 43.2) - cell_area(87.1, 43.05, 87.2, 43.1), rel=1e-10)
    assert got[1] == pytest.approx(cell_area(87, 43, 87.1, 43.1) + cell_area(88, 43, 88.1, 43.1), rel=1e-10)
    assert list(got[2:]) == [0.0, 0.0, 0.0, 0.0]
    assert len(eco12geo.survey_area(np.array([], dtype=object), 4490)) == 0


@pytest.mark.parametrize("crs", [4490, 4538, 4539])
def test_survey_area_agrees_with_geod_on_dense_polygons(crs: int) -> None:
    # an irregular polygon with a hole, vertices every ~10 m, given in the CRS
    ring = [(87.9, 43.0), (88.6, 43.1), (88.7, 43.6), (88.2, 43.8), (87.95, 43.5)]
    hole = [(88.2, 43.3), (88.4, 43.3), (88.3, 43.45)]
    poly = shapely.segmentize(shapely.Polygon(ring, [hole]), 0.0001)
    if crs != 4490:
        t = Transformer.from_crs(4490, crs, always_xy=True)
        poly = shapely.transform(poly, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
    got = eco12geo.survey_area(np.array([poly]), crs)[0]
    # Geod on the same vertices in lon/lat (geodesic edges): all edge conventions meet on dense edges
    back = Transformer.from_crs(crs, 4490, always_xy=True)
    lonlat = shapely.transform(poly, lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1])))
    lonlat = shapely.geometry.polygon.orient(lonlat, 1.0)  # Geod subtracts a hole only when it turns clockwise
    expected = abs(GEOD.geometry_area_perimeter(lonlat)[0])
    assert got == pytest.approx(expected, rel=1e-9)


def test_the_two_methods_part_on_long_gk_edges_near_the_zone_edge() -> None:
    """A 60 km square of straight GK edges 1.4° east of CM 87°E: area_m2 follows the drawn edges, survey does not."""
    t = Transformer.from_crs(4490, 4538, always_xy=True)
    x0, y0 = t.transform(88.4, 43.0)
    square = shapely.box(x0 - 60_000, y0, x0, y0 + 60_000)
    crs = CRS.from_epsg(4538)
    exact = ellipsoidal_area(np.array([square]), crs, 10.0)[0]
    surveyed = eco12geo.survey_area(np.array([square]), crs)[0]
    # the survey formula joins the four corners by curves straight in (L, B), not the straight GK lines
    rel = (surveyed - exact) / exact
    assert 5e-6 < abs(rel) < 5e-5
    # with the drawn edges recorded as 10 m boundary points, the survey area meets the exact one
    dense = shapely.segmentize(square, 10.0)
    assert eco12geo.survey_area(np.array([dense]), crs)[0] == pytest.approx(exact, rel=1e-9)
    # the parting grows as the square of the edge: a 6 km square parts 100 times less
    small = shapely.box(x0 - 6_000, y0, x0, y0 + 6_000)
    rel_small = (eco12geo.survey_area(np.array([small]), crs)[0] / ellipsoidal_area(np.array([small]), crs, 1.0)[0]) - 1
    assert 80 < rel / rel_small < 120


# ------------------------------------------------------------------ recorded MJ by the survey's formula
def _parcels(tmp_path: Path, *, off_m2: float) -> Path:
    """Three ~1 ha parcels in CGCS2000 GK CM 87°E whose MJ is the survey area at 2 decimals (one off by off_m2)."""
    t = Transformer.from_crs(4490, 4538, always_xy=True)
    x0, y0 = t.transform(88.3, 43.5)
    geoms, mj, back = [], [], Transformer.from_crs(4538, 4490, always_xy=True)
    for i in range(3):
        poly = shapely.Polygon([(x0 + 200 * i, y0), (x0 + 200 * i + 97.3, y0 + 3.1), (x0 + 200 * i + 95.0, y0 + 104.2),
                                (x0 + 200 * i - 2.2, y0 + 99.9)])
        geoms.append(poly)
        lonlat = [back.transform(x, y) for x, y in list(poly.exterior.coords)[:-1]]
        mj.append(round(_notice_area(lonlat), 2))
    mj[1] = round(mj[1] + off_m2, 2)
    path = tmp_path / "STBHHX.gpkg"
    gpd.GeoDataFrame({"BSM": ["P1", "P2", "P3"], "MJ": mj}, geometry=geoms, crs=4538).to_file(path)
    return path


def _survey_plan(tmp_path: Path) -> Path:
    text = (ROOT / "eco12geo" / "plans" / "xpcc12_2023_2035.toml").read_text(encoding="utf-8")
    text = text.replace('recorded_area_method = "ellipsoidal"', 'recorded_area_method = "survey"')
    assert 'recorded_area_method = "survey"' in text
    path = tmp_path / "survey_plan.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_recorded_area_checked_against_the_survey_area(tmp_path: Path) -> None:
    red = _parcels(tmp_path, off_m2=0.05)
    plan = _survey_plan(tmp_path)
    survey_plan, bundled = load_plan(plan), load_plan()
    assert survey_plan.recorded_method("ecological_redline") == "survey"
    layers = load_layers({"ecological_redline": LayerSource(red)}, survey_plan)
    report = validate(layers, survey_plan, targets=False)
    found = [v for v in report.violations if v.rule == "recorded_area"]
    assert [v.features for v in found] == [("P2",)]
    assert found[0].area_m2 == pytest.approx(0.05, abs=1e-6)
    check = next(c for c in report.checks if c.rule == "recorded_area")
    assert check.details["compared_with"] == "survey" and check.details["absolute_tolerance_m2"] == 0.01
    # with the default method the 0.05 m² (5e-6 relative) is well inside the relative tolerance
    assert not [v for v in validate(layers, bundled, targets=False).violations if v.rule == "recorded_area"]
    result = audit(layers, survey_plan, targets=False)
    la = result.layers["ecological_redline"]
    assert la.recorded_mismatches == 1 and la.recorded_method == "survey"
    assert list(la.recorded["survey_diff_m2"]) == pytest.approx([0.0, 0.05, 0.0], abs=1e-9)
    assert la.survey_area_m2 == pytest.approx(sum(la.recorded["recorded_m2"]) - 0.05, abs=0.02)


def test_recorded_area_matching_the_survey_area_passes(tmp_path: Path) -> None:
    plan = load_plan(_survey_plan(tmp_path))
    layers = load_layers({"ecological_redline": LayerSource(_parcels(tmp_path, off_m2=0.0))}, plan)
    assert not [v for v in validate(layers, plan, targets=False).violations if v.rule == "recorded_area"]
    assert audit(layers, plan, targets=False).layers["ecological_redline"].recorded_mismatches == 0


def test_recorded_area_method_is_checked(tmp_path: Path) -> None:
    text = (ROOT / "eco12geo" / "plans" / "xpcc12_2023_2035.toml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('recorded_area_method = "ellipsoidal"', 'recorded_area_method = "planar"'),
                   encoding="utf-8")
    with pytest.raises(PlanError, match=r"plan\.recorded_area_method"):
        load_plan(bad)
    per_layer = tmp_path / "layer.toml"
    per_layer.write_text(text.replace('[layers.farmland]\n', '[layers.farmland]\nrecorded_area_method = "survey"\n'),
                         encoding="utf-8")
    p = load_plan(per_layer)
    assert p.recorded_method("farmland") == "survey" and p.recorded_method("ecological_redline") == "ellipsoidal"


# ------------------------------------------------------------------ outputs
def test_audit_outputs_carry_both_areas(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["audit", str(DEMO), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "survey_area_m2" in res.output and "area_m2" in res.output  # the table says which area it shows
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert set(doc["area_methods"]) == {"area_m2", "survey_area_m2"}
    assert "2008" in doc["area_methods"]["survey_area_m2"] and "32号" in doc["area_methods"]["survey_area_m2"]
    red = doc["layers"]["ecological_redline"]
    assert red["survey_diff_m2"] == pytest.approx(red["survey_area_m2"] - red["area_m2"], abs=0.011)
    assert "survey_outside_units_m2" in red
    unit = next(u for u in doc["units"] if u["unit"] == "104团")
    assert set(unit["survey_layers"]) == set(unit["layers"])
    # the survey area of the units (7 features): the 2008 formula by hand on their vertices
    units = gpd.read_file(DEMO, layer="units")
    by_hand = 0.0
    for g in units.geometry.values:
        for part in getattr(g, "geoms", [g]):
            by_hand += _notice_area(list(part.exterior.coords)[:-1])
            by_hand -= sum(_notice_area(list(r.coords)[:-1]) for r in part.interiors)
    assert doc["layers"]["units"]["survey_area_m2"] == pytest.approx(by_hand, abs=0.01)
    csv = pd.read_csv(out / "audit.csv", encoding="utf-8-sig")
    row = csv[(csv.unit == "104团") & (csv.layer == "ecological_redline")].iloc[0]
    assert row.survey_area_m2 == pytest.approx(unit["survey_layers"]["ecological_redline"], abs=0.01)
    assert row.survey_diff_m2 == pytest.approx(row.survey_area_m2 - row.area_m2, abs=0.011)
    total = csv[(csv.unit == "*") & (csv.layer == "ecological_redline")].iloc[0]
    assert total.survey_area_m2 == pytest.approx(red["survey_area_m2"], abs=0.01)
    xl = pd.read_excel(out / "audit.xlsx", sheet_name=None)
    assert {"survey_area_m2", "survey_diff_m2"} <= set(xl["units"].columns) <= set(xl["units"].columns)
    assert {"survey_area_m2", "survey_diff_m2", "survey_outside_units_m2"} <= set(xl["layers"].columns)


# ------------------------------------------------------------------ year and scope on the demo
def _demo(extra: dict[str, Path] | None = None) -> tuple[eco12geo.LayerSet, eco12geo.Plan]:
    plan = load_plan()
    matched, _ = eco12geo.discover_layers([DEMO], plan)
    matched.update({k: LayerSource(v) for k, v in (extra or {}).items()})
    return load_layers(matched, plan), plan


def test_year_selects_the_figures_judged_on_the_demo() -> None:
    layers, plan = _demo()
    every = {c.figure for c in audit(layers, plan).figures}
    assert {"construction_land_2025", "construction_land_2035"} <= every  # no --year: both judged, as before
    y25 = {c.figure: c for c in audit(layers, plan, year=2025).figures}
    assert "construction_land_2025" in y25 and "construction_land_2035" not in y25
    assert y25["construction_land_2025"].status == "met"
    assert "forest_land_2025" in y25 and "forest_land_2035" not in y25
    assert "redline_area" in y25  # a figure the plan gives for one year only is always judged
    y35 = audit(layers, plan, year=2035)
    assert {c.figure for c in y35.figures} == every - {"construction_land_2025", "forest_land_2025"}
    assert any("--year 2035" in n for n in y35.notes)
    report = validate(layers, plan, year=2025)
    assert any("construction_land_2035" in n for n in report.notes)


def test_year_must_be_one_the_plan_gives(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["audit", str(DEMO), "--year", "2030", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "2025, 2035" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_scoped_figure_is_judged_when_its_exclusion_is_given(tmp_path: Path) -> None:
    layers, plan = _demo()
    fig = next(c for c in audit(layers, plan).figures if c.figure == "forest_land_2035")
    assert fig.status == "no_data" and "pasture_104" in fig.reason
    # a stand-in pasture: the southern half of 104团 (the regiment's mountain pasture lies south)
    units = gpd.read_file(DEMO, layer="units")
    r104 = units.geometry[units.XZQMC == "104团"].iloc[0]
    w, s, e, n = r104.bounds
    pasture = r104.intersection(shapely.box(w, s, e, (s + n) / 2))
    path = tmp_path / "CC104.gpkg"
    gpd.GeoDataFrame({"BSM": ["CC1"]}, geometry=[pasture], crs=4490).to_file(path)
    layers, plan = _demo({"pasture_104": path})
    result = audit(layers, plan)
    fig = next(c for c in result.figures if c.figure == "forest_land_2035")
    forest = shapely.union_all(gpd.read_file(DEMO, layer="forest_land").geometry.values)
    inside = shapely.segmentize(forest.intersection(pasture), 0.0005)
    expected = result.layers["forest_land"].area_m2 - abs(GEOD.geometry_area_perimeter(inside)[0])
    assert fig.value == pytest.approx(expected, rel=1e-6)
    assert fig.status == ("met" if expected >= 89.60e6 - 5000 else "short")
    assert "left out" in fig.reason
    doc = result.to_dict()
    target = next(t for t in doc["targets"] if t["figure"] == "forest_land_2035")
    assert target["status"] == fig.status and "reason" in target


def test_decimals_set_the_tolerance_of_a_target() -> None:
    from dataclasses import replace

    fig = load_plan().figure("reserve_area")  # 18 km², published without decimals
    assert fig.decimals == 0
    assert fig.judge(18.3e6)[0] == "met"
    assert replace(fig, decimals=2).judge(18.3e6)[0] == "over"
    assert replace(fig, decimals=2).judge(18.004e6)[0] == "met"


# ------------------------------------------------------------------ eco12geo sheets
def test_sheets_command_on_the_demo_units(tmp_path: Path) -> None:
    out = tmp_path / "sheets"
    res = CliRunner().invoke(main, ["sheets", "--units", f"{DEMO}:units", "--scale", "10000", "--out", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "sheets.json").read_text(encoding="utf-8"))
    assert doc["scale"] == 10_000 and len(doc["sheets"]) > 100
    units = gpd.read_file(DEMO, layer="units")
    by_unit: dict[str, float] = {}
    for s in doc["sheets"]:
        assert s["sheet"][3] == "G" and len(s["sheet"]) == 10
        assert s["sheet_area_m2"] == pytest.approx(cell_area(s["west"], s["south"], s["east"], s["north"]), abs=0.01)
        assert sum(u["survey_area_m2"] for u in s["units"]) <= s["sheet_area_m2"] + 0.01
        for u in s["units"]:
            by_unit[u["unit"]] = by_unit.get(u["unit"], 0.0) + u["survey_area_m2"]
    assert sorted(by_unit) == sorted(REGIMENTS)
    # a unit's sheets add up to the unit: the survey area of its own vertices, by hand
    for name, g in zip(units.XZQMC, units.geometry.values, strict=True):
        by_hand = sum(_notice_area(list(p.exterior.coords)[:-1]) - sum(_notice_area(list(r.coords)[:-1])
                                                                      for r in p.interiors)
                      for p in getattr(g, "geoms", [g]))
        assert by_unit[name] == pytest.approx(by_hand, rel=1e-9), name
    csv = pd.read_csv(out / "sheets.csv", encoding="utf-8-sig")
    assert list(csv.columns[:5]) == ["sheet", "scale", "sheet_area_m2", "unit", "survey_area_m2"]
    assert len(csv) == sum(len(s["units"]) for s in doc["sheets"])


def test_sheets_command_refuses_bad_scale_and_missing_units(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["sheets", "--units", f"{DEMO}:units", "--scale", "3000", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "--scale 3000" in res.stderr
    res = CliRunner().invoke(main, ["sheets", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "--units" in res.stderr


def test_survey_area_of_a_reprojected_layer_uses_its_vertices_as_read(
    tmp_path: Path, two_units: gpd.GeoDataFrame
) -> None:
    """A GK layer given with units in EPSG:4490 is reprojected (and densified) for the run, not for the survey."""
    t = Transformer.from_crs(4490, 4538, always_xy=True)
    back = Transformer.from_crs(4538, 4490, always_xy=True)
    x0, y0 = t.transform(87.6, 43.2)
    big = shapely.Polygon([(x0, y0), (x0 + 2000, y0 + 30), (x0 + 1990, y0 + 2010), (x0 - 20, y0 + 1990)])
    by_hand = _notice_area([back.transform(x, y) for x, y in list(big.exterior.coords)[:-1]])
    red = tmp_path / "STBHHX.gpkg"
    gpd.GeoDataFrame({"BSM": ["B1"], "MJ": [round(by_hand, 2)]}, geometry=[big], crs=4538).to_file(red)
    units = tmp_path / "units.gpkg"
    two_units.to_file(units)
    plan = load_plan(_survey_plan(tmp_path))
    layers = load_layers({"ecological_redline": LayerSource(red), "units": LayerSource(units)}, plan)
    assert layers.crs.to_epsg() == 4490  # the red line was reprojected, its 2 km edges densified to 100 m
    la = audit(layers, plan, targets=False).layers["ecological_redline"]
    assert la.survey_area_m2 == pytest.approx(by_hand, abs=1e-3)
    assert la.recorded_mismatches == 0
    # on the densified copy the survey formula would follow the drawn GK edges and miss MJ by ~0.06 m²
    assert abs(eco12geo.survey_area(layers["ecological_redline"].geometry.values, 4490)[0] - by_hand) > 0.02
    assert not [v for v in validate(layers, plan, targets=False).violations if v.rule == "recorded_area"]


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('exclude_layer = "pasture_104"', 'exclude_layer = "pasture"', "exclude_layer"),
        ('id = "reserve_area"\nquantity = "area"\nlayer = "basic_farmland_reserve"\nvalue = 18.0\nunit = "km2"\n'
         'decimals = 0', 'id = "reserve_area"\nquantity = "area"\nlayer = "basic_farmland_reserve"\nvalue = 18.0\n'
         'unit = "km2"\ndecimals = -1', "decimals"),
        ('decimals = 2\nkind = "target"\nsection = "一（二）"\ntext = "统筹划定城镇开发边界',
         'decimals = "two"\nkind = "target"\nsection = "一（二）"\ntext = "统筹划定城镇开发边界', "decimals"),
        ("recorded_survey_m2 = 0.01", "recorded_survey_m2 = -0.01", "recorded_survey_m2"),
    ],
)
def test_new_plan_keys_are_checked(tmp_path: Path, old: str, new: str, key: str) -> None:
    text = (ROOT / "eco12geo" / "plans" / "xpcc12_2023_2035.toml").read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PlanError, match=key):
        load_plan(bad)


def test_cli_year_on_validate_and_english_table(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["validate", str(DEMO), "--year", "2035", "--out", str(tmp_path / "v")])
    assert res.exit_code in (0, 1), res.output
    doc = json.loads((tmp_path / "v" / "report.json").read_text(encoding="utf-8"))
    assert any("construction_land_2025" in n for n in doc["notes"])
    res = CliRunner().invoke(main, ["audit", str(DEMO), "--lang", "en", "--year", "2035", "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    assert "Areas shown: area_m2" in res.output and "Survey area" in res.output
    doc = json.loads((tmp_path / "a" / "audit.json").read_text(encoding="utf-8"))
    assert doc["year"] == 2035
    assert {t["figure"] for t in doc["targets"]} >= {"construction_land_2035", "forest_land_2035"}
    assert "construction_land_2025" not in {t["figure"] for t in doc["targets"]}


def test_expansion_factor_base_is_a_cited_plan_setting() -> None:
    plan = load_plan()
    fig = plan.figure("urban_expansion_factor")
    assert fig.reference_layer == "construction_land" and "城镇建设用地" in fig.reference_basis
    assert "urban_construction_land" in plan.layers and plan.layers["urban_construction_land"].name_zh == "城镇建设用地"
    layers, _ = _demo()
    doc = audit(layers, plan).to_dict()
    entry = next(f for f in doc["figures"] if f["figure"] == "urban_expansion_factor")
    assert entry["reference_layer"] == "construction_land" and entry["reference_basis"] == fig.reference_basis
    urban = doc["layers"]["urban_boundary"]["area_m2"] / doc["layers"]["construction_land"]["area_m2"]
    assert entry["value"] == pytest.approx(urban, rel=1e-6)


def test_scoped_figure_by_excluded_units(tmp_path: Path) -> None:
    text = (ROOT / "eco12geo" / "plans" / "xpcc12_2023_2035.toml").read_text(encoding="utf-8")
    scoped = tmp_path / "units_scope.toml"
    scoped.write_text(text.replace('exclude_layer = "pasture_104"', 'exclude_units = ["104团"]'), encoding="utf-8")
    plan = load_plan(scoped)
    matched, _ = eco12geo.discover_layers([DEMO], plan)
    result = audit(load_layers(matched, plan), plan)
    fig = next(c for c in result.figures if c.figure == "forest_land_2035")
    units = gpd.read_file(DEMO, layer="units")
    forest = shapely.union_all(gpd.read_file(DEMO, layer="forest_land").geometry.values)
    inside = shapely.segmentize(forest.intersection(units.geometry[units.XZQMC == "104团"].iloc[0]), 0.0005)
    expected = result.layers["forest_land"].area_m2 - abs(GEOD.geometry_area_perimeter(inside)[0])
    assert fig.value == pytest.approx(expected, rel=1e-6) and "104团" in fig.reason
    without = audit(load_layers({k: v for k, v in matched.items() if k != "units"}, plan), plan)
    fig = next(c for c in without.figures if c.figure == "forest_land_2035")
    assert fig.status == "no_data" and "units layer" in fig.reason
