#!/usr/bin/env python3
"""Benchmark: find and measure overlaps between two polygon layers, eco12geo beside its peers, in one run.

Peers, on the same synthetic layers (jittered squares in CGCS2000 / GK CM 87°E):

- ``eco12geo``: STRtree candidates + one vectorised ``shapely.intersection`` + ellipsoidal areas
  (what the ``overlap`` rule does), in EPSG:4490;
- ``geopandas.overlay``: ``gpd.overlay(a, b, how="intersection")`` then planar GK areas
  (the usual GeoPandas way; it does not give ellipsoidal areas);
- ``geopandas.sjoin``: ``sjoin(predicate="intersects")`` then row-wise intersections;
- ``naive loop``: every pair tested in Python (only for small sizes);
- ``PostGIS``: both layers loaded into a throwaway PostgreSQL cluster (GiST indexes, ANALYZE), then one
  query: ``ST_Intersects`` join, ``ST_Intersection``, densified to 100 m in EPSG:4538 like eco12geo,
  ``ST_Transform`` to EPSG:4490 and ``ST_Area(geography, true)`` (ellipsoidal, on the spheroid).
  Only the query is timed (loading and indexing are printed apart).  On by default when ``initdb`` and
  ``pg_ctl`` are found under ``/usr/lib/postgresql/*/bin`` (Debian's ``postgresql-15-postgis-3``);
  otherwise it is listed as not installed and skipped.  The cluster listens on a Unix socket in a
  temporary folder only (no TCP), runs as ``postgres`` when this script runs as root, and is stopped
  and deleted at the end, also on error.

Prints seconds and the ratio of each peer to eco12geo (these machines are shared and noisy:
quote ratios, not absolute times).
Usage: ``python scripts/benchmark.py [--sizes 1000 5000] [--repeat 3] [--no-postgis]``.
Results and what each peer computes: ``docs/benchmark.md``.
"""

from __future__ import annotations

import argparse
import functools
import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

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


#: the PostGIS query: the same pairs, pieces and ellipsoidal areas as ``run_eco12geo``.  ``OFFSET 0`` keeps
#: the subquery from being flattened: flattened, ``ar >= 1`` becomes a filter that computes the intersection
#: and its area a second time (about 1.6x slower); unlike a MATERIALIZED CTE it still lets PostgreSQL run
#: the join in parallel workers.
POSTGIS_QUERY = """SELECT coalesce(sum(ar), 0) FROM (
  SELECT ST_Area(ST_Transform(ST_Segmentize(ST_Intersection(a.geom, b.geom), 100), 4490)::geography, true) AS ar
  FROM a JOIN b ON ST_Intersects(a.geom, b.geom) OFFSET 0) s
WHERE ar >= 1"""


def find_pg_bin() -> Path | None:
    """Return the newest ``/usr/lib/postgresql/*/bin`` holding initdb, pg_ctl and psql, or None."""
    found = []
    for d in glob.glob("/usr/lib/postgresql/*/bin"):
        if all(os.access(os.path.join(d, x), os.X_OK) for x in ("initdb", "pg_ctl", "psql")):
            m = re.search(r"/postgresql/(\d+)", d)
            found.append((int(m.group(1)) if m else 0, Path(d)))
    return max(found)[1] if found else None


