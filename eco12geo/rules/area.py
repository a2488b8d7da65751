"""Area rules: plan figures, not-decreasing against a baseline, expansion factor, recorded MJ."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from ..measure import relative_difference
from ..plan import Figure
from . import Check, RuleContext, RuleResult, Violation, objarr, poly_only, register


def _layer_total(ctx: RuleContext, key: str) -> float:
    return float(ctx.layers[key].areas(ctx.crs, ctx.densify_m).sum())


@register("area_below_target")
def check_area_target(ctx: RuleContext) -> RuleResult:
    """Compare each named area figure with the layer's total (min: not below; max: not above).

    Skipped with ``targets=False`` (``--no-targets``).  A figure whose layer
    was not given is a ``no_data`` check, not a violation.
    """
    if not ctx.targets:
        return [], []
    tol = float(ctx.tolerances.get("target_m2", 0.0))
    out: list[Violation] = []
    checks: list[Check] = []
    figures: list[Figure] = []
    judged = {f.id for f in ctx.plan.figures_for_year(ctx.year)[0]}
    for fid in ctx.rule.figures if ctx.rule else ():
        fig = ctx.plan.figure(fid)
        if fig.quantity == "area" and fig.layer and fid in judged:
            figures.append(fig)
    for fig in figures:
        kind = "area_max" if fig.kind == "max" else "area_min"
        details = {"figure": fig.id, "source": fig.section, "year": fig.year, "kind": fig.kind}
        key = fig.layer or ""
        if key not in ctx.layers:
            checks.append(Check(kind, "no_data", layer=key, target_m2=fig.value_si, details=details))
            continue
        value = _layer_total(ctx, key)
        if fig.exclude_layer:
            if fig.exclude_layer not in ctx.layers:
                checks.append(Check(kind, "no_data", layer=key, target_m2=fig.value_si,
                                    details={**details, "reason": f"give layer {fig.exclude_layer} to judge it"}))
                continue
            cut = poly_only(shapely.intersection(
                shapely.union_all(poly_only(ctx.layers[fig.exclude_layer].geoms)), ctx.layers[key].geoms))
            value -= float(ctx.area(objarr([shapely.union_all(cut)]))[0])
        target = fig.value_si
        diff = value - target
        failed = fig.kind in {"min", "max"} and fig.judge(value, tol, scoped=bool(fig.exclude_layer))[0] != "met"
        checks.append(Check(kind, "fail" if failed else "pass", layer=key, value_m2=value, target_m2=target,
                            details={**details, "diff_m2": round(diff, 2)}))
        if not failed:
            continue
        rule = "area_above_target" if fig.kind == "max" else "area_below_target"
        dated: dict[str, Any] = {"year": fig.year} if fig.year else {}
        out.append(ctx.violation(
            f"{rule}.year" if dated else rule, layers=(key,), area_m2=abs(diff),
            value_km2=value / 1e6, diff_km2=abs(diff) / 1e6, target_km2=fig.value, section=fig.section, **dated,
            details={"figure": fig.id, "value_m2": round(value, 2), "target_m2": round(target, 2),
                     "source": fig.section},
        ))
    return out, checks


def _removed(ctx: RuleContext, key: str) -> tuple[np.ndarray, list[str | None], np.ndarray, np.ndarray, list[str]]:
    """Return the ground of ``key`` in the baseline that the current layer no longer holds, split by unit.

    Cached per layer, as ``area_decreased`` and ``area_removed`` both need it.
    """
    ck = ("removed", key)
    if ck not in ctx.cache:
        assert ctx.baseline is not None
        base = ctx.baseline[key]
        cur = ctx.layers[key]
        ib, rest = ctx.uncovered(base.geoms, cur.geoms)
        idx, units, geoms, areas = ctx.split_by_unit(rest)
        fids = [base.ids[int(ib[k])] for k in idx.tolist()]
        ctx.cache[ck] = (idx, units, geoms, areas, fids)
    return ctx.cache[ck]  # type: ignore[no-any-return]


def _per_unit_areas(ctx: RuleContext, geoms: np.ndarray) -> dict[str | None, float]:
    """Ground a layer covers in each unit (None: outside all units).

    The layer is dissolved first, so features that overlap each other count
    their shared ground once: a copied feature cannot hide a real loss.
    """
    ground = objarr([shapely.union_all(poly_only(geoms))])
    total = float(ctx.area(ground)[0])
    if ctx.units is None:
        return {None: total}
    per = ctx.area(poly_only(shapely.intersection(ground[0], ctx.units.geoms)))
    out: dict[str | None, float] = {}
    for name, a in zip(ctx.units.names, per.tolist(), strict=True):
        out[name] = out.get(name, 0.0) + a
    out[None] = total - float(per.sum())
    return out


def _baseline_keys(ctx: RuleContext, rule: str) -> tuple[list[str], list[Check]]:
    checks = []
    keys = []
    for key in ctx.rule_keys(geometry=("polygon", "point_or_polygon")) if ctx.baseline is not None else []:
        if key not in ctx.baseline:  # type: ignore[operator]
            checks.append(Check(rule, "no_data", layer=key, details={"reason": "not in the baseline"}))
        else:
            keys.append(key)
    return keys, checks


@register("area_decreased")
def check_area_decreased(ctx: RuleContext) -> RuleResult:
    """Report a net loss of a layer's area against the baseline, per unit (an error)."""
    if ctx.baseline is None:
        return [], []
    keys, checks = _baseline_keys(ctx, "area_decreased")
    out: list[Violation] = []
    for key in keys:
        base, cur = ctx.baseline[key], ctx.layers[key]
        b_units = _per_unit_areas(ctx, base.geoms)
        c_units = _per_unit_areas(ctx, cur.geoms)
        idx, r_units, r_geoms, r_areas, r_fids = _removed(ctx, key)
        found = []
        for unit in sorted(set(b_units) | set(c_units), key=lambda u: (u is None, u or "")):
            loss = b_units.get(unit, 0.0) - c_units.get(unit, 0.0)
            if loss < ctx.min_area:
                continue
            sel = [j for j, u in enumerate(r_units) if u == unit]
            geom = shapely.union_all(objarr([r_geoms[j] for j in sel])) if sel else None
            fids = tuple(sorted({r_fids[j] for j in sel}))
            lon, lat = ctx.lonlat(objarr([geom])) if geom is not None else ([None], [None])
            was, now = b_units.get(unit, 0.0), c_units.get(unit, 0.0)
            found.append(ctx.violation(
                "area_decreased", layers=(key,), features=fids, unit=unit, area_m2=loss, lon=lon[0], lat=lat[0],
                geometry=geom, baseline_m2=was, current_m2=now, loss_m2=loss,
                details={"baseline_m2": round(was, 2), "current_m2": round(now, 2)},
            ))
        out.extend(found)
        total_b, total_c = sum(b_units.values()), sum(c_units.values())
        checks.append(Check("area_decreased", "fail" if found else "pass", layer=key, value_m2=total_c,
                            target_m2=total_b, violations=len(found),
                            details={"net_change_m2": round(total_c - total_b, 2)}))
    return out, checks


