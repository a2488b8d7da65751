"""The validator's rules: a registry of small checkers, one module per kind of rule.

Each checker is registered under the rule name a plan file uses::

    @register("overlap")
    def check_overlap(ctx: RuleContext) -> RuleResult: ...

and receives a :class:`RuleContext` (the layers, repaired and indexed, the
baseline, the units, the plan, the tolerances and the rule definition being
run).  It returns the :class:`Violation` objects it found and the
:class:`Check` records of what it looked at.  Nothing here reads or writes
files; :mod:`eco12geo.validate` runs the rules and :mod:`eco12geo.report`
writes the results.
"""

from __future__ import annotations

from ..names import feature_ids
from .context import LayerData, RuleContext, UnitIndex, objarr, only, parse_location, poly_only, present
from .registry import RULE_LABELS, RULES, Checker, RuleResult, get_checker, register, rule_label
from .results import Check, Violation

__all__ = [
    "RULES",
    "RULE_LABELS",
    "Check",
    "Checker",
    "LayerData",
    "RuleContext",
    "RuleResult",
    "UnitIndex",
    "Violation",
    "feature_ids",
    "get_checker",
    "objarr",
    "only",
    "parse_location",
    "poly_only",
    "present",
    "register",
    "rule_label",
]

# the checker modules register themselves on import
from . import area, cover, geometry, overlap  # noqa: E402

__all__ += ["area", "cover", "geometry", "overlap"]
