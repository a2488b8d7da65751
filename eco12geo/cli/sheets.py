"""``eco12geo sheets``: the standard map sheets over each unit, with theoretical and survey areas."""

from __future__ import annotations

import click

from ..errors import InputError
from ..io import LayerSource
from ..workflows import check_scale, run_sheets
from . import options
from .helpers import echo_written, get_plan, prepare_out, read_sources, translate_errors


@click.command(short_help="Map sheets over each unit: theoretical and survey areas.")
@options.units_opt
@options.unit_field_opt
@click.option("--scale", type=int, default=10_000, show_default=True, metavar="DENOMINATOR",
              help="Sheet scale: 1000000, 500000, 250000, 100000, 50000, 25000, 10000, 5000, 2000, 1000 or 500.")
@options.assume_crs_opt
@options.plan_opt
@options.engine_opt
@options.out_opt
@translate_errors
def sheets(units_path, unit_field, scale, assume_crs, plan_path, engine, out_dir):  # noqa: ANN001, ANN201
    """List the GB/T 13989 sheets over each unit (图幅控制面积 basis).

    Writes sheets.json and sheets.csv into --out: each sheet's code, its
    theoretical area (formula (1) of 国土调查办发〔2008〕32号) and each unit's
    survey area inside it.
    """
    if not units_path:
        raise InputError("give the units with --units PATH (the polygons whose sheets are listed)")
    check_scale(scale)  # before reading the units: a wrong scale fails fast
    plan = get_plan(plan_path)
    layers = read_sources({"units": LayerSource.parse(units_path)}, plan, assume_crs, engine)
    doc, written = run_sheets(plan, layers, prepare_out(out_dir), unit_field=unit_field, scale=scale)
    n_units = len({u["unit"] for s in doc["sheets"] for u in s["units"]})
    click.echo(f"1:{scale:,}: {len(doc['sheets'])} sheets over {n_units} units")
    echo_written(written)
