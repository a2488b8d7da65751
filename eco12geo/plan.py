"""Load and validate a plan file: the plan's layers, figures, rules and tolerances.

A plan is a TOML file (see ``eco12geo/plans/xpcc12_2023_2035.toml``).  Nothing
about a particular plan is written in code: another county's plan is another
file of the same shape.  :func:`load_plan` validates the file against its typed schema
(:class:`eco12geo.schemas.plan.PlanDocument`: unknown keys, wrong types and
values out of range are errors) and raises :class:`~eco12geo.errors.PlanError`
naming every key at fault, all at once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pandas as pd
from pydantic import ValidationError

from .errors import InputError, PlanError
from .schemas import join, problems
from .schemas.plan import MapStyleDoc, PlanDocument, RecordedMethod, cross_check

__all__ = [
    "DEFAULT_PLAN",
    "UNITS_KEY",
    "RECORDED_AREA_METHODS",
    "Figure",
    "LayerDef",
    "MapStyle",
    "Plan",
    "RuleDef",
    "Unit",
    "load_plan",
    "read_toml",
]

DEFAULT_PLAN = "xpcc12_2023_2035.toml"
#: the layer key every plan defines for its planning units (regiments, towns …); the schema requires it
UNITS_KEY = "units"

#: the geometry kinds a layer may have, and the OGC types each admits
GEOMETRY_TYPES: dict[str, set[str]] = {
    "polygon": {"Polygon", "MultiPolygon"},
    "line": {"LineString", "MultiLineString", "LinearRing"},
    "point": {"Point", "MultiPoint"},
    "point_or_polygon": {"Point", "MultiPoint", "Polygon", "MultiPolygon"},
}
UNIT_FACTORS = {"km2": 1e6, "ha": 1e4, "m2": 1.0, "mu": 1e4 / 15, "km": 1e3, "m": 1.0}
#: what a recorded area field (MJ) is compared with: the exact ellipsoidal area (area_m2) or the
#: national land survey's (survey_area_m2, 国土调查办发〔2008〕32号)
RECORDED_AREA_METHODS: tuple[str, ...] = get_args(RecordedMethod)


@dataclass(frozen=True)
class Unit:
    """One planning unit (a regiment), as the plan names it."""

    name: str
    name_en: str
    aliases: tuple[str, ...] = ()


#: how the maps draw a layer (``[layers.KEY.map]``): the schema's frozen model, used as it is
MapStyle = MapStyleDoc


@dataclass(frozen=True)
class LayerDef:
    """What the plan says about one layer key."""

    key: str
    name_zh: str
    name_en: str
    geometry: str
    aliases: tuple[str, ...] = ()
    id_field: str = "BSM"
    area_field: str | None = None
    area_unit: str = "m2"
    name_field: str | None = None
    colour: str = "#3388ff"
    #: per-layer override of the plan's ``recorded_area_method`` (None: the plan's)
    recorded_area_method: str | None = None
    short_zh: str | None = None
    short_en: str | None = None
    map: MapStyle = field(default_factory=MapStyle)

    def short(self, lang: str = "zh") -> str:
        """Return the layer's short heading (terminal tables) in ``lang``, its name when it has none."""
        if lang == "zh":
            return self.short_zh or self.name_zh
        return self.short_en or self.name_en

    def recorded_m2(self, table: Any) -> np.ndarray | None:
        """Return the recorded area field of a layer's table in m² (NaN where blank), or None without one."""
        if not self.area_field or self.area_field not in table.columns:
            return None
        values = pd.to_numeric(table[self.area_field], errors="coerce").to_numpy(dtype=float)
        return values * UNIT_FACTORS[self.area_unit]

    def names(self) -> tuple[str, ...]:
        """Return every name a file or layer may carry for this key (upper-cased)."""
        return tuple(n.upper() for n in (self.key, self.name_zh, *self.aliases))


