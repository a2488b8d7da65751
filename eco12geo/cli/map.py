"""``eco12geo map``: offline interactive HTML maps of the division and each unit."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
import geopandas as gpd

from .._staging import current_path
from ..audit import Audit
from ..audit import audit as run_audit
from ..bundled import bundled_layer
from ..errors import InputError
from ..io import read_layer, read_report
from ..layerset import LayerSet
from ..maps import BASEMAPS, build_maps
from ..plan import Plan
from ..report import write_pages
from . import options
from .helpers import (
    gather_sources,
    get_plan,
    list_unmatched,
    prepare_out,
    read_sources,
    translate_errors,
)

CONTEXT_FILE = "context_counties.gpkg"


def read_context(path: str | Path | None, assume_crs: str | None = None) -> gpd.GeoDataFrame | None:
    """Read the county context layer: the given path, else the bundled one (skipped if unreadable)."""
    if path is not None:
        return read_layer(path, assume_crs=assume_crs)
    found = bundled_layer(CONTEXT_FILE)
    if found is None:
        return None
    try:
        return read_layer(found)
    except InputError as exc:
        click.echo(f"eco12geo: note: county context layer skipped: {exc}", err=True)
        return None


def write_maps(
    layers: LayerSet,
    plan: Plan,
    out: Path,
    *,
    report_doc: dict[str, Any] | None = None,
    basemap: str = "none",
    lang: str = "zh",
    tianditu_token: str | None = None,
    unit_field: str | None = None,
    context: gpd.GeoDataFrame | None = None,
    illustrative: bool = False,
    report_html: Path | None = None,
    audit: Audit | None = None,
) -> list[Path]:
    """Build every page (auditing the layers unless ``audit`` is given) and write them into ``out``."""
    result = audit if audit is not None else run_audit(layers, plan, unit_field=unit_field, targets=False)
    href = None
    if report_html is not None and (report_html.is_file() or current_path(report_html).is_file()):
        href = Path(os.path.relpath(report_html.resolve(), out.resolve())).as_posix()
    pages = build_maps(
        layers, plan, result, report_doc, basemap=basemap, lang=lang, tianditu_token=tianditu_token,
        context=context, unit_field=unit_field, illustrative=illustrative, report_href=href,
    )
    return write_pages(pages, out)


@click.command("map", short_help="Offline interactive HTML maps.")
@options.paths_arg
@options.layer_opt
@options.units_opt
@options.unit_field_opt
@options.assume_crs_opt
@options.plan_opt
@click.option("--report", "report_path", type=click.Path(), default=None,
              help="validate's report.json: its violations are drawn.")
@click.option("--basemap", type=click.Choice(BASEMAPS), default="none", show_default=True,
              help="Background: none (offline), osm, tianditu-vec, tianditu-img.")
@click.option("--tianditu-token", envvar="TIANDITU_TOKEN", default=None, metavar="KEY",
              help="Tianditu key for the tianditu basemaps (or env TIANDITU_TOKEN).")
@click.option("--context", "context_path", type=click.Path(), default=None,
              help="County boundaries drawn as context (default: layers/context_counties.gpkg if present).")
@options.lang_opt
@options.engine_opt
@options.out_opt
@translate_errors
def map_cmd(paths, layer_args, units_path, unit_field, assume_crs, plan_path, report_path, basemap,  # noqa: ANN001, ANN201
            tianditu_token, context_path, lang, engine, out_dir):
    """Write index.html, division.html and one page per unit into --out.

    Pages open with no network (every script inlined) unless a tiled basemap is chosen.
    """
    if basemap.startswith("tianditu") and not (tianditu_token or "").strip():
        raise InputError(f"basemap {basemap} needs a Tianditu key; pass --tianditu-token KEY or set TIANDITU_TOKEN")
    plan = get_plan(plan_path)
    report_doc = read_report(report_path) if report_path else None
    sources, unmatched = gather_sources(plan, paths, layer_args, units_path)
    list_unmatched(unmatched)
    layers = read_sources(sources, plan, assume_crs, engine)
    context = read_context(context_path, assume_crs)
    out = prepare_out(out_dir)
    written = write_maps(
        layers, plan, out, report_doc=report_doc, basemap=basemap, lang=lang, tianditu_token=tianditu_token,
        unit_field=unit_field, context=context,
        report_html=Path(report_path).with_name("report.html") if report_path else None,
    )
    for p in written:
        click.echo(f"→ {p}")
    if basemap != "none":
        click.echo(f"eco12geo: note: basemap {basemap} loads its tiles from the internet; the rest of each page "
                   "is inlined (--basemap none opens with no network)", err=True)
    if basemap.startswith("tianditu"):
        click.echo("eco12geo: note: the Tianditu key is written into each page (tile requests carry it); "
                   "share these pages only with people who may use that key", err=True)
