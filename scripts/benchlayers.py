"""Deterministic benchmark layers: two tessellations of irregular polygons that mostly only touch.

One grid of ``2 n`` cells (about 100 m, EPSG:4538, around 43.9°N 87°E) is split in vertical strips two
cells wide: even strips are layer A (``ecological_redline``), odd strips layer B (``urban_boundary``).
Every cell edge is a wavy line of 16 inner vertices shared exactly by the two cells it separates, so a
cell has 68 distinct vertices (69 with the closing one), and neighbours, within a layer and across the
layers, touch along whole edges without overlapping.  About 1 % of the cells of each layer are then
grown by 8 % about their centre: each of those overlaps all its neighbours, in both layers.

Everything is drawn from ``numpy.random.default_rng((seed, row))`` row by row, so a layer is the same
whichever block size writes it.  Used by ``scripts/benchmark.py`` and by the tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from numpy.typing import NDArray

__all__ = ["KEYS", "grid_shape", "layer_blocks", "make_layers", "write_layers"]

#: the plan keys of the two layers (their overlap is a rule of the bundled plan)
KEYS = ("ecological_redline", "urban_boundary")
CELL = 100.0
INNER = 16
X0, Y0 = 420_000.0, 4_860_000.0
GROWN = 0.005
SCALE = 1.08


def grid_shape(n: int) -> tuple[int, int]:
    """Return (rows, columns) of a grid of at least ``2 n`` cells, columns a multiple of 4."""
    cols = max(4, int(np.ceil(np.sqrt(2 * n) / 4.0)) * 4)
    rows = int(np.ceil(2 * n / cols))
    return rows, cols


def _corners(seed: int, j: int, cols: int) -> NDArray[np.float64]:
    rng = np.random.default_rng((seed, 0, j))
    x = X0 + np.arange(cols + 1) * CELL + rng.uniform(-15, 15, cols + 1)
    y = Y0 + j * CELL + rng.uniform(-15, 15, cols + 1)
    return np.stack([x, y], axis=-1)


def _wiggle(rng: np.random.Generator, count: int) -> NDArray[np.float64]:
    t = np.arange(1, INNER + 1) / (INNER + 1)
    return rng.uniform(-6, 6, (count, INNER)) * np.sin(np.pi * t)


def _edges(
    c0: NDArray[np.float64], c1: NDArray[np.float64], off: NDArray[np.float64], axis: int
) -> NDArray[np.float64]:
    """Inner vertices of the straight edges c0 → c1, offset across the edge (axis 1: in y, 0: in x)."""
    t = (np.arange(1, INNER + 1) / (INNER + 1))[None, :, None]
    pts = c0[:, None, :] + t * (c1 - c0)[:, None, :]
    pts[:, :, axis] += off
    return pts


def _row(seed: int, j: int, cols: int) -> tuple[NDArray[np.object_], NDArray[np.int64], NDArray[np.bool_]]:
    """Return the cells of grid row ``j``: polygons, their column and whether each is grown."""
    lo, hi = _corners(seed, j, cols), _corners(seed, j + 1, cols)
    bottom = _edges(lo[:-1], lo[1:], _wiggle(np.random.default_rng((seed, 1, j)), cols), 1)
    top = _edges(hi[:-1], hi[1:], _wiggle(np.random.default_rng((seed, 1, j + 1)), cols), 1)
    side = _edges(lo, hi, _wiggle(np.random.default_rng((seed, 2, j)), cols + 1), 0)
    ring = np.concatenate(
        [
            lo[:-1, None], bottom, lo[1:, None], side[1:], hi[1:, None], top[:, ::-1], hi[:-1, None],
            side[:-1, ::-1], lo[:-1, None],
        ],
        axis=1,
    )
    grown = np.random.default_rng((seed, 3, j)).random(cols) < GROWN
    if grown.any():
        centre = ring[grown, :-1].mean(axis=1, keepdims=True)
        ring[grown] = centre + SCALE * (ring[grown] - centre)
    return shapely.polygons(ring), np.arange(cols), grown


def layer_blocks(
    n: int, seed: int = 12, block_rows: int = 64
) -> Iterator[tuple[int, NDArray[np.object_], NDArray[np.object_]]]:
    """Yield ``(start, polygons of A, polygons of B)`` block by block of grid rows, A and B ``n`` each at most."""
    rows, cols = grid_shape(n)
    taken = [0, 0]
    for j0 in range(0, rows, block_rows):
        out: list[list[NDArray[np.object_]]] = [[], []]
        for j in range(j0, min(rows, j0 + block_rows)):
            polys, col, _ = _row(seed, j, cols)
            for k in (0, 1):
                mine = polys[(col // 2) % 2 == k]
                room = n - taken[k]
                mine = mine[:room]
                taken[k] += len(mine)
                out[k].append(mine)
        yield j0, np.concatenate(out[0]), np.concatenate(out[1])


def _frame(geoms: NDArray[np.object_], prefix: str, start: int) -> gpd.GeoDataFrame:
    ids = np.char.add(prefix, np.char.zfill(np.arange(start, start + len(geoms)).astype(str), 7))
    return gpd.GeoDataFrame({"BSM": ids.astype(object)}, geometry=geoms, crs=4538)


def make_layers(n: int, seed: int = 12) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return the two layers of ``n`` polygons each in memory (small sizes)."""
    a, b = [], []
    for _, pa, pb in layer_blocks(n, seed):
        a.append(pa)
        b.append(pb)
    return _frame(np.concatenate(a), "A", 0), _frame(np.concatenate(b), "B", 0)


def write_layers(n: int, folder: Path, seed: int = 12) -> dict[str, Path]:
    """Write the two layers of ``n`` polygons each as GeoPackages into ``folder`` (kept when present)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {k: folder / f"{k}_{n}_{seed}.gpkg" for k in KEYS}
    if all(p.exists() for p in paths.values()):
        return paths
    tmp = {k: p.with_suffix(".part.gpkg") for k, p in paths.items()}
    for p in tmp.values():
        p.unlink(missing_ok=True)
    done = [0, 0]
    for _, pa, pb in layer_blocks(n, seed):
        for k, (key, geoms) in enumerate(zip(KEYS, (pa, pb), strict=True)):
            if len(geoms):
                frame = _frame(geoms, "AB"[k], done[k])
                pyogrio.write_dataframe(frame, tmp[key], layer=key, append=done[k] > 0)
                done[k] += len(geoms)
    for key in KEYS:
        tmp[key].rename(paths[key])
    return paths
