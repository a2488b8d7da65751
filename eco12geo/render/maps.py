"""Offline interactive HTML maps: the division, each unit (regiment), and an index.

:func:`build_maps` takes layers already read (a :class:`~eco12geo.layerset.LayerSet`),
the plan, the area audit and optionally validate's ``report.json`` document,
and returns ``{file name: HTML text}``; it writes nothing (the CLI does).

- Every control line is its own toggleable layer, coloured with the plan's
  ``colour`` (the 国土空间规划 "one map" conventions; see ``docs/maps.md``).
- The ecological pattern (一屏、一带、一区、多廊、多点) is drawn and labelled
  bilingually, Chinese first.
- Violations from the report are circles with popups (rule, ids, area).
- Every attribute value from users' files is HTML-escaped before it reaches a
  popup, tooltip, label, legend or title; JSON inlined in scripts cannot close
  the ``<script>``.
- Every JS/CSS asset is inlined (:mod:`eco12geo.assets`): with the default
  basemap ``none`` a page needs no network at all.

folium is imported lazily, as geopandas' ``explore`` does.
"""

from __future__ import annotations

import functools
import html
import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..assets import inline_assets
from ..audit import Audit, feature_areas, unit_names
from ..errors import InputError
from ..layerset import LayerSet
from ..measure import ellipsoidal_length, to_geographic
from ..names import unit_page
from ..overlay import repair
from ..plan import UNITS_KEY, LayerDef, Plan, bundled_plan
from .labels import map_labels, unit_words

__all__ = ["BASEMAPS", "build_maps", "escape", "prepare_geometries"]

BASEMAPS = ("none", "osm", "tianditu-vec", "tianditu-img")

#: plain background of the offline (no tiles) map
BACKGROUND = "#f4f1ea"

_NAME_FIELDS = ("MC", "NAME", "XZQMC", "name", "名称")
_EN_FIELDS = ("MC_EN", "NAME_EN", "name_en", "YWMC")
_CONTEXT_NAME_FIELDS = ("name", "NAME", "name_zh", "XZQMC", "county", "MC")



