"""Properties of the geometry core, checked with hypothesis on small random layers (bounded: seconds).

- overlap area is symmetric, never larger than the smaller layer, and equals an independent
  geodesic area of the intersection;
- per-unit areas plus the part outside the units equal the layer total;
- results do not depend on feature order, nor (within tolerance) on EPSG:4490 against a GK zone;
- validate is idempotent: the same report twice, and its repaired layers validate clean.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
import shapely.affinity
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import CRS, Geod

from eco12geo.audit import audit
from eco12geo.layerset import LayerSet
from eco12geo.measure import gk_zone_epsg, transform_geometries
from eco12geo.plan import bundled_plan
from eco12geo.validate import validate

PLAN = bundled_plan()  # loaded once per session
GEOD = Geod(ellps="GRS80")
WGS = CRS.from_epsg(4490)
BOUNDED = settings(max_examples=20, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

X0, Y0, CELL = 87.0, 43.0, 0.02  # a 10 × 10 grid of 0.02° cells near 87°E 43°N


def geodesic_area(geom: shapely.Geometry) -> float:
    """Independent ellipsoidal area: pyproj's geodesic polygon area, edges densified along lon/lat lines."""
    if geom is None or geom.is_empty:
        return 0.0
    return abs(GEOD.geometry_area_perimeter(shapely.segmentize(geom, 0.0005))[0])


@st.composite
def grid_layer(draw: st.DrawFn, min_size: int = 1) -> list[shapely.Polygon]:
    """Disjoint features: distinct grid cells, each shrunk by a random inset and cut to a random shape."""
    cells = draw(st.lists(st.integers(0, 99), min_size=min_size, max_size=8, unique=True))
    feats = []
    for c in cells:
        i, j = divmod(c, 10)
        inset = draw(st.floats(0.0, 0.3))
        x0, y0 = X0 + i * CELL + inset * CELL / 2, Y0 + j * CELL + inset * CELL / 2
        w = CELL * (1 - inset)
        # a quadrilateral inside the cell: four corners pulled in by random fractions
        f = [draw(st.floats(0.0, 0.4)) for _ in range(4)]
        feats.append(shapely.Polygon([(x0 + f[0] * w, y0), (x0 + w, y0 + f[1] * w), (x0 + w - f[2] * w, y0 + w),
                                      (x0, y0 + w - f[3] * w)]))
    return feats


@st.composite
def shifted_layer(draw: st.DrawFn) -> list[shapely.Polygon]:
    """Another layer of disjoint cells, shifted by part of a cell so it overlaps the first in part."""
    dx, dy = draw(st.floats(0.0, 0.9)), draw(st.floats(0.0, 0.9))
    return [shapely.affinity.translate(g, dx * CELL, dy * CELL) for g in draw(grid_layer())]


UNITS = [shapely.box(X0, Y0, X0 + 0.1, Y0 + 0.2), shapely.box(X0 + 0.1, Y0, X0 + 0.16, Y0 + 0.2)]  # part outside


