"""The indicators of 表1 as typed objects: the set, each indicator, its parts and how each target is checked.

Built by :func:`eco12geo.indicators.load_indicators` from the validated indicators file
(:class:`eco12geo.schemas.indicators.IndicatorsDocument`); nothing here reads a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

from ..schemas.indicators import Attribute, CheckKind, Op

__all__ = [
    "ATTRIBUTES",
    "CHECK_KINDS",
    "OPS",
    "STATUSES",
    "Assessed",
    "Indicator",
    "IndicatorCheck",
    "IndicatorSet",
    "Part",
]

STATUSES = ("met", "not_met", "no_data")
CHECK_KINDS = set(get_args(CheckKind))
OPS = set(get_args(Op))
#: 表1's 属性 words and their English names
ATTRIBUTES = dict(zip(get_args(Attribute), ("binding", "reference"), strict=True))


@dataclass(frozen=True)
class IndicatorCheck:
    """How a target is tested: ``kind`` and its parameters (see :mod:`eco12geo.indicators`)."""

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
    check: IndicatorCheck
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

