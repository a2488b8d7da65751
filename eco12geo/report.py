"""Write audits and reports to files (JSON, CSV, XLSX), atomically.

Only this module and :mod:`eco12geo.cli` write files.  Every file is first
written beside its destination under a temporary name, then moved into place
with :func:`os.replace`, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import errno
import functools
import json
import os
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ._staging import output_error, staged_path
from .audit import AREA_METHODS, Audit
from .errors import OutputError
from .indicators import Scorecard
from .plan import Plan
from .raster import Coverage, coverage_frame
from .render.html import report_html
from .render.labels import validate_label as _vl

__all__ = [
    "atomic_write",
    "audit_frames",
    "csv_cell",
    "csv_frame",
    "write_audit",
    "write_coverage",
    "write_json",
    "write_pages",
    "write_repaired",
    "write_report",
    "write_scorecard",
    "write_violations_gpkg",
]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: what GDAL and SQLite say when the disk fails under them (they raise their own errors, not OSError)
_DISK_WORDS = {"no space left": errno.ENOSPC, "disk is full": errno.ENOSPC, "read-only file system": errno.EROFS,
               "readonly database": errno.EROFS, "permission denied": errno.EACCES}


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` then move the file to ``path`` in one step.

    The file gets the usual permissions (0666 less the umask), not the 0600
    of a temporary file: outputs are for sharing.  Inside
    :func:`eco12geo._staging.staging` the file goes to the staging folder and
    reaches ``path`` when the command ends well.  A symbolic link at ``path``
    is refused, never written through.

    Raises
    ------
    OutputError
        When the file cannot be written (read-only, full disk, a link at its name), with one line.
    """
    path = Path(path)
    target = staged_path(path)
    tmp_path: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
        os.close(fd)
        tmp_path = Path(tmp)
        write(tmp_path)
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    except OSError as exc:
        _unlink(tmp_path)
        raise output_error(exc, path) from None
    except (RuntimeError, sqlite3.Error) as exc:  # GDAL (pyogrio) and SQLite errors of a failing disk
        _unlink(tmp_path)
        code = next((c for w, c in _DISK_WORDS.items() if w in str(exc).lower()), None)
        if code is None:
            raise
        raise output_error(OSError(code, os.strerror(code)), path) from None
    except BaseException:
        _unlink(tmp_path)
        raise
    return path


def _unlink(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


#: a text cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection)
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """Return a cell for a CSV file: text that a spreadsheet would run as a formula gets a leading ``'``.

    Numbers are returned unchanged (OWASP's CSV-injection rule applies to text only).
    """
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START):
        return "'" + value
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with every text cell passed through :func:`csv_cell`.

    Write it with CRLF line ends (RFC 4180, as :class:`csv.DictWriter` does): then a cell
    holding a line break is quoted and cannot split its row.
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(csv_cell)
    return out


