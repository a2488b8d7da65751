"""Read layers as they come in practice: formats, encodings, CRS and geometry checks.

This module only reads.  It never reprojects a layer on its own, never writes
next to an input, and turns every reading problem into an
:class:`~eco12geo.errors.InputError` whose message says what is wrong with
which file and what to do about it.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pydantic import ValidationError
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from ._log import logger
from ._shapefile import (
    check_dbf_text,
    check_gpkg_text,
    check_regular,
    check_shapefile,
    check_zip,
    read_cpg,
    shapefile_parts,
)
from .errors import CRSError, GeometryTypeError, InputError
from .parallel import map_chunks
from .plan import GEOMETRY_TYPES, LayerDef, Plan
from .schemas import join, problems
from .schemas.outputs import ReportDoc

__all__ = [
    "LayerSource",
    "detect_encoding",
    "discover_layers",
    "parse_layer_arg",
    "read_layer",
    "read_report",
]

VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".zip")
MULTI_LAYER_SUFFIXES = (".gpkg", ".gdb")
#: suffixes whose ``PATH:NAME`` picks a layer (a zip may hold several shapefiles)
NAMED_LAYER_SUFFIXES = MULTI_LAYER_SUFFIXES + (".zip",)
#: features read per chunk when a progress callback is given
CHUNK = 50_000

# dBASE language-driver ids (byte 29) that name a code page; others mean "ask the data"
_LDID = {
    0x4D: "cp936",  # Chinese GBK (PRC), Windows
    0x7A: "cp936",  # Chinese GBK (PRC), ESRI
    0x4F: "cp950",  # Chinese Big5 (Taiwan)
    0x78: "cp950",
    0x4E: "cp949",
    0x79: "cp949",
    0x4C: "cp932",
    0x7B: "cp932",
    0x13: "cp932",
}
_CPG_ALIASES = {
    "936": "gb18030",
    "cp936": "gb18030",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "gb18030": "gb18030",
    "65001": "utf-8",
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "950": "cp950",
    "big5": "cp950",
    "1252": "cp1252",
    "ansi 1252": "cp1252",
    "iso-8859-1": "latin-1",
    "iso 88591": "latin-1",
    "88591": "latin-1",
}


@dataclass(frozen=True)
class LayerSource:
    """Where one layer comes from: a path, optionally a layer name inside it."""

    path: Path
    layer: str | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.layer}" if self.layer else str(self.path)

    @classmethod
    def parse(cls, text: str) -> LayerSource:
        """Parse ``PATH`` or ``file.gpkg:layername`` (also ``folder.gdb:layer``, ``shapes.zip:name``)."""
        lowered = text.lower()
        for suffix in NAMED_LAYER_SUFFIXES:
            pos = lowered.rfind(suffix + ":")
            if pos > 0:
                cut = pos + len(suffix)
                return cls(Path(text[:cut]), text[cut + 1 :] or None)
        return cls(Path(text))


def parse_layer_arg(text: str) -> tuple[str, LayerSource]:
    """Parse a ``KEY=PATH`` command-line value."""
    key, sep, path = text.partition("=")
    if not sep or not key.strip() or not path.strip():
        raise InputError("'{text}' is not KEY=PATH; give e.g. {opt:layer_args=KEY=redline.shp} with a layer key "
                         "of the plan", text=text)
    return key.strip(), LayerSource.parse(path.strip())


# ------------------------------------------------------------------ encodings
def zip_shapefiles(path: Path) -> list[str]:
    """Return the names (stems) of the shapefiles inside a zip, in archive order.

    The zip's directory is checked first (:func:`eco12geo._shapefile.check_zip`):
    zip slip, links, bombs and archives of too many entries are refused.
    """
    return [PurePosixPath(i.filename).stem for i in check_zip(path)
            if i.filename.lower().endswith(".shp") and not i.is_dir()]


def _dbf_bytes(path: Path, layer: str | None = None) -> tuple[bytes, str | None]:
    """Return the .dbf content (up to a few MB) and the .cpg text of a shapefile or of one in a zip."""
    limit = 4 << 20
    parts = shapefile_parts(path, layer)
    data = b""
    if ".dbf" in parts:
        with parts[".dbf"].open() as fh:
            data = fh.read(limit)
    cpg_text = read_cpg(parts[".cpg"]) if ".cpg" in parts else None
    return data, cpg_text


def _dbf_text_bytes(data: bytes) -> bytes:
    """Return the bytes of the field names and character fields of a dBASE file."""
    if len(data) < 32:
        return b""
    n_records, header_len, record_len = struct.unpack("<IHH", data[4:12])
    names = []
    char_fields = []
    offset = 1  # deletion flag
    pos = 32
    while pos + 32 <= min(header_len, len(data)) and data[pos] != 0x0D:
        desc = data[pos : pos + 32]
        names.append(desc[:11].split(b"\x00")[0])
        ftype, flen = desc[11:12], desc[16]
        if ftype in (b"C", b"M"):
            char_fields.append((offset, flen))
        offset += flen
        pos += 32
    chunks = list(names)
    body = data[header_len:]
    for r in range(min(n_records, len(body) // max(record_len, 1))):
        rec = body[r * record_len : (r + 1) * record_len]
        for off, flen in char_fields:
            chunks.append(rec[off : off + flen].rstrip(b" \x00"))
    return b"\n".join(chunks)


def detect_encoding(path: str | Path, layer: str | None = None) -> tuple[str, str]:
    """Return the text encoding of a shapefile's attributes and how it was decided.

    Order: the ``.cpg`` file; else the dBASE language-driver byte when it names
    a code page; else the data itself: UTF-8 when it decodes as UTF-8, else
    GB18030 (a superset of GBK and GB2312, what older Chinese desktop GIS wrote).

    Parameters
    ----------
    path
        A ``.shp`` file or a ``.zip`` holding shapefiles.
    layer
        In a zip of several shapefiles, the one to look at (its name without ``.shp``).

    Returns
    -------
    tuple of str
        ``(encoding, how)`` with ``how`` one of ``"cpg"``, ``"ldid"``, ``"detected"``.
    """
    data, cpg = _dbf_bytes(Path(path), layer)
    if cpg and cpg.strip():
        name = cpg.strip().lower()
        enc = _CPG_ALIASES.get(name, name)
        try:
            "".encode(enc)
            return enc, "cpg"
        except (LookupError, ValueError):
            logger.warning("unknown code page %r in .cpg of %s; detecting instead", cpg, path)
    if len(data) > 29 and data[29] in _LDID:
        enc = _LDID[data[29]]
        return ("gb18030" if enc == "cp936" else enc), "ldid"
    text = _dbf_text_bytes(data)
    if all(b < 0x80 for b in text):
        return "utf-8", "detected"
    try:
        text.decode("utf-8")
        return "utf-8", "detected"
    except UnicodeDecodeError:
        pass
    try:
        text.decode("gb18030")
        return "gb18030", "detected"
    except UnicodeDecodeError:
        return "latin-1", "detected"


# ------------------------------------------------------------------ discovery
#: files eco12geo itself writes into --out: never taken for input layers when a folder is searched
OUTPUT_NAMES = frozenset({"audit.json", "report.json", "coverage.json", "scorecard.json", "sheets.json",
                          "violations.gpkg"})


def is_own_output(path: Path) -> bool:
    """Return True for a file or folder eco12geo writes into ``--out`` (or its staging), hidden files included."""
    name = path.name
    return (
        name.startswith(".")
        or name.lower() in OUTPUT_NAMES
        or name.lower().endswith("_repaired.gpkg")
        or (name == "repaired" and path.is_dir())
    )


def _layers_in(path: Path) -> list[str]:
    check_regular(path, "folder")
    try:
        info = pyogrio.list_layers(path)
    except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds
        raise InputError(f"cannot open {path}: {_gdal_message(exc)}; check the file is a readable GIS file") from None
    # tables without geometry (QGIS's layer_styles, attribute tables) are no layers; name them to read them
    return [str(row[0]) for row in info if row[1] is not None]


def _candidates(paths: Iterable[str | Path]) -> list[tuple[LayerSource, str]]:
    """Expand files and folders into (source, name-to-match) pairs."""
    out: list[tuple[LayerSource, str]] = []
    for raw in paths:
        src = LayerSource.parse(str(raw))
        p = src.path
        if not p.exists():
            raise InputError(f"{p} does not exist; give an existing file or folder")
        if src.layer:
            out.append((src, src.layer))
        elif p.is_dir() and p.suffix.lower() != ".gdb":
            for child in sorted(p.iterdir()):
                if child.suffix.lower() in VECTOR_SUFFIXES + (".gdb",) and not is_own_output(child):
                    out.extend(_candidates([child]))
        elif p.suffix.lower() in MULTI_LAYER_SUFFIXES:
            layers = _layers_in(p)
            for name in layers:
                out.append((LayerSource(p, name), name))
        elif p.suffix.lower() == ".zip" and len(members := zip_shapefiles(p)) > 1:
            for name in members:
                out.append((LayerSource(p, name), name))
        else:
            out.append((src, p.stem))
    return out


def discover_layers(
    paths: Sequence[str | Path], plan: Plan
) -> tuple[dict[str, LayerSource], list[str]]:
    """Match every layer found in files or folders to a plan key by its name.

    Returns
    -------
    (matched, unmatched)
        ``matched`` maps keys to sources; ``unmatched`` lists the layers no key
        fits (listed, never guessed).

    Raises
    ------
    InputError
        When two layers match the same key.
    """
    matched: dict[str, LayerSource] = {}
    unmatched: list[str] = []
    for src, name in _candidates(paths):
        key = plan.match_layer(name)
        if key is None:
            unmatched.append(str(src))
        elif key in matched:
            raise InputError(
                "both {first} and {src} look like layer '{key}'; pick one with {opt:layer_args={key}=PATH}",
                first=matched[key], src=src, key=key,
            )
        else:
            matched[key] = src
    return matched, unmatched


# ------------------------------------------------------------------ reading
def _gdal_message(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()
    return msg[0] if msg else type(exc).__name__


def _gdal_path(src: LayerSource) -> str:
    p = src.path
    if p.suffix.lower() == ".zip":
        return f"/vsizip/{p.resolve()}"
    return str(p)


def _check_crs(gdf: gpd.GeoDataFrame, src: LayerSource, assume_crs: str | None) -> bool:
    """Set or check the layer's CRS in place; return True when it was assumed."""
    assumed = False
    if gdf.crs is None:
        if not assume_crs:
            raise CRSError(
                "{src} declares no CRS (missing or empty .prj); give it with {opt:assume_crs=EPSG:4490} "
                "(or the CGCS2000 Gauss–Krüger zone it is in, e.g. EPSG:4538)", src=src
            )
        try:
            gdf.set_crs(CRS.from_user_input(assume_crs), inplace=True, allow_override=True)
        except PyprojCRSError:
            raise CRSError("{opt:assume_crs={value}} is not a CRS pyproj knows; give e.g. EPSG:4490",
                           value=assume_crs) from None
        assumed = True
    crs = CRS.from_user_input(gdf.crs)
    geoms = gdf.geometry.values
    ok = ~(shapely.is_missing(np.asarray(geoms, dtype=object)) | shapely.is_empty(np.asarray(geoms, dtype=object)))
    if not ok.any():
        return assumed
    xmin, ymin, xmax, ymax = shapely.total_bounds(np.asarray(geoms, dtype=object)[ok])
    label = crs.to_string()
    # total_bounds skips NaN: look at the coordinates themselves
    if not np.isfinite([xmin, ymin, xmax, ymax]).all() or not _finite(np.asarray(geoms, dtype=object)[ok]):
        raise CRSError(f"{src} has non-finite coordinates; repair the geometries in a GIS")
    if crs.is_geographic:
        if xmin < -180 or xmax > 360 or ymin < -90 or ymax > 90:
            raise CRSError(
                "{src} declares geographic CRS {label} but its coordinates ({xmin:.0f}, {ymin:.0f}) … "
                "({xmax:.0f}, {ymax:.0f}) are not degrees; they look like metres — fix the .prj "
                "or give the right CRS with {opt:assume_crs}", src=src, label=label, xmin=xmin, ymin=ymin,
                xmax=xmax, ymax=ymax,
            )
        lon = np.array([xmin, xmax])
        lat = np.array([ymin, ymax])
    else:
        from pyproj import Transformer

        t = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
        xs = np.array([xmin, xmin, xmax, xmax])
        ys = np.array([ymin, ymax, ymin, ymax])
        lon, lat = t.transform(xs, ys)
        if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
            raise CRSError(
                "{src} has coordinates ({xmin:.0f}, {ymin:.0f}) … ({xmax:.0f}, {ymax:.0f}) impossible for "
                "its CRS {label}; check the .prj (zone, false easting) or use {opt:assume_crs}",
                src=src, label=label, xmin=xmin, ymin=ymin, xmax=xmax, ymax=ymax,
            )
    aou = crs.area_of_use
    if aou is not None:
        # a GK zone is 3° wide: data may spill a little past it, but not by a zone (a wrong-zone .prj)
        margin = 3.0 if crs.is_geographic else 1.0
        if (
            np.min(lon) < aou.west - margin
            or np.max(lon) > aou.east + margin
            or np.min(lat) < aou.south - margin
            or np.max(lat) > aou.north + margin
        ):
            raise CRSError(
                f"{src} has coordinates outside the area where its CRS {label} ({aou.name}) is used: "
                f"lon {np.min(lon):.2f}…{np.max(lon):.2f}, lat {np.min(lat):.2f}…{np.max(lat):.2f}; "
                "the .prj is probably wrong (wrong zone, or metres declared as degrees)"
            )
    return assumed


