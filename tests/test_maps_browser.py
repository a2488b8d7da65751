"""Map pages in headless Chromium with every network request blocked.

Chromium is Debian's (``/usr/bin/chromium``, installed by ``.ci/run``); the
playwright package drives it through its bundled node driver, so no browser
download is needed.
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eco12geo import load_layers, load_plan
from eco12geo.audit import audit
from eco12geo.io import LayerSource
from eco12geo.render.maps import BACKGROUND, build_maps
from eco12geo.names import unit_page


def _page(name: str) -> str:
    return unit_page(name, load_plan().unit_name_en(name))

from .mapdata import XSS_IMG, XSS_SCRIPT, report_doc, write_layers

CHROMIUM = os.environ.get("ECO12GEO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]

# no skip when Chromium is missing: a browser test that does not run is not a passing one
pytestmark = [pytest.mark.browser]

EXPECTED = {"units": 3, "ecological_redline": 3, "farmland": 2, "pattern_zones": 2, "corridors": 2, "eco_points": 1}




# ---------------------------------------------------------------- a small PNG reader (no Pillow needed)
def decode_png(data: bytes) -> tuple[int, int, int, bytes]:
    """Return (width, height, channels, raw pixels) of an 8-bit RGB/RGBA non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray(height * stride)
    prev = bytearray(stride)
    i = 0
    for y in range(height):
        ftype = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 0xFF
            elif ftype == 2:
                line[x] = (line[x] + b) & 0xFF
            elif ftype == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xFF
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return width, height, channels, bytes(out)


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    plan = load_plan()
    paths = write_layers(tmp_path_factory.mktemp("layers"))
    ls = load_layers({k: LayerSource(p) for k, p in paths.items()}, plan)
    pages = build_maps(ls, plan, audit(ls, plan, targets=False), report_doc())
    out = tmp_path_factory.mktemp("site")
    for name, text in pages.items():
        (out / name).write_text(text, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright import sync_api

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} not found: install Debian's chromium (.ci/run does)"
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


class Opened:
    """A page opened offline, with the JS errors and the blocked requests it produced."""

    def __init__(self, browser: Any, url: str) -> None:
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.page = browser.new_page(viewport={"width": 1200, "height": 800})
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"), d.dismiss()))

        def route(r: Any) -> None:
            if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)
        self.page.goto(url)
        self.page.wait_for_function("() => window.eco12geoMap && window.eco12geoLayers")
        self.page.wait_for_timeout(300)

    def eval(self, js: str) -> Any:  # noqa: D102
        return self.page.evaluate(js)


@pytest.fixture
def division(browser: Any, site: Path) -> Iterator[Opened]:
    o = Opened(browser, (site / "division.html").as_uri())
    yield o
    o.page.close()


# ---------------------------------------------------------------- tests
def test_map_initialises_offline_without_errors(division: Opened) -> None:
    assert division.eval("() => window.eco12geoMap instanceof L.Map")
    assert division.eval("() => window.eco12geoMap.getZoom()") > 5
    assert division.errors == []
    assert division.blocked == []  # nothing even tried the network


def test_expected_layers_drawn(division: Opened) -> None:
    counts = division.eval(
        "() => Object.fromEntries(Object.entries(window.eco12geoLayers)"
        ".filter(([k, v]) => v.getLayers().length && v.getLayers()[0].feature)"
        ".map(([k, v]) => [k, v.getLayers().length]))"
    )
    for key, n in EXPECTED.items():
        assert counts.get(key) == n, (key, counts)
    # every feature is an SVG path in the overlay pane (plus violation circles)
    paths = division.eval("() => document.querySelectorAll('.leaflet-overlay-pane path').length")
    assert paths >= sum(EXPECTED.values()) + 2
    # violations: one error, one warning, as circle markers
    viol = division.eval(
        "() => [window.eco12geoLayers.violations_error, window.eco12geoLayers.violations_warning]"
        ".map(g => { let n = 0; g.eachLayer(l => l.eachLayer ? l.eachLayer(() => n++) : n++); return n; })"
    )
    assert viol == [1, 1]
    # bilingual labels, Chinese first
    labels = division.eval("() => [...document.querySelectorAll('.leaflet-tooltip')].map(t => t.textContent)")
    assert "104团 104th Regiment" in labels
    assert "天山生态屏障 Tianshan ecological screen" in labels
    # furniture: layer control, scale, fullscreen, measure, minimap, legend
    for sel in (".leaflet-control-layers", ".leaflet-control-scale", ".leaflet-control-zoom-fullscreen",
                ".leaflet-control-measure", ".leaflet-control-minimap", ".eco-legend", ".eco-title"):
        assert division.eval(f"() => !!document.querySelector('{sel}')"), sel
    assert division.errors == []


