"""``eco12geo map``: offline interactive HTML maps of the division and each unit."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from ..io import read_report
from ..render.maps import BASEMAPS
from ..workflows import make_maps, read_context
from . import options
from .helpers import echo_written, get_plan, note, prepare_out, read_cli_layers, translate_errors


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
    layers = read_cli_layers(plan, paths, layer_args, units_path, assume_crs, engine)
    context = read_context(context_path, assume_crs, on_note=note)
    written = make_maps(
        layers, plan, prepare_out(out_dir), report=report_doc, basemap=basemap, lang=lang,
        tianditu_token=tianditu_token, unit_field=unit_field, context=context,
        report_html=Path(report_path).with_name("report.html") if report_path else None,
    )
    echo_written(written)
    if basemap != "none":
        click.echo(f"eco12geo: note: basemap {basemap} loads its tiles from the internet; the rest of each page "
                   "is inlined (--basemap none opens with no network)", err=True)
    if basemap.startswith("tianditu"):
        click.echo("eco12geo: note: the Tianditu key is written into each page (tile requests carry it); "
                   "share these pages only with people who may use that key", err=True)
