"""Ellipsoidal and planar areas against independent closed-form computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from pyproj import CRS, Transformer

from eco12geo.measure import ellipsoidal_area, ellipsoidal_length, gk_zone_epsg, planar_area

from .conftest import GRS80_A, GRS80_F, cell_area


@pytest.mark.parametrize(("lon0", "lat0", "lon1", "lat1"), [(87, 43, 88, 44), (89.0, 42.8, 89.3, 43.0), (87.3, 43.9, 87.31, 43.91)])
def test_lonlat_cell_matches_closed_form(lon0: float, lat0: float, lon1: float, lat1: float) -> None:
    got = ellipsoidal_area(np.array([shapely.box(lon0, lat0, lon1, lat1)]), CRS.from_epsg(4490))[0]
    assert got == pytest.approx(cell_area(lon0, lat0, lon1, lat1), rel=1e-9)


def test_holes_and_multipolygons_and_orientation() -> None:
    outer = shapely.box(87, 43, 88, 44)
    hole = shapely.box(87.25, 43.25, 87.75, 43.75)
    with_hole = shapely.Polygon(outer.exterior.coords, [hole.exterior.coords])
    cw = shapely.Polygon(list(outer.exterior.coords)[::-1])  # clockwise ring
    multi = shapely.MultiPolygon([shapely.box(87, 43, 87.5, 43.5), cw])
    got = ellipsoidal_area(np.array([with_hole, cw, multi, None, shapely.Point(87, 43)], dtype=object), CRS(4490))
    full = cell_area(87, 43, 88, 44)
    assert got[0] == pytest.approx(full - cell_area(87.25, 43.25, 87.75, 43.75), rel=1e-9)
    assert got[1] == pytest.approx(full, rel=1e-9)
    assert got[2] == pytest.approx(full + cell_area(87, 43, 87.5, 43.5), rel=1e-9)
    assert got[3] == 0.0 and got[4] == 0.0


def _gk_square_area(x0: float, y0: float, side: float) -> float:
    """Ellipsoidal area of a GK square: ∫∫ dx dy / k(x)², with the TM point scale k = 1 + x²/2R² + x⁴/24R⁴."""
    e2 = GRS80_F * (2 - GRS80_F)
    lat = math.radians(Transformer.from_crs(4538, 4490, always_xy=True).transform(500_000 + x0, y0)[1])
    n = GRS80_A / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    m = GRS80_A * (1 - e2) / (1 - e2 * math.sin(lat) ** 2) ** 1.5
    r2 = m * n
    strips = 2000
    xs = x0 - side / 2 + (np.arange(strips) + 0.5) * side / strips
    k = 1 + xs**2 / (2 * r2) + xs**4 / (24 * r2**2)
    return float(np.sum(side * (side / strips) / k**2))


@pytest.mark.parametrize("offset", [0.0, 60_000.0, 150_000.0])
def test_gk_square_ellipsoidal_and_planar(offset: float) -> None:
    side, y0 = 10_000.0, 4_875_000.0
    sq = shapely.box(500_000 + offset - side / 2, y0 - side / 2, 500_000 + offset + side / 2, y0 + side / 2)
    geoms = np.array([sq])
    ell = ellipsoidal_area(geoms, CRS.from_epsg(4538))[0]
    assert ell == pytest.approx(_gk_square_area(offset, y0, side), rel=2e-8)
    # the GK plane exaggerates area away from the central meridian: 150 km out by ~0.055 %
    if offset == 150_000.0:
        assert 1e8 / ell - 1 == pytest.approx(5.54e-4, rel=0.01)
    planar, epsg = planar_area(geoms, CRS.from_epsg(4538))
    if offset <= 60_000.0:  # still in the CM 87°E zone: the plane's own area
        assert epsg[0] == 4538
        assert planar[0] == pytest.approx(1e8, rel=1e-12)
    else:  # 150 km east of 87°E is past 88.5°E: measured in the CM 90°E zone
        assert epsg[0] == 4539


def test_gk_zone_choice_spans_the_division() -> None:
    assert gk_zone_epsg(87.4) == 4538  # Urumqi regiments, CM 87°E
    assert gk_zone_epsg(88.0) == 4538  # 222团 at Fukang
    assert gk_zone_epsg(89.1) == 4539  # 221团 at Turpan, CM 90°E
    geoms = np.array([shapely.box(87.3, 43.9, 87.4, 44.0), shapely.box(89.0, 42.85, 89.2, 43.0)])
    planar, epsg = planar_area(geoms, CRS.from_epsg(4490))
    assert epsg.tolist() == [4538, 4539]
    ell = ellipsoidal_area(geoms, CRS.from_epsg(4490))
    # both within 0.1 % of the ellipsoidal area: each is measured near its own central meridian
    assert np.all(np.abs(planar / ell - 1) < 1e-3)


def test_geodesic_length_of_a_meridian_arc() -> None:
    # meridian arc 43°→44°N on GRS80 by series (independent of pyproj): ∫ M dφ
    e2 = GRS80_F * (2 - GRS80_F)
    phis = np.radians(np.linspace(43, 44, 20001))
    m = GRS80_A * (1 - e2) / (1 - e2 * np.sin(phis) ** 2) ** 1.5
    arc = float(np.trapezoid(m, phis))
    got = ellipsoidal_length(np.array([shapely.LineString([(87, 43), (87, 44)])]), CRS(4490))[0]
    assert got == pytest.approx(arc, rel=1e-9)
