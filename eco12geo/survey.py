"""Areas as the national land survey computes them (国土调查办发〔2008〕32号), and map-sheet areas.

The land-survey software that fills the MJ / TBMJ fields computes the
ellipsoidal area of a parcel (图斑椭球面积) by the notice 《图幅理论面积与图斑椭球面积计算公式及要求》
(国务院第二次全国土地调查领导小组办公室, 国土调查办发〔2008〕32号, 2008-03-27):

1. every boundary vertex is inverse-projected from its Gauss–Krüger plane to
   geodetic latitude B and longitude L (the notice's formula (3); here the
   exact inverse transverse Mercator of PROJ, which agrees with the series to
   well under a millimetre);
2. each boundary edge, from vertex i to vertex i+1, with its trapezoid
   against a reference meridian L0, contributes formula (2)::

       S = 2 b² ΔL [A sin(ΔB/2) cos Bm − B sin(3ΔB/2) cos 3Bm + C sin(5ΔB/2) cos 5Bm
                    − D sin(7ΔB/2) cos 7Bm + E sin(9ΔB/2) cos 9Bm]

   with ΔB = B(i+1) − B(i), Bm = (B(i) + B(i+1)) / 2 and ΔL the mean
   longitude of the edge's two ends from L0 (the notice's annex takes the
   prime meridian);
3. the signed trapezoids of a ring are summed; holes subtract, parts add.

The constants A–E are the notice's series in e² (to e⁸), computed here from
the ellipsoid of the layer's datum: CGCS2000 (a = 6378137 m,
f = 1/298.257222101) for EPSG:4490 and its GK zones, where the notice's own
numbers are for Xi'an 1980.  ``docs/areas.md`` cites the text.

The theoretical area of a standard map sheet (图幅理论面积) is formula (1), the
same series over the sheet's latitude and longitude extent; sheets are named
by their GB/T 13989-2012 code (``J45`` for 1:1 000 000, ``J45G001001`` for
1:10 000; scale letters B–K).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from .errors import CRSError, InputError

__all__ = [
    "SCALES",
    "Sheet",
    "series_constants",
    "sheet",
    "sheet_area",
    "sheet_bounds",
    "sheet_table",
    "sheet_code",
    "sheets_covering",
    "survey_area",
    "trapezoid_area",
]

#: CGCS2000 ellipsoid (the notice's formulas are evaluated on it unless the layer's datum says otherwise)
CGCS2000_A = 6378137.0
CGCS2000_F = 1 / 298.257222101

#: GB/T 13989-2012 scale letter → (scale denominator, sheet width, sheet height in arc seconds)
SCALES: dict[str, tuple[int, Fraction, Fraction]] = {
    "A": (1_000_000, Fraction(21600), Fraction(14400)),
    "B": (500_000, Fraction(10800), Fraction(7200)),
    "C": (250_000, Fraction(5400), Fraction(3600)),
    "D": (100_000, Fraction(1800), Fraction(1200)),
    "E": (50_000, Fraction(900), Fraction(600)),
    "F": (25_000, Fraction(450), Fraction(300)),
    "G": (10_000, Fraction(225), Fraction(150)),
    "H": (5_000, Fraction(225, 2), Fraction(75)),
    "I": (2_000, Fraction(75, 2), Fraction(25)),
    "J": (1_000, Fraction(75, 4), Fraction(25, 2)),
    "K": (500, Fraction(75, 8), Fraction(25, 4)),
}
_LETTER_OF_SCALE = {v[0]: k for k, v in SCALES.items()}
_CODE = re.compile(r"^([A-O])(\d{2})(?:([B-K])(\d{3,4})(\d{3,4}))?$")


def series_constants(a: float = CGCS2000_A, f: float = CGCS2000_F) -> tuple[float, float, float, float, float, float]:
    """Return the notice's constants (A, B, C, D, E) and b for an ellipsoid.

    The series in e² = (a² − b²)/a² of the notice, to e⁸::

        A = 1 + (3/6)e² + (30/80)e⁴ + (35/112)e⁶ + (630/2304)e⁸
        B =     (1/6)e² + (15/80)e⁴ + (21/112)e⁶ + (420/2304)e⁸
        C =               (3/80)e⁴  + (7/112)e⁶  + (180/2304)e⁸
        D =                           (1/112)e⁶  + (45/2304)e⁸
        E =                                        (5/2304)e⁸

    Returns
    -------
    (A, B, C, D, E, b)
    """
    b = a * (1 - f)
    e2 = (a * a - b * b) / (a * a)
    e4, e6, e8 = e2**2, e2**3, e2**4
    return (
        1 + 3 / 6 * e2 + 30 / 80 * e4 + 35 / 112 * e6 + 630 / 2304 * e8,
        1 / 6 * e2 + 15 / 80 * e4 + 21 / 112 * e6 + 420 / 2304 * e8,
        3 / 80 * e4 + 7 / 112 * e6 + 180 / 2304 * e8,
        1 / 112 * e6 + 45 / 2304 * e8,
        5 / 2304 * e8,
        b,
    )


def _bracket(db: NDArray[np.float64], bm: NDArray[np.float64], k: tuple[float, ...]) -> NDArray[np.float64]:
    """Return the bracket of formulas (1) and (2): Σ ± K sin(nΔB/2) cos(nBm), n = 1, 3, 5, 7, 9."""
    out = np.zeros_like(db)
    for sign, n, c in zip((1, -1, 1, -1, 1), (1, 3, 5, 7, 9), k[:5], strict=True):
        out += sign * c * np.sin(n * db / 2) * np.cos(n * bm)
    return out


def trapezoid_area(
    b1: NDArray[np.float64] | float,
    b2: NDArray[np.float64] | float,
    dl: NDArray[np.float64] | float,
    a: float = CGCS2000_A,
    f: float = CGCS2000_F,
) -> NDArray[np.float64]:
    """Return formula (2): the area (m²) between latitudes ``b1``, ``b2`` over a longitude span ``dl`` (radians).

    Signed: negative when ``b2 < b1`` or ``dl < 0``.
    """
    k = series_constants(a, f)
    b1a, b2a = np.asarray(b1, dtype=float), np.asarray(b2, dtype=float)
    return np.asarray(2 * k[5] ** 2 * np.asarray(dl, dtype=float) * _bracket(b2a - b1a, (b1a + b2a) / 2, k))


def _ellipsoid(crs: CRS) -> tuple[float, float]:
    ell = crs.ellipsoid
    if ell is None:  # pragma: no cover - every CRS pyproj builds from EPSG has one
        return CGCS2000_A, CGCS2000_F
    inv_f = ell.inverse_flattening
    return ell.semi_major_metre, (1 / inv_f if inv_f else 0.0)


def _geodetic_coords(coords: NDArray[np.float64], crs: CRS) -> NDArray[np.float64]:
    """Return (L, B) in degrees of every vertex: projected vertices inverse-projected to the datum's geodetic CRS."""
    if crs.is_geographic:
        return coords
    geog = crs.geodetic_crs
    if geog is None:  # pragma: no cover
        raise CRSError(f"CRS {crs.to_string()} has no geographic CRS; survey areas cannot be taken")
    t = Transformer.from_crs(crs, geog, always_xy=True)
    lon, lat = t.transform(coords[:, 0], coords[:, 1])
    out = np.column_stack([lon, lat])
    if out.size and not np.isfinite(out).all():
        raise CRSError(
            f"coordinates could not be inverse-projected from {crs.to_string()}; check the layer's declared CRS"
        )
    return out


