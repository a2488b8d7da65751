"""Geometry rules: invalid, empty, duplicate ids, wrong type, slivers.

These look at one feature at a time.  ``geometry_invalid`` reads the raw
geometries (the others read them repaired): the reason and location come
from :func:`shapely.is_valid_reason`.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import shapely

from ..plan import GEOMETRY_TYPES
from . import Check, RuleContext, RuleResult, Violation, parse_location, present, register

#: geometry type names by shapely type id + 1 (missing is -1)
_TYPE_NAMES = np.array(["", "Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                        "MultiPolygon", "GeometryCollection"], dtype=object)


@register("geometry_invalid")
def check_geometry_invalid(ctx: RuleContext) -> RuleResult:
    """Report every invalid geometry with shapely's reason and its location."""
    out: list[Violation] = []
    checks: list[Check] = []
    for key in ctx.rule_keys():
        ld = ctx.layers[key]
        bad = np.flatnonzero(ld.invalid)
        if len(bad):
            reasons = shapely.is_valid_reason(ld.raw[bad])
            locs = [parse_location(str(r)) for r in reasons]
            pts = np.empty(len(bad), dtype=object)
            for j, loc in enumerate(locs):
                pts[j] = shapely.Point(loc) if loc else None
            missing = np.array([p is None for p in pts], dtype=bool)
            if missing.any():
                pts[missing] = ctx.points(ld.geoms[bad[missing]])
            lon, lat = ctx.lonlat(pts)
            units = ctx.unit_of(pts)
            areas = ctx.area(ld.geoms[bad])
            for j, i in enumerate(bad.tolist()):
                reason = str(reasons[j])
                out.append(ctx.violation(
                    "geometry_invalid", layers=(key,), features=(ld.ids[i],), unit=units[j], area_m2=float(areas[j]),
                    lon=lon[j], lat=lat[j], geometry=pts[j], reason=reason, details={"reason": reason},
                ))
        checks.append(Check("geometry_invalid", "fail" if len(bad) else "pass", layer=key, violations=len(bad)))
    return out, checks


@register("empty_geometry")
def check_empty_geometry(ctx: RuleContext) -> RuleResult:
    """Report features whose geometry is null or empty."""
    out: list[Violation] = []
    checks: list[Check] = []
    for key in ctx.rule_keys():
        ld = ctx.layers[key]
        bad = np.flatnonzero(~present(ld.raw))
        for i in bad.tolist():
            kind = "null" if ld.raw[i] is None else "empty"
            out.append(ctx.violation(
                "empty_geometry", layers=(key,), features=(ld.ids[i],), area_m2=0.0, kind=kind, details={"kind": kind},
            ))
        checks.append(Check("empty_geometry", "fail" if len(bad) else "pass", layer=key, violations=len(bad)))
    return out, checks


@register("duplicate_id")
def check_duplicate_id(ctx: RuleContext) -> RuleResult:
    """Report id values (the plan's ``id_field``, BSM) held by more than one feature."""
    out: list[Violation] = []
    checks: list[Check] = []
    for key in ctx.rule_keys():
        ld = ctx.layers[key]
        id_field = ctx.plan.layers[key].id_field
        if not id_field or id_field not in ld.gdf.columns:
            checks.append(Check("duplicate_id", "no_data", layer=key, details={"reason": f"no field {id_field}"}))
            continue
        ids = pd.Series(ld.ids, dtype=object)
        # only the rows whose id is held more than once are looked at one by one
        repeated = np.flatnonzero((ids.duplicated(keep=False) & ~ids.str.startswith("#")).to_numpy(dtype=bool))
        rows: dict[str, list[int]] = defaultdict(list)
        for i in repeated.tolist():
            rows[ld.ids[i]].append(i)
        dups = sorted((fid, r) for fid, r in rows.items() if len(r) > 1)
        for fid, r in dups:
            geoms = ld.geoms[r]
            first = np.array([geoms[0]], dtype=object)
            lon, lat = ctx.lonlat(first)
            out.append(ctx.violation(
                "duplicate_id", layers=(key,), features=(fid,), unit=ctx.unit_of(first)[0],
                area_m2=float(ctx.area(geoms).sum()), lon=lon[0], lat=lat[0], geometry=first[0],
                field=id_field, count=len(r), rows=", ".join(str(x + 1) for x in r),
                details={"rows": [x + 1 for x in r]},
            ))
        checks.append(Check("duplicate_id", "fail" if dups else "pass", layer=key, violations=len(dups)))
    return out, checks


