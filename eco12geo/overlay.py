"""Pairwise intersections between two geometry arrays, found with an STRtree.

Shared by the audit (layer × unit) and the validator (layer × layer).  No
Python loop runs over all pairs: candidates come from one bulk STRtree
query of bounding boxes; where only areas matter, a relate filter keeps the
pairs whose interiors meet (``T********``), so neighbours that only touch
along an edge are never intersected; the intersections of the pairs left come
from vectorised shapely calls.  The filter and the intersections run in
chunks on a thread pool (:mod:`eco12geo.parallel`).
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

from .parallel import map_chunks

__all__ = ["candidate_pairs", "intersect_pairs", "polygonal", "repair"]

#: DE-9IM pattern of two geometries whose interiors meet (an overlap with area, for polygons)
INTERIORS_MEET = "T********"


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
    invalid = present & ~map_chunks(shapely.is_valid, geoms)
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


def _interiors_meet(a: NDArray[np.object_], b: NDArray[np.object_]) -> NDArray[np.bool_]:
    return np.asarray(shapely.relate_pattern(a, b, INTERIORS_MEET), dtype=bool)


def candidate_pairs(
    a: NDArray[np.object_], b: NDArray[np.object_], *, same: bool = False, interiors: bool = False
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return index pairs ``(ia, ib)`` of geometries of ``a`` and ``b`` that may share ground.

    Parameters
    ----------
    a, b
        Geometry arrays (valid geometries; repair them first).
    same
        ``b`` is ``a``: drop self pairs and keep each unordered pair once (``ia < ib``).
    interiors
        Keep only the pairs whose interiors meet (DE-9IM ``T********``): for polygons, the pairs whose
        intersection has an area.  Without it, every pair whose geometries intersect.

    Returns
    -------
    (ia, ib)
        Sorted by ``ia``, then as the tree gives them.
    """
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object)
    # None and empty geometries are neither indexed nor matched by the tree
    tree = shapely.STRtree(b)
    ia, ib = tree.query(a)
    if same:
        keep = ia < ib
        ia, ib = ia[keep], ib[keep]
    if len(ia):
        test = _interiors_meet if interiors else shapely.intersects
        keep = map_chunks(lambda x, y: np.asarray(test(a[x], b[y]), dtype=bool), ia, ib)
        ia, ib = ia[keep], ib[keep]
    return ia.astype(np.int64), ib.astype(np.int64)


def intersect_pairs(
    a: NDArray[np.object_], b: NDArray[np.object_], *, same: bool = False, interiors: bool = False
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.object_]]:
    """Return index pairs ``(ia, ib)`` of intersecting geometries and their intersections.

    Parameters
    ----------
    a, b
        Geometry arrays (valid geometries; repair them first).
    same
        ``b`` is ``a``: drop self pairs and keep each unordered pair once.
    interiors
        Only pairs whose interiors meet (:func:`candidate_pairs`): callers that measure areas of
        polygons lose nothing, as contacts along an edge or at a point have no area.

    Returns
    -------
    (ia, ib, pieces)
        Pairs whose interiors may overlap and the intersection geometries;
        pieces of a lower dimension than the inputs (shared edges, points)
        are kept as given by shapely, callers measure them as 0 area.
    """
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object)
    ia, ib = candidate_pairs(a, b, same=same, interiors=interiors)
    if len(ia) == 0:
        return ia, ib, np.empty(0, dtype=object)
    pieces = map_chunks(lambda x, y: shapely.intersection(a[x], b[y]), ia, ib)
    return ia, ib, np.asarray(pieces, dtype=object)