def survey_area(geoms: NDArray[np.object_], crs: CRS | str | int) -> NDArray[np.float64]:
    """Return the area (m²) of each geometry as the national land survey computes it (国土调查办发〔2008〕32号).

    Every vertex is taken to geodetic (B, L): inverse-projected from the
    layer's plane for a projected CRS (a Gauss–Krüger zone: the exact inverse
    TM), as given for a geographic one (for EPSG:4490 the feature's GK zone
    and back returns the same B, L, so the round trip is not made).  Each edge
    then adds the ellipsoidal trapezoid of the notice's formula (2) between it
    and the ring's reference meridian; rings are summed, holes subtracted and
    the parts of a multipolygon added.  Edges are not densified: the survey
    formula works on the boundary points (拐点) as recorded.

    Parameters
    ----------
    geoms
        Array of shapely geometries (None, empty, lines and points give 0).
        Invalid polygons should be repaired first (a bow-tie's lobes cancel).
    crs
        The CRS the coordinates are in; the constants A–E are taken on its
        datum's ellipsoid (CGCS2000 for EPSG:4490 and EPSG:4513–4554).

    Returns
    -------
    numpy.ndarray
        Areas in m², one per geometry.
    """
    crs = CRS.from_user_input(crs)
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms))
    if len(geoms) == 0:
        return out
    poly = np.zeros(len(geoms), dtype=bool)
    ok = ~shapely.is_missing(geoms)
    poly[ok] = np.isin(shapely.get_type_id(geoms[ok]), [3, 6])
    if not poly.any():
        return out
    idx = np.flatnonzero(poly)
    parts, gidx = shapely.get_parts(geoms[idx], return_index=True)
    rings, pidx = shapely.get_rings(parts, return_index=True)
    if len(rings) == 0:
        return out
    coords, ridx = shapely.get_coordinates(rings, return_index=True)
    lonlat = _geodetic_coords(coords, crs)
    lam = np.radians(lonlat[:, 0])
    phi = np.radians(lonlat[:, 1])
    # edges: consecutive vertices of one ring (rings are closed, so the last edge returns to the start)
    same = ridx[:-1] == ridx[1:]
    i0 = np.flatnonzero(same)
    i1 = i0 + 1
    first = np.searchsorted(ridx, np.arange(len(rings)))  # first vertex of each ring
    ref = lam[np.minimum(first, len(lam) - 1)]  # reference meridian: the ring's first vertex (cancels exactly)
    er = ridx[i0]
    dl = (lam[i0] + lam[i1]) / 2 - ref[er]
    a, f = _ellipsoid(crs)
    trap = trapezoid_area(phi[i0], phi[i1], dl, a, f)
    signed = np.bincount(er, weights=trap, minlength=len(rings))
    # the first ring of each polygon is its shell; the others are holes
    is_shell = np.r_[True, pidx[1:] != pidx[:-1]]
    ring_area = np.where(is_shell, np.abs(signed), -np.abs(signed))
    part_area = np.bincount(pidx, weights=ring_area, minlength=len(parts))
    out[idx] = np.bincount(gidx, weights=part_area, minlength=len(idx))
    return out