@dataclass(frozen=True)
class Figure:
    """One figure of the plan, with the section it comes from."""

    id: str
    quantity: str
    value: float
    unit: str
    kind: str
    section: str
    layer: str | None = None
    year: int | None = None
    text: str = ""
    scope: str = ""
    reference_layer: str | None = None
    #: decimals of the published figure (its rounding is the tolerance of a ``target``); None: from the value
    decimals: int | None = None
    #: a scoped figure names what it leaves out: a layer key, or units of the units layer
    exclude_layer: str | None = None
    exclude_units: tuple[str, ...] = ()
    #: which ground a ratio's reference layer stands for, and where the plan or practice says so
    reference_basis: str = ""

    @property
    def excludes(self) -> bool:
        """True when the figure names the layer or units it leaves out (it can then be judged exactly)."""
        return bool(self.exclude_layer or self.exclude_units)

    @property
    def value_si(self) -> float:
        """The value in m² (areas) or m (lengths); other quantities unchanged."""
        return self.value * UNIT_FACTORS.get(self.unit, 1.0)

    @property
    def target_si(self) -> float:
        """The value computed figures are compared with: m² for areas, m for lengths, else as published."""
        return self.value_si if self.quantity in {"area", "length"} else self.value

    def judge(
        self, value: float | None, area_tol_m2: float = 0.0, *, scoped: bool = False
    ) -> tuple[str, float | None]:
        """Judge a computed value against this figure.

        ``min``/``max`` figures are bounds (areas within ``area_tol_m2``);
        ``target`` figures (what the plan delimited) match within the rounding
        of the published number (25.75 → ±0.005), or ``area_tol_m2`` for
        areas, whichever is larger.  A figure with a ``scope`` counts only
        part of its layer: the layer's total proves it short (min) or met
        (max), otherwise the answer is ``no_data``; ``scoped=True`` says
        ``value`` is already the figure's part (its exclusion taken out), and
        it is judged as any other figure.

        Returns
        -------
        (status, diff)
            ``met``, ``short``, ``over`` or ``no_data``, and value − target
            (in m² / m for areas / lengths).
        """
        status, diff = self._judge(value, area_tol_m2)
        if self.scope and not scoped and status != "no_data":
            # the figure counts only part of the layer (e.g. 不含104团草场): the layer's total is an upper
            # bound of that part, so it can prove a "min" short or a "max" met, nothing else
            proven = (self.kind == "min" and status == "short") or (self.kind == "max" and status == "met")
            if not proven:
                status = "no_data"
        return status, diff

    def _judge(self, value: float | None, area_tol_m2: float) -> tuple[str, float | None]:
        if value is None:
            return "no_data", None
        diff = value - self.target_si
        tol = area_tol_m2 if self.quantity == "area" else 1e-9
        if self.kind == "min":
            return ("met" if diff >= -tol else "short"), diff
        if self.kind == "max":
            return ("met" if diff <= tol else "over"), diff
        decimals = self.decimals
        if decimals is None:
            text = repr(float(self.value))
            decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
        tol = max(tol, 0.5 * 10.0**-decimals * (self.target_si / self.value if self.value else 1.0))
        return ("met" if abs(diff) <= tol else ("short" if diff < 0 else "over")), diff


@dataclass(frozen=True)
class RuleDef:
    """One rule the validator runs, as the plan states it."""

    rule: str
    severity: str
    layers: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    section: str = ""
    text: str = ""


