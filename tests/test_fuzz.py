"""Bounded fuzzing of the readers: hypothesis mutates the bytes of real shapefiles, GeoPackages and zips.

Whatever the bytes, reading a layer (and auditing what was read) either works
or raises an :class:`~eco12geo.errors.Eco12GeoError` — the CLI's exit 2 with
one line — never another exception (which would be exit 3, or a traceback).

``make test`` runs a short run (``ECO12GEO_FUZZ_EXAMPLES``, default 25 per
format); ``make fuzz`` a long one.  A crash found becomes a regression test at
the end of this file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import pyogrio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eco12geo import Eco12GeoError, read_layer
from eco12geo.audit import audit
from eco12geo.layerset import LayerSet
from eco12geo.plan import bundled_plan

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "layers" / "demo_baseline.gpkg"
PLAN = bundled_plan()  # loaded once per session
EXAMPLES = int(os.environ.get("ECO12GEO_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 100,
                suppress_health_check=list(HealthCheck))


def _seed_files() -> dict[str, dict[str, bytes]]:
    """Real files to mutate: a 3-feature red line as shapefile parts, a GeoPackage and a zip."""
    tmp = Path(tempfile.mkdtemp(prefix="eco12geo-fuzz-seed-"))
    try:
        gdf = pyogrio.read_dataframe(DEMO, layer="ecological_redline", max_features=3)
        pyogrio.write_dataframe(gdf, tmp / "STBHHX.shp", encoding="utf-8")
        shp = {p.suffix: p.read_bytes() for p in tmp.glob("STBHHX.*")}
        pyogrio.write_dataframe(gdf, tmp / "STBHHX.gpkg", layer="ecological_redline")
        with zipfile.ZipFile(tmp / "STBHHX.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for ext, data in shp.items():
                zf.writestr("STBHHX" + ext, data)
        return {"shp": shp, "gpkg": {".gpkg": (tmp / "STBHHX.gpkg").read_bytes()},
                "zip": {".zip": (tmp / "STBHHX.zip").read_bytes()}}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


SEEDS = _seed_files()


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """Flip, overwrite, cut or extend the bytes of a real file (mostly in its first kilobytes: the headers)."""
    b = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        if not b:
            break
        hot = draw(st.booleans())
        pos = draw(st.integers(0, min(len(b), 1024) - 1 if hot else len(b) - 1))
        kind = draw(st.sampled_from(["byte", "flip", "zero", "ff", "cut", "insert"]))
        if kind == "byte":
            b[pos] = draw(st.integers(0, 255))
        elif kind == "flip":
            b[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "zero":
            b[pos : pos + 4] = b"\0\0\0\0"
        elif kind == "ff":
            b[pos : pos + 4] = b"\xff\xff\xff\xff"
        elif kind == "cut":
            del b[pos:]
        else:
            b[pos:pos] = draw(st.binary(min_size=1, max_size=16))
    return bytes(b)


def _read_and_audit(path: Path | str) -> None:
    try:
        gdf = read_layer(path, key="ecological_redline", plan=PLAN)
    except Eco12GeoError:
        return
    try:
        audit(LayerSet(layers={"ecological_redline": gdf}, crs=gdf.crs), PLAN, targets=False)
    except Eco12GeoError:
        return


@FUZZ
@given(part=st.sampled_from([".shp", ".shx", ".dbf", ".prj", ".cpg"]), data=st.data())
def test_fuzz_shapefile_parts(part: str, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory(prefix="eco12geo-fuzz-") as tmp:
        files = dict(SEEDS["shp"])
        files[part] = data.draw(mutated(files[part]))
        for ext, b in files.items():
            (Path(tmp) / f"STBHHX{ext}").write_bytes(b)
        _read_and_audit(Path(tmp) / "STBHHX.shp")


@FUZZ
@given(data=st.data())
def test_fuzz_geopackage(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory(prefix="eco12geo-fuzz-") as tmp:
        p = Path(tmp) / "STBHHX.gpkg"
        p.write_bytes(data.draw(mutated(SEEDS["gpkg"][".gpkg"])))
        _read_and_audit(p)


@FUZZ
@given(data=st.data())
def test_fuzz_zip(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory(prefix="eco12geo-fuzz-") as tmp:
        p = Path(tmp) / "STBHHX.zip"
        p.write_bytes(data.draw(mutated(SEEDS["zip"][".zip"])))
        _read_and_audit(p)


# ------------------------------------------------------------------ regressions
@pytest.mark.parametrize("where", [5, 40, -30])
def test_fuzz_regression_damaged_zip_member(tmp_path: Path, where: int) -> None:
    """Found by test_fuzz_zip: a damaged packed member raised zipfile.BadZipFile / zlib.error (exit 3)."""
    data = bytearray(SEEDS["zip"][".zip"])
    z = tmp_path / "STBHHX.zip"
    z.write_bytes(bytes(data))
    info = zipfile.ZipFile(z).getinfo("STBHHX.dbf")
    start = info.header_offset + 30 + len(info.filename)
    data[start + where if where > 0 else start + info.compress_size + where] ^= 0xFF
    z.write_bytes(bytes(data))
    with pytest.raises(Eco12GeoError, match="STBHHX.zip"):
        read_layer(z, key="ecological_redline", plan=PLAN)


@pytest.mark.parametrize("case", ["prj_garbage", "dbf_header_len_zero", "shx_negative_length"])
def test_fuzz_near_misses(tmp_path: Path, case: str) -> None:
    """Mutations of the kind the fuzzer draws, pinned: each is an Eco12GeoError, not a crash."""
    files = dict(SEEDS["shp"])
    if case == "prj_garbage":
        files[".prj"] = b'PROJCS["x",GEOGCS["y",DATUM["z",SPHEROID["w",0,0]]]]'
    elif case == "dbf_header_len_zero":
        b = bytearray(files[".dbf"])
        b[8:10] = b"\0\0"
        files[".dbf"] = bytes(b)
    else:
        b = bytearray(files[".shx"])
        b[104:108] = b"\xff\xff\xff\xff"
        files[".shx"] = bytes(b)
    for ext, data in files.items():
        (tmp_path / f"STBHHX{ext}").write_bytes(data)
    with pytest.raises(Eco12GeoError):
        read_layer(tmp_path / "STBHHX.shp", key="ecological_redline", plan=PLAN)
