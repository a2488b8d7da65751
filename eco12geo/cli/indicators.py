"""``eco12geo indicators``: the plan's 36-indicator scorecard (表1), published or with new values."""

from __future__ import annotations

import click

from ..errors import InputError
from ..indicators import evaluate, load_indicators, read_values
from ..render import scorecard_table
from ..report import write_scorecard
from . import options
from .helpers import prepare_out, translate_errors


@click.command(short_help="Scorecard of the plan's indicators (表1): met / not met / no data.")
@click.option("--values", "values_path", type=click.Path(), default=None, metavar="CSV",
              help="Values replacing the published ones: columns no,value (and sub for parts), UTF-8 or GBK.")
@click.option("--year", default=None, metavar="YEAR",
              help="Published column used as the base: 2022 (default), 2025, 2030 or 2035.")
@options.plan_opt
@options.lang_opt
@options.out_opt
@translate_errors
def indicators(values_path, year, plan_path, lang, out_dir):  # noqa: ANN001, ANN201
    """Evaluate the plan's indicators (二（七）表1) against their targets.

    Without --values the values are the plan's published column of --year (2022 by default).
    Writes scorecard.json and scorecard.csv into --out and prints the table by domain.
    """
    if year is not None and not year.strip().isdigit():
        raise InputError(f"--year {year} is not a year; use one of the columns of 表1 (2022, 2025, 2030, 2035)")
    ind = load_indicators(plan_path)
    values = read_values(values_path) if values_path is not None else None
    card = evaluate(ind, values, None if year is None else int(year))
    out = prepare_out(out_dir)
    written = write_scorecard(card, out)
    click.echo(scorecard_table(card, lang, given=values is not None))
    click.echo("")
    for p in written:
        click.echo(f"→ {p}")
