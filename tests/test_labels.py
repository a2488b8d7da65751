"""The user-facing words live in one module, ``eco12geo.render.labels``; widths follow Unicode."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import eco12geo.labels
import eco12geo.render
from eco12geo.render import labels
from eco12geo.render.labels import label, map_labels, pad, text_width, validate_label

RENDER = Path(eco12geo.render.__file__).parent
CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def test_no_words_outside_labels() -> None:
    """No Chinese text in the render modules or templates but in labels.py (docstrings aside).

    The one exception is a field name the map pages look for in the files (``名称``), which is data.
    """
    found = []
    for path in sorted(RENDER.glob("*.py")):
        if path.name == "labels.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                if CJK.search(node.value) and node.value != "名称":
                    found.append(f"{path.name}:{node.lineno} {node.value!r}")
    for path in sorted((RENDER / "templates").glob("*.j2")):
        found += [f"{path.name}: {m}" for m in CJK.findall(path.read_text(encoding="utf-8"))]
    assert found == []


def test_text_width() -> None:
    """Terminal columns: East Asian wide characters two, combining marks none, controls one."""
    assert text_width("团场") == 4
    assert text_width("（104团）") == 9  # fullwidth brackets are wide
    assert text_width("Cafe\u0301") == 4  # e + combining acute: one column
    assert text_width("Café") == 4
    assert text_width("a\tb") == 3
    assert text_width("km²") == 3
    assert pad("团场", 8) == "团场    " and pad("Cafe\u0301", 6, right=True) == "  Cafe\u0301"


def test_unit_words_in_labels() -> None:
    town = ("乡镇", "Town")
    assert label("per_unit", "zh", town) == "分乡镇面积（平方千米）"
    assert label("per_unit", "en", town) == "Per town (km²)"
    assert validate_label("outside", "en", town) == "outside towns / whole area"
    lab = map_labels("zh", town)
    assert lab["audit"] == "分乡镇面积（平方千米） Area per town (km²)"
    assert lab["unit"] == "乡镇 Town" and lab["unit_area"] == "乡镇面积"
    assert map_labels("en", town) == lab  # map furniture is bilingual in both languages
    assert label("coverage_title", "en") == "Forest–grass coverage (raster zonal statistics)"


def test_old_path() -> None:
    assert eco12geo.labels.label is labels.label and eco12geo.labels.text_width is labels.text_width
