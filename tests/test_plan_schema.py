"""The plan file's typed schema: unknown keys, wrong values and escaping paths are exit 2, all named at once."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from eco12geo.cli.main import main
from eco12geo.errors import PlanError
from eco12geo.indicators import load_indicators
from eco12geo.plan import DEFAULT_PLAN, load_plan
from eco12geo.schemas.plan import PlanDocument

ROOT = Path(__file__).resolve().parents[1]
TEXT = resources.files("eco12geo.plans").joinpath(DEFAULT_PLAN).read_text(encoding="utf-8")


def _plan(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = TEXT
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    p = tmp_path / "plan.toml"
    p.write_text(text, encoding="utf-8")
    return p


MISSPELT = ('area_field = "MJ"\ncolour = "#ffd400"', 'area_feild = "MJ"\ncolour = "#ffd400"')
NEGATIVE = ("value = 741.42", "value = -741.42")


def test_misspelt_key_is_named_with_the_closest_known_key(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as err:
        load_plan(_plan(tmp_path, MISSPELT))
    assert str(err.value) == (
        f"{tmp_path / 'plan.toml'}: plan key 'layers.basic_farmland.area_feild' is not a known key "
        "(did you mean 'area_field'?)"
    )


def test_negative_figure_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match=r"plan key 'figures\[1\] \(redline_area\)\.value' must be ≥ 0, not -741\.42"):
        load_plan(_plan(tmp_path, NEGATIVE))


def test_every_problem_at_once(tmp_path: Path) -> None:
    p = _plan(tmp_path, MISSPELT, NEGATIVE, ("min_overlap_m2 = 1.0", "min_overlap_m3 = 1.0"),
              ("year = 2025\nsection = \"四（二）3\"", "year = 1900\nsection = \"四（二）3\""),
              ("[[rules]]\nrule = \"overlap\"", "[[rule]]\nrule = \"overlap\""))
    with pytest.raises(PlanError) as err:
        load_plan(p)
    msg = str(err.value)
    assert "5 problems: " in msg
    assert "plan key 'rule' is not a known key (did you mean 'rules'?)" in msg
    assert "plan key 'tolerances.min_overlap_m3' is not a known key (did you mean 'min_overlap_m2'?)" in msg
    assert "plan key 'figures[8] (construction_land_2025).year' must be ≥ 1949, not 1900" in msg
    assert "area_feild" in msg and "-741.42" in msg
    assert "\n" not in msg


@pytest.mark.parametrize(("edit", "message"), [
    (('layer = "ecological_redline"\nvalue = 741.42', 'layer = "eco_redline"\nvalue = 741.42'),
     "plan key 'figures[1] (redline_area).layer' names unknown layer 'eco_redline'"),
    (('value = 25.75', 'value = 125.75'), "plan key 'figures[2] (redline_share).value' is a percentage above 100"),
    (('colour = "#e31a1c"', 'colour = "red; background:url(x)"'), "plan key 'layers.ecological_redline.colour'"),
    (('severity = "warning"\nsection = "四（三）"', 'severity = "info"\nsection = "四（三）"'),
     "plan key 'rules[5].severity' must be one of 'error' or 'warning', not 'info'"),
    (('territory_ha = 287948.24', 'territory_ha = "287948.24"'), "plan key 'plan.territory_ha'"),
    (('indicators = "xpcc12_2023_2035_indicators.toml"', 'indicators = "../../../../etc/passwd"'),
     "plan key 'plan.indicators' must name a file in the plan's own folder, not '../../../../etc/passwd'"),
    (('indicators = "xpcc12_2023_2035_indicators.toml"', 'indicators = "/etc/passwd"'),
     "plan key 'plan.indicators' must name a file in the plan's own folder"),
])
def test_wrong_values_are_named(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    with pytest.raises(PlanError) as err:
        load_plan(_plan(tmp_path, edit))
    assert message in str(err.value)


def test_indicators_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text("x = 1\n", encoding="utf-8")
    folder = tmp_path / "plan"
    folder.mkdir()
    p = _plan(folder, ('indicators = "xpcc12_2023_2035_indicators.toml"', 'indicators = "ind.toml"'))
    (folder / "ind.toml").symlink_to(outside)
    with pytest.raises(PlanError, match="leads out of the plan's folder"):
        load_indicators(p)


@pytest.mark.slow
def test_cli_exit_2_one_line(tmp_path: Path) -> None:
    p = _plan(tmp_path, MISSPELT)
    layers = ROOT / "layers" / "demo_baseline.gpkg"
    res = CliRunner().invoke(main, ["audit", str(layers), "--plan", str(p), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "area_feild" in lines[0] and "did you mean 'area_field'" in lines[0]
    assert not (tmp_path / "o" / "audit.json").exists()
    proc = subprocess.run([sys.executable, "-m", "eco12geo", "indicators", "--plan", str(p), "--out",
                           str(tmp_path / "o2")], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_json_schema_in_docs_is_current() -> None:
    """docs/schemas/plan.schema.json is the model's schema (scripts/export_schemas.py writes it)."""
    committed = json.loads((ROOT / "docs" / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
    assert committed == PlanDocument.model_json_schema()


def test_bundled_plan_is_valid_against_the_json_schema() -> None:
    """The bundled plan, as JSON, validates against the exported JSON Schema (an independent validator)."""
    import tomllib

    import jsonschema

    schema = json.loads((ROOT / "docs" / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(tomllib.loads(TEXT), schema)
    bad = tomllib.loads(TEXT)
    bad["layers"]["basic_farmland"]["area_feild"] = "MJ"
    with pytest.raises(jsonschema.ValidationError, match="area_feild"):
        jsonschema.validate(bad, schema)
