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

What is drawn is prepared in :mod:`eco12geo.render.mapdata`, how it looks in
:mod:`eco12geo.render.mapstyle`; this module puts the pages together.
folium is imported lazily, as geopandas' ``explore`` does.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from ..assets import inline_assets
from ..audit import Audit, unit_names
from ..errors import InputError
from ..layerset import LayerSet
from ..names import unit_page
from ..plan import UNITS_KEY, Plan
from .labels import map_labels, unit_words
from .mapdata import (
    MapLayer,
    bilingual,
    english_name,
    escape,
    fmt_area,
    pick_field,
    prepare_geometries,
    prepare_layer,
)
from .mapstyle import PAGE_CSS, elements, layer_style, legend_swatch

__all__ = ["BACKGROUND", "BASEMAPS", "build_maps", "english_name", "escape", "prepare_geometries"]

BASEMAPS = ("none", "osm", "tianditu-vec", "tianditu-img")

#: plain background of the offline (no tiles) map
BACKGROUND = "#f4f1ea"

_CONTEXT_NAME_FIELDS = ("name", "NAME", "name_zh", "XZQMC", "county", "MC")


def _import_folium() -> Any:
    try:
        import folium
        import folium.plugins
    except ImportError as exc:  # pragma: no cover - folium is a dependency
        raise ImportError(
            "eco12geo map needs folium; install it with: pip install 'folium>=0.17'"
        ) from exc
    return folium


# ---------------------------------------------------------------- page pieces
def _geojson_layer(
    folium: Any, layer: MapLayer, feats: list[dict[str, Any]], lab: dict[str, str], registry: dict[str, str]
) -> Any:
    fc = {"type": "FeatureCollection", "features": feats}
    dims = {f["geometry"]["type"] for f in feats}
    dim = 0 if dims <= {"Point", "MultiPoint"} else (1 if dims <= {"LineString", "MultiLineString"} else 2)
    st = layer_style(layer.defn, dim)
    fg = folium.FeatureGroup(name=legend_swatch(layer.defn, dim) + escape(layer.title), show=True)
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
            area_text = fmt_area(float(area)) if area is not None else ""
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


def _label_layer(folium: Any, layers: list[MapLayer], keep: Mapping[str, np.ndarray] | None, lab: Mapping[str, str],
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


def _legend_html(layers: list[MapLayer], has_viol: dict[str, bool], plan: Plan, lab: Mapping[str, str],
                 context: bool) -> str:
    rows = [f"<h4>{escape(lab['legend'])}</h4>"]
    pattern = [la for la in layers if la.defn.map.role == "pattern"]
    control = [la for la in layers if la.defn.map.role != "pattern"]
    for la in control:
        dim = int(la.dims[la.dims >= 0].max()) if (la.dims >= 0).any() else 2
        rows.append(f"<div>{legend_swatch(la.defn, dim)}{escape(la.title)}</div>")
    if pattern:
        heading = bilingual(plan.pattern_heading_zh, plan.pattern_heading_en)
        rows.append(f"<div style='margin-top:4px;font-weight:600'>{escape(heading)}</div>")
        for la in pattern:
            dim = int(la.dims[la.dims >= 0].max()) if (la.dims >= 0).any() else 2
            rows.append(f"<div>{legend_swatch(la.defn, dim)}{escape(la.title)}</div>")
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
    prepared = [prepare_layer(layers, plan, k, field_name, simplify_m) for k in order]
    by_key = {la.key: la for la in prepared}

    ctx_feats: list[dict[str, Any]] = []
    ctx_bounds = np.zeros((0, 4))
    if context is not None and len(context):
        cg = prepare_geometries(np.asarray(context.geometry.values, dtype=object), CRS.from_user_input(context.crs),
                                simplify_m=max(simplify_m, 50.0))
        ncol = pick_field(list(context.columns), _CONTEXT_NAME_FIELDS)
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
        m.get_root().header.add_child(folium.Element(f"<style>{PAGE_CSS.replace('%(bg)s', BACKGROUND)}</style>"))
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
                m.add_child(elements()["minimap"](minimap_data))
        else:
            tl = _tiles(folium, basemap, tianditu_token, lab)[0]
            folium.plugins.MiniMap(tile_layer=tl, position="bottomleft", toggle_display=True,
                                   zoom_level_offset=-5).add_to(m)
        script = elements()["script"]
        m.add_child(script("MetricScale", "L.control.scale({imperial: false, maxWidth: 160}).addTo(MAP);"))
        # river, canal and reservoir labels only from zoom 10 on, so the division map stays legible
        m.add_child(script(
            "MinorLabels",
            "function f(){ L.DomUtil[MAP.getZoom() < 10 ? 'addClass' : 'removeClass']"
            "(MAP.getContainer(), 'eco-zoomed-out'); } MAP.on('zoomend', f); f();",
        ))
        control = elements()["control"]
        m.add_child(control("Eco12geoTitle", title_html, "topleft", "eco-title"))
        legend = _legend_html([la for la in prepared if la.features], has_viol, plan, lab, bool(ctx_feats))
        m.add_child(control("Eco12geoLegend", legend, "bottomright", "eco-legend"))
        m.add_child(elements()["registry"](m.get_name(), registry))
        text = m.get_root().render()
        text = text.replace("<html>", f'<html lang="{"zh-CN" if lang == "zh" else "en"}">', 1)
        return inline_assets(text)

    page = _stable_ids(page)
    plan_title = bilingual(plan.name_zh, "") if lang == "zh" else plan.name_en
    note = f"<br><small>{escape(lab['illustrative'])}</small>" if illustrative else ""
    back = f'<br><a href="index.html">{escape(lab["back"])}</a>'

    whole = bilingual(plan.whole_zh, plan.whole_en)
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
        label = bilingual(name, en if en != name else "")
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

    pages = [{"href": "division.html", "label": bilingual(plan.whole_zh, plan.whole_en)}]
    pages += [{"href": fname, "label": bilingual(name, en if en != name else "")} for name, en, fname in unit_pages]
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
