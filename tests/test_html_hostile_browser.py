"""Hostile file text in every page, in headless Chromium: nothing runs, everything shows as text.

File text reaches the pages through feature attributes (popups, tooltips, labels),
unit names (page titles, the index, report.html), violation messages and the
exceptions file (report.html), and the plan file (legend entries, titles).  Each
gets ``<script>``, ``<img onerror>``, ``<svg onload>``, ``javascript:`` and
attribute-breaking payloads; each page is opened, every popup and tooltip opened,
every link looked at.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely

from eco12geo import load_layers, load_plan
from eco12geo.audit import audit
from eco12geo.exceptions import parse_exceptions
from eco12geo.io import LayerSource
from eco12geo.render.maps import build_maps
from eco12geo.render import report_html
from eco12geo.validate import validate

from .test_maps_browser import Opened, browser  # noqa: F401  (the Chromium fixture)

pytestmark = [pytest.mark.browser]

PAYLOADS = {
    "script": "</script><script>window.__xss='script'</script>",
    "img": "<img src=x onerror=\"window.__xss='img'\">",
    "svg": "<svg/onload=window.__xss='svg'>",
    "js": "javascript:window.__xss='js'",
    "attr_dq": "\" onmouseover=\"window.__xss='dq'\" autofocus onfocus=\"window.__xss='dq'\" x=\"",
    "attr_sq": "' onmouseover='window.__xss=`sq`' autofocus onfocus='window.__xss=`sq`' x='",
}
UNITS = ["104团", PAYLOADS["attr_dq"], PAYLOADS["js"]]


def _hostile_plan() -> Any:
    plan = load_plan()
    red = plan.layers["ecological_redline"]
    layers = dict(plan.layers)
    if dataclasses.is_dataclass(red):
        layers["ecological_redline"] = dataclasses.replace(red, name_zh=PAYLOADS["svg"], name_en=PAYLOADS["attr_sq"])
        return dataclasses.replace(plan, layers=layers, name_zh=f"规划{PAYLOADS['script']}",
                                   name_en=f"plan{PAYLOADS['img']}")
    layers["ecological_redline"] = red.model_copy(update={"name_zh": PAYLOADS["svg"], "name_en": PAYLOADS["attr_sq"]})
    return plan.model_copy(update={"layers": layers, "name_zh": f"规划{PAYLOADS['script']}",
                                   "name_en": f"plan{PAYLOADS['img']}"})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    plan = _hostile_plan()
    folder = tmp_path_factory.mktemp("hostile-layers")
    crs = "EPSG:4490"
    units = gpd.GeoDataFrame({"XZQMC": UNITS, "BSM": ["U1", "U2", "U3"]},
                             geometry=[shapely.box(87.0, 43.0, 87.5, 43.5), shapely.box(87.5, 43.0, 88.0, 43.5),
                                       shapely.box(88.0, 43.0, 88.3, 43.3)], crs=crs)
    red = gpd.GeoDataFrame(
        {"BSM": [PAYLOADS["img"], PAYLOADS["attr_dq"], PAYLOADS["js"]],
         "MC": [PAYLOADS["script"], PAYLOADS["svg"], PAYLOADS["attr_sq"]], "MJ": [1.0, 2.0, 3.0]},
        geometry=[shapely.box(87.05, 43.05, 87.2, 43.2), shapely.box(87.55, 43.05, 87.7, 43.2),
                  shapely.box(88.05, 43.05, 88.2, 43.2)], crs=crs)
    urban = gpd.GeoDataFrame({"BSM": [PAYLOADS["svg"]]}, geometry=[shapely.box(87.1, 43.1, 87.6, 43.15)], crs=crs)
    paths = {}
    for key, gdf in {"units": units, "ecological_redline": red, "urban_boundary": urban}.items():
        paths[key] = folder / f"{key}.gpkg"
        gdf.to_file(paths[key], driver="GPKG", engine="pyogrio")
    ls = load_layers({k: LayerSource(p) for k, p in paths.items()}, plan)
    exceptions = parse_exceptions(
        "rule,features,reason,document\n"
        f"overlap,\"{PAYLOADS['img'].replace(chr(34), chr(34) * 2)};{PAYLOADS['svg']}\","
        f"\"{PAYLOADS['attr_dq'].replace(chr(34), chr(34) * 2)}\",{PAYLOADS['js']}\n", "csv")
    report = validate(ls, plan, targets=False, exceptions=exceptions)
    assert any(v.accepted for v in report.violations)  # the hostile exception text is in the report
    out = tmp_path_factory.mktemp("hostile-site")
    pages = build_maps(ls, plan, audit(ls, plan, targets=False), report.to_dict(), report_href="report.html")
    for name, text in pages.items():
        (out / name).write_text(text, encoding="utf-8")
    (out / "report.html").write_text(report_html(report, plan, "zh", out_dir=out, maps_dir=out), encoding="utf-8")
    return out


def _all_pages(site: Path) -> list[str]:
    return sorted(p.name for p in site.glob("*.html"))


OPEN_EVERYTHING = """() => {
  const out = [];
  if (!window.eco12geoLayers) return out;
  for (const [k, g] of Object.entries(window.eco12geoLayers)) {
    const layers = [];
    g.eachLayer(l => l.eachLayer ? l.eachLayer(x => layers.push(x)) : layers.push(l));
    for (const l of layers) {
      const latlng = l.getBounds ? l.getBounds().getCenter() : l.getLatLng();
      const ev = {latlng: latlng, layerPoint: window.eco12geoMap.latLngToLayerPoint(latlng),
                  containerPoint: window.eco12geoMap.latLngToContainerPoint(latlng)};
      l.fire('click', ev, true);
      const gj = g.getPopup() ? g : g.getLayers()[0];
      if (gj && gj.getPopup && gj.getPopup() && gj.isPopupOpen()) {
        const el = gj.getPopup().getElement().querySelector('.leaflet-popup-content');
        out.push(el.textContent);
        gj.closePopup();
      }
      l.fire('mouseover', ev, true);
      for (const t of document.querySelectorAll('.leaflet-tooltip')) out.push(t.textContent);
      l.fire('mouseout', ev, true);
    }
  }
  return out;
}"""

NOTHING_LIVE = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) bad.push(el.tagName + ' ' + a.name);
      if (/^(href|src|action|formaction)$/i.test(a.name) && /^\\s*javascript:/i.test(a.value))
        bad.push(el.tagName + ' ' + a.name + '=' + a.value);
    }
  }
  // a script element holding a payload would have run: none may mention __xss
  for (const s of document.querySelectorAll('script'))
    if (s.textContent.includes("window.__xss='") && !s.textContent.includes('\\\\u003c')) bad.push('script');
  return bad;
}"""


