"""All of a command's outputs, or none: a staging folder inside ``--out``.

While :func:`staging` is active, :func:`eco12geo.report.atomic_write` writes
every file meant for ``--out`` into ``--out/.eco12geo-staging-<pid>`` instead.
When the command ends normally (exit 0 or 1) the files are moved into place,
one :func:`os.replace` each, JSON documents last; on an error or a signal the
staging folder is removed.  A run killed outright (SIGKILL, power loss) leaves
its staging folder behind; the next run into the same ``--out`` removes it.  A
live run holds a lock on its folder, so two runs into one ``--out`` never
remove each other's files.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import OutputError

__all__ = ["STAGING_PREFIX", "clean_stale", "output_error", "staged_path", "staging", "current_path"]

STAGING_PREFIX = ".eco12geo-staging-"
_LOCK = ".lock"


@dataclass
class _Stage:
    out: Path
    folder: Path | None = None
    lock_fd: int | None = None
    created_out: bool = False
    files: dict[Path, Path] = field(default_factory=dict)  # final → staged

    def open(self) -> Path:
        """Create the output folder and this run's staging folder (on the first write)."""
        if self.folder is not None:
            return self.folder
        try:
            if not self.out.exists():
                self.out.mkdir(parents=True)
                self.created_out = True
            clean_stale(self.out)
            folder = self.out / f"{STAGING_PREFIX}{os.getpid()}"
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            fd = os.open(folder / _LOCK, os.O_CREAT | os.O_RDWR, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            raise output_error(exc, self.out) from None
        self.folder, self.lock_fd = folder, fd
        return folder

    def commit(self) -> None:
        """Move every staged file into place (JSON last: its presence means the set is complete)."""
        order = sorted(self.files.items(), key=lambda kv: (kv[0].suffix == ".json", str(kv[0])))
        for final, staged in order:
            try:
                final.parent.mkdir(parents=True, exist_ok=True)
                if final.is_symlink():
                    raise _link_error(final)
                if final.is_dir():
                    raise OutputError("{final} is a folder; move it away or give another {opt:out} folder", final=final)
                os.replace(staged, final)
            except OSError as exc:
                raise output_error(exc, final) from None
        self.discard()

    def discard(self) -> None:
        """Remove the staging folder (and --out when this run created it and left it empty)."""
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        if self.created_out:
            with contextlib.suppress(OSError):
                self.out.rmdir()  # only when empty


_ACTIVE: contextvars.ContextVar[_Stage | None] = contextvars.ContextVar("eco12geo_staging", default=None)


def _link_error(path: Path) -> OutputError:
    return OutputError("{path} is a symbolic link; eco12geo never writes through a link — "
                       "remove it or give another {opt:out} folder", path=path)


def output_error(exc: OSError, path: Path) -> OutputError:
    """Turn an operating-system error on an output into one line saying what and where."""
    reasons = {
        errno.ENOSPC: "the disk is full; free some space or give another {opt:out} folder",
        errno.EDQUOT: "the disk quota is used up; free some space or give another {opt:out} folder",
        errno.EROFS: "the file system is read-only; give a writable {opt:out} folder",
        errno.EACCES: "permission denied; give a folder you may write to as {opt:out}",
        errno.EPERM: "permission denied; give a folder you may write to as {opt:out}",
        errno.ENOENT: "the folder cannot be created there; give a writable {opt:out} folder",
        errno.ENOTDIR: "part of the path is a file, not a folder; give another {opt:out} folder",
    }
    why = reasons.get(exc.errno or 0, "{strerror}; give a writable {opt:out} folder")
    return OutputError("cannot write {path}: " + why, path=path, strerror=exc.strerror or exc)


def clean_stale(out: Path) -> list[Path]:
    """Remove staging folders of runs that are no longer alive (their lock is free); return them."""
    removed: list[Path] = []
    try:
        children = list(out.iterdir())
    except OSError:
        return removed
    for child in children:
        if not child.name.startswith(STAGING_PREFIX) or child.is_symlink() or not child.is_dir():
            continue
        try:
            fd = os.open(child / _LOCK, os.O_RDWR)
        except OSError:
            fd = None
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd) if fd is not None else None
            continue  # a live run holds it
        shutil.rmtree(child, ignore_errors=True)
        if fd is not None:
            os.close(fd)
        removed.append(child)
    return removed


def staged_path(final: Path) -> Path:
    """Return where a file meant for ``final`` is written now: its staging place, or ``final`` itself.

    Raises
    ------
    OutputError
        When ``final`` is a symbolic link, or leads outside ``--out``.
    """
    if final.is_symlink():
        raise _link_error(final)
    stage = _ACTIVE.get()
    if stage is None:
        return final
    try:
        rel = final.absolute().relative_to(stage.out.absolute())
    except ValueError:
        return final  # not an output of this command's --out
    if ".." in rel.parts or not rel.parts:
        raise OutputError("refusing to write {final}: it is outside {opt:out={out}}", final=final, out=stage.out)
    folder = stage.open()
    # a subfolder of --out that is a link would lead the files elsewhere
    probe = stage.out
    for part in rel.parts[:-1]:
        probe = probe / part
        if probe.is_symlink():
            raise _link_error(probe)
    target = folder / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    stage.files[final.absolute()] = target
    return target


def current_path(final: Path) -> Path:
    """Return the file to read for ``final``: the one staged in this run if any, else ``final``."""
    stage = _ACTIVE.get()
    key = final.absolute()
    if stage is not None and key in stage.files and stage.files[key].exists():
        return stage.files[key]
    return final


@contextlib.contextmanager
def staging(out: str | Path) -> Iterator[None]:
    """Stage every output for ``out`` while the block runs; move them into place when it ends well.

    The block ending with ``SystemExit`` 0 or 1 (validate's exit codes) counts
    as ending well; any other exception or exit discards what was staged.
    """
    stage = _Stage(Path(out))
    token = _ACTIVE.set(stage)
    try:
        yield
    except SystemExit as exc:
        _ACTIVE.reset(token)
        if exc.code in (0, 1, None):
            _finish(stage)
        else:
            stage.discard()
        raise
    except BaseException:
        _ACTIVE.reset(token)
        stage.discard()
        raise
    else:
        _ACTIVE.reset(token)
        _finish(stage)


def _finish(stage: _Stage) -> None:
    try:
        stage.commit()
    except BaseException:
        stage.discard()
        raise
