"""Reading the indicators file: validate it against its typed schema, then build the :class:`IndicatorSet`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import PlanError
from ..plan import load_plan, read_toml
from ..schemas import join, problems
from ..schemas.indicators import CheckDoc, IndicatorDoc, IndicatorsDocument, cross_check, row_names
from .model import Assessed, Indicator, IndicatorCheck, IndicatorSet, Part

__all__ = ["load_indicators", "parse_indicators"]


def _check(c: CheckDoc) -> IndicatorCheck:
    return IndicatorCheck(c.kind, c.op, c.value, c.better, tuple(c.accept), tuple(c.reject))


def _indicator(r: IndicatorDoc, years: tuple[int, ...]) -> Indicator:
    def cells(values: dict[str, str]) -> dict[int, str]:
        return {y: values[str(y)] for y in years}

    if r.part:
        target = r.target or ""
        parts = tuple(
            Part(p.name_zh, p.name_en, p.unit if p.unit is not None else r.unit,
                 p.target if p.target is not None else target, _check(p.check), cells(p.values),
                 {int(k): Assessed(a.status, a.source) for k, a in p.assessed.items()})
            for p in r.part
        )
        target = target or "；".join(p.target for p in parts)
    else:
        assert r.target is not None and r.check is not None and r.values is not None  # cross_check's
        target = r.target
        parts = (Part(r.name_zh, r.name_en, r.unit, target, _check(r.check), cells(r.values),
                      {int(k): Assessed(a.status, a.source) for k, a in r.assessed.items()}),)
    return Indicator(r.no, r.name_zh, r.name_en, r.domain, r.task, r.unit, r.attribute, target, r.section, parts,
                     bool(r.part), tuple(r.aliases), tuple(r.covers))


def parse_indicators(data: dict[str, Any], source: str = "") -> IndicatorSet:
    """Validate a parsed indicators file and build its :class:`IndicatorSet`.

    Parameters
    ----------
    data
        The parsed TOML.
    source
        How the file is named (kept as :attr:`IndicatorSet.source`).

    Raises
    ------
    PlanError
        Naming every key at fault, all at once (rows as ``indicator[no=7]``): unknown keys
        (with the closest known key), wrong types or words, and problems that span keys
        (see :func:`eco12geo.schemas.indicators.cross_check`).
    """
    try:
        doc = IndicatorsDocument.model_validate(data)
    except ValidationError as exc:
        raise PlanError(join(problems(exc, IndicatorsDocument, what="indicators", names=row_names(data)))) from None
    wrong = cross_check(doc)
    if wrong:
        raise PlanError(join(wrong))
    head = doc.indicators
    years = tuple(head.years)
    return IndicatorSet(
        plan_id=head.plan_id,
        section=head.section,
        years=years,
        base_year=head.base_year if head.base_year is not None else years[0],
        domains=dict(head.domains),
        indicators=tuple(_indicator(r, years) for r in doc.indicator),
        stated_total=head.stated_total,
        stated_binding=head.stated_binding,
        stated_reference=head.stated_reference,
        stated_met=head.stated_met,
        stated_not_met=tuple(head.stated_not_met),
        source=source,
    )


def load_indicators(plan_path: str | Path | None = None) -> IndicatorSet:
    """Load the indicators the plan file names in ``[plan] indicators``.

    Parameters
    ----------
    plan_path
        A TOML plan file; None uses the bundled 12th Division plan.  The indicators file is
        resolved relative to the plan file.

    Returns
    -------
    IndicatorSet
        The validated indicators.

    Raises
    ------
    PlanError
        When the plan has no ``plan.indicators`` key, the file is missing, or a key of it is
        missing or wrong; the message names the key.
    """
    plan = load_plan(plan_path)
    where_plan = str(plan_path) if plan_path is not None else "(bundled) plan"
    name = plan.indicators
    if name is None:
        raise PlanError(f"{where_plan}: plan key 'plan.indicators' is missing; name the file of 表1's indicators there")
    path = None if plan_path is None else Path(plan_path).parent / name
    if path is not None:
        folder = Path(plan_path).resolve().parent  # type: ignore[arg-type]
        if not path.resolve().is_relative_to(folder):
            raise PlanError(f"{where_plan}: plan key 'plan.indicators' names {name!r}, which leads out of the plan's "
                            "folder; keep the indicators file beside the plan file")
        if not path.is_file():
            raise PlanError(f"{where_plan}: plan key 'plan.indicators' names {path}, which does not exist")
    data, where = read_toml(path, name, what="indicators file")
    try:
        ind = parse_indicators(data, where)
    except PlanError as exc:
        raise PlanError(f"{where}: {exc}") from None
    if ind.plan_id != plan.id:
        raise PlanError(f"{where}: indicators key 'indicators.plan_id' is {ind.plan_id!r}, the plan is {plan.id!r}")
    return ind

