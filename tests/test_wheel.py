"""The built wheel is complete: installed into a fresh venv outside the checkout, every command works offline.

The wheel is built from a copy of the files git tracks or would track (plus the map-asset build cache
``eco12geo/_assets``, which the editable install of ``make test`` filled with npm), so
nothing untracked in the working tree can make it pass.  The fresh venv gets the
wheel's dependencies from the package index (or pip's cache); the commands then run
from a folder outside the checkout with ``ECO12GEO_*`` variables removed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest

from .test_maps_browser import ARGS, CHROMIUM, Opened

ROOT = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
ASSET_PACKAGES = [
    f"{p['name']}@{p['version']}"
    for p in tomllib.loads((ROOT / "eco12geo" / "map_assets.toml").read_text(encoding="utf-8"))["package"]
]

pytestmark = [pytest.mark.slow]


def _tracked_copy(dest: Path, with_assets: bool) -> Path:
    listing = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    files = subprocess.run(listing, cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    if with_assets:
        shutil.copytree(ROOT / "eco12geo" / "_assets", dest / "eco12geo" / "_assets")
    return dest


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ECO12GEO_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert (ROOT / "eco12geo" / "_assets").is_dir(), "the editable install (make test) fetches the map assets"
    src = _tracked_copy(tmp_path_factory.mktemp("src"), with_assets=True)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(src)],
                   check=True, capture_output=True, env=_clean_env())
    (found,) = dist.glob("eco12geo-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    subprocess.run([str(where / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, capture_output=True, env=_clean_env())
    return where / "bin"


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("elsewhere")  # a folder with no checkout above it


def _run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "eco12geo"), *args], cwd=cwd, capture_output=True, text=True,
                          env=_clean_env(PATH=f"{venv}:/usr/bin:/bin"), timeout=600)


def test_wheel_holds_assets_and_demo_data(wheel: Path) -> None:
    assert wheel.stat().st_size < 10 * 2**20
    names = set(zipfile.ZipFile(wheel).namelist())
    for pkg in ASSET_PACKAGES:
        assert f"eco12geo/_assets/{pkg}/fetched.json" in names
    assert "eco12geo/_assets/leaflet@1.9.3/dist/leaflet.js" in names
    for f in ("demo_baseline.gpkg", "demo_revision.gpkg", "demo_landcover.tif", "context_counties.gpkg",
              "defects.csv", "README.md"):
        assert f"eco12geo/data/demo/{f}" in names
    assert "eco12geo/plans/xpcc12_2023_2035.toml" in names
    assert "eco12geo/map_assets.toml" in names
    assert not any(n.startswith(("tests/", "scripts/", "layers/")) for n in names)


def test_version_from_metadata(venv: Path, elsewhere: Path) -> None:
    proc = _run(venv, elsewhere, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"eco12geo, version {VERSION}"


def test_demo_runs_from_any_folder(venv: Path, elsewhere: Path) -> None:
    proc = _run(venv, elsewhere, "demo", "--out", "d")
    assert proc.returncode == 0, proc.stderr  # the baseline is clean; the revision's defects are the demo's point
    out = elsewhere / "d"
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert audit["layers"]["ecological_redline"]["area_m2"] == pytest.approx(741.42e6, abs=25)
    rev = json.loads((out / "revision" / "report.json").read_text(encoding="utf-8"))
    assert (rev["summary"]["errors"], rev["summary"]["warnings"]) == (5, 4)
    assert len(rev["violations"]) == 9
    for name in ("index.html", "division.html", "report.html", "coverage.json", "scorecard.json"):
        assert (out / name).is_file(), name


def test_map_runs_and_opens_offline(venv: Path, elsewhere: Path) -> None:
    where = subprocess.run([str(venv / "python"), "-c", "import eco12geo.bundled as b; print(b.demo_layers_dir())"],
                           capture_output=True, text=True, check=True, cwd=elsewhere, env=_clean_env()).stdout.strip()
    layers = Path(where)
    assert layers.is_relative_to(venv.parent), layers  # read from the installed package, not the checkout
    proc = _run(venv, elsewhere, "map", str(layers / "demo_baseline.gpkg"), "--out", "m")
    assert proc.returncode == 0, proc.stderr
    page = elsewhere / "m" / "division.html"
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\ssrc=|<link[^>]*\shref=\"(https?:)?//", html)  # every asset inlined
    assert "<script>/* leaflet@1.9.3 */" in html

    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        browser: Any = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        opened = Opened(browser, page.as_uri())
        assert opened.eval("() => window.eco12geoMap instanceof L.Map")
        assert opened.errors == [] and opened.blocked == []
        browser.close()


def test_build_without_npm_is_one_line(tmp_path: Path) -> None:
    src = _tracked_copy(tmp_path / "src", with_assets=False)
    bindir = Path(sys.executable).parent  # python and pip, no npm
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path / "d"), str(src)],
                          capture_output=True, text=True, env=_clean_env(PATH=str(bindir)))
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if "needs npm" in ln]
    assert len(lines) == 1, proc.stderr
    assert "install Node.js and npm" in lines[0]
    assert not list(tmp_path.glob("d/*.whl"))
