"""The plan's indicator scorecard (表1): load the indicators, read values, evaluate them.

The indicators are data: the plan file names a TOML file of them in ``[plan] indicators``
(``eco12geo/plans/xpcc12_2023_2035_indicators.toml`` for the bundled plan), each with its
target as printed and a machine-checkable ``check``:

``threshold``
    ``op`` and ``value``: numbers, percentages and ranges.  A range such as ``≥22`` is met
    against ``≥20`` only when every number in it is; a range that straddles the target is
    not met ("not guaranteed").
``text``
    ``accept`` / ``reject`` words.  A value is met when it says an accepted word; a rejected
    word, or an accepted word negated (``未制定``, ``未建立``), is not met.  Other words are
    ``no_data`` (the value could not be read), never guessed.
``trend``
    保持稳定或持续改善 / 完成上级…目标, with ``better = "higher" | "lower"``: a change
    (``较2020年下降10.64%``), a statement (``保持稳定``, ``完成上级规定的目标任务``, also in a
    note such as ``94.15（持续改善）``), or a level compared with the same indicator's
    published base-year (2022) value.
``delta``
    the change of a level against the base-year value must satisfy ``op`` / ``value``
    (``△EQI≥-1``).

A published cell that cannot be recomputed from 表1 (a bare level against a target relative
to a figure the plan does not print) may carry ``assessed``: the plan's own verdict, with the
sentence it comes from.  It is used for that published cell only, never for a value given by
the user.  Statuses are ``met``, ``not_met`` and ``no_data``; a multi-part indicator is met
only when every part is.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, PlanError
from .plan import load_plan, optional, read_toml, require

__all__ = [
    "Check",
    "Indicator",
    "IndicatorSet",
    "Part",
    "PartResult",
    "Result",
    "Scorecard",
    "evaluate",
    "load_indicators",
    "parse_indicators",
    "read_values",
    "scorecard",
    "scorecard_table",
]

STATUSES = ("met", "not_met", "no_data")
CHECK_KINDS = {"threshold", "text", "trend", "delta"}
OPS = {">=", ">", "<=", "<", "=="}
ATTRIBUTES = {"约束性": "binding", "参考性": "reference"}

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

_NUM = r"[+-]?\d+(?:\.\d+)?"
_RE_NUMBER = re.compile(rf"^({_NUM})\s*(%|[^\d\s.+\-][^\d]*)?$")
_RE_BOUND = re.compile(rf"^(≥|>=|>|≤|<=|<|不低于|不少于|不小于|不高于|不超过|不大于|大于|小于)\s*({_NUM})\s*%?[^\d]*$")
_RE_BOUND_AFTER = re.compile(rf"^({_NUM})\s*%?\s*(以上|以下)$")
_RE_RANGE = re.compile(rf"^({_NUM})\s*%?\s*(?:~|～|〜|—|–|至|到|-)\s*({_NUM})\s*%?$")
_RE_CHANGE = re.compile(
    rf"^(?:较|比)?(?:(\d{{4}})年)?(?:相比)?(下降|降低|减少|上升|提高|增加|增长)了?\s*({_NUM})\s*(%)?\s*(以上|以下)?$"
)
_RE_DELTA = re.compile(rf"^(?:△|Δ|∆)\s*[A-Za-z]*\s*[=:：]?\s*({_NUM})$")
_RE_NOTE = re.compile(r"^(.+?)\s*\((.*)\)\s*$")
_DOWN = {"下降", "降低", "减少"}


# ───────────────────────────── the indicators, as data ─────────────────────────────


@dataclass(frozen=True)
class Check:
    """How a target is tested: ``kind`` and its parameters (see the module docstring)."""

    kind: str
    op: str | None = None
    value: float | None = None
    better: str | None = None
    accept: tuple[str, ...] = ()
    reject: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessed:
    """The plan's own verdict on one published cell, with the sentence it comes from."""

    status: str
    source: str


