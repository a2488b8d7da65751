"""Area audit: every layer's ellipsoidal area, per unit (regiment), against the plan.

No I/O here: :func:`audit` takes a :class:`~eco12geo.layerset.LayerSet` and
returns an :class:`Audit`; :mod:`eco12geo.report` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from .backend import Backend, LocalBackend
from .errors import InputError
from .layerset import LayerSet
from .measure import crs_label, ellipsoidal_area, ellipsoidal_length, planar_area, relative_difference
from .names import feature_ids
from .overlay import intersect_pairs, repair
from .plan import Figure, Plan
from .survey import survey_area

__all__ = [
    "AREA_METHODS",
    "Audit",
    "FigureCheck",
    "LayerAudit",
    "UnitAudit",
    "audit",
    "feature_areas",
    "recorded_beyond",
    "unit_names",
]

SCHEMA_VERSION = 1

#: the two areas every audit gives, with their method and source (audit.json ``area_methods``)
AREA_METHODS = {
    "area_m2": "Exact ellipsoidal area (椭球面积) of the polygon as drawn: edges densified to tolerances.densify_m "
    "in the layer's CRS, then measured in the Lambert cylindrical equal-area projection on the datum's "
    "ellipsoid (CGCS2000 / GRS80); agrees with pyproj.Geod to 1e-9 on dense edges.",
    "survey_area_m2": "Area as the national land survey computes it (图斑椭球面积, 国土调查办发〔2008〕32号 "
    "《图幅理论面积与图斑椭球面积计算公式及要求》): each vertex inverse-projected from its Gauss–Krüger plane to "
    "(B, L), then the ellipsoidal trapezoids of the notice's formula (2) summed edge by edge, constants A–E "
    "derived for CGCS2000; edges not densified.",
}


@dataclass
class LayerAudit:
    """Totals of one layer."""

    key: str
    name_zh: str
    name_en: str
    geometry: str
    features: int
    area_m2: float
    planar_area_m2: float
    planar_crs: list[str]
    length_m: float
    outside_units_m2: float | None
    recorded_m2: float | None
    recorded_mismatches: int
    repaired: int
    source: str
    source_crs: str
    #: the national land survey's area (国土调查办发〔2008〕32号) and the part outside the units
    survey_area_m2: float = 0.0
    survey_outside_units_m2: float | None = None
    #: what the recorded area was compared with: "ellipsoidal" (area_m2) or "survey"
    recorded_method: str = "ellipsoidal"
    #: per feature: id, recorded MJ, computed ellipsoidal area, difference (layers with an area field)
    recorded: pd.DataFrame | None = field(default=None, repr=False)


@dataclass
class UnitAudit:
    """One unit: its own area and the area of each layer inside it."""

    unit: str
    area_m2: float
    planar_area_m2: float
    layers: dict[str, float]
    lengths_m: dict[str, float]
    survey_area_m2: float = 0.0
    survey_layers: dict[str, float] = field(default_factory=dict)


@dataclass
class FigureCheck:
    """One plan figure against the computed value."""

    figure: str
    layer: str | None
    quantity: str
    kind: str
    target: float
    value: float | None
    status: str
    diff: float | None
    unit: str
    year: int | None
    source: str
    text: str = ""
    scope: str = ""
    #: why a figure could not be judged (no_data), or what was left out of a scoped one
    reason: str = ""
    #: a ratio's reference layer and which ground it stands for (the expansion factor's base)
    reference_layer: str | None = None
    reference_basis: str = ""

    @property
    def is_area(self) -> bool:
        """True for area figures (the ones listed as ``targets`` in audit.json)."""
        return self.quantity == "area"


@dataclass
class Audit:
    """The area audit of one set of layers."""

    plan_id: str
    plan_version: str
    crs: str
    territory_m2: float
    unit_field: str | None
    layers: dict[str, LayerAudit]
    units: list[UnitAudit]
    figures: list[FigureCheck]
    notes: list[str] = field(default_factory=list)
    #: the ellipsoid areas are taken on (GRS80 for CGCS2000)
    ellipsoid: str = "GRS80"
    #: the year whose figures were judged (--year), None for every year
    year: int | None = None
    #: where and how long it ran (``run`` in audit.json: backend, workers, seconds); set by the caller
    run: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the ``audit.json`` document (schema_version 1, INTERFACE.md)."""
        layers = {}
        for k, la in self.layers.items():
            d: dict[str, Any] = {
                "area_m2": round(la.area_m2, 2),
                "features": la.features,
                "name_zh": la.name_zh,
                "name_en": la.name_en,
                "geometry": la.geometry,
                "planar_area_m2": round(la.planar_area_m2, 2),
                "planar_crs": la.planar_crs,
                "source": la.source,
                "source_crs": la.source_crs,
            }
            if la.geometry == "line":
                d["length_m"] = round(la.length_m, 2)
            if la.outside_units_m2 is not None:
                d["outside_units_m2"] = round(la.outside_units_m2, 2)
            if la.recorded_m2 is not None:
                d["recorded_m2"] = round(la.recorded_m2, 2)
                d["recorded_diff_m2"] = round(la.recorded_m2 - la.area_m2, 2)
                d["recorded_mismatches"] = la.recorded_mismatches
            if la.repaired:
                d["repaired_in_memory"] = la.repaired
            d["survey_area_m2"] = round(la.survey_area_m2, 2)
            d["survey_diff_m2"] = round(la.survey_area_m2 - la.area_m2, 2)
            if la.survey_outside_units_m2 is not None:
                d["survey_outside_units_m2"] = round(la.survey_outside_units_m2, 2)
            if la.recorded_m2 is not None:
                d["recorded_method"] = la.recorded_method
            layers[k] = d
        units = [
            {
                "unit": u.unit,
                "area_m2": round(u.area_m2, 2),
                "planar_area_m2": round(u.planar_area_m2, 2),
                "layers": {k: round(v, 2) for k, v in u.layers.items()},
                **({"lengths_m": {k: round(v, 2) for k, v in u.lengths_m.items()}} if u.lengths_m else {}),
                "survey_area_m2": round(u.survey_area_m2, 2),
                "survey_layers": {k: round(v, 2) for k, v in u.survey_layers.items()},
            }
            for u in self.units
        ]
        targets = [
            {
                "layer": f.layer,
                "target_m2": round(f.target, 2),
                "kind": f.kind,
                "source": f.source,
                "figure": f.figure,
                "year": f.year,
                "value_m2": None if f.value is None else round(f.value, 2),
                "diff_m2": None if f.diff is None else round(f.diff, 2),
                "status": f.status,
                **({"scope": f.scope} if f.scope else {}),
                **({"reason": f.reason} if f.reason else {}),
            }
            for f in self.figures
            if f.is_area
        ]
        others = [
            {
                "figure": f.figure,
                "layer": f.layer,
                "quantity": f.quantity,
                "kind": f.kind,
                "target": f.target,
                "value": None if f.value is None else round(f.value, 6),
                "diff": None if f.diff is None else round(f.diff, 6),
                "unit": f.unit,
                "status": f.status,
                "year": f.year,
                "source": f.source,
                **({"reason": f.reason} if f.reason else {}),
                **({"reference_layer": f.reference_layer} if f.reference_layer else {}),
                **({"reference_basis": f.reference_basis} if f.reference_basis else {}),
            }
            for f in self.figures
            if not f.is_area
        ]
        return {
            "schema_version": SCHEMA_VERSION,
            "plan": {"id": self.plan_id, "version": self.plan_version},
            "crs": self.crs,
            "territory_m2": round(self.territory_m2, 2),
            "unit_field": self.unit_field,
            "layers": layers,
            "units": units,
            "targets": targets,
            "figures": others,
            "notes": list(self.notes),
            "area_methods": dict(AREA_METHODS),
            "year": self.year,
            **({"run": dict(self.run)} if self.run is not None else {}),
        }


