"""Rule messages: the templates of ``eco12geo/rules/messages.py`` and ``RuleContext.violation``.

The expected sentences are written out by hand here; the areas of the end-to-end case are computed
independently (``geod_rect_area``), never by the code under test.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pyproj import CRS

from eco12geo import load_layers
from eco12geo.io import LayerSource
from eco12geo.plan import Plan, RuleDef, bundled_plan
from eco12geo.rules import RULES, RuleContext
from eco12geo.rules.messages import CONTEXT_FIELDS, MESSAGES, format_message, template_fields
from eco12geo.validate import validate

from .validate_data import geod_rect_area, rect, units_rows, write

PLAN = bundled_plan()
TOWNS = dataclasses.replace(PLAN, unit_label_zh="乡镇")


def ctx_for(plan: Plan = PLAN, rule: str = "area_removed", severity: str = "warning") -> RuleContext:
    """Return a context with no layers: enough for the messages (names come from the plan)."""
    return RuleContext(plan=plan, crs=CRS.from_epsg(4538), layers={}, baseline=None, units=None, tolerances={},
                       rule=RuleDef(rule, severity))


def test_every_template_names_a_rule_and_every_rule_has_one() -> None:
    prefixes = {key.split(".", 1)[0] for key in MESSAGES}
    assert prefixes <= set(RULES) | {"area_above_target"}  # area_below_target's checker reports both
    assert set(RULES) <= prefixes
    assert len(MESSAGES) == 21


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_template_fields_are_the_documented_ones(key: str) -> None:
    tpl = MESSAGES[key]
    assert tpl.en.strip() and tpl.zh.strip()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in tpl.zh), "the Chinese message has Chinese in it"
    used = template_fields(tpl.en) | template_fields(tpl.zh)
    assert used - CONTEXT_FIELDS == set(tpl.fields), "a checker gives exactly the fields it documents"
    assert len(set(tpl.fields)) == len(tpl.fields)
    # every field formats with a number (all format specs here are numeric or none)
    values = dict.fromkeys(used, 1234.5)
    en, zh = tpl.en.format(**values), tpl.zh.format(**values)
    assert "{" not in en + zh and "}" not in en + zh


def test_facts_must_be_the_templates_fields() -> None:
    context = {"layer": "farmland", "layer_zh": "耕地保护目标", "fid": "F1"}
    assert format_message("empty_geometry", context, {"kind": "null"}) == (
        "farmland feature F1 has a null geometry; delete the row or draw its shape",
        "耕地保护目标要素F1几何为空；请删除该记录或补绘图形",
    )
    with pytest.raises(TypeError, match=r"missing facts \['kind'\]"):
        format_message("empty_geometry", context, {})
    with pytest.raises(TypeError, match=r"unknown facts \['colour'\]"):
        format_message("empty_geometry", context, {"kind": "null", "colour": "red"})
    with pytest.raises(KeyError):
        format_message("no_such_rule", context, {})


def test_violation_with_the_plans_unit_label() -> None:
    v = ctx_for(TOWNS).violation("area_removed.added", layers=("ecological_redline",), features=("R8",),
                                 area_m2=639_994.04, added="R9, R10", added_zh="R9、R10")
    assert (v.rule, v.severity, v.unit, v.layers, v.features) == (
        "area_removed", "warning", None, ("ecological_redline",), ("R8",))
    assert v.message == ("639,994.0 m² of baseline ecological_redline R8 outside every unit is no longer in "
                         "ecological_redline (its nature must not change, even where the net area held); "
                         "ground added in the same unit: R9, R10")
    assert v.message_zh == ("基期生态保护红线R8有639,994.0平方米被调出（乡镇范围外），性质不得改变"
                            "（同乡镇新增：R9、R10）")
    assert v.details == {}


def test_violation_in_a_unit_and_with_two_layers() -> None:
    ctx = ctx_for(rule="area_decreased", severity="error")
    v = ctx.violation("area_decreased", layers=("nature_reserves",), features=("B", "C"), unit="104团",
                      area_m2=3_619_954.06, baseline_m2=7_242_816.44, current_m2=3_622_862.38, loss_m2=3_619_954.06,
                      details={"baseline_m2": 7_242_816.44})
    assert v.message == ("nature_reserves in 104团 fell from 7,242,816.4 m² to 3,622,862.4 m² against the baseline "
                         "(net loss 3,619,954.1 m²); it must not decrease")
    assert v.message_zh == ("104团自然保护地面积由7,242,816.4平方米减少到3,622,862.4平方米"
                            "（净减少3,619,954.1平方米），面积不得减少")
    assert (v.severity, v.details) == ("error", {"baseline_m2": 7_242_816.44})
    w = ctx.violation("overlap", layers=("ecological_redline", "urban_boundary"), features=("R1", "C1"),
                      unit=None, area_m2=29_999.44)
    assert w.rule == "overlap"
    assert w.message == ("ecological_redline R1 overlaps urban_boundary C1 by 29,999.4 m² outside every unit; "
                         "they must not overlap")
    assert w.message_zh == "生态保护红线R1与城镇开发边界C1重叠29,999.4平方米（团场范围外），两者不得交叉重叠"


def test_area_target_messages_with_and_without_year() -> None:
    ctx = ctx_for(rule="area_below_target", severity="error")
    facts = {"value_km2": 1.7, "diff_km2": 739.72, "target_km2": 741.42, "section": "四（二）1"}
    v = ctx.violation("area_below_target.year", layers=("ecological_redline",), area_m2=739.72e6, year=2035,
                      **facts)
    assert v.message == ("ecological_redline totals 1.7000 km², 739.7200 km² below the plan's 741.42 km² (2035) "
                         "(四（二）1)")
    assert v.message_zh == ("生态保护红线合计1.7000平方千米，低于规划指标741.42平方千米 (2035)（四（二）1）"
                            "739.7200平方千米")
    u = ctx.violation("area_above_target", layers=("construction_land",), area_m2=1.0, **facts)
    assert u.rule == "area_above_target"
    assert u.message == "construction_land totals 1.7000 km², 739.7200 km² above the plan's 741.42 km² (四（二）1)"


def test_validate_outside_units_says_the_plans_unit_label(tmp_path: Path) -> None:
    """End to end: a 乡镇 plan's label reaches outside_units and area_removed, with the independent area."""
    cur, base = tmp_path / "cur", tmp_path / "base"
    for d in (cur, base):
        d.mkdir()
        write(d / "units.gpkg", "units", units_rows())
    write(base / "ecological_redline.gpkg", "ecological_redline", [
        {"BSM": "R7", "MJ": geod_rect_area(2100, 100, 2900, 900), "geometry": rect(2100, 100, 2900, 900)}])
    write(cur / "ecological_redline.gpkg", "ecological_redline", [
        {"BSM": "R7", "MJ": geod_rect_area(2100, 100, 2500, 900), "geometry": rect(2100, 100, 2500, 900)},
        {"BSM": "R6", "MJ": geod_rect_area(3000, 100, 3400, 900), "geometry": rect(3000, 100, 3400, 900)},
        {"BSM": "R9", "MJ": geod_rect_area(-900, 1200, -100, 1900), "geometry": rect(-900, 1200, -100, 1900)},
    ])

    def sources(d: Path) -> dict[str, LayerSource]:
        return {p.stem: LayerSource(p) for p in sorted(d.glob("*.gpkg"))}

    report = validate(load_layers(sources(cur), TOWNS), TOWNS, load_layers(sources(base), TOWNS), targets=False)
    outside = [v for v in report.violations if v.rule == "outside_units"]
    assert len(outside) == 1
    area = geod_rect_area(-900, 1200, -100, 1900)
    assert outside[0].area_m2 == pytest.approx(area, abs=0.05)
    assert outside[0].message == f"{outside[0].area_m2:,.1f} m² of ecological_redline R9 lies outside every unit"
    assert outside[0].message_zh == f"生态保护红线R9有{outside[0].area_m2:,.1f}平方米超出乡镇范围"
    removed = [v for v in report.violations if v.rule == "area_removed"]
    assert [v.features for v in removed] == [("R7",)]
    assert removed[0].area_m2 == pytest.approx(geod_rect_area(2500, 100, 2900, 900), abs=0.05)
    assert removed[0].message_zh == (f"基期生态保护红线R7有{removed[0].area_m2:,.1f}平方米被调出（222团），"
                                     "性质不得改变（同乡镇新增：R6）")
    assert removed[0].details["added_features"] == ["R6"]