@pytest.fixture
def opened(browser: Any, site: Path) -> Iterator[Any]:  # noqa: F811
    pages: list[Any] = []

    def _open(name: str) -> Any:
        if name in ("index.html", "report.html"):
            o = Opened.__new__(Opened)
            o.errors, o.blocked = [], []
            o.page = browser.new_page(viewport={"width": 1200, "height": 800})
            o.page.on("pageerror", lambda e: o.errors.append(f"pageerror: {e}"))
            o.page.on("dialog", lambda d: (o.errors.append(f"dialog: {d.message}"), d.dismiss()))
            o.page.goto((site / name).as_uri())
        else:
            o = Opened(browser, (site / name).as_uri())
        pages.append(o)
        return o

    yield _open
    for o in pages:
        o.page.close()


@pytest.mark.parametrize("which", ["index.html", "report.html", "division.html", "units"])
def test_no_payload_runs_anywhere(opened: Any, site: Path, which: str) -> None:
    names = [n for n in _all_pages(site) if n.startswith("unit-")] if which == "units" else [which]
    assert names
    for name in names:
        o = opened(name)
        texts = o.page.evaluate(OPEN_EVERYTHING)
        # hover and focus everything a payload could hang an event on
        o.page.evaluate("""() => { for (const el of document.querySelectorAll('*'))
            for (const t of ['mouseover', 'mouseenter', 'focus', 'load', 'error'])
              el.dispatchEvent(new Event(t)); }""")
        o.page.keyboard.press("Tab")
        o.page.wait_for_timeout(200)
        assert o.page.evaluate("() => typeof window.__xss") == "undefined", name
        assert o.page.evaluate(NOTHING_LIVE) == [], name
        assert o.errors == [], (name, o.errors)
        body = o.page.evaluate("() => document.body.innerText") + " ".join(texts)
        title = o.page.title()
        if which == "report.html":
            # unit names, feature ids and the exception's reason and document, all shown literally
            for p in (PAYLOADS["attr_dq"], PAYLOADS["js"], PAYLOADS["img"], PAYLOADS["svg"]):
                assert p in body, (name, p)
            assert PAYLOADS["script"] in title
        if which == "index.html":
            assert PAYLOADS["attr_dq"] in body and PAYLOADS["js"] in body
            hrefs = o.page.evaluate("() => [...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
            assert not [h for h in hrefs if h.lower().lstrip().startswith("javascript:")]
        if which == "division.html":
            # popups and tooltips carry the feature text; the legend the plan's layer name
            assert PAYLOADS["img"] in body and PAYLOADS["script"] in body and PAYLOADS["attr_sq"] in body
            legend = o.page.evaluate("() => document.querySelector('.eco-legend').textContent")
            assert PAYLOADS["svg"] in legend
            assert PAYLOADS["script"] in title
        if which == "units":
            assert any(u in o.page.evaluate("() => document.querySelector('.eco-title').textContent")
                       for u in UNITS)
