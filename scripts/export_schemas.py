#!/usr/bin/env python3
"""Write the JSON Schemas of eco12geo's documents into docs/schemas/ (a test checks they are current)."""

from __future__ import annotations

import json
from pathlib import Path

from eco12geo.schemas.plan import PlanDocument

OUT = Path(__file__).resolve().parents[1] / "docs" / "schemas"
MODELS = {"plan.schema.json": PlanDocument}


def main() -> None:
    """Write one file per model."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, model in MODELS.items():
        (OUT / name).write_text(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")
        print(f"→ {OUT / name}")


if __name__ == "__main__":
    main()
