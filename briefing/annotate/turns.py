"""Transcripts quoted in an article: a quotation whose paragraphs open with a speaker's label
(``"WALLACE: Let's start ...`` / ``"PENCE: Well, look ...``) is a series of turns, one quotation
per speaker, each attributed to its label.

A helper of :mod:`briefing.annotate.quotes`; it only cuts spans, the caller resolves the labels
to names.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.annotate.marks import MARKS, Marked

# An upper-case label of one to three words ('PENCE', 'MS. CLINTON', 'SEN. TIM KAINE') and a colon
_LABEL = re.compile(r"((?:[A-Z][A-Z.'’\-]+)(?: [A-Z][A-Z.'’\-]+){0,2}):\s+(?=\S)")


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker's turn: the label as written and the spoken words (marks excluded)."""

    label_start: int
    label_end: int
    start: int
    end: int


def turns(text: str, m: Marked, paragraphs: Sequence[tuple[int, int]]) -> list[Turn]:
    """The turns of a quoted transcript, or [] when the quotation does not open with a label.
    A paragraph of the run without a label continues the turn before it."""
    body = m.open + 1
    first = _LABEL.match(text, body)
    if first is None or len(first.group(1).replace(" ", "")) < 2:
        return []
    end = m.close
    starts = [(first.start(1), first.end(1), first.end())]
    # the paragraphs inside the quotation, found by offset (paragraphs are in order)
    for s, _ in paragraphs[bisect.bisect_right(paragraphs, m.open, key=lambda p: p[0]):]:
        if s >= end:
            break
        lead = s + 1 if text[s] in MARKS else s
        found = _LABEL.match(text, lead)
        if found is not None:
            starts.append((found.start(1), found.end(1), found.end()))
    out = []
    for i, (ls, le, cs) in enumerate(starts):
        ce = starts[i + 1][0] if i + 1 < len(starts) else end
        while ce > cs and (text[ce - 1].isspace() or text[ce - 1] in MARKS):
            ce -= 1
        if ce > cs:
            out.append(Turn(ls, le, cs, ce))
    return out
