"""The plan as data: the bundled plan's figures, and clear errors for malformed plans."""

from __future__ import annotations

from pathlib import Path

import pytest

from eco12geo import PlanError, load_plan
from eco12geo.plan import DEFAULT_PLAN


def test_bundled_plan_figures() -> None:
    plan = load_plan()
    assert plan.territory_m2 == pytest.approx(2_879_482_400.0)
    assert [u.name for u in plan.units] == ["五一农场", "三坪农场", "头屯河农场", "西山农牧场", "104团", "222团", "221团"]
    figs = {f.id: f for f in plan.figures}
    expected = {
        "redline_area": (741.42, "min", "四（二）1", 2035),
        "farmland_area": (160.88, "min", "四（二）2", 2035),
        "basic_farmland_area": (70.56, "min", "四（二）2", 2035),
        "reserve_area": (18.0, "target", "一（二）", None),
        "urban_boundary_area": (154.09, "target", "一（二）", None),
        "construction_land_2025": (120.15, "max", "四（二）3", 2025),
        "construction_land_2035": (150.20, "max", "四（二）3", 2035),
        "forest_land_2025": (138.02, "min", "五（四）", 2025),
        "forest_land_2035": (89.60, "min", "五（四）", 2035),
    }
    for fid, (value, kind, section, year) in expected.items():
        f = figs[fid]
        assert (f.value, f.kind, f.section, f.year) == (value, kind, section, year), fid
        assert f.value_si == pytest.approx(value * 1e6)
    assert figs["redline_share"].value == 25.75
    assert figs["urban_expansion_factor"].value == 1.3
    assert figs["forest_grass_coverage"].value == 73.0
    assert figs["shoreline_length"].value_si == pytest.approx(23_380.0)
    assert figs["shoreline_share"].value == 8.09
    assert "不含104团草场" in figs["forest_land_2035"].text
    # 741.42 km² is 25.75 % of the territory, as the plan says
    assert 100 * figs["redline_area"].value_si / plan.territory_m2 == pytest.approx(25.75, abs=0.005)


def test_every_figure_is_quoted_from_the_plan_text(plan_document: str) -> None:
    """Each figure quotes the plan: the numbers of its text are in the plan, and its value among them."""
    import re

    text = plan_document
    for f in load_plan().figures:
        assert f.section, f.id
        numbers = re.findall(r"\d+(?:\.\d+)?", f.text)
        assert numbers, f.id
        for n in numbers:
            assert n in text, (f.id, n)
        # the value is one of the quoted numbers (territory: quoted in ha, held in km²)
        assert any(abs(float(n) - f.value) < 1e-9 or abs(float(n) / 100 - f.value) < 1e-9 for n in numbers), f.id


def test_layer_names_match_standard_codes() -> None:
    plan = load_plan()
    cases = {
        "STBHHX": "ecological_redline",
        "stbhhx_2023": "ecological_redline",
        "生态保护红线": "ecological_redline",
        "YJJBNT": "basic_farmland",
        "YJJBNTTB": "basic_farmland",
        "YJJBNTBHTB": "basic_farmland",
        "YJJBNTCBQ": "basic_farmland_reserve",
        "CZKFBJ": "urban_boundary",
        "CSKFBJ": "urban_boundary",
        "GDBHMB": "farmland",
        "units": "units",
        "XZQ": "units",
        "roads": None,
        "STBHHXX": None,
    }
    for name, key in cases.items():
        assert plan.match_layer(name) == key, name


def _plan_text() -> str:
    from importlib import resources

    return resources.files("eco12geo.plans").joinpath(DEFAULT_PLAN).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('territory_ha = 287948.24', 'territory_ha = "lots"', "plan.territory_ha"),
        ('geometry = "line"\naliases = ["STLD"', 'geometry = "curve"\naliases = ["STLD"', "layers.corridors.geometry"),
        ('kind = "min"\nyear = 2035\nsection = "四（二）1"', 'kind = "atleast"\nyear = 2035\nsection = "四（二）1"',
         "figures[1] (redline_area).kind"),
        ('rule = "overlap"\nlayers = ["ecological_redline", "basic_farmland"]',
         'rule = "overlap"\nlayers = ["ecological_redline", "paddy"]', "rules[0].layers"),
        ("min_overlap_m2 = 1.0", "min_overlap_m3 = 1.0", "tolerances.min_overlap_m3"),
        ('field = "XZQMC"', 'fields = "XZQMC"', "units.field"),
    ],
)
def test_malformed_plan_names_the_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = _plan_text()
    assert old in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PlanError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")):
        load_plan(bad)


