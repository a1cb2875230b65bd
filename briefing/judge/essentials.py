"""The first pass's items -> The essentials, each section's lede, and the candidates again
without what those print.

"The essentials" are chosen from the first pass: the newest dated development first (the
first reported event of the newest dated source a reader can place: :func:`news_point`), then
each theme's best sentence (:func:`theme_points`). The sections are then chosen again without
those sentences (:func:`without_points`), so nothing is printed twice: a passage whose first or
last sentence became a point loses that sentence; one whose middle did gives its place to the
next candidate. A theme The essentials have no point from opens on a lede of its own
(:func:`ledes`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from briefing.annotate.timeline import Event
from briefing.judge.editorial import placeable, standalone, words
from briefing.judge.facts import Fact, common_roots
from briefing.judge.refine import Edges, QuoteIndex
from briefing.judge.sections import Chosen
from briefing.judge.textnorm import TOKEN_RE, roots
from briefing.judge.themes import Candidate, ThemeQuery
from briefing.models import Article, Match, Segmented

SUMMARY_MIN, SUMMARY_MAX = 3, 5
NEWS_DAYS = 7  # events a dated source reports this close to its own date are its news
IN_ESSENTIALS = "printed in The essentials"


@dataclass(frozen=True, slots=True)
class Point:
    """A point of The essentials: its span, the theme it was drawn from (None: the news), and
    whether it was cut inside a sentence."""

    article_id: str
    start: int
    end: int
    theme: str | None
    cut_before: bool = False
    cut_after: bool = False


def _sentences(match: Match, seg: Segmented) -> list[tuple[int, int]]:
    p = seg.paragraphs[match.paragraph]
    return [(x.start, x.end) for x in p.sentences if x.start >= match.start and x.end <= match.end]


def _weight(text: str, query: ThemeQuery, terms: Sequence[str]) -> float:
    """How much theme evidence a sentence holds: its matched terms' weights, counted."""
    r = roots(text)
    total = 0.0
    for t in query.terms:
        if t.text in terms and not t.prefix:
            n = len(t.roots)
            total += t.weight * sum(1 for i in range(len(r) - n + 1)
                                    if tuple(r[i:i + n]) == t.roots)
    return total


# A sentence of fewer words ("Why?", "armed groups ...") cannot stand alone as a lede or a
# summary point.
MIN_STATEMENT_WORDS = 6


def _statements(match: Match, seg: Segmented, text: str) -> list[tuple[int, int]]:
    """The passage's sentences that can stand alone; the whole passage when none can."""
    return [x for x in _sentences(match, seg)
            if len(TOKEN_RE.findall(text, x[0], x[1])) >= MIN_STATEMENT_WORDS] \
        or [(match.start, match.end)]


def news_point(chosen: Mapping[str, list[Chosen]], articles: Mapping[str, Article],
               segmented: Mapping[str, Segmented],
               events: Mapping[str, Sequence[Event]]) -> Point | None:
    """The newest dated development: of the articles the sections cite, the newest dated one
    (one a reader can place, when there is one), and in it the first sentence reporting an
    event dated within NEWS_DAYS of its publication (its news lede), else its first body
    sentence that stands alone. None when no cited article is dated."""
    ids = {c.match.article_id for cs in chosen.values() for c in cs if c.match is not None}
    dated = [articles[a] for a in sorted(ids) if articles[a].meta.published]
    if not dated:
        return None
    article = max(dated, key=lambda a: (placeable(a.meta), a.meta.published or ""))
    published = article.meta.published or ""
    try:
        since = (dt.date.fromisoformat(published) - dt.timedelta(days=NEWS_DAYS)).isoformat()
    except ValueError:
        since = published
    seg = segmented[article.id]
    recent = sorted((e for e in events.get(article.id, ())
                     if e.precision == "day" and since <= e.date <= published),
                    key=lambda e: e.start)
    spans = [(e.start, e.end) for e in recent] + \
        [(x.start, x.end) for p in seg.body for x in p.sentences]
    for s, e in spans:
        para = next(p for p in seg.paragraphs if p.start <= s < p.end)
        cut = standalone(article.text, s, e, [(x.start, x.end) for x in para.sentences])
        if cut is not None and words(article.text, cut.start, cut.end) >= MIN_STATEMENT_WORDS:
            return Point(article.id, cut.start, cut.end, None, cut.cut_before, cut.cut_after)
    return None