# ------------------------------------------------------------------ map sheets (GB/T 13989-2012)
@dataclass(frozen=True)
class Sheet:
    """A standard map sheet: its code, scale and extent (degrees)."""

    code: str
    scale: int
    west: float
    south: float
    east: float
    north: float

    @property
    def box(self) -> shapely.Polygon:
        """The sheet as a longitude/latitude rectangle (EPSG:4490 coordinates)."""
        return shapely.box(self.west, self.south, self.east, self.north)


def _digits(letter: str) -> int:
    """Digits of the row and column numbers: 3, or 4 for 1:1000 and 1:500 (more than 999 rows)."""
    return 4 if letter in {"J", "K"} else 3


def _extent_seconds(code: str) -> tuple[str, Fraction, Fraction, Fraction, Fraction]:
    text = code.strip().upper().replace("-", "")
    m = _CODE.match(text)
    if not m:
        raise InputError(
            f"'{code}' is not a GB/T 13989 sheet code; give e.g. J45 (1:1 000 000) or J45G001001 (1:10 000)"
        )
    row_letter, col_text, letter, r_text, c_text = m.groups()
    col = int(col_text)
    if not 1 <= col <= 60:
        raise InputError(f"sheet code '{code}': the 1:1 000 000 column must be 01–60, not {col}")
    west = Fraction(col - 31) * 6 * 3600
    south = Fraction(ord(row_letter) - ord("A")) * 4 * 3600
    if letter is None:
        return text, west, south, Fraction(21600), Fraction(14400)
    digits = _digits(letter)
    if len(r_text) != digits or len(c_text) != digits:
        raise InputError(
            f"sheet code '{code}': scale {letter} numbers rows and columns with {digits} digits each"
        )
    _, width, height = SCALES[letter]
    rows, cols = int(Fraction(14400) / height), int(Fraction(21600) / width)
    r, c = int(r_text), int(c_text)
    if not (1 <= r <= rows and 1 <= c <= cols):
        raise InputError(f"sheet code '{code}': scale {letter} has rows 1–{rows} and columns 1–{cols}")
    # rows count from the north edge of the 1:1 000 000 sheet, columns from its west edge
    return text, west + (c - 1) * width, south + (rows - r) * height, width, height


