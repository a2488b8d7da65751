#!/usr/bin/env python
"""Build the ILLUSTRATIVE demo land-cover raster ``layers/demo_landcover.tif`` (not a survey).

Run from the repository root, after ``scripts/make_demo_layers.py``::

    .venv/bin/python scripts/make_demo_landcover.py

The raster covers the seven regiments of ``layers/demo_baseline.gpkg`` (layer ``units``,
field ``XZQMC``): EPSG:4490, 0.0025° pixels, uint8, DEFLATE, nodata 0 outside the
regiments (every pixel touching a regiment holds a class).  Classes (GB/T 21010-2017
first level, and 20 城镇村及工矿用地 of the 三调 working classification):

====  ==========================  ===================================================
code  class                        painted from
====  ==========================  ===================================================
1     耕地 cropland                 ``farmland``
3     林地 forest                   ``forest_land``
4     草地 grassland                the rest of the regiments, and all of 104团's
                                   Tianshan screen (``pattern_zones`` 一屏) except
                                   the calibrated bare ground
11    水域 water                    ``eco_points`` (reservoirs)
12    其他土地 bare land/desert     222团's desert belt (``pattern_zones`` 一带) and a
                                   seeded smooth field over the free pixels, calibrated
20    城镇村及工矿用地 construction ``construction_land``
====  ==========================  ===================================================

Pixels are painted by their centres, in the order of the table (later wins).  The bare
field's threshold is found by bisection so that the division's forest–grass share,
computed *exactly* as ``eco12geo coverage`` does (partial pixels by the ellipsoidal area
inside the regiments), is 73.15 % — the plan's 2022 value (二（七）表1 指标10).
Deterministic: fixed seed, no network.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from rasterio.features import rasterize
from rasterio.transform import from_origin

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ROOT / "layers"
SRC = LAYERS / "demo_baseline.gpkg"
OUT = LAYERS / "demo_landcover.tif"

RES = 0.0025  # degrees
TARGET = 0.7315  # 2022 forest–grass coverage of the division (二（七）表1 指标10)
SEED = 20231212
#: bias of the bare-ground field per regiment (higher: more bare ground); oasis-desert 221团 most
BIAS = {"221团": 0.45, "222团": 0.25, "五一农场": 0.1, "三坪农场": 0.1, "头屯河农场": 0.1, "西山农牧场": 0.0,
        "104团": -0.1}

CROPLAND, FOREST, GRASS, WATER, BARE, BUILT = 1, 3, 4, 11, 12, 20


def smooth_field(shape: tuple[int, int], cells: int, rng: np.random.Generator) -> np.ndarray:
    """Return a smooth random field in [0, 1): a coarse seeded grid, bilinearly interpolated (numpy only)."""
    h, w = shape
    gy, gx = cells + 1, int(cells * w / h) + 1
    coarse = rng.random((gy, gx))
    ys = np.linspace(0, gy - 1, h)
    xs = np.linspace(0, gx - 1, w)
    rows = np.array([np.interp(xs, np.arange(gx), coarse[i]) for i in range(gy)])
    return np.array([np.interp(ys, np.arange(gy), rows[:, j]) for j in range(w)]).T


def main() -> int:
    """Paint, calibrate and write the raster; print its figures."""
    sys.path.insert(0, str(ROOT))
    from eco12geo.raster import pixel_areas

    units = gpd.read_file(SRC, layer="units")
    layers = {k: gpd.read_file(SRC, layer=k) for k in ("farmland", "forest_land", "construction_land",
                                                       "eco_points", "pattern_zones")}
    xmin, ymin, xmax, ymax = units.total_bounds
    x0 = np.floor(xmin / RES) * RES - RES
    y1 = np.ceil(ymax / RES) * RES + RES
    width = int(round((np.ceil(xmax / RES) * RES + RES - x0) / RES))
    height = int(round((y1 - (np.floor(ymin / RES) * RES - RES)) / RES))
    transform = from_origin(x0, y1, RES, RES)
    shape = (height, width)

    def paint(geoms: object, all_touched: bool = False) -> np.ndarray:
        g = [x for x in geoms if x is not None and not x.is_empty]  # type: ignore[attr-defined]
        if not g:
            return np.zeros(shape, dtype=bool)
        return rasterize(((x, 1) for x in g), out_shape=shape, transform=transform, fill=0,
                         all_touched=all_touched, dtype="uint8").astype(bool)

    # unit of each pixel (by centre) and the valid mask (every pixel touching a regiment)
    unit_idx = np.full(shape, -1, dtype=int)
    for i, g in enumerate(units.geometry):
        unit_idx[paint([g])] = i
    valid = paint(units.geometry, all_touched=True)
    near = valid & (unit_idx < 0)  # boundary pixels whose centre lies outside: nearest regiment's bias
    if near.any():
        rr, cc = np.nonzero(near)
        cx, cy = rasterio.transform.xy(transform, rr, cc)
        pts = shapely.points(cx, cy)
        dist = np.stack([shapely.distance(pts, g) for g in units.geometry])
        unit_idx[rr, cc] = dist.argmin(axis=0)

    zones = layers["pattern_zones"]
    screen = paint(zones.geometry[zones["MC"].str.startswith("一屏")])
    desert = paint(zones.geometry[zones["MC"].str.startswith("一带")])
    farmland = paint(layers["farmland"].geometry)
    forest = paint(layers["forest_land"].geometry)
    built = paint(layers["construction_land"].geometry)
    water = paint(layers["eco_points"].geometry)

    base = np.zeros(shape, dtype="uint8")
    base[valid] = GRASS
    base[valid & desert] = BARE
    fixed = farmland | forest | built | water | desert
    free = valid & ~fixed

    rng = np.random.default_rng(SEED)
    field = 0.6 * smooth_field(shape, 24, rng) + 0.4 * smooth_field(shape, 90, rng)
    bias = np.zeros(shape)
    for i, name in enumerate(units["XZQMC"]):
        bias[unit_idx == i] = BIAS.get(str(name), 0.0)
    score = field + bias  # high score: bare
    score[screen] -= 0.05  # the Tianshan screen stays mostly grass

    # exact weights: the ellipsoidal area of each pixel inside the regiments
    weight = np.zeros(shape)
    for g in units.geometry:
        weight += pixel_areas(transform, width, height, "EPSG:4490", g)
    total = weight.sum()

    def compose(threshold: float) -> np.ndarray:
        out = base.copy()
        out[free & (score > threshold)] = BARE
        out[valid & farmland] = CROPLAND
        out[valid & built] = BUILT
        out[valid & forest] = FOREST
        out[valid & water] = WATER
        return out

    def share(threshold: float) -> float:
        out = compose(threshold)
        return float(weight[(out == FOREST) | (out == GRASS)].sum() / total)

    lo, hi = float(score[free].min()) - 1e-9, float(score[free].max()) + 1e-9  # share rises with threshold
    if not share(lo) <= TARGET <= share(hi):
        raise SystemExit(f"cannot reach {TARGET:.4f}: share spans {share(lo):.4f}–{share(hi):.4f}")
    for _ in range(60):
        mid = (lo + hi) / 2
        if share(mid) < TARGET:
            lo = mid
        else:
            hi = mid
    threshold = hi if abs(share(hi) - TARGET) <= abs(share(lo) - TARGET) else lo
    data = compose(threshold)
    profile = {
        "driver": "GTiff", "width": width, "height": height, "count": 1, "dtype": "uint8", "crs": "EPSG:4490",
        "transform": transform, "nodata": 0, "compress": "deflate", "predictor": 2, "zlevel": 9,
        "tiled": True, "blockxsize": 256, "blockysize": 256,
    }
    tmp = OUT.with_suffix(".tmp.tif")
    with rasterio.open(tmp, "w", **profile) as dst:
        dst.write(data, 1)
        dst.update_tags(
            TIFFTAG_DATETIME="2024:01:01 00:00:00",
            DESCRIPTION="Illustrative demo land cover — not a survey (示意数据，非调查成果)",
            CLASSES="1 耕地 cropland; 3 林地 forest; 4 草地 grassland; 11 水域 water; 12 其他土地 bare/desert; "
                    "20 城镇村及工矿用地 construction; 0 nodata",
            SOURCE="scripts/make_demo_landcover.py from layers/demo_baseline.gpkg",
        )
        dst.set_band_description(1, "land cover (GB/T 21010 first level, illustrative)")
    tmp.replace(OUT)
    print(f"wrote {OUT.relative_to(ROOT)}: {width}×{height} px, {OUT.stat().st_size / 1e6:.2f} MB, "
          f"forest–grass share {share(threshold) * 100:.3f} % (target {TARGET * 100:.2f} %)")
    for i, name in enumerate(units["XZQMC"]):
        w = pixel_areas(transform, width, height, "EPSG:4490", units.geometry.iloc[i])
        fg = w[(data == FOREST) | (data == GRASS)].sum() / w.sum()
        print(f"  {name}: {fg * 100:.2f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
