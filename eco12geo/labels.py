"""The labels moved to :mod:`eco12geo.render.labels` (presentation lives in :mod:`eco12geo.render`).

This module keeps the old import path working: ``from eco12geo.labels import label``.
"""

from __future__ import annotations

from .render.labels import (
    LANGS,
    indicator_label,
    label,
    map_labels,
    pad,
    text_width,
    unit_words,
    validate_label,
)

__all__ = ["LANGS", "indicator_label", "label", "map_labels", "pad", "text_width", "unit_words", "validate_label"]
