#!/usr/bin/env python3
"""Fetch the Leaflet assets the offline map pages inline, with ``npm pack`` (build time only).

The build runs this (``setup.py`` imports it), so ``pip install .``, ``pip wheel .``
and ``python -m build`` put the assets into the package; the installed package never
needs npm or the network.  Standard library only: it runs before eco12geo is
installed.  Which packages, versions and files: ``eco12geo/map_assets.toml``.

Idempotent: a package already complete in the destination (``eco12geo/_assets/``, a
build cache ignored by git) is not fetched again.  ``--force`` fetches again.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "eco12geo" / "map_assets.toml"
DEFAULT_DEST = ROOT / "eco12geo" / "_assets"


class FetchError(RuntimeError):
    """The assets cannot be fetched; the message says what to install or do."""


def _packages() -> list[dict]:
    return tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["package"]


def _folder(pkg: dict) -> str:
    return f"{pkg['name']}@{pkg['version']}"


def missing(dest: Path = DEFAULT_DEST) -> list[str]:
    """Return the ``name@version`` folders not completely present in ``dest``."""
    return [_folder(p) for p in _packages() if not (dest / _folder(p) / "fetched.json").is_file()]


def _wanted(rel: str, keep: list[str]) -> bool:
    return any(rel == k or (k.endswith("/") and rel.startswith(k)) for k in keep)


def _extract(tgz: Path, pkg: dict, dest: Path, integrity: str | None) -> None:
    """Extract the kept regular files of ``package/`` (nothing outside it, no links) into ``dest``."""
    staging = dest.parent / f".{dest.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(tgz, "r:gz") as tf:
        for member in tf.getmembers():
            rel = PurePosixPath(member.name)
            if not member.isfile() or rel.parts[:1] != ("package",) or ".." in rel.parts:
                continue
            inner = str(PurePosixPath(*rel.parts[1:]))
            if not _wanted(inner, pkg["keep"]):
                continue
            out = staging / inner
            out.parent.mkdir(parents=True, exist_ok=True)
            src = tf.extractfile(member)
            assert src is not None
            out.write_bytes(src.read())
    meta = {"name": pkg["name"], "version": pkg["version"], "integrity": integrity}
    (staging / "fetched.json").write_text(json.dumps(meta) + "\n", encoding="utf-8")
    shutil.rmtree(dest, ignore_errors=True)
    staging.rename(dest)


def fetch(dest: Path = DEFAULT_DEST, npm: str = "npm", force: bool = False) -> list[str]:
    """Fetch the packages missing from ``dest`` (all with ``force``); return the folders fetched.

    Raises
    ------
    FetchError
        npm is not installed, or ``npm pack`` failed.
    """
    todo = [p for p in _packages() if force or _folder(p) in missing(dest)]
    if not todo:
        return []
    exe = shutil.which(npm)
    if exe is None:
        raise FetchError(
            f"building eco12geo needs npm to fetch the map assets ({', '.join(_folder(p) for p in todo)}); "
            "install Node.js and npm (Debian: apt-get install nodejs npm; conda: conda install nodejs) and build again"
        )
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="eco12geo-assets-") as tmp:
        specs = [f"{p['name']}@{p['version']}" for p in todo]
        proc = subprocess.run(
            [exe, "pack", *specs, "--json", "--pack-destination", tmp],
            capture_output=True, text=True, check=False, cwd=tmp,
        )
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise FetchError(f"npm pack {' '.join(specs)} failed ({last}); check that the npm registry is reachable")
        info = {d["name"]: d for d in json.loads(proc.stdout)}
        for pkg in todo:
            _extract(Path(tmp) / info[pkg["name"]]["filename"], pkg, dest / _folder(pkg),
                     info[pkg["name"]].get("integrity"))
    return [_folder(p) for p in todo]


def main() -> int:
    """Fetch the assets; print what was done."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="folder (default eco12geo/_assets)")
    ap.add_argument("--force", action="store_true", help="fetch again even when present")
    args = ap.parse_args()
    try:
        fetched = fetch(args.dest, force=args.force)
    except FetchError as exc:
        print(f"fetch_map_assets: error: {exc}", file=sys.stderr)
        return 2
    print(f"map assets: fetched {', '.join(fetched)} into {args.dest}" if fetched
          else f"map assets: present in {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
