"""The rules' messages, English and Chinese, as data: one :class:`Template` per rule and variant.

A template is a pair of :meth:`str.format` strings with named fields (literal
braces doubled).  Checkers never write a sentence: they name the template and
give the facts (:meth:`eco12geo.rules.RuleContext.violation`), which adds the
fields every message may use (:data:`CONTEXT_FIELDS`):

``layer``, ``layer_zh``
    the first layer of the violation, its key and its Chinese name;
``other``, ``other_zh``
    the second layer, where there is one (the cover, the reference, the layer overlapped);
``fid``, ``other_fid``
    the first and second feature id, where the violation has them;
``area_m2``
    the violation's area (m²), where it has one;
``where``, ``where_zh``
    where it lies: ``" in 104团"`` / ``"（104团）"``, outside every unit
    ``" outside every unit"`` / ``"（团场范围外）"`` with the plan's unit label;
``unit_zh``
    the same in Chinese without brackets (``104团``, ``团场范围外``);
``unit_label_zh``
    the plan's unit label (团场, 乡镇 …).

Keys are ``rule`` or ``rule.variant``; the part before the dot is the rule
the violation is reported under.  Numbers are given in the unit the
template names (``area_m2``, ``value_km2`` …) and formatted here.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

__all__ = ["CONTEXT_FIELDS", "MESSAGES", "Template", "format_message", "template_fields"]

#: fields :meth:`eco12geo.rules.RuleContext.violation` fills from the context (never given by a checker)
CONTEXT_FIELDS = frozenset({"layer", "layer_zh", "other", "other_zh", "fid", "other_fid", "area_m2",
                            "where", "where_zh", "unit_zh", "unit_label_zh"})


@dataclass(frozen=True)
class Template:
    """One message in English and Chinese, and the facts a checker gives to fill it.

    Attributes
    ----------
    en, zh
        :meth:`str.format` templates with named fields.
    fields
        The names a checker must give (the others come from :data:`CONTEXT_FIELDS`).
    """

    en: str
    zh: str
    fields: tuple[str, ...] = ()


def template_fields(text: str) -> set[str]:
    """Return the names of the fields a :meth:`str.format` template uses.

    Examples
    --------
    >>> sorted(template_fields("{layer} {fid} {area_m2:,.1f} m² {{literal}}"))
    ['area_m2', 'fid', 'layer']
    """
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def format_message(key: str, context: dict[str, Any], facts: dict[str, Any]) -> tuple[str, str]:
    """Fill the template ``key`` with the context fields and a checker's facts.

    Parameters
    ----------
    key
        A key of :data:`MESSAGES` (``"sliver"``, ``"outside_units.point"`` …).
    context
        Values of :data:`CONTEXT_FIELDS` (those that apply to the violation).
    facts
        Exactly the template's :attr:`Template.fields`.

    Returns
    -------
    (message, message_zh)

    Raises
    ------
    KeyError
        For an unknown key.
    TypeError
        When ``facts`` are not the template's fields (a missing or an unknown fact).
    """
    tpl = MESSAGES[key]
    if facts.keys() != set(tpl.fields):
        given, wanted = set(facts), set(tpl.fields)
        raise TypeError(f"message {key!r}: missing facts {sorted(wanted - given)}, "
                        f"unknown facts {sorted(given - wanted)}")
    values = {**context, **facts}
    return tpl.en.format(**values), tpl.zh.format(**values)


#: every rule message, by ``rule`` or ``rule.variant``
MESSAGES: dict[str, Template] = {
    # ------------------------------------------------------------ area (area.py)
    "area_below_target": Template(
        "{layer} totals {value_km2:,.4f} km², {diff_km2:,.4f} km² below the plan's {target_km2:g} km² ({section})",
        "{layer_zh}合计{value_km2:,.4f}平方千米，低于规划指标{target_km2:g}平方千米（{section}）{diff_km2:,.4f}平方千米",
        ("value_km2", "diff_km2", "target_km2", "section"),
    ),
    "area_below_target.year": Template(
        "{layer} totals {value_km2:,.4f} km², {diff_km2:,.4f} km² below the plan's {target_km2:g} km² ({year}) "
        "({section})",
        "{layer_zh}合计{value_km2:,.4f}平方千米，低于规划指标{target_km2:g}平方千米 ({year})（{section}）"
        "{diff_km2:,.4f}平方千米",
        ("value_km2", "diff_km2", "target_km2", "year", "section"),
    ),
    "area_above_target": Template(
        "{layer} totals {value_km2:,.4f} km², {diff_km2:,.4f} km² above the plan's {target_km2:g} km² ({section})",
        "{layer_zh}合计{value_km2:,.4f}平方千米，超出规划指标{target_km2:g}平方千米（{section}）{diff_km2:,.4f}平方千米",
        ("value_km2", "diff_km2", "target_km2", "section"),
    ),
    "area_above_target.year": Template(
        "{layer} totals {value_km2:,.4f} km², {diff_km2:,.4f} km² above the plan's {target_km2:g} km² ({year}) "
        "({section})",
        "{layer_zh}合计{value_km2:,.4f}平方千米，超出规划指标{target_km2:g}平方千米 ({year})（{section}）"
        "{diff_km2:,.4f}平方千米",
        ("value_km2", "diff_km2", "target_km2", "year", "section"),
    ),
    "area_decreased": Template(
        "{layer}{where} fell from {baseline_m2:,.1f} m² to {current_m2:,.1f} m² against the baseline "
        "(net loss {loss_m2:,.1f} m²); it must not decrease",
        "{unit_zh}{layer_zh}面积由{baseline_m2:,.1f}平方米减少到{current_m2:,.1f}平方米（净减少{loss_m2:,.1f}平方米），"
        "面积不得减少",
        ("baseline_m2", "current_m2", "loss_m2"),
    ),
    "area_removed": Template(
        "{area_m2:,.1f} m² of baseline {layer} {fid}{where} is no longer in {layer} "
        "(its nature must not change, even where the net area held)",
        "基期{layer_zh}{fid}有{area_m2:,.1f}平方米被调出{where_zh}，性质不得改变",
        (),
    ),
    "area_removed.added": Template(
        "{area_m2:,.1f} m² of baseline {layer} {fid}{where} is no longer in {layer} "
        "(its nature must not change, even where the net area held); ground added in the same unit: {added}",
        "基期{layer_zh}{fid}有{area_m2:,.1f}平方米被调出{where_zh}，性质不得改变（同{unit_label_zh}新增：{added_zh}）",
        ("added", "added_zh"),
    ),
    "expansion_factor": Template(
        "{layer} is {ratio:.3f} times {other} ({area_km2:,.2f} / {reference_km2:,.2f} km²), "
        "beyond the plan's {target:g} ({section})",
        "{layer_zh}为{other_zh}的{ratio:.3f}倍（{area_km2:,.2f}/{reference_km2:,.2f}平方千米），"
        "超过规划扩展倍数{target:g}（{section}）",
        ("ratio", "area_km2", "reference_km2", "target", "section"),
    ),
    "recorded_area": Template(
        "{layer} {fid}: recorded {field} {recorded_m2:,.1f} m² but the geometry measures {computed_m2:,.1f} m² "
        "({diff_m2:+,.1f} m², {diff_pct:.2f} % > {tolerance_pct:g} %)",
        "{layer_zh}{fid}：登记面积{field}为{recorded_m2:,.1f}平方米，图形椭球面积{computed_m2:,.1f}平方米"
        "（差{diff_m2:+,.1f}平方米，{diff_pct:.2f}%）",
        ("field", "recorded_m2", "computed_m2", "diff_m2", "diff_pct", "tolerance_pct"),
    ),
    "recorded_area.survey": Template(
        "{layer} {fid}: recorded {field} {recorded_m2:,.2f} m² but the survey formula (国土调查办发〔2008〕32号) "
        "gives {computed_m2:,.2f} m² ({diff_m2:+,.2f} m² > {tolerance_m2:g} m²)",
        "{layer_zh}{fid}：登记面积{field}为{recorded_m2:,.2f}平方米，按国土调查办发〔2008〕32号公式计算的"
        "图斑椭球面积为{computed_m2:,.2f}平方米（差{diff_m2:+,.2f}平方米）",
        ("field", "recorded_m2", "computed_m2", "diff_m2", "tolerance_m2"),
    ),
    # ------------------------------------------------------------ cover (cover.py)
    "not_covered": Template(
        "{area_m2:,.1f} m² of {layer} {fid}{where} lies outside {other}, which must cover it",
        "{layer_zh}{fid}有{area_m2:,.1f}平方米不在{other_zh}内{where_zh}",
        (),
    ),
    "outside_units": Template(
        "{area_m2:,.1f} m² of {layer} {fid} lies outside every unit",
        "{layer_zh}{fid}有{area_m2:,.1f}平方米超出{unit_label_zh}范围",
        (),
    ),
    "outside_units.line": Template(
        "{length_m:,.1f} m of {layer} {fid} lies outside every unit",
        "{layer_zh}{fid}有{length_m:,.1f}米超出{unit_label_zh}范围",
        ("length_m",),
    ),
    "outside_units.point": Template(
        "point {layer} {fid} lies outside every unit",
        "{layer_zh}{fid}超出{unit_label_zh}范围",
        (),
    ),
    # ------------------------------------------------------------ geometry (geometry.py)
    "geometry_invalid": Template(
        "{layer} feature {fid} is not a valid geometry: {reason} "
        "(repaired in memory for the other checks; --repair writes a repaired copy)",
        "{layer_zh}要素{fid}几何无效：{reason}（已在内存中修复后继续检查）",
        ("reason",),
    ),
    "empty_geometry": Template(
        "{layer} feature {fid} has a {kind} geometry; delete the row or draw its shape",
        "{layer_zh}要素{fid}几何为空；请删除该记录或补绘图形",
        ("kind",),
    ),
    "duplicate_id": Template(
        "{layer}: {field} {fid} is held by {count} features (rows {rows}); give each its own",
        "{layer_zh}：{field}为{fid}的要素有{count}个（第{rows}行）；标识码应唯一",
        ("field", "count", "rows"),
    ),
    "geometry_type": Template(
        "{layer} feature {fid} is a {found} but the layer holds {expected}s",
        "{layer_zh}要素{fid}为{found}，该图层应为{expected}",
        ("found", "expected"),
    ),
    "sliver": Template(
        "{layer} feature {fid} has a sliver part {width_m:.2f} m wide on average ({area_m2:.1f} m²), "
        "below {min_width_m:g} m; remove it or merge it into its neighbour",
        "{layer_zh}要素{fid}含狭长碎片，平均宽度{width_m:.2f}米（{area_m2:.1f}平方米），小于{min_width_m:g}米；"
        "请删除或并入相邻图斑",
        ("width_m", "min_width_m"),
    ),
    # ------------------------------------------------------------ overlap (overlap.py)
    "self_overlap": Template(
        "{layer} features {fid} and {other_fid} overlap by {area_m2:,.1f} m²{where}",
        "{layer_zh}图斑{fid}与{other_fid}相互重叠{area_m2:,.1f}平方米{where_zh}",
        (),
    ),
    "overlap": Template(
        "{layer} {fid} overlaps {other} {other_fid} by {area_m2:,.1f} m²{where}; they must not overlap",
        "{layer_zh}{fid}与{other_zh}{other_fid}重叠{area_m2:,.1f}平方米{where_zh}，两者不得交叉重叠",
        (),
    ),
}
