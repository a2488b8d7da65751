"""The indicators file's typed schema: unknown keys, wrong words and missing check keys are exit 2, all at once."""

from __future__ import annotations

import json
import tomllib
import warnings
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from eco12geo.cli.main import main
from eco12geo.errors import PlanError
from eco12geo.indicators import IndicatorCheck, load_indicators
from eco12geo.schemas.indicators import IndicatorsDocument

ROOT = Path(__file__).resolve().parents[1]
SRC = resources.files("eco12geo.plans")
TABLE = SRC.joinpath("xpcc12_2023_2035_indicators.toml").read_text(encoding="utf-8")
NAME = "xpcc12_2023_2035_indicators.toml"


def _copy(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """Write the bundled plan and a copy of its indicators file with ``edits``; return the plan."""
    plan = tmp_path / "plan.toml"
    plan.write_text(SRC.joinpath("xpcc12_2023_2035.toml").read_text(encoding="utf-8"), encoding="utf-8")
    text = TABLE
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    (tmp_path / NAME).write_text(text, encoding="utf-8")
    return plan


def _message(tmp_path: Path, *edits: tuple[str, str]) -> str:
    plan = _copy(tmp_path, *edits)
    with pytest.raises(PlanError) as err:
        load_indicators(plan)
    msg = str(err.value)
    prefix = f"{tmp_path / NAME}: "
    assert msg.startswith(prefix) and "\n" not in msg
    return msg[len(prefix):]


MISSPELT = ('name_zh = "生态文明建设规划"\n', 'name_zh = "生态文明建设规划"\nnmae_en = "x"\n')
BETTER = ('kind = "trend", better = "higher" }', 'kind = "trend", better = "up" }')
ATTRIBUTE = ('attribute = "参考性"', 'attribute = "参考"')


def test_misspelt_key_is_named_with_the_closest_known_key(tmp_path: Path) -> None:
    """A misspelt key is an error naming the row and the key it was probably meant to be."""
    assert _message(tmp_path, MISSPELT) == "indicators key 'indicator[no=1].nmae_en' is not a known key " \
        "(did you mean 'name_en'?)"
    assert _message(tmp_path, ("stated_met = 33", "stated_mets = 33")) == \
        "indicators key 'indicators.stated_mets' is not a known key (did you mean 'stated_met'?)"


def test_every_problem_at_once(tmp_path: Path) -> None:
    """Three problems in three rows are named in one message, in document order."""
    msg = _message(tmp_path, MISSPELT, BETTER, ATTRIBUTE)
    assert msg == (
        "3 problems: indicators key 'indicator[no=1].nmae_en' is not a known key (did you mean 'name_en'?); "
        "indicators key 'indicator[no=7].part[0].check.better' must be one of 'higher' or 'lower', not 'up'; "
        "indicators key 'indicator[no=10].attribute' must be one of '约束性' or '参考性', not '参考'"
    )


@pytest.mark.parametrize(("edit", "message"), [
    (('check = { kind = "text", accept = ["有效开展"], reject = ["未有效开展"] }',
      'check = { kind = "text", reject = ["未有效开展"] }'),
     "indicators key 'indicator[no=2].check.accept' is missing: a text check needs the accepted words"),
    (('check = { kind = "threshold", op = ">=", value = 20 }', 'check = { kind = "threshold", value = 20 }'),
     "indicators key 'indicator[no=3].check.op' is missing: a threshold check needs op and value"),
    (('check = { kind = "threshold", op = ">=", value = 20 }',
      'check = { kind = "threshold", op = ">=", value = 20, better = "higher" }'),
     "indicators key 'indicator[no=3].check.better' does not apply to a threshold check"),
    (('2022 = "21.0", ', '2022 = " ", '),
     "indicators key 'indicator[no=3].values.2022': must be text that is not blank, not ' '"),
    (('2022 = "21.0", ', '2022 = "21.0", 2040 = "1", '),
     "indicators key 'indicator[no=3].values' has years not in indicators.years: ['2040']"),
    (('years = [2022, 2025, 2030, 2035]', 'years = [2022, 2025, 2030, 2135]'),
     "indicators key 'indicators.years[3]' must be ≤ 2100, not 2135"),
    (('base_year = 2022', 'base_year = 2021'), "indicators key 'indicators.base_year' must be one of indicators.years"),
    (('no = 5\n', 'no = "5"\n'), "indicators key 'indicator[4].no': input should be a valid integer, not '5'"),
])
def test_wrong_values_are_named(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    """What a check kind needs, the published columns, years in range, types: each named by its key."""
    assert _message(tmp_path, edit) == message


def test_cli_exit_2_one_line(tmp_path: Path) -> None:
    """``eco12geo indicators`` exits 2 with one line and writes nothing."""
    plan = _copy(tmp_path, MISSPELT)
    res = CliRunner().invoke(main, ["indicators", "--plan", str(plan), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "'indicator[no=1].nmae_en' is not a known key (did you mean 'name_en'?)" in lines[0]
    assert not (tmp_path / "o" / "scorecard.json").exists()


def test_json_schema_in_docs_is_current() -> None:
    """docs/schemas/indicators.schema.json is the model's schema (scripts/export_schemas.py writes it)."""
    committed = json.loads((ROOT / "docs" / "schemas" / "indicators.schema.json").read_text(encoding="utf-8"))
    assert committed == IndicatorsDocument.model_json_schema()


@pytest.mark.parametrize("edit", [
    MISSPELT, BETTER, ATTRIBUTE,
    ('check = { kind = "text", accept = ["有效开展"], reject = ["未有效开展"] }',
     'check = { kind = "text", accept = [], reject = ["未有效开展"] }'),
    ('check = { kind = "threshold", op = ">=", value = 20 }', 'check = { kind = "threshold", value = 20 }'),
    ('check = { kind = "threshold", op = ">=", value = 20 }',
     'check = { kind = "threshold", op = ">=", value = 20, better = "higher" }'),
    ('2022 = "21.0", ', '2022 = " ", '),
    ('years = [2022, 2025, 2030, 2035]', 'years = []'),
])
def test_bundled_file_is_valid_against_the_json_schema(edit: tuple[str, str]) -> None:
    """The bundled file validates against the exported JSON Schema (an independent validator); broken copies do not."""
    schema = json.loads((ROOT / "docs" / "schemas" / "indicators.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(tomllib.loads(TABLE), schema)
    assert edit[0] in TABLE
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(tomllib.loads(TABLE.replace(edit[0], edit[1], 1)), schema)


def test_check_is_renamed() -> None:
    """``IndicatorCheck`` no longer shares its name with the rules' ``Check``; the old name still imports."""
    from eco12geo import indicators
    from eco12geo.rules import Check

    assert IndicatorCheck is not Check and "Check" not in indicators.__all__
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert indicators.Check is IndicatorCheck
    assert [w.category for w in caught] == [DeprecationWarning]
    assert load_indicators().get(3).parts[0].check == IndicatorCheck("threshold", ">=", 20.0)
