"""Options shared by several commands, defined once."""

from __future__ import annotations

import click

from ..render.labels import LANGS

paths_arg = click.argument("paths", nargs=-1, type=click.Path())

layer_opt = click.option(
    "--layer", "layer_args", multiple=True, metavar="KEY=PATH",
    help="A layer by key (repeatable): .shp, .zip, .gpkg[:layer], .geojson, .gdb[:layer].",
)
units_opt = click.option("--units", "units_path", type=click.Path(), default=None,
                         help="Polygons to split audits and violations by (default: the 'units' layer).")
unit_field_opt = click.option("--unit-field", default=None, metavar="FIELD",
                              help="Field of --units holding the unit name (default: the plan's, XZQMC).")
baseline_layer_opt = click.option(
    "--baseline-layer", "baseline_layer_args", multiple=True, metavar="KEY=PATH",
    help="An earlier version of a layer, for not-decreasing rules (repeatable).",
)
baseline_opt = click.option(
    "--baseline", "baseline_paths", multiple=True, type=click.Path(),
    help="Files or folders holding an earlier version of the layers (repeatable).",
)
assume_crs_opt = click.option("--assume-crs", default=None, metavar="EPSG:XXXX",
                              help="CRS for inputs that declare none (otherwise an error).")
plan_opt = click.option("--plan", "plan_path", type=click.Path(), default=None,
                        help="Another plan file (default: the bundled 12th Division plan).")
no_targets_opt = click.option("--no-targets", is_flag=True, default=False,
                              help="Skip the plan's area-target checks (partial extracts).")
out_opt = click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
                       help="Folder for every output; nothing is written elsewhere.")
lang_opt = click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True,
                        help="Language of terminal output and labels (Chinese first).")
engine_opt = click.option("--engine", type=click.Choice(["pyogrio", "fiona"]), default="pyogrio",
                          show_default=True, help="Vector reading engine.")
year_opt = click.option(
    "--year", type=int, default=None, metavar="YEAR",
    help="Judge the figures of this year where the plan gives one for several years "
         "(construction land 2025 or 2035); default: every year.",
)
backend_opt = click.option("--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                           help="Where the pairwise checks run: every core of this machine, or a dask cluster "
                                "(needs pip install 'eco12geo[dask]').")
scheduler_opt = click.option("--scheduler", default=None, metavar="ADDRESS",
                             help="With --backend dask: an existing dask scheduler, e.g. tcp://10.0.0.5:8786 "
                                  "(default: a LocalCluster on this machine).")
quiet_opt = click.option("--quiet", is_flag=True, default=False,
                         help="No progress bars (progress goes to stderr, never to stdout).")