def frame(geoms: list[shapely.Geometry], prefix: str, crs: CRS = WGS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"BSM": [f"{prefix}{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=crs)


def layerset(crs: CRS = WGS, **layers: gpd.GeoDataFrame) -> LayerSet:
    return LayerSet(layers=dict(layers), crs=crs)


def units_frame(crs: CRS = WGS) -> gpd.GeoDataFrame:
    g = gpd.GeoDataFrame({"XZQMC": ["104团", "西山农牧场"]}, geometry=UNITS, crs=WGS)
    return g if crs == WGS else g.set_geometry(
        transform_geometries(np.asarray(g.geometry.values), WGS, crs, 50.0), crs=crs)


def _overlap_total(a: list[shapely.Polygon], b: list[shapely.Polygon]) -> float:
    rep = validate(layerset(ecological_redline=frame(a, "R"), urban_boundary=frame(b, "C")), PLAN, targets=False,
                   tolerances={"min_overlap_m2": 0.0})
    return float(sum(v.area_m2 or 0.0 for v in rep.violations if v.rule == "overlap"))


@BOUNDED
@given(a=grid_layer(), b=shifted_layer())
def test_overlap_symmetric_bounded_and_independently_right(a: list[shapely.Polygon], b: list[shapely.Polygon]) -> None:
    ab, ba = _overlap_total(a, b), _overlap_total(b, a)
    assert ab == pytest.approx(ba, rel=1e-9, abs=1e-6)
    smaller = min(sum(geodesic_area(g) for g in a), sum(geodesic_area(g) for g in b))
    assert ab <= smaller * (1 + 1e-9) + 1e-6
    truth = geodesic_area(shapely.intersection(shapely.union_all(a), shapely.union_all(b)))
    assert ab == pytest.approx(truth, rel=1e-5, abs=0.5)


def _figures(result: object) -> tuple[float, float | None, dict[str, float]]:
    la = result.layers["ecological_redline"]  # type: ignore[attr-defined]
    per_unit = {u.unit: u.layers.get("ecological_redline", 0.0) for u in result.units}  # type: ignore[attr-defined]
    return la.area_m2, la.outside_units_m2, per_unit


@BOUNDED
@given(a=grid_layer(), order=st.randoms(use_true_random=False))
def test_per_unit_plus_outside_is_the_total_whatever_the_order(a: list[shapely.Polygon], order: object) -> None:
    res = audit(layerset(units=units_frame(), ecological_redline=frame(a, "R")), PLAN, targets=False)
    total, outside, per_unit = _figures(res)
    assert outside is not None
    assert sum(per_unit.values()) + outside == pytest.approx(total, rel=1e-9, abs=1e-6)
    assert total == pytest.approx(sum(geodesic_area(g) for g in a), rel=1e-5)
    shuffled = list(a)
    order.shuffle(shuffled)  # type: ignore[attr-defined]
    res2 = audit(layerset(units=units_frame(), ecological_redline=frame(shuffled, "R")), PLAN, targets=False)
    total2, outside2, per_unit2 = _figures(res2)
    assert total2 == pytest.approx(total, rel=1e-12)
    assert outside2 == pytest.approx(outside, rel=1e-9, abs=1e-6)
    assert per_unit2 == pytest.approx(per_unit, rel=1e-9, abs=1e-6)


@BOUNDED
@given(a=grid_layer())
def test_geographic_and_gauss_krueger_agree(a: list[shapely.Polygon]) -> None:
    gk = CRS.from_epsg(gk_zone_epsg(87.1))
    geo = audit(layerset(units=units_frame(), ecological_redline=frame(a, "R")), PLAN, targets=False)
    moved = transform_geometries(np.asarray(a, dtype=object), WGS, gk, 10.0)
    proj = audit(layerset(gk, units=units_frame(gk), ecological_redline=frame(list(moved), "R", gk)), PLAN,
                 targets=False)
    t1, o1, u1 = _figures(geo)
    t2, o2, u2 = _figures(proj)
    assert t2 == pytest.approx(t1, rel=1e-4)
    for k in u1:
        assert u2[k] == pytest.approx(u1[k], rel=1e-4, abs=50.0)


@st.composite
def with_invalid(draw: st.DrawFn) -> list[shapely.Polygon]:
    feats = draw(grid_layer())
    if draw(st.booleans()):
        x0, y0, x1, y1 = feats[0].bounds
        feats[0] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])  # a bow-tie
    return feats


@BOUNDED
@given(a=with_invalid(), b=shifted_layer())
def test_validate_is_idempotent(a: list[shapely.Polygon], b: list[shapely.Polygon]) -> None:
    def run(red: gpd.GeoDataFrame) -> object:
        return validate(layerset(units=units_frame(), ecological_redline=red, urban_boundary=frame(b, "C")), PLAN,
                        targets=False)

    first, second = run(frame(a, "R")), run(frame(a, "R"))
    d1, d2 = first.to_dict(), second.to_dict()  # type: ignore[attr-defined]
    d1.pop("run", None)
    d2.pop("run", None)
    assert d1 == d2
    fixed = first.repaired.get("ecological_redline")  # type: ignore[attr-defined]
    if fixed is not None:
        again = run(fixed.to_crs(WGS))
        assert not [v for v in again.violations if v.rule == "geometry_invalid"]  # type: ignore[attr-defined]
        overlaps = lambda r: sorted(round(v.area_m2, 3) for v in r.violations if v.rule == "overlap")  # noqa: E731
        assert overlaps(again) == pytest.approx(overlaps(first), rel=1e-9, abs=1e-3)


def test_overlap_property_is_not_vacuous() -> None:
    """The overlap the properties compare is really found: a cell and the same cell shifted by half."""
    a = [shapely.box(X0, Y0, X0 + CELL, Y0 + CELL)]
    b = [shapely.box(X0 + CELL / 2, Y0 + CELL / 2, X0 + 1.5 * CELL, Y0 + 1.5 * CELL)]
    got = _overlap_total(a, b)
    assert got == pytest.approx(geodesic_area(shapely.box(X0 + CELL / 2, Y0 + CELL / 2, X0 + CELL, Y0 + CELL)),
                                rel=1e-6)
    assert got > 5e5  # about 0.9 km²
