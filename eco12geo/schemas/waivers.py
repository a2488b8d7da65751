"""The exceptions file (accepted violations, waivers) as a typed document.

One entry per accepted violation: ``rule``, ``features``, ``reason``, ``document``,
optionally ``layers`` and ``unit``.  A CSV gives every cell as text; YAML may give
lists.  Unknown keys (a misspelt ``documnet``) are errors, as in every document.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from . import Strict
from .plan import RuleName

__all__ = ["WaiverDoc", "WaiverFile"]

Text = Annotated[str, Field(min_length=1)]
Ids = list[str | int] | str | int


class WaiverDoc(Strict):
    """One accepted violation: which rule and features, why, and by which document."""

    rule: RuleName
    features: Ids
    reason: Text
    document: Text
    layers: Ids | None = None
    unit: str | int | None = None


class WaiverFile(Strict):
    """A YAML exceptions file written as a table with an ``exceptions`` list."""

    exceptions: list[WaiverDoc] = []
