"""Opening a raster and its CRS, with one plain line for what cannot be used."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pyproj import CRS

from ..errors import CRSError, InputError
from .model import class_key


def _open(path: str | Path) -> Any:
    import rasterio
    from rasterio.errors import RasterioIOError

    p = Path(path)
    if not p.exists():
        raise InputError("raster {p} does not exist; give a GeoTIFF (or any raster GDAL reads) as {opt:raster}", p=p)
    if p.is_dir():
        raise InputError("raster {p} is a folder; give a raster file (GeoTIFF) as {opt:raster}", p=p)
    try:
        ds = rasterio.open(p)
    except RasterioIOError as exc:
        raise InputError(
            f"{p} is not a raster GDAL can read ({str(exc).splitlines()[0][:120]}); give a GeoTIFF land-cover raster"
        ) from None
    if ds.count < 1 or ds.width < 1 or ds.height < 1:
        ds.close()
        raise InputError(f"{p} holds no raster band; give a GeoTIFF land-cover raster")
    return ds


def _raster_crs(ds: Any, path: str | Path, assume_crs: str | None) -> tuple[CRS, bool]:
    if ds.crs is None or not ds.crs.to_wkt():
        if not assume_crs:
            raise CRSError(
                "raster {path} declares no CRS; give it one (gdal_edit.py -a_srs EPSG:4490) "
                "or pass {opt:assume_crs=EPSG:XXXX}", path=path
            )
        try:
            return CRS.from_user_input(assume_crs), True
        except Exception:  # noqa: BLE001 - pyproj raises its own CRSError
            raise CRSError("{opt:assume_crs={value}} is not a CRS pyproj knows; use EPSG:XXXX",
                           value=assume_crs) from None
    crs = CRS.from_wkt(ds.crs.to_wkt())
    if crs.geodetic_crs is None:  # pragma: no cover - engineering CRS
        raise CRSError(f"raster {path} has a CRS without a datum ({crs.name}); areas cannot be taken")
    return crs, False


def _codes(values: Iterable[float | int | str]) -> tuple[str, ...]:
    out = []
    for v in values:
        try:
            out.append(class_key(float(v)))
        except (TypeError, ValueError):
            raise InputError(f"class code {v!r} is not a number; give raster values such as 3 or 4") from None
    return tuple(dict.fromkeys(out))