def escape(value: object) -> str:
    """HTML-escape a value from a user's file (None and NaN give an empty string)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


def _script_json(obj: Any) -> str:
    """JSON for inlining in a ``<script>``: ``<``, ``>`` and ``&`` escaped so nothing can close it."""
    text = json.dumps(obj, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _import_folium() -> Any:
    try:
        import folium
        import folium.plugins
    except ImportError as exc:  # pragma: no cover - folium is a dependency
        raise ImportError(
            "eco12geo map needs folium; install it with: pip install 'folium>=0.17'"
        ) from exc
    return folium


def _bilingual(zh: str, en: str) -> str:
    zh, en = zh.strip(), en.strip()
    if not en or en == zh:
        return zh
    if not zh:
        return en
    return f"{zh} {en}"


def english_name(name: str, glossary: Mapping[str, str] | None = None) -> str:
    """Return an English name for a pattern place from the plan's ``[glossary]`` ('' when unknown).

    ``glossary`` defaults to the bundled plan's.  Words are matched longest first, left to right.
    """
    words_en = bundled_plan().glossary if glossary is None else glossary
    if name in words_en:
        return words_en[name]
    parts = []
    rest = name
    words = sorted(words_en, key=len, reverse=True)
    while rest:
        for w in words:
            if rest.startswith(w):
                parts.append(words_en[w])
                rest = rest[len(w):]
                break
        else:
            rest = rest[1:]
    return " ".join(parts)


# ---------------------------------------------------------------- geometry preparation
def prepare_geometries(
    geoms: Sequence[Any] | np.ndarray, crs: CRS, simplify_m: float = 10.0, densify_m: float = 500.0
) -> np.ndarray:
    """Return geometries in geographic CGCS2000 (lon, lat), simplified and rounded for display.

    Polygons that form a valid coverage are simplified together with
    :func:`shapely.coverage_simplify`, so shared edges stay shared; others are
    simplified one by one, preserving topology.  Coordinates are rounded to 6
    decimals (about 0.1 m).
    """
    arr = np.asarray(geoms, dtype=object)
    ok = ~shapely.is_missing(arr) & ~shapely.is_empty(np.where(shapely.is_missing(arr), shapely.Point(), arr))
    out = np.full(len(arr), None, dtype=object)
    if not ok.any():
        return out
    g = to_geographic(arr[ok], CRS.from_user_input(crs), densify_m)
    g, _ = repair(g)
    tol = simplify_m / 111_320.0
    if tol > 0:
        poly = shapely.get_dimensions(g) == 2
        if poly.any():
            pg = g[poly]
            try:
                valid_cov = bool(shapely.coverage_is_valid(pg))
            except Exception:  # noqa: BLE001 - GEOS refuses some inputs
                valid_cov = False
            if valid_cov:
                pg = shapely.coverage_simplify(pg, tol, simplify_boundary=True)
            else:
                pg = shapely.simplify(pg, tol, preserve_topology=True)
            g[poly] = pg
        lin = shapely.get_dimensions(g) == 1
        if lin.any():
            g[lin] = shapely.simplify(g[lin], tol, preserve_topology=True)
    g = shapely.set_precision(g, 1e-6)
    g = shapely.transform(g, lambda c: np.round(c, 6))
    out[ok] = g
    return out


@dataclass
class _Layer:
    key: str
    defn: LayerDef
    title: str
    geoms: np.ndarray
    features: list[dict[str, Any]]
    bounds: np.ndarray  # (n, 4)
    dims: np.ndarray
    labels: list[tuple[float, float, str]] = field(default_factory=list)
    label_index: list[int] = field(default_factory=list)


def _fmt_area(m2: float) -> str:
    return f"{m2 / 1e6:,.4f} km² / {m2 / 1e4:,.2f} ha"


def _fmt_mj(v: object) -> str:
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return escape(v)
    if not np.isfinite(x):
        return ""
    return f"{x:,.2f} m²"


def _pick(columns: Sequence[str], candidates: Sequence[str | None]) -> str | None:
    for c in candidates:
        if c and c in columns:
            return c
    return None


def _prepare_layer(
    layers: LayerSet, plan: Plan, key: str, unit_field: str, simplify_m: float
) -> _Layer:
    gdf = layers[key]
    d = plan.layers[key]
    densify_m = plan.tolerances.get("densify_m", 100.0)
    raw = np.asarray(gdf.geometry.values, dtype=object)
    geoms = prepare_geometries(raw, layers.crs, simplify_m, densify_m=max(densify_m, 200.0))
    dims = np.array([-1 if g is None else shapely.get_dimensions(g) for g in geoms])
    areas = feature_areas(layers, key, densify_m) if (dims == 2).any() else np.zeros(len(gdf))
    lengths = (
        ellipsoidal_length(raw, layers.crs, densify_m) if (dims == 1).any() else np.zeros(len(gdf))
    )
    cols = list(gdf.columns)
    id_col = _pick(cols, [d.id_field, "BSM"])
    name_col = _pick(cols, [d.name_field, unit_field if key == UNITS_KEY else None, *_NAME_FIELDS])
    en_col = _pick(cols, _EN_FIELDS)
    mj_col = _pick(cols, [d.area_field]) if d.area_field else None
    title = _bilingual(d.name_zh, d.name_en)
    feats: list[dict[str, Any]] = []
    labels: list[tuple[float, float, str]] = []
    label_index: list[int] = []
    for i, g in enumerate(geoms):
        if g is None:
            continue
        row = gdf.iloc[i]
        fid = row[id_col] if id_col else None
        fid_text = escape(fid) if fid is not None and escape(fid) != "" else f"#{i + 1}"
        name = "" if name_col is None else ("" if pd.isna(row[name_col]) else str(row[name_col]))
        if d.map.role == UNITS_KEY:
            en = plan.unit_name_en(name) if name else ""
            en = "" if en == name else en
        elif en_col is not None and not pd.isna(row[en_col]):
            en = str(row[en_col])
        elif d.map.role == "pattern":
            en = english_name(name, plan.glossary)
        else:
            en = ""
        props = {
            "layer": escape(title),
            "id": fid_text,
            "name": escape(_bilingual(name, en)),
        }
        if dims[i] == 2:
            props["area"] = _fmt_area(float(areas[i]))
        elif dims[i] == 1:
            props["area"] = f"{lengths[i] / 1e3:,.3f} km"
        else:
            props["area"] = ""
        props["mj"] = _fmt_mj(row[mj_col]) if mj_col else ""
        props["tip"] = escape(_bilingual(name, en) or fid_text) + " · " + escape(d.name_zh)
        feats.append(
            {"type": "Feature", "id": f"{key}-{i}", "properties": props,
             "geometry": shapely.geometry.mapping(g)}
        )
        if d.map.label != "none":
            if name:
                if dims[i] == 1:
                    pt = shapely.line_interpolate_point(shapely.line_merge(g) if g.geom_type == "MultiLineString"
                                                        else g, 0.5, normalized=True)
                    if pt.is_empty:
                        pt = shapely.point_on_surface(g)
                elif d.map.label == "north":
                    # label the feature in its northern part, so it does not sit on the unit's label
                    x0, y0, x1, y1 = shapely.bounds(g)
                    top = shapely.intersection(g, shapely.box(x0, y0 + 0.6 * (y1 - y0), x1, y1))
                    pt = shapely.point_on_surface(top if not top.is_empty else g)
                else:
                    pt = shapely.point_on_surface(g)
                labels.append((round(pt.x, 6), round(pt.y, 6), escape(_bilingual(name, en))))
                label_index.append(i)
    bounds = shapely.bounds(np.array([g if g is not None else shapely.Point() for g in geoms], dtype=object))
    return _Layer(key, d, title, geoms, feats, bounds, dims, labels, label_index)


# ---------------------------------------------------------------- styles
def _style(d: LayerDef, dim: int) -> dict[str, Any]:
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


def _geojson_layer(
    folium: Any, layer: _Layer, feats: list[dict[str, Any]], lab: dict[str, str], registry: dict[str, str]
) -> Any:
    fc = {"type": "FeatureCollection", "features": feats}
    dims = {f["geometry"]["type"] for f in feats}
    dim = 0 if dims <= {"Point", "MultiPoint"} else (1 if dims <= {"LineString", "MultiLineString"} else 2)
    st = _style(layer.defn, dim)
    fg = folium.FeatureGroup(name=_legend_swatch(layer.defn, dim) + escape(layer.title), show=True)
    kwargs: dict[str, Any] = {}
    if dim == 0 or "Point" in dims or "MultiPoint" in dims:
        kwargs["marker"] = folium.CircleMarker(radius=st.get("radius", 7), fill=True)
    fields = ["layer", "id", "name", "mj", "area"]
    aliases = [lab["layer"], lab["id"], lab["name"], lab["mj"], lab["length"] if dim == 1 else lab["area"]]
    gj = folium.GeoJson(
        fc,
        name=escape(layer.title),
        style_function=lambda _f, s=st: s,
        highlight_function=lambda _f: {"weight": 4, "color": "#00e5ff"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, labels=True),
        smooth_factor=0.5,
        **kwargs,
    )
    gj.add_to(fg)
    registry[layer.key] = gj.get_name()
    return fg


def _rgba(colour: str, alpha: float) -> str:
    c = colour.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    try:
        r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return escape(colour)
    return f"rgba({r},{g},{b},{alpha:.2f})"


def _legend_swatch(d: LayerDef, dim: int) -> str:
    st = _style(d, dim)
    line = escape(st.get("color", "#888"))
    if dim == 1:
        dash = "dotted" if "dashArray" in st else "solid"
        return f'<span class="eco-sw eco-sw-line" style="border-top:3px {dash} {line}"></span>'
    if dim == 0:
        return f'<span class="eco-sw eco-sw-pt" style="background:{escape(st.get("fillColor", "#888"))}"></span>'
    border = "dashed" if "dashArray" in st else "solid"
    if st.get("fill") is False:
        return f'<span class="eco-sw" style="background:transparent;border:2px solid {line}"></span>'
    fill = _rgba(str(st.get("fillColor", "#888")), min(1.0, float(st.get("fillOpacity", 0.45)) + 0.15))
    return f'<span class="eco-sw" style="background:{fill};border:1.5px {border} {line}"></span>'


# ---------------------------------------------------------------- page pieces
_CSS = """
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
def _elements() -> dict[str, type]:
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
            self.html_json = _script_json(html_text)
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
            self.data_json = _script_json(data)

    return {"control": Control, "registry": Registry, "script": Script, "minimap": VectorMiniMap}