def test_plan_not_toml_and_missing(tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(PlanError, match="not valid TOML"):
        load_plan(bad)
    with pytest.raises(PlanError, match="does not exist"):
        load_plan(tmp_path / "nope.toml")


def test_another_county_is_a_new_file(tmp_path: Path) -> None:
    """A minimal plan for another county loads with no code change."""
    p = tmp_path / "county.toml"
    p.write_text(
        """
[plan]
id = "demo_county"
version = "0.1"
name_zh = "某县国土空间总体规划"
name_en = "Some county plan"
territory_ha = 1000.0

[units]
field = "XZMC"
[[units.members]]
name = "甲镇"

[layers.units]
name_zh = "乡镇"
name_en = "Towns"
geometry = "polygon"

[layers.ecological_redline]
name_zh = "生态保护红线"
name_en = "Red line"
geometry = "polygon"
aliases = ["STBHHX"]

[[figures]]
id = "redline"
quantity = "area"
layer = "ecological_redline"
value = 2.5
unit = "km2"
kind = "min"
section = "第三章"
""",
        encoding="utf-8",
    )
    plan = load_plan(p)
    assert plan.unit_field == "XZMC"
    assert plan.figure("redline").value_si == 2.5e6
    assert plan.match_layer("STBHHX") == "ecological_redline"


def test_recorded_area_unit(tmp_path: Path) -> None:
    """MJ recorded in hectares is compared as hectares when the plan says so."""
    import geopandas as gpd
    import shapely

    from eco12geo import audit, load_layers
    from eco12geo.io import LayerSource

    from .conftest import cell_area

    text = _plan_text().replace('aliases = ["STBHHX", "STHX"', 'area_unit = "ha"\naliases = ["STBHHX", "STHX"', 1)
    plan_file = tmp_path / "ha.toml"
    plan_file.write_text(text, encoding="utf-8")
    plan = load_plan(plan_file)
    assert plan.layers["ecological_redline"].area_unit == "ha"
    box = shapely.box(87.0, 43.0, 87.1, 43.1)
    red = tmp_path / "STBHHX.gpkg"
    gpd.GeoDataFrame({"BSM": ["R1"], "MJ": [cell_area(87.0, 43.0, 87.1, 43.1) / 1e4]}, geometry=[box], crs=4490).to_file(red)
    result = audit(load_layers({"ecological_redline": LayerSource(red)}, plan), plan, targets=False)
    assert result.layers["ecological_redline"].recorded_mismatches == 0
    assert result.layers["ecological_redline"].recorded_m2 == pytest.approx(cell_area(87.0, 43.0, 87.1, 43.1))
    # the bundled plan (m²) sees the same field as 10 000 times too small
    bundled = load_plan()
    result = audit(load_layers({"ecological_redline": LayerSource(red)}, bundled), bundled, targets=False)
    assert result.layers["ecological_redline"].recorded_mismatches == 1
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('area_unit = "ha"', 'area_unit = "acre"'), encoding="utf-8")
    with pytest.raises(PlanError, match="layers.ecological_redline.area_unit"):
        load_plan(bad)


def test_a_scoped_figure_is_only_judged_where_the_whole_layer_proves_it() -> None:
    """不含104团草场: the whole forest layer bounds the figure's part from above."""
    from dataclasses import replace

    fig = load_plan().figure("forest_land_2035")
    assert fig.scope and fig.kind == "min"
    assert fig.judge(138.02e6) == ("no_data", pytest.approx(48.42e6))  # whole layer over: part unknown
    assert fig.judge(80.0e6)[0] == "short"  # whole layer under: the part is under too
    cap = replace(fig, kind="max")
    assert cap.judge(80.0e6)[0] == "met" and cap.judge(100.0e6)[0] == "no_data"
    assert replace(fig, scope="").judge(138.02e6)[0] == "met"
