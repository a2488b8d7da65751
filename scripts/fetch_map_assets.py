#!/usr/bin/env python3
"""Fetch the Leaflet assets the offline map pages inline (npm pack, build time only).

Run by ``make test`` and ``make demo`` before anything else; idempotent: packages
already in ``eco12geo/_assets/`` (or ``$ECO12GEO_ASSETS``) are not fetched again.
Needs Node.js/npm and the npm registry; the map pages themselves never need the
network.  ``--force`` fetches again.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path


def _load_assets_module():  # noqa: ANN202 - stdlib only, no install needed
    """Import eco12geo/assets.py by path, so this runs before the package is installed."""
    path = Path(__file__).resolve().parents[1] / "eco12geo" / "assets.py"
    spec = importlib.util.spec_from_file_location("eco12geo_assets_standalone", path)
    assert spec and spec.loader
    # assets.py imports ..errors relatively; give it a minimal stand-in package context
    import types

    pkg = types.ModuleType("eco12geo_assets_pkg")
    pkg.__path__ = [str(path.parent)]
    sys.modules.setdefault("eco12geo_assets_pkg", pkg)
    errors_spec = importlib.util.spec_from_file_location("eco12geo_assets_pkg.errors", path.parent / "errors.py")
    assert errors_spec and errors_spec.loader
    errors = importlib.util.module_from_spec(errors_spec)
    errors_spec.loader.exec_module(errors)
    sys.modules["eco12geo_assets_pkg.errors"] = errors
    spec = importlib.util.spec_from_file_location("eco12geo_assets_pkg.assets", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["eco12geo_assets_pkg.assets"] = mod
    spec.loader.exec_module(mod)
    return mod


def main() -> int:
    """Fetch the assets; print what was done."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dest", type=Path, default=None, help="folder (default eco12geo/_assets)")
    ap.add_argument("--force", action="store_true", help="fetch again even when present")
    args = ap.parse_args()
    assets = _load_assets_module()
    try:
        fetched = assets.fetch_assets(args.dest, force=args.force)
    except assets.AssetError as exc:
        print(f"fetch_map_assets: error: {exc}", file=sys.stderr)
        return 2
    where = args.dest or assets.assets_dir()
    print(f"map assets: fetched {', '.join(fetched)} into {where}" if fetched else f"map assets: present in {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
