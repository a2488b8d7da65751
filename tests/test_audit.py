"""The area audit: per-unit areas against closed-form figures, sums, outputs, the CLI and its exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from eco12geo import audit, load_layers, load_plan
from eco12geo.cli.main import main
from eco12geo.io import LayerSource

from .conftest import cell_area, write_shp


@pytest.fixture
def layer_files(tmp_path: Path, two_units: gpd.GeoDataFrame, straddling_redline: gpd.GeoDataFrame) -> dict[str, Path]:
    units = write_shp(two_units, tmp_path / "团场.shp", "gbk")  # no .cpg, no LDID
    red = tmp_path / "STBHHX.gpkg"
    # Gauss–Krüger, densified first so the edges still follow the parallels; the audit reprojects back
    dense = straddling_redline.set_geometry(shapely.segmentize(straddling_redline.geometry.values, 0.0005))
    dense.to_crs(4538).to_file(red)
    return {"units": units, "ecological_redline": red}


def test_per_unit_areas_match_closed_form(layer_files: dict[str, Path]) -> None:
    plan = load_plan()
    layers = load_layers({k: LayerSource(v) for k, v in layer_files.items()}, plan)
    result = audit(layers, plan, targets=False)
    by_unit = {u.unit: u for u in result.units}
    assert list(by_unit) == ["104团", "西山农牧场"]
    # R1 straddles 87.5°E: half in each unit; R2 is in 西山 for 87.9–88.0 and outside for 88.0–88.1
    west = cell_area(87.25, 43.1, 87.5, 43.2)
    east = cell_area(87.5, 43.1, 87.75, 43.2) + cell_area(87.9, 43.4, 88.0, 43.45)
    outside = cell_area(88.0, 43.4, 88.1, 43.45)
    # GK → CGCS2000 with 100 m densification: parallels followed to better than 1e-6
    assert by_unit["104团"].layers["ecological_redline"] == pytest.approx(west, rel=1e-6)
    assert by_unit["西山农牧场"].layers["ecological_redline"] == pytest.approx(east, rel=1e-6)
    assert by_unit["104团"].area_m2 == pytest.approx(cell_area(87, 43, 87.5, 43.5), rel=1e-9)
    red = result.layers["ecological_redline"]
    assert red.area_m2 == pytest.approx(west + east + outside, rel=1e-6)
    assert red.outside_units_m2 == pytest.approx(outside, rel=1e-4)
    # per-unit sums + outside equal the layer total exactly (same pieces, no rounding)
    assert sum(u.layers["ecological_redline"] for u in result.units) + red.outside_units_m2 == pytest.approx(
        red.area_m2, abs=1e-3
    )
    assert red.recorded_mismatches == 1  # R2's MJ of 1 m² is wrong; R1's is right
    assert red.planar_crs == ["EPSG:4538"]
    assert any("reprojected from EPSG:4538" in n for n in result.notes)


def test_targets_met_short_and_no_data(layer_files: dict[str, Path]) -> None:
    plan = load_plan()
    layers = load_layers({k: LayerSource(v) for k, v in layer_files.items()}, plan)
    result = audit(layers, plan)
    checks = {c.figure: c for c in result.figures}
    red = result.layers["ecological_redline"].area_m2
    assert checks["redline_area"].status == "short"
    assert checks["redline_area"].diff == pytest.approx(red - 741.42e6)
    assert checks["redline_share"].value == pytest.approx(100 * red / 2_879_482_400.0)
    assert checks["farmland_area"].status == "no_data"
    doc = result.to_dict()
    assert doc["schema_version"] == 1
    red_target = next(t for t in doc["targets"] if t["figure"] == "redline_area")
    assert red_target == {
        "layer": "ecological_redline", "target_m2": 741420000.0, "kind": "min", "source": "四（二）1",
        "figure": "redline_area", "year": 2035, "value_m2": round(red, 2), "diff_m2": round(red - 741.42e6, 2),
        "status": "short",
    }


def test_cli_writes_json_csv_xlsx(tmp_path: Path, layer_files: dict[str, Path]) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main, ["audit", "--units", str(layer_files["units"]), str(layer_files["ecological_redline"]), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "生态保护红线" in res.output and "104团" in res.output
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    units = {u["unit"]: u for u in doc["units"]}
    assert units["104团"]["layers"]["ecological_redline"] == pytest.approx(cell_area(87.25, 43.1, 87.5, 43.2), rel=1e-6)
    csv = pd.read_csv(out / "audit.csv", encoding="utf-8-sig")
    row = csv[(csv.unit == "104团") & (csv.layer == "ecological_redline")].iloc[0]
    assert row.area_m2 == pytest.approx(units["104团"]["layers"]["ecological_redline"], abs=0.01)
    assert row.area_km2 == pytest.approx(row.area_m2 / 1e6)
    assert row.area_ha == pytest.approx(row.area_m2 / 1e4)
    assert row.share_of_unit == pytest.approx(row.area_m2 / units["104团"]["area_m2"], abs=1e-6)
    assert row.share_of_territory == pytest.approx(row.area_m2 / 2_879_482_400.0, abs=1e-6)
    wb = openpyxl.load_workbook(out / "audit.xlsx")
    assert wb.sheetnames == ["units", "layers", "targets", "recorded", "notes"]
    rec = pd.read_excel(out / "audit.xlsx", sheet_name="recorded")
    # recorded MJ against computed, per feature, mismatches first: R2 recorded 1 m², R1 recorded its true area
    assert rec["feature"].tolist() == ["R2", "R1"]
    assert rec["beyond_tolerance"].tolist() == [True, False]
    r2_area = cell_area(87.9, 43.4, 88.1, 43.45)
    assert rec["area_m2"].iloc[0] == pytest.approx(r2_area, rel=1e-6)
    assert rec["diff_m2"].iloc[0] == pytest.approx(1.0 - r2_area, rel=1e-6)
    assert abs(rec["diff_m2"].iloc[1]) < 1e-6 * cell_area(87.25, 43.1, 87.75, 43.2)
    en = CliRunner().invoke(
        main, ["audit", "--units", str(layer_files["units"]), str(layer_files["ecological_redline"]),
               "--out", str(out), "--lang", "en", "--no-targets"]
    )
    assert en.exit_code == 0 and "104th Regiment" in en.output and "Ecological protection red line" in en.output
    assert json.loads((out / "audit.json").read_text(encoding="utf-8"))["targets"] == []
    assert sorted(p.name for p in out.iterdir()) == ["audit.csv", "audit.json", "audit.xlsx"]  # no temp files left


def _one_line_exit_2(args: list[str]) -> str:
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert "Traceback" not in res.output
    assert len(err.splitlines()) == 1, err
    return err


def test_exit_2_paths(tmp_path: Path, layer_files: dict[str, Path], two_units: gpd.GeoDataFrame) -> None:
    out = str(tmp_path / "o")
    units = str(layer_files["units"])
    # missing .prj
    noprj = write_shp(two_units, tmp_path / "noprj.shp", "utf-8")
    noprj.with_suffix(".prj").unlink()
    assert "--assume-crs" in _one_line_exit_2(["audit", "--units", str(noprj), "--out", out])
    ok = CliRunner().invoke(main, ["audit", "--units", str(noprj), "--assume-crs", "EPSG:4490", "--out", out])
    assert ok.exit_code == 0 and "EPSG:4490 assumed" in ok.output
    # metres declared as degrees
    m = tmp_path / "STBHHX_m.gpkg"
    gpd.GeoDataFrame({"BSM": ["A"]}, geometry=[shapely.box(500000, 4800000, 501000, 4801000)], crs=4490).to_file(m)
    assert "not degrees" in _one_line_exit_2(["audit", "--units", units, str(m), "--out", out])
    # outside the zone
    z = tmp_path / "STBHHX_z.gpkg"
    gpd.GeoDataFrame({"BSM": ["A"]}, geometry=[shapely.box(39_500_000, 4.8e6, 39_501_000, 4.801e6)], crs=4538).to_file(z)
    assert "EPSG:4538" in _one_line_exit_2(["audit", "--units", units, str(z), "--out", out])
    # points for a polygon key
    p = tmp_path / "pts.gpkg"
    gpd.GeoDataFrame({"BSM": ["P"]}, geometry=[shapely.Point(87.2, 43.2)], crs=4490).to_file(p)
    assert "needs polygons" in _one_line_exit_2(["audit", "--units", units, "--layer", f"ecological_redline={p}", "--out", out])
    # missing file, unknown key, bad KEY=PATH, wrong unit field, no layers, broken plan
    assert "does not exist" in _one_line_exit_2(["audit", "--units", str(tmp_path / "nope.shp"), "--out", out])
    assert "not a layer key" in _one_line_exit_2(["audit", "--layer", f"paddy={p}", "--out", out])
    assert "KEY=PATH" in _one_line_exit_2(["audit", "--layer", str(p), "--out", out])
    assert "--unit-field" in _one_line_exit_2(["audit", "--units", units, "--unit-field", "NAME", "--out", out])
    assert "no layers given" in _one_line_exit_2(["audit", "--out", out])
    bad_plan = tmp_path / "plan.toml"
    bad_plan.write_text("[plan]\nid = 1\n", encoding="utf-8")
    assert "plan key 'units' is missing" in _one_line_exit_2(["audit", "--units", units, "--plan", str(bad_plan), "--out", out])
    junk = tmp_path / "units_junk.gpkg"
    junk.write_bytes(b"\x00" * 100)
    assert "units_junk.gpkg" in _one_line_exit_2(["audit", "--units", str(junk), "--out", out])


@pytest.mark.slow
def test_real_subprocess_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "eco12geo", "audit", "--units", str(tmp_path / "missing.shp"), "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "missing.shp does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_demo_audit_shows_the_plan_figures() -> None:
    plan = load_plan()
    root = Path(__file__).resolve().parents[1]
    matched, unmatched = __import__("eco12geo").discover_layers([root / "layers" / "demo_baseline.gpkg"], plan)
    assert unmatched == []
    result = audit(load_layers(matched, plan), plan)
    status = {c.figure: c.status for c in result.figures}
    for fid in ["territory_area", "redline_area", "redline_share", "farmland_area", "basic_farmland_area",
                "reserve_area", "urban_boundary_area", "urban_expansion_factor", "construction_land_2025",
                "construction_land_2035", "forest_land_2025", "shoreline_length",
                "nature_reserve_count"]:
        assert status[fid] == "met", fid
    # 89.60 km² counts forest outside 104团's pasture, which the layers cannot tell apart: not judged
    assert status["forest_land_2035"] == "no_data"
    assert status["forest_grass_coverage"] == "no_data"  # needs a land-cover raster
    assert sorted(u.unit for u in result.units) == sorted(u.name for u in plan.units)
    assert sum(u.area_m2 for u in result.units) == pytest.approx(2_879_482_400.0, abs=10_000)
    for key, la in result.layers.items():
        if key == "units" or la.geometry in {"line", "point_or_polygon"}:
            continue
        per_unit = sum(u.layers[key] for u in result.units)
        assert per_unit == pytest.approx(la.area_m2, abs=1.0), key  # demo layers lie inside the regiments
        assert la.recorded_mismatches == 0, key
    red_by_unit = {u.unit: u.layers["ecological_redline"] for u in result.units}
    assert max(red_by_unit, key=red_by_unit.__getitem__) == "104团"  # mostly in 104团's pasture


def test_outputs_are_readable_by_others(tmp_path: Path, layer_files: dict[str, Path]) -> None:
    import os
    import stat

    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["audit", "--units", str(layer_files["units"]), "--out", str(out)])
    assert res.exit_code == 0, res.output
    mask = os.umask(0o022)
    os.umask(mask)
    for p in out.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~mask, p.name


@pytest.mark.parametrize(
    "args",
    [["audit", "x.gpkg"], ["audit", "--engine", "gdal", "--out", "o"], ["nope"], ["validate", "--min-overlap-m2"]],
)
def test_usage_errors_are_one_line(args: list[str]) -> None:
    err = _one_line_exit_2(args)
    assert err.startswith("eco12geo: error: ") and "--help" in err


def test_help_and_version_exit_0() -> None:
    assert CliRunner().invoke(main, ["--version"]).exit_code == 0
    res = CliRunner().invoke(main, ["audit", "--help"])
    assert res.exit_code == 0 and "--unit-field" in res.output
