"""Presentation: everything eco12geo shows people, apart from the data files it writes.

- :mod:`eco12geo.render.terminal`: the text tables and summaries the commands print;
- :mod:`eco12geo.render.scorecard`: the indicator scorecard (表1) as a terminal table;
- :mod:`eco12geo.render.html`: HTML pages from Jinja2 templates with autoescaping (``report.html``, the
  maps' ``index.html``);
- :mod:`eco12geo.render.maps`: the interactive map pages (folium), from what
  :mod:`eco12geo.render.mapdata` prepares (display geometries, escaped popup fields) and how
  :mod:`eco12geo.render.mapstyle` draws it (styles from the plan file, page CSS, elements);
- :mod:`eco12geo.render.labels`: every zh/en label (``eco12geo.labels`` stays as an alias).

The file writers are in :mod:`eco12geo.report`.
"""

from __future__ import annotations

from .html import report_html
from .scorecard import scorecard_table
from .terminal import audit_table, coverage_table, validate_summary

__all__ = ["audit_table", "coverage_table", "report_html", "scorecard_table", "validate_summary"]
