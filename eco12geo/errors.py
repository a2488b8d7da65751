"""Exceptions raised by eco12geo.

Every class inherits from :class:`Eco12GeoError`; those that describe bad
input also inherit the matching builtin, as rasterio's errors do, so callers
may catch either.  The CLI turns any :class:`Eco12GeoError` into exit code 2
with its message on one line.

A library error never names a command-line flag.  When the fix is another
argument, the message is a template that names the argument as
``{opt:NAME}`` or ``{opt:NAME=VALUE}``, and the error carries that name in
:attr:`Eco12GeoError.param`.  Raised from Python, the message reads
``assume_crs='EPSG:4490'``; the CLI renders the same error with its own
flag, ``--assume-crs EPSG:4490`` (see :meth:`Eco12GeoError.render`).

Examples
--------
>>> err = CRSError("{path} declares no CRS; give it with {opt:assume_crs=EPSG:4490}",
...                param="assume_crs", path="tc.shp")
>>> str(err)
"tc.shp declares no CRS; give it with assume_crs='EPSG:4490'"
>>> err.param
'assume_crs'
>>> err.render(lambda name, value: f"--{name.replace('_', '-')}" + (f" {value}" if value else ""))
'tc.shp declares no CRS; give it with --assume-crs EPSG:4490'
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "AssetError",
    "CRSError",
    "Eco12GeoError",
    "GeometryTypeError",
    "InputError",
    "OutputError",
    "PlanError",
    "python_option",
]

#: how an argument named in a message is written: ``(name, value or None) -> text``
OptionStyle = Callable[[str, "str | None"], str]

_OPT_FIELD = re.compile(r"\{opt:(\w+)")


def python_option(name: str, value: str | None) -> str:
    """Write an argument the way a Python caller gives it: ``name`` or ``name='value'`` (numbers bare)."""
    if value is None:
        return name
    return f"{name}={value}" if re.fullmatch(r"-?\d+(\.\d+)?", value) else f"{name}={value!r}"


class _Options:
    """Format-field object: ``{opt:NAME=VALUE}`` renders through an :data:`OptionStyle`."""

    def __init__(self, style: OptionStyle) -> None:
        self.style = style

    def __format__(self, spec: str) -> str:
        name, sep, value = spec.partition("=")
        return self.style(name, value if sep else None)


class Eco12GeoError(Exception):
    """Root of all eco12geo errors.

    Parameters
    ----------
    message : str
        The message.  With ``param``, any ``values`` or an ``{opt:…}`` field it is a
        :meth:`str.format` template: ``{opt:NAME}`` / ``{opt:NAME=VALUE}`` fields name an
        argument, other fields are filled from ``values`` (so file text with braces is safe).
    param : str, optional
        The argument the caller should change (the first ``{opt:…}`` field when not given).
    **values
        Values of the template's other fields.

    Attributes
    ----------
    param : str or None
        Name of the Python argument at fault (``assume_crs``, ``year`` …), or None.
    """

    def __init__(self, message: str = "", *args: Any, param: str | None = None, **values: Any) -> None:
        self.template = message
        self.values = dict(values)
        m = _OPT_FIELD.search(message)
        self.templated = param is not None or bool(values) or m is not None
        if param is None and m is not None:
            param = m.group(1)
        self.param = param
        super().__init__(self.render(python_option), *args)

    def render(self, style: OptionStyle) -> str:
        """Return the message with every named argument written by ``style`` (the CLI passes its flags)."""
        if not self.templated:
            return self.template
        try:
            return string.Formatter().vformat(self.template, (), {**self.values, "opt": _Options(style)})
        except (KeyError, IndexError, ValueError):  # a message is never lost to its own template
            return self.template

    def __reduce__(self) -> tuple[Any, ...]:
        # keep template, param and values across pickling (dask workers, process pools)
        return (_rebuild, (type(self), self.template, self.param, self.values, self.args[1:]))


def _rebuild(cls: type[Eco12GeoError], template: str, param: str | None, values: Mapping[str, Any],
             args: tuple[Any, ...]) -> Eco12GeoError:
    err = cls.__new__(cls)
    Eco12GeoError.__init__(err, template, *args, param=param, **values)
    return err


class InputError(Eco12GeoError, ValueError):
    """An input file cannot be used as given (missing, unreadable, wrong content)."""


class CRSError(InputError):
    """A layer has no CRS, an unsupported CRS, or coordinates impossible for its CRS."""


class GeometryTypeError(InputError):
    """A layer's geometry type does not fit its layer key (points given for polygons)."""


class PlanError(Eco12GeoError, ValueError):
    """A plan file is malformed; the message names the key at fault."""


class AssetError(Eco12GeoError, RuntimeError):
    """The map assets are missing, or a page refers to an asset eco12geo cannot inline."""


class OutputError(Eco12GeoError):
    """An output cannot be written where asked (read-only, full disk, a link at its name)."""
