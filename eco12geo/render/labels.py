"""Every user-facing label, Chinese first; ``--lang zh|en`` picks one.

The tables here hold the words of the terminal tables, ``report.html``, the map pages and the
scorecard.  ``{u}``, ``{U}`` and ``{u_l}`` stand for the plan's unit label (团场 / Regiment,
乡镇 / Town …; :func:`unit_words`).  Map furniture is bilingual in one string ("图层 Layer"), as
the pages are read by both.  Not here, on purpose: the rule messages
(:mod:`eco12geo.rules.messages`), the rule and land-class names (data of the rule registry and of
the GB/T 21010 classes) and the indicator verdict phrases, which are templates of their own modules.

Terminal widths come from :mod:`wcwidth` (CJK characters take two columns, combining marks none).
"""

from __future__ import annotations

__all__ = [
    "LANGS",
    "indicator_label",
    "label",
    "map_labels",
    "pad",
    "text_width",
    "unit_words",
    "validate_label",
]

import unicodedata

import wcwidth

LANGS = ("zh", "en")

_LABELS: dict[str, tuple[str, str]] = {
    "audit_title": ("面积核查", "Area audit"),
    "unit": ("{u}", "{U}"),
    "layer": ("图层", "Layer"),
    "area_km2": ("面积（平方千米）", "Area (km²)"),
    "area_ha": ("面积（公顷）", "Area (ha)"),
    "share_unit": ("占{u}", "Share of {u_l}"),
    "share_territory": ("占全域", "Share of territory"),
    "unit_area": ("{u}面积", "{U} area"),
    "total": ("合计", "Total"),
    "target": ("规划指标", "Plan figure"),
    "status": ("状态", "Status"),
    "source": ("出处", "Source"),
    "met": ("达标", "met"),
    "short": ("不足", "short"),
    "over": ("超出", "over"),
    "no_data": ("无数据", "no data"),
    "recorded": ("登记面积MJ", "Recorded MJ"),
    "computed": ("计算面积", "Computed"),
    "diff": ("差值", "Difference"),
    "outside": ("{u}外", "Outside {u_l}s"),
    "notes": ("说明", "Notes"),
    "features": ("要素数", "Features"),
    "ellipsoidal": ("椭球面积", "ellipsoidal area"),
    "planar": ("高斯-克吕格平面面积", "planar Gauss–Krüger area"),
    "min": ("不低于", "at least"),
    "max": ("不超过", "at most"),
    "target_kind": ("划定", "delimited"),
    "figures": ("规划指标核对", "Plan figures"),
    "per_unit": ("分{u}面积（平方千米）", "Per {u_l} (km²)"),
    "length_km": ("长度（千米）", "Length (km)"),
    "survey_area": ("调查面积", "Survey area"),
    "survey_diff": ("调查−椭球", "Survey − ellipsoidal"),
    "areas_shown": (
        "表中面积为椭球面积 area_m2（图形精确椭球面积）；“调查面积”为 survey_area_m2（国土调查办发〔2008〕32号公式）",
        "Areas shown: area_m2 (exact ellipsoidal area of the polygon as drawn); "
        "'Survey area' is survey_area_m2 (国土调查办发〔2008〕32号 formula)",
    ),
    "sheet": ("图幅号", "Sheet"),
    "sheet_area": ("图幅理论面积", "Sheet theoretical area"),
    "coverage_title": ("林草覆盖率（栅格分区统计）", "Forest–grass coverage (raster zonal statistics)"),
    "raster": ("栅格", "Raster"),
    "forest": ("林地", "forest"),
    "grass": ("草地", "grass"),
    "valid": ("有效面积", "Valid"),
    "forest_grass": ("林草面积", "Forest+grass"),
    "coverage_share": ("林草覆盖率", "Share"),
    "revision_title": ("修订版（含示例缺陷，对照基期）", "Revision (with demo defects, against the baseline)"),
}



#: labels of the validation report and summary
_VALIDATE_LABELS: dict[str, tuple[str, str]] = {
    "title": ("规则核查", "Validation"),
    "errors": ("错误", "errors"),
    "warnings": ("警告", "warnings"),
    "accepted": ("已豁免", "accepted"),
    "error": ("错误", "error"),
    "warning": ("警告", "warning"),
    "count": ("处", "found"),
    "n": ("数量", "Count"),
    "per_unit": ("分{u}", "Per {u_l}"),
    "outside": ("{u}范围外/全域", "outside {u_l}s / whole area"),
    "details": ("违规明细", "Violations"),
    "more": ("其余 {n} 条见 report.json", "{n} more in report.json"),
    "pass": ("结果：通过（退出码 0）", "Result: pass (exit 0)"),
    "fail": ("结果：不通过（退出码 1）", "Result: fail (exit 1)"),
    "none": ("未发现问题", "nothing found"),
    "checks": ("指标核对", "Figures checked"),
    "rule": ("规则", "Rule"),
    "severity": ("级别", "Severity"),
    "layers": ("图层", "Layers"),
    "features": ("要素", "Features"),
    "unit": ("{u}", "{U}"),
    "area": ("面积（平方米）", "Area (m²)"),
    "where": ("位置", "Location"),
    "message": ("说明", "Message"),
    "exception": ("豁免依据", "Exception"),
    "map": ("地图", "map"),
    "notes": ("说明", "Notes"),
    "status": ("状态", "Status"),
    "value": ("数值", "Value"),
    "target": ("指标", "Target"),
}


