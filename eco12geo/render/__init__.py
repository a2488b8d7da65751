"""Presentation: everything eco12geo shows people, apart from the data files it writes.

- :mod:`eco12geo.render.terminal`: the text tables and summaries the commands print.

Labels (zh/en) live in :mod:`eco12geo.labels`; the file writers in :mod:`eco12geo.report`.
"""

from __future__ import annotations

from .terminal import audit_table, coverage_table, validate_summary

__all__ = ["audit_table", "coverage_table", "validate_summary"]
