"""How a map page looks: Leaflet styles from the plan's ``[layers.KEY.map]``, the page CSS and elements.

:func:`layer_style` and :func:`legend_swatch` read a layer's style from the plan (no layer key is
written here); :func:`elements` builds the branca element classes of the title, the legend and the
labels once per process; :func:`script_json` inlines JSON in a ``<script>`` so that nothing in it
can close the tag.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from ..plan import LayerDef
from .mapdata import escape

__all__ = ["PAGE_CSS", "elements", "layer_style", "legend_swatch", "rgba", "script_json"]


def script_json(obj: Any) -> str:
    """JSON for inlining in a ``<script>``: ``<``, ``>`` and ``&`` escaped so nothing can close it."""
    text = json.dumps(obj, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def layer_style(d: LayerDef, dim: int) -> dict[str, Any]:
    """Return the Leaflet style of a layer: defaults by dimension, then the plan's ``[layers.KEY.map]``."""
    c, m = d.colour, d.map
    if dim == 0:
        return {"color": "#ffffff", "weight": 1.5, "fillColor": c, "fillOpacity": 0.9, "radius": 7}
    if dim == 1:
        st: dict[str, Any] = {"color": c, "weight": 3, "opacity": 0.9}
    else:
        st = {"color": c, "weight": 1, "fillColor": c, "fillOpacity": 0.45, "opacity": 0.9}
    if m.stroke is not None:
        st["color"] = m.stroke
    if m.weight is not None:
        st["weight"] = m.weight
    if m.dash is not None:
        st["dashArray"] = m.dash
    if m.opacity is not None:
        st["opacity"] = m.opacity
    if dim == 2:
        if not m.fill:
            st.update(fill=False, fillOpacity=0.0)
            st.pop("fillColor")
        elif m.fill_opacity is not None:
            st["fillOpacity"] = m.fill_opacity
    return st


def rgba(colour: str, alpha: float) -> str:
    """Return ``rgba(r,g,b,alpha)`` for a ``#rgb``/``#rrggbb`` colour (other colour text escaped as it is)."""
    c = colour.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    try:
        r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return escape(colour)
    return f"rgba({r},{g},{b},{alpha:.2f})"


def legend_swatch(d: LayerDef, dim: int) -> str:
    """Return the legend's swatch (HTML) of a layer drawn with ``dim`` dimensions (0 points, 1 lines, 2 areas)."""
    st = layer_style(d, dim)
    line = escape(st.get("color", "#888"))
    if dim == 1:
        dash = "dotted" if "dashArray" in st else "solid"
        return f'<span class="eco-sw eco-sw-line" style="border-top:3px {dash} {line}"></span>'
    if dim == 0:
        return f'<span class="eco-sw eco-sw-pt" style="background:{escape(st.get("fillColor", "#888"))}"></span>'
    border = "dashed" if "dashArray" in st else "solid"
    if st.get("fill") is False:
        return f'<span class="eco-sw" style="background:transparent;border:2px solid {line}"></span>'
    fill = rgba(str(st.get("fillColor", "#888")), min(1.0, float(st.get("fillOpacity", 0.45)) + 0.15))
    return f'<span class="eco-sw" style="background:{fill};border:1.5px {border} {line}"></span>'


