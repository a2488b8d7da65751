"""The benchmark's small size as a correctness check: every approach finds the same overlaps.

``scripts/benchmark.py --check`` runs eco12geo (local and dask), geopandas.overlay, the floor and, when
PostgreSQL + PostGIS are installed, PostGIS on 2 000 generated polygons per layer, and exits 1 when
they disagree on the pairs (by BSM) or on the total area (1e-6 relative).  Timing is not tested.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_benchmark_small_size_all_approaches_agree(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "benchmark.py"), "--check", "--size", "2000", "--data", str(tmp_path)],
        capture_output=True, text=True, check=False, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert any(ln.strip().startswith("agreement: yes") for ln in lines), proc.stdout
    names = [ln.strip().split("  ")[0] for ln in lines if ln.startswith("  ") and ln.rstrip().endswith("pairs")]
    # PostGIS too: make test and .ci/run install it (scripts/system_deps.sh)
    assert {"eco12geo local", "eco12geo dask", "geopandas.overlay", "floor", "PostGIS"} <= set(names), proc.stdout
    counts = {int(ln.rsplit(None, 2)[-2].replace(",", "")) for ln in lines if ln.rstrip().endswith("pairs")}
    assert len(counts) == 1 and counts.pop() > 50  # the same number of overlapping pairs everywhere