def _finite(geoms: np.ndarray, chunk: int = 100_000) -> bool:
    """Return True when every coordinate of ``geoms`` is finite (no NaN, no infinity)."""
    for start in range(0, len(geoms), chunk):
        if not np.isfinite(shapely.get_coordinates(geoms[start : start + chunk])).all():
            return False
    return True


def _check_geometry_type(gdf: gpd.GeoDataFrame, src: LayerSource, layer_def: LayerDef) -> None:
    types = set(gdf.geometry.dropna().geom_type.unique()) - {"GeometryCollection"}
    wrong = types - GEOMETRY_TYPES[layer_def.geometry]
    if wrong:
        raise GeometryTypeError(
            f"{src} holds {'/'.join(sorted(wrong))} geometries but layer '{layer_def.key}' "
            f"({layer_def.name_zh}) needs {layer_def.geometry}s; give the right file for this key"
        )


def read_layer(
    source: str | Path | LayerSource,
    *,
    key: str | None = None,
    plan: Plan | None = None,
    assume_crs: str | None = None,
    engine: str = "pyogrio",
    progress: Callable[[int, int], None] | None = None,
) -> gpd.GeoDataFrame:
    """Read one layer, checking encoding, CRS and geometry type.

    Parameters
    ----------
    source
        A path (``.shp``, ``.zip``, ``.gpkg``, ``.geojson``, ``.gdb``), a
        ``file.gpkg:layer`` text, or a :class:`LayerSource`.
    key, plan
        The layer key and the plan defining it; with both, the geometry type
        is checked against the plan.
    assume_crs
        CRS for a layer that declares none; without it such a layer is an error.
    engine
        ``"pyogrio"`` (default) or ``"fiona"``.
    progress
        Called as ``progress(features_read, total)`` while a large layer is read.

    Returns
    -------
    geopandas.GeoDataFrame
        With ``attrs`` holding ``source``, ``key``, ``encoding`` and ``crs_assumed``.

    Raises
    ------
    InputError, CRSError, GeometryTypeError
        With a one-line message saying what is wrong and what to do.
    """
    src = source if isinstance(source, LayerSource) else LayerSource.parse(str(source))
    p = src.path
    if not p.exists():
        raise InputError(f"{p} does not exist; check the path")
    suffix = p.suffix.lower()
    if p.is_dir() and suffix != ".gdb":
        raise InputError(f"{p} is a folder; give a file, or pass folders as positional PATHs")
    if suffix not in VECTOR_SUFFIXES + (".gdb",):
        raise InputError(
            f"{p} is not a format eco12geo reads (.shp, .zip, .gpkg, .geojson, .json, .gdb); "
            "export it to GeoPackage"
        )
    if suffix != ".gdb":
        check_regular(p)
    encoding: str | None = None
    how = ""
    if suffix == ".shp" or suffix == ".zip":
        if suffix == ".shp" and not p.with_suffix(".dbf").exists() and not p.with_suffix(".DBF").exists():
            raise InputError(f"{p} has no .dbf beside it; copy the whole shapefile (.shp, .shx, .dbf, .prj)")
        if suffix == ".zip":
            members = zip_shapefiles(p)
            if not members:
                raise InputError(f"{p} holds no .shp; zip the shapefile's .shp, .shx, .dbf and .prj")
            if src.layer is None and len(members) > 1:
                raise InputError(
                    f"{p} holds {len(members)} shapefiles ({', '.join(members[:6])}); pick one as {p}:NAME"
                )
            if src.layer is not None and src.layer not in members:
                raise InputError(f"{p} holds no shapefile {src.layer}.shp (it holds {', '.join(members[:6])})")
        check_shapefile(p, src.layer)
        check_dbf_text(p, src.layer)
        encoding, how = detect_encoding(p, src.layer)
    layer = src.layer
    if layer is None and suffix in MULTI_LAYER_SUFFIXES:
        names = _layers_in(p)
        if len(names) != 1:
            raise InputError(
                f"{p} holds {len(names)} layers ({', '.join(names[:6])}); pick one as {p}:LAYERNAME"
            )
        layer = names[0]
    gdf = _read(src, layer, encoding, engine, progress, how)
    if suffix == ".gpkg" and layer is not None:
        check_gpkg_text(p, layer)
    if suffix in (".geojson", ".json"):
        _check_geojson(p, gdf, src, assume_crs)
    arr = np.asarray(gdf.geometry.values, dtype=object)
    null = int((shapely.is_missing(arr) | shapely.is_empty(arr)).sum())
    assumed = _check_crs(gdf, src, assume_crs)
    if key is not None and plan is not None and key in plan.layers:
        _check_geometry_type(gdf, src, plan.layers[key])
    gdf.attrs.update(
        {"source": str(src), "key": key, "encoding": encoding, "encoding_how": how, "crs_assumed": assumed,
         "null_geometries": null}
    )
    return gdf