def _tiles(folium: Any, basemap: str, token: str | None, lab: Mapping[str, str]) -> list[Any]:
    if basemap == "osm":
        return [folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=True)]
    kind = "vec" if basemap == "tianditu-vec" else "img"
    ann = "cva" if kind == "vec" else "cia"
    layers = []
    for layer, label, overlay in ((kind, lab[f"tianditu_{kind}"], False), (ann, lab["tianditu_labels"], True)):
        url = (
            f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            f"&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}"
            f"&TILECOL={{x}}&tk={token}"
        )
        layers.append(
            folium.TileLayer(
                tiles=url, attr=lab["tianditu_attr"], name=label, overlay=overlay, control=True,
                subdomains="01234567", max_zoom=18,
            )
        )
    return layers


@dataclass
class _Violation:
    lon: float
    lat: float
    severity: str
    props: dict[str, str]


def _violations(report_doc: Mapping[str, Any] | None, lab: Mapping[str, str]) -> list[_Violation]:
    out: list[_Violation] = []
    if not report_doc:
        return out
    for v in report_doc.get("violations", []) or []:
        try:
            lon, lat = float(v.get("lon")), float(v.get("lat"))
        except (TypeError, ValueError):
            continue
        if not (np.isfinite(lon) and np.isfinite(lat)):
            continue
        area = v.get("area_m2")
        try:
            area_text = _fmt_area(float(area)) if area is not None else ""
        except (TypeError, ValueError):
            area_text = escape(area)
        feats = v.get("features") or []
        layers = v.get("layers") or []
        sev = "error" if str(v.get("severity", "error")) == "error" else "warning"
        props = {
            "rule": escape(v.get("rule", "")),
            "severity": escape(sev),
            "layers": escape(", ".join(map(str, layers))),
            "features": escape(", ".join(map(str, feats))),
            "unit": escape(v.get("unit", "")),
            "area": area_text,
            "message": escape(v.get("message", "")),
        }
        props["tip"] = f'{props["rule"]} · {props["features"]}'
        out.append(_Violation(round(lon, 6), round(lat, 6), sev, props))
    return out