# ---------------------------------------------------------------- page pieces
PAGE_CSS = """
html, body {width:100%;height:100%;margin:0;padding:0;}
html body .leaflet-container {background:%(bg)s;
  font-family: "Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;}
.eco-title {background:rgba(255,255,255,.92);padding:6px 10px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);
  font-size:14px;line-height:1.35;max-width:46vw}
.eco-title b {font-size:15px}
.eco-title a {color:#0868ac}
.eco-legend {background:rgba(255,255,255,.92);padding:6px 10px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);
  font-size:12px;line-height:1.5;max-height:48vh;overflow:auto}
.eco-legend h4 {margin:2px 0 4px;font-size:13px}
.eco-sw {display:inline-block;width:16px;height:11px;border:1.5px solid #555;margin-right:5px;vertical-align:-1px}
.eco-sw-line {height:0;border:none;border-top:3px solid #555;vertical-align:3px}
.eco-sw-pt {width:10px;height:10px;border-radius:50%;border:1.5px solid #fff;box-shadow:0 0 0 1px #999}
.eco-sw-viol {width:10px;height:10px;border-radius:50%;border:2px solid #b10026;background:rgba(227,26,28,.35)}
.leaflet-tooltip.eco-label {background:rgba(255,255,255,.78);border:none;box-shadow:none;padding:1px 4px;
  font-size:12px;font-weight:600;color:#1b3b2f}
.leaflet-tooltip.eco-label-unit {background:rgba(255,255,255,.85);border:1px solid #222;box-shadow:none;padding:1px 4px;
  font-size:12px;font-weight:700;color:#111}
.eco-zoomed-out .leaflet-tooltip.eco-label-minor {display:none}
.leaflet-tooltip.eco-label::before, .leaflet-tooltip.eco-label-unit::before {display:none}
.leaflet-popup-content table th {text-align:left;padding-right:8px;color:#444;font-weight:600;white-space:nowrap}
.leaflet-popup-content table td {word-break:break-word}
.leaflet-control-layers-overlays label {font-size:12px}
"""


@functools.cache
def elements() -> dict[str, type]:
    """Build the page's own branca elements once per process (folium and branca are imported lazily)."""
    from branca.element import MacroElement
    from folium.elements import JSCSSMixin
    from folium.plugins import MiniMap
    from jinja2 import Template

    class Control(MacroElement):  # type: ignore[misc]
        """A Leaflet control holding HTML (title, legend)."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function(){
              var ctl = L.control({position: {{ this.position|tojson }}});
              ctl.onAdd = function(){
                var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html_json }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
              };
              ctl.addTo({{ this._parent.get_name() }});
            })();
            {% endmacro %}
            """
        )

        def __init__(self, name: str, html_text: str, position: str, css_class: str) -> None:
            super().__init__()
            self._name = name
            self.html_json = script_json(html_text)
            self.position = position
            self.css_class = css_class

    class Registry(MacroElement):  # type: ignore[misc]
        """``window.eco12geoMap`` and ``window.eco12geoLayers``, for tests and scripts."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            window.eco12geoMap = {{ this.map_name }};
            window.eco12geoLayers = {
            {%- for key, var in this.items %}
              {{ key|tojson }}: {{ var }},
            {%- endfor %}
            };
            {% endmacro %}
            """
        )

        def __init__(self, map_name: str, registry: Mapping[str, str]) -> None:
            super().__init__()
            self._name = "Eco12geoRegistry"
            self.map_name = map_name
            self.items = list(registry.items())

    class Script(MacroElement):  # type: ignore[misc]
        """Run ``js`` with ``MAP`` standing for the map variable."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function(MAP){ {{ this.js }} })({{ this._parent.get_name() }});
            {% endmacro %}
            """
        )

        def __init__(self, name: str, js: str) -> None:
            super().__init__()
            self._name = name
            self.js = js

    class VectorMiniMap(JSCSSMixin, MacroElement):  # type: ignore[misc]
        """leaflet-minimap showing the unit outlines instead of tiles (basemap none)."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function(){
              var outline = L.geoJSON({{ this.data_json }},
                  {style: {color: "#333", weight: 1, fillColor: "#66c2a4", fillOpacity: 0.35}, interactive: false});
              var mm = new L.Control.MiniMap(outline,
                  {position: "bottomleft", width: 150, height: 150, toggleDisplay: true,
                   zoomLevelOffset: -4, aimingRectOptions: {color: "#e31a1c", weight: 1}});
              {{ this._parent.get_name() }}.addControl(mm);
              window.eco12geoMiniMap = mm;
            })();
            {% endmacro %}
            """
        )
        default_js = MiniMap.default_js
        default_css = MiniMap.default_css

        def __init__(self, data: dict[str, Any]) -> None:
            super().__init__()
            self._name = "VectorMiniMap"
            self.data_json = script_json(data)

    return {"control": Control, "registry": Registry, "script": Script, "minimap": VectorMiniMap}