#: GeoJSON files up to this size are parsed once more to count what GDAL could not read
GEOJSON_CHECK_BYTES = 64 << 20
_CRS_MEMBER = re.compile(rb'"crs"\s*:\s*\{[^{}]*"properties"\s*:\s*\{[^{}]*"name"\s*:\s*"([^"]{1,200})"')


def _check_geojson(path: Path, gdf: gpd.GeoDataFrame, src: LayerSource, assume_crs: str | None) -> None:
    """Check what GDAL does silently with GeoJSON: unknown ``crs`` names and geometries it reads as null.

    GDAL reads a ``crs`` member it does not know as EPSG:4326 and a malformed
    geometry (a Polygon nested one level too shallow) as null; both are refused.
    """
    size = path.stat().st_size
    doc: Any = None
    if size <= GEOJSON_CHECK_BYTES:
        try:
            doc = json.loads(path.read_bytes())
        except (ValueError, RecursionError):
            doc = None
    name: str | None = None
    if isinstance(doc, dict):
        crs = doc.get("crs")
        if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
            value = crs["properties"].get("name")
            name = str(value) if value is not None else None
    elif doc is None:
        with path.open("rb") as fh:
            m = _CRS_MEMBER.search(fh.read(1 << 20))
        name = m.group(1).decode("utf-8", "replace") if m else None
    if name is not None:
        try:
            CRS.from_user_input(name)
        except PyprojCRSError:
            if not assume_crs:
                raise CRSError(
                    "{src} names the CRS {name!r} in its crs member, and the CRS is unknown; "
                    "give the CRS of its coordinates with {opt:assume_crs} (e.g. EPSG:4490)", src=src, name=name
                ) from None
            gdf.set_crs(None, inplace=True, allow_override=True)
    if isinstance(doc, dict):
        if doc.get("type") == "FeatureCollection" and isinstance(doc.get("features"), list):
            feats = doc["features"]
        elif doc.get("type") == "Feature":
            feats = [doc]
        else:
            return
        given = [i for i, f in enumerate(feats) if isinstance(f, dict) and f.get("geometry") is not None]
        got = ~shapely.is_missing(np.asarray(gdf.geometry.values, dtype=object))
        if len(got) == len(feats):
            lost = [i for i in given if not got[i]]
            if lost:
                raise InputError(
                    f"{src}: {len(lost)} of {len(feats)} geometries cannot be read (feature {lost[0] + 1} first: "
                    "malformed coordinates, e.g. a Polygon nested one level too shallow); fix them in a GIS"
                )
