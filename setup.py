"""Build hook: put the map assets (fetched with npm pack) and the demo layers into the package.

Everything else about the package is in pyproject.toml.  ``build_py`` runs for
``pip install .``, ``pip wheel .``, ``python -m build`` and editable installs:

- the Leaflet assets named in ``eco12geo/map_assets.toml`` are fetched once into
  ``eco12geo/_assets/`` (``scripts/fetch_map_assets.py``; a cache ignored by git)
  and copied into the wheel; without npm and without that cache the build stops
  with one line saying what to install;
- the demo layers of ``layers/`` (the one copy in git) are copied into the wheel as
  ``eco12geo/data/demo/``.  An editable install reads both from the checkout.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "scripts"))

import fetch_map_assets  # noqa: E402  (scripts/, standard library only)

#: files of layers/ that ship as the demo data (sources and generators stay in the repo)
DEMO_FILES = ("*.gpkg", "*.tif", "*.csv", "*.md")


class BuildPy(build_py):
    """``build_py`` that also fetches the map assets and copies the demo layers."""

    def run(self) -> None:  # noqa: D102 - setuptools' own
        try:
            fetch_map_assets.fetch(fetch_map_assets.DEFAULT_DEST)
        except fetch_map_assets.FetchError as exc:
            sys.stderr.write(f"error: {exc}\n")
            raise SystemExit(1) from None
        super().run()
        if getattr(self, "editable_mode", False):
            return  # the checkout's eco12geo/_assets and layers/ are read in place
        pkg = Path(self.build_lib) / "eco12geo"
        assets = pkg / "_assets"
        shutil.rmtree(assets, ignore_errors=True)
        shutil.copytree(fetch_map_assets.DEFAULT_DEST, assets,
                        ignore=shutil.ignore_patterns(".*.partial"))
        demo = pkg / "data" / "demo"
        shutil.rmtree(demo, ignore_errors=True)
        demo.mkdir(parents=True)
        for pattern in DEMO_FILES:
            for f in sorted((ROOT / "layers").glob(pattern)):
                shutil.copy2(f, demo / f.name)


setup(cmdclass={"build_py": BuildPy})
