"""Typed schemas (pydantic 2) of the documents eco12geo reads, and one way to report their errors.

Every model forbids unknown keys, so a misspelt key is an error that names it
(with the closest known key), never a silently ignored setting.  :func:`problems`
turns a :class:`pydantic.ValidationError` into one message per problem, all at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = ["Strict", "join", "key_path", "problems"]


class Strict(BaseModel):
    """Base of every document model: unknown keys are errors, values are not coerced across types."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def key_path(
    loc: Sequence[int | str],
    labels: dict[tuple[int | str, ...], str] | None = None,
    names: dict[tuple[int | str, ...], str] | None = None,
) -> str:
    """Return a dotted key path for a pydantic location: ``('figures', 1, 'kind')`` → ``figures[1].kind``.

    ``labels`` may name list items, e.g. ``{('figures', 1): 'redline_area'}`` gives
    ``figures[1] (redline_area).kind``; ``names`` replace a list index, e.g.
    ``{('indicator', 6): 'no=7'}`` gives ``indicator[no=7].kind``.
    """
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            prefix = tuple(loc[: i + 1])
            out += f"[{(names or {}).get(prefix, part)}]"
            label = (labels or {}).get(prefix)
            if label:
                out += f" ({label})"
        else:
            out += ("." if out else "") + str(part)
    return out


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _known_keys(model: Any, loc: Sequence[int | str]) -> list[str]:
    """Return the keys the model at ``loc`` knows (the parent of an unknown key).

    A field name steps into the field's type; a list index or a dict key steps into the
    item model (models nest without ``Optional``, so the two never clash).
    """
    current: Any = model
    for part in loc:
        if _is_model(current) and isinstance(part, str):
            field = current.model_fields.get(part)
            current = field.annotation if field is not None else None
        else:
            current = _item_model(current)
        if current is None:
            return []
    if not _is_model(current):
        current = _item_model(current)
    return [f.alias or name for name, f in current.model_fields.items()] if _is_model(current) else []


def _item_model(annotation: Any) -> Any:
    """Return the model inside ``list[M]``, ``tuple[M, ...]``, ``dict[str, M]`` or ``M | None``."""
    for arg in getattr(annotation, "__args__", ()) or ():
        if _is_model(arg):
            return arg
        inner = _item_model(arg)
        if inner is not None:
            return inner
    return None


def problems(
    exc: ValidationError,
    model: Any,
    *,
    what: str = "plan",
    labels: dict[tuple[int | str, ...], str] | None = None,
    names: dict[tuple[int | str, ...], str] | None = None,
) -> list[str]:
    """Return one plain message per problem of a failed validation, in document order.

    Parameters
    ----------
    exc
        The error pydantic raised.
    model
        The model validated, or a type such as ``list[Model]`` (to suggest the closest known
        key for an unknown one).
    what
        How messages name the document's keys (``plan key '…'``, ``exceptions key '…'``).
    labels
        Names for list items (see :func:`key_path`).
    names
        Names that replace a list item's index (see :func:`key_path`).
    """
    out: list[str] = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        name = key_path(loc, labels, names)
        kind = err["type"]
        if kind == "extra_forbidden":
            known = _known_keys(model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else (f"; known: {sorted(known)}" if known else "")
            out.append(f"{what} key '{name}' is not a known key{hint}")
        elif kind == "missing":
            out.append(f"{what} key '{name}' is missing")
        elif kind in {"literal_error", "enum"}:
            expected = err.get("ctx", {}).get("expected", "")
            out.append(f"{what} key '{name}' must be one of {expected}, not {err['input']!r}")
        elif kind in _BOUNDS:
            bound = next(iter(err.get("ctx", {}).values()), "")
            bound = f"{bound:g}" if isinstance(bound, int | float) else bound
            out.append(f"{what} key '{name}' must be {_BOUNDS[kind]} {bound}, not {_short(err.get('input'))}")
        else:
            msg = err["msg"]
            msg = msg[len("Value error, "):] if msg.startswith("Value error, ") else msg
            out.append(f"{what} key '{name}': {msg[:1].lower() + msg[1:]}, not {_short(err.get('input'))}")
    return out


_BOUNDS = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def join(messages: Iterable[str]) -> str:
    """Join problem messages into the one line the CLI prints."""
    items = list(messages)
    if len(items) == 1:
        return items[0]
    return f"{len(items)} problems: " + "; ".join(items)
