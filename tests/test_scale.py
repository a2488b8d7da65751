"""Scale: the relate filter, the thread pool, the ``run`` member, ``--quiet`` and the dask backend.

The dask backend must give the same report.json as the local one (apart from
``run``): compared on the demo revision and on generated tessellations whose
overlaps are known by construction (``scripts/benchlayers.py``: grown cells
overlap their neighbours, all other neighbours only touch).  The overlap
pairs are also checked against an independent brute-force loop over every
pair, with shapely's plain ``intersection`` area.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from eco12geo.backend import DaskBackend, LocalBackend
from eco12geo.cli.main import main
from eco12geo.overlay import candidate_pairs, intersect_pairs
from eco12geo.parallel import map_chunks, using_threads

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import benchlayers  # noqa: E402

needs_dask = pytest.mark.skipif(importlib.util.find_spec("dask_geopandas") is None,
                                reason="the dask extra is not installed (pip install 'eco12geo[dask]')")


def _doc(out: Path, name: str = "report.json") -> dict[str, Any]:
    return json.loads((out / name).read_text(encoding="utf-8"))


def _without_run(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "run"}


def _assert_same_report(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Identical apart from ``run``: same violations in the same order, areas equal to 1e-9 relative."""
    a, b = _without_run(a), _without_run(b)
    assert [(v["rule"], v["layers"], v["features"], v["unit"]) for v in a["violations"]] == [
        (v["rule"], v["layers"], v["features"], v["unit"]) for v in b["violations"]
    ]
    for va, vb in zip(a["violations"], b["violations"], strict=True):
        assert math.isclose(va["area_m2"] or 0.0, vb["area_m2"] or 0.0, rel_tol=1e-9, abs_tol=1e-9)
    assert a == b


