#!/usr/bin/env python3
"""Write the JSON Schemas of eco12geo's documents into docs/schemas/ (a test checks they are current)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import TypeAdapter

from eco12geo.schemas.indicators import IndicatorsDocument
from eco12geo.schemas.outputs import AuditDoc, CoverageDoc, ReportDoc, ScorecardDoc, SheetsDoc
from eco12geo.schemas.plan import PlanDocument
from eco12geo.schemas.waivers import WaiverDoc

OUT = Path(__file__).resolve().parents[1] / "docs" / "schemas"
#: file name → the type whose JSON Schema it holds
MODELS: dict[str, object] = {
    "plan.schema.json": PlanDocument,
    "exceptions.schema.json": list[WaiverDoc],
    "indicators.schema.json": IndicatorsDocument,
    "report.schema.json": ReportDoc,
    "audit.schema.json": AuditDoc,
    "coverage.schema.json": CoverageDoc,
    "scorecard.schema.json": ScorecardDoc,
    "sheets.schema.json": SheetsDoc,
}


def main() -> None:
    """Write one file per model."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, model in MODELS.items():
        schema = TypeAdapter(model).json_schema()
        (OUT / name).write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"→ {OUT / name}")


if __name__ == "__main__":
    main()
