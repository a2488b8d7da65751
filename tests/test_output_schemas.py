"""Every JSON file the demo (and ``eco12geo sheets``) writes validates against the schemas in docs/schemas/.

The schemas are checked two ways: the committed files are the models' current schemas, and an
independent validator (``jsonschema``) accepts the real outputs and refuses broken copies of them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from pydantic import TypeAdapter

from eco12geo.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "docs" / "schemas"


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    res = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["sheets", "--units", f"{ROOT / 'layers' / 'demo_baseline.gpkg'}:units",
                                    "--out", str(out / "sheets")])
    assert res.exit_code == 0, res.output
    return out


FILES = {
    "audit.json": "audit", "report.json": "report", "revision/report.json": "report",
    "coverage.json": "coverage", "scorecard.json": "scorecard", "sheets/sheets.json": "sheets",
}


def test_every_json_the_demo_writes_has_a_schema(demo: Path) -> None:
    written = {str(p.relative_to(demo)) for p in demo.rglob("*.json")}
    assert written == set(FILES)


@pytest.mark.parametrize(("rel", "schema"), FILES.items())
def test_outputs_validate(demo: Path, rel: str, schema: str) -> None:
    jsonschema.validate(json.loads((demo / rel).read_text(encoding="utf-8")), _schema(schema))


def test_schemas_refuse_broken_documents(demo: Path) -> None:
    rep = json.loads((demo / "revision" / "report.json").read_text(encoding="utf-8"))
    assert len(rep["violations"]) == 9
    for path, value in ((("violations", 0, "area_m2"), "2 km²"), (("schema_version",), 2),
                        (("violations", 3, "severity"), "fatal"), (("summary", "errors"), 5.5)):
        bad = copy.deepcopy(rep)
        node = bad
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, _schema("report"))
    audit = json.loads((demo / "audit.json").read_text(encoding="utf-8"))
    del audit["units"][0]["layers"]
    with pytest.raises(jsonschema.ValidationError, match="'layers' is a required property"):
        jsonschema.validate(audit, _schema("audit"))


def test_committed_schemas_are_current() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("export_schemas", ROOT / "scripts" / "export_schemas.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for name, model in mod.MODELS.items():
        assert json.loads((SCHEMAS / name).read_text(encoding="utf-8")) == TypeAdapter(model).json_schema(), name
