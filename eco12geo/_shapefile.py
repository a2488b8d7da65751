"""Raw structure checks of shapefiles and zips, before GDAL is let near them.

GDAL reads a damaged shapefile without complaint: a ``.shp`` cut short gives
null geometries, a zero-byte ``.dbf`` gives no attributes.  These checks
compare the parts of a shapefile with each other (``.shx`` record offsets and
lengths against the ``.shp`` length, the ``.dbf`` record count against the
``.shx``) and look at a zip's directory (sizes, compression ratios, links,
paths leaving the archive) before anything is unpacked.  Every problem is an
:class:`~eco12geo.errors.InputError` naming the file and what to do.
"""

from __future__ import annotations

import contextlib
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

import numpy as np

from .errors import InputError

__all__ = [
    "CPG_MAX_BYTES",
    "check_regular",
    "check_shapefile",
    "check_zip",
    "check_dbf_text",
    "check_gpkg_text",
    "read_cpg",
    "shapefile_parts",
]

#: at most this many bytes of a .cpg are read (a code page name is a few bytes)
CPG_MAX_BYTES = 256
#: a zip holding more entries than this is not a zipped shapefile
ZIP_MAX_MEMBERS = 10_000
#: an entry unpacking to more than this many times its packed size is refused, once past ZIP_RATIO_FLOOR
ZIP_MAX_RATIO = 200
ZIP_RATIO_FLOOR = 16 << 20
#: no entry may declare more than this (a shapefile part is at most 2 GB, a .dbf at most 4 GB)
ZIP_MAX_MEMBER = 4 << 30
_SIDECARS = (".shp", ".shx", ".dbf", ".cpg", ".prj")


