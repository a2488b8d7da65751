"""What a rule finds: :class:`Violation` records and :class:`Check` records of what it looked at."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Check", "Violation"]


@dataclass
class Violation:
    """One thing wrong, located: rule, layers, features, unit, area and where."""

    rule: str
    severity: str
    layers: tuple[str, ...]
    features: tuple[str, ...]
    unit: str | None
    area_m2: float | None
    lon: float | None
    lat: float | None
    message: str
    message_zh: str = ""
    geometry: Any = field(default=None, repr=False, compare=False)
    details: dict[str, Any] = field(default_factory=dict)
    accepted: bool = False
    exception: dict[str, str] | None = None

    def sort_key(self) -> tuple[Any, ...]:
        """Key giving a deterministic order of violations."""
        return (
            self.rule,
            self.layers,
            self.unit or "",
            self.features,
            -(self.area_m2 or 0.0),
            self.lon if self.lon is not None else 999.0,
            self.lat if self.lat is not None else 999.0,
            self.message,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the ``report.json`` entry (INTERFACE.md), with extra detail keys after."""
        d: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "layers": list(self.layers),
            "features": list(self.features),
            "unit": self.unit,
            "area_m2": None if self.area_m2 is None else round(float(self.area_m2), 2),
            "lon": None if self.lon is None else round(float(self.lon), 6),
            "lat": None if self.lat is None else round(float(self.lat), 6),
            "message": self.message,
            "message_zh": self.message_zh,
            "accepted": self.accepted,
        }
        if self.exception:
            d["exception"] = dict(self.exception)
        d.update(_rounded(self.details))
        return d


def _rounded(details: dict[str, Any]) -> dict[str, Any]:
    """Detail fields in key order, floats rounded to 6 decimals (stable report.json bytes)."""
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in sorted(details.items())}


@dataclass
class Check:
    """One thing looked at, passed or not (also the targets, with values)."""

    rule: str
    status: str
    layer: str | None = None
    layers: tuple[str, ...] = ()
    value_m2: float | None = None
    target_m2: float | None = None
    violations: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[Any, ...]:
        """Key giving a deterministic order of checks."""
        return (self.rule, self.layer or "", self.layers, str(self.details.get("figure", "")),
                str(self.details.get("unit", "")))

    def to_dict(self) -> dict[str, Any]:
        """Return the ``report.json`` entry."""
        d: dict[str, Any] = {"rule": self.rule}
        if self.layer is not None:
            d["layer"] = self.layer
        if self.layers:
            d["layers"] = list(self.layers)
        d["status"] = self.status
        if self.value_m2 is not None or self.target_m2 is not None:
            d["value_m2"] = None if self.value_m2 is None else round(float(self.value_m2), 2)
            d["target_m2"] = None if self.target_m2 is None else round(float(self.target_m2), 2)
        if self.violations is not None:
            d["violations"] = self.violations
        d.update(_rounded(self.details))
        return d


# ------------------------------------------------------------------ inputs
