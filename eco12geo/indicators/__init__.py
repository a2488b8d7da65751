"""The plan's indicator scorecard (表1): load the indicators, read values, evaluate them.

One concept per module: :mod:`~eco12geo.indicators.model` (the typed indicators),
:mod:`~eco12geo.indicators.load` (the file, validated by
:class:`eco12geo.schemas.indicators.IndicatorsDocument`), :mod:`~eco12geo.indicators.values`
(the value grammar and the values CSV), :mod:`~eco12geo.indicators.evaluate` (the judgement →
:class:`Scorecard`) and :func:`eco12geo.render.scorecard_table` (the terminal table).

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

import warnings
from typing import Any

from .evaluate import PartResult, Result, Scorecard, evaluate, scorecard
from .load import load_indicators, parse_indicators
from .model import Assessed, Indicator, IndicatorCheck, IndicatorSet, Part
from .values import read_values

__all__ = [
    "Assessed",
    "Indicator",
    "IndicatorCheck",
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
]


def __getattr__(name: str) -> Any:
    """Old names: ``Check`` is :class:`IndicatorCheck`; ``scorecard_table`` is in :mod:`eco12geo.render`."""
    if name == "Check":
        warnings.warn("eco12geo.indicators.Check is now IndicatorCheck", DeprecationWarning, stacklevel=2)
        return IndicatorCheck
    if name == "scorecard_table":
        from ..render.scorecard import scorecard_table

        return scorecard_table
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
