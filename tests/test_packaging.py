"""environment.yml (conda) lists the same dependencies as pyproject.toml; the console script is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _norm(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    assert m, req
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_yml_in_step_with_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = dict(_norm(r) for r in project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    listed: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for r in dep["pip"]:
                if not r.startswith("-e"):
                    listed.update([_norm(r)])
        else:
            name, spec = _norm(dep)
            if name not in {"python", "pip", "nodejs"}:  # nodejs: npm for the build (map assets)
                listed[name] = spec
    assert listed == wanted
    assert "conda-forge" in env["channels"]
    assert any(isinstance(d, str) and d.startswith("nodejs") for d in env["dependencies"])


@pytest.mark.slow
def test_console_script_installed() -> None:
    exe = shutil.which("eco12geo") or str(Path(__import__("sys").executable).parent / "eco12geo")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert out.strip() == f"eco12geo, version {version}"


@pytest.mark.slow
def test_system_deps_not_root_names_the_packages(tmp_path: Path) -> None:
    """Not root (and nothing installed on PATH): one line naming the packages, exit 1, nothing installed."""
    import os

    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "apt-get").symlink_to("/bin/false")  # apt-get exists, but we may not use it
    cmd = [shutil.which("bash") or "/bin/bash", str(ROOT / "scripts" / "system_deps.sh"), "test"]
    if os.geteuid() == 0:  # drop to nobody, as a planner's own account would be
        setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
        cmd = [setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={"PATH": str(bindir), "ECO12GEO_POSTGIS_GLOB": str(tmp_path / "no-postgis*.so")})
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "eco12geo: missing system packages: nodejs npm chromium postgresql-15-postgis-3 fonts-noto-cjk; install them "
        "(Debian: sudo apt-get install nodejs npm chromium postgresql-15-postgis-3 fonts-noto-cjk) and run make again"
    ]


@pytest.mark.slow
def test_system_deps_present_is_silent() -> None:
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "system_deps.sh"), "test"], capture_output=True, text=True)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