def output_time() -> datetime.datetime:
    """Return the time stamped into outputs that carry one (xlsx properties, GeoPackage timestamps).

    A fixed time, so identical inputs give byte-identical files: ``SOURCE_DATE_EPOCH``
    when set (the reproducible-builds convention), else 2000-01-01T00:00:00Z.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if epoch.isdigit() else 946_684_800
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def _reproducible_zip(path: Path) -> None:
    """Rewrite an Office zip (xlsx) with fixed entry times and document times, entries in the same order."""
    stamp = output_time()
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as zf:
        entries = [(i, zf.read(i)) for i in zf.infolist()]
    tmp = path.with_name(path.name + ".z")
    with zipfile.ZipFile(tmp, "w") as zf:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + iso + rb"\g<2>",
                              data)
            new = zipfile.ZipInfo(info.filename, date_time=max(stamp.timetuple()[:6], (1980, 1, 1, 0, 0, 0)))
            new.compress_type = info.compress_type
            new.external_attr = 0o644 << 16
            zf.writestr(new, data)
    os.replace(tmp, path)


def write_json(path: str | Path, doc: dict[str, Any]) -> Path:
    """Write a JSON document (UTF-8, Chinese kept readable, keys in given order)."""
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def audit_frames(audit: Audit, plan: Plan) -> dict[str, pd.DataFrame]:
    """Return the audit as tables: ``units`` (unit × layer), ``layers``, ``targets`` and ``recorded`` (per feature)."""
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
                    "survey_area_m2": round(u.survey_layers.get(key, 0.0), 2),
                    "survey_diff_m2": round(u.survey_layers.get(key, 0.0) - a, 2),
                }
            )
    units = pd.DataFrame(
        rows,
        columns=["unit", "layer", "layer_zh", "area_m2", "area_km2", "area_ha", "share_of_unit",
                 "share_of_territory", "unit_area_m2", "survey_area_m2", "survey_diff_m2"],
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
                "survey_area_m2": round(la.survey_area_m2, 2),
                "survey_diff_m2": round(la.survey_area_m2 - la.area_m2, 2),
                "survey_outside_units_m2": None if la.survey_outside_units_m2 is None
                else round(la.survey_outside_units_m2, 2),
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
            "reason": f.reason,
        }
        for f in audit.figures
    ]
    recorded = [la.recorded for la in audit.layers.values() if la.recorded is not None]
    features = pd.concat(recorded, ignore_index=True) if recorded else pd.DataFrame(
        columns=["layer", "feature", "recorded_m2", "area_m2", "diff_m2", "diff_relative", "beyond_tolerance",
                 "survey_area_m2", "survey_diff_m2", "compared_with"]
    )
    return {"units": units, "layers": pd.DataFrame(lrows), "targets": pd.DataFrame(trows), "recorded": features}


def write_audit(audit: Audit, plan: Plan, out_dir: str | Path) -> list[Path]:
    """Write ``audit.json``, ``audit.csv`` (unit × layer rows) and ``audit.xlsx`` into ``out_dir``."""
    out = Path(out_dir)
    frames = audit_frames(audit, plan)
    written = [write_json(out / "audit.json", audit.to_dict())]
    # layer totals follow the per-unit rows with unit "*" so one CSV holds the whole audit
    totals = frames["layers"].rename(columns={})[["layer", "layer_zh", "area_m2", "area_km2", "area_ha",
                                                  "share_of_territory", "survey_area_m2",
                                                  "survey_diff_m2"]].assign(unit="*")
    csv = csv_frame(pd.concat([frames["units"], totals], ignore_index=True))
    written.append(
        atomic_write(out / "audit.csv",
                     lambda p: csv.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\r\n"))
    )

    def _xlsx(p: Path) -> None:
        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            frames["units"].to_excel(xw, sheet_name="units", index=False)
            frames["layers"].to_excel(xw, sheet_name="layers", index=False)
            frames["targets"].to_excel(xw, sheet_name="targets", index=False)
            # recorded MJ against computed, per feature (Excel holds 1 048 576 rows: mismatches first)
            rec = frames["recorded"].sort_values("beyond_tolerance", ascending=False, kind="stable")
            rec.head(1_048_000).to_excel(xw, sheet_name="recorded", index=False)
            # the notes sheet ends with how each area column was measured (audit.json area_methods)
            methods = [f"{k}: {v}" for k, v in AREA_METHODS.items()]
            pd.DataFrame({"note": [*audit.notes, *methods]}).to_excel(xw, sheet_name="notes", index=False)
            _no_formulas(xw.book)
            xw.book.properties.creator = "eco12geo"
        _reproducible_zip(p)

    written.append(atomic_write(out / "audit.xlsx", _xlsx))
    return written


def _no_formulas(book: Any) -> None:
    """Keep text from users' files as text: a unit named ``=HYPERLINK(...)`` must not become a live formula."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


# ====================================================================== validation report
# Added for ``eco12geo validate``: report.json, violations.gpkg (with QGIS styles in the
# GeoPackage's layer_styles table), report.html and the terminal summary.

#: geometry type written to violations.gpkg for rules whose violations are points
_POINT_RULES = {"geometry_invalid", "empty_geometry", "duplicate_id", "geometry_type"}
_SEVERITY_RGB = {"error": "227,26,28", "warning": "255,127,0"}


def _rule_names(report: Any, plan: Plan) -> list[str]:
    """Rules run by the plan plus any rule a violation carries, in plan order, once each."""
    names: list[str] = []
    for r in plan.rules:
        if r.rule not in names:
            names.append(r.rule)
    for v in report.violations:
        if v.rule not in names:
            names.append(v.rule)
    return names