class PostGIS:
    """A throwaway PostgreSQL + PostGIS cluster in a temporary folder, reached only by a Unix socket."""

    def __init__(self, bindir: Path) -> None:
        self.bin = bindir
        self.tmp = Path(tempfile.mkdtemp(prefix="eco12geo-pg-"))
        self.data, self.sock = self.tmp / "data", self.tmp / "sock"
        self.started = False
        self.runas: list[str] = []
        try:
            if os.geteuid() == 0:  # initdb and postgres refuse to run as root
                pw = pwd.getpwnam("postgres")  # KeyError: no such user
                os.chown(self.tmp, pw.pw_uid, pw.pw_gid)
                self.runas = ["runuser", "-u", "postgres", "--"]
            self.sock.mkdir()
            if self.runas:
                os.chown(self.sock, pw.pw_uid, pw.pw_gid)
            self._run(
                [
                    str(self.bin / "initdb"),
                    "-D",
                    str(self.data),
                    "-A",
                    "trust",
                    "-U",
                    "bench",
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-sync",
                ]
            )
            opts = f"-c listen_addresses='' -k {self.sock} -c fsync=off -c synchronous_commit=off"
            self._run(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.tmp / "log"), "-o", opts, "-w", "start"]
            )
            self.started = True
            self.psql("CREATE EXTENSION postgis")
        except BaseException:
            self.close()
            raise

    def _run(self, cmd: Sequence[str], stdin: str | None = None, runas: bool = True) -> str:
        res = subprocess.run(
            [*(self.runas if runas else []), *cmd], input=stdin, capture_output=True, text=True, check=False
        )
        if res.returncode != 0:
            raise RuntimeError(f"{Path(cmd[0]).name} failed ({res.returncode}): {res.stderr.strip()[-2000:]}")
        return res.stdout

    def psql(self, sql: str, stdin: str | None = None) -> str:
        """Run ``sql`` (``-c``; for COPY FROM STDIN, ``stdin`` is the data) and return psql's output."""
        return self._run(self._psql_cmd("-q", "-c", sql), stdin, runas=False)

    def _psql_cmd(self, *args: str) -> list[str]:
        """Psql on the cluster's socket as the bench user, quiet, unaligned, stopping at the first error."""
        return [str(self.bin / "psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", str(self.sock),
                "-U", "bench", "-d", "postgres", *args]

    def versions(self) -> str:
        """PostgreSQL, PostGIS, GEOS and PROJ versions of the cluster."""
        pg = self.psql("SHOW server_version").strip()
        full = self.psql("SELECT postgis_full_version()")
        parts = [f"PostgreSQL {pg}"]
        for key in ("POSTGIS", "GEOS", "PROJ"):
            m = re.search(rf'{key}="([^"]+)"', full)
            parts.append(f"{'PostGIS' if key == 'POSTGIS' else key} {m.group(1) if m else '?'}")
        return ", ".join(parts)

    def load(self, a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> tuple[float, float]:
        """(Re)create tables ``a`` and ``b`` from the layers; return seconds for COPY and for index + ANALYZE."""
        t = time.perf_counter()
        for name, layer in (("a", a), ("b", b)):
            self.psql(
                f"DROP TABLE IF EXISTS {name}; "
                f"CREATE TABLE {name} (id int PRIMARY KEY, bsm text, geom geometry(Polygon, 4538))"
            )
            hexes = shapely.to_wkb(
                shapely.set_srid(np.asarray(layer.geometry.values), 4538), hex=True, include_srid=True
            )
            rows = "".join(f"{i}\t{k}\t{h}\n" for i, (k, h) in enumerate(zip(layer["BSM"], hexes, strict=True)))
            self.psql(f"COPY {name} (id, bsm, geom) FROM STDIN", stdin=rows)
        copy = time.perf_counter() - t
        t = time.perf_counter()
        self.psql(
            "CREATE INDEX a_geom ON a USING gist (geom); CREATE INDEX b_geom ON b USING gist (geom); "
            "ANALYZE a; ANALYZE b"
        )
        return copy, time.perf_counter() - t

    def time_query(self, repeat: int) -> tuple[float, float]:
        """Run the query ``repeat`` times in one session; return the best server round trip and the total."""
        script = "\\timing on\n" + f"{POSTGIS_QUERY};\n" * repeat
        out = self._run(
            self._psql_cmd("-f", "-"),
            stdin=script,
            runas=False,
        )
        times = [float(x) / 1000 for x in re.findall(r"^Time: ([0-9.]+) ms", out, re.M)]
        values = [float(x) for x in re.findall(r"^([0-9.eE+-]+)$", out, re.M)]
        if len(times) != repeat or not values:
            raise RuntimeError(f"unexpected psql output: {out[-500:]}")
        return min(times), values[-1]

    def close(self) -> None:
        """Stop the cluster (if started) and delete the temporary folder."""
        try:
            if self.started:
                self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])
                self.started = False
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


def best_of(func: Callable[[], float], repeat: int) -> tuple[float, float]:
    """Return the best time of ``repeat`` runs and the value computed."""
    best, value = float("inf"), 0.0
    for _ in range(repeat):
        t = time.perf_counter()
        value = func()
        best = min(best, time.perf_counter() - t)
    return best, value


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    """Run every peer on every size and print times and ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--naive-max", type=int, default=1000, help="largest size the naive loop runs on")
    ap.add_argument(
        "--postgis",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the PostGIS peer (default: when PostgreSQL is found under /usr/lib/postgresql)",
    )
    args = ap.parse_args()
    peers = {
        "eco12geo": run_eco12geo,
        "geopandas.overlay": run_overlay,
        "geopandas.sjoin": run_sjoin,
        "naive loop": run_naive,
    }
    # SIGTERM unwinds like Ctrl-C, so the PostGIS cluster is stopped and deleted
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    print(f"shapely {shapely.__version__}, GEOS {shapely.geos_version_string}, geopandas {gpd.__version__}")
    pg: PostGIS | None = None
    pg_bin = find_pg_bin()
    try:
        if args.postgis is False:
            print("PostGIS: skipped (--no-postgis)")
        elif pg_bin is None:
            print("PostGIS: not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin), skipped")
        else:
            try:
                pg = PostGIS(pg_bin)
                print(pg.versions())
            except (RuntimeError, KeyError, OSError) as exc:
                if args.postgis:
                    raise
                print(f"PostGIS: could not start a cluster ({exc}), skipped")
        print(f"{'features':>9} {'peer':<18} {'seconds':>9} {'ratio':>7} {'overlap km²':>14}")
        for n in args.sizes:
            a, b = make_layers(n)
            base = 0.0
            for name, func in peers.items():
                if name == "naive loop" and n > args.naive_max:
                    continue
                secs, value = best_of(functools.partial(func, a, b), args.repeat if name != "naive loop" else 1)
                base = base or secs
                print(f"{n:>9} {name:<18} {secs:>9.3f} {secs / base:>6.1f}x {value / 1e6:>14.8f}", flush=True)
            if pg is not None:
                copy, index = pg.load(a, b)
                secs, value = pg.time_query(args.repeat)
                print(
                    f"{n:>9} {'PostGIS':<18} {secs:>9.3f} {secs / base:>6.1f}x {value / 1e6:>14.8f}"
                    f"   (load: COPY {copy:.2f} s, GiST + ANALYZE {index:.2f} s, not timed)",
                    flush=True,
                )
    finally:
        if pg is not None:
            pg.close()


if __name__ == "__main__":
    main()
