"""Area rules: plan figures, not-decreasing against a baseline, expansion factor, recorded MJ."""

from __future__ import annotations

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
        word, word_zh = ("above", "超出") if fig.kind == "max" else ("below", "低于")
        year = f" ({fig.year})" if fig.year else ""
        out.append(
            Violation(
                rule=rule,
                severity=ctx.severity,
                layers=(key,),
                features=(),
                unit=None,
                area_m2=abs(diff),
                lon=None,
                lat=None,
                message=f"{key} totals {value / 1e6:,.4f} km², {abs(diff) / 1e6:,.4f} km² {word} the plan's "
                f"{fig.value:g} km²{year} ({fig.section})",
                message_zh=f"{ctx.zh(key)}合计{value / 1e6:,.4f}平方千米，{word_zh}规划指标{fig.value:g}平方千米"
                f"{year}（{fig.section}）{abs(diff) / 1e6:,.4f}平方千米",
                details={"figure": fig.id, "value_m2": round(value, 2), "target_m2": round(target, 2),
                         "source": fig.section},
            )
        )
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
            where_en, where_zh = ctx.where(unit, brackets=False)
            found.append(
                Violation(
                    rule="area_decreased",
                    severity=ctx.severity,
                    layers=(key,),
                    features=fids,
                    unit=unit,
                    area_m2=loss,
                    lon=lon[0],
                    lat=lat[0],
                    message=f"{key}{where_en} fell from {b_units.get(unit, 0.0):,.1f} m² to "
                    f"{c_units.get(unit, 0.0):,.1f} m² against the baseline (net loss {loss:,.1f} m²); "
                    "it must not decrease",
                    message_zh=f"{where_zh}{ctx.zh(key)}面积由{b_units.get(unit, 0.0):,.1f}平方米减少到"
                    f"{c_units.get(unit, 0.0):,.1f}平方米（净减少{loss:,.1f}平方米），面积不得减少",
                    geometry=geom,
                    details={"baseline_m2": round(b_units.get(unit, 0.0), 2),
                             "current_m2": round(c_units.get(unit, 0.0), 2)},
                )
            )
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
            where_en, where_zh = ctx.where(units[j])
            found.append(
                Violation(
                    rule="area_removed",
                    severity=ctx.severity,
                    layers=(key,),
                    features=(fids[j],),
                    unit=units[j],
                    area_m2=float(areas[j]),
                    lon=lon[j],
                    lat=lat[j],
                    message=f"{areas[j]:,.1f} m² of baseline {key} {fids[j]}{where_en} is no longer in {key} "
                    "(its nature must not change, even where the net area held)"
                    + (f"; ground added in the same unit: {', '.join(added[units[j]])}" if added.get(units[j]) else ""),
                    message_zh=f"基期{ctx.zh(key)}{fids[j]}有{areas[j]:,.1f}平方米被调出{where_zh}，性质不得改变"
                    + (f"（同{ctx.plan.unit_label_zh}新增：{'、'.join(added[units[j]])}）"
                       if added.get(units[j]) else ""),
                    geometry=geoms[j],
                    details={"added_features": added.get(units[j], [])},
                )
            )
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
            out.append(
                Violation(
                    rule="expansion_factor",
                    severity=ctx.severity,
                    layers=(key, ref),
                    features=(),
                    unit=None,
                    area_m2=a - fig.value * r,
                    lon=None,
                    lat=None,
                    message=f"{key} is {ratio:.3f} times {ref} ({a / 1e6:,.2f} / {r / 1e6:,.2f} km²), "
                    f"beyond the plan's {fig.value:g} ({fig.section})",
                    message_zh=f"{ctx.zh(key)}为{ctx.zh(ref)}的{ratio:.3f}倍（{a / 1e6:,.2f}/{r / 1e6:,.2f}平方千米），"
                    f"超过规划扩展倍数{fig.value:g}（{fig.section}）",
                    details={"figure": fig.id, "ratio": round(ratio, 6) if np.isfinite(ratio) else None,
                             "target": fig.value},
                )
            )
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
                fid = ld.ids[i]
                d = mj[i] - areas[i]
                if method == "survey":
                    en = (f"{key} {fid}: recorded {fld} {mj[i]:,.2f} m² but the survey formula "
                          f"(国土调查办发〔2008〕32号) gives {areas[i]:,.2f} m² ({d:+,.2f} m² > {abs_tol:g} m²)")
                    zh = (f"{ctx.zh(key)}{fid}：登记面积{fld}为{mj[i]:,.2f}平方米，按国土调查办发〔2008〕32号公式计算的"
                          f"图斑椭球面积为{areas[i]:,.2f}平方米（差{d:+,.2f}平方米）")
                else:
                    en = (f"{key} {fid}: recorded {fld} {mj[i]:,.1f} m² but the geometry measures "
                          f"{areas[i]:,.1f} m² ({d:+,.1f} m², {100 * rel[i]:.2f} % > {100 * rel_tol:g} %)")
                    zh = (f"{ctx.zh(key)}{fid}：登记面积{fld}为{mj[i]:,.1f}平方米，图形椭球面积"
                          f"{areas[i]:,.1f}平方米（差{d:+,.1f}平方米，{100 * rel[i]:.2f}%）")
                out.append(
                    Violation(
                        rule="recorded_area",
                        severity=ctx.severity,
                        layers=(key,),
                        features=(fid,),
                        unit=units[j],
                        area_m2=float(abs(d)),
                        lon=lon[j],
                        lat=lat[j],
                        message=en,
                        message_zh=zh,
                        geometry=ld.geoms[i],
                        details={"recorded_m2": round(float(mj[i]), 2), "computed_m2": round(float(areas[i]), 2),
                                 "diff_m2": round(float(d), 2)},
                    )
                )
        tol_detail = {"absolute_tolerance_m2": abs_tol} if method == "survey" else {"relative_tolerance": rel_tol}
        checks.append(Check("recorded_area", "fail" if len(bad) else "pass", layer=key, violations=len(bad),
                            details={**tol_detail, **({"compared_with": "survey"} if method == "survey" else {})}))
    return out, checks