def feature_areas(layers: LayerSet, key: str, densify_m: float = 100.0) -> np.ndarray:
    """Return the ellipsoidal area (m²) of every feature of one layer (invalid ones repaired)."""
    geoms, _ = layers.repaired(key)
    return ellipsoidal_area(geoms, layers.crs, densify_m)


def unit_names(units: pd.DataFrame, field_name: str) -> list[str]:
    """Return the unit names of a units layer, checking the field exists."""
    if field_name not in units.columns:
        fields = ", ".join(c for c in units.columns if c != units.geometry.name)
        raise InputError(
            "the units layer has no field '{field_name}'; pick the name field with {opt:unit_field} (fields: {fields})",
            field_name=field_name, fields=fields,
        )
    names = []
    for i, v in enumerate(units[field_name]):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        text = "" if pd.isna(v) else str(v)
        if not text.strip():
            raise InputError(
                "unit {n} of the units layer has no name in field '{field_name}'; fill it in or pick "
                "another field with {opt:unit_field}", n=i + 1, field_name=field_name,
            )
        names.append(text)
    return names


def _check(fig: Figure, value: float | None, tol: float, *, scoped: bool = False, reason: str = "") -> FigureCheck:
    """Compare a computed value with a figure (see :meth:`eco12geo.plan.Figure.judge`)."""
    status, diff = fig.judge(value, tol, scoped=scoped)
    return FigureCheck(
        figure=fig.id,
        layer=fig.layer,
        quantity=fig.quantity,
        kind=fig.kind,
        target=fig.target_si,
        value=value,
        status=status,
        diff=diff,
        unit={"area": "m2", "length": "m"}.get(fig.quantity, fig.unit),
        year=fig.year,
        source=fig.section,
        text=fig.text,
        scope=fig.scope,
        reason=reason,
        reference_layer=fig.reference_layer,
        reference_basis=fig.reference_basis,
    )


