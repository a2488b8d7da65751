"""Waivers: the exceptions file of violations a planner has accepted, with the approving document.

ArcGIS topology has exceptions; this is eco12geo's.  A CSV or YAML file lists
entries of ``rule``, ``features`` (the feature ids of the violation), ``reason``
and ``document`` (the approval), optionally ``layers`` and ``unit`` to narrow
the match.  A matching violation stays in the report, marked
``accepted: true``, and no longer fails the run.

CSV::

    rule,features,reason,document
    overlap,R1;C1,airport runway agreed before the red line,新政函〔2023〕12号

YAML::

    - rule: overlap
      features: [R1, C1]
      reason: airport runway agreed before the red line
      document: 新政函〔2023〕12号

Each entry is validated by :class:`eco12geo.schemas.waivers.WaiverDoc`: a rule
name that does not exist, a missing reason or document, or an unknown column or
key is an error naming the entry, all problems at once.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from .errors import InputError
from .schemas import join, problems
from .schemas.waivers import WaiverDoc

__all__ = ["ExceptionEntry", "apply_exceptions", "load_exceptions", "parse_exceptions"]

_SPLIT = re.compile(r"[;|,，；]")
_ROWS = TypeAdapter(list[WaiverDoc])


@dataclass(frozen=True)
class ExceptionEntry:
    """One accepted violation: which rule and features, why, and by which document."""

    rule: str
    features: tuple[str, ...]
    reason: str
    document: str
    layers: tuple[str, ...] | None = None
    unit: str | None = None

    def matches(self, rule: str, features: Sequence[str], layers: Sequence[str], unit: str | None) -> bool:
        """Return True when this entry covers a violation (feature ids compared as sets)."""
        if rule != self.rule or set(features) != set(self.features):
            return False
        if self.layers is not None and tuple(self.layers) != tuple(layers):
            return False
        return self.unit is None or self.unit == unit


def _ids(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(p.strip() for p in _SPLIT.split(str(value)) if p.strip())


def _entries(rows: list[dict[str, Any]], name: str) -> list[ExceptionEntry]:
    """Validate the rows against the schema (all problems at once) and build the entries."""
    clean = [
        {str(k).strip().lower(): (v.strip() if isinstance(v, str) else v) for k, v in r.items() if k is not None}
        for r in rows
    ]
    # blank CSV cells are absent keys, so "missing" is said of them
    clean = [{k: v for k, v in r.items() if v not in ("", None)} for r in clean]
    try:
        docs = _ROWS.validate_python(clean)
    except ValidationError as exc:
        msgs = problems(exc, list[WaiverDoc], what="exceptions")
        # entries are numbered from 1 for people ("entry 2"), pydantic counts from 0
        msgs = [re.sub(r"key '\[(\d+)\]\.?", lambda m: f"entry {int(m.group(1)) + 1} key '", m) for m in msgs]
        raise InputError(f"{name}: {join(msgs)}; each exception needs rule, features, reason and the "
                         "approving document") from None
    return [
        ExceptionEntry(
            rule=d.rule,
            features=_ids(d.features),
            reason=d.reason.strip(),
            document=d.document.strip(),
            layers=_ids(d.layers) if d.layers is not None else None,
            unit=str(d.unit).strip() if d.unit is not None else None,
        )
        for d in docs
    ]


def parse_exceptions(text: str, fmt: str, name: str = "exceptions") -> list[ExceptionEntry]:
    """Parse exceptions from CSV (``fmt="csv"``) or YAML (``fmt="yaml"``) text."""
    rows: Iterable[Any]
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        if not reader.fieldnames or "rule" not in [f.strip().lower() for f in reader.fieldnames]:
            raise InputError(f"{name}: the CSV needs a header with rule,features,reason,document")
        rows = list(reader)
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(f"{name} is not valid YAML: {str(exc).splitlines()[0]}") from None
        if isinstance(data, dict) and "exceptions" in data:
            data = data["exceptions"]
        if data is None:
            data = []
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise InputError(f"{name}: the YAML must be a list of entries with rule, features, reason, document")
        rows = data
    return _entries(list(rows), name)


def load_exceptions(path: str | Path) -> list[ExceptionEntry]:
    """Read an exceptions file (``.csv``, ``.yaml`` or ``.yml``).

    Raises
    ------
    InputError
        When the file is missing or an entry lacks its rule, reason or document.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("exceptions file {p} does not exist; give a .csv or .yaml file as {opt:exceptions}", p=p)
    suffix = p.suffix.lower()
    if suffix not in {".csv", ".yaml", ".yml"}:
        raise InputError(f"exceptions file {p} must be .csv, .yaml or .yml")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = p.read_bytes().decode("gb18030", errors="replace")
    return parse_exceptions(text, "csv" if suffix == ".csv" else "yaml", str(p))


def apply_exceptions(violations: Iterable[Any], entries: Sequence[ExceptionEntry]) -> tuple[int, list[int]]:
    """Mark the violations an entry covers as accepted.

    Returns
    -------
    (marked, unused)
        How many violations were marked, and the (0-based) indices of the
        entries that matched none (stale exceptions worth a look).
    """
    n = 0
    used: set[int] = set()
    for v in violations:
        for i, e in enumerate(entries):
            if e.matches(v.rule, v.features, v.layers, v.unit):
                v.accepted = True
                v.exception = {"reason": e.reason, "document": e.document}
                used.add(i)
                n += 1
                break
    return n, [i for i in range(len(entries)) if i not in used]
