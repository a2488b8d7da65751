"""``eco12geo validate``: each rule on a hand-built case whose answer is known by construction.

Layers are small GeoPackages in EPSG:4538 written into tmp folders (see
``validate_data.py``).  Every polygon is an axis-aligned rectangle, so each
overlap or uncovered part is a rectangle written down by hand here and its
ellipsoidal area is computed independently (densified corners → lon/lat →
``pyproj.Geod``), never by the code under test.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Transformer

from eco12geo import load_layers
from eco12geo.cli.main import main
from eco12geo.io import LayerSource
from eco12geo.names import slugify, unit_page
from eco12geo.plan import bundled_plan
from eco12geo.validate import Report, validate
from eco12geo.waivers import load_exceptions

from .validate_data import CRS, X0, Y0, geod_rect_area, rect, units_rows, write

ROOT = Path(__file__).resolve().parents[1]
PLAN = bundled_plan()  # loaded once per session


# ------------------------------------------------------------------ helpers
def run(folder: Path, baseline: Path | None = None, **kwargs: Any) -> Report:
    """Validate every .gpkg of a folder (file name = layer key) with the bundled plan."""
    def sources(d: Path) -> dict[str, LayerSource]:
        return {p.stem: LayerSource(p) for p in sorted(d.glob("*.gpkg"))}

    layers = load_layers(sources(folder), PLAN)
    base = load_layers(sources(baseline), PLAN) if baseline else None
    kwargs.setdefault("targets", False)
    return validate(layers, PLAN, base, **kwargs)


def of(report: Report, rule: str) -> list[Any]:
    return [v for v in report.violations if v.rule == rule]


@pytest.fixture
def case(tmp_path: Path) -> Path:
    """Build units 104团 | 222团, red line R1, R2 and urban boundary C1–C4.

    R2 straddles both units; C1 overlaps R1, C2 touches R2 along an edge, C3
    overlaps R2 across the unit border, C4 touches R1 at a corner.
    """
    d = tmp_path / "case"
    d.mkdir()
    write(d / "units.gpkg", "units", units_rows())
    write(d / "ecological_redline.gpkg", "ecological_redline", [
        {"BSM": "R1", "MJ": geod_rect_area(100, 100, 1100, 1100), "geometry": rect(100, 100, 1100, 1100)},
        {"BSM": "R2", "MJ": geod_rect_area(1500, 500, 2500, 1500), "geometry": rect(1500, 500, 2500, 1500)},
    ])
    write(d / "urban_boundary.gpkg", "urban_boundary", [
        {"BSM": "C1", "geometry": rect(1000, 100, 1300, 400)},
        {"BSM": "C2", "geometry": rect(2500, 500, 2800, 800)},
        {"BSM": "C3", "geometry": rect(1900, 600, 2100, 700)},
        {"BSM": "C4", "geometry": rect(1100, 1100, 1300, 1300)},
    ])
    return d


# ------------------------------------------------------------------ overlap
def test_overlap_area_is_the_ellipsoidal_area_of_the_intersection(case: Path) -> None:
    r = run(case)
    c1 = [v for v in of(r, "overlap") if "C1" in v.features]
    assert len(c1) == 1
    v = c1[0]
    assert v.layers == ("ecological_redline", "urban_boundary")
    assert v.features == ("R1", "C1")
    assert v.unit == "104团"
    expected = geod_rect_area(1000, 100, 1100, 400)  # 100 m x 300 m by hand
    assert v.area_m2 == pytest.approx(expected, abs=0.01)
    assert abs(v.area_m2 - 30_000.0) < 1.0  # close to the planar figure, but not it
    # lon/lat is a point inside the overlap, in EPSG:4490
    x, y = Transformer.from_crs("EPSG:4490", CRS, always_xy=True).transform(v.lon, v.lat)
    assert X0 + 1000 <= x <= X0 + 1100 and Y0 + 100 <= y <= Y0 + 400
    assert r.exit_code == 1


def test_overlap_straddling_units_is_reported_once_per_unit(case: Path) -> None:
    r = run(case)
    c3 = sorted((v.unit, v.area_m2) for v in of(r, "overlap") if "C3" in v.features)
    assert [u for u, _ in c3] == ["104团", "222团"]
    assert c3[0][1] == pytest.approx(geod_rect_area(1900, 600, 2000, 700), abs=0.01)
    assert c3[1][1] == pytest.approx(geod_rect_area(2000, 600, 2100, 700), abs=0.01)


def test_touching_along_an_edge_or_at_a_corner_is_not_an_overlap(case: Path) -> None:
    r = run(case)
    involved = {f for v in of(r, "overlap") for f in v.features}
    assert "C2" not in involved and "C4" not in involved
    assert len(of(r, "overlap")) == 3  # C1 once, C3 twice (two units)


def test_min_overlap_tolerance_from_plan_and_override(tmp_path: Path) -> None:
    write(tmp_path / "units.gpkg", "units", units_rows())
    write(tmp_path / "ecological_redline.gpkg", "ecological_redline",
          [{"BSM": "R1", "geometry": rect(100, 100, 200, 200)}])
    # 1 m x 0.5 m overlap: 0.5 m², below the plan's 1 m²
    write(tmp_path / "urban_boundary.gpkg", "urban_boundary", [{"BSM": "C1", "geometry": rect(199.5, 150, 300, 151)}])
    assert of(run(tmp_path), "overlap") == []
    found = of(run(tmp_path, tolerances={"min_overlap_m2": 0.1}), "overlap")
    assert len(found) == 1
    assert found[0].area_m2 == pytest.approx(geod_rect_area(199.5, 150, 200, 151, step=0.1), abs=1e-3)


def test_self_overlap_reports_both_ids_and_the_area(tmp_path: Path) -> None:
    write(tmp_path / "units.gpkg", "units", units_rows())
    write(tmp_path / "farmland.gpkg", "farmland", [
        {"BSM": "F1", "geometry": rect(100, 100, 600, 600)},
        {"BSM": "F2", "geometry": rect(550, 550, 900, 900)},
        {"BSM": "F3", "geometry": rect(900, 100, 1000, 550)},  # touches F2 at a corner only
    ])
    r = run(tmp_path)
    found = of(r, "self_overlap")
    assert [(v.features, v.layers, v.unit) for v in found] == [(("F1", "F2"), ("farmland",), "104团")]
    assert found[0].area_m2 == pytest.approx(geod_rect_area(550, 550, 600, 600), abs=0.01)


# ------------------------------------------------------------------ cover
def test_not_covered_gives_the_uncovered_area_per_unit(tmp_path: Path) -> None:
    write(tmp_path / "units.gpkg", "units", units_rows())
    write(tmp_path / "farmland.gpkg", "farmland", [
        {"BSM": "F1", "geometry": rect(100, 100, 1000, 1000)},
        {"BSM": "F2", "geometry": rect(1000, 100, 1900, 1000)},
    ])
    write(tmp_path / "basic_farmland.gpkg", "basic_farmland", [
        {"BSM": "B1", "geometry": rect(200, 200, 1500, 800)},  # covered by F1 ∪ F2 together
        {"BSM": "B2", "geometry": rect(1800, 200, 2200, 400)},  # 100 m in F2, 100 m out in 104团, 200 m in 222团
    ])
    r = run(tmp_path)
    found = sorted((v.features, v.unit, v.area_m2) for v in of(r, "not_covered"))
    assert [(f, u) for f, u, _ in found] == [(("B2",), "104团"), (("B2",), "222团")]
    assert found[0][2] == pytest.approx(geod_rect_area(1900, 200, 2000, 400), abs=0.01)
    assert found[1][2] == pytest.approx(geod_rect_area(2000, 200, 2200, 400), abs=0.01)
    assert all(v.layers == ("basic_farmland", "farmland") for v in of(r, "not_covered"))


def test_outside_units_for_polygons_and_lines(tmp_path: Path) -> None:
    write(tmp_path / "units.gpkg", "units", units_rows())
    write(tmp_path / "ecological_redline.gpkg", "ecological_redline", [
        {"BSM": "R1", "geometry": rect(3500, 1500, 4300, 1900)},  # 300 m x 400 m beyond x = 4000
        {"BSM": "R2", "geometry": rect(100, 100, 200, 200)},
    ])
    line = shapely.LineString([(X0 + 3000, Y0 + 1000), (X0 + 4500, Y0 + 1000)])  # 500 m outside
    write(tmp_path / "corridors.gpkg", "corridors", [{"BSM": "L1", "geometry": line}])
    r = run(tmp_path)
    found = {v.features[0]: v for v in of(r, "outside_units")}
    assert set(found) == {"R1", "L1"}
    assert found["R1"].unit is None
    assert found["R1"].area_m2 == pytest.approx(geod_rect_area(4000, 1500, 4300, 1900), abs=0.01)
    assert found["L1"].details["length_m"] == pytest.approx(500.0, rel=1e-4)


# ------------------------------------------------------------------ geometry
def test_invalid_geometry_reason_location_and_in_memory_repair(tmp_path: Path) -> None:
    write(tmp_path / "units.gpkg", "units", units_rows())
    x, y = 500.0, 500.0
    bowtie = shapely.Polygon([(X0 + x - 30, Y0 + y - 30), (X0 + x + 30, Y0 + y + 30), (X0 + x + 30, Y0 + y - 30),
                              (X0 + x - 30, Y0 + y + 30), (X0 + x - 30, Y0 + y - 30)])
    assert not bowtie.is_valid
    write(tmp_path / "ecological_redline.gpkg", "ecological_redline", [{"BSM": "R1", "geometry": bowtie}])
    # the repaired bow-tie (two triangles) still overlaps the urban boundary: the overlay rules run on it
    write(tmp_path / "urban_boundary.gpkg", "urban_boundary", [{"BSM": "C1", "geometry": rect(500, 400, 600, 600)}])
    r = run(tmp_path)
    (v,) = of(r, "geometry_invalid")
    assert v.features == ("R1",) and v.layers == ("ecological_redline",) and v.unit == "104团"
    assert v.details["reason"].startswith("Self-intersection")
    lon, lat = Transformer.from_crs(CRS, "EPSG:4490", always_xy=True).transform(X0 + x, Y0 + y)
    assert (v.lon, v.lat) == (pytest.approx(lon, abs=1e-7), pytest.approx(lat, abs=1e-7))
    assert v.area_m2 == pytest.approx(1800.0, rel=1e-4)  # two 60 m x 30 m / 2 triangles
    (o,) = of(r, "overlap")
    assert o.area_m2 == pytest.approx(900.0, rel=1e-4)  # the right-hand triangle
    assert any("repaired in memory" in n for n in r.notes)
    assert "ecological_redline" in r.repaired and r.repaired["ecological_redline"].geometry.is_valid.all()


def test_empty_geometry_duplicate_ids_and_sliver(tmp_path: Path) -> None:
    write(tmp_path / "units.gpkg", "units", units_rows())
    write(tmp_path / "farmland.gpkg", "farmland", [
        {"BSM": "F1", "geometry": rect(100, 100, 600, 600)},
        {"BSM": "F1", "geometry": rect(700, 100, 900, 300)},
        {"BSM": "F3", "geometry": None},
        {"BSM": "F4", "geometry": rect(1000, 1000, 1200, 1000.5)},  # 200 m x 0.5 m
        {"BSM": None, "geometry": rect(100, 1500, 300, 1700)},
    ])
    r = run(tmp_path)
    assert [(v.features, v.details["kind"]) for v in of(r, "empty_geometry")] == [(("F3",), "null")]
    (dup,) = of(r, "duplicate_id")
    assert dup.features == ("F1",) and dup.details["rows"] == [1, 2]
    (sl,) = of(r, "sliver")
    assert sl.features == ("F4",) and sl.severity == "warning"
    # width = area / half-perimeter = 100 / 200.5 m
    assert sl.details["width_m"] == pytest.approx(100.0 / 200.5, rel=1e-3)
    assert sl.area_m2 == pytest.approx(geod_rect_area(1000, 1000, 1200, 1000.5, step=0.25), abs=1e-3)
    # the plan's sliver width is overridden: 0.4 m lets the 0.499 m strip pass
    r2 = run(tmp_path, tolerances={"sliver_width_m": 0.4})
    assert of(r2, "sliver") == []
    assert r2.tolerances["sliver_width_m"] == 0.4


def test_row_number_is_the_id_without_bsm(tmp_path: Path) -> None:
    write(tmp_path / "units.gpkg", "units", units_rows())
    write(tmp_path / "ecological_redline.gpkg", "ecological_redline", [
        {"NAME": "a", "geometry": rect(100, 100, 300, 300)},
        {"NAME": "b", "geometry": rect(200, 200, 400, 400)},
    ])
    (v,) = of(run(tmp_path), "self_overlap")
    assert v.features == ("#1", "#2")


# ------------------------------------------------------------------ areas
def test_area_below_target_and_recorded_area(tmp_path: Path) -> None:
    write(tmp_path / "units.gpkg", "units", units_rows())
    a1 = geod_rect_area(100, 100, 1100, 1100)
    write(tmp_path / "ecological_redline.gpkg", "ecological_redline", [
        {"BSM": "R1", "MJ": a1, "geometry": rect(100, 100, 1100, 1100)},
        {"BSM": "R2", "MJ": 1.1 * 40_000.0, "geometry": rect(2100, 100, 2300, 300)},
    ])
    r = run(tmp_path, targets=True)
    (t,) = of(r, "area_below_target")
    total = a1 + geod_rect_area(2100, 100, 2300, 300)
    assert t.area_m2 == pytest.approx(741.42e6 - total, abs=0.05)
    assert t.details["figure"] == "redline_area"
    check = next(c for c in r.checks if c.rule == "area_min" and c.layer == "ecological_redline")
    assert check.status == "fail" and check.target_m2 == pytest.approx(741.42e6)
    (m,) = of(r, "recorded_area")
    assert m.features == ("R2",) and m.severity == "warning" and m.unit == "222团"
    assert m.area_m2 == pytest.approx(44_000.0 - geod_rect_area(2100, 100, 2300, 300), abs=0.01)
    # --no-targets: no target check at all
    assert of(run(tmp_path, targets=False), "area_below_target") == []


def test_expansion_factor(tmp_path: Path) -> None:
    write(tmp_path / "units.gpkg", "units", units_rows())
    write(tmp_path / "urban_boundary.gpkg", "urban_boundary", [{"BSM": "C1", "geometry": rect(100, 100, 1500, 1100)}])
    write(tmp_path / "construction_land.gpkg", "construction_land",
          [{"BSM": "J1", "geometry": rect(100, 100, 1100, 1100)}])
    r = run(tmp_path)
    (v,) = of(r, "expansion_factor")
    ratio = geod_rect_area(100, 100, 1500, 1100) / geod_rect_area(100, 100, 1100, 1100)
    assert v.details["ratio"] == pytest.approx(ratio, rel=1e-6)
    assert ratio == pytest.approx(1.4, rel=1e-5)
    write(tmp_path / "urban_boundary.gpkg", "urban_boundary", [{"BSM": "C1", "geometry": rect(100, 100, 1300, 1100)}])
    assert of(run(tmp_path), "expansion_factor") == []  # 1.2 ≤ 1.3


def test_area_decreased_and_removed_against_baseline(tmp_path: Path) -> None:
    base, cur = tmp_path / "base", tmp_path / "cur"
    base.mkdir()
    cur.mkdir()
    for d in (base, cur):
        write(d / "units.gpkg", "units", units_rows())
    write(base / "ecological_redline.gpkg", "ecological_redline", [
        {"BSM": "R1", "geometry": rect(100, 100, 1100, 1100)},
        {"BSM": "R2", "geometry": rect(2500, 1000, 3000, 1400)},
    ])
    write(cur / "ecological_redline.gpkg", "ecological_redline", [
        {"BSM": "R1", "geometry": rect(100, 100, 1100, 900)},  # cut: 1000 m x 200 m gone in 104团
        {"BSM": "R3", "geometry": rect(3200, 1000, 3700, 1400)},  # R2 moved within 222团, same size
    ])
    r = run(cur, baseline=base)
    cut = geod_rect_area(100, 900, 1100, 1100)
    (dec,) = of(r, "area_decreased")
    assert (dec.unit, dec.features, dec.severity) == ("104团", ("R1",), "error")
    assert dec.area_m2 == pytest.approx(cut, abs=0.05)
    removed = sorted((v.unit, v.features, v.area_m2, tuple(v.details["added_features"])) for v in of(r, "area_removed"))
    assert [(u, f, a) for u, f, _, a in removed] == [("104团", ("R1",), ()), ("222团", ("R2",), ("R3",))]
    assert removed[0][2] == pytest.approx(cut, abs=0.01)
    assert removed[1][2] == pytest.approx(geod_rect_area(2500, 1000, 3000, 1400), abs=0.01)
    assert all(v.severity == "warning" for v in of(r, "area_removed"))


# ------------------------------------------------------------------ exceptions
def test_exceptions_csv_and_yaml_accept_violations(case: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "ok.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["rule", "features", "reason", "document"])
        w.writerow(["overlap", "C1;R1", "runway agreed before the red line", "新政函〔2023〕12号"])
        w.writerow(["overlap", "R2;C3", "road", "新政函〔2023〕13号"])
    r = run(case, exceptions=load_exceptions(csv_path))
    assert all(v.accepted for v in of(r, "overlap"))
    assert r.errors == 0 and r.accepted == 3 and r.exit_code == 0
    doc = r.to_dict()
    assert doc["violations"][0]["exception"]["document"] in {"新政函〔2023〕12号", "新政函〔2023〕13号"}

    yml = tmp_path / "ok.yaml"
    yml.write_text("- rule: overlap\n  features: [R1, C1]\n  reason: runway\n  document: 文件1\n"
                   "- rule: overlap\n  features: [R1, C2]\n  reason: stale\n  document: 文件2\n", encoding="utf-8")
    r = run(case, exceptions=load_exceptions(yml))
    assert [v.accepted for v in of(r, "overlap") if "C1" in v.features] == [True]
    assert r.errors == 2 and r.exit_code == 1
    assert "exception 2 (overlap: R1;C2) matched no violation" in r.notes


# ------------------------------------------------------------------ outputs and CLI
def _layer_args(folder: Path) -> list[str]:
    args: list[str] = []
    for p in sorted(folder.glob("*.gpkg")):
        args += ["--layer", f"{p.stem}={p}"]
    return args


def test_cli_outputs_and_exit_1(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["validate", *_layer_args(case), "--no-targets", "--out", str(out)])
    assert res.exit_code == 1, res.output
    assert "控制线交叉重叠" in res.output  # Chinese by default
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert doc["schema_version"] == 1
    assert set(doc) >= {"layers", "violations", "checks", "summary"}
    assert doc["summary"]["errors"] == 3 and doc["summary"]["warnings"] == 0
    v = doc["violations"][0]
    assert list(v)[:9] == ["rule", "severity", "layers", "features", "unit", "area_m2", "lon", "lat", "message"]
    assert doc["layers"]["ecological_redline"]["crs"] == "EPSG:4538"
    assert doc["layers"]["ecological_redline"]["features"] == 2
    # violations.gpkg: one layer per rule of the plan, each with a QGIS style
    names = [str(n) for n in pyogrio.list_layers(out / "violations.gpkg")[:, 0]]
    rules = list(dict.fromkeys(r.rule for r in PLAN.rules))
    assert [n for n in names if n != "layer_styles"] == rules
    gdf = pyogrio.read_dataframe(out / "violations.gpkg", layer="overlap")
    assert len(gdf) == 3 and set(gdf["features"]) == {"R1;C1", "R2;C3"}
    con = sqlite3.connect(out / "violations.gpkg")
    styled = dict(con.execute("SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault = 1").fetchall())
    cols = [row[1] for row in con.execute("PRAGMA table_info(layer_styles)")]
    con.close()
    assert set(styled) == set(rules)
    assert all(qml.lstrip().startswith("<!DOCTYPE qgis") and "renderer-v2" in qml for qml in styled.values())
    assert {"f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName", "styleQML",
            "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"} <= set(cols)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "104团" in html and "222团" in html and "overlap" in html


def test_cli_exit_0_english_and_options(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    write(d / "units.gpkg", "units", units_rows())
    write(d / "ecological_redline.gpkg", "ecological_redline", [{"BSM": "R1", "geometry": rect(100, 100, 200, 200)}])
    write(d / "urban_boundary.gpkg", "urban_boundary", [{"BSM": "C1", "geometry": rect(199.5, 150, 300, 151)}])
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["validate", str(d), "--no-targets", "--lang", "en", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Result: pass" in res.output
    res = CliRunner().invoke(main, ["validate", str(d), "--no-targets", "--min-overlap-m2", "0.1", "--out", str(out)])
    assert res.exit_code == 1
    assert json.loads((out / "report.json").read_text())["tolerances"]["min_overlap_m2"] == 0.1


def test_cli_exit_2_one_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["validate", "--layer", f"ecological_redline={tmp_path / 'nope.gpkg'}",
                                    "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "does not exist" in res.output and "Traceback" not in res.output
    bad = tmp_path / "bad.csv"
    bad.write_text("rule,features\noverlap,R1\n", encoding="utf-8")
    d = tmp_path / "in"
    d.mkdir()
    write(d / "units.gpkg", "units", units_rows())
    res = CliRunner().invoke(main, ["validate", str(d), "--exceptions", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "document" in res.output


def test_same_input_gives_identical_report_json(case: Path, tmp_path: Path) -> None:
    texts = []
    for i in range(2):
        out = tmp_path / f"out{i}"
        res = CliRunner().invoke(main, ["validate", *_layer_args(case), "--no-targets", "--out", str(out)])
        assert res.exit_code == 1
        doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
        assert set(doc.pop("run")) == {"backend", "workers", "seconds"}  # only `run` may differ (INTERFACE.md)
        texts.append(json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8"))
    assert texts[0] == texts[1]


def test_report_html_escapes_user_text(tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    write(tmp_path / "units.gpkg", "units", [
        {"BSM": "U1", "XZQMC": "104团<b>", "geometry": rect(0, 0, 2000, 2000)},
    ])
    write(tmp_path / "ecological_redline.gpkg", "ecological_redline", [
        {"BSM": evil, "geometry": rect(100, 100, 300, 300)},
        {"BSM": "R2", "geometry": rect(200, 200, 400, 400)},
    ])
    out = tmp_path / "out"
    (out).mkdir()
    (out / unit_page("104团<b>")).write_text("map", encoding="utf-8")
    res = CliRunner().invoke(main, ["validate", str(tmp_path), "--no-targets", "--out", str(out)])
    assert res.exit_code == 1, res.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert evil not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'href="{slugify("104团<b>")}.html"' in html


def test_repair_writes_copies_into_out_never_in_place(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    write(d / "units.gpkg", "units", units_rows())
    bowtie = shapely.Polygon([(X0 + 10, Y0 + 10), (X0 + 70, Y0 + 70), (X0 + 70, Y0 + 10), (X0 + 10, Y0 + 70)])
    write(d / "ecological_redline.gpkg", "ecological_redline", [{"BSM": "R1", "geometry": bowtie}])
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["validate", str(d), "--no-targets", "--repair", "--out", str(out)])
    assert res.exit_code == 1
    assert {p.name: p.read_bytes() for p in d.iterdir()} == before
    fixed = pyogrio.read_dataframe(out / "repaired" / "ecological_redline_repaired.gpkg")  # issue 8: its own folder
    assert fixed.geometry.is_valid.all() and list(fixed["BSM"]) == ["R1"]


def test_real_subprocess(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "eco12geo", "validate", *_layer_args(case), "--no-targets", "--lang", "en",
         "--out", str(out)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode not in (0, 1):
        raise AssertionError(proc.stderr)
    assert proc.returncode == 1
    assert "overlap" in proc.stdout
    assert (out / "report.json").exists() and (out / "violations.gpkg").exists() and (out / "report.html").exists()


# ------------------------------------------------------------------ the demo revision
def _defects() -> list[dict[str, str]]:
    with (ROOT / "layers" / "defects.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_demo_baseline_is_clean_and_revision_finds_exactly_the_defects(tmp_path: Path) -> None:
    layers_dir = ROOT / "layers"
    out = tmp_path / "demo"
    res = CliRunner().invoke(main, ["validate", str(layers_dir / "demo_baseline.gpkg"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert json.loads((out / "report.json").read_text())["violations"] == []

    rev = tmp_path / "rev"
    res = CliRunner().invoke(main, ["validate", str(layers_dir / "demo_revision.gpkg"), "--baseline",
                                    str(layers_dir / "demo_baseline.gpkg"), "--out", str(rev)])
    assert res.exit_code == 1
    found = json.loads((rev / "report.json").read_text())["violations"]
    expected = _defects()
    assert len(found) == len(expected)

    def key(rule: str, layers: list[str], feats: list[str], unit: str | None) -> tuple[Any, ...]:
        return rule, frozenset(layers), frozenset(feats), unit or ""

    got = {key(v["rule"], v["layers"], v["features"] + v.get("added_features", []), v["unit"]): v for v in found}
    for d in expected:
        k = key(d["rule"], d["layers"].split(";"), [f for f in d["features"].split(";") if f], d["unit"])
        assert k in got, f"defect {d['defect']} ({d['rule']}) not found as documented"
        assert got[k]["area_m2"] == pytest.approx(float(d["area_m2"]), abs=2.0, rel=1e-6)


def test_validate_notebook_is_executed_by_the_notebook_tests() -> None:
    from .test_notebooks import NOTEBOOKS

    assert "02_validate.ipynb" in [p.name for p in NOTEBOOKS]


def test_cli_baseline_layer_option(tmp_path: Path) -> None:
    base, cur = tmp_path / "base", tmp_path / "cur"
    for d in (base, cur):
        d.mkdir()
        write(d / "units.gpkg", "units", units_rows())
    write(base / "ecological_redline.gpkg", "ecological_redline",
          [{"BSM": "R1", "geometry": rect(100, 100, 1100, 1100)}])
    write(cur / "ecological_redline.gpkg", "ecological_redline",
          [{"BSM": "R1", "geometry": rect(100, 100, 1100, 600)}])
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["validate", str(cur), "--baseline-layer",
                                    f"ecological_redline={base / 'ecological_redline.gpkg'}", "--no-targets",
                                    "--out", str(out)])
    assert res.exit_code == 1, res.output
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    decreased = [v for v in doc["violations"] if v["rule"] == "area_decreased"]
    assert len(decreased) == 1
    dec = decreased[0]
    assert dec["area_m2"] == pytest.approx(geod_rect_area(100, 600, 1100, 1100), abs=0.05)
    assert dec["unit"] == "104团" and dec["features"] == ["R1"]
    assert doc["baseline"]["ecological_redline"]["features"] == 1


def test_layers_in_different_crs_are_compared_in_one_working_crs(tmp_path: Path) -> None:
    write(tmp_path / "units.gpkg", "units", units_rows())
    write(tmp_path / "ecological_redline.gpkg", "ecological_redline",
          [{"BSM": "R1", "geometry": rect(100, 100, 1100, 1100)}])
    to_ll = Transformer.from_crs(CRS, "EPSG:4490", always_xy=True)
    c1 = shapely.transform(shapely.segmentize(rect(1000, 100, 1300, 400), 5.0),
                           lambda xy: np.column_stack(to_ll.transform(xy[:, 0], xy[:, 1])))
    write(tmp_path / "urban_boundary.gpkg", "urban_boundary", [{"BSM": "C1", "geometry": c1}], crs="EPSG:4490")
    r = run(tmp_path)
    assert r.to_dict()["crs"] == "EPSG:4490"
    assert any("reprojected" in n for n in r.notes)
    (v,) = of(r, "overlap")
    assert v.area_m2 == pytest.approx(geod_rect_area(1000, 100, 1100, 400), rel=1e-5)
    x, y = Transformer.from_crs("EPSG:4490", CRS, always_xy=True).transform(v.lon, v.lat)
    assert X0 + 1000 <= x <= X0 + 1100 and Y0 + 100 <= y <= Y0 + 400


@pytest.mark.slow
def test_demo_command_validates_baseline_and_revision(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    res = CliRunner().invoke(main, ["demo", "--lang", "en", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Result: pass (exit 0)" in res.output and "Result: fail (exit 1)" in res.output
    base = json.loads((out / "report.json").read_text(encoding="utf-8"))
    rev = json.loads((out / "revision" / "report.json").read_text(encoding="utf-8"))
    assert base["summary"]["errors"] == 0 and base["violations"] == []
    assert len(rev["violations"]) == len(_defects())
    assert (out / "revision" / "violations.gpkg").exists() and (out / "revision" / "report.html").exists()


def test_report_html_links_map_pages_in_maps_dir(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    maps = tmp_path / "maps"
    res = CliRunner().invoke(main, ["validate", *_layer_args(case), "--no-targets", "--out", str(out)])
    assert res.exit_code == 1
    assert "unit-" not in (out / "report.html").read_text(encoding="utf-8")  # no pages, no links
    res = CliRunner().invoke(main, ["validate", *_layer_args(case), "--no-targets", "--out", str(out),
                                    "--maps-dir", str(maps)])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f'href="../maps/{unit_page("104团", "104th Regiment")}"' in html and f'href="../maps/{unit_page("222团", "222nd Regiment")}"' in html


def test_another_plan_file_max_figure_gives_area_above_target(tmp_path: Path) -> None:
    text = (ROOT / "eco12geo" / "plans" / "xpcc12_2023_2035.toml").read_text(encoding="utf-8")
    old_rule = 'figures = ["redline_area", "farmland_area", "basic_farmland_area"]'
    assert old_rule in text and "value = 120.15" in text
    text = text.replace(old_rule, 'figures = ["construction_land_2025"]').replace("value = 120.15", "value = 0.5")
    plan_path = tmp_path / "county.toml"
    plan_path.write_text(text, encoding="utf-8")
    d = tmp_path / "in"
    d.mkdir()
    write(d / "units.gpkg", "units", units_rows())
    write(d / "construction_land.gpkg", "construction_land",
          [{"BSM": "J1", "geometry": rect(100, 100, 1100, 1100)}])
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["validate", str(d), "--plan", str(plan_path), "--out", str(out)])
    assert res.exit_code == 1, res.output
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    (v,) = doc["violations"]
    assert v["rule"] == "area_above_target" and v["figure"] == "construction_land_2025"
    assert v["area_m2"] == pytest.approx(geod_rect_area(100, 100, 1100, 1100) - 0.5e6, abs=0.05)
    checks = [c for c in doc["checks"] if c["rule"] == "area_max"]
    assert len(checks) == 1
    c = checks[0]
    assert c["status"] == "fail" and c["target_m2"] == 500000.0


def test_geometry_collection_in_a_polygon_layer_is_the_wrong_type(tmp_path: Path) -> None:
    write(tmp_path / "units.gpkg", "units", units_rows())
    gc = shapely.GeometryCollection([rect(100, 100, 200, 200),
                                     shapely.LineString([(X0 + 300, Y0 + 300), (X0 + 400, Y0 + 400)])])
    write(tmp_path / "farmland.gpkg", "farmland", [
        {"BSM": "F1", "geometry": rect(500, 500, 600, 600)},
        {"BSM": "F2", "geometry": gc},
    ])
    r = run(tmp_path)
    (v,) = of(r, "geometry_type")
    assert v.features == ("F2",) and v.details["geometry_type"] == "GeometryCollection"
    assert v.unit == "104团"


def test_nature_reserves_outside_the_red_line_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "units.gpkg", "units", units_rows())
    write(tmp_path / "ecological_redline.gpkg", "ecological_redline",
          [{"BSM": "R1", "geometry": rect(100, 100, 1100, 1100)}])
    write(tmp_path / "nature_reserves.gpkg", "nature_reserves", [
        {"BSM": "N1", "MC": "inside", "geometry": rect(200, 200, 400, 400)},
        {"BSM": "N2", "MC": "half out", "geometry": rect(1000, 200, 1200, 400)},
    ])
    r = run(tmp_path)
    (v,) = of(r, "not_covered")
    assert (v.features, v.layers, v.severity) == (("N2",), ("nature_reserves", "ecological_redline"), "warning")
    assert v.area_m2 == pytest.approx(geod_rect_area(1100, 200, 1200, 400), abs=0.01)
    assert r.exit_code == 0  # a warning does not fail the run