def sheet(code: str) -> Sheet:
    """Return the sheet named by a GB/T 13989-2012 code (northern hemisphere, 0°–60°N)."""
    text, w, s, width, height = _extent_seconds(code)
    letter = text[3] if len(text) > 3 else "A"
    return Sheet(text, SCALES[letter][0], float(w / 3600), float(s / 3600), float((w + width) / 3600),
                 float((s + height) / 3600))


def sheet_bounds(code: str) -> tuple[float, float, float, float]:
    """Return (west, south, east, north) in degrees of a sheet."""
    s = sheet(code)
    return s.west, s.south, s.east, s.north


def sheet_area(code: str, a: float = CGCS2000_A, f: float = CGCS2000_F) -> float:
    """Return the theoretical area (图幅理论面积, m²) of a standard map sheet by formula (1).

    Formula (1) of the notice::

        P = 4πb²ΔL/(360·60) · [A sin(ΔB/2) cos Bm − B sin(3ΔB/2) cos 3Bm + … + E sin(9ΔB/2) cos 9Bm]

    with ΔL the sheet's longitude extent in minutes of arc, ΔB = B2 − B1 its
    latitude extent and Bm = (B1 + B2)/2; on CGCS2000 by default.

    Parameters
    ----------
    code
        GB/T 13989-2012 code: ``J45`` (1:1 000 000) or ``J45G001001`` style,
        scale letters B (1:500 000) … H (1:5000), I (1:2000), J (1:1000) and
        K (1:500); J and K number rows and columns with four digits.
    """
    _, _, s, width, height = _extent_seconds(code)
    k = series_constants(a, f)
    b1 = math.radians(float(s / 3600))
    b2 = math.radians(float((s + height) / 3600))
    dl_minutes = float(width / 60)
    bracket = float(_bracket(np.array([b2 - b1]), np.array([(b1 + b2) / 2]), k)[0])
    return 4 * math.pi * k[5] ** 2 * dl_minutes / (360 * 60) * bracket


