"""Small layers for the map tests, written as real GeoPackage files (EPSG:4490)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely

XSS_IMG = "<img src=x onerror=window.__xss=1>"
XSS_SCRIPT = "</script><script>window.__xss=2</script>"


def write_layers(folder: Path) -> dict[str, Path]:
    """Write units, red line, farmland, pattern zones, corridors, reservoirs; return {key: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    crs = "EPSG:4490"
    layers = {
        "units": gpd.GeoDataFrame(
            {"XZQMC": ["104团", "西山农牧场", "../../evil<b>"], "BSM": ["U1", "U2", "U3"],
             "MJ": [1.0, 2.0, 3.0]},
            geometry=[shapely.box(87.0, 43.0, 87.5, 43.5), shapely.box(87.5, 43.0, 88.0, 43.5),
                      shapely.box(88.0, 43.0, 88.3, 43.3)],
            crs=crs,
        ),
        "ecological_redline": gpd.GeoDataFrame(
            {"BSM": ["R1", XSS_IMG, "R3"], "MJ": [1.0e8, 2.0, 3.0], "XZQMC": ["104团", XSS_SCRIPT, "x"]},
            geometry=[shapely.box(87.05, 43.05, 87.2, 43.2), shapely.box(87.55, 43.05, 87.7, 43.2),
                      shapely.box(87.3, 43.3, 87.45, 43.45)],
            crs=crs,
        ),
        "farmland": gpd.GeoDataFrame(
            {"BSM": ["F1", "F2"], "MJ": [5.0, 6.0]},
            geometry=[shapely.box(87.6, 43.25, 87.9, 43.45), shapely.box(87.1, 43.25, 87.25, 43.4)],
            crs=crs,
        ),
        "pattern_zones": gpd.GeoDataFrame(
            {"BSM": ["P1", "P2"], "MC": ["天山生态屏障", "吐鲁番绿洲生态区"]},
            geometry=[shapely.box(87.0, 43.0, 88.0, 43.15), shapely.box(88.0, 43.0, 88.3, 43.3)],
            crs=crs,
        ),
        "corridors": gpd.GeoDataFrame(
            {"BSM": ["C1", "C2"], "MC": ["头屯河", "红星渠"]},
            geometry=[shapely.LineString([(87.1, 43.0), (87.2, 43.25), (87.3, 43.5)]),
                      shapely.LineString([(87.6, 43.1), (87.9, 43.4)])],
            crs=crs,
        ),
        "eco_points": gpd.GeoDataFrame(
            {"BSM": ["E1"], "MC": ["红岩水库"]},
            geometry=[shapely.Point(87.8, 43.2).buffer(0.01)],
            crs=crs,
        ),
    }
    out = {}
    for key, gdf in layers.items():
        p = folder / f"{key}.gpkg"
        gdf.to_file(p, driver="GPKG", engine="pyogrio")
        out[key] = p
    return out


def report_doc() -> dict:
    """Return a report.json document with one error and one warning (one carrying XSS text)."""
    return {
        "schema_version": 1,
        "layers": {},
        "violations": [
            {"rule": "overlap", "severity": "error", "layers": ["ecological_redline", "farmland"],
             "features": ["R1", "F2"], "unit": "104团", "area_m2": 1234.5, "lon": 87.15, "lat": 43.3,
             "message": "red line overlaps farmland"},
            {"rule": "recorded_area", "severity": "warning", "layers": ["ecological_redline"],
             "features": [XSS_IMG], "unit": "西山农牧场", "area_m2": None, "lon": 87.6, "lat": 43.1,
             "message": XSS_SCRIPT},
        ],
        "checks": [],
        "summary": {"errors": 1, "warnings": 1},
    }
