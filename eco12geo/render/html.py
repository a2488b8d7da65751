"""HTML pages built from Jinja2 templates with autoescaping: every text from the data is escaped.

Templates live in ``eco12geo/render/templates/``.  A template never marks data text
``safe``; only the page's own CSS is.  The map pages themselves are folium's
(:mod:`eco12geo.render.maps`).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from ..names import unit_page
from ..plan import Plan
from ..rules import rule_label
from .labels import validate_label as _vl

__all__ = ["environment", "report_html"]

_REPORT_CSS = (
    "body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.25em .5em;"
    "text-align:left;vertical-align:top}td.n{text-align:right}th{background:#f2f2f2}"
    ".error{color:#c00}.warning{color:#d46b00}.accepted{color:#777}.ok{color:#080}"
)


@cache
def environment() -> jinja2.Environment:
    """Return the Jinja2 environment of eco12geo's templates (autoescape on for every template)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("eco12geo.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _fmt_area(v: float | None) -> str:
    return "" if v is None else f"{v:,.1f}"


class _Labels:
    """``L.key`` in templates: the validation labels in one language, with the plan's unit label."""

    def __init__(self, lang: str, unit: tuple[str, str]) -> None:
        self._lang, self._unit = lang, unit

    def __getattr__(self, key: str) -> str:
        return _vl(key, self._lang, self._unit)


def report_html(report: Any, plan: Plan, lang: str = "zh", *, out_dir: str | Path | None = None,
                maps_dir: str | Path | None = None) -> str:
    """Return ``report.html``: a summary, a table per unit and the list of violations.

    A unit links to its map page (:func:`eco12geo.names.unit_page`) in ``maps_dir`` when that is
    given (the maps are there, or will be written there), otherwise when the page exists in
    ``out_dir``.
    """
    out = Path(out_dir) if out_dir is not None else None
    maps = Path(maps_dir) if maps_dir is not None else out
    labels = _Labels(lang, plan.unit_labels)
    by_rule = report.by_rule()
    rules = list(by_rule)
    units: list[str | None] = list(dict.fromkeys(report.units))
    if any(v.unit is None for v in report.violations):
        units.append(None)
    unit_rows = []
    for u in units:
        vs = [v for v in report.violations if v.unit == u]
        href = None
        if u is not None and maps is not None:
            page = unit_page(u, plan.unit_name_en(u))
            if maps_dir is not None or (maps / page).exists():
                href = page if out is None else os.path.relpath(maps / page, out)
        cells = []
        for r in rules:
            rv = [v for v in vs if v.rule == r]
            cells.append({"count": len(rv), "area": _fmt_area(sum(v.area_m2 or 0.0 for v in rv))})
        unit_rows.append({
            "name": u if u is not None else labels.outside,
            "href": href,
            "errors": sum(1 for v in vs if v.severity == "error" and not v.accepted),
            "warnings": sum(1 for v in vs if v.severity == "warning" and not v.accepted),
            "cells": cells,
        })
    violations = [
        {
            "cls": "accepted" if v.accepted else v.severity,
            "rule": v.rule,
            "severity": _vl(v.severity, lang),
            "layers": ", ".join(v.layers),
            "features": "; ".join(v.features),
            "unit": v.unit or "",
            "area": _fmt_area(v.area_m2),
            "where": "" if v.lon is None else f"{v.lon:.6f}, {v.lat:.6f}",
            "message": v.message_zh if lang == "zh" and v.message_zh else v.message,
            "exception": "" if not v.exception
            else f"{v.exception.get('reason', '')} ({v.exception.get('document', '')})",
        }
        for v in report.violations
    ]
    checks = []
    for c in report.checks:
        if c.rule not in ("area_min", "area_max", "expansion_factor"):
            continue
        if c.rule == "expansion_factor":
            val, tgt = str(c.details.get("value")), str(c.details.get("target"))
        else:
            val = "" if c.value_m2 is None else f"{c.value_m2 / 1e6:,.4f} km²"
            tgt = "" if c.target_m2 is None else f"{c.target_m2 / 1e6:,.4f} km²"
        checks.append({"rule": c.rule, "figure": str(c.details.get("figure", "")),
                       "layers": c.layer or ", ".join(c.layers), "status": c.status, "value": val, "target": tgt})
    title = f"{labels.title} — {plan.name_zh if lang == 'zh' else plan.name_en}"
    return environment().get_template("report.html.j2").render(
        L=labels,
        html_lang="zh-CN" if lang == "zh" else "en",
        title=title,
        css=_REPORT_CSS,
        plan_id=plan.id,
        plan_version=plan.version,
        crs=report.to_dict()["crs"],
        errors=report.errors,
        warnings=report.warnings,
        accepted=report.accepted,
        failed=bool(report.exit_code),
        verdict=_vl("fail" if report.exit_code else "pass", lang),
        by_rule=[
            {"rule": r, "label": rule_label(r, lang), "severity": d["severity"],
             "severity_label": _vl(d["severity"], lang), "count": d["count"], "accepted": d["accepted"],
             "area": _fmt_area(d["area_m2"])}
            for r, d in by_rule.items()
        ],
        units=unit_rows,
        detail_heads=[_vl(k, lang, plan.unit_labels) for k in ("rule", "severity", "layers", "features", "unit",
                                                               "area", "where", "message", "exception")],
        violations=violations,
        checks=checks,
        notes=list(report.notes),
    )
