"""The exceptions file (waivers) is validated by its schema: every problem of every entry, named, at once."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from eco12geo.errors import InputError
from eco12geo.schemas.waivers import WaiverDoc
from eco12geo.waivers import load_exceptions, parse_exceptions

ROOT = Path(__file__).resolve().parents[1]


def test_csv_problems_are_listed_per_entry() -> None:
    text = "rule,features,reason\noverlap,R1\noverlapp,R1;C1,x\n"
    with pytest.raises(InputError) as err:
        parse_exceptions(text, "csv", "w.csv")
    msg = str(err.value)
    assert msg.startswith("w.csv: 4 problems: ")
    assert "exceptions entry 1 key 'reason' is missing" in msg
    assert "exceptions entry 1 key 'document' is missing" in msg
    assert "exceptions entry 2 key 'rule' must be one of" in msg and "not 'overlapp'" in msg
    assert "exceptions entry 2 key 'document' is missing" in msg


def test_yaml_misspelt_key_names_the_closest() -> None:
    text = "- rule: overlap\n  features: [R1, C1]\n  reason: r\n  documnet: 新政函〔2023〕12号\n"
    with pytest.raises(InputError, match=r"entry 1 key 'documnet' is not a known key \(did you mean 'document'\?\)"):
        parse_exceptions(text, "yaml")


def test_valid_entries_in_both_forms() -> None:
    csv_entries = parse_exceptions("rule,features,reason,document,unit\noverlap,R1;C1, runway ,文件1,104团\n", "csv")
    yaml_entries = parse_exceptions("exceptions:\n- {rule: overlap, features: [R1, C1], reason: runway,"
                                    " document: 文件1, unit: 104团}\n", "yaml")
    assert csv_entries == yaml_entries
    (e,) = csv_entries
    assert (e.rule, e.features, e.reason, e.document, e.layers, e.unit) == (
        "overlap", ("R1", "C1"), "runway", "文件1", None, "104团")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_exceptions(tmp_path / "nope.csv")


def test_schema_in_docs_is_current() -> None:
    committed = json.loads((ROOT / "docs" / "schemas" / "exceptions.schema.json").read_text(encoding="utf-8"))
    assert committed == TypeAdapter(list[WaiverDoc]).json_schema()


def test_old_module_name_still_imports_with_a_warning() -> None:
    import importlib
    import sys

    sys.modules.pop("eco12geo.exceptions", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mod = importlib.import_module("eco12geo.exceptions")
    assert mod.load_exceptions is load_exceptions
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
