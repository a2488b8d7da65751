"""``eco12geo coverage``: exact zonal statistics of a land-cover raster per unit.

Every raster is a small GeoTIFF written here with rasterio; every expected
figure is known by construction (closed-form GRS80 cells, geodesic areas of
the pieces), independently of the code under test.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from click.testing import CliRunner
from pyproj import Geod, Transformer
from rasterio.transform import from_origin

from eco12geo.cli.main import main
from eco12geo.errors import CRSError, InputError
from eco12geo.plan import load_plan
from eco12geo.raster import coverage_check, pixel_areas, zonal_coverage
from eco12geo.render import coverage_table

from .conftest import cell_area

ROOT = Path(__file__).resolve().parents[1]
DEMO_RASTER = ROOT / "layers" / "demo_landcover.tif"
DEMO_UNITS = ROOT / "layers" / "demo_baseline.gpkg"
GEOD = Geod(ellps="GRS80")

# the 10×10 geographic test grid: 0.01° cells, north-west corner at 87.00°E 44.00°N
X0, Y0, RES = 87.0, 44.0, 0.01


def write_tif(path: Path, data: np.ndarray, transform: object, crs: str | None = "EPSG:4490",
              nodata: float | None = 0) -> Path:
    """Write a one-band GeoTIFF (RIO style)."""
    profile = {"driver": "GTiff", "width": data.shape[1], "height": data.shape[0], "count": 1,
               "dtype": data.dtype.name, "transform": transform, "nodata": nodata}
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def units_frame(geoms: list[object], names: list[str] | None = None, crs: str = "EPSG:4490") -> gpd.GeoDataFrame:
    """Units in a GeoDataFrame with the plan's name field."""
    return gpd.GeoDataFrame({"XZQMC": names or [f"U{i}" for i in range(len(geoms))]}, geometry=geoms, crs=crs)


@pytest.fixture
def halves(tmp_path: Path) -> Path:
    """Columns 0–4 forest (3), columns 5–9 cropland (1); EPSG:4490."""
    data = np.where(np.arange(10)[None, :] < 5, 3, 1).repeat(10, axis=0).astype("uint8")
    return write_tif(tmp_path / "halves.tif", data, from_origin(X0, Y0, RES, RES))


def test_half_pixels_count_by_their_share(halves: Path) -> None:
    """Pixels half inside the unit count half, by their ellipsoidal area."""
    # the unit spans columns 3.5–7.5 and rows 2–5: half of columns 3 and 7 is inside
    unit = shapely.box(87.035, 43.95, 87.075, 43.98)
    cov = zonal_coverage(halves, units_frame([unit]), "XZQMC")
    u = cov.units[0]
    forest = cell_area(87.035, 43.95, 87.05, 43.98)  # 1.5 columns × 3 rows
    crop = cell_area(87.05, 43.95, 87.075, 43.98)  # 2.5 columns × 3 rows
    assert u.classes["3"] == pytest.approx(forest, rel=1e-9)
    assert u.classes["1"] == pytest.approx(crop, rel=1e-9)
    assert u.pixels == pytest.approx({"1": 7.5, "3": 4.5}, rel=1e-9)
    # a split along meridians halves a cell exactly: the share is 1.5/4 by hand
    assert u.forest_grass_share == pytest.approx(1.5 / 4, rel=1e-9)
    assert u.area_m2 == pytest.approx(forest + crop, rel=1e-9)
    assert u.nodata_m2 == 0 and u.outside_m2 == pytest.approx(0, abs=1e-3)
    doc = cov.to_dict()
    assert doc["schema_version"] == 1
    assert doc["units"][0]["unit"] == "U0"
    assert set(doc["units"][0]["classes"]) == {"1", "3"}
    assert doc["units"][0]["forest_grass_share"] == pytest.approx(0.375)


def test_grass_classes_and_several_units(halves: Path) -> None:
    """Other class codes as grass; the division's share pools the units."""
    left, right = shapely.box(87.0, 43.9, 87.025, 44.0), shapely.box(87.065, 43.9, 87.1, 44.0)
    cov = zonal_coverage(halves, units_frame([left, right], ["a", "b"]), "XZQMC", forest=(), grass=(1,))
    a, b = cov.units
    assert a.forest_grass_share == 0.0 and b.forest_grass_share == pytest.approx(1.0)
    assert b.classes["1"] == pytest.approx(cell_area(87.065, 43.9, 87.1, 44.0), rel=1e-9)
    total = a.valid_m2 + b.valid_m2
    assert cov.forest_grass_share == pytest.approx(b.valid_m2 / total, rel=1e-12)


