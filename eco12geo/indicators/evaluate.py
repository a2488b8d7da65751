"""Judging values against 表1's targets: each part, each indicator, and the year's :class:`Scorecard`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from .load import load_indicators
from .model import ATTRIBUTES, STATUSES, Indicator, IndicatorCheck, IndicatorSet, Part
from .values import Interval, Value, fmt, parse_value, read_values, word_key

__all__ = ["PartResult", "Result", "Scorecard", "evaluate", "scorecard"]


#: statements that satisfy 保持稳定或持续改善 / 完成上级…目标 (checked after the negative ones)
GOOD_STATEMENTS = (
    "保持稳定或持续改善",
    "保持稳定",
    "持续改善",
    "稳定",
    "改善",
    "完成上级规定的目标任务",
    "完成上级规定的考核任务",
    "完成上级管控目标",
    "完成上级下达目标",
    "满足上级下达目标",
    "达标",
)
#: statements that fail them; checked first, since 未完成… contains 完成…
BAD_STATEMENTS = (
    "未完成", "没有完成", "不满足", "未满足", "恶化", "变差",
    "不稳定", "未改善", "没有改善", "未达标", "不达标", "未保持",
)
#: prefixes that negate a status word (未制定, 未建立, 无…, 不…)
NEGATIONS = ("尚未", "没有", "未", "无", "不", "非")


@dataclass(frozen=True)
class PartResult:
    """The status of one part (or of a one-part indicator)."""

    name_zh: str
    name_en: str
    status: str
    value: str | None
    target: str
    reason: str
    reason_zh: str
    value_source: str

    def to_dict(self) -> dict[str, Any]:
        """Return the part as a JSON-ready dict."""
        return {"name_zh": self.name_zh, "name_en": self.name_en, "status": self.status, "value": self.value,
                "target": self.target, "reason": self.reason, "reason_zh": self.reason_zh,
                "value_source": self.value_source}


@dataclass(frozen=True)
class Result:
    """The status of one indicator of 表1."""

    indicator: Indicator
    domain_en: str
    status: str
    parts: tuple[PartResult, ...]

    @property
    def value(self) -> str | None:
        """The value text (parts joined with "；"), None when there is none."""
        if not self.indicator.multi:
            return self.parts[0].value
        if all(p.value is None for p in self.parts):
            return None
        return "；".join(f"{p.name_zh} {p.value if p.value is not None else '—'}" for p in self.parts)

    @property
    def reason(self) -> str:
        """Why, in English."""
        if not self.indicator.multi:
            return self.parts[0].reason
        return "; ".join(f"{p.name_en}: {p.reason}" for p in self.parts)

    @property
    def reason_zh(self) -> str:
        """Why, in Chinese."""
        if not self.indicator.multi:
            return self.parts[0].reason_zh
        return "；".join(f"{p.name_zh}：{p.reason_zh}" for p in self.parts)

    def to_dict(self) -> dict[str, Any]:
        """Return the indicator as in ``scorecard.json``."""
        d = self.indicator
        doc: dict[str, Any] = {
            "no": d.no, "name_zh": d.name_zh, "name_en": d.name_en, "domain": d.domain, "domain_en": self.domain_en,
            "task": d.task, "unit": d.unit, "attribute": d.attribute,
            "attribute_en": ATTRIBUTES[d.attribute], "status": self.status, "value": self.value,
            "target": d.target, "reason": self.reason, "reason_zh": self.reason_zh,
            "value_source": self.parts[0].value_source if not d.multi else
            ",".join(sorted({p.value_source for p in self.parts})),
            "section": d.section,
        }
        if d.multi:
            doc["parts"] = [p.to_dict() for p in self.parts]
        return doc


@dataclass(frozen=True)
class Scorecard:
    """The 表1 scorecard of one year."""

    plan_id: str
    section: str
    year: int
    results: tuple[Result, ...]

    @property
    def summary(self) -> dict[str, int]:
        """Counts of indicators per status."""
        return {s: sum(r.status == s for r in self.results) for s in STATUSES}

    def to_dict(self) -> dict[str, Any]:
        """Return ``scorecard.json`` (schema_version 1)."""
        return {"schema_version": 1, "plan": self.plan_id, "section": self.section, "year": self.year,
                "indicators": [r.to_dict() for r in self.results], "summary": self.summary}

    def to_rows(self) -> list[dict[str, Any]]:
        """Return ``scorecard.csv``'s rows: one per indicator, then one per part (``part`` = 7.1 …)."""
        rows = []
        for r in self.results:
            d = r.to_dict()
            rows.append({"no": d["no"], "part": "", "name_zh": d["name_zh"], "name_en": d["name_en"],
                         "domain": d["domain"], "attribute": d["attribute"], "status": d["status"],
                         "value": d["value"] or "", "target": d["target"], "reason": d["reason"],
                         "reason_zh": d["reason_zh"], "value_source": d["value_source"]})
            if r.indicator.multi:
                for k, p in enumerate(r.parts, start=1):
                    rows.append({"no": d["no"], "part": f"{d['no']}.{k}", "name_zh": p.name_zh, "name_en": p.name_en,
                                 "domain": d["domain"], "attribute": d["attribute"], "status": p.status,
                                 "value": p.value or "", "target": p.target, "reason": p.reason,
                                 "reason_zh": p.reason_zh, "value_source": p.value_source})
        return rows


