"""User-facing labels, Chinese first; ``--lang zh|en`` picks one."""

from __future__ import annotations

__all__ = ["LANGS", "label", "pad", "short_layer", "text_width"]

import unicodedata

LANGS = ("zh", "en")

_LABELS: dict[str, tuple[str, str]] = {
    "audit_title": ("面积核查", "Area audit"),
    "unit": ("团场", "Regiment"),
    "layer": ("图层", "Layer"),
    "area_km2": ("面积（平方千米）", "Area (km²)"),
    "area_ha": ("面积（公顷）", "Area (ha)"),
    "share_unit": ("占团场", "Share of unit"),
    "share_territory": ("占全域", "Share of territory"),
    "unit_area": ("团场面积", "Unit area"),
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
    "outside": ("团场外", "Outside units"),
    "notes": ("说明", "Notes"),
    "features": ("要素数", "Features"),
    "ellipsoidal": ("椭球面积", "ellipsoidal area"),
    "planar": ("高斯-克吕格平面面积", "planar Gauss–Krüger area"),
    "min": ("不低于", "at least"),
    "max": ("不超过", "at most"),
    "target_kind": ("划定", "delimited"),
    "figures": ("规划指标核对", "Plan figures"),
    "per_unit": ("分团场面积（平方千米）", "Per regiment (km²)"),
    "length_km": ("长度（千米）", "Length (km)"),
}


#: short column headers for layer keys in terminal tables (zh, en); others fall back to the plan's names
_SHORT: dict[str, tuple[str, str]] = {
    "ecological_redline": ("生态红线", "Red line"),
    "farmland": ("耕地", "Farmland"),
    "basic_farmland": ("基本农田", "Basic farm"),
    "basic_farmland_reserve": ("农田储备", "Reserve"),
    "urban_boundary": ("开发边界", "Urban bdy"),
    "construction_land": ("建设用地", "Construction"),
    "forest_land": ("林地", "Forest"),
    "nature_reserves": ("保护地", "Nat. reserves"),
    "pattern_zones": ("格局分区", "Pattern"),
}


def short_layer(key: str, fallback: str, lang: str = "zh") -> str:
    """Return a short column header for a layer key."""
    pair = _SHORT.get(key)
    if pair is None:
        return fallback
    return pair[0] if lang == "zh" else pair[1]


def label(key: str, lang: str = "zh") -> str:
    """Return the label for ``key`` in ``lang`` (``zh`` or ``en``)."""
    zh, en = _LABELS[key]
    return zh if lang == "zh" else en


def text_width(text: str) -> int:
    """Return the terminal width of ``text`` (CJK characters count two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """Pad ``text`` to ``width`` terminal columns."""
    fill = " " * max(0, width - text_width(text))
    return fill + text if right else text + fill