def test_lonlat_cells_shrink_with_latitude(tmp_path: Path) -> None:
    """Lon/lat cells: closed-form GRS80 areas times the fractions inside."""
    # 1° cells from 40°N to 50°N: row r holds value r + 1; the unit is the western half of column 0
    data = (np.arange(10)[:, None] + 1).repeat(3, axis=1).astype("uint8")
    path = write_tif(tmp_path / "lat.tif", data, from_origin(87.0, 50.0, 1.0, 1.0))
    unit = shapely.box(87.0, 40.0, 87.5, 50.0)
    cov = zonal_coverage(path, units_frame([unit]), "XZQMC", forest=(1,), grass=(2,))
    u = cov.units[0]
    for r in range(10):
        top = 50.0 - r
        full = cell_area(87.0, top - 1, 88.0, top)
        assert u.classes[str(r + 1)] == pytest.approx(0.5 * full, rel=1e-9)
        assert u.pixels[str(r + 1)] == pytest.approx(0.5, rel=1e-9)
    assert u.classes["1"] < u.classes["10"]  # the 49–50°N cell is smaller than the 40–41°N one
    # a cut along a parallel: the piece's own ellipsoidal area, not half the cell
    half = shapely.box(87.0, 44.0, 88.0, 45.5)  # row 4 (45–46°N) half inside, row 5 (44–45°N) whole
    cov = zonal_coverage(path, units_frame([half]), "XZQMC")
    v = cov.units[0]
    exact = cell_area(87.0, 45.0, 88.0, 45.5)
    assert v.classes["5"] == pytest.approx(exact, rel=1e-9)
    assert abs(v.classes["5"] - 0.5 * cell_area(87.0, 45.0, 88.0, 46.0)) > 1e-3 * exact
    assert v.classes["6"] == pytest.approx(cell_area(87.0, 44.0, 88.0, 45.0), rel=1e-9)


