"""What a rule runs on: the layers (repaired, indexed), the baseline, the units, the plan and tolerances."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from ..backend import Backend, LocalBackend
from ..measure import ellipsoidal_area, ellipsoidal_length
from ..overlay import intersect_pairs, polygonal, repair
from ..plan import Plan, RuleDef
from ..survey import survey_area
from .messages import format_message
from .results import Violation

__all__ = ["LayerData", "RuleContext", "UnitIndex", "objarr", "only", "parse_location", "poly_only", "present"]


@dataclass
class LayerData:
    """One layer prepared for the rules: raw and repaired geometries, ids."""

    key: str
    gdf: gpd.GeoDataFrame
    raw: NDArray[np.object_]
    geoms: NDArray[np.object_]
    invalid: NDArray[np.bool_]
    ids: list[str]
    geometry: str
    _areas: NDArray[np.float64] | None = field(default=None, repr=False)
    _survey: NDArray[np.float64] | None = field(default=None, repr=False)
    #: the geometries and CRS as read, where the layer was reprojected for the run (survey areas use them)
    source: tuple[NDArray[np.object_], CRS] | None = field(default=None, repr=False)

    def areas(self, crs: CRS, densify_m: float) -> NDArray[np.float64]:
        """Return (and cache) the ellipsoidal area of every repaired feature."""
        if self._areas is None:
            self._areas = ellipsoidal_area(self.geoms, crs, densify_m)
        return self._areas

    def survey_areas(self, crs: CRS) -> NDArray[np.float64]:
        """Return (and cache) the national land survey's area of every repaired feature (国土调查办发〔2008〕32号)."""
        if self._survey is None:
            if self.source is not None:
                self._survey = survey_area(repair(self.source[0])[0], self.source[1])
            else:
                self._survey = survey_area(self.geoms, crs)
        return self._survey


@dataclass
class UnitIndex:
    """The units (regiments) violations are split by."""

    names: list[str]
    geoms: NDArray[np.object_]
    key: str
    name_field: str
    _union: Any = field(default=None, repr=False)
    _tree: Any = field(default=None, repr=False)

    @property
    def union(self) -> Any:
        """All units as one geometry."""
        if self._union is None:
            self._union = shapely.union_all(self.geoms)
        return self._union

    def unit_at(self, points: NDArray[np.object_]) -> list[str | None]:
        """Return the unit containing each point (None outside all units)."""
        if self._tree is None:
            self._tree = shapely.STRtree(self.geoms)
        out: list[str | None] = [None] * len(points)
        ok = present(points)
        ip, iu = self._tree.query(only(points, ok), predicate="intersects")
        for p, u in sorted(zip(ip.tolist(), iu.tolist(), strict=True), reverse=True):
            out[p] = self.names[u]  # lowest unit index wins
        return out


_LOC = re.compile(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)")


def parse_location(reason: str) -> tuple[float, float] | None:
    """Return the ``[x y]`` location in a shapely ``is_valid_reason`` text, if any."""
    m = _LOC.search(reason)
    if not m:
        return None
    try:
        return float(m.group(1)), float(m.group(2))
    except ValueError:
        return None


def present(geoms: NDArray[np.object_]) -> NDArray[np.bool_]:
    """Return the mask of geometries that are neither missing (None) nor empty."""
    geoms = np.asarray(geoms, dtype=object)
    missing = shapely.is_missing(geoms)
    out = ~missing
    out[~missing] = ~shapely.is_empty(geoms[~missing])
    return np.asarray(out, dtype=bool)


def only(geoms: NDArray[np.object_], mask: NDArray[np.bool_]) -> NDArray[np.object_]:
    """Return a copy of ``geoms`` with None where ``mask`` is False."""
    out = np.full(len(geoms), None, dtype=object)
    out[mask] = np.asarray(geoms, dtype=object)[mask]
    return out


def objarr(items: Sequence[Any]) -> NDArray[np.object_]:
    """Return a 1-d object array of geometries (never unpacked into a 2-d array)."""
    out = np.empty(len(items), dtype=object)
    for i, g in enumerate(items):
        out[i] = g
    return out


