"""The small text filters every edition shares: the templates (as Jinja filters), the chart,
the text edition and the archive's index print dates, names, lists and cut quotations the same
way through these.

Plain functions of strings (and of a cited block, for :func:`verbatim`), with no state and no
import beyond the models: whatever renders an edition can use them without loading Jinja2.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from briefing.models import Cited, Item, TimelineEvent

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def longdate(value: str | None) -> str:
    """'2026-11-22' -> '22 November 2026', '2018-11' -> 'November 2018', '2003' -> '2003';
    anything else is returned unchanged (a date shown as given beats a crash)."""
    if not value:
        return ""
    parts = value.split("-")
    try:
        if len(parts) == 3:
            day = date(int(parts[0]), int(parts[1]), int(parts[2]))
            return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
        if len(parts) == 2 and 1 <= int(parts[1]) <= 12:
            return f"{_MONTHS[int(parts[1]) - 1]} {int(parts[0])}"
    except ValueError:
        return value
    return value


def quote_display(text: str) -> str:
    """A quotation as shown inside quotation marks: the verbatim words without the comma or
    colon that led back into the reporter's sentence ('...attacks,” Lavrov said')."""
    return text.strip().rstrip(",;:").rstrip()


def capfirst(value: str) -> str:
    """A name as a heading: its first letter capitalised ('the Russian Foreign Ministry' ->
    'The Russian Foreign Ministry'); the rest as the source gives it."""
    return value[:1].upper() + value[1:]


def inline_list(values: Iterable[str]) -> str:
    """'a', 'b', 'c' -> 'a, b and c'."""
    items = [v for v in values if v]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def nobreak_hyphens(text: str) -> str:
    """``text`` with a word joiner (U+2060) after each hyphen, so a line never breaks there:
    a label reads 'al-Qaida', never 'al-' and 'Qaida' on two lines."""
    return text.replace("-", "-\u2060")


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(value: str) -> str:
    """A fragment id from a theme id: 'Trade & economy' -> 'trade-economy'."""
    return _SLUG.sub("-", value.lower()).strip("-") or "section"


def counted(n: int, noun: str) -> str:
    """'no new items', '1 new item', '5 new items'."""
    return f"no {noun}s" if n == 0 else f"{n} {noun}{'' if n == 1 else 's'}"


CUT = "[…]"  # an editor's cut, told apart from an ellipsis the source wrote itself ("...")


def verbatim(block: Cited | Item | TimelineEvent, quote: bool = False) -> str:
    """A block's text as printed: "[…]" where it was cut inside a sentence."""
    text = quote_display(block.text) if quote else block.text.strip()
    return (CUT + " " if block.cut_before else "") + text + (" " + CUT if block.cut_after else "")
