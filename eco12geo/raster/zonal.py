"""The zonal computation: exact partial pixels, ellipsoidal cell areas, chunked windows."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from ..errors import CRSError, InputError
from ..measure import crs_label, ellipsoidal_area, transform_geometries
from ..overlay import repair
from .model import CHUNK_CELLS, Coverage, UnitCoverage, class_key, lonlat_cell_areas
from .reading import _codes, _open, _raster_crs


class _Acc:
    """Per-unit sums."""

    def __init__(self) -> None:
        self.area: dict[float, float] = {}
        self.pixels: dict[float, float] = {}
        self.nodata = 0.0
        self.covered = 0.0

    def add(self, values: NDArray[Any], valid: NDArray[np.bool_], inside: NDArray[np.float64],
            cell: NDArray[np.float64]) -> None:
        self.covered += float(inside.sum())
        self.nodata += float(inside[~valid].sum())
        v, w, c = values[valid], inside[valid], cell[valid]
        if not len(v):
            return
        uniq, inv = np.unique(v, return_inverse=True)
        areas = np.bincount(inv, weights=w, minlength=len(uniq))
        frac = np.bincount(inv, weights=np.divide(w, c, out=np.zeros_like(w), where=c > 0), minlength=len(uniq))
        for val, a, n in zip(uniq.tolist(), areas.tolist(), frac.tolist(), strict=True):
            self.area[val] = self.area.get(val, 0.0) + a
            self.pixels[val] = self.pixels.get(val, 0.0) + n


def _cells(transform: Any, rows: NDArray[np.int64], cols: NDArray[np.int64]) -> NDArray[np.object_]:
    """Polygons of the pixel cells (row, col) of an affine grid (any rotation)."""
    if transform.b == 0 and transform.d == 0:  # north-up: vectorised boxes
        x0 = transform.a * cols + transform.c
        y0 = transform.e * rows + transform.f
        x1, y1 = x0 + transform.a, y0 + transform.e
        return shapely.box(np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1))
    c = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=float)
    cc = cols[:, None] + c[None, :, 0]
    rr = rows[:, None] + c[None, :, 1]
    x = transform.a * cc + transform.b * rr + transform.c
    y = transform.d * cc + transform.e * rr + transform.f
    return shapely.polygons(np.stack([x, y], axis=-1))


def _grid_cell_areas(t: Any, crs: CRS, r0: int, nrows: int, c0: int, ncols: int) -> NDArray[np.float64]:
    """Return the ellipsoidal areas (m²) of a block of cells, as :func:`ellipsoidal_area` takes them.

    The block's (nrows + 1) × (ncols + 1) corners are projected once to the
    equal-area projection on the datum and each cell measured there (shoelace),
    which is what :func:`~eco12geo.measure.ellipsoidal_area` does cell by cell
    when no edge is longer than its densify length.
    """
    from pyproj import Transformer

    from ..measure import _equal_area_crs

    cc, rr = np.meshgrid(np.arange(c0, c0 + ncols + 1, dtype=float), np.arange(r0, r0 + nrows + 1, dtype=float))
    x = t.a * cc + t.b * rr + t.c
    y = t.d * cc + t.e * rr + t.f
    tr = Transformer.from_crs(crs, _equal_area_crs(crs.to_wkt()), always_xy=True)
    px, py = tr.transform(x, y)
    px, py = np.asarray(px), np.asarray(py)
    # a quadrilateral's area from its diagonals (differences only: no loss of digits far from the origin)
    dx02, dy02 = px[1:, 1:] - px[:-1, :-1], py[1:, 1:] - py[:-1, :-1]
    dx13, dy13 = px[1:, :-1] - px[:-1, 1:], py[1:, :-1] - py[:-1, 1:]
    return 0.5 * np.abs(dx02 * dy13 - dx13 * dy02)


def _unit_window(ds: Any, geom: Any) -> Any:
    """Return the raster window covering ``geom`` (rounded out, clipped to the raster), or None."""
    from rasterio.windows import Window

    xmin, ymin, xmax, ymax = shapely.bounds(geom)
    inv = ~ds.transform
    xs, ys = np.array([xmin, xmin, xmax, xmax]), np.array([ymin, ymax, ymin, ymax])
    corners = np.column_stack([inv.a * xs + inv.b * ys + inv.c, inv.d * xs + inv.e * ys + inv.f])
    if not np.isfinite(corners).all():
        return None
    # one pixel of margin each side: cells touching the bounds are always in
    col0 = max(int(math.floor(corners[:, 0].min())) - 1, 0)
    row0 = max(int(math.floor(corners[:, 1].min())) - 1, 0)
    col1 = min(int(math.ceil(corners[:, 0].max())) + 1, ds.width)
    row1 = min(int(math.ceil(corners[:, 1].max())) + 1, ds.height)
    if col1 <= col0 or row1 <= row0:
        return None
    return Window(col0, row0, col1 - col0, row1 - row0)


def iter_cell_areas(
    transform: Any, crs: CRS, geom: Any, window: Any, *, densify_m: float = 100.0, chunk_cells: int = CHUNK_CELLS
) -> Iterator[tuple[Any, NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]]:
    """Yield, chunk by chunk of ``window``, the cells touching ``geom`` and their areas inside it.

    Parameters
    ----------
    transform
        The raster's affine transform (any rotation).
    crs
        The raster's CRS; ``geom`` is in it.
    geom
        A polygon in the raster's CRS.
    window
        The :class:`rasterio.windows.Window` to go through.
    densify_m, chunk_cells
        As :func:`zonal_coverage`.

    Yields
    ------
    (chunk, index, inside_m2, cell_m2)
        The chunk's window, the flat indices (row-major within the chunk) of the
        cells touching ``geom``, the ellipsoidal area of each inside ``geom`` and
        of each whole cell (m²).
    """
    from rasterio.windows import Window

    t = transform
    axis_aligned = t.b == 0 and t.d == 0
    lonlat = crs.is_geographic and axis_aligned
    width = int(window.width)
    rows_per_chunk = max(1, chunk_cells // max(width, 1))
    shapely.prepare(geom)
    row_end = int(window.row_off + window.height)
    for r0 in range(int(window.row_off), row_end, rows_per_chunk):
        nrows = min(rows_per_chunk, row_end - r0)
        chunk = Window(int(window.col_off), r0, width, nrows)
        rr, cc = np.meshgrid(np.arange(r0, r0 + nrows), np.arange(chunk.col_off, chunk.col_off + width), indexing="ij")
        rows, cols = rr.ravel(), cc.ravel()
        cells = _cells(t, rows, cols)
        touching = shapely.intersects(geom, cells)
        if not touching.any():
            continue
        sel = np.flatnonzero(touching)
        cut = ~shapely.contains_properly(geom, cells[sel])
        # area of every touched cell (m², ellipsoidal)
        if lonlat:
            row_area = lonlat_cell_areas(t.f + t.e * np.arange(r0, r0 + nrows + 1), t.a, crs)
            cell_area = row_area[rows[sel] - r0]
        elif max(math.hypot(t.a, t.d), math.hypot(t.b, t.e)) <= densify_m:
            # cells no longer than densify_m need no densifying: project the grid's corners once
            c0 = int(chunk.col_off)
            grid = _grid_cell_areas(t, crs, r0, nrows, c0, width)
            cell_area = grid[rows[sel] - r0, cols[sel] - c0]
        else:
            cell_area = ellipsoidal_area(cells[sel], crs, densify_m)
        inside = cell_area.copy()
        # cells cut by the unit's edge: the piece inside, measured on the ellipsoid
        if cut.any():
            cut_cells = cells[sel][cut]
            if axis_aligned:
                # clip the unit to each row's strip first, so each cell meets only a few vertices
                pieces = np.empty(len(cut_cells), dtype=object)
                cut_rows = rows[sel][cut]
                bounds = shapely.bounds(cut_cells)
                for r in np.unique(cut_rows):
                    in_row = cut_rows == r
                    b = bounds[in_row]
                    strip = shapely.clip_by_rect(geom, b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
                    pieces[in_row] = shapely.intersection(cut_cells[in_row], strip)
            else:
                pieces = shapely.intersection(cut_cells, geom)
            inside[cut] = np.minimum(ellipsoidal_area(pieces, crs, densify_m), cell_area[cut])
        yield chunk, sel, inside, cell_area


def pixel_areas(
    transform: Any, width: int, height: int, crs: str | CRS, geom: Any, *, densify_m: float = 100.0
) -> NDArray[np.float64]:
    """Return a ``height × width`` array: the ellipsoidal area (m²) of each pixel inside ``geom`` (raster CRS)."""
    from rasterio.windows import Window

    crs = CRS.from_user_input(crs)
    out = np.zeros((height, width))
    for chunk, sel, inside, _ in iter_cell_areas(transform, crs, geom, Window(0, 0, width, height),
                                                 densify_m=densify_m):
        block = np.zeros(int(chunk.height) * int(chunk.width))
        block[sel] = inside
        r0 = int(chunk.row_off)
        out[r0 : r0 + int(chunk.height)] += block.reshape(int(chunk.height), int(chunk.width))
    return out


def _measure_window(
    ds: Any, band: int, geom: Any, window: Any, crs: CRS, densify_m: float, chunk_cells: int, acc: _Acc
) -> None:
    """Add the classes of the part of ``window`` inside ``geom`` (raster CRS) to ``acc``, chunk by chunk."""
    for chunk, sel, inside, cell_area in iter_cell_areas(ds.transform, crs, geom, window, densify_m=densify_m,
                                                         chunk_cells=chunk_cells):
        data = ds.read(band, window=chunk, masked=True)
        values = np.ma.getdata(data).ravel()[sel]
        valid = ~np.ma.getmaskarray(data).ravel()[sel]
        if np.issubdtype(values.dtype, np.floating):
            valid &= np.isfinite(values)
        acc.add(values, valid, inside, cell_area)


def zonal_coverage(
    raster_path: str | Path,
    units: gpd.GeoDataFrame,
    unit_field: str,
    *,
    forest: Sequence[float | int | str] = (3,),
    grass: Sequence[float | int | str] = (4,),
    densify_m: float = 100.0,
    assume_crs: str | None = None,
    band: int = 1,
    chunk_cells: int = CHUNK_CELLS,
    repaired: np.ndarray | None = None,
) -> Coverage:
    """Return the ellipsoidal area of every raster class inside every unit, partial pixels exactly.

    Parameters
    ----------
    raster_path
        A classified raster GDAL reads (GeoTIFF); values are class codes.
    units
        Polygons with a CRS (any); one row per unit (rows with one name are summed).
    unit_field
        The field holding the unit's name.
    forest, grass
        Raster values counted as forest and as grassland.
    densify_m
        Longest edge (m) before reprojecting the units and measuring pieces.
    assume_crs
        CRS of a raster that declares none (otherwise :class:`CRSError`).
    band
        Band to read (1-based).
    chunk_cells
        Pixels handled at a time, bounding memory.
    repaired
        The units' geometries already made valid (:meth:`LayerSet.repaired`), so they are not
        repaired a second time.

    Returns
    -------
    Coverage

    Raises
    ------
    InputError
        Not a raster, no such field, or the raster does not overlap the units.
    CRSError
        The raster or the units declare no CRS.
    """
    from ..audit import unit_names

    forest_k, grass_k = _codes(forest), _codes(grass)
    if set(forest_k) & set(grass_k):
        raise InputError(f"class {sorted(set(forest_k) & set(grass_k))[0]} is given both as forest and as grass")
    if units.crs is None:
        raise CRSError("the units layer declares no CRS; give it one or pass {opt:assume_crs=EPSG:XXXX}",
                       param="assume_crs")
    names = unit_names(units, unit_field)
    units_crs = CRS.from_user_input(units.crs)
    geoms = repaired if repaired is not None else repair(np.asarray(units.geometry.values, dtype=object))[0]
    unit_areas = ellipsoidal_area(geoms, units_crs, densify_m)
    ds = _open(raster_path)
    with ds:
        crs, assumed = _raster_crs(ds, raster_path, assume_crs)
        if not 1 <= band <= ds.count:
            raise InputError(f"raster {raster_path} has {ds.count} band(s); band {band} does not exist")
        in_raster = transform_geometries(geoms, units_crs, crs, densify_m)
        in_raster, _ = repair(in_raster)
        order: dict[str, _Acc] = {}
        areas: dict[str, float] = {}
        for name, g, a in zip(names, in_raster, unit_areas, strict=True):
            acc = order.setdefault(name, _Acc())
            areas[name] = areas.get(name, 0.0) + float(a)
            if g is None or shapely.is_empty(g):
                continue
            window = _unit_window(ds, g)
            if window is None:
                continue
            _measure_window(ds, band, g, window, crs, densify_m, chunk_cells, acc)
        nodata = ds.nodata
        res = (float(abs(ds.transform.a)), float(abs(ds.transform.e)))
    if not any(acc.covered > 0 for acc in order.values()):
        raise InputError(
            f"raster {raster_path} does not overlap the units (raster CRS {crs_label(crs)}); "
            "check that the raster covers the regiments and declares the right CRS"
        )
    out_units = []
    for name, acc in order.items():
        classes = {class_key(v): a for v, a in sorted(acc.area.items())}
        pixels = {class_key(v): n for v, n in sorted(acc.pixels.items())}
        valid = sum(classes.values())
        out_units.append(
            UnitCoverage(
                unit=name,
                area_m2=areas[name],
                classes=classes,
                pixels=pixels,
                valid_m2=valid,
                nodata_m2=acc.nodata,
                outside_m2=max(0.0, areas[name] - acc.covered),
                forest_m2=sum(classes.get(k, 0.0) for k in forest_k),
                grass_m2=sum(classes.get(k, 0.0) for k in grass_k),
            )
        )
    notes = []
    if assumed:
        notes.append(f"raster declared no CRS; {assume_crs} assumed (--assume-crs)")
    if units_crs != crs:
        notes.append(f"units reprojected from {crs_label(units_crs)} to the raster's {crs_label(crs)} "
                     f"(edges densified to {densify_m:g} m first)")
    for u in out_units:
        if u.area_m2 > 0 and u.outside_m2 > 1e-6 * u.area_m2 + 1.0:
            notes.append(f"{u.unit}: {u.outside_m2 / 1e6:,.3f} km² lie outside the raster")
    return Coverage(
        raster=str(raster_path),
        raster_crs=crs_label(crs),
        resolution=res,
        nodata=None if nodata is None else float(nodata),
        forest=forest_k,
        grass=grass_k,
        unit_field=unit_field,
        units=out_units,
        notes=notes,
    )
