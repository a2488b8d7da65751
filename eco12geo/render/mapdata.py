"""What a map page draws: features in lon/lat, simplified for display, with escaped popup fields.

:func:`prepare_layer` turns one layer of a :class:`~eco12geo.layerset.LayerSet` into a
:class:`MapLayer`: geometries in geographic CGCS2000 (:func:`prepare_geometries`), each feature's
id, bilingual name, ellipsoidal area or length and recorded area, and the label points.  Every
value read from a user's file passes through :func:`escape` here, before any page sees it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..audit import feature_areas
from ..layerset import LayerSet
from ..measure import ellipsoidal_length, to_geographic
from ..overlay import repair
from ..plan import UNITS_KEY, LayerDef, Plan, bundled_plan

__all__ = ["EN_FIELDS", "NAME_FIELDS", "MapLayer", "bilingual", "english_name", "escape", "fmt_area", "fmt_mj",
           "pick_field", "prepare_geometries", "prepare_layer"]

#: fields holding a feature's name, and its English name, looked for in this order
NAME_FIELDS = ("MC", "NAME", "XZQMC", "name", "名称")
EN_FIELDS = ("MC_EN", "NAME_EN", "name_en", "YWMC")


def escape(value: object) -> str:
    """HTML-escape a value from a user's file (None and NaN give an empty string)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


def bilingual(zh: str, en: str) -> str:
    """Return ``"zh en"``, or the one that is there (Chinese first; one of them when they are the same)."""
    zh, en = zh.strip(), en.strip()
    if not en or en == zh:
        return zh
    if not zh:
        return en
    return f"{zh} {en}"


def english_name(name: str, glossary: Mapping[str, str] | None = None) -> str:
    """Return an English name for a pattern place from the plan's ``[glossary]`` ('' when unknown).

    ``glossary`` defaults to the bundled plan's.  Words are matched longest first, left to right.
    """
    words_en = bundled_plan().glossary if glossary is None else glossary
    if name in words_en:
        return words_en[name]
    parts = []
    rest = name
    words = sorted(words_en, key=len, reverse=True)
    while rest:
        for w in words:
            if rest.startswith(w):
                parts.append(words_en[w])
                rest = rest[len(w):]
                break
        else:
            rest = rest[1:]
    return " ".join(parts)


# ---------------------------------------------------------------- geometry preparation
def prepare_geometries(
    geoms: Sequence[Any] | np.ndarray, crs: CRS, simplify_m: float = 10.0, densify_m: float = 500.0
) -> np.ndarray:
    """Return geometries in geographic CGCS2000 (lon, lat), simplified and rounded for display.

    Polygons that form a valid coverage are simplified together with
    :func:`shapely.coverage_simplify`, so shared edges stay shared; others are
    simplified one by one, preserving topology.  Coordinates are rounded to 6
    decimals (about 0.1 m).
    """
    arr = np.asarray(geoms, dtype=object)
    ok = ~shapely.is_missing(arr) & ~shapely.is_empty(np.where(shapely.is_missing(arr), shapely.Point(), arr))
    out = np.full(len(arr), None, dtype=object)
    if not ok.any():
        return out
    g = to_geographic(arr[ok], CRS.from_user_input(crs), densify_m)
    g, _ = repair(g)
    tol = simplify_m / 111_320.0
    if tol > 0:
        poly = shapely.get_dimensions(g) == 2
        if poly.any():
            pg = g[poly]
            try:
                valid_cov = bool(shapely.coverage_is_valid(pg))
            except Exception:  # noqa: BLE001 - GEOS refuses some inputs
                valid_cov = False
            if valid_cov:
                pg = shapely.coverage_simplify(pg, tol, simplify_boundary=True)
            else:
                pg = shapely.simplify(pg, tol, preserve_topology=True)
            g[poly] = pg
        lin = shapely.get_dimensions(g) == 1
        if lin.any():
            g[lin] = shapely.simplify(g[lin], tol, preserve_topology=True)
    g = shapely.set_precision(g, 1e-6)
    g = shapely.transform(g, lambda c: np.round(c, 6))
    out[ok] = g
    return out


@dataclass
class MapLayer:
    """One layer ready to draw: its plan definition, display geometries, GeoJSON features and labels."""

    key: str
    defn: LayerDef
    title: str
    geoms: np.ndarray
    features: list[dict[str, Any]]
    bounds: np.ndarray  # (n, 4)
    dims: np.ndarray
    labels: list[tuple[float, float, str]] = field(default_factory=list)
    label_index: list[int] = field(default_factory=list)


