"""violations.gpkg styles each feature by its own severity (QGIS categorised renderer on ``severity``)."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pyogrio
from click.testing import CliRunner

from eco12geo.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
RED, ORANGE = "227,26,28", "255,127,0"


def _colours(qml: str) -> dict[str, str]:
    """Return {severity value: fill or marker colour} from a QML style."""
    root = ET.fromstring(qml.split("\n", 1)[1])  # past the DOCTYPE line
    renderer = root.find("renderer-v2")
    assert renderer is not None and renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "severity"
    symbols = {s.get("name"): s for s in renderer.iter("symbol")}
    out = {}
    for cat in renderer.iter("category"):
        sym = symbols[cat.get("symbol")]
        colour = next(o.get("value") for o in sym.iter("Option") if o.get("name") == "color")
        out[str(cat.get("value"))] = colour.rsplit(",", 1)[0]
    return out


def test_not_covered_error_is_red_although_the_plan_also_has_a_warning_rule(tmp_path: Path) -> None:
    layers = ROOT / "layers"
    res = CliRunner().invoke(main, ["validate", str(layers / "demo_revision.gpkg"), "--baseline",
                                    str(layers / "demo_baseline.gpkg"), "--out", str(tmp_path)])
    assert res.exit_code == 1, res.output
    gdf = pyogrio.read_dataframe(tmp_path / "violations.gpkg", layer="not_covered")
    assert list(gdf["severity"]) == ["error"]  # YJJBNT0004 outside the farmland target: an error
    con = sqlite3.connect(tmp_path / "violations.gpkg")
    rows = dict(con.execute("SELECT f_table_name, styleQML FROM layer_styles").fetchall())
    desc = dict(con.execute("SELECT f_table_name, description FROM layer_styles").fetchall())
    con.close()
    for qml in rows.values():
        assert _colours(qml) == {"error": RED, "warning": ORANGE}
    assert desc["not_covered"] == "eco12geo not_covered (1 error)"
    assert desc["area_removed"] == "eco12geo area_removed (2 warning)"
