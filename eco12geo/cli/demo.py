"""``eco12geo demo``: every command on the bundled demo layers."""

from __future__ import annotations

import sys

import click

from .._staging import current_path
from ..audit import audit as run_audit
from ..bundled import demo_layers_dir
from ..indicators import scorecard
from ..io import discover_layers, read_report
from ..render import audit_table, coverage_table, scorecard_table, validate_summary
from ..report import write_audit, write_scorecard
from . import options
from .coverage import run as run_coverage
from .helpers import get_plan, prepare_out, read_sources, translate_errors
from .map import read_context, write_maps
from .validate import run as run_validate


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
    sources, _ = discover_layers([base / "demo_baseline.gpkg"], plan)
    layers = read_sources(sources, plan, None, "pyogrio")
    result = run_audit(layers, plan)
    written = write_audit(result, plan, out)
    click.echo(audit_table(result, plan, lang))
    for p in written:
        click.echo(f"→ {p}")

    # forest–grass coverage per regiment from the illustrative land-cover raster
    click.echo("")
    cov, written = run_coverage(plan, layers, base / "demo_landcover.tif", out)
    click.echo(coverage_table(cov, plan, lang))
    for p in written:
        click.echo(f"→ {p}")

    # the plan's 36 indicators (表1), published 2022 values
    click.echo("")
    card = scorecard()
    written = write_scorecard(card, out)
    click.echo(scorecard_table(card, lang))
    for p in written:
        click.echo(f"→ {p}")

    # validate: the baseline (clean, exit 0), then the revision against it (its documented defects)
    click.echo("")
    report, written = run_validate(plan, layers, None, out, lang=lang, maps_dir=str(out))
    click.echo(validate_summary(report, plan, lang))
    for p in written:
        click.echo(f"→ {p}")
    rev_sources, _ = discover_layers([base / "demo_revision.gpkg"], plan)
    rev_layers = read_sources(rev_sources, plan, None, "pyogrio")
    rev_report, written = run_validate(plan, rev_layers, layers, out / "revision", lang=lang,
                                       maps_dir=str(out / "revision"))
    click.echo("")
    title = "修订版（含示例缺陷，对照基期）" if lang == "zh" else "Revision (with demo defects, against the baseline)"
    click.echo(f"{title}: demo_revision.gpkg")
    click.echo(validate_summary(rev_report, plan, lang))
    for p in written:
        click.echo(f"→ {p}")

    # maps: the baseline into --out, the revision (with its violations) into --out/revision
    click.echo("")
    context = read_context(None)
    for lay, folder, done in ((layers, out, result), (rev_layers, out / "revision", None)):
        rj = current_path(folder / "report.json")  # written by this run: still in its staging folder
        written = write_maps(lay, plan, folder, report_doc=read_report(rj) if rj.is_file() else None,
                             lang=lang, context=context, illustrative=True, report_html=folder / "report.html",
                             audit=done)
        for p in written:
            click.echo(f"→ {p}")
    sys.exit(report.exit_code)
