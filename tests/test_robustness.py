"""Inputs that break naive tools: overlapping features, duplicate fields and names, hostile text, bad reports."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely
from click.testing import CliRunner

from eco12geo.cli.main import main

from .conftest import cell_area


def _units(tmp_path: Path, names: list[str], boxes: list[tuple[float, float, float, float]]) -> Path:
    p = tmp_path / "units.gpkg"
    gpd.GeoDataFrame({"XZQMC": names}, geometry=[shapely.box(*b) for b in boxes], crs=4490).to_file(p)
    return p


def _run(args: list[str]) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, args)
    return res.exit_code, res.stdout, res.stderr


def test_a_unit_in_several_rows_is_one_unit(tmp_path: Path) -> None:
    units = _units(tmp_path, ["104团", "西山农牧场", "104团"],
                   [(87.0, 43.0, 87.1, 43.1), (87.1, 43.0, 87.2, 43.1), (87.0, 43.5, 87.1, 43.6)])
    red = tmp_path / "STBHHX.gpkg"
    gpd.GeoDataFrame({"BSM": ["R1"]}, geometry=[shapely.box(87.0, 43.5, 87.05, 43.6)], crs=4490).to_file(red)
    code, out, err = _run(["audit", str(red), "--units", str(units), "--no-targets", "--out", str(tmp_path / "o")])
    assert code == 0, err
    doc = json.loads((tmp_path / "o" / "audit.json").read_text(encoding="utf-8"))
    assert [u["unit"] for u in doc["units"]] == ["104团", "西山农牧场"]
    u104 = doc["units"][0]
    assert u104["area_m2"] == pytest.approx(cell_area(87.0, 43.0, 87.1, 43.1) + cell_area(87.0, 43.5, 87.1, 43.6), rel=1e-9)
    assert u104["layers"]["ecological_redline"] == pytest.approx(cell_area(87.0, 43.5, 87.05, 43.6), rel=1e-9)


def test_overlapping_features_are_flagged_in_the_audit(tmp_path: Path) -> None:
    units = _units(tmp_path, ["104团"], [(87.0, 43.0, 87.1, 43.1)])
    red = tmp_path / "STBHHX.gpkg"
    box = shapely.box(87.0, 43.0, 87.02, 43.02)
    gpd.GeoDataFrame({"BSM": ["R1", "R2"]}, geometry=[box, box], crs=4490).to_file(red)
    code, out, err = _run(["audit", str(red), "--units", str(units), "--no-targets", "--out", str(tmp_path / "o")])
    assert code == 0, err
    twice = cell_area(87.0, 43.0, 87.02, 43.02)
    assert f"features overlap each other by {twice:,.1f} m²" in out


def test_a_copied_feature_cannot_hide_a_loss(tmp_path: Path) -> None:
    """Baseline: reserves A and B. Revision: B is gone and A is there twice; the net loss is B's ground."""
    units = _units(tmp_path, ["104团"], [(87.0, 43.0, 87.1, 43.1)])
    a, b = shapely.box(87.0, 43.0, 87.02, 43.02), shapely.box(87.05, 43.05, 87.07, 43.07)
    base, cur = tmp_path / "base.gpkg", tmp_path / "cur.gpkg"
    gpd.GeoDataFrame({"BSM": ["A", "B"]}, geometry=[a, b], crs=4490).to_file(base)
    gpd.GeoDataFrame({"BSM": ["A", "A2"]}, geometry=[a, a], crs=4490).to_file(cur)
    code, out, err = _run(["validate", "--layer", f"nature_reserves={cur}", "--baseline-layer",
                           f"nature_reserves={base}", "--units", str(units), "--no-targets", "--out", str(tmp_path / "o")])
    assert code == 1, err
    doc = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    dec = [v for v in doc["violations"] if v["rule"] == "area_decreased"]
    assert len(dec) == 1 and dec[0]["unit"] == "104团"
    assert dec[0]["area_m2"] == pytest.approx(cell_area(87.05, 43.05, 87.07, 43.07), rel=1e-6)