def _read_arrow(
    path: str, layer: str | None, total: int, progress: Callable[[int, int], None] | None
) -> gpd.GeoDataFrame | None:
    """Read a large layer in one pass through pyogrio's Arrow stream, batch by batch; None when not suited.

    About twice as fast as reading in chunks by feature offset.  Layers with
    date, time or JSON fields, and machines without pyarrow, take the usual path.
    """
    try:
        import pyarrow as pa
    except ImportError:
        return None
    info = pyogrio.read_info(path, layer=layer)
    if any(str(t).startswith("datetime") for t in info["dtypes"]) or "OFSTJSON" in info.get("ogr_subtypes", []):
        return None
    batches = []
    with pyogrio.raw.open_arrow(path, layer=layer, batch_size=CHUNK, use_pyarrow=True) as (meta, reader):
        schema = reader.schema
        for batch in reader:
            batches.append(batch)
            if progress is not None:
                progress(min(sum(len(b) for b in batches), total), total)
    df = pa.Table.from_batches(batches, schema=schema).to_pandas()
    name = meta["geometry_name"] or "wkb_geometry"
    wkb = df.pop(name).to_numpy(dtype=object) if name in df.columns else np.full(len(df), None, dtype=object)
    geoms = map_chunks(shapely.from_wkb, wkb)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index, crs=meta["crs"]), crs=meta["crs"])