def _violation_layer(folium: Any, items: list[_Violation], sev: str, lab: Mapping[str, str],
                     registry: dict[str, str]) -> Any:
    feats = [
        {"type": "Feature", "id": f"v-{sev}-{i}", "properties": v.props,
         "geometry": {"type": "Point", "coordinates": [v.lon, v.lat]}}
        for i, v in enumerate(items)
    ]
    colour = "#b10026" if sev == "error" else "#fd8d3c"
    title = lab["violations_error"] if sev == "error" else lab["violations_warning"]
    fg = folium.FeatureGroup(
        name=f'<span class="eco-sw eco-sw-viol" style="border-color:{colour}"></span>{escape(title)}', show=True
    )
    style = {"color": colour, "weight": 2.5, "fillColor": colour, "fillOpacity": 0.35}
    folium.GeoJson(
        {"type": "FeatureCollection", "features": feats},
        name=escape(title),
        marker=folium.CircleMarker(radius=9, fill=True),
        style_function=lambda _f, s=style: s,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        popup=folium.GeoJsonPopup(
            fields=["rule", "severity", "layers", "features", "unit", "area", "message"],
            aliases=[lab["rule"], lab["severity"], lab["layer"], lab["features"], lab["unit"], lab["varea"],
                     lab["message"]],
        ),
    ).add_to(fg)
    registry[f"violations_{sev}"] = fg.get_name()
    return fg


