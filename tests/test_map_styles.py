"""Map styling is plan data: another county's layers get their order, style, legend group and labels from its file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from eco12geo import audit, build_maps, load_layers, load_plan
from eco12geo.errors import PlanError
from eco12geo.io import LayerSource
from eco12geo.render import audit_table

COUNTY = """
[plan]
id = "demo_county"
version = "0.1"
name_zh = "某县国土空间总体规划"
name_en = "Some county plan"
territory_ha = 1000.0

[units]
field = "XZMC"
label_zh = "乡镇"
label_en = "Town"
[[units.members]]
name = "甲镇"
name_en = "Jia Town"

[layers.units]
name_zh = "乡镇"
name_en = "Towns"
geometry = "polygon"
[layers.units.map]
order = 50
role = "units"
label = "surface"
label_class = "unit"
stroke = "#101010"
fill = false

[layers.wetland]
name_zh = "湿地保护区"
name_en = "Wetland"
geometry = "polygon"
name_field = "MC"
colour = "#1f78b4"
short_zh = "湿地"
short_en = "Wetl."
[layers.wetland.map]
order = 10
role = "pattern"
label = "north"
label_class = "major"
dash = "3 3"
fill_opacity = 0.25

[layers.grazing]
name_zh = "草原"
name_en = "Grassland"
geometry = "polygon"
colour = "#b2df8a"
[layers.grazing.map]
order = 20

[[rules]]
rule = "overlap"
layers = ["wetland", "grazing"]
severity = "error"

[map]
whole_zh = "全县"
whole_en = "County"

[glossary]
"湿地" = "Wetland"
"北" = "North"
"""


@pytest.fixture
def county(tmp_path: Path):  # noqa: ANN201
    p = tmp_path / "county.toml"
    p.write_text(COUNTY, encoding="utf-8")
    plan = load_plan(p)
    crs = "EPSG:4490"
    frames = {
        "units": gpd.GeoDataFrame({"XZMC": ["甲镇"]}, geometry=[shapely.box(100.0, 30.0, 100.2, 30.2)], crs=crs),
        "wetland": gpd.GeoDataFrame({"MC": ["北湿地"]}, geometry=[shapely.box(100.0, 29.9, 100.1, 30.2)], crs=crs),
        "grazing": gpd.GeoDataFrame({"BSM": ["G1"]}, geometry=[shapely.box(100.05, 29.95, 100.2, 30.1)], crs=crs),
    }
    sources = {}
    for key, gdf in frames.items():
        path = tmp_path / f"{key}.gpkg"
        gdf.to_file(path, engine="pyogrio")
        sources[key] = LayerSource(path)
    return plan, load_layers(sources, plan)


def test_style_order_legend_and_labels_come_from_the_plan(county) -> None:  # noqa: ANN001
    plan, layers = county
    page = build_maps(layers, plan, None)["division.html"]
    # the wetland's own style, drawn first (order 10), then grassland (20), then the town outlines (50)
    assert '"dashArray": "3 3"' in page and '"fillOpacity": 0.25' in page
    assert '"color": "#101010"' in page and '"fill": false' in page
    pos = [page.index(f'"fillColor": "{c}"') for c in ("#1f78b4", "#b2df8a")]
    assert pos == sorted(pos)
    # the legend puts the wetland in the pattern group, grassland and towns in the main list
    legend = re.search(r"create\('div', \"eco-legend\"\);\s*div\.innerHTML = (\".*?\");", page)
    assert legend is not None
    text = json.loads(legend.group(1))
    assert text.index("草原") < text.index("乡镇") < text.index("生态空间格局 Ecological pattern") < text.index("湿地保护区")
    # the wetland is labelled with its name and the glossary's English, as a major label
    assert json.dumps("北湿地 North Wetland") in page
    assert json.dumps("甲镇 Jia Town") in page
    # the page is named as the plan calls the whole area (no 全师 of the 12th Division here)
    assert "<title>某县国土空间总体规划 — 全县 County</title>" in page


def test_short_headings_come_from_the_plan(county) -> None:  # noqa: ANN001
    plan, layers = county
    table = audit_table(audit(layers, plan, targets=False), plan, "en")
    assert "Wetl." in table and "Grassland" in table  # short_en, else the layer's name


@pytest.mark.parametrize(("old", "new", "message"), [
    ('dash = "3 3"', 'dash = "3px 3px"', "layers.wetland.map.dash"),
    ('role = "pattern"', 'role = "decor"', "layers.wetland.map.role"),
    ("fill_opacity = 0.25", "fill_opacity = 2.5", "layers.wetland.map.fill_opacity"),
    ("order = 20", "ordr = 20", "'layers.grazing.map.ordr' is not a known key (did you mean 'order'?)"),
])
def test_bad_map_keys_are_named(tmp_path: Path, old: str, new: str, message: str) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(COUNTY.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PlanError, match=re.escape(message)):
        load_plan(p)


def test_the_plans_unit_label_is_used_in_tables_messages_and_pages(county) -> None:  # noqa: ANN001
    from eco12geo import validate
    from eco12geo.render import validate_summary
    from eco12geo.report import report_html

    plan, layers = county
    zh = audit_table(audit(layers, plan, targets=False), plan, "zh")
    en = audit_table(audit(layers, plan, targets=False), plan, "en")
    assert "分乡镇面积（平方千米）" in zh and "Per town (km²)" in en
    assert "团场" not in zh and "egiment" not in en
    report = validate(layers, plan, targets=False)
    overlaps = [v for v in report.violations if v.rule == "overlap"]
    assert sorted(v.unit or "" for v in overlaps) == ["", "甲镇"]  # inside the town, and outside every unit
    outside = next(v for v in overlaps if v.unit is None)
    assert outside.message_zh.endswith("（乡镇范围外），两者不得交叉重叠")
    assert "outside every unit" in outside.message
    assert "分乡镇" in validate_summary(report, plan, "zh") and "团场" not in report_html(report, plan, "zh")
    index = build_maps(layers, plan, audit(layers, plan, targets=False))["index.html"]
    assert "乡镇 Town" in index and "团场" not in index
