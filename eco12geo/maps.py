"""The map pages moved to :mod:`eco12geo.render.maps` (presentation lives in :mod:`eco12geo.render`).

This module keeps the old import path working: ``from eco12geo.maps import build_maps``.
"""

from __future__ import annotations

from .render.maps import BACKGROUND, BASEMAPS, build_maps, english_name, escape, prepare_geometries

__all__ = ["BACKGROUND", "BASEMAPS", "build_maps", "english_name", "escape", "prepare_geometries"]