def _label_layer(folium: Any, layers: list[_Layer], keep: Mapping[str, np.ndarray] | None, lab: Mapping[str, str],
                 registry: dict[str, str]) -> Any | None:
    unit_feats: list[dict[str, Any]] = []
    other_feats: list[dict[str, Any]] = []
    minor_feats: list[dict[str, Any]] = []
    for layer in layers:
        for (x, y, text), i in zip(layer.labels, layer.label_index, strict=True):
            if keep is not None and not keep[layer.key][i]:
                continue
            f = {"type": "Feature", "properties": {"label": text},
                 "geometry": {"type": "Point", "coordinates": [x, y]}}
            if layer.defn.map.label_class == "unit":
                unit_feats.append(f)
            elif layer.defn.map.label_class == "major":
                other_feats.append(f)
            else:
                minor_feats.append(f)
    if not unit_feats and not other_feats and not minor_feats:
        return None
    fg = folium.FeatureGroup(name=escape(lab["labels"]), show=True)
    for feats, cls in ((minor_feats, "eco-label eco-label-minor"), (other_feats, "eco-label"),
                       (unit_feats, "eco-label-unit")):
        if not feats:
            continue
        for i, f in enumerate(feats):
            f["id"] = f"{cls}-{i}"
        from folium.utilities import JsCode

        # one permanent tooltip per label point; the label text was HTML-escaped above
        bind = JsCode(
            "function(feature, layer) { layer.bindTooltip(String(feature.properties.label), "
            f"{{permanent: true, direction: 'center', className: {json.dumps(cls)}, interactive: false}}); }}"
        )
        folium.GeoJson(
            {"type": "FeatureCollection", "features": feats},
            marker=folium.CircleMarker(radius=1, fill=False, opacity=0),
            style_function=lambda _f: {"opacity": 0, "fillOpacity": 0, "radius": 1},
            on_each_feature=bind,
            interactive=False,
        ).add_to(fg)
    registry["labels"] = fg.get_name()
    return fg


def _legend_html(layers: list[_Layer], has_viol: dict[str, bool], plan: Plan, lab: Mapping[str, str],
                 context: bool) -> str:
    rows = [f"<h4>{escape(lab['legend'])}</h4>"]
    pattern = [la for la in layers if la.defn.map.role == "pattern"]
    control = [la for la in layers if la.defn.map.role != "pattern"]
    for la in control:
        dim = int(la.dims[la.dims >= 0].max()) if (la.dims >= 0).any() else 2
        rows.append(f"<div>{_legend_swatch(la.defn, dim)}{escape(la.title)}</div>")
    if pattern:
        heading = _bilingual(plan.pattern_heading_zh, plan.pattern_heading_en)
        rows.append(f"<div style='margin-top:4px;font-weight:600'>{escape(heading)}</div>")
        for la in pattern:
            dim = int(la.dims[la.dims >= 0].max()) if (la.dims >= 0).any() else 2
            rows.append(f"<div>{_legend_swatch(la.defn, dim)}{escape(la.title)}</div>")
    if context:
        rows.append(f'<div><span class="eco-sw" style="background:transparent;border:1.5px dashed #888"></span>'
                    f"{escape(lab['context'])}</div>")
    for sev in ("error", "warning"):
        if has_viol.get(sev):
            colour = "#b10026" if sev == "error" else "#fd8d3c"
            rows.append(f'<div><span class="eco-sw eco-sw-viol" style="border-color:{colour}"></span>'
                        f"{escape(lab['violations_' + sev])}</div>")
    return "".join(rows)


# ---------------------------------------------------------------- public
def _stable_ids(build: Callable[..., str]) -> Callable[..., str]:
    """Give the folium/branca elements of each page ids counted from 1 instead of random ones.

    branca names every element ``<kind>_<32 random hex digits>``; counted ids
    make the same inputs give byte-identical pages.
    """
    import branca.element

    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> str:
        counter = itertools.count(1)
        original = branca.element.Element.__dict__["_generate_id"]
        branca.element.Element._generate_id = classmethod(lambda cls: f"{next(counter):032x}")  # type: ignore[method-assign,assignment]
        try:
            return build(*args, **kwargs)
        finally:
            branca.element.Element._generate_id = original  # type: ignore[method-assign]

    return wrapper


