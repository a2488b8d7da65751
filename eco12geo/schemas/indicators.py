"""The indicators file (表1, TOML) as a typed document: every key, its type and its allowed values.

:func:`eco12geo.indicators.load_indicators` validates the file named by the plan's
``[plan] indicators`` against :class:`IndicatorsDocument` and builds the runtime
:class:`~eco12geo.indicators.IndicatorSet`.  Checks that span several keys (a row's
domain being one of ``indicators.domains``, the published columns being exactly
``indicators.years``, the rows numbered 1…n, what each check kind needs) are
:func:`cross_check`'s, which reports every problem at once too.  The JSON Schema of
this model is in ``docs/schemas/indicators.schema.json``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, WithJsonSchema

from . import Strict
from .plan import Year

__all__ = [
    "AssessedDoc",
    "Attribute",
    "Better",
    "CheckDoc",
    "CheckKind",
    "IndicatorDoc",
    "IndicatorsDocument",
    "IndicatorsHead",
    "Op",
    "PartDoc",
    "cross_check",
    "row_names",
]

CheckKind = Literal["threshold", "text", "trend", "delta"]
Op = Literal[">=", ">", "<=", "<", "=="]
Better = Literal["higher", "lower"]
#: 表1's 属性 column: binding or reference
Attribute = Literal["约束性", "参考性"]
Text = Annotated[str, Field(min_length=1)]
Count = Annotated[int, Field(ge=0)]


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must be text that is not blank")
    return text


#: a published cell of 表1: text as printed, never blank
Cell = Annotated[str, AfterValidator(_not_blank), WithJsonSchema({"type": "string", "pattern": r"\S"})]

#: what each check kind needs besides ``kind`` (and the keys that mean nothing to it)
NEEDS: dict[str, tuple[str, ...]] = {"threshold": ("op", "value"), "delta": ("op", "value"),
                                     "trend": ("better",), "text": ("accept",)}
_KIND_KEYS = ("op", "value", "better")


def _kind_rules(schema: dict[str, Any]) -> None:
    """Add to the JSON Schema what :func:`cross_check` checks of a check's kind."""
    rules = []
    for kind, needs in NEEDS.items():
        then: dict[str, Any] = {"required": list(needs),
                                "not": {"anyOf": [{"required": [k]} for k in _KIND_KEYS if k not in needs]}}
        if "accept" in needs:
            then["properties"] = {"accept": {"minItems": 1}}
        rules.append({"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]}, "then": then})
    schema["allOf"] = rules


class CheckDoc(Strict):
    """``check``: how a target is tested (see :mod:`eco12geo.indicators`)."""

    model_config = ConfigDict(json_schema_extra=_kind_rules)

    kind: CheckKind
    op: Op | None = Field(None, description="threshold and delta: the comparison")
    value: float | None = Field(None, description="threshold and delta: the figure compared with")
    better: Better | None = Field(None, description="trend: which direction is an improvement")
    accept: list[Text] = Field([], description="words that meet the target (text: at least one)")
    reject: list[Text] = Field([], description="words that do not")


class AssessedDoc(Strict):
    """``assessed.YEAR``: the plan's own verdict on one published cell, with the sentence it comes from."""

    status: Literal["met", "not_met"]
    source: str


class PartDoc(Strict):
    """``[[indicator.part]]``: one part of a multi-part indicator."""

    name_zh: Text
    name_en: Text
    unit: str | None = Field(None, description="default: the indicator's unit")
    target: str | None = Field(None, description="default: the indicator's target")
    check: CheckDoc
    values: dict[str, Cell] = Field(description="the published columns, one per year of indicators.years")
    assessed: dict[str, AssessedDoc] = {}


class IndicatorDoc(Strict):
    """``[[indicator]]``: one row of 表1; a multi-part row has ``part`` instead of check and values."""

    no: int
    name_zh: Text
    name_en: Text
    domain: Text
    task: str
    unit: str = ""
    attribute: Attribute
    target: str | None = None
    section: str
    check: CheckDoc | None = None
    values: dict[str, Cell] | None = None
    assessed: dict[str, AssessedDoc] = {}
    part: list[PartDoc] = []
    aliases: list[Text] = []
    covers: list[Text] = []


class IndicatorsHead(Strict):
    """``[indicators]``: which plan, the published columns, the domains and what the text states."""

    plan_id: Text
    section: str = ""
    years: list[Year] = Field(description="the published columns of 表1 (at least one)",
                              json_schema_extra={"minItems": 1})
    base_year: Year | None = Field(None, description="default: the first of years")
    domains: dict[str, str] = Field(description="each domain (领域) with its English name, in table order")
    stated_total: Count | None = None
    stated_binding: Count | None = None
    stated_reference: Count | None = None
    stated_met: Count | None = None
    stated_not_met: list[Text] = []


class IndicatorsDocument(Strict):
    """A whole indicators file."""

    indicators: IndicatorsHead
    indicator: list[IndicatorDoc]


def row_names(data: dict[str, Any]) -> dict[tuple[int | str, ...], str]:
    """Return how messages name each row of the raw file: ``indicator[no=7]`` rather than ``indicator[6]``.

    A row without an integer ``no`` keeps its index.
    """
    rows = data.get("indicator")
    return {
        ("indicator", i): f"no={r['no']}"
        for i, r in enumerate(rows if isinstance(rows, list) else [])
        if isinstance(r, dict) and isinstance(r.get("no"), int) and not isinstance(r.get("no"), bool)
    }


def _check_problems(c: CheckDoc, where: str) -> list[str]:
    w = f"{where}.check"
    out = []
    needs = NEEDS[c.kind]
    for key in needs:
        if (not c.accept) if key == "accept" else getattr(c, key) is None:
            what = "the accepted words" if key == "accept" else " and ".join(needs)
            out.append(f"indicators key '{w}.{key}' is missing: a {c.kind} check needs {what}")
    for key in _KIND_KEYS:
        if key not in needs and getattr(c, key) is not None:
            out.append(f"indicators key '{w}.{key}' does not apply to a {c.kind} check")
    return out


def _cell_problems(values: dict[str, str], assessed: dict[str, AssessedDoc], where: str,
                   years: list[int]) -> list[str]:
    out = [f"indicators key '{where}.values.{y}' is missing" for y in years if str(y) not in values]
    extra = sorted(set(values) - {str(y) for y in years})
    if extra:
        out.append(f"indicators key '{where}.values' has years not in indicators.years: {extra}")
    for k in assessed:
        if not k.isdigit() or int(k) not in years:
            out.append(f"indicators key '{where}.assessed.{k}' is not a year of indicators.years")
    return out


def cross_check(doc: IndicatorsDocument) -> list[str]:
    """Return the problems that span keys: domains, years, row numbers, parts, and what each check needs."""
    head = doc.indicators
    out: list[str] = []
    if not head.years:
        out.append("indicators key 'indicators.years' must be a non-empty list of years")
    if head.base_year is not None and head.base_year not in head.years:
        out.append("indicators key 'indicators.base_year' must be one of indicators.years")
    for r in doc.indicator:
        where = f"indicator[no={r.no}]"
        if r.domain not in head.domains:
            out.append(f"indicators key '{where}.domain' {r.domain!r} is not in indicators.domains")
        if r.part:
            for key in ("check", "values"):
                if getattr(r, key) is not None:
                    out.append(f"indicators key '{where}.{key}': the indicator has parts; "
                               "put check and values in each part")
            if r.assessed:
                out.append(f"indicators key '{where}.assessed': the indicator has parts; put assessed in each part")
            for j, p in enumerate(r.part):
                pw = f"{where}.part[{j}]"
                if not (p.target if p.target is not None else r.target):
                    out.append(f"indicators key '{pw}.target' is missing (and the indicator has none)")
                out += _check_problems(p.check, pw)
                out += _cell_problems(p.values, p.assessed, pw, head.years)
            continue
        for key in ("target", "check", "values"):
            if getattr(r, key) is None:
                out.append(f"indicators key '{where}.{key}' is missing")
        if r.check is not None:
            out += _check_problems(r.check, where)
        if r.values is not None:
            out += _cell_problems(r.values, r.assessed, where, head.years)
    nos = [r.no for r in doc.indicator]
    if nos != list(range(1, len(nos) + 1)):
        out.append(f"indicators key 'indicator.no' must number the rows 1…{len(nos)} in order, found {nos}")
    return out