def test_layers_toggle(division: Opened) -> None:
    before = division.eval("() => document.querySelectorAll('.leaflet-overlay-pane path').length")
    division.eval(
        "() => window.eco12geoMap.removeLayer(window.eco12geoLayers.ecological_redline)"
    )
    after = division.eval("() => document.querySelectorAll('.leaflet-overlay-pane path').length")
    assert after == before - EXPECTED["ecological_redline"]


def test_screenshot_has_drawn_pixels(division: Opened) -> None:
    png = division.page.screenshot()
    w, h, ch, px = decode_png(png)
    bg = tuple(int(BACKGROUND[i:i + 2], 16) for i in (1, 3, 5))
    n = w * h
    other = sum(1 for i in range(0, n * ch, ch * 7) if tuple(px[i:i + 3]) != bg)
    assert other > (n // 7) * 0.2, "the map should cover a good part of the screen"
    # the red line's fill (#e31a1c at half opacity over the background) is somewhere on screen
    reds = sum(1 for i in range(0, n * ch, ch * 3) if px[i] > 200 and px[i + 1] < 150 and px[i + 2] < 150)
    assert reds > 100


def test_hostile_attributes_show_as_text_and_run_nothing(division: Opened) -> None:
    page = division.page
    # open every feature's popup in turn, and every tooltip, collecting their text
    texts = division.eval(
        """() => {
          const out = [];
          for (const [k, g] of Object.entries(window.eco12geoLayers)) {
            const layers = [];
            g.eachLayer(l => l.eachLayer ? l.eachLayer(x => layers.push(x)) : layers.push(l));
            for (const l of layers) {
              // what a click and a hover on the feature do: the events bubble to the GeoJSON layer
              const latlng = l.getBounds ? l.getBounds().getCenter() : l.getLatLng();
              const ev = {latlng: latlng, layerPoint: window.eco12geoMap.latLngToLayerPoint(latlng),
                          containerPoint: window.eco12geoMap.latLngToContainerPoint(latlng)};
              l.fire('click', ev, true);
              const gj = g.getPopup() ? g : g.getLayers()[0];
              if (gj.getPopup() && gj.isPopupOpen()) {
                const el = gj.getPopup().getElement().querySelector('.leaflet-popup-content');
                out.push({kind: 'popup', layer: k, text: el.textContent, html: el.innerHTML});
                gj.closePopup();
              }
              l.fire('mouseover', ev, true);
              for (const t of document.querySelectorAll('.leaflet-tooltip'))
                out.push({kind: 'tooltip', layer: k, text: t.textContent, html: t.innerHTML});
              l.fire('mouseout', ev, true);
            }
          }
          return out;
        }"""
    )
    joined = " ".join(t["text"] for t in texts)
    popups = [t for t in texts if t["kind"] == "popup"]
    red = [t["text"] for t in popups if t["layer"] == "ecological_redline"]
    assert len(red) == 3
    # popup: BSM, names, recorded MJ, computed ellipsoidal area
    assert any("R1" in t and "100,000,000.00 m²" in t and "km²" in t and " ha" in t for t in red), red
    viol = [t["text"] for t in popups if t["layer"].startswith("violations")]
    assert any("overlap" in t and "R1, F2" in t and "km²" in t for t in viol), viol
    assert XSS_IMG in joined  # shown literally
    assert XSS_SCRIPT in joined
    assert "../../evil<b>" in " ".join(
        page.evaluate("() => [...document.querySelectorAll('.leaflet-tooltip')].map(t => t.textContent)")
    )
    for t in texts:
        assert "<img" not in t["html"] and "<script" not in t["html"] and "<b>" not in t["html"], t
    page.wait_for_timeout(200)
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert page.evaluate("() => document.querySelectorAll('.leaflet-container img[src=x]').length") == 0
    assert division.errors == []


def test_unit_page_fits_its_unit(browser: Any, site: Path, division: Opened) -> None:
    o = Opened(browser, (site / _page('104团')).as_uri())
    try:
        assert o.errors == [] and o.blocked == []
        inside = o.eval("() => window.eco12geoMap.getBounds().contains(L.latLngBounds([43.0, 87.0], [43.5, 87.5]))")
        assert inside
        assert o.eval("() => window.eco12geoMap.getZoom()") >= division.eval("() => window.eco12geoMap.getZoom()")
        assert "104团" in o.eval("() => document.querySelector('.eco-title').textContent")
    finally:
        o.page.close()


def test_index_links_work(browser: Any, site: Path) -> None:
    page = browser.new_page()
    try:
        page.goto((site / "index.html").as_uri())
        hrefs = page.evaluate("() => [...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
        assert "division.html" in hrefs
        for h in hrefs:
            if h.endswith(".html") and h != "report.html":
                assert (site / h).exists(), h
        assert page.evaluate("() => document.querySelectorAll('table tr').length") >= 4
    finally:
        page.close()
