"""Map pages without a browser: files, offline assets, escaping, basemaps, simplification, the CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from pyproj import CRS

from eco12geo import load_layers, load_plan
from eco12geo.assets import AssetError, inline_assets
from eco12geo.audit import audit
from eco12geo.cli.main import main
from eco12geo.errors import InputError
from eco12geo.io import LayerSource
from eco12geo.render.maps import build_maps, english_name, escape, prepare_geometries
from eco12geo.names import unit_page


def _page(name: str) -> str:
    return unit_page(name, load_plan().unit_name_en(name))

from .mapdata import XSS_IMG, report_doc, write_layers

ROOT = Path(__file__).resolve().parents[1]




@pytest.fixture(scope="module")
def plan():  # noqa: ANN201
    return load_plan()


@pytest.fixture(scope="module")
def layer_paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_layers(tmp_path_factory.mktemp("maplayers"))


@pytest.fixture(scope="module")
def pages(plan, layer_paths) -> dict[str, str]:  # noqa: ANN001
    ls = load_layers({k: LayerSource(p) for k, p in layer_paths.items()}, plan)
    return build_maps(ls, plan, audit(ls, plan, targets=False), report_doc())


def test_pages_named_by_slug(pages: dict[str, str]) -> None:
    names = {"index.html", "division.html"} | {_page(n) for n in ("104团", "西山农牧场", "../../evil<b>")}
    assert set(pages) == names
    assert all(re.fullmatch(r"(index|division|unit-[a-z0-9-]+)\.html", n) for n in pages)


def test_every_asset_inlined(pages: dict[str, str]) -> None:
    for name, text in pages.items():
        assert not re.search(r"<script[^>]+src=", text), name
        assert not re.search(r"<link[^>]+href=\"(https?:)?//", text), name
        assert "cdn.jsdelivr" not in text and "cdnjs" not in text and "code.jquery" not in text
    assert "L.Control.MiniMap" in pages["division.html"]
    assert "L.Control.Fullscreen" in pages["division.html"] or "Control.FullScreen" in pages["division.html"]


def test_user_text_escaped_everywhere(pages: dict[str, str]) -> None:
    for name, text in pages.items():
        assert XSS_IMG not in text, name
        assert "<script>window.__xss" not in text, name
        assert "evil<b>" not in text, name
    # the escaped text is there, so it shows as text
    assert "&amp;lt;img src=x onerror" in pages["division.html"] or "\\u0026lt;img" in pages["division.html"]
    assert "../../evil&lt;b&gt;" in pages["index.html"]


def test_index_links_all_pages_and_holds_audit(pages: dict[str, str]) -> None:
    idx = pages["index.html"]
    for name in pages:
        if name != "index.html":
            assert f'href="{name}"' in idx
    assert "生态保护红线" in idx and "<table>" in idx
    # 104团's red line: R1 is a 0.15° x 0.15° cell inside the unit
    assert "合计 Total" in idx


def test_unit_page_filtered_to_its_surroundings(pages: dict[str, str]) -> None:
    page = pages[_page('西山农牧场')]
    assert "西山农牧场" in page
    assert "吐鲁番绿洲生态区" not in page  # far east of it


def test_tianditu_needs_token(plan, layer_paths) -> None:  # noqa: ANN001
    ls = load_layers({"units": LayerSource(layer_paths["units"])}, plan)
    with pytest.raises(InputError, match="TIANDITU_TOKEN"):
        build_maps(ls, plan, None, basemap="tianditu-vec")
    pages = build_maps(ls, plan, None, basemap="tianditu-img", tianditu_token="abc123")
    assert "tianditu.gov.cn/img_w/wmts" in pages["division.html"] and "tk=abc123" in pages["division.html"]
    pages = build_maps(ls, plan, None, basemap="osm")
    assert "tile.openstreetmap.org" in pages["division.html"]
    with pytest.raises(InputError):
        build_maps(ls, plan, None, basemap="gaode")


def test_missing_assets_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AssetError, match="fetch_map_assets"):
        inline_assets("<html></html>", base=tmp_path)


def test_unknown_external_asset_refused() -> None:
    with pytest.raises(AssetError, match="cannot inline"):
        inline_assets('<script src="https://example.org/x.js"></script>')


def test_escape() -> None:
    assert escape(None) == "" and escape(float("nan")) == ""
    assert escape('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"


def test_english_names() -> None:
    assert english_name("头屯河") == "Toutun River"
    assert english_name("柳城子水库") == "Liuchengzi Reservoir"
    assert english_name("一屏：天山山脉生态屏障") == "Tianshan Mountains ecological screen"


def test_coverage_simplify_keeps_shared_edges() -> None:
    # two polygons sharing a wiggly edge of 2000 vertices: after simplification they still tile
    ys = np.linspace(43.0, 43.5, 2000)
    xs = 87.5 + 0.001 * np.sin(ys * 4000)
    edge = list(zip(xs, ys, strict=True))
    left = shapely.Polygon([(87.0, 43.0), *edge, (87.0, 43.5)])
    right = shapely.Polygon([(88.0, 43.0), (88.0, 43.5), *edge[::-1]])
    out = prepare_geometries(np.array([left, right], dtype=object), CRS.from_epsg(4490), simplify_m=50.0)
    assert shapely.get_num_coordinates(out).sum() < 0.5 * shapely.get_num_coordinates([left, right]).sum()
    assert bool(shapely.coverage_is_valid(out))
    union = shapely.union_all(out)
    assert abs(union.area - (out[0].area + out[1].area)) < 1e-9
    # coordinates rounded to 6 decimals
    coords = shapely.get_coordinates(out)
    assert np.allclose(coords, np.round(coords, 6), atol=0, rtol=0)


def test_cli_map(layer_paths: dict[str, Path], tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(report_doc()), encoding="utf-8")
    out = tmp_path / "out"
    args = ["map", *[f"--layer={k}={p}" for k, p in layer_paths.items()], "--report", str(report), "--out", str(out)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in out.iterdir())
    assert "index.html" in files and "division.html" in files and len(files) == 5
    assert all(p.resolve().parent == out.resolve() for p in out.iterdir())
    assert "违规（错误）" in (out / "division.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--basemap", "tianditu-vec"], "TIANDITU_TOKEN"),
        (["--report", "nope.json"], "does not exist"),
        (["--basemap", "gaode"], None),
    ],
)
def test_cli_map_exit_2(layer_paths: dict[str, Path], tmp_path: Path, extra: list[str], message: str | None,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIANDITU_TOKEN", raising=False)
    res = CliRunner().invoke(main, ["map", f"--layer=units={layer_paths['units']}", "--out", str(tmp_path), *extra])
    assert res.exit_code == 2
    if message:
        assert message in res.output
        assert "Traceback" not in res.output


def test_cli_bad_report(layer_paths: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "report.json"
    bad.write_text("{not json", encoding="utf-8")
    res = CliRunner().invoke(main, ["map", f"--layer=units={layer_paths['units']}", "--report", str(bad),
                                    "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "JSON" in res.output


def test_cli_map_subprocess_token_from_env(layer_paths: dict[str, Path], tmp_path: Path) -> None:
    env = {**os.environ, "TIANDITU_TOKEN": "envkey42"}
    out = tmp_path / "o"
    # the console script is the supported entry point
    exe = Path(sys.executable).with_name("eco12geo")
    proc = subprocess.run([str(exe), "map", f"--layer=units={layer_paths['units']}", "--basemap", "tianditu-vec",
                           "--out", str(out)], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "tk=envkey42" in (out / "division.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_notebook_shows_a_regiment_map_inline() -> None:
    from .test_notebooks import run_notebook

    nb = run_notebook("03_maps.ipynb")
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    html_out = [o["data"]["text/html"] for o in outputs if o.output_type == "display_data" and "text/html" in o["data"]]
    assert any(h.startswith("<iframe srcdoc=") and "222团" in h and "L.map(" in h for h in html_out)