@dataclass(frozen=True)
class Part:
    """One checkable item: an indicator, or one part of a multi-part indicator."""

    name_zh: str
    name_en: str
    unit: str
    target: str
    check: Check
    values: dict[int, str]
    assessed: dict[int, Assessed] = field(default_factory=dict)


@dataclass(frozen=True)
class Indicator:
    """One row of 表1."""

    no: int
    name_zh: str
    name_en: str
    domain: str
    task: str
    unit: str
    attribute: str
    target: str
    section: str
    parts: tuple[Part, ...]
    multi: bool = False
    aliases: tuple[str, ...] = ()
    covers: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndicatorSet:
    """The indicators of one plan, with what the plan's text says about them."""

    plan_id: str
    section: str
    years: tuple[int, ...]
    base_year: int
    domains: dict[str, str]
    indicators: tuple[Indicator, ...]
    stated_total: int | None = None
    stated_binding: int | None = None
    stated_reference: int | None = None
    stated_met: int | None = None
    stated_not_met: tuple[str, ...] = ()
    source: str = ""

    def get(self, no: int) -> Indicator:
        """Return indicator ``no``."""
        for ind in self.indicators:
            if ind.no == no:
                return ind
        raise KeyError(no)


def _req(t: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    return require(t, key, where, kind, what="indicators")


def _opt(t: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...], default: Any) -> Any:
    return optional(t, key, where, kind, default, what="indicators")


