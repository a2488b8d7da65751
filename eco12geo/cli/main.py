"""The ``eco12geo`` click group; every command is a thin module beside this one."""

from __future__ import annotations

import logging
import sys
import warnings
from typing import Any

import click

from .. import __version__
from .audit import audit
from .coverage import coverage
from .demo import demo
from .indicators import indicators
from .map import map_cmd
from .sheets import sheets
from .validate import validate


class OneLineErrors(click.Group):
    """A click group whose usage errors are one line on stderr with exit 2 (INTERFACE.md), never a usage dump."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102 - click's own
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "eco12geo"
            click.echo(f"eco12geo: error: {exc.format_message().rstrip('.')}; see {where} --help", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"eco12geo: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("eco12geo: aborted", err=True)
            sys.exit(1)
        # without standalone mode click returns the code of --help, --version and ctx.exit()
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eco12geo")
@click.option("-v", "--verbose", count=True, help="More log output (repeatable).")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks of unexpected errors.")
def main(verbose: int, debug: bool) -> None:
    """eco12geo — check spatial-plan layers (三区三线) against the plan: audit, validate, map."""
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")
    # library warnings (GDAL via pyogrio, rasterio …) go to the log, shown with -v, not between our lines
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").setLevel(logging.WARNING if verbose else logging.ERROR)
    if not verbose:
        warnings.simplefilter("ignore")


main.add_command(audit)
main.add_command(coverage)
main.add_command(demo)
main.add_command(indicators)
main.add_command(map_cmd)
main.add_command(sheets)
main.add_command(validate)