def sheet_code(lon: float, lat: float, scale: int) -> str:
    """Return the code of the sheet at a scale containing a point (lon, lat in degrees)."""
    if scale not in _LETTER_OF_SCALE:
        raise InputError(f"scale 1:{scale} is not a GB/T 13989 scale; use one of {sorted(_LETTER_OF_SCALE)}")
    if not (0 <= lat < 60 and -180 <= lon < 180):
        raise InputError(f"point ({lon:.4f}, {lat:.4f}) lies outside 0°–60°N; GB/T 13989 sheets there are not handled")
    letter = _LETTER_OF_SCALE[scale]
    lon_s, lat_s = Fraction(lon) * 3600, Fraction(lat) * 3600
    col1m = int((lon_s + 180 * 3600) // 21600) + 1
    row1m = int(lat_s // 14400)
    code = f"{chr(ord('A') + row1m)}{col1m:02d}"
    if letter == "A":
        return code
    _, width, height = SCALES[letter]
    rows = int(Fraction(14400) / height)
    r = rows - int((lat_s - row1m * 14400) // height)
    c = int((lon_s - (col1m - 31) * 21600) // width) + 1
    d = _digits(letter)
    return f"{code}{letter}{r:0{d}d}{c:0{d}d}"


def sheets_covering(geoms: NDArray[np.object_], crs: CRS | str | int, scale: int = 10_000) -> list[Sheet]:
    """Return the sheets at ``scale`` whose interior meets any of ``geoms``, west to east, north to south.

    Parameters
    ----------
    geoms
        Geometries in ``crs`` (projected ones are taken to the datum's
        geographic CRS vertex by vertex, edges densified to 100 m first).
    crs
        Their CRS.
    scale
        Scale denominator: 1000000, 500000, …, 10000, 5000, 2000, 1000, 500.
    """
    from .measure import to_geographic

    if scale not in _LETTER_OF_SCALE:
        known = sorted(_LETTER_OF_SCALE, reverse=True)
        raise InputError(f"scale 1:{scale} is not a GB/T 13989 scale; use one of {known}")
    crs = CRS.from_user_input(crs)
    geo = to_geographic(np.asarray(geoms, dtype=object), crs, 100.0)
    geo = geo[~(shapely.is_missing(geo) | shapely.is_empty(geo))]
    if len(geo) == 0:
        return []
    west, south, east, north = shapely.total_bounds(geo)
    _, width, height = SCALES[_LETTER_OF_SCALE[scale]]
    w_deg, h_deg = float(width / 3600), float(height / 3600)
    # the grid of this scale is aligned on whole multiples of the sheet size from (0°, 0°)
    i0, i1 = math.floor(west / w_deg), math.floor(east / w_deg)
    j0, j1 = math.floor(south / h_deg), math.floor(north / h_deg)
    grid_i, grid_j = np.meshgrid(np.arange(i0, i1 + 1), np.arange(j0, j1 + 1))
    ii, jj = grid_i.ravel(), grid_j.ravel()
    boxes = shapely.box(ii * w_deg, jj * h_deg, (ii + 1) * w_deg, (jj + 1) * h_deg)
    tree = shapely.STRtree(geo)
    hit_box, hit_geo = tree.query(boxes, predicate="intersects")
    keep = np.zeros(len(boxes), dtype=bool)
    if len(hit_box):
        inter = shapely.intersection(boxes[hit_box], geo[hit_geo])
        meaningful = shapely.get_dimensions(inter) == 2
        meaningful &= ~shapely.is_empty(inter)
        meaningful[meaningful] = shapely.area(inter[meaningful]) > 0
        keep[hit_box[meaningful]] = True
    out = []
    for i, j in sorted(zip(ii[keep].tolist(), jj[keep].tolist(), strict=True), key=lambda p: (-p[1], p[0])):
        code = sheet_code((i + 0.5) * w_deg, (j + 0.5) * h_deg, scale)
        out.append(sheet(code))
    return out


def sheet_table(
    geoms: NDArray[np.object_], names: list[str], crs: CRS | str | int, scale: int = 10_000
) -> list[dict[str, object]]:
    """Return the standard sheets over each unit, with each unit's survey area inside each sheet.

    The basis of 图幅控制面积 checks: a unit's survey areas over its sheets sum
    to its own survey area, and the units in a sheet sum to at most the
    sheet's theoretical area.

    Parameters
    ----------
    geoms
        The units' polygons (valid; repair them first), in ``crs``.
    names
        The unit name of each polygon; rows of one name are one unit.
    crs
        Their CRS.  The sheet cut is made in the datum's geographic CRS, where
        sheet edges are straight; the pieces are measured by :func:`survey_area`.
    scale
        Scale denominator (10000 for 1:10 000).

    Returns
    -------
    list of dict
        One entry per sheet, north to south and west to east: ``sheet``,
        ``scale``, ``west``, ``south``, ``east``, ``north``,
        ``sheet_area_m2`` and ``units`` (a list of ``unit``, ``survey_area_m2``).
    """
    crs = CRS.from_user_input(crs)
    geoms = np.asarray(geoms, dtype=object)
    geog = crs if crs.is_geographic else crs.geodetic_crs
    if geog is None:  # pragma: no cover
        raise CRSError(f"CRS {crs.to_string()} has no geographic CRS; sheets cannot be cut")
    if crs.is_geographic:
        geo = geoms
    else:
        t = Transformer.from_crs(crs, geog, always_xy=True)

        def _xy(xy: NDArray[np.float64]) -> NDArray[np.float64]:
            x, y = t.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

        geo = shapely.transform(geoms, _xy)  # vertex by vertex, as the survey formula takes them
    sheets = sheets_covering(geo, geog, scale)
    if not sheets:
        return []
    boxes = np.array([s.box for s in sheets], dtype=object)
    tree = shapely.STRtree(geo)
    ib, ig = tree.query(boxes, predicate="intersects")
    pieces = shapely.intersection(boxes[ib], geo[ig])
    areas = survey_area(pieces, geog)
    a, f = _ellipsoid(geog)
    out: list[dict[str, object]] = []
    per_sheet: dict[int, dict[str, float]] = {}
    for b, g, v in zip(ib.tolist(), ig.tolist(), areas.tolist(), strict=True):
        if v > 0:
            per_sheet.setdefault(b, {})
            per_sheet[b][names[g]] = per_sheet[b].get(names[g], 0.0) + v
    for b, s in enumerate(sheets):
        units = per_sheet.get(b, {})
        if not units:
            continue
        out.append({
            "sheet": s.code, "scale": s.scale, "west": s.west, "south": s.south, "east": s.east, "north": s.north,
            "sheet_area_m2": sheet_area(s.code, a, f),
            "units": [{"unit": n, "survey_area_m2": units[n]} for n in dict.fromkeys(names) if n in units],
        })
    return out
