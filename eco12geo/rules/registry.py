"""The rule registry: rule name → checker, and the rules' labels for people."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .context import RuleContext
    from .results import Check, Violation

__all__ = ["RULES", "RULE_LABELS", "Checker", "RuleResult", "get_checker", "register", "rule_label"]

RuleResult = tuple[list["Violation"], list["Check"]]
Checker = Callable[["RuleContext"], RuleResult]

#: rule name → checker
RULES: dict[str, Checker] = {}

#: rule name → (中文, English) label for people
RULE_LABELS: dict[str, tuple[str, str]] = {
    "geometry_invalid": ("几何无效", "invalid geometry"),
    "empty_geometry": ("空几何", "empty or null geometry"),
    "duplicate_id": ("标识码重复", "duplicate id"),
    "geometry_type": ("几何类型错误", "wrong geometry type"),
    "sliver": ("狭长碎片", "sliver"),
    "self_overlap": ("图层内重叠", "overlap within a layer"),
    "overlap": ("控制线交叉重叠", "overlap between layers"),
    "not_covered": ("未被覆盖", "not covered"),
    "outside_units": ("超出单元范围", "outside the units"),
    "area_below_target": ("面积低于规划指标", "area below the plan figure"),
    "area_above_target": ("面积超出规划指标", "area above the plan figure"),
    "area_decreased": ("面积减少", "area decreased"),
    "area_removed": ("范围调出", "ground removed"),
    "expansion_factor": ("扩展倍数超限", "expansion factor exceeded"),
    "recorded_area": ("登记面积不符", "recorded area mismatch"),
}


def rule_label(rule: str, lang: str = "zh") -> str:
    """Return the human label of a rule name in ``zh`` or ``en``."""
    zh, en = RULE_LABELS.get(rule, (rule, rule))
    return zh if lang == "zh" else en


def register(name: str) -> Callable[[Checker], Checker]:
    """Register a checker under the rule name plan files use."""

    def deco(func: Checker) -> Checker:
        RULES[name] = func
        return func

    return deco


def get_checker(name: str) -> Checker | None:
    """Return the checker registered for a rule name, or None."""
    return RULES.get(name)


# ------------------------------------------------------------------ results