@dataclass(frozen=True)
class Plan:
    """A validated plan: territory, units, layers, figures, rules and tolerances."""

    id: str
    version: str
    name_zh: str
    name_en: str
    territory_m2: float
    territory_source: str
    unit_field: str
    unit_label_zh: str
    unit_label_en: str
    units: tuple[Unit, ...]
    layers: dict[str, LayerDef]
    figures: tuple[Figure, ...]
    rules: tuple[RuleDef, ...]
    tolerances: dict[str, float]
    base_year: int | None = None
    horizon_year: int | None = None
    indicators: str | None = None
    #: English names of pattern places for map labels (``[glossary]``)
    glossary: dict[str, str] = field(default_factory=dict)
    #: what the map of all units is called (全师 for a division, 全县 for a county; ``[map]``)
    whole_zh: str = "全域"
    whole_en: str = "Whole area"
    #: the legend heading of the layers whose map role is "pattern" (``[map]``)
    pattern_heading_zh: str = "生态空间格局"
    pattern_heading_en: str = "Ecological pattern"
    #: what recorded area fields (MJ) are compared with by default: "ellipsoidal" (area_m2) or "survey"
    recorded_area_method: str = "ellipsoidal"
    path: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def figure(self, figure_id: str) -> Figure:
        """Return the figure with this id."""
        for fig in self.figures:
            if fig.id == figure_id:
                return fig
        raise KeyError(figure_id)

    def area_figures(self, layer: str | None = None) -> list[Figure]:
        """Return the area figures, optionally only those of one layer."""
        return [
            f for f in self.figures if f.quantity == "area" and (layer is None or f.layer == layer)
        ]

    def match_layer(self, name: str) -> str | None:
        """Return the layer key a file or layer name stands for, or None.

        The name matches when it equals (case-insensitively) the key, the
        Chinese name or an alias, or when it starts with one of them followed
        by ``_``, ``-``, ``.`` or a digit (``STBHHX_2023`` → ``ecological_redline``).
        Longer names are tried first so ``YJJBNTCBQ`` is not read as ``YJJBNT``.
        """
        candidate = name.strip().upper()
        pairs = sorted(
            ((n, key) for key, d in self.layers.items() for n in d.names()),
            key=lambda p: -len(p[0]),
        )
        for n, key in pairs:
            if candidate == n:
                return key
        for n, key in pairs:
            if candidate.startswith(n) and len(candidate) > len(n):
                nxt = candidate[len(n)]
                if nxt in "_-. " or nxt.isdigit():
                    return key
        return None

    def recorded_method(self, key: str) -> str:
        """Return what layer ``key``'s recorded area is compared with: ``ellipsoidal`` or ``survey``."""
        d = self.layers.get(key)
        return (d.recorded_area_method if d is not None else None) or self.recorded_area_method

    def check_year(self, year: int | None) -> int | None:
        """Return ``year`` when the plan gives figures for it (None: every year).

        Raises
        ------
        InputError
            For a year no figure of the plan is given for.
        """
        years = sorted({f.year for f in self.figures if f.year is not None})
        if year is not None and year not in years:
            raise InputError("{opt:year={year}}: the plan gives figures for {years}; use one of them",
                             year=year, years=", ".join(map(str, years)))
        return year

    def figures_for_year(self, year: int | None) -> tuple[list[Figure], list[Figure]]:
        """Split the figures into those judged for ``year`` and those left out.

        A figure the plan gives for several years (one layer and quantity,
        e.g. construction land 120.15 km² by 2025 and 150.20 km² by 2035) is
        judged only for the year asked; a figure with a single year, or none,
        is always judged.  ``year=None`` judges every figure.

        Raises
        ------
        InputError
            For a year no figure of the plan is given for (:meth:`check_year`).
        """
        if self.check_year(year) is None:
            return list(self.figures), []
        years: dict[tuple[str | None, str], set[int]] = {}
        for f in self.figures:
            if f.year is not None:
                years.setdefault((f.layer, f.quantity), set()).add(f.year)
        judged: list[Figure] = []
        left: list[Figure] = []
        for f in self.figures:
            series = years.get((f.layer, f.quantity), set())
            (left if f.year is not None and len(series) > 1 and f.year != year else judged).append(f)
        return judged, left

    @property
    def unit_labels(self) -> tuple[str, str]:
        """Return what the plan calls its units, (Chinese, English): ("团场", "Regiment")."""
        return self.unit_label_zh, self.unit_label_en

    def unit_name(self, text: str) -> str:
        """Return the plan's name for a unit given by name or alias (else the text itself)."""
        for u in self.units:
            if text == u.name or text in u.aliases:
                return u.name
        return text

    def unit_name_en(self, text: str) -> str:
        """Return the English name of a unit, or the text itself when unknown."""
        for u in self.units:
            if text == u.name or text in u.aliases:
                return u.name_en
        return text