def test_repair_keeps_the_area_the_drawing_meant(tmp_path: Path) -> None:
    """A MultiPolygon with a part drawn inside another is the outer part, not a ring with a hole."""
    units = _units(tmp_path, ["104团"], [(87.0, 43.0, 87.1, 43.1)])
    red = tmp_path / "STBHHX.gpkg"
    nested = shapely.MultiPolygon([shapely.box(87.0, 43.0, 87.04, 43.04), shapely.box(87.01, 43.01, 87.02, 43.02)])
    assert not nested.is_valid
    gpd.GeoDataFrame({"BSM": ["R1"]}, geometry=[nested], crs=4490).to_file(red)
    code, out, err = _run(["audit", str(red), "--units", str(units), "--no-targets", "--out", str(tmp_path / "o")])
    assert code == 0, err
    doc = json.loads((tmp_path / "o" / "audit.json").read_text(encoding="utf-8"))
    assert doc["layers"]["ecological_redline"]["area_m2"] == pytest.approx(cell_area(87.0, 43.0, 87.04, 43.04), rel=1e-6)
    assert doc["layers"]["ecological_redline"]["repaired_in_memory"] == 1


def test_unit_names_are_text_never_formulas(tmp_path: Path) -> None:
    evil = '=HYPERLINK("http://example.invalid","x")'
    units = _units(tmp_path, [evil], [(87.0, 43.0, 87.1, 43.1)])
    red = tmp_path / "STBHHX.gpkg"
    gpd.GeoDataFrame({"BSM": ["=1+1"]}, geometry=[shapely.box(87.0, 43.0, 87.01, 43.01)], crs=4490).to_file(red)
    code, out, err = _run(["audit", str(red), "--units", str(units), "--no-targets", "--out", str(tmp_path / "o")])
    assert code == 0, err
    wb = openpyxl.load_workbook(tmp_path / "o" / "audit.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert evil in [c.value for c in wb["units"]["A"]]


def test_empty_unit_name_is_exit_2(tmp_path: Path) -> None:
    units = _units(tmp_path, ["104团", " "], [(87.0, 43.0, 87.1, 43.1), (87.1, 43.0, 87.2, 43.1)])
    code, out, err = _run(["audit", "--units", str(units), "--out", str(tmp_path / "o")])
    assert code == 2 and err.count("\n") == 1 and "unit 2 of the units layer has no name" in err


def test_duplicate_field_names_are_exit_2(tmp_path: Path) -> None:
    shp = tmp_path / "STBHHX.shp"
    gpd.GeoDataFrame({"BSM": ["R1"], "BSX": ["R2"]}, geometry=[shapely.box(87, 43, 87.1, 43.1)], crs=4490).to_file(shp)
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    pos = data.index(b"BSX\x00")
    data[pos : pos + 3] = b"BSM"  # what an old desktop GIS leaves: two fields of one name
    dbf.write_bytes(bytes(data))
    units = _units(tmp_path, ["104团"], [(87.0, 43.0, 87.2, 43.2)])
    for cmd in ("audit", "validate"):
        code, out, err = _run([cmd, str(shp), "--units", str(units), "--no-targets", "--out", str(tmp_path / "o")])
        assert code == 2 and err.count("\n") == 1 and "field 'BSM' more than once" in err, err


@pytest.mark.parametrize("violations", [[1, 2], [{"rule": "overlap", "layers": 5}], [{"rule": "overlap", "lon": "x"}]])
def test_malformed_report_for_map_is_exit_2(tmp_path: Path, violations: list[object]) -> None:
    units = _units(tmp_path, ["104团"], [(87.0, 43.0, 87.1, 43.1)])
    rep = tmp_path / "report.json"
    rep.write_text(json.dumps({"schema_version": 1, "violations": violations}), encoding="utf-8")
    code, out, err = _run(["map", "--units", str(units), "--report", str(rep), "--out", str(tmp_path / "o")])
    assert code == 2 and err.count("\n") == 1 and "violation 1 is not of the report.json schema" in err, err
