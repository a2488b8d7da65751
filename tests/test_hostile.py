"""A bad-input corpus built from the demo layers: every case is handled (the test says how) or exit 2.

Exit 2 always means one line on stderr naming the file and what to do, never a
traceback.  The cases come from issue 8 (hardening); the files are made here
from ``layers/demo_baseline.gpkg`` by cutting, corrupting and re-zipping them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod

from eco12geo.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "layers" / "demo_baseline.gpkg"
GEOD = Geod(ellps="GRS80")


# ------------------------------------------------------------------ building blocks
@pytest.fixture(scope="module")
def redline() -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(DEMO, layer="ecological_redline")


@pytest.fixture(scope="module")
def units_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("units") / "units.gpkg"
    pyogrio.write_dataframe(pyogrio.read_dataframe(DEMO, layer="units"), p, layer="units")
    return p


def geodesic_area(geom: shapely.Geometry) -> float:
    """Independent area (pyproj's geodesic polygon area on GRS80), edges densified to follow lon/lat lines."""
    return abs(GEOD.geometry_area_perimeter(shapely.segmentize(geom, 0.0005))[0])


def write_shp(gdf: gpd.GeoDataFrame, folder: Path, name: str = "STBHHX") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / f"{name}.shp"
    pyogrio.write_dataframe(gdf, shp, encoding="utf-8")
    return shp


def zip_parts(shp: Path, z: Path, skip: tuple[str, ...] = (), rename: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(shp.parent.glob(shp.stem + ".*")):
            if p.suffix.lower() in skip or p.suffix == ".zip":
                continue
            zf.write(p, (rename or {}).get(p.suffix, p.name))
    return z


def run(*args: str | Path) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, [str(a) for a in args])
    return res.exit_code, res.stdout, res.stderr


def audit(layer: Path | str, units: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    return run("audit", "--layer", f"ecological_redline={layer}", "--units", units, "--no-targets",
               "--out", out, *extra)


def assert_exit2(result: tuple[int, str, str], *words: str) -> str:
    code, out, err = result
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("eco12geo: error: "), err
    assert "Traceback" not in err
    for w in words:
        assert w in err, (w, err)
    return err


def audit_doc(out: Path) -> dict:
    return json.loads((out / "audit.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ shapefiles cut short or corrupt
def first_record_past(shx: bytes, length: int) -> int:
    """1-based number of the first .shx record whose shape ends past ``length`` bytes (computed here)."""
    n = (len(shx) - 100) // 8
    for i in range(n):
        off, ln = struct.unpack(">ii", shx[100 + 8 * i : 108 + 8 * i])
        if off * 2 + 8 + ln * 2 > length:
            return i + 1
    return 0


def test_truncated_shp_is_exit_2_naming_the_record(tmp_path: Path, redline: gpd.GeoDataFrame,
                                                   units_file: Path) -> None:
    shp = write_shp(redline, tmp_path / "in")
    data = shp.read_bytes()
    half = len(data) // 2
    shp.write_bytes(data[:half])
    k = first_record_past(shp.with_suffix(".shx").read_bytes(), half)
    assert k > 0
    assert_exit2(audit(shp, units_file, tmp_path / "o"),
                 f"STBHHX.shp is truncated: record {k} of {len(redline)} ends past the end of the file "
                 f"({half:,} bytes); restore the file")
    # map and validate too: none of them reads on
    assert_exit2(run("map", "--layer", f"ecological_redline={shp}", "--units", units_file, "--out", tmp_path / "m"),
                 "is truncated")
    assert_exit2(run("validate", "--layer", f"ecological_redline={shp}", "--units", units_file, "--no-targets",
                     "--out", tmp_path / "v"), "is truncated")
    assert not (tmp_path / "o" / "audit.json").exists()


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        ("shp_zero", ["STBHHX.shp is empty (0 bytes)"]),
        ("shp_header", ["STBHHX.shp is not a shapefile"]),
        ("shx_missing", ["STBHHX.shp has no .shx", "copy the .shx"]),
        ("shx_odd", ["STBHHX.shx is damaged"]),
        ("shx_short", ["records but", "STBHHX.shx indexes 9 shapes"]),
        ("shx_offsets", ["STBHHX.shx is damaged: record 1 of 10 has an impossible offset"]),
        ("dbf_zero", ["STBHHX.dbf is empty (0 bytes)", "every attribute would be lost"]),
        ("dbf_header", ["STBHHX.dbf is cut inside its header"]),
        ("dbf_short_header", ["STBHHX.dbf is cut inside its header (20 bytes)"]),
        ("dbf_half", ["STBHHX.dbf is truncated: it declares 10 records"]),
        ("dbf_missing", ["has no .dbf beside it"]),
        ("cpg_nul", ["STBHHX.cpg holds NUL", "write the code page"]),
        ("cpg_huge", ["STBHHX.cpg is 10,000,000 bytes, not a code page name"]),
        ("cpg_lying", ["its .cpg says utf-8 but the attribute text is not utf-8"]),
        ("prj_missing", ["declares no CRS", "--assume-crs"]),
    ],
)
def test_damaged_shapefile_parts_are_exit_2(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path,
                                            damage: str, words: list[str]) -> None:
    shp = write_shp(redline, tmp_path / "in")
    shx, dbf, cpg = shp.with_suffix(".shx"), shp.with_suffix(".dbf"), shp.with_suffix(".cpg")
    if damage == "shp_zero":
        shp.write_bytes(b"")
    elif damage == "shp_header":
        shp.write_bytes(shp.read_bytes()[:50])
    elif damage == "shx_missing":
        shx.unlink()
    elif damage == "shx_odd":
        shx.write_bytes(shx.read_bytes()[:-3])
    elif damage == "shx_short":
        shx.write_bytes(shx.read_bytes()[:-8])
    elif damage == "shx_offsets":
        b = bytearray(shx.read_bytes())
        b[100:104] = struct.pack(">i", 3)
        shx.write_bytes(bytes(b))
    elif damage == "dbf_zero":
        dbf.write_bytes(b"")
    elif damage == "dbf_header":
        dbf.write_bytes(dbf.read_bytes()[:40])
    elif damage == "dbf_short_header":
        dbf.write_bytes(dbf.read_bytes()[:20])
    elif damage == "dbf_half":
        dbf.write_bytes(dbf.read_bytes()[: len(dbf.read_bytes()) // 2])
    elif damage == "dbf_missing":
        dbf.unlink()
    elif damage == "cpg_nul":
        cpg.write_bytes(b"UTF\x00-8")
    elif damage == "cpg_huge":
        cpg.write_bytes(b" " * 10_000_000)
    elif damage == "cpg_lying":
        gdf = redline.copy()
        gdf["NOTE"] = "生态保护红线"
        shp = write_shp(gdf, tmp_path / "gbk")
        pyogrio.write_dataframe(gdf, shp, encoding="gbk")
        shp.with_suffix(".cpg").write_text("UTF-8", encoding="ascii")
    elif damage == "prj_missing":
        shp.with_suffix(".prj").unlink()
    assert_exit2(audit(shp, units_file, tmp_path / "o"), *words)


def test_unknown_cpg_name_falls_back_to_detection(tmp_path: Path, redline: gpd.GeoDataFrame,
                                                  units_file: Path) -> None:
    """A .cpg naming no code page is not trusted: the text is detected (GBK here) and reads right."""
    gdf = redline.copy()
    gdf["NOTE"] = "生态保护红线"
    shp = write_shp(gdf, tmp_path / "in")
    pyogrio.write_dataframe(gdf, shp, encoding="gbk")
    shp.with_suffix(".cpg").write_text("no-such-codepage", encoding="ascii")
    from eco12geo import read_layer

    got = read_layer(shp)
    assert got.attrs["encoding"] == "gb18030" and set(got["NOTE"]) == {"生态保护红线"}


# ------------------------------------------------------------------ zips
def test_zip_without_shx_says_so(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    z = zip_parts(write_shp(redline, tmp_path / "in"), tmp_path / "STBHHX.zip", skip=(".shx",))
    err = assert_exit2(audit(z, units_file, tmp_path / "o"), "STBHHX.zip holds STBHHX.shp without its .shx",
                       "zip the .shp, .shx, .dbf and .prj together")
    assert "index 0 is out of bounds" not in err


def test_zip_without_dbf_says_so(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    z = zip_parts(write_shp(redline, tmp_path / "in"), tmp_path / "STBHHX.zip", skip=(".dbf",))
    assert_exit2(audit(z, units_file, tmp_path / "o"), "without its .dbf")


def _zip_with_entry(z: Path, shp: Path, name: str, data: bytes, *, link: bool = False) -> Path:
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(shp.parent.glob(shp.stem + ".*")):
            if p.name != Path(name).name:
                zf.write(p, p.name)
        info = zipfile.ZipInfo(name)
        if link:
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, data)
    return z


def test_zip_whose_dbf_is_a_symlink(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    shp = write_shp(redline, tmp_path / "in")
    z = _zip_with_entry(tmp_path / "STBHHX.zip", shp, "STBHHX.dbf", b"/etc/passwd", link=True)
    assert_exit2(audit(z, units_file, tmp_path / "o"), "STBHHX.zip holds 'STBHHX.dbf' as a symbolic link")


@pytest.mark.parametrize("name", ["../../evil/STBHHX.shp", "/tmp/STBHHX.shp", "C:/x/STBHHX.shp", "a/../../b.txt"])
def test_zip_slip_and_absolute_entries(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path,
                                       name: str) -> None:
    shp = write_shp(redline, tmp_path / "in")
    z = _zip_with_entry(tmp_path / "STBHHX.zip", shp, name, shp.read_bytes())
    assert_exit2(audit(z, units_file, tmp_path / "o"), "zip slip", "zip the shapefile again with plain file names")
    assert not (tmp_path / "evil").exists()


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    shp = write_shp(redline, tmp_path / "in")
    z = _zip_with_entry(tmp_path / "STBHHX.zip", shp, "STBHHX.cpg", b"\0" * (40 << 20))
    info = zipfile.ZipFile(z).getinfo("STBHHX.cpg")
    assert info.file_size / info.compress_size > 200  # a real bomb: 40 MB from a few tens of kB
    assert_exit2(audit(z, units_file, tmp_path / "o"), "entry 'STBHHX.cpg' unpacks to 41,943,040 bytes",
                 "zip bomb")


def test_zipped_cpg_is_read_bounded(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    """A .cpg member of 1 MB (below the bomb limits) is refused after reading a few hundred bytes of it."""
    shp = write_shp(redline, tmp_path / "in")
    z = _zip_with_entry(tmp_path / "STBHHX.zip", shp, "STBHHX.cpg", b"x" * (1 << 20))
    assert_exit2(audit(z, units_file, tmp_path / "o"), "STBHHX.cpg is 1,048,576 bytes, not a code page name")


@pytest.fixture(scope="module")
def zip_of_100k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    z = tmp_path_factory.mktemp("many") / "STBHHX.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
        for i in range(100_000):
            zf.writestr(f"f{i}.txt", b"")
    return z


def test_zip_of_100000_members_is_refused(tmp_path: Path, zip_of_100k: Path, units_file: Path) -> None:
    assert_exit2(audit(zip_of_100k, units_file, tmp_path / "o"), "holds 100,000 entries",
                 "unzip it and give the .shp")


def test_not_a_zip_and_empty_zip(tmp_path: Path, units_file: Path) -> None:
    (tmp_path / "a.zip").write_bytes(b"PK\x03\x04 broken")
    assert_exit2(audit(tmp_path / "a.zip", units_file, tmp_path / "o"), "a.zip is not a valid zip file")
    with zipfile.ZipFile(tmp_path / "b.zip", "w"):
        pass
    assert_exit2(audit(tmp_path / "b.zip", units_file, tmp_path / "o"), "b.zip holds no .shp")


# ------------------------------------------------------------------ not regular files
def test_fifo_as_a_layer_is_refused_without_opening(tmp_path: Path, units_file: Path) -> None:
    fifo = tmp_path / "STBHHX.gpkg"
    os.mkfifo(fifo)
    # a real subprocess with a timeout: opening a FIFO would hang forever
    proc = subprocess.run([sys.executable, "-m", "eco12geo", "audit", "--layer", f"ecological_redline={fifo}",
                           "--units", str(units_file), "--no-targets", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "STBHHX.gpkg is not a regular file (a named pipe (FIFO))" in proc.stderr
    # found by a folder search, too
    proc = subprocess.run([sys.executable, "-m", "eco12geo", "audit", str(tmp_path), "--units", str(units_file),
                           "--no-targets", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2 and "not a regular file" in proc.stderr and "Traceback" not in proc.stderr


def test_fifo_as_a_sidecar(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    shp = write_shp(redline, tmp_path / "in")
    shp.with_suffix(".cpg").unlink()
    os.mkfifo(shp.with_suffix(".cpg"))
    assert_exit2(audit(shp, units_file, tmp_path / "o"), "STBHHX.cpg is not a regular file")


# ------------------------------------------------------------------ geometries
def _gpkg(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pyogrio.write_dataframe(gdf, path, layer="ecological_redline")
    return path


def test_null_and_empty_geometries_are_counted_in_the_outputs(tmp_path: Path, redline: gpd.GeoDataFrame,
                                                              units_file: Path) -> None:
    """Two features lose their geometry: the total drops by exactly their area, and the loss is a counted note."""
    gdf = redline.copy()
    lost = float(sum(geodesic_area(g) for g in gdf.geometry.iloc[[2, 5]]))
    whole = float(sum(geodesic_area(g) for g in gdf.geometry))
    gdf.loc[2, "geometry"] = None
    gdf.loc[5, "geometry"] = shapely.Polygon()
    code, out, err = audit(_gpkg(gdf, tmp_path / "STBHHX.gpkg"), units_file, tmp_path / "o")
    assert code == 0, err
    doc = audit_doc(tmp_path / "o")
    note = "ecological_redline: 2 of 10 features have no geometry"
    assert any(n.startswith(note) for n in doc["notes"]) and note in out
    assert doc["layers"]["ecological_redline"]["area_m2"] == pytest.approx(whole - lost, rel=1e-5)


def test_shapefile_null_shapes_are_counted(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    gdf = redline.copy()
    gdf.loc[0, "geometry"] = None
    shp = write_shp(gdf, tmp_path / "in")
    code, out, err = audit(shp, units_file, tmp_path / "o")
    assert code == 0, err
    assert "ecological_redline: 1 of 10 features has no geometry" in out


def test_unparsable_gpkg_geometry_blob_is_counted(tmp_path: Path, redline: gpd.GeoDataFrame,
                                                  units_file: Path) -> None:
    import sqlite3

    p = _gpkg(redline, tmp_path / "STBHHX.gpkg")
    con = sqlite3.connect(p)
    for (trigger,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f'DROP TRIGGER "{trigger}"')  # the R-tree triggers call SpatiaLite functions
    col = con.execute("SELECT column_name FROM gpkg_geometry_columns").fetchone()[0]
    con.execute(f'UPDATE ecological_redline SET "{col}" = X\'4750000102030405\' WHERE fid = 4')
    con.commit()
    con.close()
    code, out, err = audit(p, units_file, tmp_path / "o")
    assert code == 0, err
    assert "ecological_redline: 1 of 10 features has no geometry" in out


def test_z_and_m_coordinates_do_not_change_areas(tmp_path: Path, redline: gpd.GeoDataFrame,
                                                 units_file: Path) -> None:
    flat = audit(_gpkg(redline, tmp_path / "flat" / "STBHHX.gpkg"), units_file, tmp_path / "o1")
    assert flat[0] == 0, flat[2]
    gdf = redline.copy()
    gdf["geometry"] = shapely.force_3d(np.asarray(gdf.geometry.values), 1234.5)
    code, out, err = audit(_gpkg(gdf, tmp_path / "z" / "STBHHX.gpkg"), units_file, tmp_path / "o2")
    assert code == 0, err
    a, b = audit_doc(tmp_path / "o1"), audit_doc(tmp_path / "o2")
    assert b["layers"]["ecological_redline"]["area_m2"] == pytest.approx(a["layers"]["ecological_redline"]["area_m2"],
                                                                          rel=1e-12)
    assert b["layers"]["ecological_redline"]["area_m2"] == pytest.approx(
        sum(geodesic_area(g) for g in redline.geometry), rel=1e-5)


def test_mixed_geometry_types_are_exit_2(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    gdf = redline.copy()
    gdf.loc[3, "geometry"] = shapely.Point(87.5, 44.0)
    assert_exit2(audit(_gpkg(gdf, tmp_path / "STBHHX.gpkg"), units_file, tmp_path / "o"),
                 "Point geometries but layer 'ecological_redline'")


@pytest.mark.parametrize(
    ("coords", "words"),
    [
        ([(87.0, 43.0), (float("nan"), 43.0), (87.1, 43.1)], "non-finite coordinates"),
        ([(87.0, 43.0), (float("inf"), 43.0), (87.1, 43.1)], "non-finite coordinates"),
        ([(43.0, 87.0), (43.1, 87.0), (43.1, 87.1)], "outside the area"),  # swapped axes
        ([(1e30, 1e30), (2e30, 1e30), (2e30, 2e30)], "not degrees"),  # huge coordinates
    ],
)
def test_impossible_coordinates_are_exit_2(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path,
                                           coords: list[tuple[float, float]], words: str) -> None:
    gdf = redline.iloc[:2].copy()
    gdf.loc[gdf.index[1], "geometry"] = shapely.Polygon(coords)
    assert_exit2(audit(_gpkg(gdf, tmp_path / "STBHHX.gpkg"), units_file, tmp_path / "o"), "STBHHX.gpkg", words)


# ------------------------------------------------------------------ text
def test_long_nul_and_bidi_text(tmp_path: Path, units_file: Path) -> None:
    """A 10 000-character unit name and bidi overrides are kept as they are (JSON, CSV, XLSX)."""
    import openpyxl

    long = "团" * 10_000
    bidi = "\u202e104团\u202c"
    units = gpd.GeoDataFrame({"XZQMC": [long, bidi]},
                             geometry=[shapely.box(87, 43, 87.1, 43.1), shapely.box(87.1, 43, 87.2, 43.1)], crs=4490)
    up = tmp_path / "units.gpkg"
    pyogrio.write_dataframe(units, up, layer="units")
    red = gpd.GeoDataFrame({"BSM": ["R1"]}, geometry=[shapely.box(87.05, 43.0, 87.15, 43.05)], crs=4490)
    code, out, err = audit(_gpkg(red, tmp_path / "r" / "STBHHX.gpkg"), up, tmp_path / "o")
    assert code == 0, err
    doc = audit_doc(tmp_path / "o")
    assert [u["unit"] for u in doc["units"]] == [long, bidi]
    wb = openpyxl.load_workbook(tmp_path / "o" / "audit.xlsx")
    assert {long, bidi} <= {c.value for c in wb["units"]["A"]}
    text = (tmp_path / "o" / "audit.csv").read_text(encoding="utf-8-sig")
    assert long in text and bidi in text


def test_csv_cells_that_look_like_formulas_are_neutralised(tmp_path: Path) -> None:
    import csv

    names = ['=HYPERLINK("http://example.invalid","x")', "+1+1", "@SUM(1,2)", "-2+3", "\tTAB", "\rCR", "104团"]
    units = gpd.GeoDataFrame({"XZQMC": names},
                             geometry=[shapely.box(87 + 0.1 * i, 43, 87.1 + 0.1 * i, 43.1) for i in range(7)],
                             crs=4490)
    up = tmp_path / "units.gpkg"
    pyogrio.write_dataframe(units, up, layer="units")
    red = gpd.GeoDataFrame({"BSM": ["R1"]}, geometry=[shapely.box(87.0, 43.0, 87.7, 43.05)], crs=4490)
    code, out, err = audit(_gpkg(red, tmp_path / "r" / "STBHHX.gpkg"), up, tmp_path / "o")
    assert code == 0, err
    with (tmp_path / "o" / "audit.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    got = [r["unit"] for r in rows if r["unit"] != "*"]
    assert got == ["'" + n if n[0] in "=+-@\t\r" else n for n in names]
    # numbers stay numbers: every area cell parses as a float, and none carries a quote
    for r in rows:
        assert float(r["area_m2"]) >= 0 and not r["area_m2"].startswith("'")
    # the JSON and the xlsx keep the exact text
    assert [u["unit"] for u in audit_doc(tmp_path / "o")["units"]] == names


def test_csv_cell_rule() -> None:
    from eco12geo.report import csv_cell

    assert [csv_cell(v) for v in ["=1", "+1", "-1", "@a", "\t", "\r", "a=1", "", "团"]] == [
        "'=1", "'+1", "'-1", "'@a", "'\t", "'\r", "a=1", "", "团"]
    assert csv_cell(-1.5) == -1.5 and csv_cell(-3) == -3 and csv_cell(None) is None


def test_hostile_gpkg_metadata_text(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    """layer_styles and gpkg_contents text from an input GeoPackage reaches no page and no formula."""
    import sqlite3

    p = _gpkg(redline, tmp_path / "STBHHX.gpkg")
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>=cmd|"/c calc"!A1'
    con = sqlite3.connect(p)
    con.execute("UPDATE gpkg_contents SET identifier = ?, description = ?", (evil, evil))
    con.execute("CREATE TABLE layer_styles (id INTEGER PRIMARY KEY, f_table_name TEXT, styleName TEXT, "
                "styleQML TEXT, description TEXT)")
    con.execute("INSERT INTO layer_styles VALUES (1, 'ecological_redline', ?, ?, ?)", (evil, f"<qgis>{evil}", evil))
    con.commit()
    con.close()
    code, out, err = audit(p, units_file, tmp_path / "o")
    assert code == 0, err
    code, out, err = run("map", "--layer", f"ecological_redline={p}", "--units", units_file, "--out", tmp_path / "m")
    assert code == 0, err
    for page in (tmp_path / "m").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in text and "onerror=alert(2)" not in text


# ------------------------------------------------------------------ GeoJSON
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:999999"}},"features":['
         '{"type":"Feature","properties":{"BSM":"A"},"geometry":{"type":"Polygon","coordinates":'
         "[[[87,43],[87.1,43],[87.1,43.1],[87,43]]]}}]}",
         ["names the CRS 'EPSG:999999'", "the CRS is unknown", "--assume-crs"]),
        ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"BSM":"A"},"geometry":'
         '{"type":"Polygon","coordinates":[[87,43],[87.1,43],[87.1,43.1],[87,43]]}}]}',
         ["1 of 1 geometries cannot be read", "nested one level too shallow"]),
        ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":', ["cannot read"]),
        ("not json at all", ["cannot read"]),
        ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"BSM":"A"},"geometry":'
         '{"type":"Hexagon","coordinates":[1,2]}}]}', ["cannot be read"]),
    ],
)
def test_bad_geojson_is_exit_2(tmp_path: Path, units_file: Path, text: str, words: list[str]) -> None:
    p = tmp_path / "STBHHX.geojson"
    p.write_text(text, encoding="utf-8")
    assert_exit2(audit(p, units_file, tmp_path / "o"), "STBHHX.geojson", *words)


def test_geojson_unknown_crs_with_assume_crs(tmp_path: Path, units_file: Path) -> None:
    p = tmp_path / "STBHHX.geojson"
    p.write_text('{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:999999"}},'
                 '"features":[{"type":"Feature","properties":{"BSM":"A"},"geometry":{"type":"Polygon",'
                 '"coordinates":[[[87,43],[87.1,43],[87.1,43.1],[87,43.1],[87,43]]]}}]}', encoding="utf-8")
    code, out, err = audit(p, units_file, tmp_path / "o", "--assume-crs", "EPSG:4490")
    assert code == 0, err
    doc = audit_doc(tmp_path / "o")
    assert doc["layers"]["ecological_redline"]["area_m2"] == pytest.approx(
        geodesic_area(shapely.box(87, 43, 87.1, 43.1)), rel=1e-6)
    assert any("EPSG:4490 assumed" in n for n in doc["notes"])


# ------------------------------------------------------------------ --out problems
def test_symlink_at_an_output_name_is_refused(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (out / "audit.json").symlink_to(victim)
    assert_exit2(audit(_gpkg(redline, tmp_path / "STBHHX.gpkg"), units_file, out),
                 "audit.json is a symbolic link", "never writes through a link")
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in out.iterdir()) == ["audit.json"]  # nothing else landed, no staging left
    (out / "audit.json").unlink()
    (out / "index.html").symlink_to(victim)
    assert_exit2(run("map", "--layer", f"ecological_redline={tmp_path / 'STBHHX.gpkg'}", "--units", units_file,
                     "--out", out), "index.html is a symbolic link")
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_out_under_proc_is_exit_2(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    assert_exit2(audit(_gpkg(redline, tmp_path / "STBHHX.gpkg"), units_file, Path("/proc/eco12geo-out")),
                 "cannot write /proc/eco12geo-out")
    assert_exit2(audit(tmp_path / "STBHHX.gpkg", units_file, Path("/proc/self")), "cannot write /proc/self")


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 256 kB tmpfs (root in the CI container may mount it); torn down after the test."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0:
        # CI runs as root and must run these tests; a user's make test cannot mount
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must run as root: mounting the small tmpfs of the full-disk and read-only tests needs it")
        pytest.skip("mounting a small tmpfs needs root (make test and CI run as root)")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)],
                             capture_output=True, text=True, check=False)
    assert mounted.returncode == 0, f"as root, mounting a tmpfs must work here: {mounted.stderr}"
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_is_exit_2_and_leaves_nothing(small_fs: Path, redline: gpd.GeoDataFrame,
                                                units_file: Path) -> None:
    out = small_fs / "o"
    out.mkdir()
    fd = os.open(small_fs / "ballast", os.O_CREAT | os.O_WRONLY)
    try:  # fill the disk to the last block
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    err = assert_exit2(audit(_gpkg(redline, small_fs.parent / "STBHHX.gpkg"), units_file, out),
                       "the disk is full")
    assert str(out) in err
    assert [p.name for p in out.iterdir()] == []  # no partial file, no staging folder


def test_read_only_out_is_exit_2(small_fs: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    (small_fs / "o").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    assert_exit2(audit(_gpkg(redline, small_fs.parent / "STBHHX.gpkg"), units_file, small_fs / "o"),
                 "read-only")


def _audit_as_user(layer: Path, units: Path, out: Path) -> tuple[int, str, str]:
    """Run ``audit`` as permissions bind it: in process for a user, and for root in a child without the
    capabilities that let root write through permission bits (``setpriv`` drops ``dac_override``)."""
    if os.geteuid() != 0:
        return audit(layer, units, out)
    setpriv = shutil.which("setpriv")
    assert setpriv, "as root this test needs setpriv (util-linux) to drop dac_override"
    res = subprocess.run([setpriv, "--bounding-set=-dac_override,-dac_read_search", "--", sys.executable, "-m",
                          "eco12geo", "audit", "--layer", f"ecological_redline={layer}", "--units", str(units),
                          "--no-targets", "--out", str(out)], capture_output=True, text=True, check=False)
    return res.returncode, res.stdout, res.stderr


def test_out_without_write_permission(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    out.chmod(0o555)
    try:
        assert_exit2(_audit_as_user(_gpkg(redline, tmp_path / "STBHHX.gpkg"), units_file, out), "permission denied")
        assert list(out.iterdir()) == []
    finally:
        out.chmod(0o755)


# ------------------------------------------------------------------ reruns into the input folder
def test_out_equal_to_the_input_folder_with_repair(tmp_path: Path, redline: gpd.GeoDataFrame,
                                                   units_file: Path) -> None:
    d = tmp_path / "work"
    gdf = redline.copy()
    b = gdf.geometry.iloc[0].bounds
    gdf.loc[0, "geometry"] = shapely.Polygon([(b[0], b[1]), (b[2], b[3]), (b[2], b[1]), (b[0], b[3])])  # bowtie
    d.mkdir()
    pyogrio.write_dataframe(gdf, d / "STBHHX.geojson", driver="GeoJSON")
    pyogrio.write_dataframe(pyogrio.read_dataframe(units_file), d / "units.gpkg", layer="units")
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    for _ in range(2):
        code, out, err = run("validate", d, "--no-targets", "--repair", "--out", d)
        assert code == 1, err
        assert "matches no layer key" not in err
    assert (d / "repaired" / "ecological_redline_repaired.gpkg").is_file()
    assert {p.name: p.read_bytes() for p in d.iterdir() if p.name in before} == before
    assert not [p for p in d.iterdir() if p.name.startswith(".")]


# ------------------------------------------------------------------ a few through a real process
@pytest.mark.parametrize("case", ["truncated", "bomb", "slip"])
def test_real_subprocess_gives_one_line(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path,
                                        case: str) -> None:
    shp = write_shp(redline, tmp_path / "in")
    if case == "truncated":
        shp.write_bytes(shp.read_bytes()[:3000])
        layer: Path = shp
    elif case == "bomb":
        layer = _zip_with_entry(tmp_path / "STBHHX.zip", shp, "STBHHX.dbf", b" " * (80 << 20))
    else:
        layer = _zip_with_entry(tmp_path / "STBHHX.zip", shp, "../STBHHX.prj", b"x")
    proc = subprocess.run([sys.executable, "-m", "eco12geo", "audit", "--layer", f"ecological_redline={layer}",
                           "--units", str(units_file), "--no-targets", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and str(layer) in proc.stderr
    assert proc.stdout == ""


def test_stale_staging_is_removed_and_a_live_one_kept(tmp_path: Path, redline: gpd.GeoDataFrame,
                                                      units_file: Path) -> None:
    import fcntl

    out = tmp_path / "o"
    stale = out / ".eco12geo-staging-999999"
    stale.mkdir(parents=True)
    (stale / ".lock").write_text("")
    (stale / "audit.json").write_text("{half")
    live = out / ".eco12geo-staging-1"
    live.mkdir()
    fd = os.open(live / ".lock", os.O_CREAT | os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a run still going holds this lock
    try:
        code, _, err = audit(_gpkg(redline, tmp_path / "STBHHX.gpkg"), units_file, out)
        assert code == 0, err
        assert not stale.exists() and live.exists()
        assert sorted(p.name for p in out.iterdir()) == [".eco12geo-staging-1", "audit.csv", "audit.json",
                                                         "audit.xlsx"]
    finally:
        os.close(fd)


def _outputs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _strip_run(name: str, data: bytes) -> bytes:
    if name.endswith(".json"):
        doc = json.loads(data)
        doc.pop("run", None)
        return json.dumps(doc, sort_keys=True).encode()
    return data


@pytest.mark.slow
def test_killed_runs_leave_nothing_partial_or_hidden(tmp_path: Path) -> None:
    """validate + its outputs killed by SIGTERM or SIGKILL at several points; a rerun gives the clean set."""
    layers = ["--layer", f"ecological_redline={DEMO}:ecological_redline",
              "--layer", f"urban_boundary={DEMO}:urban_boundary",
              "--layer", f"basic_farmland={DEMO}:basic_farmland", "--units", f"{DEMO}:units", "--no-targets"]
    cmd = [sys.executable, "-m", "eco12geo", "validate", *layers]
    clean = tmp_path / "clean"
    first = subprocess.run([*cmd, "--out", str(clean)], capture_output=True, timeout=600, check=False)
    assert first.returncode in (0, 1), first.stderr
    want = _outputs(clean)
    assert {"report.json", "violations.gpkg", "report.html"} <= set(want)
    out = tmp_path / "o"
    trials, during_writes, left_staging = 0, 0, 0
    # kill while reading (a fixed delay), and at three moments after the staging folder appears (while writing)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for point in ("reading", 0.0, 0.05, 0.3):
            proc = subprocess.Popen([*cmd, "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            staging = out / f".eco12geo-staging-{proc.pid}"
            try:
                if point == "reading":
                    proc.wait(timeout=0.5)
                else:
                    for _ in range(6000):  # at most 60 s
                        if staging.exists() or proc.poll() is not None:
                            break
                        time.sleep(0.01)
                    if proc.poll() is None and staging.exists():
                        during_writes += 1
                    time.sleep(float(point))
                    proc.wait(timeout=0.001)
            except subprocess.TimeoutExpired:
                proc.send_signal(sig)
                proc.wait(timeout=60)
                trials += 1
            left_staging += staging.exists()
            # whatever the moment: the complete set of outputs, or none of them — never a part
            names = {p.name for p in out.iterdir() if not p.name.startswith(".")} if out.exists() else set()
            assert names in (set(), set(want)), names
            if sig == signal.SIGTERM:
                assert not staging.exists()  # SIGTERM cleans up after itself
    assert trials >= 4 and during_writes >= 2, (trials, during_writes)
    proc = subprocess.run([*cmd, "--out", str(out)], capture_output=True, timeout=600, check=False)
    assert proc.returncode == first.returncode, proc.stderr
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    got = _outputs(out)
    assert set(got) == set(want)
    assert {k: _strip_run(k, v) for k, v in got.items()} == {k: _strip_run(k, v) for k, v in want.items()}


def test_truncated_shp_inside_a_zip(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    """The same checks run on the parts inside a zip (read from the archive, never unpacked to disk)."""
    shp = write_shp(redline, tmp_path / "in")
    shp.write_bytes(shp.read_bytes()[:4000])
    z = zip_parts(shp, tmp_path / "STBHHX.zip")
    assert_exit2(audit(z, units_file, tmp_path / "o"), "STBHHX.zip:STBHHX.shp is truncated: record")


def test_damaged_zip_member_is_exit_2(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    z = zip_parts(write_shp(redline, tmp_path / "in"), tmp_path / "STBHHX.zip")
    data = bytearray(z.read_bytes())
    info = zipfile.ZipFile(z).getinfo("STBHHX.dbf")
    data[info.header_offset + 30 + len("STBHHX.dbf") + 5] ^= 0xFF  # inside the packed .dbf
    z.write_bytes(bytes(data))
    assert_exit2(audit(z, units_file, tmp_path / "o"), "STBHHX.zip")


@pytest.mark.parametrize(("name", "words"), [("STBHHX.gpkg", "STBHHX.gpkg"), ("STBHHX.geojson", "STBHHX.geojson"),
                                             ("STBHHX.zip", "STBHHX.zip is not a valid zip file")])
def test_zero_byte_files_are_exit_2(tmp_path: Path, units_file: Path, name: str, words: str) -> None:
    (tmp_path / name).write_bytes(b"")
    assert_exit2(audit(tmp_path / name, units_file, tmp_path / "o"), words)


def test_symlinks_as_layers(tmp_path: Path, redline: gpd.GeoDataFrame, units_file: Path) -> None:
    """A link to a real file is read as that file; a link to a FIFO is refused; a loop is a missing file."""
    real = _gpkg(redline, tmp_path / "real" / "STBHHX.gpkg")
    (tmp_path / "link.gpkg").symlink_to(real)
    code, out, err = audit(tmp_path / "link.gpkg", units_file, tmp_path / "o")
    assert code == 0, err
    assert audit_doc(tmp_path / "o")["layers"]["ecological_redline"]["features"] == len(redline)
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "pipe.gpkg").symlink_to(tmp_path / "pipe")
    assert_exit2(audit(tmp_path / "pipe.gpkg", units_file, tmp_path / "o"), "pipe.gpkg is not a regular file")
    (tmp_path / "loop.gpkg").symlink_to(tmp_path / "loop.gpkg")
    assert_exit2(audit(tmp_path / "loop.gpkg", units_file, tmp_path / "o"), "loop.gpkg")


def test_nul_inside_text_is_exit_2_padding_is_fine(tmp_path: Path, units_file: Path) -> None:
    """GDAL cuts text at a NUL: 'a<NUL>b' and 'a<NUL>c' would become one unit 'a'. Refused, in .dbf and .gpkg."""
    units = gpd.GeoDataFrame({"XZQMC": ["104团xx", "104团yy"]},
                             geometry=[shapely.box(87, 43, 87.1, 43.1), shapely.box(87.1, 43, 87.2, 43.1)], crs=4490)
    shp = tmp_path / "shp" / "TCFW.shp"
    shp.parent.mkdir()
    pyogrio.write_dataframe(units, shp, encoding="utf-8")
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    first = data.index("104团yy".encode())
    data[first + len("104团".encode())] = 0  # 104团<NUL>y in record 2
    dbf.write_bytes(bytes(data))
    red = _gpkg(gpd.GeoDataFrame({"BSM": ["R1"]}, geometry=[shapely.box(87.0, 43.0, 87.15, 43.05)], crs=4490),
                tmp_path / "r" / "STBHHX.gpkg")
    assert_exit2(audit(red, shp, tmp_path / "o"), "TCFW.dbf: field 'XZQMC' of record 2 has a NUL byte")
    # NUL padding after the text (what some writers use instead of spaces) is fine
    data = bytearray(dbf.read_bytes())
    data[first + len("104团".encode()) : first + len("104团yy".encode())] = b"\0\0"
    dbf.write_bytes(bytes(data))
    code, out, err = audit(red, shp, tmp_path / "o")
    assert code == 0, err
    assert [u["unit"] for u in audit_doc(tmp_path / "o")["units"]] == ["104团xx", "104团"]
    # a GeoPackage holding NUL inside a text
    gp = tmp_path / "units.gpkg"
    pyogrio.write_dataframe(units, gp, layer="units", layer_options={"SPATIAL_INDEX": "NO"})
    import sqlite3

    con = sqlite3.connect(gp)
    con.execute("UPDATE units SET XZQMC = '104团' || char(0) || 'yy' WHERE fid = 2")
    con.commit()
    con.close()
    before = gp.read_bytes()
    assert_exit2(audit(red, gp, tmp_path / "o"), "units.gpkg:units: field 'XZQMC' of record 2 has a NUL byte")
    assert gp.read_bytes() == before and not list(tmp_path.glob("units.gpkg-*"))  # opened read-only