def poly_only(geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """Keep only polygonal parts; lines and points (edge or corner contacts) become empty."""
    geoms = polygonal(np.asarray(geoms, dtype=object))
    low = ~shapely.is_missing(geoms) & (shapely.get_dimensions(geoms) < 2)
    if low.any():
        geoms = geoms.copy()
        geoms[low] = shapely.Polygon()
    return geoms


@dataclass
class RuleContext:
    """Everything a checker needs; built once per run by :func:`eco12geo.validate.validate`."""

    plan: Plan
    crs: CRS
    layers: dict[str, LayerData]
    baseline: dict[str, LayerData] | None
    units: UnitIndex | None
    tolerances: dict[str, float]
    targets: bool = True
    #: the year whose figures are judged (``--year``); None: every year
    year: int | None = None
    rule: RuleDef | None = None
    notes: list[str] = field(default_factory=list)
    cache: dict[Any, Any] = field(default_factory=dict)
    #: where pairs of features are found (:mod:`eco12geo.backend`); None is this machine
    backend: Backend | None = None
    _to_lonlat: Transformer | None = field(default=None, repr=False)

    def pairs(
        self, a: NDArray[np.object_], b: NDArray[np.object_], *, same: bool = False
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.object_]]:
        """Pairs of polygons whose interiors meet and their intersections, on the run's backend."""
        return (self.backend or LocalBackend()).pairs(a, b, same=same, interiors=True)

    @property
    def densify_m(self) -> float:
        """Edge length (m) to densify to before ellipsoidal measures."""
        return float(self.tolerances.get("densify_m", 100.0))

    @property
    def min_area(self) -> float:
        """Overlaps and uncovered parts below this area (m²) are not reported."""
        return float(self.tolerances.get("min_overlap_m2", 1.0))

    def zh(self, key: str) -> str:
        """Return the Chinese name of a layer key."""
        d = self.plan.layers.get(key)
        return d.name_zh if d else key

    def where(self, unit: str | None, brackets: bool = True) -> tuple[str, str]:
        """Return where a violation lies, in English and Chinese, with the plan's unit label (团场, 乡镇 …).

        ``(" in 104团", "（104团）")``, or outside every unit ``(" outside every unit", "（团场范围外）")``.
        """
        zh = unit if unit else f"{self.plan.unit_label_zh}范围外"
        return (f" in {unit}" if unit else " outside every unit"), (f"（{zh}）" if brackets else zh)

    @property
    def severity(self) -> str:
        """Severity of the rule being run."""
        return self.rule.severity if self.rule else "error"

    def violation(
        self,
        key: str,
        *,
        layers: tuple[str, ...],
        features: tuple[str, ...] = (),
        unit: str | None = None,
        area_m2: float | None = None,
        lon: float | None = None,
        lat: float | None = None,
        geometry: Any = None,
        details: dict[str, Any] | None = None,
        **facts: Any,
    ) -> Violation:
        """Return a violation: rule and messages from a template, severity from the running rule.

        Parameters
        ----------
        key
            Key of the template in :data:`eco12geo.rules.messages.MESSAGES`
            (``"sliver"``, ``"outside_units.point"`` …); the part before the dot is the rule.
        layers, features, unit, area_m2, lon, lat, geometry, details
            The :class:`Violation`'s fields (``severity`` is the running rule's).
        **facts
            The template's fields (:attr:`~eco12geo.rules.messages.Template.fields`); the layer
            names and ids, the area, where it lies (:meth:`where`) and the unit label are added
            here (:data:`~eco12geo.rules.messages.CONTEXT_FIELDS`).

        Returns
        -------
        Violation
        """
        where_en, where_zh = self.where(unit)
        context: dict[str, Any] = {
            "layer": layers[0], "layer_zh": self.zh(layers[0]), "where": where_en, "where_zh": where_zh,
            "unit_zh": self.where(unit, brackets=False)[1], "unit_label_zh": self.plan.unit_label_zh,
        }
        if len(layers) > 1:
            context["other"], context["other_zh"] = layers[1], self.zh(layers[1])
        if features:
            context["fid"] = features[0]
        if len(features) > 1:
            context["other_fid"] = features[1]
        if area_m2 is not None:
            context["area_m2"] = area_m2
        en, zh = format_message(key, context, facts)
        return Violation(rule=key.split(".", 1)[0], severity=self.severity, layers=layers, features=features,
                         unit=unit, area_m2=area_m2, lon=lon, lat=lat, message=en, message_zh=zh,
                         geometry=geometry, details=details if details is not None else {})

    def rule_keys(self, *, geometry: Sequence[str] | None = None, exclude_units: bool = False) -> list[str]:
        """Return the layer keys the current rule names that are present (``*`` = all)."""
        wanted = self.rule.layers if self.rule else ("*",)
        keys = list(self.layers) if "*" in wanted else [k for k in wanted if k in self.layers]
        if geometry is not None:
            keys = [k for k in keys if self.layers[k].geometry in geometry]
        if exclude_units and self.units is not None:
            keys = [k for k in keys if k != self.units.key]
        return keys

    def area(self, geoms: NDArray[np.object_]) -> NDArray[np.float64]:
        """Ellipsoidal area (m²) of geometries in the working CRS."""
        return ellipsoidal_area(np.asarray(geoms, dtype=object), self.crs, self.densify_m)

    def length(self, geoms: NDArray[np.object_]) -> NDArray[np.float64]:
        """Geodesic length (m) of geometries in the working CRS."""
        return ellipsoidal_length(np.asarray(geoms, dtype=object), self.crs, self.densify_m)

    def lonlat_of_xy(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
        """Transform working-CRS coordinates to lon/lat in EPSG:4490."""
        if self._to_lonlat is None:
            self._to_lonlat = Transformer.from_crs(self.crs, CRS.from_epsg(4490), always_xy=True)
        lon, lat = self._to_lonlat.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

    def points(self, geoms: NDArray[np.object_]) -> NDArray[np.object_]:
        """Return a representative point inside each geometry (None for missing or empty)."""
        geoms = np.asarray(geoms, dtype=object)
        ok = present(geoms)
        out = np.full(len(geoms), None, dtype=object)
        if ok.any():
            out[ok] = shapely.point_on_surface(geoms[ok])
        return out

    def lonlat(self, geoms: NDArray[np.object_]) -> tuple[list[float | None], list[float | None]]:
        """Lon/lat (EPSG:4490) of a representative point of each geometry."""
        pts = self.points(geoms)
        ok = np.array([p is not None for p in pts], dtype=bool)
        lon: list[float | None] = [None] * len(pts)
        lat: list[float | None] = [None] * len(pts)
        if ok.any():
            lo, la = self.lonlat_of_xy(shapely.get_x(pts[ok]), shapely.get_y(pts[ok]))
            for j, i in enumerate(np.flatnonzero(ok)):
                lon[i], lat[i] = float(lo[j]), float(la[j])
        return lon, lat

    def unit_of(self, geoms: NDArray[np.object_]) -> list[str | None]:
        """Return the unit holding a representative point of each geometry."""
        if self.units is None:
            return [None] * len(geoms)
        return self.units.unit_at(self.points(geoms))

    def split_by_unit(
        self, pieces: NDArray[np.object_]
    ) -> tuple[NDArray[np.int64], list[str | None], NDArray[np.object_], NDArray[np.float64]]:
        """Split polygonal pieces by unit; keep those of at least ``min_overlap_m2``.

        Returns
        -------
        (index, unit, geometry, area)
            One row per piece and unit it reaches: the index of the piece, the
            unit's name (None for what lies outside every unit), the part of the
            piece in that unit and its ellipsoidal area.  Lines and points
            (edge or corner contacts) have no area and are dropped.
        """
        pieces = poly_only(np.asarray(pieces, dtype=object))
        n = len(pieces)
        if n == 0:
            return np.empty(0, dtype=np.int64), [], np.empty(0, dtype=object), np.empty(0)
        total = self.area(pieces)
        if self.units is None:
            keep = np.flatnonzero(total >= self.min_area)
            return keep.astype(np.int64), [None] * len(keep), pieces[keep], total[keep]
        ip, iu, sub = intersect_pairs(pieces, self.units.geoms, interiors=True)
        sub = poly_only(sub)
        sa = self.area(sub)
        inside = np.bincount(ip, weights=sa, minlength=n) if len(ip) else np.zeros(n)
        idx = list(ip.tolist())
        names: list[str | None] = [self.units.names[u] for u in iu.tolist()]
        geoms = list(sub)
        areas = list(sa.tolist())
        rest = np.flatnonzero(total - inside >= self.min_area)
        if len(rest):
            outside = poly_only(shapely.difference(pieces[rest], self.units.union))
            oa = self.area(outside)
            for j, i in enumerate(rest.tolist()):
                idx.append(i)
                names.append(None)
                geoms.append(outside[j])
                areas.append(float(oa[j]))
        a = np.asarray(areas, dtype=float)
        keep = np.flatnonzero(a >= self.min_area)
        order = np.asarray(sorted(keep.tolist(), key=lambda k: (idx[k], names[k] or "\uffff")), dtype=np.int64)
        return (
            np.asarray(idx, dtype=np.int64)[order],
            [names[k] for k in order],
            objarr(geoms)[order],
            a[order],
        )

    def uncovered(
        self, a: NDArray[np.object_], b: NDArray[np.object_]
    ) -> tuple[NDArray[np.int64], NDArray[np.object_]]:
        """Return the part of each geometry of ``a`` outside the union of ``b``.

        Candidates come from one STRtree query; each feature of ``a`` is cut by
        the union of only the features of ``b`` it meets (no loop over all pairs).

        Returns
        -------
        (index, pieces)
            Indices into ``a`` with a non-empty remainder, and the remainders.
        """
        a = np.asarray(a, dtype=object)
        b = np.asarray(b, dtype=object)
        ok_a = present(a)
        out = only(a, ok_a)
        if len(b):
            ok_b = present(b)
            tree = shapely.STRtree(only(b, ok_b))
            ia, ib = tree.query(only(a, ok_a), predicate="intersects")
            if len(ia):
                order = np.argsort(ia, kind="stable")
                ia, ib = ia[order], ib[order]
                firsts, starts = np.unique(ia, return_index=True)
                groups = np.split(ib, starts[1:])
                covers = np.array([shapely.union_all(b[g]) for g in groups], dtype=object)
                out[firsts] = shapely.difference(a[firsts], covers)
        dims = shapely.get_dimensions(only(a, ok_a))
        polys = ok_a & (dims == 2)
        out[polys] = poly_only(out[polys])
        keep = np.flatnonzero(ok_a & ~shapely.is_empty(only(out, ok_a)))
        return keep.astype(np.int64), out[keep]