def _edge_options(c: Chosen, seg: Segmented, article: Article) -> list[tuple[int, int, bool]]:
    """The spans a passage can give The essentials without leaving a fragment that points back:
    its first or its last sentence when the rest of the passage stands alone, else the whole
    passage when it is short. Each is (start, end, cut before)."""
    m = c.match_shown
    text = article.text
    sentences = _sentences(m, seg)
    statements = set(_statements(m, seg, text))
    out = []
    if len(sentences) >= 2:
        first, second, last = sentences[0], sentences[1], sentences[-1]
        rest = standalone(text, second[0], m.end, sentences)
        if first in statements and rest is not None and rest.start >= second[0]:
            out.append((m.start, first[1], c.edges[0]))
        cut = standalone(text, last[0], last[1], sentences)
        if last in statements and cut is not None and cut.start >= last[0]:
            out.append((cut.start, last[1], cut.cut_before))
    if not out and words(text, m.start, m.end) <= 60:
        out.append((m.start, m.end, c.edges[0]))
    return out


def theme_points(chosen: Mapping[str, list[Chosen]], queries: Sequence[ThemeQuery],
                 articles: Mapping[str, Article], segmented: Mapping[str, Segmented],
                 taken: list[Point]) -> list[Point]:
    """Each theme's best sentence for The essentials, in theme order, then the next best round
    robin while there are fewer than SUMMARY_MIN points; never two saying the same thing. A
    source a reader can place opens a theme when it has a candidate, and among its options a
    whole sentence before one cut at its start."""
    per_theme: list[list[tuple[int, Point]]] = []
    for q in queries:
        plain = [c for c in chosen.get(q.id, []) if c.quote is None and c.match is not None]
        placed = [c for c in plain if placeable(articles[c.match_shown.article_id].meta)]
        options: list[tuple[int, float, Point]] = []
        for rank, c in enumerate(placed + [c for c in plain if c not in placed]):
            m = c.match_shown
            article = articles[m.article_id]
            for s, e, cut in _edge_options(c, segmented[m.article_id], article):
                options.append((rank, -_weight(article.text[s:e], q, m.terms),
                                Point(m.article_id, s, e, q.id, cut)))
        # uncut sentences first (a point of The essentials opening on an ellipsis reads as a
        # fault), then the best passage, then its weightiest edge
        options.sort(key=lambda o: (o[0] >= len(placed), o[2].cut_before, o[0], o[1]))
        per_theme.append([(rank, p) for rank, _, p in options])
    points: list[Point] = []
    facts = [Fact.of(articles[p.article_id].text[p.start:p.end]) for p in taken]
    spans = [(p.article_id, p.start, p.end) for p in taken]

    def fits(p: Point) -> bool:
        fact = Fact.of(articles[p.article_id].text[p.start:p.end])
        return not any(a == p.article_id and p.start < e and s < p.end for a, s, e in spans) and \
            not any(fact.same_as(f, frozenset()) for f in facts)

    def add(p: Point) -> None:
        points.append(p)
        facts.append(Fact.of(articles[p.article_id].text[p.start:p.end]))
        spans.append((p.article_id, p.start, p.end))

    used_passages: list[set[int]] = [set() for _ in queries]  # one point per passage at most
    for rnd in range(SUMMARY_MAX):
        for i, theme_options in enumerate(per_theme):
            if len(taken) + len(points) >= SUMMARY_MAX or \
                    (rnd > 0 and len(taken) + len(points) >= SUMMARY_MIN):
                return points
            have = sum(1 for p in points if p.theme == queries[i].id)
            if have > rnd:
                continue
            for rank, p in theme_options:
                if rank in used_passages[i] or not fits(p):
                    continue
                used_passages[i].add(rank)
                add(p)
                break
    return points


