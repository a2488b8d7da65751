"""Workflows: one function per command's job, from objects to the output files it writes.

Each takes a plan, layers (or paths to read them from) and an output folder, runs the library
and writes through :mod:`eco12geo.report`, returning the result and the files written.  The CLI
commands (:mod:`eco12geo.cli`) parse options, call one workflow and echo; notebooks and scripts
call the same functions.  Nothing here prints: progress goes through ``progress`` callbacks and
notes through ``on_note``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
from pyproj import CRS

from ._staging import current_path
from .audit import Audit, audit, unit_names
from .backend import Backend, LocalBackend
from .bundled import bundled_layer
from .errors import InputError
from .io import LayerSource, discover_layers, parse_layer_arg, read_layer
from .layerset import LayerSet, load_layers
from .measure import crs_label
from .plan import UNITS_KEY, Plan
from .raster import Coverage, coverage_check, zonal_coverage
from .render.maps import build_maps
from .report import sheets_doc, write_audit, write_coverage, write_pages, write_repaired, write_report, write_sheets
from .survey import SCALES, sheet_table
from .validate import Report, validate
from .waivers import load_exceptions

__all__ = [
    "CONTEXT_FILE",
    "gather_sources",
    "make_maps",
    "read_baseline",
    "read_context",
    "read_layers",
    "run_audit",
    "run_coverage",
    "run_sheets",
    "run_validate",
]

#: the bundled county boundaries drawn as map context
CONTEXT_FILE = "context_counties.gpkg"

Progress = Callable[[str, int, int], None]


def gather_sources(
    plan: Plan, paths: Sequence[str | Path] = (), layer_args: Sequence[str] = (), units_path: str | None = None
) -> tuple[dict[str, LayerSource], list[str]]:
    """Return the layer sources named by files or folders, ``KEY=PATH`` texts and a units path.

    Returns
    -------
    (sources, unmatched)
        Sources by layer key, and the layers found that match no key (listed, never guessed).
    """
    sources: dict[str, LayerSource] = {}
    unmatched: list[str] = []
    if paths:
        sources, unmatched = discover_layers(list(paths), plan)
    for text in layer_args:
        key, src = parse_layer_arg(text)
        sources[key] = src
    if units_path:
        sources[UNITS_KEY] = LayerSource.parse(units_path)
    return sources, unmatched


def read_layers(
    plan: Plan,
    sources: Mapping[str, LayerSource],
    *,
    assume_crs: str | None = None,
    engine: str = "pyogrio",
    progress: Progress | None = None,
    target_crs: CRS | None = None,
) -> LayerSet:
    """Read the sources into one :class:`LayerSet` (one working CRS, ``target_crs`` when given).

    Raises
    ------
    InputError
        No layers given, or a layer cannot be used.
    """
    if not sources:
        raise InputError("no layers given; pass files or folders, or {opt:layer_args=KEY=PATH}")
    return load_layers(sources, plan, assume_crs=assume_crs, engine=engine, progress=progress,
                       target_crs=target_crs)


def read_baseline(
    plan: Plan,
    paths: Sequence[str | Path] = (),
    layer_args: Sequence[str] = (),
    *,
    target_crs: CRS | None = None,
    assume_crs: str | None = None,
    engine: str = "pyogrio",
    progress: Progress | None = None,
    on_unmatched: Callable[[list[str]], None] | None = None,
) -> LayerSet | None:
    """Read an earlier version of the layers, brought once to ``target_crs`` (None when none is given)."""
    if not paths and not layer_args:
        return None
    sources, unmatched = gather_sources(plan, paths, layer_args)
    if on_unmatched is not None:
        on_unmatched(unmatched)
    return read_layers(plan, sources, assume_crs=assume_crs, engine=engine, progress=progress, target_crs=target_crs)


def run_audit(
    plan: Plan,
    layers: LayerSet,
    out: str | Path,
    *,
    unit_field: str | None = None,
    targets: bool = True,
    year: int | None = None,
    backend: Backend | None = None,
    started: float | None = None,
) -> tuple[Audit, list[Path]]:
    """Audit the layers and write ``audit.json``, ``audit.csv`` and ``audit.xlsx`` into ``out``.

    ``started`` (``time.perf_counter()`` when the work began) gives ``run.seconds``.
    """
    t0 = time.perf_counter() if started is None else started
    be = backend or LocalBackend()
    result = audit(layers, plan, unit_field=unit_field, targets=targets, year=year, backend=be)
    result.run = be.info(time.perf_counter() - t0)
    return result, write_audit(result, plan, out)


def run_validate(
    plan: Plan,
    layers: LayerSet,
    baseline: LayerSet | None,
    out: str | Path,
    *,
    unit_field: str | None = None,
    targets: bool = True,
    tolerances: dict[str, float | None] | None = None,
    exceptions_path: str | Path | None = None,
    repair: bool = False,
    lang: str = "zh",
    maps_dir: str | Path | None = None,
    year: int | None = None,
    backend: Backend | None = None,
    started: float | None = None,
    progress: Progress | None = None,
) -> tuple[Report, list[Path]]:
    """Validate and write ``report.json``, ``violations.gpkg`` and ``report.html`` (and repaired copies).

    ``started`` (``time.perf_counter()`` when the work began) gives ``run.seconds`` in report.json.
    """
    exceptions = load_exceptions(exceptions_path) if exceptions_path else None
    t0 = time.perf_counter() if started is None else started
    be = backend or LocalBackend()
    report = validate(layers, plan, baseline, unit_field=unit_field, targets=targets, tolerances=tolerances,
                      exceptions=exceptions, year=year, backend=be, progress=progress)
    report.run = be.info(time.perf_counter() - t0)
    written = write_report(report, plan, out, lang=lang, maps_dir=maps_dir)
    if repair:
        written.extend(write_repaired(report, Path(out) / "repaired"))
    return report, written


def run_coverage(
    plan: Plan,
    layers: LayerSet,
    raster: str | Path,
    out: str | Path,
    *,
    unit_field: str | None = None,
    forest: Sequence[float | int | str] = (3,),
    grass: Sequence[float | int | str] = (4,),
    assume_crs: str | None = None,
    band: int = 1,
) -> tuple[Coverage, list[Path]]:
    """Measure the raster over the units of ``layers``, judge it, write ``coverage.json`` and ``.csv``."""
    if UNITS_KEY not in layers:
        raise InputError("no units layer; give the units (regiments) layer and its name field")
    densify = plan.tolerances.get("densify_m", 100.0)
    cov = zonal_coverage(raster, layers[UNITS_KEY], unit_field or plan.unit_field, forest=forest, grass=grass,
                         densify_m=densify, assume_crs=assume_crs, band=band,
                         repaired=layers.repaired(UNITS_KEY)[0])
    cov.notes[:0] = [n for n in layers.notes if n.startswith(UNITS_KEY)]
    cov.check = coverage_check(cov, plan)
    return cov, write_coverage(cov, out)


#: the GB/T 13989 scales (denominators), largest sheet first
SHEET_SCALES = sorted((v[0] for v in SCALES.values()), reverse=True)


def check_scale(scale: int) -> int:
    """Return ``scale`` when it is a GB/T 13989 scale (a denominator of :data:`SHEET_SCALES`).

    Raises
    ------
    InputError
        For any other denominator.
    """
    if scale not in SHEET_SCALES:
        raise InputError("{opt:scale={scale}} is not a GB/T 13989 scale; use one of {scales}",
                         scale=scale, scales=", ".join(map(str, SHEET_SCALES)))
    return scale


def run_sheets(
    plan: Plan, layers: LayerSet, out: str | Path, *, unit_field: str | None = None, scale: int = 10_000
) -> tuple[dict[str, Any], list[Path]]:
    """List the standard map sheets over each unit; write ``sheets.json`` and ``sheets.csv``.

    Returns
    -------
    (doc, written)
        The ``sheets.json`` document and the files written.
    """
    check_scale(scale)
    if UNITS_KEY not in layers:
        raise InputError("no units layer; give the polygons whose sheets are listed")
    gdf = layers[UNITS_KEY]
    names = unit_names(gdf, unit_field or plan.unit_field)
    geoms, _ = layers.repaired(UNITS_KEY)
    rows = sheet_table(geoms, names, layers.crs, scale)
    doc = sheets_doc(rows, scale, layers.sources.get(UNITS_KEY, ""), crs_label(layers.crs))
    return doc, write_sheets(doc, out)


def read_context(
    path: str | Path | None, assume_crs: str | None = None, *, on_note: Callable[[str], None] | None = None
) -> gpd.GeoDataFrame | None:
    """Read the county context layer: ``path``, else the bundled one (skipped, with a note, if unreadable)."""
    if path is not None:
        return read_layer(path, assume_crs=assume_crs)
    found = bundled_layer(CONTEXT_FILE)
    if found is None:
        return None
    try:
        return read_layer(found)
    except InputError as exc:
        if on_note is not None:
            on_note(f"county context layer skipped: {exc}")
        return None


def make_maps(
    layers: LayerSet,
    plan: Plan,
    out: str | Path,
    *,
    report: Report | Mapping[str, Any] | None = None,
    audit_result: Audit | None = None,
    basemap: str = "none",
    lang: str = "zh",
    tianditu_token: str | None = None,
    unit_field: str | None = None,
    context: gpd.GeoDataFrame | None = None,
    illustrative: bool = False,
    report_html: str | Path | None = None,
) -> list[Path]:
    """Build every map page and write them into ``out``.

    ``report`` is a :class:`Report` or a report.json document (its violations are drawn);
    ``audit_result`` fills the index's table (audited here without figures when not given);
    ``report_html`` is linked from the index when it exists or is about to be written.
    """
    out = Path(out)
    result = audit_result if audit_result is not None else audit(layers, plan, unit_field=unit_field,
                                                                 targets=False)
    doc = report.to_dict() if isinstance(report, Report) else report
    href = None
    if report_html is not None and (Path(report_html).is_file() or current_path(Path(report_html)).is_file()):
        href = Path(os.path.relpath(Path(report_html).resolve(), out.resolve())).as_posix()
    pages = build_maps(layers, plan, result, doc, basemap=basemap, lang=lang, tianditu_token=tianditu_token,
                       context=context, unit_field=unit_field, illustrative=illustrative, report_href=href)
    return write_pages(pages, out)
