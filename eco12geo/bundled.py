"""Where the bundled demo data lives: in the installed package, or in a source checkout.

A wheel carries the demo layers as package data in ``eco12geo/data/demo/`` (copied
from ``layers/`` at build time, see ``setup.py``); an editable install reads
``layers/`` of the checkout.  ``ECO12GEO_LAYERS`` names another folder first.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError

__all__ = ["bundled_layer", "demo_layers_dir", "layers_dirs"]

_PACKAGE = Path(__file__).resolve().parent


def layers_dirs() -> list[Path]:
    """Return the folders searched for bundled layers, first match wins."""
    dirs = [Path(env)] if (env := os.environ.get("ECO12GEO_LAYERS")) else []
    dirs.append(_PACKAGE / "data" / "demo")
    checkout = _PACKAGE.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "layers").is_dir():
        dirs.append(checkout / "layers")
    return dirs


def bundled_layer(name: str) -> Path | None:
    """Return a bundled file by name (``demo_baseline.gpkg`` …), or None when it is not there."""
    return next((d / name for d in layers_dirs() if (d / name).is_file()), None)


def demo_layers_dir() -> Path:
    """Return the folder of the bundled demo layers.

    Raises
    ------
    InputError
        The demo layers are in none of :func:`layers_dirs` (a damaged install).
    """
    found = bundled_layer("demo_baseline.gpkg")
    if found is None:
        where = ", ".join(str(d) for d in layers_dirs())
        raise InputError(f"the demo layers were not found (looked in {where}); reinstall eco12geo "
                         "(pip install eco12geo, or pip install . in a checkout) or set ECO12GEO_LAYERS")
    return found.parent