def _texts(t: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    v = _opt(t, key, where, list, [])
    if not all(isinstance(x, str) and x for x in v):
        raise PlanError(f"indicators key '{where}.{key}' must be a list of non-empty text")
    return tuple(v)


def _check(t: dict[str, Any], where: str) -> Check:
    c = _req(t, "check", where, dict)
    w = f"{where}.check"
    kind = _req(c, "kind", w, str)
    if kind not in CHECK_KINDS:
        raise PlanError(f"indicators key '{w}.kind' must be one of {sorted(CHECK_KINDS)}, not {kind!r}")
    op = value = better = None
    if kind in ("threshold", "delta"):
        op = _req(c, "op", w, str)
        if op not in OPS:
            raise PlanError(f"indicators key '{w}.op' must be one of {sorted(OPS)}, not {op!r}")
        value = _req(c, "value", w, float)
    if kind == "trend":
        better = _req(c, "better", w, str)
        if better not in ("higher", "lower"):
            raise PlanError(f"indicators key '{w}.better' must be 'higher' or 'lower', not {better!r}")
    accept, reject = _texts(c, "accept", w), _texts(c, "reject", w)
    if kind == "text" and not accept:
        raise PlanError(f"indicators key '{w}.accept' is missing: a text check needs the accepted words")
    return Check(kind, op, value, better, accept, reject)


def _values(t: dict[str, Any], where: str, years: tuple[int, ...]) -> dict[int, str]:
    raw = _req(t, "values", where, dict)
    out: dict[int, str] = {}
    for y in years:
        v = raw.get(str(y))
        if not isinstance(v, str) or not v.strip():
            raise PlanError(f"indicators key '{where}.values.{y}' is missing or not text")
        out[y] = v
    extra = set(raw) - {str(y) for y in years}
    if extra:
        raise PlanError(f"indicators key '{where}.values' has years not in indicators.years: {sorted(extra)}")
    return out


def _assessed(t: dict[str, Any], where: str, years: tuple[int, ...]) -> dict[int, Assessed]:
    raw = _opt(t, "assessed", where, dict, {})
    out: dict[int, Assessed] = {}
    for k, a in raw.items():
        w = f"{where}.assessed.{k}"
        if not k.isdigit() or int(k) not in years:
            raise PlanError(f"indicators key '{w}' is not a year of indicators.years")
        if not isinstance(a, dict):
            raise PlanError(f"indicators key '{w}' must be a table {{status, source}}")
        status = _req(a, "status", w, str)
        if status not in ("met", "not_met"):
            raise PlanError(f"indicators key '{w}.status' must be 'met' or 'not_met', not {status!r}")
        out[int(k)] = Assessed(status, _req(a, "source", w, str))
    return out


def parse_indicators(data: dict[str, Any], source: str = "") -> IndicatorSet:
    """Validate a parsed indicators file; raise :class:`PlanError` naming the key at fault."""
    head = _req(data, "indicators", "", dict)
    years_raw = _req(head, "years", "indicators", list)
    if not years_raw or not all(isinstance(y, int) and not isinstance(y, bool) for y in years_raw):
        raise PlanError("indicators key 'indicators.years' must be a non-empty list of years")
    years = tuple(years_raw)
    base_year = _opt(head, "base_year", "indicators", int, years[0])
    if base_year not in years:
        raise PlanError("indicators key 'indicators.base_year' must be one of indicators.years")
    domains = _req(head, "domains", "indicators", dict)
    if not all(isinstance(v, str) for v in domains.values()):
        raise PlanError("indicators key 'indicators.domains' must map each domain to its English name")
    rows = _req(data, "indicator", "", list)
    inds: list[Indicator] = []
    for i, r in enumerate(rows):
        where = f"indicator[{i}]"
        if not isinstance(r, dict):
            raise PlanError(f"indicators key '{where}' must be a table")
        no = _req(r, "no", where, int)
        where = f"indicator[no={no}]"
        domain = _req(r, "domain", where, str)
        if domain not in domains:
            raise PlanError(f"indicators key '{where}.domain' {domain!r} is not in indicators.domains")
        attribute = _req(r, "attribute", where, str)
        if attribute not in ATTRIBUTES:
            raise PlanError(f"indicators key '{where}.attribute' must be 约束性 or 参考性, not {attribute!r}")
        name_zh = _req(r, "name_zh", where, str)
        name_en = _req(r, "name_en", where, str)
        unit = _opt(r, "unit", where, str, "")
        parts_raw = _opt(r, "part", where, list, [])
        if parts_raw:
            if "check" in r or "values" in r:
                raise PlanError(f"indicators key '{where}' has parts; put check and values in each part")
            target = _opt(r, "target", where, str, "")
            parts = []
            for j, p in enumerate(parts_raw):
                pw = f"{where}.part[{j}]"
                if not isinstance(p, dict):
                    raise PlanError(f"indicators key '{pw}' must be a table")
                ptarget = _opt(p, "target", pw, str, target)
                if not ptarget:
                    raise PlanError(f"indicators key '{pw}.target' is missing (and the indicator has none)")
                parts.append(Part(_req(p, "name_zh", pw, str), _req(p, "name_en", pw, str),
                                  _opt(p, "unit", pw, str, unit), ptarget, _check(p, pw),
                                  _values(p, pw, years), _assessed(p, pw, years)))
            if not target:
                target = "；".join(p.target for p in parts)
            multi = True
        else:
            target = _req(r, "target", where, str)
            parts = [Part(name_zh, name_en, unit, target, _check(r, where), _values(r, where, years),
                          _assessed(r, where, years))]
            multi = False
        inds.append(Indicator(no, name_zh, name_en, domain, _req(r, "task", where, str), unit, attribute, target,
                              _req(r, "section", where, str), tuple(parts), multi,
                              _texts(r, "aliases", where), _texts(r, "covers", where)))
    nos = [d.no for d in inds]
    if nos != list(range(1, len(nos) + 1)):
        raise PlanError(f"indicators key 'indicator.no' must number the rows 1…{len(nos)} in order, found {nos}")
    return IndicatorSet(
        plan_id=_req(head, "plan_id", "indicators", str),
        section=_opt(head, "section", "indicators", str, ""),
        years=years,
        base_year=base_year,
        domains=dict(domains),
        indicators=tuple(inds),
        stated_total=_opt(head, "stated_total", "indicators", int, None),
        stated_binding=_opt(head, "stated_binding", "indicators", int, None),
        stated_reference=_opt(head, "stated_reference", "indicators", int, None),
        stated_met=_opt(head, "stated_met", "indicators", int, None),
        stated_not_met=_texts(head, "stated_not_met", "indicators"),
        source=source,
    )


def load_indicators(plan_path: str | Path | None = None) -> IndicatorSet:
    """Load the indicators the plan file names in ``[plan] indicators``.

    Parameters
    ----------
    plan_path
        A TOML plan file; None uses the bundled 12th Division plan.  The indicators file is
        resolved relative to the plan file.

    Returns
    -------
    IndicatorSet
        The validated indicators.

    Raises
    ------
    PlanError
        When the plan has no ``plan.indicators`` key, the file is missing, or a key of it is
        missing or wrong; the message names the key.
    """
    plan = load_plan(plan_path)
    where_plan = str(plan_path) if plan_path is not None else "(bundled) plan"
    name = plan.indicators
    if name is None:
        raise PlanError(f"{where_plan}: plan key 'plan.indicators' is missing; name the file of 表1's indicators there")
    path = None if plan_path is None else Path(plan_path).parent / name
    if path is not None:
        folder = Path(plan_path).resolve().parent  # type: ignore[arg-type]
        if not path.resolve().is_relative_to(folder):
            raise PlanError(f"{where_plan}: plan key 'plan.indicators' names {name!r}, which leads out of the plan's "
                            "folder; keep the indicators file beside the plan file")
        if not path.is_file():
            raise PlanError(f"{where_plan}: plan key 'plan.indicators' names {path}, which does not exist")
    data, where = read_toml(path, name, what="indicators file")
    try:
        ind = parse_indicators(data, where)
    except PlanError as exc:
        raise PlanError(f"{where}: {exc}") from None
    if ind.plan_id != plan.id:
        raise PlanError(f"{where}: indicators key 'indicators.plan_id' is {ind.plan_id!r}, the plan is {plan.id!r}")
    return ind


# ───────────────────────────── reading values ─────────────────────────────


@dataclass(frozen=True)
class _Interval:
    lo: float
    hi: float
    lo_in: bool = True
    hi_in: bool = True

    @property
    def rep(self) -> float:
        """The figure a range commits to: its floor, else its ceiling."""
        return self.lo if math.isfinite(self.lo) else self.hi

    def shift(self, d: float) -> _Interval:
        return _Interval(self.lo - d, self.hi - d, self.lo_in, self.hi_in)

    def text(self) -> str:
        if self.lo == self.hi:
            return _fmt(self.lo)
        if not math.isfinite(self.hi):
            return ("≥" if self.lo_in else ">") + _fmt(self.lo)
        if not math.isfinite(self.lo):
            return ("≤" if self.hi_in else "<") + _fmt(self.hi)
        return f"{_fmt(self.lo)}–{_fmt(self.hi)}"


@dataclass(frozen=True)
class _Change:
    lo: float  # signed change (negative = fall), as an interval
    hi: float
    percent: bool
    base_year: int | None
    text: str


@dataclass(frozen=True)
class _Value:
    raw: str
    main: str  # NFKC, no "*", no note
    note: str
    marked: bool  # carried 表1's "*" (未达标)
    interval: _Interval | None = None
    change: _Change | None = None


def _fmt(x: float) -> str:
    return f"{x:g}"


def _nfkc(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).replace("−", "-").replace("－", "-")
    return t.replace("“", "").replace("”", "").strip()


def _key(text: str) -> str:
    """Return a status word for comparison: NFKC, no spaces or punctuation."""
    return re.sub(r"[\s,.;:、。，；：!！?？\"'“”]", "", _nfkc(text))


def _parse_value(raw: str) -> _Value:
    t = _nfkc(raw)
    marked = t.endswith("*")
    t = t.rstrip("*").strip()
    note = ""
    m = _RE_NOTE.match(t)
    if m:
        t, note = m.group(1).strip().rstrip("*").strip(), m.group(2).strip()
        marked = marked or raw.rstrip().rstrip("）)").endswith("*")
    s = t.replace(" ", "")
    iv: _Interval | None = None
    ch: _Change | None = None
    if m := _RE_NUMBER.match(s):
        x = float(m.group(1))
        iv = _Interval(x, x)
    elif m := _RE_BOUND.match(s):
        op, x = m.group(1), float(m.group(2))
        if op in ("≥", ">=", "不低于", "不少于", "不小于"):
            iv = _Interval(x, math.inf)
        elif op in (">", "大于"):
            iv = _Interval(x, math.inf, lo_in=False)
        elif op in ("≤", "<=", "不高于", "不超过", "不大于"):
            iv = _Interval(-math.inf, x)
        else:
            iv = _Interval(-math.inf, x, hi_in=False)
    elif m := _RE_BOUND_AFTER.match(s):
        x = float(m.group(1))
        iv = _Interval(x, math.inf) if m.group(2) == "以上" else _Interval(-math.inf, x)
    elif m := _RE_RANGE.match(s):
        a, b = float(m.group(1)), float(m.group(2))
        iv = _Interval(min(a, b), max(a, b))
    elif m := _RE_CHANGE.match(s):
        amount = abs(float(m.group(3)))
        sign = -1.0 if m.group(2) in _DOWN else 1.0
        bound = m.group(5)
        lo, hi = (amount, math.inf) if bound == "以上" else (0.0, amount) if bound == "以下" else (amount, amount)
        slo, shi = sorted((sign * lo, sign * hi))
        year = int(m.group(1)) if m.group(1) else None
        ch = _Change(slo, shi, bool(m.group(4)), year, t)
    elif m := _RE_DELTA.match(s):
        d = float(m.group(1))
        ch = _Change(d, d, False, None, t)
    return _Value(raw=raw, main=t, note=note, marked=marked, interval=iv, change=ch)


def _cjk(text: str) -> int:
    return sum("\u4e00" <= c <= "\u9fff" for c in text)


def _decode_csv(data: bytes, p: Path) -> str:
    """UTF-8 (with or without BOM), else GBK (read as GB18030, its superset).

    Short GBK text can also be valid UTF-8 (实施 = CA B5 CA A9 reads as "ʵʩ"): a UTF-8
    reading without a single Chinese character but with several characters of
    U+0080–U+07FF, where the GBK reading has Chinese, is taken as GBK.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"--values {p} has a UTF-8 mark but is not UTF-8 ({exc.reason}); save it again") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        odd = sum("\u0080" <= c <= "\u07ff" for c in text)
        if _cjk(text) or odd < 2:
            return text
    try:
        gbk = data.decode("gb18030")
    except UnicodeDecodeError:
        gbk = None
    if gbk is not None and (text is None or _cjk(gbk)):
        return gbk
    if text is not None:
        return text
    raise InputError(f"--values {p} is neither UTF-8 nor GBK text; save it as UTF-8 CSV")


def read_values(path: str | Path) -> dict[str, str | None]:
    """Read a values CSV (columns ``no,value`` and optionally ``sub``), UTF-8 or GBK.

    Returns keys ``"no"`` or ``"no:sub"`` (``sub`` as written: a part's 1-based number or
    its Chinese name) mapped to the value text, None for an empty cell (→ ``no_data``).

    Raises
    ------
    InputError
        When the file is missing or unreadable, a column is missing, a number is bad or a
        row repeats another; the message names the file and line.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"--values {p} does not exist; give a CSV with the columns no,value")
    text = _decode_csv(p.read_bytes(), p)
    if "\x00" in text:
        raise InputError(f"--values {p} is not a text CSV (binary content); save it as CSV, UTF-8")
    aliases = {"no": "no", "序号": "no", "value": "value", "值": "value", "数值": "value", "指标值": "value",
               "sub": "sub", "子项": "sub", "part": "sub"}
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"--values {p} is empty; give the columns no,value") from None
    except csv.Error as exc:
        raise InputError(f"--values {p} is not a readable CSV: {exc}") from None
    cols = [aliases.get(h.strip().lower(), h.strip()) for h in header]
    if "no" not in cols or "value" not in cols:
        raise InputError(f"--values {p}: needs the columns no,value (optionally sub); found {','.join(header)}")
    i_no, i_val = cols.index("no"), cols.index("value")
    i_sub = cols.index("sub") if "sub" in cols else None
    out: dict[str, str | None] = {}
    try:
        for line, row in enumerate(reader, start=2):
            if not any(c.strip() for c in row):
                continue
            cell = row[i_no].strip() if i_no < len(row) else ""
            try:
                no = int(float(cell))
                if str(no) != cell and f"{no}.0" != cell:
                    raise ValueError(cell)
            except ValueError:
                raise InputError(f"--values {p} line {line}: no {cell!r} is not an indicator number") from None
            sub = row[i_sub].strip() if i_sub is not None and i_sub < len(row) else ""
            key = f"{no}:{sub}" if sub else str(no)
            if key in out:
                raise InputError(f"--values {p} line {line}: indicator {key} is given twice")
            val = row[i_val].strip() if i_val < len(row) else ""
            out[key] = val or None
    except csv.Error as exc:
        raise InputError(f"--values {p} is not a readable CSV: {exc}") from None
    return out