@register("geometry_type")
def check_geometry_type(ctx: RuleContext) -> RuleResult:
    """Report features whose geometry type does not fit the layer (e.g. collections in a polygon layer)."""
    out: list[Violation] = []
    checks: list[Check] = []
    for key in ctx.rule_keys():
        ld = ctx.layers[key]
        allowed = GEOMETRY_TYPES.get(ld.geometry, set())
        there = present(ld.raw)
        types = np.where(there, _TYPE_NAMES[shapely.get_type_id(ld.raw) + 1], "").astype(object)
        bad = np.flatnonzero(there & ~np.isin(types, list(allowed)))
        if len(bad):
            lon, lat = ctx.lonlat(ld.raw[bad])
            units = ctx.unit_of(ld.raw[bad])
            for j, i in enumerate(bad.tolist()):
                out.append(ctx.violation(
                    "geometry_type", layers=(key,), features=(ld.ids[i],), unit=units[j], area_m2=0.0,
                    lon=lon[j], lat=lat[j], geometry=ctx.points(ld.raw[[i]])[0],
                    found=types[i], expected=ld.geometry, details={"geometry_type": str(types[i])},
                ))
        checks.append(Check("geometry_type", "fail" if len(bad) else "pass", layer=key, violations=len(bad)))
    return out, checks


@register("sliver")
def check_sliver(ctx: RuleContext) -> RuleResult:
    """Report polygon parts narrower than ``sliver_width_m``: area / (perimeter / 2) below it.

    For a long thin strip of width *w* this ratio is *w*; each part of a
    multipolygon is judged on its own, so a thin stray part is found too.
    """
    out: list[Violation] = []
    checks: list[Check] = []
    width = float(ctx.tolerances.get("sliver_width_m", 1.0))
    for key in ctx.rule_keys(geometry=("polygon", "point_or_polygon")):
        ld = ctx.layers[key]
        ok = present(ld.geoms)
        idx_ok = np.flatnonzero(ok)
        parts, pidx = shapely.get_parts(ld.geoms[idx_ok], return_index=True)
        poly = shapely.get_dimensions(parts) == 2
        parts, pidx = parts[poly], idx_ok[pidx[poly]]
        # cheap planar screen first; only candidates are measured on the ellipsoid
        cand = _sliver_candidates(ctx, parts, width)
        parts, pidx = parts[cand], pidx[cand]
        found = 0
        if len(parts):
            areas = ctx.area(parts)
            perim = ctx.length(parts)  # polygons: exterior and holes
            ratio = np.where(perim > 0, areas / np.maximum(perim / 2.0, 1e-12), 0.0)
            thin = np.flatnonzero(ratio < width)
            if len(thin):
                lon, lat = ctx.lonlat(parts[thin])
                units = ctx.unit_of(parts[thin])
                for j, t in enumerate(thin.tolist()):
                    found += 1
                    out.append(ctx.violation(
                        "sliver", layers=(key,), features=(ld.ids[int(pidx[t])],), unit=units[j],
                        area_m2=float(areas[t]), lon=lon[j], lat=lat[j], geometry=parts[t],
                        width_m=ratio[t], min_width_m=width, details={"width_m": round(float(ratio[t]), 4)},
                    ))
        checks.append(Check("sliver", "fail" if found else "pass", layer=key, violations=found,
                            details={"sliver_width_m": width}))
    return out, checks


def _sliver_candidates(ctx: RuleContext, parts: np.ndarray, width: float) -> np.ndarray:
    """Return the mask of polygon parts that may be slivers, from their planar shape in the working CRS.

    The screen is generous (it can only keep too many): a projected CRS's
    scale error is allowed up to a factor 3; in degrees, a width is at least
    the ratio in degrees times the metres of a degree of longitude at the
    part's highest latitude.
    """
    if not len(parts):
        return np.zeros(0, dtype=bool)
    area = shapely.area(parts)
    half = shapely.length(parts) / 2.0
    ratio = np.where(half > 0, area / np.maximum(half, 1e-300), 0.0)
    if ctx.crs.is_geographic:
        bounds = shapely.bounds(parts)
        lat = np.minimum(np.maximum(np.abs(bounds[:, 1]), np.abs(bounds[:, 3])), 89.9)
        metres = ratio * 111_320.0 * np.cos(np.radians(lat))
        return np.asarray(metres < width * 1.05, dtype=bool)
    try:
        to_m = float(ctx.crs.axis_info[0].unit_conversion_factor) or 1.0
    except (IndexError, AttributeError):
        to_m = 1.0
    return np.asarray(ratio * to_m < width * 3.0, dtype=bool)
