"""``eco12geo coverage``: forest–grass coverage (林草覆盖率) per regiment from a land-cover raster."""

from __future__ import annotations

import click

from ..errors import InputError
from ..render import coverage_table
from ..workflows import gather_sources, run_coverage
from . import options
from .helpers import echo_written, get_plan, list_unmatched, prepare_out, read_sources, translate_errors

__all__ = ["coverage"]


@click.command(short_help="Forest–grass coverage per regiment from a land-cover raster.")
@click.option("--raster", "raster", type=click.Path(), required=True,
              help="Land-cover raster (GeoTIFF) whose values are GB/T 21010 class codes.")
@options.paths_arg
@options.layer_opt
@options.units_opt
@options.unit_field_opt
@options.assume_crs_opt
@options.plan_opt
@click.option("--forest", "forest", multiple=True, default=("3",), show_default=True, metavar="CODE",
              help="Raster value counted as forest (repeatable).")
@click.option("--grass", "grass", multiple=True, default=("4",), show_default=True, metavar="CODE",
              help="Raster value counted as grassland (repeatable).")
@click.option("--band", default=1, show_default=True, type=click.IntRange(min=1), help="Raster band to read.")
@options.engine_opt
@options.lang_opt
@options.out_opt
@translate_errors
def coverage(raster, paths, layer_args, units_path, unit_field, assume_crs, plan_path, forest, grass,  # noqa: ANN001, ANN201
             band, engine, lang, out_dir):
    """Measure the forest–grass share of every regiment in a land-cover raster, against the plan.

    Partial pixels count by the ellipsoidal area inside the regiment; nodata is
    excluded. Writes coverage.json and coverage.csv into --out and prints the table.
    """
    plan = get_plan(plan_path)
    sources, unmatched = gather_sources(plan, paths, layer_args, units_path)
    list_unmatched(unmatched)
    if "units" not in sources:
        raise InputError(
            "no units given; pass the regiments with --units PATH (and --unit-field FIELD), "
            "or a file or folder holding a 'units' layer"
        )
    layers = read_sources({"units": sources["units"]}, plan, assume_crs, engine)
    cov, written = run_coverage(plan, layers, raster, prepare_out(out_dir), unit_field=unit_field, forest=forest,
                                grass=grass, assume_crs=assume_crs, band=band)
    click.echo(coverage_table(cov, plan, lang))
    echo_written(written)
