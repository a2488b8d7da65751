"""Shared fixtures: small real files built in temporary folders, and independent area formulas."""

from __future__ import annotations

import math
import os
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

#: test modules by level (``pytest -m unit``, ``-m cli``, ``-m e2e``); modules not listed are unit tests
E2E_MODULES = {"test_wheel", "test_maps_browser", "test_html_hostile_browser", "test_notebooks", "test_benchmark",
               "test_reproducible", "test_output_schemas", "test_demo_layers"}
CLI_MODULES = {"test_hostile", "test_robustness", "test_packaging", "test_fuzz"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test unit, cli or e2e by its module."""
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        level = "e2e" if module in E2E_MODULES else "cli" if module in CLI_MODULES else "unit"
        item.add_marker(getattr(pytest.mark, level))


GRS80_A = 6378137.0
GRS80_F = 1 / 298.257222101


def cell_area(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """Closed-form area (m²) of a longitude/latitude cell on GRS80 (edges along meridians and parallels).

    A = b²·Δλ/2 · [q(φ1) − q(φ0)], q(φ) = sinφ/(1 − e²sin²φ) + artanh(e·sinφ)/e.
    """
    e2 = GRS80_F * (2 - GRS80_F)
    e = math.sqrt(e2)
    b = GRS80_A * (1 - GRS80_F)

    def q(lat: float) -> float:
        s = math.sin(math.radians(lat))
        return s / (1 - e2 * s * s) + math.log((1 + e * s) / (1 - e * s)) / (2 * e)

    return b * b * math.radians(lon1 - lon0) / 2 * (q(lat1) - q(lat0))


def zero_ldid(dbf: Path) -> None:
    """Clear the dBASE language-driver byte (what older desktop GIS leave)."""
    data = bytearray(dbf.read_bytes())
    data[29] = 0
    dbf.write_bytes(bytes(data))


def write_shp(gdf: gpd.GeoDataFrame, path: Path, encoding: str, cpg: str | None = None, ldid: int = 0) -> Path:
    """Write a shapefile in ``encoding`` with exactly the hints asked for (.cpg text, LDID byte)."""
    gdf.to_file(path, encoding=encoding, engine="pyogrio")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    if cpg is not None:
        path.with_suffix(".cpg").write_text(cpg, encoding="ascii")
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = ldid
    dbf.write_bytes(bytes(data))
    return path


REGIMENTS = ["五一农场", "三坪农场", "头屯河农场", "西山农牧场", "104团", "222团", "221团"]


@pytest.fixture
def two_units() -> gpd.GeoDataFrame:
    """Two adjoining lon/lat units sharing the meridian 87.5°E."""
    return gpd.GeoDataFrame(
        {"XZQMC": ["104团", "西山农牧场"], "BSM": ["U1", "U2"]},
        geometry=[shapely.box(87.0, 43.0, 87.5, 43.5), shapely.box(87.5, 43.0, 88.0, 43.5)],
        crs="EPSG:4490",
    )


@pytest.fixture
def straddling_redline() -> gpd.GeoDataFrame:
    """A red line of two features: one straddling both units, one partly outside them."""
    return gpd.GeoDataFrame(
        {"BSM": ["R1", "R2"], "MJ": [cell_area(87.25, 43.1, 87.75, 43.2), 1.0]},
        geometry=[shapely.box(87.25, 43.1, 87.75, 43.2), shapely.box(87.9, 43.4, 88.1, 43.45)],
        crs="EPSG:4490",
    )


@pytest.fixture(scope="session")
def plan_document() -> str:
    """The text of the plan document the plan file quotes, from ``ECO12GEO_PLAN_TEXT``.

    The document is not part of the repository; ``.ci/run`` points the variable at the copy
    beside the checkout.  Without it the provenance tests that need it skip with the reason,
    except under ``CI=true``, where they fail: CI must check provenance.
    """
    path = os.environ.get("ECO12GEO_PLAN_TEXT")
    if path and Path(path).is_file():
        return Path(path).read_text(encoding="utf-8")
    reason = (f"ECO12GEO_PLAN_TEXT={path!r} is not a file" if path else "ECO12GEO_PLAN_TEXT is not set") + (
        "; it names the plan document (000_4d5a1cb4d687004d.txt) that the provenance tests read"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)
