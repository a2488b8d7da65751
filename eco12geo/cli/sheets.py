"""``eco12geo sheets``: the standard map sheets over each unit, with theoretical and survey areas."""

from __future__ import annotations

import click
import numpy as np

from ..audit import unit_names
from ..errors import InputError
from ..io import LayerSource
from ..measure import crs_label
from ..overlay import repair
from ..report import sheets_doc, write_sheets
from ..survey import SCALES, sheet_table
from . import options
from .helpers import get_plan, prepare_out, read_sources, translate_errors

_SCALES = sorted((v[0] for v in SCALES.values()), reverse=True)


@click.command(short_help="Map sheets over each unit: theoretical and survey areas.")
@options.units_opt
@options.unit_field_opt
@click.option("--scale", type=int, default=10_000, show_default=True, metavar="DENOMINATOR",
              help="Sheet scale: 1000000, 500000, 250000, 100000, 50000, 25000, 10000, 5000, 2000, 1000 or 500.")
@options.assume_crs_opt
@options.plan_opt
@options.engine_opt
@options.out_opt
@translate_errors
def sheets(units_path, unit_field, scale, assume_crs, plan_path, engine, out_dir):  # noqa: ANN001, ANN201
    """List the GB/T 13989 sheets over each unit (图幅控制面积 basis).

    Writes sheets.json and sheets.csv into --out: each sheet's code, its
    theoretical area (formula (1) of 国土调查办发〔2008〕32号) and each unit's
    survey area inside it.
    """
    if not units_path:
        raise InputError("give the units with --units PATH (the polygons whose sheets are listed)")
    if scale not in _SCALES:
        raise InputError(f"--scale {scale} is not a GB/T 13989 scale; use one of {', '.join(map(str, _SCALES))}")
    plan = get_plan(plan_path)
    layers = read_sources({"units": LayerSource.parse(units_path)}, plan, assume_crs, engine)
    gdf = layers["units"]
    names = unit_names(gdf, unit_field or plan.unit_field)
    geoms, _ = repair(np.asarray(gdf.geometry.values, dtype=object))
    rows = sheet_table(geoms, names, layers.crs, scale)
    out = prepare_out(out_dir)
    doc = sheets_doc(rows, scale, layers.sources.get("units", units_path), crs_label(layers.crs))
    written = write_sheets(doc, out)
    n_units = len(dict.fromkeys(names))
    click.echo(f"1:{scale:,}: {len(rows)} sheets over {n_units} units")
    for p in written:
        click.echo(f"→ {p}")
