"""The JSON documents eco12geo writes (schema_version 1): report, audit, coverage, scorecard, sheets.

These are contracts (INTERFACE.md) that only ever grow: a v1 reader must accept the
keys a later version adds, so unlike the input documents these models allow unknown
keys (:class:`Open`), while every key they name is typed.  ``eco12geo map --report``
reads a report through :class:`ReportDoc`; the tests validate every JSON file the
demo writes against the exported schemas in ``docs/schemas/``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "AuditDoc", "AuditLayer", "AuditTarget", "AuditUnit", "CheckDoc", "CoverageDoc", "CoverageUnit", "Open",
    "ReportDoc", "ReportLayer", "RunDoc", "ScorecardDoc", "ScorecardRow", "SheetRow", "SheetUnit", "SheetsDoc",
    "SummaryDoc", "ViolationDoc",
]

Severity = Literal["error", "warning"]


class Open(BaseModel):
    """Base of the output documents: typed where named, open to keys added later (the contract is additive)."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)


class RunDoc(Open):
    """Where the work ran (``run``; the one member allowed to differ between runs)."""

    backend: str
    workers: int
    seconds: float


class ViolationDoc(Open):
    """One violation of ``report.json``."""

    rule: str
    severity: Severity = "error"
    layers: list[str] = []
    features: list[str] = []
    unit: str | None = None
    area_m2: float | None = None
    lon: float | None = None
    lat: float | None = None
    message: str = ""
    message_zh: str | None = None
    accepted: bool = False


class CheckDoc(Open):
    """One check of ``report.json`` (a rule run over a layer or a figure, passed or not)."""

    rule: str
    status: str
    layer: str | None = None
    value_m2: float | None = None
    target_m2: float | None = None


class SummaryDoc(Open):
    """``summary`` of ``report.json``."""

    errors: int
    warnings: int
    accepted: int = 0


class ReportLayer(Open):
    """``layers[KEY]`` of ``report.json``."""

    path: str
    crs: str
    features: int
    area_m2: float


class ReportDoc(Open):
    """``report.json`` as validate writes it and map reads it."""

    schema_version: Literal[1]
    layers: dict[str, ReportLayer] = {}
    violations: list[ViolationDoc]
    checks: list[CheckDoc] = []
    summary: SummaryDoc | None = None
    run: RunDoc | None = None


class AuditLayer(Open):
    """``layers[KEY]`` of ``audit.json``."""

    area_m2: float
    features: int
    planar_area_m2: float | None = None
    survey_area_m2: float | None = None
    length_m: float | None = None


class AuditUnit(Open):
    """One unit of ``audit.json``: its area and each layer's area inside it (m²)."""

    unit: str
    area_m2: float
    layers: dict[str, float]
    survey_layers: dict[str, float] = {}


class AuditTarget(Open):
    """One plan figure judged by the audit."""

    layer: str | None
    target_m2: float
    kind: Literal["min", "max", "target"]
    source: str
    status: str | None = None


class AuditDoc(Open):
    """``audit.json``."""

    schema_version: Literal[1]
    layers: dict[str, AuditLayer]
    units: list[AuditUnit]
    targets: list[AuditTarget]
    area_methods: dict[str, str] = {}
    run: RunDoc | None = None


class CoverageUnit(Open):
    """One unit of ``coverage.json``: class areas (m²) and the forest–grass share."""

    unit: str
    area_m2: float
    classes: dict[str, float]
    forest_grass_share: float | None


class CoverageDoc(Open):
    """``coverage.json``."""

    schema_version: Literal[1]
    raster: str
    units: list[CoverageUnit]


class ScorecardRow(Open):
    """One indicator of ``scorecard.json``."""

    no: int
    name_zh: str
    name_en: str
    domain: str
    status: Literal["met", "not_met", "no_data"]
    value: str | float | None
    target: str
    reason: str


class ScorecardDoc(Open):
    """``scorecard.json``."""

    schema_version: Literal[1]
    year: int
    indicators: list[ScorecardRow]
    summary: dict[Literal["met", "not_met", "no_data"], int]


class SheetUnit(Open):
    """A unit's survey area inside one sheet."""

    unit: str
    survey_area_m2: float


class SheetRow(Open):
    """One standard map sheet (GB/T 13989) of ``sheets.json``."""

    sheet: str
    scale: int
    sheet_area_m2: float
    units: list[SheetUnit]


class SheetsDoc(Open):
    """``sheets.json`` of ``eco12geo sheets``."""

    schema_version: Literal[1]
    scale: int
    sheets: list[SheetRow]