_Verdict = tuple[str, str, str]  # status, reason (en), reason_zh


def _holds(iv: Interval, op: str, v: float) -> _Verdict | None:
    """Whether every / no number of ``iv`` satisfies ``op v``: met, not_met, or partial (not_met)."""
    if op == ">=":
        all_ok, none_ok = iv.lo >= v, iv.hi < v or (iv.hi == v and not iv.hi_in)
    elif op == ">":
        all_ok, none_ok = iv.lo > v or (iv.lo == v and not iv.lo_in), iv.hi <= v
    elif op == "<=":
        all_ok, none_ok = iv.hi <= v, iv.lo > v or (iv.lo == v and not iv.lo_in)
    elif op == "<":
        all_ok, none_ok = iv.hi < v or (iv.hi == v and not iv.hi_in), iv.lo >= v
    else:
        all_ok, none_ok = iv.lo == iv.hi == v, not (iv.lo <= v <= iv.hi)
    want = f"{op.replace('>=', '≥').replace('<=', '≤')}{fmt(v)}"
    have = iv.text()
    if all_ok:
        return "met", f"{have} satisfies {want}", f"{have}，满足{want}"
    if none_ok:
        return "not_met", f"{have} does not satisfy {want}", f"{have}，不满足{want}"
    return ("not_met", f"the range {have} does not guarantee {want}", f"范围{have}不能保证{want}")


def _words(value: Value, check: IndicatorCheck, target: str) -> _Verdict | None:
    """Status words: the check's own accept/reject, then their negation."""
    k = word_key(value.main)
    shown = value.raw.strip()
    accept = {word_key(a) for a in check.accept}
    reject = {word_key(r) for r in check.reject}
    if k in reject:
        return "not_met", f"'{shown}' does not meet '{target}'", f"“{shown}”不满足“{target}”"
    if k in accept:
        return "met", f"'{shown}' meets '{target}'", f"“{shown}”满足“{target}”"
    for neg in NEGATIONS:
        rest = k[len(neg):]
        if k.startswith(neg) and rest and any(rest in a for a in accept):
            return ("not_met", f"'{shown}' is the negation of '{target}'",
                    f"“{shown}”即未达到“{target}”")
    return None


def _statement(value: Value, target: str) -> _Verdict | None:
    """保持稳定 / 完成上级…目标 statements, in the value or in its note."""
    for text, where_en, where_zh in ((value.main, "", ""), (value.note, " (in the note)", "（注）")):
        k = word_key(text)
        if not k:
            continue
        if any(b in k for b in BAD_STATEMENTS):
            return ("not_met", f"states '{text}'{where_en}: not '{target}'",
                    f"{where_zh}表述为“{text}”，未达到“{target}”")
        if any(g in k for g in GOOD_STATEMENTS):
            return ("met", f"states '{text}'{where_en}, which meets '{target}'",
                    f"{where_zh}表述为“{text}”，满足“{target}”")
    return None


