"""Sentences: a paragraph cut into exact spans by fast rules, none longer than ``SENTENCE_MAX``.

The rules (abbreviations, initials, decimals, closing quotes, ellipses) look at the word before a
candidate end and the word after it, not at an NLP model: news text is regular enough, and the
rules cost nothing per article. A longer stretch without a sentence end (a list run together, a
wall of text with no full stop, a file of a million short lines) is cut into windows at a line
break or a space, so everything downstream works on pieces of bounded size.
"""

from __future__ import annotations

import re

from briefing.models import Span

_CANDIDATE = re.compile(r"(?:\.\.\.|[.!?…])+[\"'”’»)\]]*(?=\s)")
_NEVER = frozenset(
    "mr mrs ms messrs dr prof gen col lt maj sgt cpl capt cmdr adm gov sen rep rev hon pres supt "
    "insp amb st mme mlle fr vs v e.g i.e cf al approx".split()
)
_BEFORE_NUMBER = frozenset("no nos art fig figs p pp vol ch sec para jan feb mar apr jun jul aug "
                           "sep sept oct nov dec".split())
_MAYBE = frozenset("inc corp co ltd llc plc bros etc jr sr dept est univ assn ave blvd rd mt ft "
                   "a.m p.m".split())
_STARTERS = frozenset(
    "the a an it he she they we i you but and in on at this that these those there his her their "
    "its our as if when while after before however meanwhile so yet also earlier later last some "
    "many according both for with to from since despite".split()
)
_ACRONYM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
_OPENERS = "\"'“‘«([¿¡"


def _is_boundary(token: str, punct: str, nxt: str) -> bool:
    """Whether a sentence ends after ``token`` + ``punct`` given the next word ``nxt``."""
    first = nxt.lstrip(_OPENERS)[:1]
    if not first or first.islower():
        return False
    if punct[0] != "." or punct.startswith("..."):
        return True
    word = token.lstrip(_OPENERS)
    low = word.lower()
    if low in _NEVER:
        return False
    if len(word) == 1 and word.isupper():
        return False  # an initial: "J. Smith"
    next_word = nxt.lstrip(_OPENERS).split(None, 1)[0].rstrip(",;:").lower() if nxt else ""
    if low in _BEFORE_NUMBER:
        return not first.isdigit()
    if low in _MAYBE or _ACRONYM.match(word):
        return next_word in _STARTERS
    return True


SENTENCE_MAX = 1000  # characters: a longer stretch with no sentence end is cut into windows


def sentences(text: str, start: int, end: int) -> tuple[Span, ...]:
    """Cut ``text[start:end]`` into sentences: trimmed, ordered, disjoint spans that together
    cover every non-whitespace character of the range, none longer than ``SENTENCE_MAX``."""
    spans: list[Span] = []
    s = start
    for m in _CANDIDATE.finditer(text, start, end):
        cut = m.end()
        if cut >= end:
            break
        # only the sentence's last word matters: never split the whole stretch before it
        # (quadratic in a stretch with many candidates and no boundary, like "a.b a.b ...")
        before = text[max(s, m.start() - 80) : m.start()].rsplit(None, 1)
        token = before[-1] if before else ""
        nxt = text[cut : min(end, cut + 40)].lstrip()
        if _is_boundary(token, m.group(), nxt):
            _windows(text, s, cut, spans)
            s = cut
            while s < end and text[s].isspace():
                s += 1
    if s < end:
        _windows(text, s, end, spans)
    return tuple(spans)


def _windows(text: str, start: int, end: int, out: list[Span]) -> None:
    """Append ``text[start:end]`` (trimmed) to ``out`` as one sentence, or as windows of at most
    ``SENTENCE_MAX`` characters when longer: each cut at the last line break in the window's
    second half, else its last space, else (a run with no space at all) at the limit."""
    while end - start > SENTENCE_MAX:
        low, high = start + SENTENCE_MAX // 2, start + SENTENCE_MAX
        cut = max(text.rfind("\n", low, high), text.rfind("\r", low, high))
        if cut < 0:
            cut = max(text.rfind(" ", low, high), text.rfind("\t", low, high))
        if cut < 0:
            cut = high
        stop = cut
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        out.append(Span(start, stop))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        out.append(Span(start, end))

