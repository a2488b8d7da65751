"""``eco12geo demo``: every command on the bundled demo layers."""

from __future__ import annotations

import sys

import click

from ..audit import audit as run_audit
from ..io import discover_layers
from ..report import audit_table, write_audit
from . import options
from .helpers import demo_layers_dir, get_plan, prepare_out, read_sources, translate_errors


@click.command(short_help="Run everything on the bundled demo layers.")
@options.lang_opt
@options.out_opt
@translate_errors
def demo(lang: str, out_dir: str) -> None:
    """Audit the bundled illustrative demo layers (not surveyed boundaries) into --out."""
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
    sys.exit(0)