def _trend(value: Value, check: IndicatorCheck, base: Value | None, base_year: int) -> _Verdict | None:
    """Judge a change, or a level against the base-year level: stable or in the better direction."""
    higher = check.better == "higher"
    dir_en = "higher is better" if higher else "lower is better"
    dir_zh = "越高越好" if higher else "越低越好"
    if value.change is not None:
        c = value.change
        ok, bad = (c.lo >= 0, c.hi < 0) if higher else (c.hi <= 0, c.lo > 0)
        if ok:
            return "met", f"{c.text}: stable or improving ({dir_en})", f"{c.text}，保持稳定或改善（{dir_zh}）"
        if bad:
            return "not_met", f"{c.text}: worse ({dir_en})", f"{c.text}，变差（{dir_zh}）"
        return "not_met", f"{c.text} does not guarantee no worsening", f"{c.text}不能保证不变差"
    if value.interval is not None and base is not None and base.interval is not None:
        b, iv = base.interval.rep, value.interval
        ok, bad = (iv.lo >= b, iv.hi < b) if higher else (iv.hi <= b, iv.lo > b)
        ref_en, ref_zh = f"the {base_year} value {fmt(b)}", f"{base_year}年的{fmt(b)}"
        if ok:
            return "met", f"{iv.text()} against {ref_en}: stable or improving ({dir_en})", \
                f"{iv.text()}，较{ref_zh}保持稳定或改善（{dir_zh}）"
        if bad:
            return ("not_met", f"{iv.text()} against {ref_en}: worse ({dir_en})",
                    f"{iv.text()}，较{ref_zh}变差（{dir_zh}）")
        return ("not_met", f"the range {iv.text()} does not guarantee no worsening against {ref_en}",
                f"范围{iv.text()}不能保证较{ref_zh}不变差")
    return None


def _delta(value: Value, check: IndicatorCheck, base: Value | None, base_year: int) -> _Verdict | None:
    assert check.op is not None and check.value is not None
    if value.change is not None and not value.change.percent:
        v = _holds(Interval(value.change.lo, value.change.hi), check.op, check.value)
        assert v is not None
        return v[0], f"change {v[1]}", f"变化{v[2]}"
    if value.interval is not None and base is not None and base.interval is not None:
        b = base.interval.rep
        v = _holds(value.interval.shift(b), check.op, check.value)
        assert v is not None
        return (v[0], f"change against the {base_year} value {fmt(b)}: {v[1]}",
                f"较{base_year}年的{fmt(b)}变化：{v[2]}")
    return None


def _evaluate_part(part: Part, text: str | None, year: int, given: bool, base_year: int) -> PartResult:
    src = "values" if given else f"published {year}"

    def out(v: _Verdict) -> PartResult:
        return PartResult(part.name_zh, part.name_en, v[0], text, part.target, v[1], v[2], src)

    if text is None or not text.strip():
        return out(("no_data", "no value given", "未提供数值"))
    value = parse_value(text)
    check = part.check
    verdict = _words(value, check, part.target)
    if verdict is None and check.kind in ("trend", "delta"):
        verdict = _statement(value, part.target)
    if verdict is None:
        base = parse_value(part.values[base_year]) if year != base_year else None
        if check.kind == "threshold":
            assert check.op is not None and check.value is not None
            if value.interval is not None:
                verdict = _holds(value.interval, check.op, check.value)
            elif value.change is not None:
                verdict = ("no_data",
                           f"a change ('{value.main}') cannot be compared with '{part.target}'; give the level",
                           f"变化量“{value.main}”无法与“{part.target}”比较，请给出数值")
        elif check.kind == "trend":
            verdict = _trend(value, check, base, base_year)
        elif check.kind == "delta":
            verdict = _delta(value, check, base, base_year)
    if verdict is None and not given and year in part.assessed:
        a = part.assessed[year]
        verdict = (a.status,
                   f"表1 gives '{value.main}' without the figure it is judged against; "
                   f"the plan's assessment: {a.source}",
                   f"表1仅给出“{value.main}”，缺少比较基准；采用规划自身的评价：{a.source}")
    if verdict is None:
        if check.kind in ("trend", "delta") and value.interval is not None:
            verdict = ("no_data",
                       f"a level alone ('{value.main}') cannot show '{part.target}'; give a change "
                       "(较2020年下降3%) or a statement (保持稳定, 完成上级规定的目标任务)",
                       f"仅有数值“{value.main}”无法判断“{part.target}”；请给出变化（如较2020年下降3%）或表述（如保持稳定）")
        else:
            verdict = ("no_data", f"cannot read '{value.main}' against '{part.target}'",
                       f"无法识别“{value.main}”是否满足“{part.target}”")
    return out(verdict)


