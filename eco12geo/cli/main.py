"""The ``eco12geo`` click group; every command is a thin module beside this one."""

from __future__ import annotations

import logging

import click

from .. import __version__
from .audit import audit
from .coverage import coverage
from .demo import demo
from .indicators import indicators
from .map import map_cmd
from .validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eco12geo")
@click.option("-v", "--verbose", count=True, help="More log output (repeatable).")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks of unexpected errors.")
def main(verbose: int, debug: bool) -> None:
    """eco12geo — check spatial-plan layers (三区三线) against the plan: audit, validate, map."""
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")


main.add_command(audit)
main.add_command(coverage)
main.add_command(demo)
main.add_command(indicators)
main.add_command(map_cmd)
main.add_command(validate)