def audit(
    layers: LayerSet,
    plan: Plan,
    *,
    units_key: str = "units",
    unit_field: str | None = None,
    targets: bool = True,
    year: int | None = None,
    backend: Backend | None = None,
) -> Audit:
    """Compute the area audit.

    Parameters
    ----------
    layers
        The layers, in one working CRS.
    plan
        The plan giving layer definitions, figures and tolerances.
    units_key
        Key of the layer that splits the audit (the regiments).
    unit_field
        Field holding the unit name; default the plan's.
    targets
        Check the plan's figures (False for partial extracts, ``--no-targets``).
    year
        Judge the figures of this year where the plan gives one figure for
        several years (``--year``); None judges every year.
    backend
        Where pairs of features are found (:func:`eco12geo.backend.make_backend`); None: this machine.

    Returns
    -------
    Audit
    """
    densify_m = plan.tolerances.get("densify_m", 100.0)
    pairs = (backend or LocalBackend()).pairs
    crs: CRS = layers.crs
    field_name = unit_field or plan.unit_field
    notes = list(layers.notes)

    unit_geoms = None
    names: list[str] = []
    if units_key in layers:
        ugdf = layers[units_key]
        names = unit_names(ugdf, field_name)
        unit_geoms, bad = layers.repaired(units_key)
        if bad.any():
            notes.append(f"{units_key}: {int(bad.sum())} invalid polygon(s) repaired in memory for the audit")
    else:
        notes.append("no units layer: areas are not split by unit (give --units PATH or a 'units' layer)")

    la_out: dict[str, LayerAudit] = {}
    per_unit: dict[str, np.ndarray] = {}
    per_unit_len: dict[str, np.ndarray] = {}
    per_unit_survey: dict[str, np.ndarray] = {}
    for key in layers.keys():
        gdf = layers[key]
        d = plan.layers[key]
        geoms, bad = layers.repaired(key)
        if bad.any() and key != units_key:
            n_bad = int(bad.sum())
            noun = "geometry" if n_bad == 1 else "geometries"
            notes.append(f"{key}: {n_bad} invalid {noun} repaired in memory for the audit")
        areas = ellipsoidal_area(geoms, crs, densify_m)
        surveyed = _survey_areas(layers, key, geoms)
        parea, pepsg = planar_area(geoms, crs, densify_m)
        if d.geometry != "line":
            _, _, shared = pairs(geoms, geoms, same=True, interiors=True)
            twice = float(ellipsoidal_area(shared, crs, densify_m).sum()) if len(shared) else 0.0
            if twice >= plan.tolerances.get("min_overlap_m2", 1.0):
                notes.append(
                    f"{key}: features overlap each other by {twice:,.1f} m²; totals and per-unit areas count "
                    "that ground twice (eco12geo validate reports it as self_overlap)"
                )
        length = ellipsoidal_length(geoms, crs, densify_m) if d.geometry == "line" else np.zeros(len(geoms))
        recorded = None
        mismatches = 0
        table = None
        mj = d.recorded_m2(gdf)
        method = plan.recorded_method(key)
        if mj is not None:
            if np.isfinite(mj).any():
                recorded = float(np.nansum(mj))
                rel = relative_difference(mj, areas)
                beyond = recorded_beyond(mj, areas, surveyed, method, plan.tolerances)
                mismatches = int(np.sum(beyond))
                table = pd.DataFrame(
                    {
                        "layer": key,
                        "feature": feature_ids(gdf, d.id_field),
                        "recorded_m2": np.round(mj, 2),
                        "area_m2": np.round(areas, 2),
                        "diff_m2": np.round(mj - areas, 2),
                        "diff_relative": np.round(rel, 6),
                        "beyond_tolerance": beyond,
                        "survey_area_m2": np.round(surveyed, 2),
                        "survey_diff_m2": np.round(mj - np.round(surveyed, 2), 2),
                        "compared_with": method,
                    }
                )
        outside = None
        survey_outside = None
        if unit_geoms is not None and key != units_key:
            ia, iu, pieces = pairs(geoms, unit_geoms, interiors=d.geometry != "line")
            if d.geometry == "line":
                plen = ellipsoidal_length(pieces, crs, densify_m)
                per_unit_len[key] = np.bincount(iu, weights=plen, minlength=len(unit_geoms))
                outside = None
            else:
                pa = ellipsoidal_area(pieces, crs, densify_m)
                per_unit[key] = np.bincount(iu, weights=pa, minlength=len(unit_geoms))
                outside = float(areas.sum() - per_unit[key].sum())
                per_unit_survey[key] = np.bincount(iu, weights=survey_area(pieces, crs), minlength=len(unit_geoms))
                survey_outside = float(surveyed.sum() - per_unit_survey[key].sum())
                if outside > 0.01 * max(float(areas.sum()), 1.0):
                    notes.append(
                        f"{key}: {100 * outside / areas.sum():.1f} % of its area lies outside the units; check "
                        "its CRS (a .prj naming the wrong Gauss–Krüger zone shifts a layer by about 240 km) "
                        "and the units layer"
                    )
        la_out[key] = LayerAudit(
            key=key,
            name_zh=d.name_zh,
            name_en=d.name_en,
            geometry=d.geometry,
            features=len(gdf),
            area_m2=float(areas.sum()),
            planar_area_m2=float(parea.sum()),
            planar_crs=[f"EPSG:{z}" for z in sorted(set(pepsg.tolist()) - {0})],
            length_m=float(length.sum()),
            outside_units_m2=outside,
            recorded_m2=recorded,
            recorded_mismatches=mismatches,
            repaired=int(bad.sum()),
            source=layers.sources.get(key, ""),
            source_crs=layers.source_crs.get(key, ""),
            survey_area_m2=float(surveyed.sum()),
            survey_outside_units_m2=survey_outside,
            recorded_method=method,
            recorded=table,
        )
        if key == units_key:
            unit_area, unit_parea, unit_survey = areas, parea, surveyed

    # a unit drawn as several rows (a regiment and its detached pasture) is one unit: rows are summed by name
    units_out: list[UnitAudit] = []
    if unit_geoms is not None:
        order = list(dict.fromkeys(names))
        rows = {n: np.flatnonzero(np.array(names, dtype=object) == n) for n in order}
        for name in order:
            i = rows[name]
            units_out.append(
                UnitAudit(
                    unit=name,
                    area_m2=float(unit_area[i].sum()),
                    planar_area_m2=float(unit_parea[i].sum()),
                    layers={k: float(v[i].sum()) for k, v in per_unit.items()},
                    lengths_m={k: float(v[i].sum()) for k, v in per_unit_len.items()},
                    survey_area_m2=float(unit_survey[i].sum()),
                    survey_layers={k: float(v[i].sum()) for k, v in per_unit_survey.items()},
                )
            )

    checks: list[FigureCheck] = []
    if targets:
        tol = plan.tolerances.get("target_m2", 0.0)
        judged, left_out = plan.figures_for_year(year)
        if left_out:
            notes.append(
                f"figures of other years than {year} not judged (--year {year}): " + ", ".join(f.id for f in left_out)
            )
        for fig in judged:
            value: float | None = None
            la = la_out.get(fig.layer or "")
            if fig.quantity == "area" and la is not None and fig.excludes:
                value, reason = _scoped_value(fig, layers, la.area_m2, per_unit, names, densify_m)
                checks.append(_check(fig, value, tol, scoped=value is not None, reason=reason))
                continue
            if fig.quantity == "area" and la is not None:
                value = la.area_m2
            elif fig.quantity == "share" and la is not None:
                value = 100.0 * la.area_m2 / plan.territory_m2
            elif fig.quantity == "length" and la is not None:
                value = la.length_m
            elif fig.quantity == "count" and la is not None:
                value = float(la.features)
            elif fig.quantity == "ratio" and la is not None and fig.reference_layer in la_out:
                ref = la_out[fig.reference_layer].area_m2
                value = la.area_m2 / ref if ref > 0 else None
            checks.append(_check(fig, value, tol))
    else:
        notes.append("plan targets not checked (--no-targets)")

    return Audit(
        plan_id=plan.id,
        plan_version=plan.version,
        crs=crs_label(crs),
        territory_m2=plan.territory_m2,
        unit_field=field_name if unit_geoms is not None else None,
        layers=la_out,
        units=units_out,
        figures=checks,
        notes=notes,
        ellipsoid=crs.ellipsoid.name if crs.ellipsoid is not None else "",
        year=year,
    )


