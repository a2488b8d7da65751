"""``eco12geo audit``: areas per unit and layer, against the plan."""

from __future__ import annotations

import time

import click

from ..backend import make_backend
from ..render import audit_table
from ..workflows import run_audit
from . import options
from .helpers import echo_written, get_plan, prepare_out, read_cli_layers, translate_errors


@click.command(short_help="Area audit per regiment and layer.")
@options.paths_arg
@options.layer_opt
@options.units_opt
@options.unit_field_opt
@options.assume_crs_opt
@options.plan_opt
@options.no_targets_opt
@options.engine_opt
@options.backend_opt
@options.scheduler_opt
@options.quiet_opt
@options.lang_opt
@options.year_opt
@options.out_opt
@translate_errors
def audit(  # noqa: ANN201
    paths, layer_args, units_path, unit_field, assume_crs, plan_path, no_targets, engine,  # noqa: ANN001
    backend, scheduler, quiet, lang, year, out_dir,  # noqa: ANN001
):
    """Compute the ellipsoidal area of every layer in every unit, with the plan's figures.

    Each layer and unit gets two areas: area_m2, the exact ellipsoidal area of
    the polygon as drawn, and survey_area_m2, the national land survey's
    (国土调查办发〔2008〕32号), with their difference.

    Writes audit.json, audit.csv and audit.xlsx into --out and prints the table.
    """
    started = time.perf_counter()
    plan = get_plan(plan_path)
    plan.check_year(year)  # before reading the layers: a wrong year fails fast
    layers = read_cli_layers(plan, paths, layer_args, units_path, assume_crs, engine, quiet)
    out = prepare_out(out_dir)
    with make_backend(backend, scheduler) as be:
        result, written = run_audit(plan, layers, out, unit_field=unit_field, targets=not no_targets, year=year,
                                    backend=be, started=started)
    click.echo(audit_table(result, plan, lang))
    echo_written(written)
