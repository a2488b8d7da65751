"""Vectorised shapely and pyproj work on a thread pool, in chunks.

shapely 2 and pyproj release the GIL inside their vectorised calls, so
chunks of one array run at the same time on several cores of this machine.
Every function here gives exactly the result of the single call on the whole
array: element-wise work does not depend on how the array is cut.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np

__all__ = ["chunk_bounds", "map_chunks", "threads", "using_threads"]

T = TypeVar("T")

#: elements per chunk; below twice this an array is done in one call
CHUNK = 16_384

_state = threading.local()


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def threads() -> int:
    """Return the number of threads vectorised work uses (every core; ``ECO12GEO_THREADS`` overrides)."""
    forced = getattr(_state, "threads", None)
    if forced is not None:
        return int(forced)
    env = os.environ.get("ECO12GEO_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return _cores()


@contextmanager
def using_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` threads in this thread (the dask backend uses 1 per task)."""
    old = getattr(_state, "threads", None)
    _state.threads = max(1, int(n))
    try:
        yield
    finally:
        _state.threads = old


def chunk_bounds(n: int, chunk: int = CHUNK) -> list[tuple[int, int]]:
    """Return ``[(start, stop), …]`` cutting ``range(n)`` into chunks of about ``chunk``."""
    if n <= 0:
        return []
    parts = max(1, n // chunk)
    edges = np.linspace(0, n, parts + 1).astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def map_chunks(func: Callable[..., Any], *arrays: Any, chunk: int = CHUNK) -> Any:
    """Apply ``func`` to aligned chunks of ``arrays`` on the thread pool and concatenate the results.

    Parameters
    ----------
    func
        Called as ``func(*chunks)``; returns an array, or a tuple of arrays, per chunk.
    arrays
        Arrays of one length, cut at the same places.
    chunk
        Elements per chunk.

    Returns
    -------
    numpy.ndarray or tuple of numpy.ndarray
        What ``func`` returns on the whole arrays.
    """
    n = len(arrays[0])
    bounds = chunk_bounds(n, chunk)
    workers = threads()
    if len(bounds) <= 1 or workers <= 1:
        return func(*arrays)

    def one(b: tuple[int, int]) -> Any:
        with using_threads(1):
            return func(*(a[b[0] : b[1]] for a in arrays))

    with ThreadPoolExecutor(max_workers=min(workers, len(bounds))) as pool:
        parts = list(pool.map(one, bounds))
    if isinstance(parts[0], tuple):
        return tuple(np.concatenate([p[i] for p in parts]) for i in range(len(parts[0])))
    return np.concatenate(parts)
