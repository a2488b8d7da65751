"""Build tiny validation inputs as real GeoPackages in EPSG:4538 (GK CM 87°E), areas known by construction.

Coordinates are given relative to (X0, Y0), a point near 87.25°E, 43.9°N; every
polygon is an axis-aligned rectangle, so overlaps are rectangles whose corners
are written down by hand in the tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod, Transformer

X0, Y0 = 520_000.0, 4_862_000.0
CRS = "EPSG:4538"


def rect(x1: float, y1: float, x2: float, y2: float) -> shapely.Polygon:
    """Return an axis-aligned rectangle in local metres (relative to X0, Y0)."""
    return shapely.box(X0 + x1, Y0 + y1, X0 + x2, Y0 + y2)


def geod_rect_area(x1: float, y1: float, x2: float, y2: float, step: float = 10.0) -> float:
    """Ellipsoidal area of a local rectangle computed independently: densified corners → lon/lat → Geod."""
    xs: list[float] = []
    ys: list[float] = []
    corners = [(x1, y1), (x2, y1), (x2, y2), (x1, y2), (x1, y1)]
    for (ax, ay), (bx, by) in zip(corners[:-1], corners[1:], strict=True):
        n = max(2, int(np.hypot(bx - ax, by - ay) / step) + 1)
        t = np.linspace(0.0, 1.0, n)[:-1]
        xs.extend((X0 + ax + (bx - ax) * t).tolist())
        ys.extend((Y0 + ay + (by - ay) * t).tolist())
    lon, lat = Transformer.from_crs(CRS, "EPSG:4490", always_xy=True).transform(xs, ys)
    area, _ = Geod(ellps="GRS80").polygon_area_perimeter(lon, lat)
    return abs(area)


def write(path: Path, layer: str, rows: list[dict[str, Any]], crs: str = CRS) -> Path:
    """Write rows (each with a 'geometry') as one GeoPackage layer."""
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    gdf.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
    return path


def units_rows() -> list[dict[str, Any]]:
    """Two units side by side: 104团 on x 0–2000, 222团 on x 2000–4000 (y 0–2000)."""
    return [
        {"BSM": "U1", "XZQMC": "104团", "geometry": rect(0, 0, 2000, 2000)},
        {"BSM": "U2", "XZQMC": "222团", "geometry": rect(2000, 0, 4000, 2000)},
    ]
