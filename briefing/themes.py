"""Theme queries -> scored, explained passages.

A theme is a set of weighted terms and phrases, matched by word roots (``textnorm.root``), never
by substring. Phrases listed under ``exclude`` are not evidence: their words are masked before
the terms are counted, so "Security Council" alone does not make a passage about security.
A passage containing a ``not`` phrase is dropped.

Scoring is BM25 over passages (paragraphs, or runs of sentences inside long paragraphs) with each
term's weight as a multiplier, so a passage dense in heavy terms ranks above one that mentions a
word in passing, and common words count for less than rare ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .config import TermSpec, ThemeConfig
from .models import Article, Match, Segmented
from .query import Node, SenseRule, has_prefix, parse, sense_rule
from .textnorm import TOKEN_RE, phrase_starts, root

# A paragraph longer than this is not shown whole: its matching sentences are (issue: a
# 2,000-character wall of text that mentions a border once should yield that sentence).
LONG_PARAGRAPH = 600
MAX_RUN_SENTENCES = 3
K1, B = 1.2, 0.75
DEFAULT_MIN_SCORE = 1.0


@dataclass(frozen=True, slots=True)
class Term:
    """A compiled query term: its roots in order; ``prefix`` when written with a trailing ``*``."""

    text: str
    weight: float
    roots: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class ThemeQuery:
    """A theme's query compiled for matching."""

    id: str
    terms: tuple[Term, ...]
    exclude: tuple[Term, ...] = ()
    not_: tuple[Term, ...] = ()
    max_items: int = 6
    min_score: float = DEFAULT_MIN_SCORE
    senses: tuple[SenseRule, ...] = ()  # exclude rules 'word NEAR/n context' (query.py)
    require: Node | None = None  # a boolean query a shown passage satisfies (query.py)


def compile_term(text: str, weight: float = 1.0) -> Term:
    """Compile one term or phrase. ``legitim*`` matches any word starting with ``legitim``."""
    raw = text.strip()
    prefix = raw.endswith("*")
    words = TOKEN_RE.findall(raw.rstrip("*"))
    if prefix and words:
        *head, last = words
        return Term(raw, weight, tuple(root(w) for w in head) + (last.lower(),), True)
    return Term(raw, weight, tuple(root(w) for w in words))


def compile_theme(theme: ThemeConfig, *, extra: Iterable[TermSpec] = (),
                  exclude: Iterable[str] = (), max_items: int | None = None) -> ThemeQuery:
    """Compile a theme from the config, with a reader's extra terms and exclusions applied."""
    terms = [compile_term(t.text, t.weight) for t in (*theme.terms, *extra)]
    excluded = (*theme.exclude, *exclude)
    rules = {x: sense_rule(x) for x in excluded}
    senses = tuple(r for r in rules.values() if r is not None)
    return ThemeQuery(
        id=theme.id,
        terms=tuple(t for t in terms if t.roots),
        exclude=tuple(compile_term(x) for x in excluded if rules[x] is None),
        not_=tuple(compile_term(x) for x in theme.not_),
        max_items=max_items or theme.max_items,
        min_score=DEFAULT_MIN_SCORE if theme.min_score is None else theme.min_score,
        senses=senses,
        require=parse(theme.require) if theme.require else None,
    )


def reads_words(query: ThemeQuery) -> bool:
    """Whether counting ``query``'s evidence reads a passage's lower-case words as well as its
    roots: a ``prefix*`` in a term, an exclusion, a ``not`` phrase or a sense rule is matched
    against the words as written (without them, against the roots: a different answer)."""
    return (any(t.prefix for t in (*query.terms, *query.exclude, *query.not_))
            or any(has_prefix(r.target) or has_prefix(r.context) for r in query.senses))


@dataclass(slots=True)
class Unit:
    """A candidate passage: a span of one article with its tokens (roots and lower-case words).
    ``sentence`` is the sentence's index in its paragraph when the unit is one sentence of a long
    paragraph (None for a whole paragraph)."""

    article_id: str
    paragraph: int
    start: int
    end: int
    sentence: int | None = None
    roots: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    hits: frozenset[str] | None = None  # texts of terms that may occur here (an index's); None: any


def _tokenize(unit: Unit, text: str) -> Unit:
    for m in TOKEN_RE.finditer(text, unit.start, unit.end):
        w = m.group()
        unit.words.append(w.lower())
        unit.roots.append(root(w))
    return unit