@pytest.fixture(scope="module")
def tess(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return benchlayers.write_layers(3000, tmp_path_factory.mktemp("tess"))


def _layer_args(paths: dict[str, Path]) -> list[str]:
    return [x for k, p in paths.items() for x in ("--layer", f"{k}={p}")]


# ------------------------------------------------------------------ pairs
def test_relate_filter_keeps_exactly_the_pairs_with_area(tess: dict[str, Path]) -> None:
    a = np.asarray(pyogrio.read_dataframe(tess["ecological_redline"]).geometry.values)
    b = np.asarray(pyogrio.read_dataframe(tess["urban_boundary"]).geometry.values)
    ia, ib = candidate_pairs(a, b, interiors=True)
    # independent: every bounding-box pair, intersected one by one in Python, kept when it has area
    tree = shapely.STRtree(b)
    brute = {(int(i), int(j)) for i, j in zip(*tree.query(a), strict=True) if a[i].intersection(b[j]).area > 0}
    assert set(zip(ia.tolist(), ib.tolist(), strict=True)) == brute
    touching = len(tree.query(a, predicate="intersects")[0]) - len(brute)
    assert len(brute) > 20 and touching > 20 * len(brute)  # most neighbours only touch
    _, _, pieces = intersect_pairs(a, b, interiors=True)
    assert (shapely.area(pieces) > 0).all()


def test_thread_pool_gives_the_single_call_result(tess: dict[str, Path]) -> None:
    a = np.asarray(pyogrio.read_dataframe(tess["ecological_redline"]).geometry.values)
    with using_threads(2):
        chunked = map_chunks(shapely.area, a, chunk=100)
    assert np.array_equal(chunked, shapely.area(a))


def test_self_pairs_are_each_pair_once(tess: dict[str, Path]) -> None:
    a = np.asarray(pyogrio.read_dataframe(tess["ecological_redline"]).geometry.values)
    ia, ib, _ = LocalBackend().pairs(a, a, same=True, interiors=True)
    assert (ia < ib).all() and len(set(zip(ia.tolist(), ib.tolist(), strict=True))) == len(ia) > 0


# ------------------------------------------------------------------ run and --quiet
def test_run_member_and_quiet_keeps_stdout_clean(tess: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["validate", *_layer_args(tess), "--no-targets", "--quiet", "--out", str(out)])
    assert res.exit_code == 1, res.output
    run = _doc(out)["run"]
    assert run["backend"] == "local" and run["workers"] >= 1 and run["seconds"] > 0
    assert "checking" not in res.output and "reading" not in res.output
    res = CliRunner().invoke(main, ["audit", *_layer_args(tess), "--no-targets", "--quiet", "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    assert _doc(tmp_path / "a", "audit.json")["run"]["backend"] == "local"


def test_scheduler_without_dask_backend_is_exit_2(tess: dict[str, Path], tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["validate", *_layer_args(tess), "--no-targets", "--scheduler", "tcp://127.0.0.1:1",
                                    "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "--scheduler only applies to --backend dask" in res.output


def test_missing_dask_extra_is_one_line_exit_2(tess: dict[str, Path], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dask_geopandas", None)  # import fails as if not installed
    res = CliRunner().invoke(main, ["validate", *_layer_args(tess), "--no-targets", "--backend", "dask",
                                    "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "pip install 'eco12geo[dask]'" in lines[0]


# ------------------------------------------------------------------ dask
@needs_dask
def test_dask_partitions_find_the_local_pairs(tess: dict[str, Path]) -> None:
    a = np.asarray(pyogrio.read_dataframe(tess["ecological_redline"]).geometry.values)
    b = np.asarray(pyogrio.read_dataframe(tess["urban_boundary"]).geometry.values)
    local = LocalBackend()
    with DaskBackend(partition_rows=400) as dk:  # several Hilbert partitions per layer
        for same, other in ((False, b), (True, a)):
            la, lb, lp = local.pairs(a, other, same=same, interiors=True)
            da, db, dp = dk.pairs(a, other, same=same, interiors=True)
            assert np.array_equal(la, da) and np.array_equal(lb, db)
            assert shapely.equals_exact(lp, dp, 0).all()


@needs_dask
def test_dask_report_equals_local_on_generated_layers(tess: dict[str, Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import eco12geo.backend as eb
    import eco12geo.cli.validate as cv

    # several Hilbert partitions per layer, so pairs across partitions are exercised
    monkeypatch.setattr(cv, "make_backend", lambda name, sched: eb.make_backend(name, sched, partition_rows=500)
                        if name == "dask" else eb.make_backend(name, sched))
    docs = []
    for backend in ("local", "dask"):
        out = tmp_path / backend
        res = CliRunner().invoke(main, ["validate", *_layer_args(tess), "--no-targets", "--quiet",
                                        "--backend", backend, "--out", str(out)])
        assert res.exit_code == 1, res.output
        docs.append(_doc(out))
    assert docs[1]["run"]["backend"] == "dask"
    assert len(docs[0]["violations"]) > 50
    _assert_same_report(docs[0], docs[1])


@needs_dask
@pytest.mark.slow
def test_dask_report_equals_local_on_the_demo_revision(tmp_path: Path) -> None:
    layers = ROOT / "layers"
    docs = []
    for backend in ("local", "dask"):
        out = tmp_path / backend
        res = CliRunner().invoke(main, ["validate", str(layers / "demo_revision.gpkg"), "--baseline",
                                        str(layers / "demo_baseline.gpkg"), "--backend", backend, "--out", str(out)])
        assert res.exit_code == 1, res.output
        docs.append(_doc(out))
    assert len(docs[0]["violations"]) == 9
    _assert_same_report(docs[0], docs[1])
    audits = []
    for backend in ("local", "dask"):
        out = tmp_path / f"audit_{backend}"
        res = CliRunner().invoke(main, ["audit", str(layers / "demo_revision.gpkg"), "--backend", backend,
                                        "--out", str(out)])
        assert res.exit_code == 0, res.output
        audits.append(_without_run(_doc(out, "audit.json")))
    assert audits[0] == audits[1]
