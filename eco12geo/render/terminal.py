"""Terminal text of every command: the audit table, the validation summary, the coverage table.

Pure functions from result objects to text (zh by default, ``--lang en``); the CLI echoes them.
Column widths count CJK characters as two terminal columns (:func:`eco12geo.render.labels.text_width`).
"""

from __future__ import annotations

from typing import Any

from ..audit import Audit
from ..plan import Plan
from ..raster import Coverage, coverage_check
from ..rules import rule_label
from .labels import label, pad, text_width
from .labels import validate_label as _vl

__all__ = ["audit_table", "coverage_table", "validate_summary"]


def _km2(v: float) -> str:
    text = f"{v / 1e6:,.2f}"
    return "0.00" if text == "-0.00" else text


def audit_table(audit: Audit, plan: Plan, lang: str = "zh") -> str:
    """Return the audit as a plain-text table for the terminal."""
    name = (lambda k: plan.layers[k].name_zh) if lang == "zh" else (lambda k: plan.layers[k].name_en)
    lines = [f"{label('audit_title', lang)} — {plan.name_zh if lang == 'zh' else plan.name_en}",
             f"{label('ellipsoidal', lang)} ({audit.ellipsoid}), km²; CRS {audit.crs}",
             label("areas_shown", lang), ""]
    keys = [k for k in audit.layers if k != "units" and audit.layers[k].geometry != "line"
            and audit.layers[k].geometry != "point_or_polygon"]
    if audit.units:
        lines.append(label("per_unit", lang, plan.unit_labels))
        unit_names = [u.unit if lang == "zh" else plan.unit_name_en(u.unit) for u in audit.units]
        w0 = max([16] + [text_width(n) + 2 for n in unit_names])
        ul = plan.unit_labels
        head = pad(label("unit", lang, ul), w0) + pad(label("unit_area", lang, ul), 12, True)
        heads = [plan.layers[k].short(lang) for k in keys]
        widths = [max(11, text_width(h) + 2) for h in heads]
        for h, w in zip(heads, widths, strict=True):
            head += pad(h, w, True)
        lines.append(head)
        for u in audit.units:
            uname = u.unit if lang == "zh" else plan.unit_name_en(u.unit)
            row = pad(uname, w0) + pad(_km2(u.area_m2), 12, True)
            for k, w in zip(keys, widths, strict=True):
                row += pad(_km2(u.layers.get(k, 0.0)), w, True)
            lines.append(row)
        row = pad(label("total", lang), w0) + pad(_km2(sum(u.area_m2 for u in audit.units)), 12, True)
        for k, w in zip(keys, widths, strict=True):
            row += pad(_km2(sum(u.layers.get(k, 0.0) for u in audit.units)), w, True)
        lines.append(row)
        lines.append("")
    wn = max([24] + [text_width(name(k)) + 2 for k in audit.layers])
    lines.append(
        pad(label("layer", lang), wn) + pad(label("features", lang), 8, True)
        + pad(label("area_km2", lang), 18, True) + pad(label("recorded", lang) + " km²", 18, True)
        + pad(label("outside", lang, plan.unit_labels) + " km²", 20, True)
        + pad(label("survey_area", lang) + " km²", 18, True) + pad(label("survey_diff", lang) + " m²", 26, True)
    )
    for k, la in audit.layers.items():
        nm = name(k)
        if la.geometry == "line":
            val = f"{la.length_m / 1e3:,.2f} km"
        else:
            val = _km2(la.area_m2)
        rec = "" if la.recorded_m2 is None else _km2(la.recorded_m2)
        out = "" if la.outside_units_m2 is None else _km2(la.outside_units_m2)
        sur = "" if la.geometry == "line" else _km2(la.survey_area_m2)
        sdiff = "" if la.geometry == "line" else f"{la.survey_area_m2 - la.area_m2:+,.2f}"
        sdiff = "±0.00" if sdiff in {"+0.00", "-0.00"} else sdiff
        lines.append(pad(nm, wn) + pad(str(la.features), 8, True) + pad(val, 18, True)
                     + pad(rec, 18, True) + pad(out, 20, True) + pad(sur, 18, True) + pad(sdiff, 26, True))
    if audit.figures:
        lines.append("")
        lines.append(label("figures", lang))
        for f in audit.figures:
            kind = {"min": label("min", lang), "max": label("max", lang), "target": label("target_kind", lang)}[f.kind]
            if f.quantity == "area":
                tgt, val = _km2(f.target) + " km²", "—" if f.value is None else _km2(f.value) + " km²"
                diff = "" if f.diff is None else f"{f.diff / 1e6:+,.2f} km²"
                diff = diff.replace("-0.00 ", "±0.00 ").replace("+0.00 ", "±0.00 ")
            elif f.quantity == "length":
                tgt, val = f"{f.target / 1e3:,.2f} km", "—" if f.value is None else f"{f.value / 1e3:,.2f} km"
                diff = "" if f.diff is None else f"{f.diff / 1e3:+,.3f} km"
            else:
                suffix = "%" if f.unit == "percent" else ""
                tgt = f"{f.target:g}{suffix}"
                val = "—" if f.value is None else f"{f.value:,.3f}{suffix}"
                diff = "" if f.diff is None else f"{f.diff:+,.3f}"
            year = f" ({f.year})" if f.year else ""
            source = f"({label('source', lang)} {f.source})"
            if f.scope:
                source += f" [{f.scope}]"
            if f.reason:
                source += f" — {f.reason}"
            lines.append(f"  [{label(f.status, lang)}] {f.figure}{year}: {kind} {tgt}; {val} {diff}  {source}")
    if audit.notes:
        lines.append("")
        lines.append(label("notes", lang) + ":")
        lines.extend(f"  - {n}" for n in audit.notes)
    return "\n".join(lines)


