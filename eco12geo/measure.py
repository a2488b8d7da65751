"""Ellipsoidal (椭球面积) and planar Gauss–Krüger areas and lengths.

Areas are taken on the ellipsoid of the layer's datum (GRS80/CGCS2000 for
EPSG:4490 and its Gauss–Krüger zones): edges are first densified in the
layer's own CRS, so that the straight edges of a projected polygon are
followed, then the geometry is projected to an equal-area projection on that
ellipsoid and measured there.  Lengths are geodesic (:class:`pyproj.Geod`).  Planar areas are taken in the CGCS2000
3-degree Gauss–Krüger zone whose central meridian is nearest the feature.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Geod, Transformer
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import LambertCylindricalEqualAreaConversion

from .errors import CRSError
from .parallel import map_chunks

__all__ = [
    "crs_label",
    "densify",
    "ellipsoidal_area",
    "ellipsoidal_length",
    "gk_zone_epsg",
    "planar_area",
    "relative_difference",
    "to_geographic",
    "transform_geometries",
]

#: metres per degree of latitude, only used to turn a densify length into degrees
_M_PER_DEG = 111_320.0
#: EPSG code of "CGCS2000 / 3-degree Gauss-Kruger CM 75E"; CM 78E is +1, … CM 135E is 4554
_GK_CM75 = 4534


def crs_label(crs: CRS) -> str:
    """Return ``EPSG:XXXX`` for a CRS with an EPSG code, else its name (how outputs name CRSs)."""
    epsg = CRS.from_user_input(crs).to_epsg()
    return f"EPSG:{epsg}" if epsg else CRS.from_user_input(crs).name


def relative_difference(recorded_m2: NDArray[np.float64], area_m2: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return (recorded − computed) / computed for each feature (computed floored at 1 m²; NaN stays NaN).

    How far a recorded area field (MJ) is from the geometry; the audit and the
    ``recorded_area`` rule compare its absolute value with the plan's tolerance.
    """
    return (recorded_m2 - area_m2) / np.maximum(area_m2, 1.0)


def gk_zone_epsg(lon: float) -> int:
    """Return the EPSG code of the CGCS2000 3-degree GK zone (no zone prefix) containing ``lon``.

    Parameters
    ----------
    lon
        Longitude in degrees east.

    Returns
    -------
    int
        4534 (CM 75°E) … 4554 (CM 135°E); 87°E gives 4538, 90°E gives 4539.
    """
    cm = 3 * round(lon / 3.0)
    if not 75 <= cm <= 135:
        raise CRSError(
            f"longitude {lon:.4f} lies outside the CGCS2000 3-degree Gauss–Krüger zones "
            "(CM 75°E–135°E); check the layer's CRS"
        )
    return _GK_CM75 + (cm - 75) // 3


_local = threading.local()


def _transformer(src: CRS, dst: CRS) -> Transformer:
    """Return a ``Transformer`` for this thread (pyproj transformers are not shared between threads)."""
    cache: dict[tuple[str, str], Transformer] = _local.__dict__.setdefault("transformers", {})
    key = (src.to_wkt(), dst.to_wkt())
    if key not in cache:
        cache[key] = Transformer.from_crs(src, dst, always_xy=True)
    return cache[key]


def _xy_func(src: CRS, dst: CRS) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    def func(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = _transformer(src, dst).transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return func


def _needs_densify(geoms: NDArray[np.object_], step: float) -> NDArray[np.bool_]:
    """Return the mask of geometries densifying could change.

    Polygons and multipolygons whose every edge is at most ``step`` long and
    that repeat no vertex come out of :func:`shapely.segmentize` (and of the
    ring-by-ring path) with the same coordinates, so they are left as they are;
    every other geometry is densified.  Rings of one feature are checked as one
    run of coordinates, which can only send more features to densifying.
    """
    out = ~np.isin(shapely.get_type_id(geoms), [3, 6])
    simple = np.flatnonzero(~out)
    if len(simple):
        xy, idx = shapely.get_coordinates(geoms[simple], return_index=True)
        if len(xy) > 1:
            d = np.diff(xy, axis=0)
            length = np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1])
            # margin: GEOS compares its own sqrt with the step; never skip an edge near it
            change = (idx[1:] == idx[:-1]) & ((length > step * (1.0 - 1e-9)) | (length == 0.0))
            out[simple[np.unique(idx[1:][change])]] = True
    return out