def _occurrences(term: Term, unit: Unit) -> list[int]:
    """Token indices where ``term`` starts in ``unit``."""
    return phrase_starts(term.roots, term.prefix, unit.roots, unit.words)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a theme found in one unit: term -> count (masked words removed), and whether a
    ``not`` phrase vetoes the unit."""

    counts: dict[str, int]
    vetoed_by: str | None
    length: int


def evidence(query: ThemeQuery, unit: Unit) -> Evidence:
    """Count each term of ``query`` in ``unit``, with excluded phrases masked out. Terms that
    ``unit.hits`` (when known) rules out are not looked for: they cannot occur."""
    hits = unit.hits
    for t in query.not_:
        if (hits is None or t.text in hits) and _occurrences(t, unit):
            return Evidence({}, t.text, len(unit.roots))
    masked: set[int] = set()
    for t in query.exclude:
        if hits is None or t.text in hits:
            for i in _occurrences(t, unit):
                masked.update(range(i, i + len(t.roots)))
    for rule in query.senses:  # a word in its other sense ('recognized ... as terrorist')
        masked |= rule.masked(unit.roots, unit.words)
    counts: dict[str, int] = {}
    for t in query.terms:
        if hits is not None and t.text not in hits:
            continue
        n = sum(1 for i in _occurrences(t, unit) if i not in masked)
        if n:
            counts[t.text] = n
    return Evidence(counts, None, len(unit.roots))


def units_of(article: Article, seg: Segmented) -> list[Unit]:
    """Candidate passages of an article: each body paragraph, or for a long paragraph each of
    its sentences (grouped into runs later, once we know which sentences match)."""
    out: list[Unit] = []
    for index, p in enumerate(seg.paragraphs):
        if not p.is_content:
            continue
        if p.end - p.start <= LONG_PARAGRAPH or len(p.sentences) <= 1:
            out.append(_tokenize(Unit(article.id, index, p.start, p.end), article.text))
        else:
            out.extend(_tokenize(Unit(article.id, index, s.start, s.end, i), article.text)
                       for i, s in enumerate(p.sentences))
    return out


@dataclass(frozen=True, slots=True)
class Stats:
    """Corpus statistics for BM25: number of passages, mean length, and per-term document
    frequency (how many passages contain the term)."""

    n: int
    avg_len: float
    df: dict[str, int]

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))


@dataclass(frozen=True, slots=True)
class Candidate:
    """A scored passage for a theme. ``reason`` says why it was left out (None: eligible)."""

    match: Match
    reason: str | None = None


def _bm25(query: ThemeQuery, ev: Evidence, stats: Stats) -> tuple[float, tuple[str, ...]]:
    parts: list[tuple[float, str]] = []
    norm = K1 * (1 - B + B * ev.length / max(stats.avg_len, 1.0))
    weights = {t.text: t.weight for t in query.terms}
    for term, tf in ev.counts.items():
        s = weights[term] * stats.idf(term) * tf * (K1 + 1) / (tf + norm)
        parts.append((s, term))
    parts.sort(key=lambda p: (-p[0], p[1]))
    return round(sum(p[0] for p in parts), 4), tuple(t for _, t in parts)


def _runs(query: ThemeQuery, hits: list[Unit]) -> list[Unit]:
    """Group matching sentences of one long paragraph into runs of adjacent sentences.

    A run's evidence is counted over its words, so a phrase of ``query`` may occur in a run
    across two of its sentences ("... the Islamic. State ...") and in neither alone: where the
    sentences' ``hits`` are known, the run's are theirs plus every phrase (term, exclusion or
    ``not``) of ``query``, or the index's per-sentence hits would rule such a phrase out."""
    phrases = frozenset(t.text for t in (*query.terms, *query.exclude, *query.not_)
                        if len(t.roots) > 1)
    runs: list[list[Unit]] = []
    for u in sorted(hits, key=lambda u: u.start):
        last = runs[-1][-1] if runs else None
        if last is not None and last.sentence is not None and u.sentence == last.sentence + 1 \
                and len(runs[-1]) < MAX_RUN_SENTENCES:
            runs[-1].append(u)
        else:
            runs.append([u])
    merged = []
    for run in runs:
        u = Unit(run[0].article_id, run[0].paragraph, run[0].start, run[-1].end)
        if all(part.hits is not None for part in run):
            u.hits = frozenset().union(*(part.hits or () for part in run),
                                       phrases if len(run) > 1 else ())
        for part in run:
            u.roots += part.roots
            u.words += part.words
        merged.append(u)
    return merged


def rank_theme(query: ThemeQuery, docs: Sequence[tuple[Article, Segmented]],
               units: dict[str, list[Unit]] | None = None) -> list[Candidate]:
    """Every passage of ``docs`` with evidence for ``query``, scored, best first.

    ``units`` (article id -> its candidate units) may be passed in to share tokenisation between
    themes. Candidates below the theme's minimum score carry a ``reason`` and are kept, so
    ``briefing explain`` can show why they were left out.
    """
    if units is None:
        units = {a.id: units_of(a, s) for a, s in docs}
    all_units = [u for a, _ in docs for u in units[a.id]]
    return score_units(query, all_units, len(all_units), sum(len(u.roots) for u in all_units))


def score_units(query: ThemeQuery, units: Iterable[Unit], n: int, tokens: int) -> list[Candidate]:
    """Score ``units`` for ``query`` in a corpus of ``n`` passages holding ``tokens`` words.

    ``units`` need only include every passage where a term or ``not`` phrase may occur (the
    store's index finds those): the others have no evidence, so they neither score nor count in
    any term's document frequency, and the result equals scoring the whole corpus.
    """
    pairs = [(u, evidence(query, u)) for u in units]
    df: dict[str, int] = {}
    for _, ev in pairs:
        for term in ev.counts:
            df[term] = df.get(term, 0) + 1
    stats = Stats(n, tokens / max(n, 1), df)

    out: list[Candidate] = []
    long_hits: dict[tuple[str, int], list[Unit]] = {}
    for u, ev in pairs:
        if not ev.counts and not ev.vetoed_by:
            continue
        if u.sentence is not None and not ev.vetoed_by:
            long_hits.setdefault((u.article_id, u.paragraph), []).append(u)
            continue
        out.append(_candidate(query, u, ev, stats))
    for hits in long_hits.values():
        for run in _runs(query, hits):
            out.append(_candidate(query, run, evidence(query, run), stats))
    out.sort(key=lambda c: (c.reason is not None, -c.match.score, c.match.article_id,
                            c.match.start))
    return out


def _candidate(query: ThemeQuery, u: Unit, ev: Evidence, stats: Stats) -> Candidate:
    score, terms = _bm25(query, ev, stats)
    reason = None
    if ev.vetoed_by:
        reason = f"contains excluded phrase {ev.vetoed_by!r}"
    elif score < query.min_score:
        reason = f"score {score:.2f} below the minimum {query.min_score:.2f}"
    match = Match(u.article_id, query.id, u.start, u.end, score, terms, u.paragraph)
    return Candidate(match, reason)