def _added(ctx: RuleContext, key: str) -> dict[str | None, list[str]]:
    """Ids of current features holding ground the baseline layer did not, per unit (where removed ground went)."""
    ck = ("added", key)
    if ck not in ctx.cache:
        assert ctx.baseline is not None
        base = ctx.baseline[key]
        cur = ctx.layers[key]
        ic, rest = ctx.uncovered(cur.geoms, base.geoms)
        idx, units, _, _ = ctx.split_by_unit(rest)
        out: dict[str | None, list[str]] = {}
        for k, u in zip(idx.tolist(), units, strict=True):
            fid = cur.ids[int(ic[k])]
            if fid not in out.setdefault(u, []):
                out[u].append(fid)
        ctx.cache[ck] = {u: sorted(v) for u, v in out.items()}
    return ctx.cache[ck]  # type: ignore[no-any-return]


@register("area_removed")
def check_area_removed(ctx: RuleContext) -> RuleResult:
    """Report ground of the baseline layer the current layer no longer holds, even where the net held.

    One violation per baseline feature and unit; ``added_features`` names the
    current features that hold new ground in the same unit (where a moved patch went).
    """
    if ctx.baseline is None:
        return [], []
    keys, checks = _baseline_keys(ctx, "area_removed")
    out: list[Violation] = []
    for key in keys:
        idx, units, geoms, areas, fids = _removed(ctx, key)
        added = _added(ctx, key)
        lon, lat = ctx.lonlat(geoms)
        found = []
        for j in range(len(idx)):
            new = added.get(units[j], [])
            moved = {"added": ", ".join(new), "added_zh": "、".join(new)} if new else {}
            found.append(ctx.violation(
                "area_removed.added" if new else "area_removed", layers=(key,), features=(fids[j],),
                unit=units[j], area_m2=float(areas[j]), lon=lon[j], lat=lat[j], geometry=geoms[j],
                **moved, details={"added_features": new},
            ))
        out.extend(found)
        checks.append(Check("area_removed", "fail" if found else "pass", layer=key, violations=len(found),
                            details={"area_m2": round(float(np.sum(areas)), 2)}))
    return out, checks


