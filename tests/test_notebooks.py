"""The walk-through notebooks run from top to bottom on the demo layers.

Each notebook is executed once per test session (:func:`run_notebook` caches
it); other tests may inspect the executed notebook's outputs.
"""

from __future__ import annotations

import functools
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


@functools.lru_cache(maxsize=None)
def run_notebook(name: str) -> nbformat.NotebookNode:
    """Execute ``notebooks/<name>`` in a fresh kernel (once per session) and return it."""
    path = NOTEBOOK_DIR / name
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    nb = run_notebook(path.name)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors


def test_there_are_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS] == ["01_area_audit.ipynb", "02_validate.ipynb", "03_maps.ipynb"]
