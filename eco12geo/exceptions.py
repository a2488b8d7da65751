"""Deprecated name of :mod:`eco12geo.waivers` (the exceptions file of accepted violations).

The module was renamed because "exceptions" reads as Python exceptions (those are in
:mod:`eco12geo.errors`).  Import from :mod:`eco12geo.waivers`; this alias goes in 0.3.
"""

from __future__ import annotations

import warnings

from .waivers import ExceptionEntry, apply_exceptions, load_exceptions, parse_exceptions

__all__ = ["ExceptionEntry", "apply_exceptions", "load_exceptions", "parse_exceptions"]

warnings.warn("eco12geo.exceptions is now eco12geo.waivers", DeprecationWarning, stacklevel=2)
