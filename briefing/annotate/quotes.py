"""Article text -> quotations (:class:`~briefing.models.Quote`) with who said them.

A quotation is words in quotation marks that the article attributes to someone (contract.md):
a reporting cue with a speaker in the same sentence (``"...," said Kabulov``, ``Lavrov said:
"..."``, ``urged the Taliban "..."``, ``called it a "..."``, ``is describing it as "..."``,
``"..." reply Burton and Nick``: two speakers are one speaker string), a signature after a dash
(``"..." ― Sonya Herridge``), a transcript's speaker label (:mod:`briefing.annotate.turns`), a
quoted sentence continuing the quote before it, or a bare quoted sentence right after one
reporting its speaker (``He said:`` closing the paragraph before). Quoted words nobody is said
to have said (scare quotes, titles, terms) are left out.

This module is the entry point and runs the steps in order: marks are paired tolerantly and the
text cut into sentences (:mod:`briefing.annotate.marks`); the article's people are listed
(:mod:`briefing.annotate.people`); every sentence's reporting cues are found with their
speakers (:mod:`briefing.annotate.cues`); and each pair of marks is attributed to one of them
(:mod:`briefing.annotate.attribution`). Speakers are resolved to the fullest name the article
gives.

This is a pure-rules extractor: on PolNeAR dev it measures as well as the dependency-parse
prototype, costs milliseconds per article and never loads spaCy. ``parser`` is accepted so that a
caller holding cached parses can pass them; the rules do not need it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

from briefing.annotate.attribution import Around, Reading, attribute
from briefing.annotate.cues import sentence_cues
from briefing.annotate.marks import (
    Marked,
    Tok,
    masked,
    pair_marks,
    sentences,
    split_paragraphs,
    tokens,
)
from briefing.annotate.mentions import plausible_speaker
from briefing.annotate.people import People
from briefing.annotate.turns import turns
from briefing.annotate.words import CUES
from briefing.models import Article, Quote, Segmented, Span

__all__ = ["Parser", "article_quotes", "extract_quotes", "plausible_speaker", "CUES"]


class Parser(Protocol):
    """Anything that parses a text into a spaCy-like ``Doc`` (e.g. a cache keyed by content
    hash in front of ``spacy.load(...)``)."""

    def __call__(self, text: str) -> Any: ...


def extract_quotes(text: str, paragraphs: Sequence[tuple[int, int]] | None = None,
                   *, parser: Parser | None = None) -> list[Quote]:
    """All quotations in an article's text, in source order (models.Quote).

    ``paragraphs`` are the body paragraphs' spans (furniture removed); without them the text is
    split on blank lines. Offsets index ``text`` exactly and exclude the enclosing marks.
    """
    paras = sorted(paragraphs) if paragraphs is not None else split_paragraphs(text)
    pairs = pair_marks(text, paras)
    mtext = masked(text, pairs)
    people = People.build(text, paras)
    sents: list[tuple[int, int]] = []
    for s, e in paras:
        sents.extend(sentences(mtext, s, e, text))
    starts = [s for s, _ in sents]
    hits = [sentence_cues(text, mtext, s, e, people) for s, e in sents]
    flat = [h for hs in hits for h in hs]  # in reading order: cues by sentence, then by token
    reading = Reading(text, mtext, people, flat, [h.cue.start for h in flat])

    @lru_cache(maxsize=4)  # the loop goes in reading order: the sentence at hand and the last
    def sentence_tokens(i: int) -> tuple[list[Tok], list[int]]:
        toks = tokens(mtext, *sents[i])
        return toks, [t.start for t in toks]

    out: list[Quote] = []
    last: Quote | None = None
    for m in pairs:
        spoken = turns(text, m, paras)
        if spoken:
            for turn in spoken:
                label = text[turn.label_start:turn.label_end]
                name = people.cast.full_name(label.split()[-1].title()) or label.title()
                last = Quote(turn.start, turn.end, name, Span(turn.label_start, turn.label_end),
                             ":", "full", 0.85)
                out.append(last)
            continue
        span = _content(text, m)
        if span is None or _is_title(text, m, span):
            continue
        si = max(0, bisect.bisect_right(starts, m.open) - 1)
        end = m.close if m.closed else max(m.open, m.close - 1)
        ei = max(0, bisect.bisect_right(starts, end) - 1)
        around = Around(
            left=[h for h in hits[si] if h.cue.end <= m.open],
            right=[h for h in hits[ei] if h.start > m.close],
            lead=_tokens_before(*sentence_tokens(si), m.open, mtext),
            after=_tokens_from(*sentence_tokens(ei), m.close + 1, mtext) if m.closed else [],
            before=hits[si - 1] if si and _introduces(text, sents[si - 1], sents[si]) else [],
            sent=sents[ei])
        quote = attribute(reading, m, span, around, last)
        if quote is not None:
            out.append(quote)
            last = quote
    return out


def _tokens_before(toks: list[Tok], starts: list[int], pos: int, mtext: str) -> list[Tok]:
    """The tokens of a sentence before ``pos`` (as if it were tokenised up to there: a masked
    run going on past ``pos`` is cut there)."""
    out = toks[:bisect.bisect_left(starts, pos)]
    if out and out[-1].end > pos:
        out[-1] = Tok(mtext[out[-1].start:pos], out[-1].start, pos)
    return out


def _tokens_from(toks: list[Tok], starts: list[int], pos: int, mtext: str) -> list[Tok]:
    """The tokens of a sentence from ``pos`` on (a masked run begun before it starts there)."""
    k = bisect.bisect_left(starts, pos)
    out = toks[k:]
    if k and toks[k - 1].end > pos:
        out.insert(0, Tok(mtext[pos:toks[k - 1].end], pos, toks[k - 1].end))
    return out


def _introduces(text: str, prev: tuple[int, int], cur: tuple[int, int]) -> bool:
    """Whether the sentence ``prev`` leads into ``cur``: same paragraph, or it ends in a colon."""
    return "\n" not in text[prev[1]:cur[0]] or text[prev[0]:prev[1]].rstrip().endswith(":")


def article_quotes(article: Article, seg: Segmented) -> list[Quote]:
    """The quotations of an article's body (page furniture left out by the segmenter)."""
    return extract_quotes(article.text, [(p.start, p.end) for p in seg.body])


def _content(text: str, m: Marked) -> tuple[int, int] | None:
    """The quoted words between the marks: whitespace and a trailing comma trimmed."""
    a, b = m.open + 1, m.close
    while a < b and text[a].isspace():
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] == ","):
        b -= 1
    return (a, b) if b > a and any(ch.isalnum() for ch in text[a:b]) else None


def _is_title(text: str, m: Marked, span: tuple[int, int]) -> bool:
    """A title or name in marks: in parentheses, or a few capitalised words and no sentence."""
    if m.open > 0 and text[m.open - 1] == "(" and text[m.close + 1:m.close + 2] == ")":
        return True
    words = text[span[0]:span[1]].split()
    if len(words) <= 6 and not re.search(r"[.!?,]$", text[span[0]:span[1]]):
        big = [w for w in words if len(w) > 3]
        # title case leaves only the minor words small ('Game of Thrones'); 'Don't you do it' is
        # a sentence
        small = [w for w in words if len(w) <= 3 and w[:1].isalpha() and not w[:1].isupper()]
        return bool(big) and all(w[:1].isupper() for w in big) and len(words) > 1 \
            and all(w.lower() in _MINOR_WORDS for w in small)
    return False


_MINOR_WORDS = set("a an the and but or nor for so yet of in on at to by up off as vs via "
                   "per".split())