def _qml_symbol(name: str, geometry_type: str, rgb: str) -> str:
    """Return one QGIS symbol: a cross for points, an outlined translucent fill for areas."""
    if geometry_type == "Point":
        return (
            f'<symbol type="marker" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">'
            '<layer class="SimpleMarker" enabled="1" pass="0" locked="0"><Option type="Map">'
            '<Option name="name" type="QString" value="cross2"/>'
            f'<Option name="color" type="QString" value="{rgb},255"/>'
            f'<Option name="outline_color" type="QString" value="{rgb},255"/>'
            '<Option name="outline_width" type="QString" value="0.8"/>'
            '<Option name="size" type="QString" value="5"/>'
            '<Option name="size_unit" type="QString" value="MM"/></Option>'
            f'<prop k="name" v="cross2"/><prop k="color" v="{rgb},255"/>'
            f'<prop k="outline_color" v="{rgb},255"/><prop k="size" v="5"/>'
            "</layer></symbol>"
        )
    return (
        f'<symbol type="fill" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">'
        '<layer class="SimpleFill" enabled="1" pass="0" locked="0"><Option type="Map">'
        f'<Option name="color" type="QString" value="{rgb},110"/>'
        f'<Option name="outline_color" type="QString" value="{rgb},255"/>'
        '<Option name="outline_width" type="QString" value="0.8"/>'
        '<Option name="outline_width_unit" type="QString" value="MM"/>'
        '<Option name="style" type="QString" value="solid"/></Option>'
        f'<prop k="color" v="{rgb},110"/><prop k="outline_color" v="{rgb},255"/>'
        '<prop k="outline_width" v="0.8"/><prop k="style" v="solid"/>'
        "</layer></symbol>"
    )


def _qml(rule: str, geometry_type: str) -> str:
    """Return a QGIS style (QML) for one violations layer, by each feature's ``severity``.

    A rule's features may differ in severity (a plan can give a rule twice, as an error for some
    layers and a warning for others), so the layer is categorised on its ``severity`` field: red
    for errors, orange for warnings, whatever the plan's last rule of that name says.
    """
    cats = "".join(
        f'<category render="true" symbol="{i}" value="{sev}" label="{_vl(sev, "zh")} {sev}"/>'
        for i, sev in enumerate(_SEVERITY_RGB)
    )
    symbols = "".join(_qml_symbol(str(i), geometry_type, rgb) for i, rgb in enumerate(_SEVERITY_RGB.values()))
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        '<qgis version="3.28.0" styleCategories="Symbology|Labeling">\n'
        '<renderer-v2 type="categorizedSymbol" attr="severity" symbollevels="0" enableorderby="0" forceraster="0">'
        f"<categories>{cats}</categories><symbols>{symbols}</symbols></renderer-v2>\n"
        '<labeling type="simple"><settings calloutType="simple">'
        '<text-style fieldName="features" fontSize="9" textColor="0,0,0,255"/>'
        "</settings></labeling>\n"
        f"<layerGeometryType>{0 if geometry_type == 'Point' else 2}</layerGeometryType>\n"
        "</qgis>\n"
    )


def _violation_frame(report: Any, rule: str) -> tuple[Any, str]:
    """Return the violations of one rule as a GeoDataFrame, and the geometry type to declare."""
    import geopandas as gpd
    import shapely

    rows = [v for v in report.violations if v.rule == rule]
    geoms = []
    for v in rows:
        g = v.geometry
        if g is not None and shapely.is_empty(g):
            g = None
        geoms.append(g)
    dims = {int(shapely.get_dimensions(g)) for g in geoms if g is not None}
    if rule in _POINT_RULES or dims == {0}:
        gtype = "Point"
        geoms = [None if g is None else (g if g.geom_type == "Point" else shapely.point_on_surface(g))
                 for g in geoms]
    elif dims <= {2}:
        gtype = "MultiPolygon"
        geoms = [None if g is None else (shapely.multipolygons(shapely.get_parts(g)) if g.geom_type != "MultiPolygon"
                                         else g) for g in geoms]
    else:
        gtype = "Unknown"
    frame = gpd.GeoDataFrame(
        {
            "rule": [v.rule for v in rows],
            "severity": [v.severity for v in rows],
            "layers": [",".join(v.layers) for v in rows],
            "features": [";".join(v.features) for v in rows],
            "unit": [v.unit for v in rows],
            "area_m2": [None if v.area_m2 is None else round(float(v.area_m2), 2) for v in rows],
            "lon": [v.lon for v in rows],
            "lat": [v.lat for v in rows],
            "message": [v.message for v in rows],
            "message_zh": [v.message_zh for v in rows],
            "accepted": [int(v.accepted) for v in rows],
            "reason": [(v.exception or {}).get("reason") for v in rows],
            "document": [(v.exception or {}).get("document") for v in rows],
            "details": [json.dumps(v.details, ensure_ascii=False, sort_keys=True) if v.details else None
                        for v in rows],
        },
        geometry=gpd.GeoSeries(geoms, crs=report.crs),
        crs=report.crs,
    )
    frame["unit"] = frame["unit"].astype(object)
    return frame, gtype


