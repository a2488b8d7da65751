"""Identical inputs give byte-identical outputs (only the JSON ``run`` member, where present, may differ)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from eco12geo.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "layers" / "demo_baseline.gpkg"
LAYERS = ["--layer", f"ecological_redline={DEMO}:ecological_redline", "--layer", f"urban_boundary={DEMO}:urban_boundary",
          "--layer", f"basic_farmland={DEMO}:basic_farmland", "--units", f"{DEMO}:units"]


def _files(folder: Path) -> dict[str, bytes]:
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            if p.suffix == ".json":
                doc = json.loads(data)
                doc.pop("run", None)  # the contract lets only `run` differ between runs
                data = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()
            out[str(p.relative_to(folder))] = data
    return out


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["audit", "--no-targets"], {"audit.json", "audit.csv", "audit.xlsx"}),
        (["validate", "--no-targets"], {"report.json", "violations.gpkg", "report.html"}),
        (["map"], {"index.html", "division.html"}),
    ],
)
def test_reruns_are_byte_identical(tmp_path: Path, command: list[str], expected: set[str]) -> None:
    runs = []
    for i in range(2):
        out = tmp_path / f"run{i}"
        res = CliRunner().invoke(main, [*command, *LAYERS, "--out", str(out)])
        assert res.exit_code in (0, 1), res.output + res.stderr
        runs.append(_files(out))
    assert expected <= set(runs[0])
    assert runs[0].keys() == runs[1].keys()
    differ = [k for k in runs[0] if runs[0][k] != runs[1][k]]
    assert differ == []


def test_source_date_epoch_sets_the_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    res = CliRunner().invoke(main, ["audit", "--no-targets", *LAYERS, "--out", str(tmp_path)])
    assert res.exit_code == 0, res.stderr
    wb = openpyxl.load_workbook(tmp_path / "audit.xlsx")
    assert wb.properties.modified.isoformat() == "2023-11-14T22:13:20"