@register("expansion_factor")
def check_expansion_factor(ctx: RuleContext) -> RuleResult:
    """Compare a layer's area divided by its reference layer's with the figure (urban boundary ≤ 1.3 × construction)."""
    out: list[Violation] = []
    checks: list[Check] = []
    for fid in ctx.rule.figures if ctx.rule else ():
        fig = ctx.plan.figure(fid)
        key, ref = fig.layer or "", fig.reference_layer or ""
        if key not in ctx.layers or ref not in ctx.layers:
            checks.append(Check("expansion_factor", "no_data", layers=(key, ref),
                                details={"figure": fig.id, "target": fig.value}))
            continue
        a, r = _layer_total(ctx, key), _layer_total(ctx, ref)
        ratio = a / r if r > 0 else float("inf")
        failed = fig.kind in {"min", "max"} and fig.judge(ratio)[0] != "met"
        details = {"figure": fig.id, "value": round(ratio, 6) if np.isfinite(ratio) else None,
                   "target": fig.value, "kind": fig.kind, "source": fig.section,
                   **({"reference_basis": fig.reference_basis} if fig.reference_basis else {})}
        checks.append(Check("expansion_factor", "fail" if failed else "pass", layers=(key, ref),
                            value_m2=a, target_m2=r, details=details))
        if failed:
            out.append(ctx.violation(
                "expansion_factor", layers=(key, ref), area_m2=a - fig.value * r,
                ratio=ratio, area_km2=a / 1e6, reference_km2=r / 1e6, target=fig.value, section=fig.section,
                details={"figure": fig.id, "ratio": round(ratio, 6) if np.isfinite(ratio) else None,
                         "target": fig.value},
            ))
    return out, checks


@register("recorded_area")
def check_recorded_area(ctx: RuleContext) -> RuleResult:
    """Report features whose recorded area (MJ, m²) differs from the computed one beyond the tolerance.

    ``area_m2`` is the size of the difference; the recorded and computed areas are given beside it.
    """
    rel_tol = float(ctx.tolerances.get("recorded_area_relative", 0.005))
    abs_tol = float(ctx.tolerances.get("recorded_survey_m2", 0.01))
    out: list[Violation] = []
    checks: list[Check] = []
    for key in ctx.rule_keys(geometry=("polygon", "point_or_polygon")):
        ld = ctx.layers[key]
        fld = ctx.plan.layers[key].area_field
        mj = ctx.plan.layers[key].recorded_m2(ld.gdf)
        if mj is None:
            continue
        method = ctx.plan.recorded_method(key)
        if method == "survey":
            # the same formula on both sides: MJ against the survey area at its 2 recorded decimals
            areas = np.round(ld.survey_areas(ctx.crs), 2)
            beyond = np.abs(mj - areas) > abs_tol + 1e-9
        else:
            areas = ld.areas(ctx.crs, ctx.densify_m)
            beyond = np.abs(relative_difference(mj, areas)) > rel_tol
        rel = np.abs(relative_difference(mj, areas))
        bad = np.flatnonzero(np.isfinite(mj) & beyond & (shapely.get_dimensions(ld.geoms) == 2))
        if len(bad):
            lon, lat = ctx.lonlat(ld.geoms[bad])
            units = ctx.unit_of(ld.geoms[bad])
            for j, i in enumerate(bad.tolist()):
                d = mj[i] - areas[i]
                tol = {"tolerance_m2": abs_tol} if method == "survey" else {
                    "diff_pct": 100 * rel[i], "tolerance_pct": 100 * rel_tol}
                out.append(ctx.violation(
                    "recorded_area.survey" if method == "survey" else "recorded_area", layers=(key,),
                    features=(ld.ids[i],), unit=units[j], area_m2=float(abs(d)), lon=lon[j], lat=lat[j],
                    geometry=ld.geoms[i], field=fld, recorded_m2=mj[i], computed_m2=areas[i],
                    diff_m2=d, **tol,
                    details={"recorded_m2": round(float(mj[i]), 2), "computed_m2": round(float(areas[i]), 2),
                             "diff_m2": round(float(d), 2)},
                ))
        tol_detail = {"absolute_tolerance_m2": abs_tol} if method == "survey" else {"relative_tolerance": rel_tol}
        checks.append(Check("recorded_area", "fail" if len(bad) else "pass", layer=key, violations=len(bad),
                            details={**tol_detail, **({"compared_with": "survey"} if method == "survey" else {})}))
    return out, checks