def _write_layer_styles(path: Path, styles: list[tuple[str, str, str]]) -> None:
    """Store QGIS styles in the GeoPackage's ``layer_styles`` table (what QGIS reads on opening)."""
    import sqlite3

    stamp = _gpkg_time()
    con = sqlite3.connect(path)
    try:
        con.execute(
            "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256), "
            "f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT, "
            "useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME "
            "DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
        )
        con.execute(
            "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
            "VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles', ?)", (stamp,)
        )
        for table, qml, description in styles:
            row = con.execute(
                "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
            ).fetchone()
            con.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) "
                "VALUES ('', '', ?, ?, ?, ?, '', 1, ?, 'eco12geo', NULL, ?)",
                (table, row[0] if row else "geom", table, qml, description, stamp),
            )
        con.commit()
    finally:
        con.close()


def _gpkg_time() -> str:
    return output_time().strftime("%Y-%m-%dT%H:%M:%S.000Z")


@contextlib.contextmanager
def _fixed_gdal_time() -> Any:
    """Have GDAL stamp GeoPackages with :func:`output_time` (``OGR_CURRENT_DATE``) while writing."""
    import pyogrio

    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _gpkg_time()})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def write_violations_gpkg(report: Any, plan: Plan, path: str | Path) -> Path:
    """Write ``violations.gpkg``: one layer per rule of the plan (empty when clean), each styled for QGIS."""
    import pyogrio

    names = _rule_names(report, plan)

    def _write(p: Path) -> None:
        p.unlink(missing_ok=True)
        styles: list[tuple[str, str, str]] = []
        with _fixed_gdal_time():
            _layers(p, styles)
        _write_layer_styles(p, styles)

    def _layers(p: Path, styles: list[tuple[str, str, str]]) -> None:
        for rule in names:
            frame, gtype = _violation_frame(report, rule)
            pyogrio.write_dataframe(
                frame, p, layer=rule, driver="GPKG", geometry_type=gtype,
                layer_options={"IDENTIFIER": rule, "DESCRIPTION": f"eco12geo validate: {rule}"},
            )
            found = sorted(set(frame["severity"])) if len(frame) else []
            what = ", ".join(f"{(frame['severity'] == s).sum()} {s}" for s in found) or "none"
            styles.append((rule, _qml(rule, gtype), f"eco12geo {rule} ({what})"))

    return atomic_write(path, _write)


def write_report(report: Any, plan: Plan, out_dir: str | Path, *, lang: str = "zh",
                 maps_dir: str | Path | None = None) -> list[Path]:
    """Write ``report.json``, ``violations.gpkg`` and ``report.html`` into ``out_dir`` (atomically)."""
    out = Path(out_dir)
    written = [write_json(out / "report.json", report.to_dict())]
    written.append(write_violations_gpkg(report, plan, out / "violations.gpkg"))
    text = report_html(report, plan, lang, out_dir=out, maps_dir=maps_dir)

    def _html(p: Path) -> None:
        p.write_text(text, encoding="utf-8")

    written.append(atomic_write(out / "report.html", _html))
    return written


