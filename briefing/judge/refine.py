"""Scored candidates made fit to be shown, before any is chosen: marked down where a passage
muses rather than reports, left out under the relative floor, turned into quotations where a
passage is mostly one, and cut so that every span stands alone.

A theme's ``require`` query was applied with its evidence, before any list was cut
(``themes.accepts``). Here a passage that is mostly questions, an aside in parentheses, or a
fragment of a few words is marked down (an analyst's briefing reports, it does not muse); a
passage scoring under RELATIVE_FLOOR of its theme's best is left out rather than padding the
section; a passage mostly made of one attributed quotation becomes that quotation, and a full
quotation carrying theme terms itself competes as a candidate of its own; and every span is made
to stand alone (editorial.py: a lead like "At the same time," is cut off, "The next visit ..."
takes the sentence before it, or is left out). Every candidate left out keeps its place, with
the reason, for ``explain``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from briefing.judge.editorial import SHORT_QUOTE_WORDS, standalone, words
from briefing.judge.textnorm import roots
from briefing.judge.themes import Candidate, Term, ThemeQuery
from briefing.models import Article, Quote, Segmented

QuoteIndex = dict[tuple[str, int, int], Quote]  # (article, start, end): the quotation shown
Edges = dict[tuple[str, int, int], tuple[bool, bool]]  # (article, start, end): cut before/after

RELATIVE_FLOOR = 0.2


def passage_prior(text: str) -> float:
    """How much a passage reads as reporting rather than musing, 0..1: questions, an aside in
    parentheses, and fragments of a few words are marked down."""
    body = text.strip()
    marks = body.count("?")
    stops = sum(body.count(c) for c in ".!?") or 1
    prior = 1.0 - 0.6 * min(1.0, marks / stops)
    if body.startswith("(") and body.rstrip(".").endswith(")"):
        prior *= 0.5
    if len(body.split()) < 8:
        prior *= 0.6
    return prior


def refine(ranked: Mapping[str, list[Candidate]], queries: Sequence[ThemeQuery],
           articles: Mapping[str, Article]) -> dict[str, list[Candidate]]:
    """Apply what needs the passage's text (see the module docstring): the reporting prior on
    the score and the relative floor (the theme's ``require`` was applied with its evidence,
    before any list was cut: ``themes.accepts``). An opinion article is not marked down: on the
    labelled seeds the column's passages are what an analyst wants; it is labelled "opinion"
    instead. Left-out candidates keep their place in explain with the reason."""
    out: dict[str, list[Candidate]] = {}
    for q in queries:
        kept = []
        for c in ranked.get(q.id, []):
            m = c.match
            if c.reason is None and m.article_id in articles:
                text = articles[m.article_id].text
                prior = passage_prior(text[m.start:m.end])
                if prior < 1.0:
                    m = dataclasses.replace(m, score=round(m.score * prior, 4))
                    c = Candidate(m, None)
            kept.append(c)
        eligible = [c.match.score for c in kept if c.reason is None]
        floor = RELATIVE_FLOOR * max(eligible, default=0.0)
        kept = [Candidate(c.match, f"score {c.match.score:.2f} below {RELATIVE_FLOOR:.0%} of the "
                          f"theme's best ({floor / RELATIVE_FLOOR:.2f})")
                if c.reason is None and c.match.score < floor else c for c in kept]
        kept.sort(key=lambda c: (c.reason is not None, -c.match.score, c.match.article_id,
                                 c.match.start))
        out[q.id] = kept
    return out


# A passage mostly made of one quotation is shown as that quotation, with its speaker.
QUOTE_DOMINANCE = 0.5
# A full quotation inside a longer passage competes with it at a slightly lower score.
QUOTE_INSIDE_FACTOR = 0.9


def quote_candidates(ranked: Mapping[str, list[Candidate]],
                     quotes: Mapping[str, Sequence[Quote]],
                     queries: Sequence[ThemeQuery],
                     articles: Mapping[str, Article]
                     ) -> tuple[dict[str, list[Candidate]], QuoteIndex]:
    """Turn passages that are mostly one attributed quotation into quotation candidates, and add
    full quotations that carry theme terms themselves as candidates of their own.

    Returns the new candidate lists and the quotations they refer to, keyed by (article, span).
    A quotation of fewer than SHORT_QUOTE_WORDS words is never a candidate of its own: it says
    nothing without the sentence around it.
    """
    index: QuoteIndex = {}
    out: dict[str, list[Candidate]] = {}
    terms_of = {q.id: q.terms for q in queries}
    for theme, candidates in ranked.items():
        seen: set[tuple[str, int, int]] = set()
        result: list[Candidate] = []
        for c in candidates:
            m = c.match
            if c.reason is not None:
                result.append(c)
                continue
            length = max(m.end - m.start, 1)
            replaced = False
            for q in quotes.get(m.article_id, ()):
                if q.speaker is None or q.end <= m.start or q.start >= m.end:
                    continue
                key = (m.article_id, q.start, q.end)
                overlap = min(q.end, m.end) - max(q.start, m.start)
                dominant = overlap / length >= QUOTE_DOMINANCE
                inside = q.kind == "full" and _has_terms(articles[m.article_id].text[q.start:q.end],
                                                          terms_of[theme], m.terms)
                if not (dominant or inside) or key in seen or \
                        words(articles[m.article_id].text, q.start, q.end) < SHORT_QUOTE_WORDS:
                    continue
                seen.add(key)
                index[key] = q
                score = m.score if dominant else round(m.score * QUOTE_INSIDE_FACTOR, 4)
                result.append(Candidate(dataclasses.replace(m, start=q.start, end=q.end,
                                                            score=score)))
                replaced = replaced or dominant
            if not replaced:
                result.append(c)
        result.sort(key=lambda c: (c.reason is not None, -c.match.score, c.match.article_id,
                                   c.match.start))
        out[theme] = result
    return out, index


def _has_terms(text: str, terms: Sequence[Term], matched: Sequence[str]) -> bool:
    wanted = [t for t in terms if t.text in matched and not t.prefix]
    r = roots(text)
    for t in wanted:
        n = len(t.roots)
        if any(tuple(r[i:i + n]) == t.roots for i in range(len(r) - n + 1)):
            return True
    return False


POINTS_BACK = ("opens on words pointing back to text not shown, and no sentence before it "
               "stands alone")


def standing_alone(ranked: Mapping[str, list[Candidate]], articles: Mapping[str, Article],
                   segmented: Mapping[str, Segmented], quote_index: QuoteIndex,
                   edges: Edges) -> dict[str, list[Candidate]]:
    """Every eligible candidate's span made to stand alone (editorial.standalone): a pointing
    lead cut off, the sentence before taken along, or the candidate left out. A quotation loses
    its leading sentences instead (its speaker stays). Cut spans are recorded in ``edges`` and
    trimmed quotations re-keyed in ``quote_index``."""
    out: dict[str, list[Candidate]] = {}
    for theme, candidates in ranked.items():
        kept = []
        for c in candidates:
            m = c.match
            if c.reason is not None:
                kept.append(c)
                continue
            text = articles[m.article_id].text
            quote = quote_index.get((m.article_id, m.start, m.end))
            seg = segmented[m.article_id]
            sentences = [(x.start, x.end) for p in seg.paragraphs
                         if p.start < m.end and m.start < p.end for x in p.sentences] if quote \
                else [(x.start, x.end) for x in seg.paragraphs[m.paragraph].sentences]
            cut = standalone(text, m.start, m.end, sentences, quote=quote is not None)
            if cut is None:
                kept.append(Candidate(m, POINTS_BACK))
                continue
            if (cut.start, cut.end) != (m.start, m.end):
                m = dataclasses.replace(m, start=cut.start, end=cut.end)
                if quote is not None:
                    quote_index[(m.article_id, m.start, m.end)] = quote
            if cut.cut_before or cut.cut_after:
                edges[(m.article_id, m.start, m.end)] = (cut.cut_before, cut.cut_after)
            kept.append(Candidate(m, None))
        out[theme] = kept
    return out
