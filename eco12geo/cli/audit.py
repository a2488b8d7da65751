"""``eco12geo audit``: areas per unit and layer, against the plan."""

from __future__ import annotations

import time

import click

from ..audit import audit as run_audit
from ..backend import make_backend
from ..report import audit_table, write_audit
from . import options
from .helpers import gather_sources, get_plan, list_unmatched, prepare_out, read_sources, translate_errors


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
@options.out_opt
@translate_errors
def audit(  # noqa: ANN201
    paths, layer_args, units_path, unit_field, assume_crs, plan_path, no_targets, engine,  # noqa: ANN001
    backend, scheduler, quiet, lang, out_dir,  # noqa: ANN001
):
    """Compute the ellipsoidal area of every layer in every unit, with the plan's figures.

    Writes audit.json, audit.csv and audit.xlsx into --out and prints the table.
    """
    started = time.perf_counter()
    plan = get_plan(plan_path)
    sources, unmatched = gather_sources(plan, paths, layer_args, units_path)
    list_unmatched(unmatched)
    layers = read_sources(sources, plan, assume_crs, engine, quiet)
    with make_backend(backend, scheduler) as be:
        result = run_audit(layers, plan, unit_field=unit_field, targets=not no_targets, backend=be)
        result.run = be.info(time.perf_counter() - started)
    out = prepare_out(out_dir)
    written = write_audit(result, plan, out)
    click.echo(audit_table(result, plan, lang))
    click.echo("")
    for p in written:
        click.echo(f"→ {p}")
