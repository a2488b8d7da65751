"""Stable file names for units (regiments), shared by the report and the maps.

Unit names are Chinese text (``104团``); file names must be plain ASCII and
stable across runs, so a unit's page is ``unit-`` followed by the hex of the
first 8 bytes of the SHA-1 of its name (UTF-8).
"""

from __future__ import annotations

import hashlib

__all__ = ["slugify", "unit_page"]


def slugify(name: str) -> str:
    """Return the stable ASCII slug of a unit name: ``unit-`` + 16 hex digits.

    Examples
    --------
    >>> slugify("104团")
    'unit-f760d02510ab287b'
    """
    digest = hashlib.sha1(name.strip().encode("utf-8")).hexdigest()
    return f"unit-{digest[:16]}"


def unit_page(name: str) -> str:
    """Return the file name of a unit's map page: ``<slug>.html``."""
    return f"{slugify(name)}.html"
