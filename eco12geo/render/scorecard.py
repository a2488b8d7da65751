"""The scorecard as a plain-text terminal table, grouped by domain (a pure function: it returns the text)."""

from __future__ import annotations

from ..indicators.evaluate import Scorecard
from .labels import indicator_label as lab
from .labels import pad, text_width

__all__ = ["scorecard_table"]


def _clip(text: str, width: int) -> str:
    if text_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def scorecard_table(card: Scorecard, lang: str = "zh", given: bool = False) -> str:
    """Return the scorecard as a plain-text table for the terminal, grouped by domain.

    Parameters
    ----------
    card
        From :func:`eco12geo.indicators.evaluate`.
    lang
        ``zh`` (default) or ``en`` labels.
    given
        True when values were given (``--values``): the heading says so.

    Returns
    -------
    str
        The table, one line per row, without a final newline.
    """
    marks = {"met": "✓", "not_met": "✗", "no_data": "?"}
    source = lab("given" if given else "published", lang)
    year = lab("year_of", lang).format(year=card.year)
    lines = [f"{lab('title', lang)} — {year} — {source}", ""]
    wn, wv, wt = 40, 26, 26
    lines.append("    " + pad(lab("no", lang), 5) + pad(lab("name", lang), wn + 1) + pad(lab("value", lang), wv + 1)
                 + pad(lab("target", lang), wt + 1) + lab("status", lang))
    domain = None
    for r in card.results:
        d = r.indicator
        if d.domain != domain:
            domain = d.domain
            lines.append(d.domain if lang == "zh" else r.domain_en)
        rows = [(marks[r.status], str(d.no), d.name_zh if lang == "zh" else d.name_en, r.value, d.target, r.status,
                 d.attribute)]
        if d.multi:
            rows[0] = (rows[0][0], rows[0][1], rows[0][2], "", d.target, r.status, d.attribute)
            for k, p in enumerate(r.parts, start=1):
                rows.append((marks[p.status], f"{d.no}.{k}", "  " + (p.name_zh if lang == "zh" else p.name_en),
                             p.value or "—", p.target, p.status, ""))
        for mark, no, name, value, target, status, attr in rows:
            attr_s = f" ({lab(attr, lang)})" if attr else ""
            lines.append("  " + pad(mark, 2) + pad(no, 5) + pad(_clip(name, wn), wn + 1)
                         + pad(_clip(value if value is not None else "—", wv), wv + 1) + pad(_clip(target, wt), wt + 1)
                         + lab(status, lang) + attr_s)
    s = card.summary
    lines.append("")
    lines.append(f"{lab('summary', lang)}: {lab('met', lang)} {s['met']} · {lab('not_met', lang)} {s['not_met']}"
                 f" · {lab('no_data', lang)} {s['no_data']}")
    return "\n".join(lines)