def build_maps(
    layers: LayerSet,
    plan: Plan,
    audit: Audit | None,
    report_doc: Mapping[str, Any] | None = None,
    basemap: str = "none",
    lang: str = "zh",
    tianditu_token: str | None = None,
    *,
    context: gpd.GeoDataFrame | None = None,
    unit_field: str | None = None,
    simplify_m: float = 10.0,
    illustrative: bool = False,
    report_href: str | None = None,
) -> dict[str, str]:
    """Build the map pages.

    Parameters
    ----------
    layers
        The layers, in one working CRS; ``units`` splits the pages.
    plan
        The plan: layer names and colours.
    audit
        The area audit shown on the index page (None: no table).
    report_doc
        validate's ``report.json`` document; its violations are drawn.
    basemap
        ``none`` (offline, default), ``osm``, ``tianditu-vec`` or ``tianditu-img``.
    lang
        ``zh`` or ``en``: the language of the page chrome (labels stay bilingual, Chinese first).
    tianditu_token
        The Tianditu key, required for the Tianditu basemaps.
    context
        County boundaries drawn as a context layer.
    unit_field
        Field of the units layer holding the unit name (default the plan's).
    simplify_m
        Simplification tolerance in metres (shared edges kept).
    illustrative
        Say on every page that the layers are illustrative (the demo).
    report_href
        Link from the index to validate's ``report.html`` (relative to the pages), when there is one.

    Returns
    -------
    dict
        ``{"index.html": ..., "division.html": ..., "unit-xxxxxxxx.html": ...}``.

    Raises
    ------
    InputError
        Unknown basemap, or a Tianditu basemap without a token.
    """
    if basemap not in BASEMAPS:
        raise InputError(f"unknown basemap {basemap!r}; use one of: {', '.join(BASEMAPS)}")
    if basemap.startswith("tianditu") and not (tianditu_token or "").strip():
        raise InputError("basemap {basemap} needs a Tianditu key; pass {opt:tianditu_token=KEY} or set TIANDITU_TOKEN",
                         basemap=basemap)
    folium = _import_folium()
    lab = map_labels(lang, plan.unit_labels)
    field_name = unit_field or plan.unit_field

    # bottom to top, by the plan's [layers.KEY.map] order (stable for equal orders)
    order = sorted(layers.keys(), key=lambda k: plan.layers[k].map.order)
    prepared = [_prepare_layer(layers, plan, k, field_name, simplify_m) for k in order]
    by_key = {la.key: la for la in prepared}

    ctx_feats: list[dict[str, Any]] = []
    ctx_bounds = np.zeros((0, 4))
    if context is not None and len(context):
        cg = prepare_geometries(np.asarray(context.geometry.values, dtype=object), CRS.from_user_input(context.crs),
                                simplify_m=max(simplify_m, 50.0))
        ncol = _pick(list(context.columns), _CONTEXT_NAME_FIELDS)
        for i, g in enumerate(cg):
            if g is None:
                continue
            name = escape(context.iloc[i][ncol]) if ncol else ""
            ctx_feats.append({"type": "Feature", "id": f"ctx-{i}", "properties": {"tip": name},
                              "geometry": shapely.geometry.mapping(g)})
        ctx_bounds = shapely.bounds(np.array([g for g in cg if g is not None], dtype=object)).reshape(-1, 4)

    viol = _violations(report_doc, lab)

    # units: one page per distinct name
    pages: dict[str, str] = {}
    unit_groups: dict[str, list[int]] = {}
    if UNITS_KEY in by_key:
        names = unit_names(layers[UNITS_KEY], field_name)
        for i, n in enumerate(names):
            if by_key[UNITS_KEY].geoms[i] is not None:
                unit_groups.setdefault(n, []).append(i)

    all_bounds = np.vstack([la.bounds[[g is not None for g in la.geoms]] for la in prepared] or [np.zeros((0, 4))])
    if UNITS_KEY in by_key and unit_groups:
        ub = by_key[UNITS_KEY].bounds[[i for idx in unit_groups.values() for i in idx]]
        division_bounds = (ub[:, 0].min(), ub[:, 1].min(), ub[:, 2].max(), ub[:, 3].max())
    elif len(all_bounds):
        division_bounds = (all_bounds[:, 0].min(), all_bounds[:, 1].min(), all_bounds[:, 2].max(),
                           all_bounds[:, 3].max())
    else:
        division_bounds = (73.0, 18.0, 135.0, 54.0)

    minimap_data = None
    if UNITS_KEY in by_key:
        mm = prepare_geometries(np.array([g for g in by_key[UNITS_KEY].geoms if g is not None], dtype=object),
                                CRS.from_epsg(4490), simplify_m=300.0)
        minimap_data = {"type": "FeatureCollection",
                        "features": [{"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)}
                                     for g in mm if g is not None]}

    unit_pages: list[tuple[str, str, str]] = []  # (name, english, file)
    for name in unit_groups:
        unit_pages.append((name, plan.unit_name_en(name), unit_page(name, plan.unit_name_en(name))))

    def page(title_html: str, bounds: tuple[float, float, float, float], keep_box: Any | None) -> str:
        keep = None
        if keep_box is not None:
            keep = {la.key: np.array([g is not None and shapely.intersects(g, keep_box) for g in la.geoms])
                    for la in prepared}
        m = folium.Map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], zoom_start=9,
                       tiles=None, control_scale=False, prefer_canvas=False, zoom_snap=0.25)
        m.get_root().header.add_child(folium.Element(f"<style>{_CSS.replace('%(bg)s', BACKGROUND)}</style>"))
        m.get_root().title = escape(title_plain)  # branca writes the title unescaped
        for t in _tiles(folium, basemap, tianditu_token, lab) if basemap != "none" else []:
            t.add_to(m)
        registry: dict[str, str] = {}
        if ctx_feats:
            cf = ctx_feats
            if keep_box is not None:
                cf = [f for f, b in zip(ctx_feats, ctx_bounds, strict=True)
                      if shapely.intersects(shapely.box(*b), keep_box)]
            if cf:
                fg = folium.FeatureGroup(name=escape(lab["context"]), show=True)
                folium.GeoJson(
                    {"type": "FeatureCollection", "features": cf},
                    style_function=lambda _f: {"color": "#888888", "weight": 1.2, "dashArray": "4 3",
                                               "fill": False, "fillOpacity": 0},
                    tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
                ).add_to(fg)
                fg.add_to(m)
                registry["context"] = fg.get_name()
        for la in prepared:
            feats = la.features
            if keep is not None:
                feats = [f for f in feats if keep[la.key][int(f["id"].rsplit("-", 1)[1])]]
            if not feats:
                continue
            _geojson_layer(folium, la, feats, lab, registry).add_to(m)
        lab_layer = _label_layer(folium, prepared, keep, lab, registry)
        if lab_layer is not None:
            lab_layer.add_to(m)
        has_viol = {}
        for sev in ("error", "warning"):
            items = [v for v in viol if v.severity == sev]
            if keep_box is not None:
                items = [v for v in items if shapely.intersects(shapely.Point(v.lon, v.lat), keep_box)]
            if items:
                _violation_layer(folium, items, sev, lab, registry).add_to(m)
                has_viol[sev] = True
        # keep the legend (bottom right) and the title (top left) off the features
        m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], padding_top_left=(40, 30),
                     padding_bottom_right=(380, 30))
        folium.LayerControl(collapsed=True, position="topright").add_to(m)
        folium.plugins.Fullscreen(position="topleft", title=lab["fullscreen"],
                                  title_cancel=lab["fullscreen_exit"]).add_to(m)
        folium.plugins.MeasureControl(position="topleft", primary_length_unit="kilometers",
                                      secondary_length_unit="meters", primary_area_unit="hectares",
                                      secondary_area_unit="sqmeters").add_to(m)
        if basemap == "none":
            if minimap_data is not None:
                m.add_child(_elements()["minimap"](minimap_data))
        else:
            tl = _tiles(folium, basemap, tianditu_token, lab)[0]
            folium.plugins.MiniMap(tile_layer=tl, position="bottomleft", toggle_display=True,
                                   zoom_level_offset=-5).add_to(m)
        script = _elements()["script"]
        m.add_child(script("MetricScale", "L.control.scale({imperial: false, maxWidth: 160}).addTo(MAP);"))
        # river, canal and reservoir labels only from zoom 10 on, so the division map stays legible
        m.add_child(script(
            "MinorLabels",
            "function f(){ L.DomUtil[MAP.getZoom() < 10 ? 'addClass' : 'removeClass']"
            "(MAP.getContainer(), 'eco-zoomed-out'); } MAP.on('zoomend', f); f();",
        ))
        control = _elements()["control"]
        m.add_child(control("Eco12geoTitle", title_html, "topleft", "eco-title"))
        legend = _legend_html([la for la in prepared if la.features], has_viol, plan, lab, bool(ctx_feats))
        m.add_child(control("Eco12geoLegend", legend, "bottomright", "eco-legend"))
        m.add_child(_elements()["registry"](m.get_name(), registry))
        text = m.get_root().render()
        text = text.replace("<html>", f'<html lang="{"zh-CN" if lang == "zh" else "en"}">', 1)
        return inline_assets(text)

    page = _stable_ids(page)
    plan_title = _bilingual(plan.name_zh, "") if lang == "zh" else plan.name_en
    note = f"<br><small>{escape(lab['illustrative'])}</small>" if illustrative else ""
    back = f'<br><a href="index.html">{escape(lab["back"])}</a>'

    whole = _bilingual(plan.whole_zh, plan.whole_en)
    title_plain = f"{plan.name_zh} — {whole}"
    pages["division.html"] = page(
        f"<b>{escape(whole)}</b><br>{escape(plan_title)}{note}{back}", division_bounds, None
    )
    for name, en, fname in unit_pages:
        idx = unit_groups[name]
        ub = by_key[UNITS_KEY].bounds[idx]
        b = (ub[:, 0].min(), ub[:, 1].min(), ub[:, 2].max(), ub[:, 3].max())
        dx, dy = (b[2] - b[0]) * 0.15 + 0.01, (b[3] - b[1]) * 0.15 + 0.01
        keep_box = shapely.box(b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy)
        title_plain = f"{name} — {plan.name_zh}"
        label = _bilingual(name, en if en != name else "")
        pages[fname] = page(f"<b>{escape(label)}</b><br>{escape(plan_title)}{note}{back}", b, keep_box)
    pages["index.html"] = _index_page(plan, audit, unit_pages, lab, lang, illustrative, report_doc, report_href)
    return pages