def _resolve_values(ind_set: IndicatorSet, values: Mapping[Any, str | None]) -> dict[tuple[int, int], str | None]:
    out: dict[tuple[int, int], str | None] = {}
    nos = {d.no: d for d in ind_set.indicators}
    for key, val in values.items():
        text = str(key).strip()
        no_s, _, sub = text.partition(":") if ":" in text else text.partition(".")
        try:
            no = int(no_s)
        except ValueError:
            raise InputError(f"values: {key!r} is not an indicator number (1–{len(nos)})") from None
        if no not in nos:
            raise InputError(f"values: indicator {no} is not in 表1 (1–{len(nos)})")
        ind = nos[no]
        sub = sub.strip()
        if not sub:
            if ind.multi:
                names = "、".join(f"{k}={p.name_zh}" for k, p in enumerate(ind.parts, start=1))
                raise InputError(f"values: indicator {no} has parts; give the sub column ({names})")
            idx = 0
        elif sub.isdigit() and 1 <= int(sub) <= len(ind.parts) and ind.multi:
            idx = int(sub) - 1
        else:
            matches = [k for k, p in enumerate(ind.parts) if word_key(p.name_zh) == word_key(sub) or p.name_en == sub]
            if not matches or not ind.multi:
                raise InputError(f"values: indicator {no} has no part {sub!r}")
            idx = matches[0]
        out[(no, idx)] = None if val is None else str(val)
    return out


def evaluate(
    indicators: IndicatorSet, values: Mapping[Any, str | None] | None = None, year: int | None = None
) -> Scorecard:
    """Evaluate every indicator for ``year``.

    Parameters
    ----------
    indicators
        From :func:`load_indicators`.
    values
        Values that replace the published ones of ``year``: keys are the indicator number
        (``3`` or ``"3"``) or, for a part, ``"7.1"`` / ``"7:优良天数比例"``; a value of None or
        ``""`` gives ``no_data``.  None: the published column only.
    year
        The published column used as the base (default: the base year, 2022).

    Returns
    -------
    Scorecard

    Raises
    ------
    InputError
        For a year that is not a column of 表1, or a key naming no indicator or part.
    """
    year = indicators.base_year if year is None else year
    if year not in indicators.years:
        cols = ", ".join(str(y) for y in indicators.years)
        raise InputError("{opt:year={year}} is not a column of 表1; use one of {cols}", year=year, cols=cols)
    given = _resolve_values(indicators, values or {})
    results = []
    for ind in indicators.indicators:
        parts = []
        for k, part in enumerate(ind.parts):
            if (ind.no, k) in given:
                parts.append(_evaluate_part(part, given[(ind.no, k)], year, True, indicators.base_year))
            else:
                parts.append(_evaluate_part(part, part.values[year], year, False, indicators.base_year))
        statuses = {p.status for p in parts}
        status = "not_met" if "not_met" in statuses else "met" if statuses == {"met"} else "no_data"
        results.append(Result(ind, indicators.domains[ind.domain], status, tuple(parts)))
    return Scorecard(indicators.plan_id, indicators.section, year, tuple(results))


def scorecard(values_path: str | Path | None = None, year: int | None = None,
              plan_path: str | Path | None = None) -> Scorecard:
    """Load the plan's indicators, read ``values_path`` (if any) and evaluate ``year``."""
    ind = load_indicators(plan_path)
    values = read_values(values_path) if values_path is not None else None
    return evaluate(ind, values, year)

