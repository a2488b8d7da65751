"""Cover rules: one layer must lie within another (``not_covered``) or within the units (``outside_units``)."""

from __future__ import annotations

import numpy as np
import shapely

from . import Check, RuleContext, RuleResult, Violation, register


@register("not_covered")
def check_not_covered(ctx: RuleContext) -> RuleResult:
    """Report the parts of the first layer outside the second, per unit, with their area.

    The rule's ``layers`` are ``[covered, cover]``; more than two mean each of
    the first ones must be covered by the last.
    """
    wanted = list(ctx.rule.layers) if ctx.rule else []
    if len(wanted) < 2:
        return [], [Check("not_covered", "no_data", layers=tuple(wanted), details={"reason": "needs two layers"})]
    cover_key = wanted[-1]
    out: list[Violation] = []
    checks: list[Check] = []
    for key in wanted[:-1]:
        if key not in ctx.layers or cover_key not in ctx.layers:
            checks.append(Check("not_covered", "no_data", layers=(key, cover_key),
                                details={"missing": [k for k in (key, cover_key) if k not in ctx.layers]}))
            continue
        a = ctx.layers[key]
        b = ctx.layers[cover_key]
        ia, rest = ctx.uncovered(a.geoms, b.geoms)
        idx, units, geoms, areas = ctx.split_by_unit(rest)
        lon, lat = ctx.lonlat(geoms)
        found = []
        for j, k in enumerate(idx.tolist()):
            fid = a.ids[int(ia[k])]
            found.append(ctx.violation(
                "not_covered", layers=(key, cover_key), features=(fid,), unit=units[j], area_m2=float(areas[j]),
                lon=lon[j], lat=lat[j], geometry=geoms[j],
            ))
        out.extend(found)
        checks.append(Check("not_covered", "fail" if found else "pass", layers=(key, cover_key),
                            violations=len(found),
                            details={"area_m2": round(sum(v.area_m2 or 0.0 for v in found), 2)}))
    return out, checks


@register("outside_units")
def check_outside_units(ctx: RuleContext) -> RuleResult:
    """Report the parts of every layer outside all units (areas for polygons, lengths for lines, points)."""
    if ctx.units is None:
        return [], [Check("outside_units", "no_data", details={"reason": "no units layer"})]
    out: list[Violation] = []
    checks: list[Check] = []
    for key in ctx.rule_keys(exclude_units=True):
        ld = ctx.layers[key]
        ia, rest = ctx.uncovered(ld.geoms, ctx.units.geoms)
        found: list[Violation] = []
        if len(ia):
            dims = shapely.get_dimensions(rest)
            poly = dims == 2
            # polygons: by area
            if poly.any():
                areas = ctx.area(rest[poly])
                keep = np.flatnonzero(areas >= ctx.min_area)
                sel = np.flatnonzero(poly)[keep]
                lon, lat = ctx.lonlat(rest[sel])
                for j, k in enumerate(sel.tolist()):
                    fid = ld.ids[int(ia[k])]
                    a = float(areas[keep[j]])
                    found.append(ctx.violation(
                        "outside_units", layers=(key,), features=(fid,), area_m2=a, lon=lon[j], lat=lat[j],
                        geometry=rest[k],
                    ))
            # lines and points: by length, or the point itself
            other = np.flatnonzero(~poly)
            if len(other):
                lengths = ctx.length(rest[other])
                lon, lat = ctx.lonlat(rest[other])
                for j, k in enumerate(other.tolist()):
                    if dims[k] == 1 and lengths[j] < 1.0:
                        continue
                    line = dims[k] == 1
                    found.append(ctx.violation(
                        "outside_units.line" if line else "outside_units.point", layers=(key,),
                        features=(ld.ids[int(ia[k])],), area_m2=0.0, lon=lon[j], lat=lat[j], geometry=rest[k],
                        **({"length_m": lengths[j]} if line else {}),
                        details={"length_m": round(float(lengths[j]), 2)} if line else {},
                    ))
        out.extend(found)
        checks.append(Check("outside_units", "fail" if found else "pass", layer=key, violations=len(found)))
    return out, checks