def _read(
    src: LayerSource,
    layer: str | None,
    encoding: str | None,
    engine: str,
    progress: Callable[[int, int], None] | None,
    how: str = "",
) -> gpd.GeoDataFrame:
    path = _gdal_path(src)
    kwargs: dict[str, object] = {}
    if layer is not None:
        kwargs["layer"] = layer
    if encoding is not None:
        kwargs["encoding"] = encoding
    try:
        if engine == "fiona":
            gdf = gpd.read_file(path, engine="fiona", **kwargs)
        elif engine == "pyogrio":
            total = int(pyogrio.read_info(path, layer=layer, encoding=encoding)["features"])
            arrow = _read_arrow(path, layer, total, progress) if encoding is None and total > CHUNK else None
            if arrow is not None:
                gdf = arrow
            elif progress is None or total <= CHUNK:
                gdf = pyogrio.read_dataframe(path, **kwargs)
                if progress is not None:
                    progress(len(gdf), total)
            else:
                parts = []
                for start in range(0, total, CHUNK):
                    parts.append(pyogrio.read_dataframe(path, skip_features=start, max_features=CHUNK, **kwargs))
                    progress(min(start + CHUNK, total), total)
                gdf = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
        else:
            raise InputError(f"unknown engine {engine!r}; use pyogrio or fiona")
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        if how == "cpg":
            raise InputError(
                f"{src}: its .cpg says {encoding} but the attribute text is not {encoding}; "
                "write the right code page into the .cpg (e.g. GBK) or delete it"
            ) from None
        raise InputError(
            f"{src}: attribute text is not {exc.encoding}; add a .cpg file naming the code page (e.g. GBK)"
        ) from None
    except Exception as exc:  # noqa: BLE001 - GDAL/fiona raise many kinds
        raise InputError(f"cannot read {src}: {_gdal_message(exc)}; check the file opens in QGIS") from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf:
        raise InputError(f"{src} has no geometry column; give a spatial layer")
    dup = gdf.columns[gdf.columns.duplicated()].unique().tolist()
    if dup:
        raise InputError(f"{src} has the field {dup[0]!r} more than once; rename one in a GIS and try again")
    return gdf


def read_report(path: str | Path) -> dict[str, Any]:
    """Read validate's ``report.json`` (schema_version 1), checked by :class:`~eco12geo.schemas.outputs.ReportDoc`."""
    p = Path(path)
    if not p.is_file():
        raise InputError("{opt:report={p}} does not exist; give the report.json that eco12geo validate wrote", p=p)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError("{opt:report={p}} is not a JSON document ({exc}); give validate's report.json",
                         p=p, exc=exc) from None
    if not isinstance(doc, dict) or doc.get("schema_version") != 1 or not isinstance(doc.get("violations", []), list):
        raise InputError("{opt:report={p}} is not a report.json of schema_version 1 (see INTERFACE.md)", p=p)
    try:
        ReportDoc.model_validate(doc)
    except ValidationError as exc:
        loc = exc.errors()[0]["loc"]
        what = f"violation {int(loc[1]) + 1}" if loc[:1] == ("violations",) and len(loc) > 1 else "it"
        detail = join(problems(exc, ReportDoc, what="report"))
        raise InputError(
            "{opt:report={p}}: {what} is not of the report.json schema ({detail}); "
            "give the report.json that eco12geo validate wrote", p=p, what=what, detail=detail
        ) from None
    return doc