def validate_summary(report: Any, plan: Plan, lang: str = "zh", limit: int = 40) -> str:
    """Return the validation summary for the terminal (Chinese by default)."""
    lines = [f"{_vl('title', lang)} — {plan.name_zh if lang == 'zh' else plan.name_en}",
             f"{_vl('errors', lang)} {report.errors} · {_vl('warnings', lang)} {report.warnings} · "
             f"{_vl('accepted', lang)} {report.accepted}", ""]
    by_rule = report.by_rule()
    if not by_rule:
        lines.append(f"  {_vl('none', lang)}")
    for rule, d in by_rule.items():
        lines.append(
            f"  [{_vl(d['severity'], lang)}] {pad(rule_label(rule, lang), 18)} ({rule}): {d['count']} "
            f"{_vl('count', lang) if lang == 'zh' else ''}".rstrip()
            + (f", {d['area_m2']:,.1f} m²" if d["area_m2"] else "")
            + (f" ({_vl('accepted', lang)} {d['accepted']})" if d["accepted"] else "")
        )
    if report.violations:
        lines.append("")
        lines.append(_vl("per_unit", lang, plan.unit_labels) + ":")
        units: list[str | None] = list(dict.fromkeys([*report.units, *(v.unit for v in report.violations)]))
        for u in units:
            vs = [v for v in report.violations if v.unit == u]
            if not vs:
                continue
            outside = _vl("outside", lang, plan.unit_labels)
            name = (u if lang == "zh" else plan.unit_name_en(u)) if u is not None else outside
            errs = sum(1 for v in vs if v.severity == "error" and not v.accepted)
            warns = sum(1 for v in vs if v.severity == "warning" and not v.accepted)
            lines.append(f"  {pad(name, 20)} {_vl('errors', lang)} {errs} · {_vl('warnings', lang)} {warns}")
        lines.append("")
        lines.append(_vl("details", lang) + ":")
        for v in report.violations[:limit]:
            mark = _vl("accepted", lang) if v.accepted else _vl(v.severity, lang)
            msg = v.message_zh if lang == "zh" and v.message_zh else v.message
            where = "" if v.lon is None else f" @ {v.lon:.5f},{v.lat:.5f}"
            lines.append(f"  [{mark}] {v.rule}: {msg}{where}")
        if len(report.violations) > limit:
            lines.append("  … " + _vl("more", lang).format(n=len(report.violations) - limit))
    if report.notes:
        lines.append("")
        lines.append(_vl("notes", lang) + ":")
        lines.extend(f"  - {n}" for n in report.notes)
    lines.append("")
    lines.append(_vl("fail" if report.exit_code else "pass", lang))
    return "\n".join(lines)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.2f}%"


def coverage_table(coverage: Coverage, plan: Plan, lang: str = "zh") -> str:
    """Return the per-unit forest–grass shares and the division's against the plan, as terminal text."""
    zh = lang == "zh"
    lines = [
        f"{label('coverage_title', lang)} — {plan.name_zh if zh else plan.name_en}",
        f"{label('raster', lang)}: {coverage.raster} ({coverage.raster_crs}); "
        f"{label('forest', lang)} {','.join(coverage.forest)}, {label('grass', lang)} "
        f"{','.join(coverage.grass)}; {label('ellipsoidal', lang)}, km²",
        "",
    ]
    ul = plan.unit_labels
    heads = [label(k, lang, ul) for k in ("unit", "unit_area", "valid", "forest_grass", "coverage_share")]
    names = [u.unit if zh else plan.unit_name_en(u.unit) for u in coverage.units]
    w = [max([16] + [text_width(n) + 2 for n in names]), 12, 12, 14, 12]
    lines.append("".join(pad(h, wi, i > 0) for i, (h, wi) in enumerate(zip(heads, w, strict=True))))

    def row(name: str, area: float, valid: float, fgm: float, share: float | None) -> str:
        vals = [name, f"{area / 1e6:,.2f}", f"{valid / 1e6:,.2f}", f"{fgm / 1e6:,.2f}", _pct(share)]
        return "".join(pad(v, wi, i > 0) for i, (v, wi) in enumerate(zip(vals, w, strict=True)))

    for name, u in zip(names, coverage.units, strict=True):
        lines.append(row(name, u.area_m2, u.valid_m2, u.forest_grass_m2, u.forest_grass_share))
    lines.append(row(label("total", lang), sum(u.area_m2 for u in coverage.units), coverage.valid_m2,
                     coverage.forest_grass_m2, coverage.forest_grass_share))
    # the workflow judged it already (coverage.check); a Coverage built by hand is judged here
    check = coverage.check if coverage.check is not None else coverage_check(coverage, plan)
    if check is not None:
        kind = label("min", lang) if check.kind == "min" else label("max", lang)
        val = "—" if check.value_percent is None else f"{check.value_percent:.2f}%"
        lines.append("")
        lines.append(f"  [{label(check.status, lang)}] {check.figure}: {kind} {check.target_percent:g}%; {val}  "
                     f"({label('source', lang)} {check.source})")
    if coverage.notes:
        lines.append("")
        lines.append(label("notes", lang) + ":")
        lines.extend(f"  - {n}" for n in coverage.notes)
    return "\n".join(lines)