def check_regular(path: Path, what: str | None = None) -> None:
    """Refuse a path that is not a regular file (a FIFO, a device, a socket) without opening it.

    Raises
    ------
    InputError
        When ``path`` exists but is not a regular file (symbolic links are followed).
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"cannot look at {path}: {exc.strerror}; check the path and its permissions") from None
    if stat.S_ISREG(mode) or (stat.S_ISDIR(mode) and what == "folder"):
        return
    kind = (
        "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
        else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "a folder" if stat.S_ISDIR(mode)
        else "not a file"
    )
    raise InputError(f"{path} is not a regular file ({kind}); give a file saved on disk")


# ------------------------------------------------------------------ zips
def _unsafe_name(name: str) -> str | None:
    """Return why a zip entry name is unsafe, or None."""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        return "an absolute path"
    if ".." in PurePosixPath(norm).parts:
        return "a path leading out of the archive (..)"
    if "\x00" in name:
        return "a NUL character in its name"
    return None


def check_zip(path: Path) -> list[zipfile.ZipInfo]:
    """Check a zip's directory before anything in it is read; return its entries.

    Refused: a file that is not a zip; more than :data:`ZIP_MAX_MEMBERS`
    entries; an entry with an absolute path or ``..`` (zip slip); an entry that
    is a symbolic link; an entry declaring more than 4 GB, or unpacking to more
    than :data:`ZIP_MAX_RATIO` times its packed size (a zip bomb).

    Raises
    ------
    InputError
        Naming the zip, the entry and what to do.
    """
    check_regular(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise InputError(f"{path} is not a valid zip file; zip the shapefile again") from None
    if len(infos) > ZIP_MAX_MEMBERS:
        raise InputError(
            f"{path} holds {len(infos):,} entries, far more than a zipped shapefile; "
            "unzip it and give the .shp (or a .gpkg) instead"
        )
    for info in infos:
        why = _unsafe_name(info.filename)
        if why:
            raise InputError(
                f"{path} holds an entry {info.filename!r} with {why}; it is refused (zip slip) — "
                "zip the shapefile again with plain file names"
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise InputError(
                f"{path} holds {info.filename!r} as a symbolic link, not a file; "
                "zip the real files (zip without --symlinks)"
            )
        packed = max(info.compress_size, 1)
        if info.file_size > ZIP_MAX_MEMBER or (
            info.file_size > ZIP_RATIO_FLOOR and info.file_size / packed > ZIP_MAX_RATIO
        ):
            raise InputError(
                f"{path}: entry {info.filename!r} unpacks to {info.file_size:,} bytes from {info.compress_size:,} "
                "(a zip bomb?); it is refused before unpacking — unzip it yourself and give the .shp"
            )
    return infos


# ------------------------------------------------------------------ shapefile parts
@dataclass
class _Part:
    """One part of a shapefile (.shp, .shx, .dbf, .cpg), on disk or in a zip."""

    label: str
    size: int
    path: Path | None = None
    zip_path: Path | None = None
    member: str | None = None

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """Open the part for reading (a zip member is streamed, never unpacked whole)."""
        if self.path is not None:
            with self.path.open("rb") as fh:
                yield fh
            return
        assert self.zip_path is not None and self.member is not None
        try:
            with zipfile.ZipFile(self.zip_path) as zf, zf.open(self.member) as fh:
                yield fh
        except InputError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise InputError(
                f"{self.label} cannot be unpacked ({str(exc).strip() or type(exc).__name__}): the zip is damaged; "
                "zip the shapefile again"
            ) from None


def shapefile_parts(path: Path, layer: str | None = None) -> dict[str, _Part]:
    """Return the parts of a shapefile (``.shp`` path, or a zip and the stem of one shapefile in it)."""
    parts: dict[str, _Part] = {}
    if path.suffix.lower() == ".zip":
        infos = check_zip(path)
        shps = [i for i in infos if i.filename.lower().endswith(".shp") and not i.is_dir()]
        shp = next((i for i in shps if layer is None or PurePosixPath(i.filename).stem == layer), None)
        if shp is None:
            return parts
        base = shp.filename[:-4]
        for info in infos:
            name = info.filename
            if name[: len(base)] == base and name[len(base):].lower() in _SIDECARS:
                parts.setdefault(name[len(base):].lower(), _Part(
                    f"{path}:{name}", info.file_size, zip_path=path, member=name))
        return parts
    for sib in path.parent.glob(f"{_glob_escape(path.stem)}.*"):
        ext = sib.suffix.lower()
        if sib.stem == path.stem and ext in _SIDECARS and ext not in parts:
            check_regular(sib)
            parts[ext] = _Part(str(sib), sib.stat().st_size, path=sib)
    return parts


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)


def read_cpg(part: _Part) -> str:
    """Return the text of a ``.cpg`` (at most :data:`CPG_MAX_BYTES` read).

    Raises
    ------
    InputError
        When it is longer than a code page name, or holds NUL or control bytes.
    """
    with part.open() as fh:
        data = fh.read(CPG_MAX_BYTES + 1)
    if len(data) > CPG_MAX_BYTES:
        raise InputError(
            f"{part.label} is {part.size:,} bytes, not a code page name; "
            "write the code page (e.g. UTF-8 or GBK) into it, or delete it"
        )
    text = data.decode("ascii", "replace").strip()
    if any(ord(c) < 0x20 or c == "\ufffd" for c in text):
        raise InputError(
            f"{part.label} holds NUL or other non-text bytes, not a code page name; "
            "write the code page (e.g. UTF-8 or GBK) into it, or delete it"
        )
    return text


def _shx_records(fh: IO[bytes]) -> Iterator[np.ndarray]:
    """Yield the .shx records (offset, length in 16-bit words) in blocks."""
    fh.read(100)
    while True:
        block = fh.read(8 * 65536)
        if not block:
            return
        usable = len(block) - len(block) % 8
        yield np.frombuffer(block[:usable], dtype=">i4").reshape(-1, 2).astype(np.int64)
        if usable != len(block):
            return


def check_shapefile(path: Path, layer: str | None = None) -> None:
    """Check that the parts of a shapefile agree, before GDAL reads it.

    ``path`` is a ``.shp`` or a ``.zip`` (``layer`` names the shapefile in it).

    Raises
    ------
    InputError
        ``X.shp is truncated: record 3 of 10 ends past the end of the file (n bytes); restore the file``,
        a missing or damaged ``.shx``, a zero-byte or cut ``.dbf``, record counts that differ.
    """
    parts = shapefile_parts(path, layer)
    shp = parts.get(".shp")
    if shp is None:
        return
    name = shp.label
    if shp.size == 0:
        raise InputError(f"{name} is empty (0 bytes); restore the file from its source")
    with shp.open() as fh:
        head = fh.read(100)
    if len(head) < 100 or struct.unpack(">i", head[:4])[0] != 9994:
        raise InputError(f"{name} is not a shapefile (no shapefile header); restore the file from its source")
    declared = struct.unpack(">i", head[24:28])[0] * 2
    shx = parts.get(".shx")
    if shx is None:
        if shp.zip_path is not None:
            raise InputError(
                f"{shp.zip_path} holds {shp.member} without its .shx (the index); "
                "zip the .shp, .shx, .dbf and .prj together"
            )
        raise InputError(
            f"{name} has no .shx (its index) beside it; copy the .shx with the .shp, .dbf and .prj "
            "(or rebuild it in QGIS)"
        )
    if shx.size < 100 or (shx.size - 100) % 8:
        raise InputError(
            f"{shx.label} is damaged ({shx.size:,} bytes is not a shapefile index); restore the file from its source"
        )
    n = (shx.size - 100) // 8
    with shx.open() as fh:
        done = 0
        for rec in _shx_records(fh):
            ends = rec[:, 0] * 2 + 8 + rec[:, 1] * 2
            bad = np.flatnonzero((ends > shp.size) | (rec[:, 0] < 50) | (rec[:, 1] < 0))
            if len(bad):
                i = done + int(bad[0])
                if rec[bad[0], 0] < 50 or rec[bad[0], 1] < 0:
                    raise InputError(
                        f"{shx.label} is damaged: record {i + 1} of {n} has an impossible offset; "
                        "restore the file from its source"
                    )
                raise InputError(
                    f"{name} is truncated: record {i + 1} of {n} ends past the end of the file "
                    f"({shp.size:,} bytes); restore the file"
                )
            done += len(rec)
    if declared > shp.size:
        raise InputError(
            f"{name} is truncated: its header declares {declared:,} bytes but the file has {shp.size:,}; "
            "restore the file"
        )
    dbf = parts.get(".dbf")
    if dbf is None:
        if shp.zip_path is not None:
            raise InputError(
                f"{shp.zip_path} holds {shp.member} without its .dbf (the attributes); "
                "zip the .shp, .shx, .dbf and .prj together"
            )
        raise InputError(f"{name} has no .dbf beside it; copy the whole shapefile (.shp, .shx, .dbf, .prj)")
    if dbf.size == 0:
        raise InputError(
            f"{dbf.label} is empty (0 bytes): every attribute would be lost; restore the file from its source"
        )
    with dbf.open() as fh:
        head = fh.read(32)
    if len(head) < 32:
        raise InputError(f"{dbf.label} is cut inside its header ({dbf.size} bytes); restore the file from its source")
    n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
    if header_len < 33 or dbf.size < header_len:
        raise InputError(
            f"{dbf.label} is cut inside its header ({dbf.size:,} of {header_len:,} bytes); "
            "restore the file from its source"
        )
    if record_len < 1 or header_len + n_records * record_len > dbf.size:
        fit = (dbf.size - header_len) // max(record_len, 1)
        raise InputError(
            f"{dbf.label} is truncated: it declares {n_records:,} records but holds {fit:,}; "
            "restore the file from its source"
        )
    if n_records != n:
        raise InputError(
            f"{dbf.label} holds {n_records:,} records but {shx.label} indexes {n:,} shapes; the parts do not "
            "belong together — restore the shapefile from its source"
        )


# ------------------------------------------------------------------ NUL bytes inside text
def _nul_message(where: str, field: str, record: int) -> str:
    return (f"{where}: field {field!r} of record {record} has a NUL byte inside its text; GDAL would cut the "
            "text there (two names could become one) — clean the field in a GIS")


def check_dbf_text(path: Path, layer: str | None = None, chunk_records: int = 65536) -> None:
    """Refuse a .dbf whose text fields hold a NUL byte followed by more text.

    GDAL ends a text value at its first NUL, so ``a<NUL>b`` and ``a<NUL>c``
    would both read as ``a``.  NUL padding at the end of a value is fine.
    """
    dbf = shapefile_parts(path, layer).get(".dbf")
    if dbf is None:
        return
    with dbf.open() as fh:
        head = fh.read(32)
        if len(head) < 32:
            return
        n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
        desc = fh.read(max(header_len - 32, 0))
        fields: list[tuple[str, int, int]] = []
        offset = 1
        for pos in range(0, len(desc) - 31, 32):
            if desc[pos] == 0x0D:
                break
            name = desc[pos : pos + 11].split(b"\x00")[0].decode("latin-1")
            ftype, flen = desc[pos + 11 : pos + 12], desc[pos + 16]
            if ftype == b"C":
                fields.append((name, offset, flen))
            offset += flen
        if not fields or record_len < 1:
            return
        done = 0
        while done < n_records:
            block = fh.read(record_len * min(chunk_records, n_records - done))
            n = len(block) // record_len
            if n == 0:
                return
            rec = np.frombuffer(block[: n * record_len], dtype=np.uint8).reshape(n, record_len)
            for name, off, flen in fields:
                a = rec[:, off : off + flen]
                seen = np.maximum.accumulate(a == 0, axis=1)
                bad = np.flatnonzero(((a != 0) & (a != 0x20) & seen).any(axis=1))
                if len(bad):
                    raise InputError(_nul_message(dbf.label, name, done + int(bad[0]) + 1))
            done += n


def check_gpkg_text(path: Path, layer: str) -> None:
    """Refuse a GeoPackage table whose text columns hold NUL bytes (GDAL would cut the text there).

    The file is opened read-only and immutable: nothing is written next to it.
    """
    import sqlite3
    import urllib.parse

    uri = f"file:{urllib.parse.quote(str(path.resolve()))}?mode=ro&immutable=1"
    try:
        con = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return
    try:
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{layer.replace(chr(34), chr(34) * 2)}")')
                if str(r[2]).upper().startswith("TEXT")]
        if not cols:
            return
        quoted = ['"' + c.replace('"', '""') + '"' for c in cols]
        cond = " OR ".join(f"instr(CAST({c} AS BLOB), X'00') > 0" for c in quoted)
        table = '"' + layer.replace('"', '""') + '"'
        row = con.execute(f"SELECT rowid, {', '.join(quoted)} FROM {table} WHERE {cond} LIMIT 1").fetchone()
        if row is not None:
            field = next(c for c, v in zip(cols, row[1:], strict=True) if isinstance(v, str) and "\x00" in v)
            raise InputError(_nul_message(f"{path}:{layer}", field, int(row[0])))
    except sqlite3.Error:
        return
    finally:
        con.close()
