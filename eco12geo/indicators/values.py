"""The value grammar of 表1, and the values CSV (UTF-8 or GBK).

Values are read as written in the plan: ``21.0``, ``97.4%``, ``≥22``, ``20以上``, ``15-25``,
``较2020年下降10.64%``, ``△EQI=-0.5``, status words, and a note in brackets.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

__all__ = ["Change", "Interval", "Value", "fmt", "parse_value", "read_values", "word_key"]

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


@dataclass(frozen=True)
class Interval:
    """A set of numbers a value commits to: ``[lo, hi]``, each end open or closed, infinite when unbounded."""

    lo: float
    hi: float
    lo_in: bool = True
    hi_in: bool = True

    @property
    def rep(self) -> float:
        """The figure a range commits to: its floor, else its ceiling."""
        return self.lo if math.isfinite(self.lo) else self.hi

    def shift(self, d: float) -> Interval:
        """Return the interval moved down by ``d`` (a level as a change against ``d``)."""
        return Interval(self.lo - d, self.hi - d, self.lo_in, self.hi_in)

    def text(self) -> str:
        """Return the interval as the reasons print it: ``22``, ``≥20``, ``<5``, ``15–25``."""
        if self.lo == self.hi:
            return fmt(self.lo)
        if not math.isfinite(self.hi):
            return ("≥" if self.lo_in else ">") + fmt(self.lo)
        if not math.isfinite(self.lo):
            return ("≤" if self.hi_in else "<") + fmt(self.hi)
        return f"{fmt(self.lo)}–{fmt(self.hi)}"


@dataclass(frozen=True)
class Change:
    """A change a value states (``较2020年下降10.64%``, ``△EQI=-0.5``), as a signed interval."""

    lo: float  # signed change (negative = fall), as an interval
    hi: float
    percent: bool
    base_year: int | None
    text: str


@dataclass(frozen=True)
class Value:
    """One value as read: its text, the note in brackets, 表1's "*", and the number or change it states."""

    raw: str
    main: str  # NFKC, no "*", no note
    note: str
    marked: bool  # carried 表1's "*" (未达标)
    interval: Interval | None = None
    change: Change | None = None


def fmt(x: float) -> str:
    """Format a number as the tables print it (``%g``)."""
    return f"{x:g}"


def _nfkc(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).replace("−", "-").replace("－", "-")
    return t.replace("“", "").replace("”", "").strip()


def word_key(text: str) -> str:
    """Return a status word for comparison: NFKC, no spaces or punctuation."""
    return re.sub(r"[\s,.;:、。，；：!！?？\"'“”]", "", _nfkc(text))


def parse_value(raw: str) -> Value:
    """Read a value as written in 表1 or a values CSV (see :mod:`eco12geo.indicators`)."""
    t = _nfkc(raw)
    marked = t.endswith("*")
    t = t.rstrip("*").strip()
    note = ""
    m = _RE_NOTE.match(t)
    if m:
        t, note = m.group(1).strip().rstrip("*").strip(), m.group(2).strip()
        marked = marked or raw.rstrip().rstrip("）)").endswith("*")
    s = t.replace(" ", "")
    iv: Interval | None = None
    ch: Change | None = None
    if m := _RE_NUMBER.match(s):
        x = float(m.group(1))
        iv = Interval(x, x)
    elif m := _RE_BOUND.match(s):
        op, x = m.group(1), float(m.group(2))
        if op in ("≥", ">=", "不低于", "不少于", "不小于"):
            iv = Interval(x, math.inf)
        elif op in (">", "大于"):
            iv = Interval(x, math.inf, lo_in=False)
        elif op in ("≤", "<=", "不高于", "不超过", "不大于"):
            iv = Interval(-math.inf, x)
        else:
            iv = Interval(-math.inf, x, hi_in=False)
    elif m := _RE_BOUND_AFTER.match(s):
        x = float(m.group(1))
        iv = Interval(x, math.inf) if m.group(2) == "以上" else Interval(-math.inf, x)
    elif m := _RE_RANGE.match(s):
        a, b = float(m.group(1)), float(m.group(2))
        iv = Interval(min(a, b), max(a, b))
    elif m := _RE_CHANGE.match(s):
        amount = abs(float(m.group(3)))
        sign = -1.0 if m.group(2) in _DOWN else 1.0
        bound = m.group(5)
        lo, hi = (amount, math.inf) if bound == "以上" else (0.0, amount) if bound == "以下" else (amount, amount)
        slo, shi = sorted((sign * lo, sign * hi))
        year = int(m.group(1)) if m.group(1) else None
        ch = Change(slo, shi, bool(m.group(4)), year, t)
    elif m := _RE_DELTA.match(s):
        d = float(m.group(1))
        ch = Change(d, d, False, None, t)
    return Value(raw=raw, main=t, note=note, marked=marked, interval=iv, change=ch)


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
            raise InputError("{opt:values={p}} has a UTF-8 mark but is not UTF-8 ({reason}); save it again",
                             p=p, reason=exc.reason) from None
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
    raise InputError("{opt:values={p}} is neither UTF-8 nor GBK text; save it as UTF-8 CSV", p=p)


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
        raise InputError("{opt:values={p}} does not exist; give a CSV with the columns no,value", p=p)
    text = _decode_csv(p.read_bytes(), p)
    if "\x00" in text:
        raise InputError("{opt:values={p}} is not a text CSV (binary content); save it as CSV, UTF-8", p=p)
    aliases = {"no": "no", "序号": "no", "value": "value", "值": "value", "数值": "value", "指标值": "value",
               "sub": "sub", "子项": "sub", "part": "sub"}
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("{opt:values={p}} is empty; give the columns no,value", p=p) from None
    except csv.Error as exc:
        raise InputError("{opt:values={p}} is not a readable CSV: {exc}", p=p, exc=exc) from None
    cols = [aliases.get(h.strip().lower(), h.strip()) for h in header]
    if "no" not in cols or "value" not in cols:
        raise InputError("{opt:values={p}}: needs the columns no,value (optionally sub); found {found}",
                         p=p, found=",".join(header))
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
                raise InputError("{opt:values={p}} line {line}: no {cell!r} is not an indicator number",
                                 p=p, line=line, cell=cell) from None
            sub = row[i_sub].strip() if i_sub is not None and i_sub < len(row) else ""
            key = f"{no}:{sub}" if sub else str(no)
            if key in out:
                raise InputError("{opt:values={p}} line {line}: indicator {key} is given twice",
                                 p=p, line=line, key=key)
            val = row[i_val].strip() if i_val < len(row) else ""
            out[key] = val or None
    except csv.Error as exc:
        raise InputError("{opt:values={p}} is not a readable CSV: {exc}", p=p, exc=exc) from None
    return out

