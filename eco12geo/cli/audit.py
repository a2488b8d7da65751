"""``eco12geo audit``: areas per unit and layer, against the plan."""

from __future__ import annotations

import click

from ..audit import audit as run_audit
from ..render import audit_table
from ..report import write_audit
from . import options
from .helpers import check_year, gather_sources, get_plan, list_unmatched, prepare_out, read_sources, translate_errors


@click.command(short_help="Area audit per regiment and layer.")
@options.paths_arg
@options.layer_opt
@options.units_opt
@options.unit_field_opt
@options.assume_crs_opt
@options.plan_opt
@options.no_targets_opt
@options.engine_opt
@options.lang_opt
@options.year_opt
@options.out_opt
@translate_errors
def audit(paths, layer_args, units_path, unit_field, assume_crs, plan_path, no_targets, engine, lang, year,  # noqa: ANN001, ANN201
          out_dir):  # noqa: ANN001
    """Compute the ellipsoidal area of every layer in every unit, with the plan's figures.

    Each layer and unit gets two areas: area_m2, the exact ellipsoidal area of
    the polygon as drawn, and survey_area_m2, the national land survey's
    (国土调查办发〔2008〕32号), with their difference.

    Writes audit.json, audit.csv and audit.xlsx into --out and prints the table.
    """
    plan = get_plan(plan_path)
    check_year(plan, year)
    sources, unmatched = gather_sources(plan, paths, layer_args, units_path)
    list_unmatched(unmatched)
    layers = read_sources(sources, plan, assume_crs, engine)
    result = run_audit(layers, plan, unit_field=unit_field, targets=not no_targets, year=year)
    out = prepare_out(out_dir)
    written = write_audit(result, plan, out)
    click.echo(audit_table(result, plan, lang))
    click.echo("")
    for p in written:
        click.echo(f"→ {p}")
