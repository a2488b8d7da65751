"""``eco12geo demo``: every command on the bundled demo layers."""

from __future__ import annotations

import sys

import click

from ..bundled import demo_layers_dir
from ..indicators import scorecard
from ..render import audit_table, coverage_table, scorecard_table, validate_summary
from ..render.labels import label
from ..report import write_scorecard
from ..workflows import gather_sources, make_maps, read_context, read_layers, run_audit, run_coverage, run_validate
from . import options
from .helpers import echo_written, get_plan, note, prepare_out, translate_errors


@click.command(short_help="Run everything on the bundled demo layers.")
@options.lang_opt
@options.out_opt
@translate_errors
def demo(lang: str, out_dir: str) -> None:
    """Run every command on the bundled illustrative demo layers (not surveyed boundaries) into --out.

    Audit, forest–grass coverage (demo land-cover raster), the indicator
    scorecard (表1, 2022), validation and maps.  The baseline is validated into
    --out (clean: exit 0), the revision against it into --out/revision (its
    documented defects); the exit code is the baseline's.
    """
    plan = get_plan(None)
    base = demo_layers_dir()
    out = prepare_out(out_dir)
    layers = read_layers(plan, gather_sources(plan, [base / "demo_baseline.gpkg"])[0])
    result, written = run_audit(plan, layers, out)
    click.echo(audit_table(result, plan, lang))
    echo_written(written)

    # forest–grass coverage per regiment from the illustrative land-cover raster
    click.echo("")
    cov, written = run_coverage(plan, layers, base / "demo_landcover.tif", out)
    click.echo(coverage_table(cov, plan, lang))
    echo_written(written)

    # the plan's 36 indicators (表1), published 2022 values
    click.echo("")
    card = scorecard()
    click.echo(scorecard_table(card, lang))
    echo_written(write_scorecard(card, out))

    # validate: the baseline (clean, exit 0), then the revision against it (its documented defects)
    click.echo("")
    report, written = run_validate(plan, layers, None, out, lang=lang, maps_dir=out)
    click.echo(validate_summary(report, plan, lang))
    echo_written(written)
    rev_layers = read_layers(plan, gather_sources(plan, [base / "demo_revision.gpkg"])[0])
    rev_report, written = run_validate(plan, rev_layers, layers, out / "revision", lang=lang,
                                       maps_dir=out / "revision")
    click.echo("")
    click.echo(f"{label('revision_title', lang)}: demo_revision.gpkg")
    click.echo(validate_summary(rev_report, plan, lang))
    echo_written(written)

    # maps: the baseline into --out, the revision (with its violations) into --out/revision
    context = read_context(None, on_note=note)
    for lay, folder, rep, done in ((layers, out, report, result), (rev_layers, out / "revision", rev_report, None)):
        written = make_maps(lay, plan, folder, report=rep, audit_result=done, lang=lang, context=context,
                            illustrative=True, report_html=folder / "report.html")
        echo_written(written)
    sys.exit(report.exit_code)
