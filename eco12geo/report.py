"""Write audits and reports to files (JSON, CSV, XLSX), atomically.

Only this module and :mod:`eco12geo.cli` write files.  Every file is first
written beside its destination under a temporary name, then moved into place
with :func:`os.replace`, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from .audit import Audit
from .labels import label, pad
from .plan import Plan

__all__ = [
    "atomic_write",
    "audit_frames",
    "audit_table",
    "write_audit",
    "write_json",
]


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` then move the file to ``path`` in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def write_json(path: str | Path, doc: dict[str, Any]) -> Path:
    """Write a JSON document (UTF-8, Chinese kept readable, keys in given order)."""
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def audit_frames(audit: Audit, plan: Plan) -> dict[str, pd.DataFrame]:
    """Return the audit as tables: ``units`` (unit × layer), ``layers`` and ``targets``."""
    rows = []
    for u in audit.units:
        for key, a in u.layers.items():
            d = plan.layers[key]
            rows.append(
                {
                    "unit": u.unit,
                    "layer": key,
                    "layer_zh": d.name_zh,
                    "area_m2": round(a, 2),
                    "area_km2": round(a / 1e6, 6),
                    "area_ha": round(a / 1e4, 4),
                    "share_of_unit": round(a / u.area_m2, 6) if u.area_m2 else None,
                    "share_of_territory": round(a / audit.territory_m2, 6),
                    "unit_area_m2": round(u.area_m2, 2),
                }
            )
    units = pd.DataFrame(
        rows,
        columns=["unit", "layer", "layer_zh", "area_m2", "area_km2", "area_ha", "share_of_unit",
                 "share_of_territory", "unit_area_m2"],
    )
    lrows = []
    for key, la in audit.layers.items():
        lrows.append(
            {
                "layer": key,
                "layer_zh": la.name_zh,
                "features": la.features,
                "area_m2": round(la.area_m2, 2),
                "area_km2": round(la.area_m2 / 1e6, 6),
                "area_ha": round(la.area_m2 / 1e4, 4),
                "planar_area_m2": round(la.planar_area_m2, 2),
                "planar_crs": " ".join(la.planar_crs),
                "length_m": round(la.length_m, 2) if la.geometry == "line" else None,
                "outside_units_m2": None if la.outside_units_m2 is None else round(la.outside_units_m2, 2),
                "recorded_m2": None if la.recorded_m2 is None else round(la.recorded_m2, 2),
                "recorded_diff_m2": None if la.recorded_m2 is None else round(la.recorded_m2 - la.area_m2, 2),
                "recorded_mismatches": la.recorded_mismatches,
                "share_of_territory": round(la.area_m2 / audit.territory_m2, 6),
                "source": la.source,
                "source_crs": la.source_crs,
            }
        )
    trows = [
        {
            "figure": f.figure,
            "layer": f.layer,
            "quantity": f.quantity,
            "kind": f.kind,
            "year": f.year,
            "target": f.target,
            "value": None if f.value is None else round(f.value, 6),
            "diff": None if f.diff is None else round(f.diff, 6),
            "unit": f.unit,
            "status": f.status,
            "source": f.source,
        }
        for f in audit.figures
    ]
    return {"units": units, "layers": pd.DataFrame(lrows), "targets": pd.DataFrame(trows)}


def write_audit(audit: Audit, plan: Plan, out_dir: str | Path) -> list[Path]:
    """Write ``audit.json``, ``audit.csv`` (unit × layer rows) and ``audit.xlsx`` into ``out_dir``."""
    out = Path(out_dir)
    frames = audit_frames(audit, plan)
    written = [write_json(out / "audit.json", audit.to_dict())]
    # layer totals follow the per-unit rows with unit "*" so one CSV holds the whole audit
    totals = frames["layers"].rename(columns={})[["layer", "layer_zh", "area_m2", "area_km2", "area_ha",
                                                  "share_of_territory"]].assign(unit="*")
    csv = pd.concat([frames["units"], totals], ignore_index=True)
    written.append(
        atomic_write(out / "audit.csv", lambda p: csv.to_csv(p, index=False, encoding="utf-8-sig"))
    )

    def _xlsx(p: Path) -> None:
        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            frames["units"].to_excel(xw, sheet_name="units", index=False)
            frames["layers"].to_excel(xw, sheet_name="layers", index=False)
            frames["targets"].to_excel(xw, sheet_name="targets", index=False)
            pd.DataFrame({"note": audit.notes or [""]}).to_excel(xw, sheet_name="notes", index=False)

    written.append(atomic_write(out / "audit.xlsx", _xlsx))
    return written


def _km2(v: float) -> str:
    return f"{v / 1e6:,.2f}"


def audit_table(audit: Audit, plan: Plan, lang: str = "zh") -> str:
    """Return the audit as a plain-text table for the terminal."""
    name = (lambda k: plan.layers[k].name_zh) if lang == "zh" else (lambda k: plan.layers[k].name_en)
    lines = [f"{label('audit_title', lang)} — {plan.name_zh if lang == 'zh' else plan.name_en}",
             f"{label('ellipsoidal', lang)} (CGCS2000), km²; CRS {audit.crs}", ""]
    keys = [k for k in audit.layers if k != "units" and audit.layers[k].geometry != "line"
            and audit.layers[k].geometry != "point_or_polygon"]
    if audit.units:
        lines.append(label("per_unit", lang))
        w0 = 14
        head = pad(label("unit", lang), w0) + pad(label("unit_area", lang), 12, True)
        widths = [max(12, min(18, len(name(k)) * 2 + 2)) for k in keys]
        for k, w in zip(keys, widths):
            head += pad(name(k)[: w // 2 - 1] if lang == "zh" else name(k)[: w - 2], w, True)
        lines.append(head)
        for u in audit.units:
            uname = u.unit if lang == "zh" else plan.unit_name_en(u.unit)
            row = pad(uname, w0) + pad(_km2(u.area_m2), 12, True)
            for k, w in zip(keys, widths):
                row += pad(_km2(u.layers.get(k, 0.0)), w, True)
            lines.append(row)
        row = pad(label("total", lang), w0) + pad(_km2(sum(u.area_m2 for u in audit.units)), 12, True)
        for k, w in zip(keys, widths):
            row += pad(_km2(sum(u.layers.get(k, 0.0) for u in audit.units)), w, True)
        lines.append(row)
        lines.append("")
    lines.append(
        pad(label("layer", lang), 24) + pad(label("features", lang), 8, True)
        + pad(label("area_km2", lang), 18, True) + pad(label("recorded", lang) + " km²", 16, True)
        + pad(label("outside", lang) + " km²", 14, True)
    )
    for k, la in audit.layers.items():
        nm = name(k)
        if la.geometry == "line":
            val = f"{la.length_m / 1e3:,.2f} km"
        else:
            val = _km2(la.area_m2)
        rec = "" if la.recorded_m2 is None else _km2(la.recorded_m2)
        out = "" if la.outside_units_m2 is None else _km2(la.outside_units_m2)
        lines.append(pad(nm, 24) + pad(str(la.features), 8, True) + pad(val, 18, True)
                     + pad(rec, 16, True) + pad(out, 14, True))
    if audit.figures:
        lines.append("")
        lines.append(label("figures", lang))
        for f in audit.figures:
            kind = {"min": label("min", lang), "max": label("max", lang), "target": label("target_kind", lang)}[f.kind]
            if f.quantity == "area":
                tgt, val = _km2(f.target) + " km²", "—" if f.value is None else _km2(f.value) + " km²"
                diff = "" if f.diff is None else f"{f.diff / 1e6:+,.2f} km²"
            elif f.quantity == "length":
                tgt, val = f"{f.target / 1e3:,.2f} km", "—" if f.value is None else f"{f.value / 1e3:,.2f} km"
                diff = "" if f.diff is None else f"{f.diff / 1e3:+,.3f} km"
            else:
                suffix = "%" if f.unit == "percent" else ""
                tgt = f"{f.target:g}{suffix}"
                val = "—" if f.value is None else f"{f.value:,.3f}{suffix}"
                diff = "" if f.diff is None else f"{f.diff:+,.3f}"
            year = f" ({f.year})" if f.year else ""
            lines.append(
                f"  [{label(f.status, lang)}] {f.figure}{year}: {kind} {tgt}; {val} {diff}  ({label('source', lang)} {f.source})"
            )
    if audit.notes:
        lines.append("")
        lines.append(label("notes", lang) + ":")
        lines.extend(f"  - {n}" for n in audit.notes)
    return "\n".join(lines)
