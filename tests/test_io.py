"""Reading layers as they come: encodings without hints, formats, engines, CRS and type checks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from eco12geo import CRSError, GeometryTypeError, InputError, detect_encoding, discover_layers, load_plan, read_layer

from .conftest import REGIMENTS, write_shp


@pytest.fixture
def regiments() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"XZQMC": REGIMENTS, "备注": [f"{n}（示例）" for n in REGIMENTS], "BSM": [f"TC{i:02d}" for i in range(7)]},
        geometry=[shapely.box(87 + i * 0.1, 43.9, 87.05 + i * 0.1, 43.95) for i in range(7)],
        crs="EPSG:4490",
    )


@pytest.mark.parametrize(
    ("encoding", "cpg", "ldid", "expected", "how"),
    [
        ("gbk", None, 0, "gb18030", "detected"),  # older Chinese desktop GIS: no hint at all
        ("utf-8", None, 0, "utf-8", "detected"),
        ("gbk", None, 0x4D, "gb18030", "ldid"),  # LDID 0x4D: Chinese GBK
        ("gbk", "936", 0, "gb18030", "cpg"),
        ("utf-8", "UTF-8", 0, "utf-8", "cpg"),
        ("gb18030", "GB2312", 0x57, "gb18030", "cpg"),
        ("gbk", None, 0x57, "gb18030", "detected"),  # 0x57 = "current ANSI code page": ask the data
    ],
)
def test_encoding_hints_and_detection(
    tmp_path: Path, regiments: gpd.GeoDataFrame, encoding: str, cpg: str | None, ldid: int, expected: str, how: str
) -> None:
    shp = write_shp(regiments, tmp_path / "tc.shp", encoding, cpg=cpg, ldid=ldid)
    assert detect_encoding(shp) == (expected, how)
    got = read_layer(shp)
    assert got["XZQMC"].tolist() == REGIMENTS
    assert got["备注"].tolist() == regiments["备注"].tolist()
    assert got.attrs["encoding"] == expected


def test_gbk_field_names_without_hints(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"团场名称": ["三坪农场"], "面积": [1.5]}, geometry=[shapely.box(87, 43, 87.1, 43.1)], crs=4490)
    shp = write_shp(gdf, tmp_path / "x.shp", "gbk")
    got = read_layer(shp)
    assert "团场名称" in got.columns and got["团场名称"].iloc[0] == "三坪农场"


def test_zipped_shapefile_without_hints(tmp_path: Path, regiments: gpd.GeoDataFrame) -> None:
    shp = write_shp(regiments, tmp_path / "TC.shp", "gbk")
    z = tmp_path / "TC.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in tmp_path.glob("TC.*"):
            if p.suffix != ".zip":
                zf.write(p, p.name)
    assert detect_encoding(z) == ("gb18030", "detected")
    got = read_layer(z)
    assert got["XZQMC"].tolist() == REGIMENTS
    assert shp.exists()


def test_pyogrio_and_fiona_give_the_same_layers(tmp_path: Path, regiments: gpd.GeoDataFrame) -> None:
    shp = write_shp(regiments, tmp_path / "tc.shp", "gbk")
    gpkg = tmp_path / "layers.gpkg"
    regiments.to_file(gpkg, layer="units", engine="pyogrio")
    regiments.iloc[:3].to_file(gpkg, layer="STBHHX", engine="pyogrio")
    for src in (shp, f"{gpkg}:units", f"{gpkg}:STBHHX"):
        a = read_layer(src, engine="pyogrio")
        b = read_layer(src, engine="fiona")
        assert a.crs == b.crs
        cols = [c for c in a.columns if c != "geometry"]
        pd.testing.assert_frame_equal(pd.DataFrame(a[cols]), pd.DataFrame(b[cols]), check_dtype=False)
        assert shapely.equals(np.asarray(a.geometry.values), np.asarray(b.geometry.values)).all()
        assert a["XZQMC"].tolist() == regiments["XZQMC"].iloc[: len(a)].tolist()


def test_inputs_are_never_written(tmp_path: Path, regiments: gpd.GeoDataFrame) -> None:
    shp = write_shp(regiments, tmp_path / "tc.shp", "gbk")
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.iterdir()}
    read_layer(shp)
    read_layer(shp, engine="fiona")
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.iterdir()}
    assert before == after  # no .cpg added, nothing touched


def test_geojson_and_discovery(tmp_path: Path, regiments: gpd.GeoDataFrame) -> None:
    regiments.to_file(tmp_path / "units.geojson", driver="GeoJSON")
    regiments.iloc[:2].to_file(tmp_path / "STBHHX_2023.geojson", driver="GeoJSON")
    regiments.iloc[:2].to_file(tmp_path / "roads.geojson", driver="GeoJSON")
    gpkg = tmp_path / "more.gpkg"
    regiments.iloc[:1].to_file(gpkg, layer="YJJBNTTB")
    regiments.iloc[:1].to_file(gpkg, layer="CZKFBJ")
    matched, unmatched = discover_layers([tmp_path], load_plan())
    assert {k: (v.path.name, v.layer) for k, v in matched.items()} == {
        "units": ("units.geojson", None),
        "ecological_redline": ("STBHHX_2023.geojson", None),
        "basic_farmland": ("more.gpkg", "YJJBNTTB"),
        "urban_boundary": ("more.gpkg", "CZKFBJ"),
    }
    assert [Path(u).name for u in unmatched] == ["roads.geojson"]


def test_missing_prj_needs_assume_crs(tmp_path: Path, regiments: gpd.GeoDataFrame) -> None:
    shp = write_shp(regiments, tmp_path / "tc.shp", "utf-8")
    shp.with_suffix(".prj").unlink()
    # the library names its argument; the CLI names the flag (test_errors.py)
    with pytest.raises(CRSError, match="declares no CRS.*assume_crs='EPSG:4490'") as info:
        read_layer(shp)
    assert info.value.param == "assume_crs" and "--" not in str(info.value)
    got = read_layer(shp, assume_crs="EPSG:4490")
    assert got.crs.to_epsg() == 4490 and got.attrs["crs_assumed"]


def test_metres_declared_as_degrees(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"BSM": ["A"]}, geometry=[shapely.box(500000, 4800000, 501000, 4801000)], crs=4490)
    gdf.to_file(tmp_path / "m.gpkg")
    with pytest.raises(CRSError, match="not degrees"):
        read_layer(tmp_path / "m.gpkg")


def test_coordinates_outside_the_zone(tmp_path: Path) -> None:
    # zone-prefixed eastings (39 500 000) declared in the prefix-less CM 87°E CRS
    gdf = gpd.GeoDataFrame({"BSM": ["A"]}, geometry=[shapely.box(39_500_000, 4_800_000, 39_501_000, 4_801_000)], crs=4538)
    gdf.to_file(tmp_path / "z.gpkg")
    with pytest.raises(CRSError, match="EPSG:4538"):
        read_layer(tmp_path / "z.gpkg")
    # and degrees declared as GK metres: lands off the equator, outside China
    gdf = gpd.GeoDataFrame({"BSM": ["A"]}, geometry=[shapely.box(87, 43, 87.1, 43.1)], crs=4538)
    gdf.to_file(tmp_path / "d.gpkg")
    with pytest.raises(CRSError, match="outside the area"):
        read_layer(tmp_path / "d.gpkg")


def test_points_for_a_polygon_key(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"BSM": ["P"]}, geometry=[shapely.Point(87, 43)], crs=4490)
    gdf.to_file(tmp_path / "p.gpkg")
    with pytest.raises(GeometryTypeError, match="Point geometries but layer 'ecological_redline'"):
        read_layer(tmp_path / "p.gpkg", key="ecological_redline", plan=load_plan())


def test_unreadable_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_layer(tmp_path / "none.shp")
    (tmp_path / "junk.gpkg").write_bytes(b"not a geopackage at all")
    with pytest.raises(InputError, match="junk.gpkg"):
        read_layer(tmp_path / "junk.gpkg")
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(InputError, match="not a format"):
        read_layer(tmp_path / "a.txt")
    (tmp_path / "bad.zip").write_bytes(b"PK no zip")
    with pytest.raises(InputError, match="not a valid zip"):
        read_layer(tmp_path / "bad.zip")


def test_large_layers_are_read_in_chunks_with_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import eco12geo.io as eio

    gdf = gpd.GeoDataFrame(
        {"BSM": [f"F{i:03d}" for i in range(35)]},
        geometry=[shapely.box(87 + i * 0.01, 43, 87.005 + i * 0.01, 43.005) for i in range(35)],
        crs=4490,
    )
    gdf.to_file(tmp_path / "many.gpkg")
    monkeypatch.setattr(eio, "CHUNK", 10)
    calls: list[tuple[int, int]] = []
    got = read_layer(tmp_path / "many.gpkg", progress=lambda n, t: calls.append((n, t)))
    assert calls == [(10, 35), (20, 35), (30, 35), (35, 35)]
    assert got["BSM"].tolist() == gdf["BSM"].tolist()
    assert shapely.equals(np.asarray(got.geometry.values), np.asarray(gdf.geometry.values)).all()


def test_filegdb_layers(tmp_path: Path, regiments: gpd.GeoDataFrame) -> None:
    gdb = tmp_path / "三区三线.gdb"
    regiments.to_file(gdb, layer="TCFW", driver="OpenFileGDB")
    regiments.iloc[:2].to_file(gdb, layer="STBHHX", driver="OpenFileGDB")
    matched, unmatched = discover_layers([gdb], load_plan())
    assert {k: v.layer for k, v in matched.items()} == {"units": "TCFW", "ecological_redline": "STBHHX"}
    assert unmatched == []
    got = read_layer(f"{gdb}:TCFW")
    assert got["XZQMC"].tolist() == REGIMENTS
    with pytest.raises(InputError, match="holds 2 layers"):
        read_layer(gdb)


def test_zip_of_several_shapefiles(tmp_path: Path, regiments: gpd.GeoDataFrame) -> None:
    """Each shapefile of a zip is its own layer, with its own encoding; none is picked silently."""
    write_shp(regiments.iloc[:1], tmp_path / "a_first.shp", "utf-8", cpg="UTF-8")
    write_shp(regiments, tmp_path / "STBHHX.shp", "gbk")  # no .cpg, no LDID
    z = tmp_path / "two.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in sorted(tmp_path.glob("*.*")):
            if p.suffix != ".zip":
                zf.write(p, p.name)
    with pytest.raises(InputError, match="holds 2 shapefiles .*pick one as .*two.zip:NAME"):
        read_layer(z)
    assert detect_encoding(z, "STBHHX") == ("gb18030", "detected")
    assert detect_encoding(z, "a_first") == ("utf-8", "cpg")
    got = read_layer(f"{z}:STBHHX")
    assert got["XZQMC"].tolist() == REGIMENTS
    with pytest.raises(InputError, match="no shapefile nope.shp"):
        read_layer(f"{z}:nope")
    matched, unmatched = discover_layers([z], load_plan())
    assert {k: v.layer for k, v in matched.items()} == {"ecological_redline": "STBHHX"}
    assert unmatched == [f"{z}:a_first"]
