"""The plan file (TOML) as a typed document: every key, its type and its allowed values.

:func:`eco12geo.plan.load_plan` validates a file against :class:`PlanDocument`
and then builds the runtime :class:`~eco12geo.plan.Plan`.  Checks that span
several keys (a rule naming a layer that exists, a figure's unit fitting its
quantity) are :func:`cross_check`'s, which reports every problem at once too.
The JSON Schema of this model is in ``docs/schemas/plan.schema.json``.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import Field

from . import Strict

__all__ = [
    "FigureDoc",
    "LayerDoc",
    "MapDoc",
    "MapStyleDoc",
    "PlanDocument",
    "PlanHead",
    "RuleDoc",
    "Tolerances",
    "UnitDoc",
    "UnitsDoc",
    "cross_check",
]

GeometryKind = Literal["polygon", "line", "point", "point_or_polygon"]
FigureKind = Literal["min", "max", "target"]
Quantity = Literal["area", "share", "length", "ratio", "coverage", "count", "share_of_river"]
AreaUnit = Literal["m2", "ha", "mu", "km2"]
#: what a recorded area field (MJ) is compared with: area_m2, or the land survey's survey_area_m2
RecordedMethod = Literal["ellipsoidal", "survey"]
RuleName = Literal[
    "geometry_invalid", "self_overlap", "overlap", "not_covered", "outside_units", "area_below_target",
    "area_decreased", "area_removed", "expansion_factor", "recorded_area", "empty_geometry", "duplicate_id",
    "geometry_type", "sliver",
]
Year = Annotated[int, Field(ge=1949, le=2100)]
NonNegative = Annotated[float, Field(ge=0)]
Text = Annotated[str, Field(min_length=1)]
#: units a figure's value may be in, for areas and lengths
LENGTH_AREA_UNITS = ("km2", "ha", "m2", "mu", "km", "m")


class PlanHead(Strict):
    """``[plan]``: what the plan is, and its territory."""

    id: Text
    version: Text
    name_zh: Text
    name_en: Text
    territory_ha: NonNegative
    territory_source: str = ""
    base_year: Year | None = None
    horizon_year: Year | None = None
    indicators: Text | None = Field(None, description="file of 表1's indicators, beside the plan file")
    recorded_area_method: RecordedMethod = "ellipsoidal"


class UnitDoc(Strict):
    """One planning unit (a regiment) of ``[[units.members]]``."""

    name: Text
    name_en: str | None = None
    aliases: list[str] = []


class UnitsDoc(Strict):
    """``[units]``: the field of the units layer that holds the unit name, and the units."""

    field: Text
    label_zh: str = "单元"
    label_en: str = "Unit"
    source: str = ""
    members: list[UnitDoc]


Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
Opacity = Annotated[float, Field(ge=0, le=1)]


class MapStyleDoc(Strict):
    """``[layers.KEY.map]``: how the maps draw a layer (no layer key is known to the map code)."""

    order: int = 95
    role: Literal["control", "pattern", "units"] = "control"
    label: Literal["none", "surface", "north"] = "none"
    label_class: Literal["minor", "major", "unit"] = "minor"
    stroke: Colour | None = None
    weight: Annotated[float, Field(gt=0, le=20)] | None = None
    dash: Annotated[str, Field(pattern=r"^\d+( \d+)*$")] | None = None
    opacity: Opacity | None = None
    fill: bool = True
    fill_opacity: Opacity | None = None


class LayerDoc(Strict):
    """``[layers.KEY]``: one layer key."""

    name_zh: Text
    name_en: Text
    geometry: GeometryKind
    aliases: list[str] = []
    id_field: Text = "BSM"
    area_field: Text | None = None
    area_unit: AreaUnit = "m2"
    name_field: Text | None = None
    colour: Colour = "#3388ff"
    recorded_area_method: RecordedMethod | None = None
    short_zh: Text | None = None
    short_en: Text | None = None
    map: MapStyleDoc = MapStyleDoc()


class FigureDoc(Strict):
    """``[[figures]]``: one figure of the plan, with the section it comes from."""

    id: Text
    quantity: Quantity
    value: NonNegative
    unit: Text
    kind: FigureKind
    section: Text
    layer: Text | None = None
    reference_layer: Text | None = None
    year: Year | None = None
    text: str = ""
    scope: str = ""
    decimals: Annotated[int, Field(ge=0, le=12)] | None = None
    exclude_layer: Text | None = None
    exclude_units: list[str] = []
    reference_basis: str = ""


class RuleDoc(Strict):
    """``[[rules]]``: one rule the validator runs."""

    rule: RuleName
    severity: Literal["error", "warning"]
    layers: list[str] = []
    figures: list[str] = []
    section: str = ""
    text: str = ""


class Tolerances(Strict):
    """``[tolerances]``: every tolerance, each ≥ 0."""

    min_overlap_m2: NonNegative = 1.0
    sliver_width_m: NonNegative = 1.0
    recorded_area_relative: NonNegative = 0.005
    recorded_survey_m2: NonNegative = 0.01
    target_m2: NonNegative = 0.0
    densify_m: Annotated[float, Field(gt=0)] = 100.0


class MapDoc(Strict):
    """``[map]``: what the maps say of the plan as a whole."""

    whole_zh: str = "全域"
    whole_en: str = "Whole area"
    pattern_heading_zh: str = "生态空间格局"
    pattern_heading_en: str = "Ecological pattern"


class PlanDocument(Strict):
    """A whole plan file."""

    plan: PlanHead
    units: UnitsDoc
    layers: dict[str, LayerDoc]
    figures: list[FigureDoc] = []
    rules: list[RuleDoc] = []
    tolerances: Tolerances = Tolerances()
    map: MapDoc = MapDoc()
    glossary: dict[str, str] = Field({}, description="English names of pattern places, for map labels")


def cross_check(doc: PlanDocument) -> list[str]:
    """Return the problems that span keys: references to layers and figures, ids used twice, units."""
    out: list[str] = []
    if "units" not in doc.layers:
        out.append("plan key 'layers.units' is missing (the units layer must be defined)")
    names = [u.name for u in doc.units.members]
    if len(set(names)) != len(names):
        out.append("plan key 'units.members' names a unit twice")
    ids: set[str] = set()
    for i, f in enumerate(doc.figures):
        where = f"figures[{i}] ({f.id})"
        if f.id in ids:
            out.append(f"plan key '{where}.id' is used twice")
        ids.add(f.id)
        if (f.exclude_layer is not None or f.exclude_units) and f.quantity != "area":
            out.append(f"plan key '{where}': exclude_layer / exclude_units apply to area figures only")
        for key in ("layer", "reference_layer", "exclude_layer"):
            ref = getattr(f, key)
            if ref is not None and ref not in doc.layers:
                out.append(f"plan key '{where}.{key}' names unknown layer {ref!r}")
        if f.quantity in {"area", "length"} and f.unit not in LENGTH_AREA_UNITS:
            out.append(f"plan key '{where}.unit' must be one of {sorted(LENGTH_AREA_UNITS)}, not {f.unit!r}")
        if f.quantity in {"share", "coverage", "share_of_river"} and f.value > 100:
            out.append(f"plan key '{where}.value' is a percentage above 100: {f.value!r}")
    for i, r in enumerate(doc.rules):
        for k in r.layers:
            if k != "*" and k not in doc.layers:
                out.append(f"plan key 'rules[{i}].layers' names unknown layer {k!r}")
        for k in r.figures:
            if k not in ids:
                out.append(f"plan key 'rules[{i}].figures' names unknown figure {k!r}")
    head = doc.plan
    if head.indicators is not None:
        ref = PurePosixPath(head.indicators.replace("\\", "/"))
        if ref.is_absolute() or ".." in ref.parts or ":" in head.indicators:
            out.append(f"plan key 'plan.indicators' must name a file in the plan's own folder, not {head.indicators!r}")
    if head.base_year is not None and head.horizon_year is not None and head.base_year > head.horizon_year:
        out.append(f"plan key 'plan.base_year' ({head.base_year}) is after 'plan.horizon_year' ({head.horizon_year})")
    return out