def _survey_areas(layers: LayerSet, key: str, geoms: np.ndarray) -> np.ndarray:
    """Survey areas of a layer's features, on their vertices as read (a layer reprojected for the run is not)."""
    if key not in layers.source_geoms:
        return survey_area(geoms, layers.crs)
    source, source_crs = layers.source_geoms[key]
    return survey_area(repair(source)[0], source_crs)


def recorded_beyond(
    mj: np.ndarray, areas: np.ndarray, surveyed: np.ndarray, method: str, tolerances: dict[str, float]
) -> np.ndarray:
    """Return which recorded areas (m², NaN blank) lie beyond the plan's tolerance.

    ``method="ellipsoidal"`` compares with the exact ellipsoidal area,
    relative (``recorded_area_relative``); ``"survey"`` with the survey area
    rounded to 2 decimals, as MJ is recorded, absolute (``recorded_survey_m2``,
    0.01 m² by default).
    """
    if method == "survey":
        tol = tolerances.get("recorded_survey_m2", 0.01)
        return np.isfinite(mj) & (np.abs(mj - np.round(surveyed, 2)) > tol + 1e-9)
    return np.isfinite(mj) & (np.abs(relative_difference(mj, areas)) > tolerances["recorded_area_relative"])


def _scoped_value(
    fig: Figure,
    layers: LayerSet,
    total: float,
    per_unit: dict[str, np.ndarray],
    names: list[str],
    densify_m: float,
) -> tuple[float | None, str]:
    """Return a scoped figure's value (its layer minus what it leaves out) and the reason when it cannot be had."""
    key = fig.layer or ""
    if fig.exclude_layer:
        if fig.exclude_layer not in layers:
            return None, (
                f"{fig.scope or 'scoped figure'}: give layer {fig.exclude_layer} "
                f"(--layer {fig.exclude_layer}=PATH) to judge it"
            )
        geoms, _ = layers.repaired(key)
        other, _ = layers.repaired(fig.exclude_layer)
        _, _, pieces = intersect_pairs(geoms, other)
        # the excluded ground is dissolved first, so pieces of overlapping excluded features count once
        inside = shapely.union_all(pieces) if len(pieces) else None
        cut = float(ellipsoidal_area(np.array([inside], dtype=object), layers.crs, densify_m)[0]) if inside else 0.0
        return total - cut, f"{fig.exclude_layer} left out: {cut:,.2f} m²"
    wanted = set(fig.exclude_units)
    if key not in per_unit:
        return None, f"{fig.scope or 'scoped figure'}: give the units layer to leave out {', '.join(sorted(wanted))}"
    missing = wanted - set(names)
    if missing:
        return None, f"{fig.scope or 'scoped figure'}: the units layer has no unit {', '.join(sorted(missing))}"
    rows = [i for i, n in enumerate(names) if n in wanted]
    cut = float(per_unit[key][rows].sum())
    return total - cut, f"units {', '.join(sorted(wanted))} left out: {cut:,.2f} m²"
