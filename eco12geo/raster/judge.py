"""Judging the coverage against the plan's figure, and the table of the result."""

from __future__ import annotations

from typing import Any

from ..plan import Plan
from .model import CLASS_NAMES, MIN_VALID_SHARE, Coverage, CoverageCheck


def coverage_check(coverage: Coverage, plan: Plan, figure_id: str | None = None) -> CoverageCheck | None:
    """Compare the whole area's share with the plan's coverage figure (None if the plan has none).

    The figure is ``figure_id``, or the plan's first figure of quantity ``coverage``.
    """
    try:
        fig = plan.figure(figure_id) if figure_id else next(f for f in plan.figures if f.quantity == "coverage")
    except (KeyError, StopIteration):
        return None
    share = coverage.forest_grass_share
    value = None if share is None else share * 100.0
    target = float(fig.value) if fig.unit == "percent" else float(fig.value) * 100.0
    status, _ = fig.judge(value if fig.unit == "percent" or value is None else value / 100.0)
    total = sum(u.area_m2 for u in coverage.units)
    if total > 0 and coverage.valid_m2 < MIN_VALID_SHARE * total:
        # a share over a raster that misses part of the division says nothing about the division
        status = "no_data"
    return CoverageCheck(fig.id, fig.kind, target, value, status, fig.section, fig.text)




def coverage_frame(coverage: Coverage) -> Any:
    """Return ``coverage.csv`` as a DataFrame: one row per unit and class, then the division (unit "*")."""
    import pandas as pd

    rows = []
    fg = set(coverage.forest) | set(coverage.grass)

    def add(unit: str, area: float, classes: dict[str, float], pixels: dict[str, float] | None,
            valid: float, share: float | None) -> None:
        for k, a in classes.items():
            zh, en = CLASS_NAMES.get(k, ("", ""))
            rows.append({
                "unit": unit, "class": k, "class_zh": zh, "class_en": en,
                "forest_grass": k in fg,
                "area_m2": round(a, 2), "area_km2": round(a / 1e6, 6),
                "pixels": None if pixels is None else round(pixels.get(k, 0.0), 4),
                "share_of_valid": round(a / valid, 6) if valid > 0 else None,
                "unit_area_m2": round(area, 2), "valid_m2": round(valid, 2),
                "forest_grass_share": None if share is None else round(share, 6),
            })

    for u in coverage.units:
        add(u.unit, u.area_m2, u.classes, u.pixels, u.valid_m2, u.forest_grass_share)
    add("*", sum(u.area_m2 for u in coverage.units), coverage.classes(), None, coverage.valid_m2,
        coverage.forest_grass_share)
    return pd.DataFrame(rows, columns=["unit", "class", "class_zh", "class_en", "forest_grass", "area_m2",
                                       "area_km2", "pixels", "share_of_valid", "unit_area_m2", "valid_m2",
                                       "forest_grass_share"])