def _densify_polygonal(geoms: NDArray[np.object_], step: float) -> NDArray[np.object_]:
    """Densify polygons ring by ring, keeping invalid ones exactly as they are.

    GEOS ``Densify`` on a polygon rebuilds it (a bow-tie comes back as another
    shape, overlapping parts of a MultiPolygon are merged), which would hide
    the very defects a validator must find; rings are densified as lines instead.
    """
    out = geoms.copy()
    parts, gidx = shapely.get_parts(geoms, return_index=True)
    rings, pidx = shapely.get_rings(parts, return_index=True)
    dense = shapely.segmentize(rings, step)
    starts = np.searchsorted(pidx, np.arange(len(parts)))
    ends = np.searchsorted(pidx, np.arange(len(parts)), side="right")
    new_parts = [
        shapely.Polygon(dense[a], list(dense[a + 1 : b])) if b > a else shapely.Polygon()
        for a, b in zip(starts, ends, strict=True)
    ]
    multi = shapely.get_type_id(geoms) == 6
    for j in np.unique(gidx):
        mine = [new_parts[k] for k in np.flatnonzero(gidx == j)] if multi[j] else None
        out[j] = shapely.MultiPolygon(mine) if mine is not None else new_parts[int(np.searchsorted(gidx, j))]
    return out


def densify(geoms: NDArray[np.object_], crs: CRS, densify_m: float) -> NDArray[np.object_]:
    """Insert vertices so no edge is longer than ``densify_m`` metres (in the layer's units).

    Invalid polygons stay exactly as invalid as they were (see :func:`_densify_polygonal`).
    """
    geoms = np.asarray(geoms, dtype=object)
    if densify_m <= 0 or len(geoms) == 0:
        return geoms
    step = densify_m / _M_PER_DEG if crs.is_geographic else densify_m
    out = geoms.copy()
    todo = np.flatnonzero(_needs_densify(geoms, step))
    if not len(todo):
        return out
    some = geoms[todo]
    dense = shapely.segmentize(some, step)
    polygonal = np.isin(shapely.get_type_id(some), [3, 6])
    polygonal[polygonal] = ~shapely.is_valid(some[polygonal])  # only invalid ones need the slow path
    if polygonal.any():
        dense[polygonal] = _densify_polygonal(some[polygonal], step)
    out[todo] = dense
    return out


def transform_geometries(
    geoms: NDArray[np.object_], src: CRS, dst: CRS, densify_m: float = 0.0
) -> NDArray[np.object_]:
    """Densify in ``src`` then transform every coordinate to ``dst`` (x = lon/easting)."""
    geoms = np.asarray(geoms, dtype=object)
    if src == dst:
        return geoms
    return np.asarray(map_chunks(lambda g: _checked(g, src, dst, densify_m), geoms), dtype=object)


def _checked(geoms: NDArray[np.object_], src: CRS, dst: CRS, densify_m: float) -> NDArray[np.object_]:
    """Densify and transform one chunk, refusing coordinates that did not transform."""
    out = shapely.transform(densify(geoms, src, densify_m), _xy_func(src, dst))
    coords = shapely.get_coordinates(out)
    if coords.size and not np.isfinite(coords).all():
        raise CRSError(
            f"coordinates could not be transformed from {src.to_string()} to {dst.to_string()}; "
            "check the layer's declared CRS"
        )
    return np.asarray(out, dtype=object)


def to_geographic(geoms: NDArray[np.object_], crs: CRS, densify_m: float) -> NDArray[np.object_]:
    """Densify in ``crs`` and return the geometries in the datum's geographic CRS (lon, lat)."""
    geog = crs.geodetic_crs
    if geog is None:  # pragma: no cover - every projected CRS pyproj builds has one
        raise CRSError(f"CRS {crs.to_string()} has no geographic CRS; areas cannot be taken")
    if crs.is_geographic:
        return densify(np.asarray(geoms, dtype=object), crs, densify_m)
    return transform_geometries(geoms, crs, geog, densify_m)