def without_points(ranked: Mapping[str, list[Candidate]], points: Sequence[Point],
                   articles: Mapping[str, Article], segmented: Mapping[str, Segmented],
                   quote_index: QuoteIndex, edges: Edges,
                   also: dict[int, list[Match]]) -> dict[str, list[Candidate]]:
    """The candidates again, none printing what The essentials print: a passage whose first or
    last sentences became a point keeps the rest (when it stands alone), any other overlap is
    left out, so its section takes its next candidate. A passage from another article saying
    what a point says is cited under that point (``also``: point index -> matches) instead."""
    out: dict[str, list[Candidate]] = {}
    facts = [Fact.of(articles[p.article_id].text[p.start:p.end]) for p in points]
    for theme, candidates in ranked.items():
        kept = []
        common = common_roots([Fact.of(articles[c.match.article_id].text[c.match.start:c.match.end])
                               for c in candidates if c.reason is None])
        for c in candidates:
            m = c.match
            hits = [p for p in points if c.reason is None and p.article_id == m.article_id
                    and p.start < m.end and m.start < p.end]
            if not hits and c.reason is None:
                fact = Fact.of(articles[m.article_id].text[m.start:m.end])
                twin = next((i for i, (p, f) in enumerate(zip(points, facts))
                             if p.article_id != m.article_id and fact.same_as(f, common)), None)
                if twin is not None:
                    if not any(x.article_id == m.article_id for x in also.get(twin, [])):
                        also.setdefault(twin, []).append(m)
                    kept.append(Candidate(m, f"same fact as point {twin + 1} of The essentials: "
                                             "cited there as 'also reported by'"))
                    continue
            if not hits:
                kept.append(c)
                continue
            rest = None if (m.article_id, m.start, m.end) in quote_index else \
                _remainder(m, hits, articles[m.article_id], segmented[m.article_id])
            if rest is None:
                kept.append(Candidate(m, IN_ESSENTIALS))
                continue
            before, after = edges.get((m.article_id, m.start, m.end), (False, False))
            m = dataclasses.replace(m, start=rest[0], end=rest[1])
            edges[(m.article_id, m.start, m.end)] = (before and rest[0] == c.match.start,
                                                     after and rest[1] == c.match.end)
            kept.append(Candidate(m, None))
        out[theme] = kept
    return out


def _remainder(m: Match, hits: Sequence[Point], article: Article,
               seg: Segmented) -> tuple[int, int] | None:
    sentences = _sentences(m, seg)
    keep = [x for x in sentences if not any(p.start < x[1] and x[0] < p.end for p in hits)]
    if not keep or len(keep) == len(sentences):
        return None
    # the kept sentences must be one run at the passage's start or end
    first, last = sentences.index(keep[0]), sentences.index(keep[-1])
    if last - first + 1 != len(keep) or (first != 0 and last != len(sentences) - 1):
        return None
    start, end = (m.start if first == 0 else keep[0][0]), (m.end if last == len(sentences) - 1
                                                           else keep[-1][1])
    cut = standalone(article.text, start, end, sentences)
    if cut is None or cut.start < start or \
            words(article.text, cut.start, end) < MIN_STATEMENT_WORDS:
        return None
    return cut.start, end



def ledes(chosen: Mapping[str, list[Chosen]], queries: Sequence[ThemeQuery],
          articles: Mapping[str, Article], segmented: Mapping[str, Segmented],
          points: Sequence[Point]) -> dict[str, tuple[str, int, int]]:
    """A lede for each theme The essentials have no point from: the best sentence of its best
    plain passage (one from a source a reader can place, when there is one). The passage loses
    that sentence, or is wholly the lede (then its item is gone: ``match`` None)."""
    out: dict[str, tuple[str, int, int]] = {}
    with_point = {p.theme for p in points}
    for q in queries:
        if q.id in with_point:
            continue
        plain = [c for c in chosen[q.id] if c.quote is None and c.match is not None]
        placed = [c for c in plain if placeable(articles[c.match_shown.article_id].meta)]
        pool = [c for c in placed or plain if not c.also] or placed or plain
        if not pool:
            continue
        opener = pool[0]
        top = opener.match_shown
        seg, article = segmented[top.article_id], articles[top.article_id]
        options = _edge_options(opener, seg, article)
        if not options:
            continue
        s, e, _ = max(options, key=lambda o: (_weight(article.text[o[0]:o[1]], q, top.terms),
                                              -o[0]))
        out[q.id] = (top.article_id, s, e)
        if opener.also:  # an item citing other reports stays whole, to carry them
            continue
        rest = _remainder(top, [Point(top.article_id, s, e, q.id)], article, seg) \
            if (s, e) != (top.start, top.end) else None
        opener.match = None if rest is None else \
            dataclasses.replace(top, start=rest[0], end=rest[1])
    return out