def _geodesic_area(poly: shapely.Polygon, crs: str) -> float:
    t = Transformer.from_crs(crs, "EPSG:4490", always_xy=True)
    dense = shapely.segmentize(poly, 1.0)
    ll = shapely.transform(dense, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
    return abs(GEOD.geometry_area_perimeter(shapely.geometry.polygon.orient(ll))[0])


def test_gauss_kruger_raster(tmp_path: Path) -> None:
    """A GK raster: planar square cells measured on the ellipsoid."""
    # EPSG:4538 (CM 87°E): 30 m square cells near 43.5°N, 120 km east of the central meridian
    x0, y0, res = 620_000.0, 4_820_000.0, 30.0
    data = np.where(np.arange(10)[None, :] < 5, 4, 11).repeat(10, axis=0).astype("uint8")
    path = write_tif(tmp_path / "gk.tif", data, from_origin(x0, y0, res, res), crs="EPSG:4538")
    unit = shapely.box(x0 + 3.5 * res, y0 - 5 * res, x0 + 7.5 * res, y0 - 2 * res)
    cov = zonal_coverage(path, units_frame([unit], crs="EPSG:4538"), "XZQMC")
    u = cov.units[0]
    grass = _geodesic_area(shapely.box(x0 + 3.5 * res, y0 - 5 * res, x0 + 5 * res, y0 - 2 * res), "EPSG:4538")
    water = _geodesic_area(shapely.box(x0 + 5 * res, y0 - 5 * res, x0 + 7.5 * res, y0 - 2 * res), "EPSG:4538")
    assert u.classes["4"] == pytest.approx(grass, rel=1e-7)
    assert u.classes["11"] == pytest.approx(water, rel=1e-7)
    # GK cells are planar squares whose ellipsoidal areas differ by a few 1e-9 across the cell
    assert u.pixels == pytest.approx({"4": 4.5, "11": 7.5}, rel=1e-7)
    assert u.forest_grass_share == pytest.approx(grass / (grass + water), rel=1e-7)
    # the ellipsoidal area is not the planar one: GK scale k ≈ 1 + x²/2R² ≈ 1.00018 at 120 km, area × 1/k²
    assert u.classes["4"] == pytest.approx(1.5 * 3 * res * res / 1.00018**2, rel=3e-5)
    assert u.classes["4"] < 1.5 * 3 * res * res * (1 - 3e-4)
    # the same unit given in EPSG:4490 is reprojected (edges densified) to the raster's CRS
    geo = units_frame([unit], crs="EPSG:4538").to_crs("EPSG:4490")
    again = zonal_coverage(path, geo, "XZQMC", densify_m=1.0).units[0]
    assert again.classes["4"] == pytest.approx(grass, rel=1e-5)
    assert any("reprojected" in n for n in zonal_coverage(path, geo, "XZQMC").notes)


def test_nodata_is_excluded(tmp_path: Path) -> None:
    """Nodata (value or NaN) is reported apart and left out of the share."""
    data = np.full((10, 10), 4, dtype="uint8")
    data[:, 0:2] = 0  # nodata
    data[:, 2:4] = 12
    path = write_tif(tmp_path / "nd.tif", data, from_origin(X0, Y0, RES, RES))
    unit = shapely.box(87.01, 43.9, 87.06, 44.0)  # column 1 nodata, 2–3 bare, 4–5 grass
    u = zonal_coverage(path, units_frame([unit]), "XZQMC").units[0]
    assert set(u.classes) == {"4", "12"}
    assert u.nodata_m2 == pytest.approx(cell_area(87.01, 43.9, 87.02, 44.0), rel=1e-9)
    assert u.valid_m2 == pytest.approx(cell_area(87.02, 43.9, 87.06, 44.0), rel=1e-9)
    assert u.forest_grass_share == pytest.approx(0.5, rel=1e-9)
    # float rasters: NaN is nodata too
    f = np.where(data == 0, np.nan, data).astype("float32")
    fpath = write_tif(tmp_path / "nan.tif", f, from_origin(X0, Y0, RES, RES), nodata=None)
    v = zonal_coverage(fpath, units_frame([unit]), "XZQMC").units[0]
    assert set(v.classes) == {"4", "12"} and v.forest_grass_share == pytest.approx(0.5, rel=1e-9)


def test_chunks_give_the_same_answer(halves: Path) -> None:
    """Small chunks (bounded memory) change nothing."""
    unit = shapely.Point(87.05, 43.95).buffer(0.037, quad_segs=32)
    whole = zonal_coverage(halves, units_frame([unit]), "XZQMC").units[0]
    small = zonal_coverage(halves, units_frame([unit]), "XZQMC", chunk_cells=7).units[0]
    assert small.classes == pytest.approx(whole.classes, rel=1e-12)
    assert sum(whole.classes.values()) == pytest.approx(whole.area_m2, rel=1e-9)
    grid = pixel_areas(from_origin(X0, Y0, RES, RES), 10, 10, "EPSG:4490", unit)
    assert grid.sum() == pytest.approx(whole.area_m2, rel=1e-9)


def test_unit_partly_outside_the_raster(halves: Path) -> None:
    """The part of a unit beyond the raster is reported, not counted."""
    unit = shapely.box(86.99, 43.95, 87.02, 43.98)  # 0.01° of it lies west of the raster
    u = zonal_coverage(halves, units_frame([unit]), "XZQMC").units[0]
    assert u.outside_m2 == pytest.approx(cell_area(86.99, 43.95, 87.0, 43.98), rel=1e-6)
    assert u.forest_grass_share == pytest.approx(1.0)


def test_library_errors(tmp_path: Path, halves: Path) -> None:
    """No CRS, no overlap, not a raster, no such field: one clear error each."""
    data = np.full((10, 10), 3, dtype="uint8")
    bare = write_tif(tmp_path / "nocrs.tif", data, from_origin(X0, Y0, RES, RES), crs=None)
    unit = units_frame([shapely.box(87.0, 43.95, 87.02, 43.98)])
    with pytest.raises(CRSError, match="assume_crs='EPSG:XXXX'") as info:
        zonal_coverage(bare, unit, "XZQMC")
    assert info.value.param == "assume_crs"
    assert zonal_coverage(bare, unit, "XZQMC", assume_crs="EPSG:4490").units[0].forest_grass_share == 1.0
    far = units_frame([shapely.box(100.0, 30.0, 100.1, 30.1)])
    with pytest.raises(InputError, match="does not overlap"):
        zonal_coverage(halves, far, "XZQMC")
    text = tmp_path / "notes.tif"
    text.write_text("not a raster\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a raster"):
        zonal_coverage(text, unit, "XZQMC")
    with pytest.raises(InputError, match=r"pick the name field with unit_field \(fields") as info:
        zonal_coverage(halves, unit, "NAME")
    assert info.value.param == "unit_field"


# ---------------------------------------------------------------------------------------- CLI


def _units_file(tmp_path: Path, geoms: list[object], names: list[str]) -> Path:
    path = tmp_path / "units.gpkg"
    units_frame(geoms, names).to_file(path, layer="units", engine="pyogrio")
    return path


def test_cli_writes_json_and_csv(tmp_path: Path, halves: Path) -> None:
    """The command writes coverage.json and coverage.csv with the right numbers."""
    units = _units_file(tmp_path, [shapely.box(87.035, 43.95, 87.075, 43.98)], ["104团"])
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["coverage", "--raster", str(halves), "--units", str(units),
                                    "--unit-field", "XZQMC", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "104团" in res.output and "37.50%" in res.output
    assert "forest_grass_coverage" in res.output and "73%" in res.output  # the plan's figure, not hard-coded
    assert sorted(p.name for p in out.iterdir()) == ["coverage.csv", "coverage.json"]
    doc = json.loads((out / "coverage.json").read_text(encoding="utf-8"))
    assert doc["schema_version"] == 1 and doc["raster"] == str(halves)
    u = doc["units"][0]
    assert u["unit"] == "104团"
    assert u["classes"]["3"] == pytest.approx(cell_area(87.035, 43.95, 87.05, 43.98), abs=0.01)
    assert u["classes"]["1"] == pytest.approx(cell_area(87.05, 43.95, 87.075, 43.98), abs=0.01)
    assert u["forest_grass_share"] == pytest.approx(0.375)
    assert u["area_m2"] == pytest.approx(cell_area(87.035, 43.95, 87.075, 43.98), abs=0.01)
    with open(out / "coverage.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    forest = [r for r in rows if r["unit"] == "104团" and r["class"] == "3"][0]
    assert float(forest["area_m2"]) == pytest.approx(u["classes"]["3"], abs=0.01)
    assert float(forest["forest_grass_share"]) == pytest.approx(0.375)
    assert [r["unit"] for r in rows].count("*") == 2  # the division's classes
    # cropland counted as grass (repeatable codes) and English output
    res = CliRunner().invoke(main, ["coverage", "--raster", str(halves), "--units", str(units), "--grass", "4",
                                    "--grass", "1", "--lang", "en", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "100.00%" in res.output and "Regiment" in res.output
    assert json.loads((out / "coverage.json").read_text(encoding="utf-8"))["units"][0]["forest_grass_share"] == 1.0


def _one_line_exit_2(args: list[str]) -> str:
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1, err
    return err


def test_cli_exit_2_one_line(tmp_path: Path, halves: Path) -> None:
    """Unusable input: exit 2 with one line on stderr."""
    units = _units_file(tmp_path, [shapely.box(87.0, 43.95, 87.02, 43.98)], ["a"])
    nocrs = write_tif(tmp_path / "nocrs.tif", np.full((10, 10), 3, dtype="uint8"), from_origin(X0, Y0, RES, RES),
                      crs=None)
    out = str(tmp_path / "out")
    err = _one_line_exit_2(["coverage", "--raster", str(nocrs), "--units", str(units), "--out", out])
    assert "declares no CRS" in err and "--assume-crs" in err
    res = CliRunner().invoke(main, ["coverage", "--raster", str(nocrs), "--units", str(units),
                                    "--assume-crs", "EPSG:4490", "--out", out])
    assert res.exit_code == 0, res.output
    text = tmp_path / "landcover.tif"
    text.write_text("hello", encoding="utf-8")
    assert "not a raster" in _one_line_exit_2(["coverage", "--raster", str(text), "--units", str(units),
                                               "--out", out])
    assert "not a raster" in _one_line_exit_2(["coverage", "--raster", str(units), "--units", str(units),
                                               "--out", out])
    assert "does not exist" in _one_line_exit_2(["coverage", "--raster", str(tmp_path / "nope.tif"),
                                                 "--units", str(units), "--out", out])
    far = tmp_path / "far"
    far.mkdir()
    far_units = _units_file(far, [shapely.box(100.0, 30.0, 100.1, 30.1)], ["x"])
    assert "does not overlap" in _one_line_exit_2(["coverage", "--raster", str(halves), "--units",
                                                   str(far_units), "--out", out])
    assert "--units" in _one_line_exit_2(["coverage", "--raster", str(halves), "--out", out])


# ---------------------------------------------------------------------------------------- demo raster

#: the demo raster's figures (percent, 2 decimals), as measured when it was made
DEMO_SHARES = {"五一农场": 69.82, "三坪农场": 71.64, "头屯河农场": 66.02, "西山农牧场": 85.25, "104团": 98.97,
               "222团": 43.55, "221团": 13.40}


def test_demo_raster() -> None:
    """The demo raster: the plan's 2022 share for the division, and each regiment's."""
    with rasterio.open(DEMO_RASTER) as ds:
        assert ds.crs.to_epsg() == 4490 and ds.dtypes[0] == "uint8" and ds.nodata == 0
        assert ds.compression is not None and ds.compression.name.lower() == "deflate"
        assert abs(ds.res[0]) >= 0.0025
    assert DEMO_RASTER.stat().st_size < 2_000_000
    units = gpd.read_file(DEMO_UNITS, layer="units")
    cov = zonal_coverage(DEMO_RASTER, units, "XZQMC")
    assert abs(cov.forest_grass_share * 100 - 73.15) < 0.5
    assert {u.unit: round(u.forest_grass_share * 100, 2) for u in cov.units} == DEMO_SHARES
    mj = dict(zip(units["XZQMC"], units["MJ"], strict=True))
    for u in cov.units:
        assert u.area_m2 == pytest.approx(mj[u.unit], abs=5.0)
        assert u.valid_m2 == pytest.approx(u.area_m2, rel=1e-9)  # every pixel touching a regiment holds a class
        assert u.nodata_m2 == 0 and u.outside_m2 < 1.0
    assert sum(u.area_m2 for u in cov.units) == pytest.approx(2_879_482_400, abs=50)
    check = coverage_check(cov, load_plan())
    assert check is not None and check.status == "met" and check.target_percent == 73.0
    assert "73.15%" in coverage_table(cov, load_plan())


@pytest.mark.slow
def test_demo_cli_subprocess(tmp_path: Path) -> None:
    """The real console entry on the demo raster."""
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "eco12geo", "coverage", "--raster", str(DEMO_RASTER), "--units",
         f"{DEMO_UNITS}:units", "--out", str(out)],
        capture_output=True, text=True, encoding="utf-8", check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "73.15%" in proc.stdout and "达标" in proc.stdout
    doc = json.loads((out / "coverage.json").read_text(encoding="utf-8"))
    assert [u["unit"] for u in doc["units"]] == list(DEMO_SHARES)
    assert doc["division"]["forest_grass_share"] == pytest.approx(0.7315, abs=5e-5)


def test_rotated_raster(tmp_path: Path) -> None:
    """A rotated grid takes the general path (cell polygons from the affine transform)."""
    from affine import Affine

    from eco12geo.measure import ellipsoidal_area

    t = Affine.translation(87.0, 44.0) @ Affine.rotation(30.0) @ Affine.scale(0.01, -0.01)
    data = np.where(np.arange(10)[None, :] < 5, 3, 1).repeat(10, axis=0).astype("uint8")
    path = write_tif(tmp_path / "rot.tif", data, t)
    unit = shapely.Point(*(t @ (5.0, 5.0))).buffer(0.02, quad_segs=16)
    u = zonal_coverage(path, units_frame([unit]), "XZQMC").units[0]
    assert sum(u.classes.values()) == pytest.approx(ellipsoidal_area(np.array([unit]), "EPSG:4490")[0], rel=1e-9)
    # the circle is centred on the line between columns 4 and 5: half forest, half cropland
    assert u.forest_grass_share == pytest.approx(0.5, abs=2e-3)


def test_run_for_the_demo(tmp_path: Path) -> None:
    """``workflows.run_coverage``: what the demo calls with the bundled layers."""
    from eco12geo.workflows import run_coverage as run
    from eco12geo.io import LayerSource
    from eco12geo.layerset import load_layers

    plan = load_plan()
    layers = load_layers({"units": LayerSource.parse(f"{DEMO_UNITS}:units")}, plan)
    cov, written = run(plan, layers, DEMO_RASTER, tmp_path)
    assert [p.name for p in written] == ["coverage.json", "coverage.csv"]
    assert cov.forest_grass_share == pytest.approx(0.7315, abs=5e-5)


def test_division_share_is_no_data_when_the_raster_misses_part_of_the_units(tmp_path: Path) -> None:
    """All forest where there are pixels, but a third of the unit has none: the plan figure is not judged."""
    data = np.full((10, 10), 3, dtype="uint8")
    path = write_tif(tmp_path / "forest.tif", data, from_origin(X0, Y0, RES, RES))
    inside = shapely.box(X0, Y0 - 10 * RES, X0 + 10 * RES, Y0)
    unit = shapely.box(X0, Y0 - 10 * RES, X0 + 15 * RES, Y0)  # 5 of its 15 columns lie past the raster
    plan = load_plan()
    cov = zonal_coverage(path, units_frame([unit]), "XZQMC")
    assert cov.forest_grass_share == pytest.approx(1.0)
    check = coverage_check(cov, plan)
    assert check is not None and check.status == "no_data" and check.value_percent == pytest.approx(100.0)
    full = coverage_check(zonal_coverage(path, units_frame([inside]), "XZQMC"), plan)
    assert full is not None and full.status == "met"
