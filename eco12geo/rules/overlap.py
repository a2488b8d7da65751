"""Overlap rules: polygons of one layer overlapping each other, and layers that must not overlap.

Candidate pairs come from one STRtree query, filtered to the pairs whose
interiors meet (neighbours that only touch are never intersected), and the
intersections from vectorised shapely calls on a thread pool
(:func:`eco12geo.overlay.intersect_pairs`), or on a dask cluster
(:mod:`eco12geo.backend`).  Each
overlap is split by unit and reported once per unit with the ellipsoidal
area of the actual intersection inside it; pieces below ``min_overlap_m2``
(and contacts along an edge or at a point, which have no area) are dropped.
"""

from __future__ import annotations

from . import Check, RuleContext, RuleResult, Violation, register


def _pair_violations(
    ctx: RuleContext, rule: str, key_a: str, key_b: str, same: bool
) -> list[Violation]:
    a = ctx.layers[key_a]
    b = ctx.layers[key_b]
    ia, ib, pieces = ctx.pairs(a.geoms, b.geoms, same=same)
    idx, units, geoms, areas = ctx.split_by_unit(pieces)
    lon, lat = ctx.lonlat(geoms)
    layers = (key_a,) if same else (key_a, key_b)
    out = []
    for j, k in enumerate(idx.tolist()):
        out.append(ctx.violation(
            rule, layers=layers, features=(a.ids[int(ia[k])], b.ids[int(ib[k])]), unit=units[j],
            area_m2=float(areas[j]), lon=lon[j], lat=lat[j], geometry=geoms[j],
        ))
    return out


@register("self_overlap")
def check_self_overlap(ctx: RuleContext) -> RuleResult:
    """Report pairs of polygons of one layer that overlap, with both ids and the area."""
    out: list[Violation] = []
    checks: list[Check] = []
    for key in ctx.rule_keys(geometry=("polygon",)):
        found = _pair_violations(ctx, "self_overlap", key, key, same=True)
        out.extend(found)
        checks.append(Check("self_overlap", "fail" if found else "pass", layer=key, violations=len(found),
                            details={"area_m2": round(sum(v.area_m2 or 0.0 for v in found), 2)}))
    return out, checks


@register("overlap")
def check_overlap(ctx: RuleContext) -> RuleResult:
    """Report where two layers that must not overlap do (every pair of the rule's layers)."""
    out: list[Violation] = []
    checks: list[Check] = []
    wanted = list(ctx.rule.layers) if ctx.rule else []
    for i, ka in enumerate(wanted):
        for kb in wanted[i + 1 :]:
            if ka not in ctx.layers or kb not in ctx.layers:
                checks.append(Check("overlap", "no_data", layers=(ka, kb),
                                    details={"missing": [k for k in (ka, kb) if k not in ctx.layers]}))
                continue
            found = _pair_violations(ctx, "overlap", ka, kb, same=False)
            out.extend(found)
            checks.append(Check("overlap", "fail" if found else "pass", layers=(ka, kb), violations=len(found),
                                details={"area_m2": round(sum(v.area_m2 or 0.0 for v in found), 2)}))
    return out, checks