#: labels of the indicator scorecard (表1)
_INDICATOR_LABELS: dict[str, tuple[str, str]] = {
    "title": ("建设指标（表1）", "Indicators (Table 1)"),
    "year": ("年份", "Year"),
    "year_of": ("{year}年", "{year}"),
    "no": ("序号", "No."),
    "name": ("指标名称", "Indicator"),
    "value": ("数值", "Value"),
    "target": ("指标值", "Target"),
    "status": ("状态", "Status"),
    "met": ("达标", "met"),
    "not_met": ("未达标", "not met"),
    "no_data": ("无数据", "no data"),
    "约束性": ("约束性", "binding"),
    "参考性": ("参考性", "reference"),
    "summary": ("合计", "Summary"),
    "published": ("表1公布值", "values published in Table 1"),
    "given": ("含 --values 提供的数值", "with values from --values"),
}


#: furniture of the map pages: one bilingual string each, Chinese first (the same in both languages)
_MAP_LABELS: dict[str, str] = {
    "layer": "图层 Layer",
    "id": "标识码 BSM",
    "name": "名称 Name",
    "mj": "登记面积 MJ",
    "area": "计算面积（椭球） Computed area (ellipsoidal)",
    "length": "长度 Length",
    "rule": "规则 Rule",
    "severity": "级别 Severity",
    "features": "要素 Features",
    "unit": "{u} {U}",
    "varea": "面积 Area",
    "message": "说明 Message",
    "violations_error": "违规（错误） Violations (errors)",
    "violations_warning": "违规（警告） Violations (warnings)",
    "labels": "注记 Labels",
    "context": "县市界（背景） County boundaries (context)",
    "legend": "图例 Legend",
    "index": "地图索引 Maps",
    "audit": "分{u}面积（平方千米） Area per {u_l} (km²)",
    "illustrative": "示意数据，非测绘成果 Illustrative layers, not surveyed boundaries",
    "unit_area": "{u}面积",
    "back": "← 地图索引 Maps index",
    "fullscreen": "全屏 Full screen",
    "fullscreen_exit": "退出全屏 Exit full screen",
    "tianditu_vec": "天地图 Tianditu 矢量 vector",
    "tianditu_img": "天地图 Tianditu 影像 imagery",
    "tianditu_labels": "天地图注记 Tianditu labels",
    "tianditu_attr": "© 天地图 Tianditu (CGCS2000)",
    "validation": "校验结果 Validation",
    "n_errors": "个错误 errors",
    "n_warnings": "个警告 warnings",
    "ellipsoidal_note": "椭球面积（CGCS2000） Ellipsoidal areas on the CGCS2000 ellipsoid",
    "unit_area_en": "Unit area",
    "total": "合计 Total",
}


def map_labels(lang: str = "zh", unit: tuple[str, str] | None = None) -> dict[str, str]:
    """Return the map pages' furniture with the plan's unit label filled in (bilingual in both languages)."""
    return {k: unit_words(v, unit) for k, v in _MAP_LABELS.items()}


def indicator_label(key: str, lang: str = "zh") -> str:
    """Return a label of the indicator scorecard in ``lang``."""
    zh, en = _INDICATOR_LABELS[key]
    return zh if lang == "zh" else en


def unit_words(text: str, unit: tuple[str, str] | None) -> str:
    """Put the plan's unit label (团场 / Regiment, 乡镇 / Town …) into a label's ``{u}``, ``{U}``, ``{u_l}``."""
    if "{" not in text:
        return text
    zh, en = unit or ("单元", "Unit")
    return text.replace("{u}", zh).replace("{U}", en).replace("{u_l}", en.lower())


def validate_label(key: str, lang: str = "zh", unit: tuple[str, str] | None = None) -> str:
    """Return a label of the validation report in ``lang``; ``unit`` is the plan's (zh, en) unit label."""
    zh, en = _VALIDATE_LABELS[key]
    return unit_words(zh if lang == "zh" else en, unit)


def label(key: str, lang: str = "zh", unit: tuple[str, str] | None = None) -> str:
    """Return the label for ``key`` in ``lang`` (``zh`` or ``en``); ``unit`` is the plan's (zh, en) unit label."""
    zh, en = _LABELS[key]
    return unit_words(zh if lang == "zh" else en, unit)


def text_width(text: str) -> int:
    """Return the terminal width of ``text``: CJK characters count two, combining and zero-width marks none.

    :func:`wcwidth.wcswidth` measures it; a control character (a tab in a unit name read from a
    file) counts as one column rather than making the whole text unmeasurable.
    """
    n = wcwidth.wcswidth(text)
    if n >= 0:
        return int(n)
    return sum(max(wcwidth.wcwidth(c), 1 if unicodedata.category(c) == "Cc" else 0) for c in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """Pad ``text`` to ``width`` terminal columns."""
    fill = " " * max(0, width - text_width(text))
    return fill + text if right else text + fill