# ───────────────────────────── evaluation ─────────────────────────────


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


def _holds(iv: _Interval, op: str, v: float) -> _Verdict | None:
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
    want = f"{op.replace('>=', '≥').replace('<=', '≤')}{_fmt(v)}"
    have = iv.text()
    if all_ok:
        return "met", f"{have} satisfies {want}", f"{have}，满足{want}"
    if none_ok:
        return "not_met", f"{have} does not satisfy {want}", f"{have}，不满足{want}"
    return ("not_met", f"the range {have} does not guarantee {want}", f"范围{have}不能保证{want}")


def _words(value: _Value, check: Check, target: str) -> _Verdict | None:
    """Status words: the check's own accept/reject, then their negation."""
    k = _key(value.main)
    shown = value.raw.strip()
    accept = {_key(a) for a in check.accept}
    reject = {_key(r) for r in check.reject}
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


def _statement(value: _Value, target: str) -> _Verdict | None:
    """保持稳定 / 完成上级…目标 statements, in the value or in its note."""
    for text, where_en, where_zh in ((value.main, "", ""), (value.note, " (in the note)", "（注）")):
        k = _key(text)
        if not k:
            continue
        if any(b in k for b in BAD_STATEMENTS):
            return ("not_met", f"states '{text}'{where_en}: not '{target}'",
                    f"{where_zh}表述为“{text}”，未达到“{target}”")
        if any(g in k for g in GOOD_STATEMENTS):
            return ("met", f"states '{text}'{where_en}, which meets '{target}'",
                    f"{where_zh}表述为“{text}”，满足“{target}”")
    return None