def fmt_area(m2: float) -> str:
    """Return an area for a popup, in km² and ha."""
    return f"{m2 / 1e6:,.4f} km² / {m2 / 1e4:,.2f} ha"


def fmt_mj(v: object) -> str:
    """Return a recorded area (MJ, m²) for a popup; text that is not a number is shown escaped."""
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return escape(v)
    if not np.isfinite(x):
        return ""
    return f"{x:,.2f} m²"


def pick_field(columns: Sequence[str], candidates: Sequence[str | None]) -> str | None:
    """Return the first of ``candidates`` that is a column, or None."""
    for c in candidates:
        if c and c in columns:
            return c
    return None


def prepare_layer(
    layers: LayerSet, plan: Plan, key: str, unit_field: str, simplify_m: float
) -> MapLayer:
    """Return layer ``key`` ready to draw: display geometries, escaped popup fields, label points.

    Areas are the ellipsoidal areas of the repaired geometries as read (:func:`~eco12geo.audit.feature_areas`),
    not of the simplified display copies.
    """
    gdf = layers[key]
    d = plan.layers[key]
    densify_m = plan.tolerances.get("densify_m", 100.0)
    raw = np.asarray(gdf.geometry.values, dtype=object)
    geoms = prepare_geometries(raw, layers.crs, simplify_m, densify_m=max(densify_m, 200.0))
    dims = np.array([-1 if g is None else shapely.get_dimensions(g) for g in geoms])
    areas = feature_areas(layers, key, densify_m) if (dims == 2).any() else np.zeros(len(gdf))
    lengths = (
        ellipsoidal_length(raw, layers.crs, densify_m) if (dims == 1).any() else np.zeros(len(gdf))
    )
    cols = list(gdf.columns)
    id_col = pick_field(cols, [d.id_field, "BSM"])
    name_col = pick_field(cols, [d.name_field, unit_field if key == UNITS_KEY else None, *NAME_FIELDS])
    en_col = pick_field(cols, EN_FIELDS)
    mj_col = pick_field(cols, [d.area_field]) if d.area_field else None
    title = bilingual(d.name_zh, d.name_en)
    feats: list[dict[str, Any]] = []
    labels: list[tuple[float, float, str]] = []
    label_index: list[int] = []
    for i, g in enumerate(geoms):
        if g is None:
            continue
        row = gdf.iloc[i]
        fid = row[id_col] if id_col else None
        fid_text = escape(fid) if fid is not None and escape(fid) != "" else f"#{i + 1}"
        name = "" if name_col is None else ("" if pd.isna(row[name_col]) else str(row[name_col]))
        if d.map.role == UNITS_KEY:
            en = plan.unit_name_en(name) if name else ""
            en = "" if en == name else en
        elif en_col is not None and not pd.isna(row[en_col]):
            en = str(row[en_col])
        elif d.map.role == "pattern":
            en = english_name(name, plan.glossary)
        else:
            en = ""
        props = {
            "layer": escape(title),
            "id": fid_text,
            "name": escape(bilingual(name, en)),
        }
        if dims[i] == 2:
            props["area"] = fmt_area(float(areas[i]))
        elif dims[i] == 1:
            props["area"] = f"{lengths[i] / 1e3:,.3f} km"
        else:
            props["area"] = ""
        props["mj"] = fmt_mj(row[mj_col]) if mj_col else ""
        props["tip"] = escape(bilingual(name, en) or fid_text) + " · " + escape(d.name_zh)
        feats.append(
            {"type": "Feature", "id": f"{key}-{i}", "properties": props,
             "geometry": shapely.geometry.mapping(g)}
        )
        if d.map.label != "none":
            if name:
                if dims[i] == 1:
                    pt = shapely.line_interpolate_point(shapely.line_merge(g) if g.geom_type == "MultiLineString"
                                                        else g, 0.5, normalized=True)
                    if pt.is_empty:
                        pt = shapely.point_on_surface(g)
                elif d.map.label == "north":
                    # label the feature in its northern part, so it does not sit on the unit's label
                    x0, y0, x1, y1 = shapely.bounds(g)
                    top = shapely.intersection(g, shapely.box(x0, y0 + 0.6 * (y1 - y0), x1, y1))
                    pt = shapely.point_on_surface(top if not top.is_empty else g)
                else:
                    pt = shapely.point_on_surface(g)
                labels.append((round(pt.x, 6), round(pt.y, 6), escape(bilingual(name, en))))
                label_index.append(i)
    bounds = shapely.bounds(np.array([g if g is not None else shapely.Point() for g in geoms], dtype=object))
    return MapLayer(key, d, title, geoms, feats, bounds, dims, labels, label_index)