def _geod(crs: CRS) -> Geod:
    return crs.get_geod() or Geod(ellps="GRS80")


def _sum_parts(geoms: NDArray[np.object_], measure: Callable[[object], float]) -> NDArray[np.float64]:
    parts, index = shapely.get_parts(geoms, return_index=True)
    values = np.fromiter((measure(p) for p in parts), dtype=float, count=len(parts))
    return np.bincount(index, weights=values, minlength=len(geoms)).astype(float)


@functools.lru_cache(maxsize=32)
def _equal_area_crs(crs_wkt: str) -> CRS:
    """Return the Lambert cylindrical equal-area projection on the datum of ``crs`` (exact on the ellipsoid)."""
    geodetic = CRS.from_wkt(crs_wkt).geodetic_crs
    return ProjectedCRS(LambertCylindricalEqualAreaConversion(0.0, 0.0), geodetic_crs=geodetic)


def ellipsoidal_area(geoms: NDArray[np.object_], crs: CRS, densify_m: float = 100.0) -> NDArray[np.float64]:
    """Return the ellipsoidal area (m²) of each geometry.

    Edges are densified to ``densify_m`` in the layer's own CRS, then the
    geometry is projected to the Lambert cylindrical equal-area projection on
    the ellipsoid of the layer's datum, which keeps areas on the ellipsoid
    exactly, and measured there (vectorised).  The tests check it against the
    closed-form area of latitude/longitude cells on GRS80 and against
    :class:`pyproj.Geod`.

    Parameters
    ----------
    geoms
        Array of shapely geometries (None and empty give 0; lines and points give 0).
        Invalid polygons should be repaired first: a bow-tie's lobes cancel out.
    crs
        The CRS the coordinates are in; its datum's ellipsoid is used.
    densify_m
        Longest edge, in metres, before measuring.

    Returns
    -------
    numpy.ndarray
        Areas in m², one per geometry.
    """
    crs = CRS.from_user_input(crs)
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms))
    poly = shapely.get_dimensions(geoms) == 2
    if not poly.any():
        return out
    equal_area = _equal_area_crs(crs.to_wkt())

    def measure(g: NDArray[np.object_]) -> NDArray[np.float64]:
        return np.asarray(shapely.area(_checked(g, crs, equal_area, densify_m)), dtype=float)

    out[poly] = map_chunks(measure, geoms[poly])
    return out


def ellipsoidal_length(geoms: NDArray[np.object_], crs: CRS, densify_m: float = 100.0) -> NDArray[np.float64]:
    """Return the geodesic length (m) of each line geometry (polygons give their perimeter)."""
    crs = CRS.from_user_input(crs)
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms))
    lin = shapely.get_dimensions(geoms) >= 1
    if not lin.any():
        return out
    geod = _geod(crs)
    geo = to_geographic(geoms[lin], crs, densify_m)
    out[lin] = _sum_parts(geo, lambda p: geod.geometry_length(p))
    return out


def planar_area(
    geoms: NDArray[np.object_], crs: CRS, densify_m: float = 100.0
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Return the planar Gauss–Krüger area (m²) of each geometry and the EPSG code it was taken in.

    Each feature is measured in the CGCS2000 3-degree GK zone (EPSG:4534–4554)
    whose central meridian is nearest its representative point.
    """
    crs = CRS.from_user_input(crs)
    geoms = np.asarray(geoms, dtype=object)
    areas = np.zeros(len(geoms))
    epsg = np.zeros(len(geoms), dtype=np.int64)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any():
        return areas, epsg
    geo = to_geographic(geoms[ok], crs, densify_m)
    lon = shapely.get_x(shapely.point_on_surface(geo))
    zones = np.array([gk_zone_epsg(x) for x in lon], dtype=np.int64)
    idx = np.flatnonzero(ok)
    src = crs.geodetic_crs or CRS.from_epsg(4490)
    for zone in np.unique(zones):
        sel = zones == zone
        zone_crs = CRS.from_epsg(int(zone))
        if crs.to_epsg() == zone:
            projected = geoms[idx[sel]]
        else:
            projected = transform_geometries(geo[sel], src, zone_crs)
        areas[idx[sel]] = shapely.area(projected)
        epsg[idx[sel]] = zone
    return areas, epsg