def _trend(value: _Value, check: Check, base: _Value | None, base_year: int) -> _Verdict | None:
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
        ref_en, ref_zh = f"the {base_year} value {_fmt(b)}", f"{base_year}年的{_fmt(b)}"
        if ok:
            return "met", f"{iv.text()} against {ref_en}: stable or improving ({dir_en})", \
                f"{iv.text()}，较{ref_zh}保持稳定或改善（{dir_zh}）"
        if bad:
            return ("not_met", f"{iv.text()} against {ref_en}: worse ({dir_en})",
                    f"{iv.text()}，较{ref_zh}变差（{dir_zh}）")
        return ("not_met", f"the range {iv.text()} does not guarantee no worsening against {ref_en}",
                f"范围{iv.text()}不能保证较{ref_zh}不变差")
    return None


def _delta(value: _Value, check: Check, base: _Value | None, base_year: int) -> _Verdict | None:
    assert check.op is not None and check.value is not None
    if value.change is not None and not value.change.percent:
        v = _holds(_Interval(value.change.lo, value.change.hi), check.op, check.value)
        assert v is not None
        return v[0], f"change {v[1]}", f"变化{v[2]}"
    if value.interval is not None and base is not None and base.interval is not None:
        b = base.interval.rep
        v = _holds(value.interval.shift(b), check.op, check.value)
        assert v is not None
        return (v[0], f"change against the {base_year} value {_fmt(b)}: {v[1]}",
                f"较{base_year}年的{_fmt(b)}变化：{v[2]}")
    return None