def _parse(data: dict[str, Any], path: str) -> Plan:
    try:
        doc = PlanDocument.model_validate(data)
    except ValidationError as exc:
        figures = data.get("figures")
        labels: dict[tuple[int | str, ...], str] = {
            ("figures", i): f["id"]
            for i, f in enumerate(figures if isinstance(figures, list) else [])
            if isinstance(f, dict) and isinstance(f.get("id"), str)
        }
        raise PlanError(join(problems(exc, PlanDocument, labels=labels))) from None
    wrong = cross_check(doc)
    if wrong:
        raise PlanError(join(wrong))
    head = doc.plan
    layers = {
        key: LayerDef(
            key=key, name_zh=t.name_zh, name_en=t.name_en, geometry=t.geometry, aliases=tuple(t.aliases),
            id_field=t.id_field, area_field=t.area_field, area_unit=t.area_unit, name_field=t.name_field,
            colour=t.colour, recorded_area_method=t.recorded_area_method, short_zh=t.short_zh,
            short_en=t.short_en, map=t.map,
        )
        for key, t in doc.layers.items()
    }
    return Plan(
        id=head.id,
        version=head.version,
        name_zh=head.name_zh,
        name_en=head.name_en,
        territory_m2=head.territory_ha * 1e4,
        territory_source=head.territory_source,
        unit_field=doc.units.field,
        unit_label_zh=doc.units.label_zh,
        unit_label_en=doc.units.label_en,
        units=tuple(Unit(u.name, u.name_en or u.name, tuple(u.aliases)) for u in doc.units.members),
        layers=layers,
        figures=tuple(
            Figure(id=f.id, quantity=f.quantity, value=f.value, unit=f.unit, kind=f.kind, section=f.section,
                   layer=f.layer, year=f.year, text=f.text, scope=f.scope, reference_layer=f.reference_layer,
                   decimals=f.decimals, exclude_layer=f.exclude_layer, exclude_units=tuple(f.exclude_units),
                   reference_basis=f.reference_basis)
            for f in doc.figures
        ),
        rules=tuple(
            RuleDef(rule=r.rule, severity=r.severity, layers=tuple(r.layers), figures=tuple(r.figures),
                    section=r.section, text=r.text)
            for r in doc.rules
        ),
        tolerances=doc.tolerances.model_dump(),
        base_year=head.base_year,
        horizon_year=head.horizon_year,
        indicators=head.indicators,
        glossary=dict(doc.glossary),
        whole_zh=doc.map.whole_zh,
        whole_en=doc.map.whole_en,
        pattern_heading_zh=doc.map.pattern_heading_zh,
        pattern_heading_en=doc.map.pattern_heading_en,
        recorded_area_method=head.recorded_area_method,
        path=path,
        raw=data,
    )


def read_toml(
    path: str | Path | None, bundled: str, *, what: str = "plan file", hint: str = "give an existing .toml file"
) -> tuple[dict[str, Any], str]:
    """Read a TOML file of plan data: ``path``, or the file ``bundled`` shipped in ``eco12geo/plans``.

    Returns
    -------
    (data, where)
        The parsed TOML and how to name the file in messages.

    Raises
    ------
    PlanError
        When the file is missing, not UTF-8 or not TOML.
    """
    if path is None:
        ref = resources.files("eco12geo.plans").joinpath(bundled)
        if not ref.is_file():
            raise PlanError(f"{what} {bundled} is not bundled with eco12geo")
        text, where = ref.read_text(encoding="utf-8"), f"(bundled) {bundled}"
    else:
        p = Path(path)
        if not p.is_file():
            raise PlanError("{what} {p} does not exist; " + hint, what=what, p=p)
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise PlanError(f"{what} {p} is not UTF-8 text ({exc.reason}); save it as UTF-8") from None
        where = str(p)
    try:
        return tomllib.loads(text), where
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"{what} {where} is not valid TOML: {exc}") from None


@cache
def bundled_plan() -> Plan:
    """Return the bundled 12th Division plan, loaded once."""
    return load_plan(None)


def load_plan(path: str | Path | None = None) -> Plan:
    """Load and validate a plan file.

    Parameters
    ----------
    path
        A TOML plan file; None loads the bundled 12th Division plan.

    Returns
    -------
    Plan
        The validated plan.

    Raises
    ------
    PlanError
        When the file is missing, is not TOML, or a key is missing or wrong;
        the message names the key.
    """
    data, where = read_toml(path, DEFAULT_PLAN, what="plan file", hint="give an existing .toml plan with {opt:plan}")
    try:
        return _parse(data, where)
    except PlanError as exc:
        raise PlanError(f"{where}: {exc}") from None