def _index_page(
    plan: Plan,
    audit: Audit | None,
    unit_pages: list[tuple[str, str, str]],
    lab: Mapping[str, str],
    lang: str,
    illustrative: bool,
    report_doc: Mapping[str, Any] | None,
    report_href: str | None = None,
) -> str:
    """Return ``index.html`` (links to every page, the audit table) from its template."""
    from .html import environment

    pages = [{"href": "division.html", "label": _bilingual(plan.whole_zh, plan.whole_en)}]
    pages += [{"href": fname, "label": _bilingual(name, en if en != name else "")} for name, en, fname in unit_pages]
    table = None
    if audit is not None and audit.units:
        keys = [k for k in audit.layers if k != UNITS_KEY and audit.layers[k].geometry not in ("line",)
                and any(k in u.layers for u in audit.units)]
        files = {n: f for n, _, f in unit_pages}
        table = {
            "title": lab["audit"],
            "crs": audit.crs,
            "unit_head": unit_words("{u} {U}", plan.unit_labels),
            "area_head": lab["unit_area"],
            "heads": [{"zh": plan.layers[k].name_zh, "en": plan.layers[k].name_en} for k in keys],
            "rows": [{"unit": u.unit, "href": files.get(u.unit), "area": f"{u.area_m2 / 1e6:,.2f}",
                      "cells": [f"{u.layers.get(k, 0.0) / 1e6:,.2f}" for k in keys]} for u in audit.units],
            "total_area": f"{sum(u.area_m2 for u in audit.units) / 1e6:,.2f}",
            "totals": [f"{sum(u.layers.get(k, 0.0) for u in audit.units) / 1e6:,.2f}" for k in keys],
        }
    validation = None
    if report_doc:
        s = report_doc.get("summary", {}) or {}
        validation = {"errors": s.get("errors", 0), "warnings": s.get("warnings", 0), "href": report_href}
    return environment().get_template("index.html.j2").render(
        html_lang="zh-CN" if lang == "zh" else "en",
        plan_zh=plan.name_zh,
        plan_en=plan.name_en,
        index_label=lab["index"],
        illustrative=lab["illustrative"] if illustrative else "",
        pages=pages,
        validation=validation,
        audit=table,
        lab=lab,
    )
