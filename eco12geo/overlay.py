"""Pairwise intersections between two geometry arrays, found with an STRtree.

Shared by the audit (layer × unit) and the validator (layer × layer).  No
Python loop runs over all pairs: candidates come from one bulk STRtree
query, the intersections from one vectorised shapely call.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

__all__ = ["intersect_pairs", "polygonal", "repair"]


def polygonal(geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """Keep only the polygonal part of each geometry (GeometryCollections from overlays)."""
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    mixed = shapely.get_type_id(geoms) == 7  # GeometryCollection
    for i in np.flatnonzero(mixed):
        parts = [p for p in shapely.get_parts(geoms[i]) if shapely.get_dimensions(p) == 2]
        out[i] = shapely.multipolygons(parts) if parts else shapely.Polygon()
    return out


def repair(geoms: NDArray[np.object_]) -> tuple[NDArray[np.object_], NDArray[np.bool_]]:
    """Return geometries made valid and the mask of those that were not.

    Polygons are repaired with GEOS's ``structure`` method, which keeps the
    area a drawing meant (a part nested in another part is unioned, not turned
    into a hole) and stays polygonal; collapsed rings are dropped.
    """
    geoms = np.asarray(geoms, dtype=object)
    present = ~shapely.is_missing(geoms)
    invalid = present & ~shapely.is_valid(geoms)
    if not invalid.any():
        return geoms, invalid
    out = geoms.copy()
    dims = shapely.get_dimensions(geoms[invalid])
    # "structure" keeps what a drawing meant: a part nested in another is unioned, not cut out as a
    # hole; a hole poking out of its shell is clipped; rings that collapse to lines are dropped
    fixed = np.where(
        dims == 2,
        polygonal(shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)),
        shapely.make_valid(geoms[invalid]),
    )
    out[invalid] = fixed
    return out, invalid


def intersect_pairs(
    a: NDArray[np.object_], b: NDArray[np.object_], *, same: bool = False
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.object_]]:
    """Return index pairs ``(ia, ib)`` of intersecting geometries and their intersections.

    Parameters
    ----------
    a, b
        Geometry arrays (valid geometries; repair them first).
    same
        ``b`` is ``a``: drop self pairs and keep each unordered pair once.

    Returns
    -------
    (ia, ib, pieces)
        Pairs whose interiors may overlap and the intersection geometries;
        pieces of a lower dimension than the inputs (shared edges, points)
        are kept as given by shapely, callers measure them as 0 area.
    """
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object)
    # None and empty geometries are neither indexed nor matched by the tree
    tree = shapely.STRtree(b)
    ia, ib = tree.query(a, predicate="intersects")
    if same:
        keep = ia < ib
        ia, ib = ia[keep], ib[keep]
    if len(ia) == 0:
        return ia.astype(np.int64), ib.astype(np.int64), np.empty(0, dtype=object)
    pieces = shapely.intersection(a[ia], b[ib])
    return ia.astype(np.int64), ib.astype(np.int64), pieces
