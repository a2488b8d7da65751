"""Run a plan's rules over a set of layers and gather the result in a :class:`Report` (no I/O).

The three control lines must "not cross, not overlap, not conflict"
(不交叉不重叠不冲突), and the red line must not decrease nor change its
nature.  Which layers must not overlap, which must cover which and which must
not decrease is read from the plan's ``[[rules]]``; each rule name is a
checker registered in :mod:`eco12geo.rules`.

Invalid geometries are reported (``geometry_invalid``) and repaired in memory
first, so one bad polygon never aborts the other checks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import CRS

from ._log import logger
from .audit import unit_names
from .backend import Backend
from .layerset import LayerSet, harmonize
from .measure import crs_label
from .overlay import polygonal
from .plan import Plan
from .rules import Check, LayerData, RuleContext, UnitIndex, Violation, feature_ids, get_checker
from .waivers import ExceptionEntry, apply_exceptions

__all__ = ["Report", "SCHEMA_VERSION", "validate"]

SCHEMA_VERSION = 1


@dataclass
class Report:
    """The result of one validation: violations, checks, layers looked at and notes."""

    plan_id: str
    plan_version: str
    crs: CRS
    unit_field: str | None
    units: list[str]
    layers: dict[str, dict[str, Any]]
    baseline: dict[str, dict[str, Any]] | None
    violations: list[Violation]
    checks: list[Check]
    tolerances: dict[str, float]
    notes: list[str] = field(default_factory=list)
    #: where and how long it ran (``run`` in report.json: backend, workers, seconds); set by the caller
    run: dict[str, Any] | None = None
    #: layers with invalid features, repaired (for ``--repair``); not part of report.json
    repaired: dict[str, gpd.GeoDataFrame] = field(default_factory=dict, repr=False)

    @property
    def errors(self) -> int:
        """Error-severity violations not accepted by an exception."""
        return sum(1 for v in self.violations if v.severity == "error" and not v.accepted)

    @property
    def warnings(self) -> int:
        """Warning-severity violations not accepted by an exception."""
        return sum(1 for v in self.violations if v.severity == "warning" and not v.accepted)

    @property
    def accepted(self) -> int:
        """Violations accepted by an exception."""
        return sum(1 for v in self.violations if v.accepted)

    @property
    def exit_code(self) -> int:
        """0 when no error-severity violation stands, else 1 (INTERFACE.md)."""
        return 1 if self.errors else 0

    def by_rule(self) -> dict[str, dict[str, Any]]:
        """Count and area of the violations of each rule (accepted ones included)."""
        out: dict[str, dict[str, Any]] = {}
        for v in self.violations:
            d = out.setdefault(v.rule, {"severity": v.severity, "count": 0, "accepted": 0, "area_m2": 0.0})
            d["count"] += 1
            d["accepted"] += int(v.accepted)
            d["area_m2"] += v.area_m2 or 0.0
        for d in out.values():
            d["area_m2"] = round(d["area_m2"], 2)
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, Any]:
        """Return the ``report.json`` document (schema_version 1, INTERFACE.md)."""
        doc: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "plan": {"id": self.plan_id, "version": self.plan_version},
            "crs": crs_label(self.crs),
            "unit_field": self.unit_field,
            "units": list(self.units),
            "layers": self.layers,
        }
        if self.baseline is not None:
            doc["baseline"] = self.baseline
        doc["violations"] = [v.to_dict() for v in self.violations]
        doc["checks"] = [c.to_dict() for c in self.checks]
        doc["summary"] = {
            "errors": self.errors,
            "warnings": self.warnings,
            "accepted": self.accepted,
            "by_rule": self.by_rule(),
        }
        doc["tolerances"] = dict(sorted(self.tolerances.items()))
        doc["notes"] = list(self.notes)
        if self.run is not None:
            doc["run"] = dict(self.run)
        return doc


def _prepare(key: str, layers: LayerSet, plan: Plan) -> LayerData:
    gdf = layers[key]
    raw = np.asarray(gdf.geometry.values, dtype=object)
    geoms, invalid = layers.repaired(key)
    d = plan.layers.get(key)
    if d is None or d.geometry == "polygon":
        # a collection in a polygon layer (reported by geometry_type) is checked by its polygons
        geoms = polygonal(geoms)
    return LayerData(
        key=key,
        gdf=gdf,
        raw=raw,
        geoms=np.asarray(geoms, dtype=object),
        invalid=np.asarray(invalid, dtype=bool),
        ids=feature_ids(gdf, d.id_field if d else None),
        geometry=d.geometry if d else "polygon",
    )


def _layer_info(ld: LayerData, source: str, source_crs: str, crs: CRS, densify_m: float) -> dict[str, Any]:
    info: dict[str, Any] = {"path": source, "crs": source_crs, "features": len(ld.gdf)}
    info["area_m2"] = round(float(ld.areas(crs, densify_m).sum()), 2) if ld.geometry != "line" else 0.0
    if ld.invalid.any():
        info["repaired_in_memory"] = int(ld.invalid.sum())
    return info


def validate(
    layers: LayerSet,
    plan: Plan,
    baseline: LayerSet | None = None,
    *,
    units_key: str = "units",
    unit_field: str | None = None,
    targets: bool = True,
    tolerances: Mapping[str, float | None] | None = None,
    exceptions: Sequence[ExceptionEntry] | None = None,
    year: int | None = None,
    backend: Backend | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """Run every rule of the plan over the layers.

    Parameters
    ----------
    layers
        The layers, in one working CRS (:func:`eco12geo.layerset.load_layers`).
    plan
        The plan: its ``[[rules]]`` say what is checked, its ``[tolerances]`` how strictly.
    baseline
        An earlier version of the layers for ``area_decreased`` / ``area_removed``;
        brought to the working CRS of ``layers`` when it differs.
    units_key
        Key of the layer violations are split by (the regiments).
    unit_field
        Field of the units layer holding the unit name; default the plan's.
    targets
        Check the plan's area figures (False for partial extracts, ``--no-targets``).
    tolerances
        Overrides of the plan's tolerances (None values are ignored), e.g.
        ``{"min_overlap_m2": 10.0, "sliver_width_m": 0.5}``.
    exceptions
        Accepted violations (:func:`eco12geo.waivers.load_exceptions`).
    year
        Judge the area figures of this year where the plan gives one figure
        for several years (``--year``); None judges every year.
    backend
        Where pairs of features are found (:func:`eco12geo.backend.make_backend`); None: this machine.
    progress
        Called as ``progress(rule, rules_done, rules)`` before each rule runs and once at the end.

    Returns
    -------
    Report
        Violations and checks in a deterministic order.
    """
    tol = dict(plan.tolerances)
    for k, v in (tolerances or {}).items():
        if v is not None:
            tol[k] = float(v)
    densify_m = float(tol.get("densify_m", 100.0))
    crs = layers.crs
    notes = list(layers.notes)

    data: dict[str, LayerData] = {}
    for key in layers.keys():
        ld = _prepare(key, layers, plan)
        ld.source = layers.source_geoms.get(key)
        data[key] = ld
        n_bad = int(ld.invalid.sum())
        if n_bad:
            msg = (f"{key}: {n_bad} invalid geometr{'y' if n_bad == 1 else 'ies'} repaired in memory "
                   "before the overlay rules")
            logger.warning(msg)
            notes.append(msg)

    field_name = unit_field or plan.unit_field
    units: UnitIndex | None = None
    if units_key in data:
        names = unit_names(layers[units_key], field_name)
        units = UnitIndex(names=names, geoms=data[units_key].geoms, key=units_key, name_field=field_name)
    else:
        notes.append("no units layer: violations are not split by unit (give --units PATH or a 'units' layer)")

    base_data: dict[str, LayerData] | None = None
    base_info: dict[str, dict[str, Any]] | None = None
    if baseline is not None:
        base_keys = [k for k in baseline.keys() if k != units_key]
        if baseline.crs == crs:  # read in the layers' CRS already (workflows.read_baseline): no second pass
            base, base_notes = baseline, list(baseline.notes)
        else:
            moved, _, base_notes = harmonize({k: baseline[k] for k in base_keys}, densify_m, crs=crs)
            base = LayerSet(layers=moved, crs=crs)
        notes.extend(f"baseline {n}" for n in base_notes)
        base_data = {k: _prepare(k, base, plan) for k in base_keys}
        base_info = {
            k: _layer_info(ld, baseline.sources.get(k, ""), baseline.source_crs.get(k, ""), crs, densify_m)
            for k, ld in base_data.items()
        }

    ctx = RuleContext(plan=plan, crs=crs, layers=data, baseline=base_data, units=units, tolerances=tol,
                      targets=targets, notes=notes, year=year, backend=backend)
    violations: list[Violation] = []
    checks: list[Check] = []
    for i, rd in enumerate(plan.rules):
        if progress is not None:
            progress(rd.rule, i, len(plan.rules))
        checker = get_checker(rd.rule)
        if checker is None:
            notes.append(f"rule {rd.rule!r} of the plan has no checker; skipped")
            continue
        ctx.rule = rd
        found, looked = checker(ctx)
        violations.extend(found)
        checks.extend(looked)
    if progress is not None:
        progress("done", len(plan.rules), len(plan.rules))
    if not targets:
        notes.append("plan area targets not checked (--no-targets)")
    elif year is not None and (others := plan.figures_for_year(year)[1]):
        left = ", ".join(f.id for f in others)
        notes.append(f"figures of other years than {year} not judged (--year {year}): {left}")
    if baseline is None:
        notes.append("no baseline given: area_decreased and area_removed not checked (give --baseline)")

    violations.sort(key=Violation.sort_key)
    checks.sort(key=Check.sort_key)
    if exceptions:
        n, unused = apply_exceptions(violations, exceptions)
        notes.append(f"{n} violation(s) accepted by the exceptions file")
        for i in unused:
            e = exceptions[i]
            notes.append(f"exception {i + 1} ({e.rule}: {';'.join(e.features)}) matched no violation")

    repaired = {}
    for key, ld in data.items():
        if ld.invalid.any():
            fixed = ld.gdf.copy()
            fixed = fixed.set_geometry(gpd.GeoSeries(ld.geoms, index=ld.gdf.index, crs=crs))
            repaired[key] = fixed

    return Report(
        plan_id=plan.id,
        plan_version=plan.version,
        crs=crs,
        unit_field=field_name if units is not None else None,
        units=list(units.names) if units is not None else [],
        layers={k: _layer_info(ld, layers.sources.get(k, ""), layers.source_crs.get(k, ""), crs, densify_m)
                for k, ld in data.items()},
        baseline=base_info,
        violations=violations,
        checks=checks,
        tolerances=tol,
        notes=notes,
        repaired=repaired,
    )
