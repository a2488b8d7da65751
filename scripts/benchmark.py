#!/usr/bin/env python3
"""Benchmark: find and measure overlaps between two polygon layers, eco12geo beside its peers, in one run.

Peers, on the same synthetic layers (jittered squares in CGCS2000 / GK CM 87°E):

- ``eco12geo``: STRtree candidates + one vectorised ``shapely.intersection`` + ellipsoidal areas
  (what the ``overlap`` rule does), in EPSG:4490;
- ``geopandas.overlay``: ``gpd.overlay(a, b, how="intersection")`` then planar GK areas
  (the usual GeoPandas way; it does not give ellipsoidal areas);
- ``geopandas.sjoin``: ``sjoin(predicate="intersects")`` then row-wise intersections;
- ``naive loop``: every pair tested in Python (only for small sizes).

Prints seconds and the ratio of each peer to eco12geo (these machines are shared and noisy:
quote ratios, not absolute times).  Usage: ``python scripts/benchmark.py [--sizes 1000 5000] [--repeat 3]``.
PostGIS (the target for province-size layers) is not in this run yet: see the issue notes.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from eco12geo.measure import ellipsoidal_area
from eco12geo.overlay import intersect_pairs


def make_layers(n: int, seed: int = 12) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Two layers of ``n`` 300 m squares each on a jittered grid; about a third of them overlap."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    ix, iy = np.divmod(np.arange(n), side)
    x0, y0 = 450_000 + ix * 400.0, 4_850_000 + iy * 400.0
    a = shapely.box(x0, y0, x0 + 300, y0 + 300)
    dx, dy = rng.uniform(-250, 250, n), rng.uniform(-250, 250, n)
    b = shapely.box(x0 + dx, y0 + dy, x0 + dx + 300, y0 + dy + 300)
    ga = gpd.GeoDataFrame({"BSM": [f"A{i}" for i in range(n)]}, geometry=a, crs=4538)
    gb = gpd.GeoDataFrame({"BSM": [f"B{i}" for i in range(n)]}, geometry=b, crs=4538)
    return ga, gb


def run_eco12geo(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> float:
    """Overlap area the eco12geo way: STRtree pairs, vectorised intersections, ellipsoidal areas."""
    ia, ib, pieces = intersect_pairs(np.asarray(a.geometry.values), np.asarray(b.geometry.values))
    areas = ellipsoidal_area(pieces, CRS.from_epsg(4538), 100.0)
    return float(areas[areas >= 1.0].sum())


def run_overlay(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> float:
    """Overlap area with geopandas.overlay and planar GK areas."""
    out = gpd.overlay(a, b, how="intersection", keep_geom_type=True)
    area = out.geometry.area
    return float(area[area >= 1.0].sum())


def run_sjoin(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> float:
    """Overlap area with a spatial join and row-wise intersections."""
    j = gpd.sjoin(a, b, predicate="intersects", how="inner")
    geoms = [ga.intersection(b.geometry.iloc[r]) for ga, r in zip(j.geometry, j["index_right"], strict=True)]
    area = np.array([g.area for g in geoms])
    return float(area[area >= 1.0].sum())


def run_naive(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> float:
    """Overlap area testing every pair in Python."""
    total = 0.0
    for ga in a.geometry:
        for gb in b.geometry:
            if ga.intersects(gb):
                x = ga.intersection(gb).area
                if x >= 1.0:
                    total += x
    return total


def best_of(func: Callable[[], float], repeat: int) -> tuple[float, float]:
    """Return the best time of ``repeat`` runs and the value computed."""
    best, value = float("inf"), 0.0
    for _ in range(repeat):
        t = time.perf_counter()
        value = func()
        best = min(best, time.perf_counter() - t)
    return best, value


def main() -> None:
    """Run every peer on every size and print times and ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--naive-max", type=int, default=1000, help="largest size the naive loop runs on")
    args = ap.parse_args()
    peers = {"eco12geo": run_eco12geo, "geopandas.overlay": run_overlay, "geopandas.sjoin": run_sjoin,
             "naive loop": run_naive}
    print(f"{'features':>9} {'peer':<18} {'seconds':>9} {'ratio':>7} {'overlap km²':>12}")
    for n in args.sizes:
        a, b = make_layers(n)
        base = None
        for name, func in peers.items():
            if name == "naive loop" and n > args.naive_max:
                continue
            secs, value = best_of(lambda f=func, a=a, b=b: f(a, b), args.repeat if name != "naive loop" else 1)
            base = base or secs
            print(f"{n:>9} {name:<18} {secs:>9.3f} {secs / base:>6.1f}x {value / 1e6:>12.4f}")


if __name__ == "__main__":
    main()
