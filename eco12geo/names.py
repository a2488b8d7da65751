"""Names of things in outputs: feature ids, and stable file names for units (regiments).

Feature ids are the layer's id field (``BSM``) where it has one, else the
1-based row number as ``#N`` (INTERFACE.md).

Unit names are Chinese text (``104团``); file names must be plain ASCII,
stable across runs, unique, and never a path outside the output folder.  A
unit's page is ``unit-`` + a readable ASCII part (from the unit's English
name when the plan gives one) + the first 8 hex digits of the SHA-1 of the
real name (UTF-8), which keeps two units apart even when their ASCII parts
are the same.  The real name is shown in the page itself.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["feature_ids", "slugify", "unit_page"]


def slugify(name: str, label: str = "") -> str:
    """Return the stable ASCII slug of a unit name.

    Parameters
    ----------
    name
        The unit's real name (any text).
    label
        Text to take the readable part from (e.g. the plan's English name);
        default ``name`` itself.

    Examples
    --------
    >>> slugify("104团", "104th Regiment")
    'unit-104th-regiment-f760d025'
    >>> slugify("五一农场")
    'unit-8e30698c'
    >>> slugify("../../evil<b>")
    'unit-evil-b-720241e1'
    """
    digest = hashlib.sha1(name.strip().encode("utf-8")).hexdigest()[:8]
    text = unicodedata.normalize("NFKD", label or name).encode("ascii", "ignore").decode("ascii").lower()
    readable = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40].strip("-")
    return f"unit-{readable}-{digest}" if readable else f"unit-{digest}"


def unit_page(name: str, label: str = "") -> str:
    """Return the file name of a unit's map page: ``<slug>.html``."""
    return f"{slugify(name, label)}.html"


def _id_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def feature_ids(gdf: pd.DataFrame, id_field: str | None) -> list[str]:
    """Return each feature's id: its ``id_field`` value, else its 1-based row number as ``#N``."""
    n = len(gdf)
    if id_field and id_field in gdf.columns and pd.api.types.is_string_dtype(gdf[id_field].dtype):
        # text ids (the usual BSM) without a loop: stripped, and #N where missing or blank
        text = gdf[id_field].str.strip()
        blank = (text.isna() | (text == "")).to_numpy(dtype=bool)
        if not blank.any():
            return [str(t) for t in text.to_numpy(dtype=object)]
        rows = np.char.add("#", (np.arange(n) + 1).astype(str)).astype(object)
        return [str(t) for t in np.where(blank, rows, text.to_numpy(dtype=object))]
    values = list(gdf[id_field]) if id_field and id_field in gdf.columns else [None] * n
    out = []
    for i, v in enumerate(values):
        t = _id_text(v)
        out.append(t if t is not None else f"#{i + 1}")
    return out
