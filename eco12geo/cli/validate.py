"""``eco12geo validate``: the plan's rules over the layers, per regiment; exit 0, 1 or 2."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from ..backend import Backend, LocalBackend, make_backend
from ..exceptions import load_exceptions
from ..io import LayerSource, discover_layers, parse_layer_arg
from ..layerset import LayerSet
from ..plan import Plan
from ..report import validate_summary, write_repaired, write_report
from ..validate import Report
from ..validate import validate as run_validate
from . import options
from .helpers import (
    gather_sources,
    get_plan,
    list_unmatched,
    prepare_out,
    read_sources,
    step_bar,
    translate_errors,
)


def read_baseline(
    plan: Plan, paths: Sequence[str], layer_args: Sequence[str], assume_crs: str | None, engine: str,
    quiet: bool = False,
) -> LayerSet | None:
    """Read the baseline given by ``--baseline PATH`` and ``--baseline-layer KEY=PATH`` (None if neither)."""
    if not paths and not layer_args:
        return None
    sources: dict[str, LayerSource] = {}
    if paths:
        sources, unmatched = discover_layers(list(paths), plan)
        list_unmatched(unmatched)
    for text in layer_args:
        key, src = parse_layer_arg(text)
        sources[key] = src
    return read_sources(sources, plan, assume_crs, engine, quiet)


def run(
    plan: Plan,
    layers: LayerSet,
    baseline: LayerSet | None,
    out: Path,
    *,
    unit_field: str | None = None,
    targets: bool = True,
    tolerances: dict[str, float | None] | None = None,
    exceptions_path: str | None = None,
    repair: bool = False,
    lang: str = "zh",
    maps_dir: str | None = None,
    backend: Backend | None = None,
    started: float | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[Report, list[Path]]:
    """Validate, write the outputs into ``out`` and return the report and the files written.

    ``started`` (``time.perf_counter()`` when the command began) gives ``run.seconds`` in report.json.
    """
    exceptions = load_exceptions(exceptions_path) if exceptions_path else None
    t0 = time.perf_counter() if started is None else started
    be = backend or LocalBackend()
    report = run_validate(layers, plan, baseline, unit_field=unit_field, targets=targets,
                          tolerances=tolerances, exceptions=exceptions, backend=be, progress=progress)
    report.run = be.info(time.perf_counter() - t0)
    written = write_report(report, plan, out, lang=lang, maps_dir=maps_dir)
    if repair:
        written.extend(write_repaired(report, out))
    return report, written


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
@options.out_opt
@click.option("--exceptions", "exceptions_path", type=click.Path(), default=None, metavar="FILE",
              help="CSV or YAML of accepted violations (rule, features, reason, document).")
@click.option("--repair", is_flag=True, default=False,
              help="Write repaired copies of layers with invalid geometries into --out (never in place).")
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
    plan_path, no_targets, engine, backend, scheduler, quiet, lang, out_dir, exceptions_path,  # noqa: ANN001
    repair, min_overlap_m2, sliver_width_m, maps_dir,  # noqa: ANN001
):
    """Check the layers against the plan's rules, per regiment.

    Writes report.json, violations.gpkg and report.html into --out and prints a
    summary.  Exit 0 when no error-severity violation stands, 1 when one does,
    2 when an input cannot be used.
    """
    started = time.perf_counter()
    plan = get_plan(plan_path)
    sources, unmatched = gather_sources(plan, paths, layer_args, units_path)
    list_unmatched(unmatched)
    layers = read_sources(sources, plan, assume_crs, engine, quiet)
    baseline = read_baseline(plan, baseline_paths, baseline_layer_args, assume_crs, engine, quiet)
    out = prepare_out(out_dir)
    with make_backend(backend, scheduler) as be, step_bar(layers, "checking", quiet) as progress:
        report, written = run(
            plan, layers, baseline, out, unit_field=unit_field, targets=not no_targets,
            tolerances={"min_overlap_m2": min_overlap_m2, "sliver_width_m": sliver_width_m},
            exceptions_path=exceptions_path, repair=repair, lang=lang, maps_dir=maps_dir,
            backend=be, started=started, progress=progress,
        )
    click.echo(validate_summary(report, plan, lang))
    click.echo("")
    for p in written:
        click.echo(f"→ {p}")
    sys.exit(report.exit_code)
