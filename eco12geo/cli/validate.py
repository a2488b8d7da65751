"""``eco12geo validate``: the plan's rules over the layers, per regiment; exit 0, 1 or 2."""

from __future__ import annotations

import sys
import time

import click

from ..backend import make_backend
from ..render import validate_summary
from ..workflows import read_baseline, run_validate
from . import options
from .helpers import (
    echo_written,
    get_plan,
    list_unmatched,
    prepare_out,
    read_cli_layers,
    reading_progress,
    step_bar,
    translate_errors,
)


@click.command(short_help="Check the layers against the plan's rules.")
@options.paths_arg
@options.layer_opt
@options.units_opt
@options.unit_field_opt
@options.baseline_opt
@options.baseline_layer_opt
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
@click.option("--exceptions", "exceptions_path", type=click.Path(), default=None, metavar="FILE",
              help="CSV or YAML of accepted violations (rule, features, reason, document).")
@click.option("--repair", is_flag=True, default=False,
              help="Write repaired copies of layers with invalid geometries into --out/repaired (never in place).")
@click.option("--min-overlap-m2", type=click.FloatRange(min=0), default=None,
              help="Overlaps and uncovered parts below this area are not reported (default: the plan's).")
@click.option("--sliver-width-m", type=click.FloatRange(min=0), default=None,
              help="Polygons narrower than this are slivers (default: the plan's).")
@click.option("--maps-dir", type=click.Path(file_okay=False), default=None,
              help="Folder of the regiment map pages (eco12geo map) report.html links to; "
                   "without it, pages already in --out are linked.")
@translate_errors
def validate(  # noqa: ANN201
    paths, layer_args, units_path, unit_field, baseline_paths, baseline_layer_args, assume_crs,  # noqa: ANN001
    plan_path, no_targets, engine, backend, scheduler, quiet, lang, year, out_dir, exceptions_path,  # noqa: ANN001
    repair, min_overlap_m2, sliver_width_m, maps_dir,  # noqa: ANN001
):
    """Check the layers against the plan's rules, per regiment.

    Writes report.json, violations.gpkg and report.html into --out and prints a
    summary.  Exit 0 when no error-severity violation stands, 1 when one does,
    2 when an input cannot be used.
    """
    started = time.perf_counter()
    plan = get_plan(plan_path)
    plan.check_year(year)  # before reading the layers: a wrong year fails fast
    layers = read_cli_layers(plan, paths, layer_args, units_path, assume_crs, engine, quiet)
    baseline = read_baseline(plan, baseline_paths, baseline_layer_args, target_crs=layers.crs, assume_crs=assume_crs,
                             engine=engine, progress=reading_progress(quiet), on_unmatched=list_unmatched)
    out = prepare_out(out_dir)
    with make_backend(backend, scheduler) as be, step_bar(layers, "checking", quiet) as progress:
        report, written = run_validate(
            plan, layers, baseline, out, unit_field=unit_field, targets=not no_targets,
            tolerances={"min_overlap_m2": min_overlap_m2, "sliver_width_m": sliver_width_m},
            exceptions_path=exceptions_path, repair=repair, lang=lang, maps_dir=maps_dir, year=year,
            backend=be, started=started, progress=progress,
        )
    click.echo(validate_summary(report, plan, lang))
    echo_written(written)
    sys.exit(report.exit_code)