def _evaluate_part(part: Part, text: str | None, year: int, given: bool, base_year: int) -> PartResult:
    src = "values" if given else f"published {year}"

    def out(v: _Verdict) -> PartResult:
        return PartResult(part.name_zh, part.name_en, v[0], text, part.target, v[1], v[2], src)

    if text is None or not text.strip():
        return out(("no_data", "no value given", "未提供数值"))
    value = _parse_value(text)
    check = part.check
    verdict = _words(value, check, part.target)
    if verdict is None and check.kind in ("trend", "delta"):
        verdict = _statement(value, part.target)
    if verdict is None:
        base = _parse_value(part.values[base_year]) if year != base_year else None
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
            matches = [k for k, p in enumerate(ind.parts) if _key(p.name_zh) == _key(sub) or p.name_en == sub]
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
        raise InputError(f"--year {year} is not a column of 表1; use one of {cols}")
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


def _clip(text: str, width: int) -> str:
    from .labels import text_width

    if text_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def scorecard_table(card: Scorecard, lang: str = "zh", given: bool = False) -> str:
    """Return the scorecard as a plain-text table for the terminal, grouped by domain."""
    from .labels import indicator_label as lab
    from .labels import pad

    marks = {"met": "✓", "not_met": "✗", "no_data": "?"}
    source = lab("given" if given else "published", lang)
    year = f"{card.year}年" if lang == "zh" else str(card.year)
    lines = [f"{lab('title', lang)} — {year} — {source}", ""]
    wn, wv, wt = 40, 26, 26
    lines.append("    " + pad(lab("no", lang), 5) + pad(lab("name", lang), wn + 1) + pad(lab("value", lang), wv + 1)
                 + pad(lab("target", lang), wt + 1) + lab("status", lang))
    domain = None
    for r in card.results:
        d = r.indicator
        if d.domain != domain:
            domain = d.domain
            lines.append(d.domain if lang == "zh" else r.domain_en)
        rows = [(marks[r.status], str(d.no), d.name_zh if lang == "zh" else d.name_en, r.value, d.target, r.status,
                 d.attribute)]
        if d.multi:
            rows[0] = (rows[0][0], rows[0][1], rows[0][2], "", d.target, r.status, d.attribute)
            for k, p in enumerate(r.parts, start=1):
                rows.append((marks[p.status], f"{d.no}.{k}", "  " + (p.name_zh if lang == "zh" else p.name_en),
                             p.value or "—", p.target, p.status, ""))
        for mark, no, name, value, target, status, attr in rows:
            attr_s = f" ({lab(attr, lang)})" if attr else ""
            lines.append("  " + pad(mark, 2) + pad(no, 5) + pad(_clip(name, wn), wn + 1)
                         + pad(_clip(value if value is not None else "—", wv), wv + 1) + pad(_clip(target, wt), wt + 1)
                         + lab(status, lang) + attr_s)
    s = card.summary
    lines.append("")
    lines.append(f"{lab('summary', lang)}: {lab('met', lang)} {s['met']} · {lab('not_met', lang)} {s['not_met']}"
                 f" · {lab('no_data', lang)} {s['no_data']}")
    return "\n".join(lines)