def write_repaired(report: Any, out_dir: str | Path) -> list[Path]:
    """Write a repaired copy of each layer that had invalid geometries: ``<key>_repaired.gpkg`` in ``out_dir``.

    Inputs are never changed; the copies are in the run's working CRS.
    """
    import pyogrio

    written = []
    for key, gdf in sorted(report.repaired.items()):
        path = Path(out_dir) / f"{key}_repaired.gpkg"

        def _write(p: Path, _g: Any = gdf, _k: str = key) -> None:
            p.unlink(missing_ok=True)
            with _fixed_gdal_time():
                pyogrio.write_dataframe(_g, p, layer=_k, driver="GPKG", promote_to_multi=True)

        written.append(atomic_write(path, _write))
    return written


def write_scorecard(card: Scorecard, out_dir: str | Path) -> list[Path]:
    """Write ``scorecard.json`` and ``scorecard.csv`` (UTF-8 with BOM, for Excel) atomically."""
    out = Path(out_dir)
    rows = card.to_rows()

    def _csv(p: Path) -> None:
        with p.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)

    return [write_json(out / "scorecard.json", card.to_dict()), atomic_write(out / "scorecard.csv", _csv)]


def write_coverage(cov: Coverage, out_dir: str | Path) -> list[Path]:
    """Write ``coverage.json`` and ``coverage.csv`` (unit × class rows, then the division as unit "*")."""
    out = Path(out_dir)
    frame = csv_frame(coverage_frame(cov))
    return [
        write_json(out / "coverage.json", cov.to_dict()),
        atomic_write(out / "coverage.csv",
                     lambda p: frame.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\r\n")),
    ]


def write_pages(pages: dict[str, str], out_dir: str | Path) -> list[Path]:
    """Write HTML pages (file name → text) into ``out_dir``, atomically; names must stay inside it."""
    out = Path(out_dir)
    written = []
    for name, text in pages.items():
        target = out / name
        if Path(name).name != name or name in ("", ".", ".."):
            raise OutputError("refusing to write {name!r}: a page name must stay inside {opt:out={out}}",
                              name=name, out=out)
        written.append(atomic_write(target, functools.partial(Path.write_text, data=text, encoding="utf-8")))
    return written


# ====================================================================== map sheets (eco12geo sheets)
def sheets_doc(rows: list[dict[str, Any]], scale: int, units_source: str, crs: str) -> dict[str, Any]:
    """Return the ``sheets.json`` document for :func:`eco12geo.survey.sheet_table` rows."""
    sheets = []
    for r in rows:
        sheets.append({
            **{k: r[k] for k in ("sheet", "scale", "west", "south", "east", "north")},
            "sheet_area_m2": round(float(r["sheet_area_m2"]), 2),
            "units": [{"unit": u["unit"], "survey_area_m2": round(float(u["survey_area_m2"]), 2)}
                      for u in r["units"]],
        })
    return {
        "schema_version": 1,
        "scale": scale,
        "units_source": units_source,
        "crs": crs,
        "area_methods": {
            "sheet_area_m2": "Theoretical sheet area (图幅理论面积), formula (1) of 国土调查办发〔2008〕32号 on "
            "CGCS2000; sheets numbered by GB/T 13989-2012.",
            "survey_area_m2": AREA_METHODS["survey_area_m2"],
        },
        "sheets": sheets,
    }


def write_sheets(doc: dict[str, Any], out_dir: str | Path) -> list[Path]:
    """Write ``sheets.json`` and ``sheets.csv`` (one row per sheet and unit) into ``out_dir``."""
    out = Path(out_dir)
    rows = [
        {"sheet": s["sheet"], "scale": s["scale"], "sheet_area_m2": s["sheet_area_m2"], "unit": u["unit"],
         "survey_area_m2": u["survey_area_m2"],
         "share_of_sheet": round(u["survey_area_m2"] / s["sheet_area_m2"], 6) if s["sheet_area_m2"] else None,
         "west": s["west"], "south": s["south"], "east": s["east"], "north": s["north"]}
        for s in doc["sheets"] for u in s["units"]
    ]
    frame = pd.DataFrame(rows, columns=["sheet", "scale", "sheet_area_m2", "unit", "survey_area_m2",
                                        "share_of_sheet", "west", "south", "east", "north"])
    # unit names come from the user's file: one starting like a formula is kept as text in spreadsheets
    frame = csv_frame(frame)
    written = [write_json(out / "sheets.json", doc)]
    written.append(atomic_write(out / "sheets.csv",
                                lambda p: frame.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\r\n")))
    return written
