"""The package logger; the library never configures handlers beyond a NullHandler."""

from __future__ import annotations

import logging

logger = logging.getLogger("eco12geo")
logger.addHandler(logging.NullHandler())
