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
from dataclasses import dataclass

from briefing.config.model import DEFAULT_MAX_ITEMS, TermSpec, ThemeConfig
from briefing.judge.query import Node, SenseRule, has_prefix, matches, parse, sense_rule
from briefing.judge.textnorm import TOKEN_RE, phrase_starts, root
from briefing.models import Article, Match, Passage, Segmented, Span

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
    max_items: int = DEFAULT_MAX_ITEMS
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
            or any(has_prefix(r.target) or has_prefix(r.context) for r in query.senses)
            or (query.require is not None and has_prefix(query.require)))


REQUIRE_FAILS = "does not satisfy the theme's require query"


def accepts(query: ThemeQuery, passage: Passage) -> bool:
    """Whether ``passage`` satisfies the theme's ``require`` query (always, without one).

    Asked of every candidate before any list is cut, so that a theme's shortlist only holds
    passages it would show: a theme whose best-scoring passages fail ``require`` shows the
    ones that pass, however many fail above them."""
    return query.require is None or matches(query.require, passage)


def _occurrences(term: Term, passage: Passage) -> list[int]:
    """Token indices where ``term`` starts in ``passage``."""
    return phrase_starts(term.roots, term.prefix, passage.roots, passage.words)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a theme found in one passage: term -> count (masked words removed), and whether a
    ``not`` phrase vetoes the passage."""

    counts: dict[str, int]
    vetoed_by: str | None
    length: int


def evidence(query: ThemeQuery, passage: Passage) -> Evidence:
    """Count each term of ``query`` in ``passage``, with excluded phrases masked out. Terms that
    ``passage.hits`` (when known) rules out are not looked for: they cannot occur."""
    hits = passage.hits
    for t in query.not_:
        if (hits is None or t.text in hits) and _occurrences(t, passage):
            return Evidence({}, t.text, len(passage.roots))
    masked: set[int] = set()
    for t in query.exclude:
        if hits is None or t.text in hits:
            for i in _occurrences(t, passage):
                masked.update(range(i, i + len(t.roots)))
    for rule in query.senses:  # a word in its other sense ('recognized ... as terrorist')
        masked |= rule.masked(passage.roots, passage.words)
    counts: dict[str, int] = {}
    for t in query.terms:
        if hits is not None and t.text not in hits:
            continue
        n = sum(1 for i in _occurrences(t, passage) if i not in masked)
        if n:
            counts[t.text] = n
    return Evidence(counts, None, len(passage.roots))


def passages_of(article: Article, seg: Segmented) -> list[Passage]:
    """Candidate passages of an article: each body paragraph, or for a long paragraph each of
    its sentences (grouped into runs later, once we know which sentences match)."""
    out: list[Passage] = []
    text = article.text
    for index, p in enumerate(seg.paragraphs):
        if not p.is_content:
            continue
        if p.end - p.start <= LONG_PARAGRAPH or len(p.sentences) <= 1:
            out.append(Passage.of(text, p.start, p.end, _spans(p.sentences), article.id, index))
        else:
            for i, s in enumerate(p.sentences):
                one = Passage.of(text, s.start, s.end, (), article.id, index)
                one.sentence = i
                out.append(one)
    return out


def _spans(sentences: Iterable[Span]) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in sentences]


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


def _runs(query: ThemeQuery, hits: list[Passage]) -> list[Passage]:
    """Group matching sentences of one long paragraph into runs of adjacent sentences.

    A run's evidence is counted over its words, so a phrase of ``query`` may occur in a run
    across two of its sentences ("... the Islamic. State ...") and in neither alone: where the
    sentences' ``hits`` are known, the run's are theirs plus every phrase (term, exclusion or
    ``not``) of ``query``, or the index's per-sentence hits would rule such a phrase out."""
    phrases = frozenset(t.text for t in (*query.terms, *query.exclude, *query.not_)
                        if len(t.roots) > 1)
    runs: list[list[Passage]] = []
    for u in sorted(hits, key=lambda u: u.start):
        last = runs[-1][-1] if runs else None
        if last is not None and last.sentence is not None and u.sentence == last.sentence + 1 \
                and len(runs[-1]) < MAX_RUN_SENTENCES:
            runs[-1].append(u)
        else:
            runs.append([u])
    merged = []
    for run in runs:
        u = Passage(run[0].article_id, run[0].paragraph, run[0].start, run[-1].end,
                    file=run[0].file)
        if all(part.hits is not None for part in run):
            u.hits = frozenset().union(*(part.hits or () for part in run),
                                       phrases if len(run) > 1 else ())
        for part in run:
            if u.roots:
                u.breaks.append(len(u.roots))  # each sentence of the run begins one
            u.roots += part.roots
            u.words += part.words
        merged.append(u)
    return merged


def rank_theme(query: ThemeQuery, docs: Sequence[tuple[Article, Segmented]],
               passages: dict[str, list[Passage]] | None = None) -> list[Candidate]:
    """Every passage of ``docs`` with evidence for ``query``, scored, best first.

    ``passages`` (article id -> its candidate passages) may be passed in to share tokenisation
    between themes. Candidates left out (below the theme's minimum score, failing its
    ``require``) carry a ``reason`` and are kept, so ``briefing explain`` can show why.
    """
    if passages is None:
        passages = {a.id: passages_of(a, s) for a, s in docs}
    every = [u for a, _ in docs for u in passages[a.id]]
    return score_passages(query, every, len(every), sum(len(u.roots) for u in every))


def score_passages(query: ThemeQuery, passages: Iterable[Passage], count: int,
                   length: int) -> list[Candidate]:
    """Score ``passages`` for ``query`` in a corpus of ``count`` passages holding ``length``
    tokens.

    ``passages`` need only include every passage where a term or ``not`` phrase may occur (the
    store's index finds those): the others have no evidence, so they neither score nor count in
    any term's document frequency, and the result equals scoring the whole corpus.
    """
    pairs = [(u, evidence(query, u)) for u in passages]
    df: dict[str, int] = {}
    for _, ev in pairs:
        for term in ev.counts:
            df[term] = df.get(term, 0) + 1
    stats = Stats(count, length / max(count, 1), df)

    out: list[Candidate] = []
    long_hits: dict[tuple[str, int], list[Passage]] = {}
    for u, ev in pairs:
        if not ev.counts and not ev.vetoed_by:
            continue
        if u.sentence is not None and not ev.vetoed_by:
            long_hits.setdefault((u.article_id, u.paragraph), []).append(u)
            continue
        out.append(_candidate(query, u, ev, stats, ev.vetoed_by is not None or accepts(query, u)))
    for hits in long_hits.values():
        for run in _runs(query, hits):
            out.append(_candidate(query, run, evidence(query, run), stats, accepts(query, run)))
    out.sort(key=lambda c: (c.reason is not None, -c.match.score, c.match.article_id,
                            c.match.start))
    return out


def _candidate(query: ThemeQuery, u: Passage, ev: Evidence, stats: Stats,
               accepted: bool) -> Candidate:
    """``u`` scored for ``query``, left out (``reason``) when a ``not`` phrase vetoes it, its
    score is under the theme's minimum, or it is not ``accepted`` (``accepts``)."""
    score, terms = _bm25(query, ev, stats)
    reason = None
    if ev.vetoed_by:
        reason = f"contains excluded phrase {ev.vetoed_by!r}"
    elif score < query.min_score:
        reason = f"score {score:.2f} below the minimum {query.min_score:.2f}"
    elif not accepted:
        reason = REQUIRE_FAILS
    match = Match(u.article_id, query.id, u.start, u.end, score, terms, u.paragraph)
    return Candidate(match, reason)
