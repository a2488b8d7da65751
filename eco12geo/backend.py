"""Where the pairwise work runs: this machine's cores (``local``) or a dask cluster (``dask``).

The overlap rules and the audit ask a backend for the pairs of features that
share ground and for their intersections (:meth:`Backend.pairs`).  Both
backends give the same pairs, in the same order, with the same intersection
geometries, so reports do not depend on the backend.

``dask`` partitions both layers spatially with dask-geopandas (Hilbert
curve), keeps the partition pairs whose extents meet, and finds the feature
pairs of each partition pair in one task: every feature lies in exactly one
partition, so every feature pair is found once, by one task.  It needs the
optional extra ``pip install eco12geo[dask]``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from .errors import InputError
from .overlay import candidate_pairs, intersect_pairs
from .parallel import threads, using_threads

__all__ = ["BACKENDS", "Backend", "DaskBackend", "LocalBackend", "make_backend"]

BACKENDS = ("local", "dask")

Pairs = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.object_]]


class Backend:
    """The local backend's interface; see :class:`LocalBackend` and :class:`DaskBackend`."""

    name = "local"

    @property
    def workers(self) -> int:
        """Threads or cluster threads the work is spread over."""
        return threads()

    def pairs(
        self, a: NDArray[np.object_], b: NDArray[np.object_], *, same: bool = False, interiors: bool = False
    ) -> Pairs:
        """Return ``(ia, ib, pieces)`` as :func:`eco12geo.overlay.intersect_pairs`, sorted by ``(ia, ib)``."""
        ia, ib, pieces = intersect_pairs(a, b, same=same, interiors=interiors)
        order = np.lexsort((ib, ia))
        return ia[order], ib[order], pieces[order]

    def info(self, seconds: float) -> dict[str, Any]:
        """Return the ``run`` member of report.json and audit.json."""
        return {"backend": self.name, "workers": int(self.workers), "seconds": round(float(seconds), 3)}

    def close(self) -> None:
        """Release what the backend holds (a cluster it started)."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalBackend(Backend):
    """Every core of this machine, through shapely's GIL-free vectorised calls on a thread pool."""


def _partition_pairs_task(
    part_a: Any, part_b: Any, same: bool, interiors: bool, diagonal: bool
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.object_]]:
    """Feature pairs of one partition pair, in global row numbers (runs on a dask worker)."""
    ga = np.asarray(part_a.geometry.values, dtype=object)
    gb = np.asarray(part_b.geometry.values, dtype=object)
    ra = part_a["_row"].to_numpy(dtype=np.int64)
    rb = part_b["_row"].to_numpy(dtype=np.int64)
    with using_threads(1):
        # on the diagonal each unordered pair once (and no feature with itself); a partition pair p < q
        # holds each pair in one order only
        ja, jb = candidate_pairs(ga, gb, same=same and diagonal, interiors=interiors)
    ia, ib = ra[ja], rb[jb]
    if same:
        swap = ia > ib
        first = np.where(swap, gb[jb], ga[ja])
        second = np.where(swap, ga[ja], gb[jb])
        ia, ib = np.minimum(ia, ib), np.maximum(ia, ib)
    else:
        first, second = ga[ja], gb[jb]
    pieces = shapely.intersection(first, second) if len(ia) else np.empty(0, dtype=object)
    return ia, ib, np.asarray(pieces, dtype=object)


@dataclass
class DaskBackend(Backend):
    """Pairs found on a ``dask.distributed`` cluster, per pair of Hilbert partitions.

    Parameters
    ----------
    scheduler
        Address of an existing scheduler (``tcp://10.0.0.5:8786``); None starts a LocalCluster on this
        machine (threads of one process, as many as it has cores).
    partition_rows
        Features per partition (at least one partition per layer).
    """

    scheduler: str | None = None
    partition_rows: int = 50_000
    name = "dask"
    _client: Any = field(default=None, repr=False)
    _cluster: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        try:
            import dask_geopandas  # noqa: F401
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise InputError(
                "{opt:backend=dask} needs dask, distributed and dask-geopandas ({missing} is missing); "
                "install them with pip install 'eco12geo[dask]', or use {opt:backend=local}", missing=exc.name or exc
            ) from None
        # distributed logs every connection at INFO level; keep its warnings and errors only
        for name in ("distributed", "distributed.scheduler", "distributed.worker", "distributed.core"):
            logging.getLogger(name).setLevel(logging.WARNING)
        try:
            if self.scheduler:
                self._client = Client(self.scheduler, timeout="20s")
            else:
                self._cluster = LocalCluster(
                    n_workers=1, threads_per_worker=threads(), processes=False, dashboard_address=None,
                    silence_logs=logging.WARNING, scheduler_kwargs={"dashboard": False},
                    worker_dashboard_address=None,
                )
                self._client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise InputError(
                f"cannot reach the dask scheduler {self.scheduler}: {exc}; check the address "
                "(e.g. tcp://10.0.0.5:8786) and that the scheduler runs"
            ) from None

    @property
    def workers(self) -> int:
        """Threads of every worker of the cluster."""
        if self._client is None:
            return 1
        return int(sum(self._client.nthreads().values())) or 1

    def _partitions(self, geoms: NDArray[np.object_]) -> tuple[list[Any], NDArray[np.object_]]:
        """Hilbert-partition one layer; return its partitions (futures on the cluster) and their extents.

        The Hilbert distance of every feature comes from dask-geopandas (computed on the cluster, partition by
        partition); the features are then cut in runs of consecutive distances, ``partition_rows`` each, so a
        partition is a compact piece of ground.  Sorting the distances here avoids a cluster-wide shuffle.
        """
        import dask_geopandas
        import geopandas as gpd

        ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        rows = np.flatnonzero(ok)
        frame = gpd.GeoDataFrame({"_row": rows}, geometry=gpd.GeoSeries(geoms[rows]))
        if len(frame) == 0:
            return [], np.empty(0, dtype=object)
        parts = max(1, int(np.ceil(len(frame) / max(1, self.partition_rows))))
        if parts > 1:
            ddf = dask_geopandas.from_geopandas(frame, npartitions=parts)
            dist = ddf.hilbert_distance(total_bounds=tuple(shapely.total_bounds(geoms[rows]))).compute()
            frame = frame.iloc[np.argsort(dist.to_numpy(), kind="stable")]
        cuts = np.linspace(0, len(frame), parts + 1).astype(int)
        chunks = [frame.iloc[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
        boxes = np.array([shapely.box(*c.total_bounds) for c in chunks], dtype=object)
        return list(self._client.scatter(chunks)), boxes

    def pairs(
        self, a: NDArray[np.object_], b: NDArray[np.object_], *, same: bool = False, interiors: bool = False
    ) -> Pairs:
        """Return ``(ia, ib, pieces)`` found on the cluster, sorted by ``(ia, ib)``."""
        a = np.asarray(a, dtype=object)
        b = np.asarray(b, dtype=object)
        pa, boxes_a = self._partitions(a)
        pb, boxes_b = (pa, boxes_a) if same else self._partitions(b)
        results: list[Any] = []
        if len(pa) and len(pb):
            qa, qb = shapely.STRtree(boxes_b).query(boxes_a, predicate="intersects")
            if same:
                keep = qa <= qb
                qa, qb = qa[keep], qb[keep]
            futures = [
                self._client.submit(_partition_pairs_task, pa[i], pb[j], same, interiors, bool(i == j), pure=False)
                for i, j in zip(qa.tolist(), qb.tolist(), strict=True)
            ]
            results = self._client.gather(futures)
            self._client.cancel(list(pa) + ([] if same else list(pb)))
        if not results:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0, dtype=object)
        ia = np.concatenate([r[0] for r in results])
        ib = np.concatenate([r[1] for r in results])
        pieces = np.concatenate([r[2] for r in results])
        order = np.lexsort((ib, ia))
        return ia[order], ib[order], pieces[order]

    def close(self) -> None:
        """Close the client, and the LocalCluster when this backend started it."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def make_backend(name: str = "local", scheduler: str | None = None, **kwargs: Any) -> Backend:
    """Return the backend named on the command line (``local`` or ``dask``)."""
    if name == "local":
        if scheduler:
            raise InputError("{opt:scheduler} only applies to {opt:backend=dask}; add {opt:backend=dask} or drop "
                             "{opt:scheduler}", param="scheduler")
        return LocalBackend()
    if name == "dask":
        return DaskBackend(scheduler=scheduler, **kwargs)
    raise InputError(f"unknown backend {name!r}; use one of: {', '.join(BACKENDS)}")
