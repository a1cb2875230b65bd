"""Scored candidates -> the items each part of the edition shows, and why the rest are not.

Before choosing, candidates are refined (a theme's ``require`` query was applied with its
evidence, before any list was cut: ``themes.accepts``): a passage that is mostly questions, an
aside in parentheses, or a fragment of a few words is marked down (an analyst's briefing
reports, it does not muse); a passage scoring under RELATIVE_FLOOR of its
theme's best is left out rather than padding the section; and every span is made to stand alone
(editorial.py: a lead like "At the same time," is cut off, "The next visit ..." takes the
sentence before it, or is left out).

Choosing items is one greedy pass over every (theme, candidate) pair, best relative score first
(a candidate's score over its theme's best score), so a passage that fits two themes lands in the
theme it fits better and is shown once. Within a section, a passage that says what a chosen one
already says is not shown again but cited under the chosen one as "also reported by". Two
passages say the same thing when (a) most content words of the shorter are in the longer
(syndicated copies: Feedly's 85% rule), or (b) they share a rare anchor, a number or year that
few of the theme's candidates mention (the 2003 designation), and at least one other rare
content word: the same fact retold in other words. No article supplies more than half a section
(an unsigned, undated one a third), so one long article cannot crowd out the others; slots
nobody else can fill go back to it. An article with something to say that no section took gets
the place of the weakest item of an article cited more than once, so every article worth citing
is cited.

"The essentials" are chosen from the first pass: the newest dated development first (the
first reported event of the newest dated source a reader can place), then each theme's best
sentence. The sections are then chosen again without those sentences, so nothing is printed
twice: a passage whose first or last sentence became a point loses that sentence; one whose
middle did gives its place to the next candidate.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from briefing.annotate.timeline import Event
from briefing.judge.editorial import SHORT_QUOTE_WORDS, anonymous, placeable, standalone, words
from briefing.judge.textnorm import TOKEN_RE, roots
from briefing.judge.themes import Candidate, Term, ThemeQuery
from briefing.models import Article, Match, Quote, Segmented

DUPLICATE_CONTAINMENT = 0.85

# Words too common to say whether two passages report the same thing.
STOPWORDS = frozenset(roots(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours s t said says""",
))


def _content_roots(rs: Iterable[str]) -> frozenset[str]:
    return frozenset(r for r in rs if r not in STOPWORDS and not r.isdigit())


def _anchors(rs: Iterable[str]) -> frozenset[str]:
    """Numbers of three digits or more (years, counts, distances): facts' fingerprints."""
    return frozenset(r for r in rs if r.isdigit() and len(r) >= 3)


def same_fact(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two passages are copies: most content words of the shorter one are in the
    longer one."""
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= DUPLICATE_CONTAINMENT


@dataclass(frozen=True, slots=True)
class Fact:
    """What a passage says, for telling repeated facts apart: content roots and anchors."""

    words: frozenset[str]
    anchors: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Fact:
        rs = set(roots(text))
        return cls(_content_roots(rs), _anchors(rs))

    def same_as(self, other: Fact, common: frozenset[str]) -> bool:
        """Copies, or the same fact retold: a shared rare anchor and a shared rare word."""
        if same_fact(self.words, other.words):
            return True
        shared_anchor = (self.anchors & other.anchors) - common
        return bool(shared_anchor) and bool((self.words & other.words) - common)


def common_roots(facts: Sequence[Fact], share: float = 0.3,
                 anchor_share: float = 0.1) -> frozenset[str]:
    """Roots too common among this theme's candidates to tell one fact from another: words in
    more than ``share`` of them, numbers in more than ``anchor_share`` (a year most passages
    mention, like the year of the story, is no fingerprint; the year of one event is), and
    never fewer than 3 passages."""
    counts: dict[str, int] = {}
    for f in facts:
        for r in f.words | f.anchors:
            counts[r] = counts.get(r, 0) + 1
    words, anchors = max(2, int(share * len(facts))), max(2, int(anchor_share * len(facts)))
    return frozenset(r for r, n in counts.items() if n > (anchors if r.isdigit() else words))


@dataclass(slots=True)
class _Chosen:
    match: Match | None  # None once the whole passage has become the section's lede
    fact: Fact
    also: list[Match]
    quote: Quote | None = None
    edges: tuple[bool, bool] = (False, False)  # cut before, cut after (editorial.Cut)


@dataclass(frozen=True, slots=True)
class Decision:
    """What became of one candidate: shown (and how), or why it was left out."""

    shown: bool
    why: str


Decisions = dict[tuple[str, str, int, int], Decision]
QuoteIndex = dict[tuple[str, int, int], Quote]
Edges = dict[tuple[str, int, int], tuple[bool, bool]]  # (article, start, end): cut before/after
Span3 = tuple[str, int, int]  # (article id, start, end)

# A passage mostly made of one quotation is shown as that quotation, with its speaker.
QUOTE_DOMINANCE = 0.5
# A full quotation inside a longer passage competes with it at a slightly lower score.
QUOTE_INSIDE_FACTOR = 0.9


def quote_candidates(ranked: Mapping[str, list[Candidate]],
                     quotes: Mapping[str, Sequence[Quote]],
                     queries: Sequence[ThemeQuery],
                     articles: Mapping[str, Article]) -> tuple[dict[str, list[Candidate]], QuoteIndex]:
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


POINTS_BACK = "opens on words pointing back to text not shown, and no sentence before it stands alone"


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
            sentences = [(x.start, x.end) for p in seg.paragraphs if p.start < m.end and m.start < p.end
                         for x in p.sentences] if quote else \
                [(x.start, x.end) for x in seg.paragraphs[m.paragraph].sentences]
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


def _has_terms(text: str, terms: Sequence[Term], matched: Sequence[str]) -> bool:
    wanted = [t for t in terms if t.text in matched and not t.prefix]
    r = roots(text)
    for t in wanted:
        n = len(t.roots)
        if any(tuple(r[i:i + n]) == t.roots for i in range(len(r) - n + 1)):
            return True
    return False


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


def source_cap(limit: int, article: Article) -> int:
    """How many of a section's ``limit`` items one article may supply while others can fill
    the rest: half, or a third for an anonymous source (no outlet, byline or date)."""
    return max(1, math.ceil(limit / (3 if anonymous(article.meta) else 2)))


def choose(queries: Sequence[ThemeQuery], ranked: Mapping[str, list[Candidate]],
           articles: Mapping[str, Article], decisions: Decisions | None = None,
           quote_index: QuoteIndex | None = None,
           edges: Edges | None = None) -> dict[str, list[_Chosen]]:
    """Pick each theme's items from its eligible candidates (see the module docstring).

    When ``decisions`` is given it receives, for every eligible candidate keyed by (theme,
    article id, start, end), what became of it: shown (as a passage, or as a quotation of its
    speaker), or why it was left out.
    """
    decide = decisions if decisions is not None else {}
    quote_index = quote_index or {}
    edges = edges or {}
    pairs: list[tuple[float, int, Match]] = []
    for order, q in enumerate(queries):
        eligible = [c.match for c in ranked.get(q.id, []) if c.reason is None]
        if not eligible:
            continue
        best = max(m.score for m in eligible)
        pairs += [(m.score / best, order, m) for m in eligible]
    pairs.sort(key=lambda p: (-p[0], p[1], -p[2].score, p[2].article_id, p[2].start))

    limits = {q.id: q.max_items for q in queries}
    chosen: dict[str, list[_Chosen]] = {q.id: [] for q in queries}
    used: dict[str, list[tuple[int, int, str]]] = {}
    facts = {(m.article_id, m.start, m.end): Fact.of(articles[m.article_id].text[m.start:m.end])
             for _, _, m in pairs}
    common = {q.id: common_roots([facts[(m.article_id, m.start, m.end)]
                                  for _, _, m in pairs if m.theme == q.id]) for q in queries}
    deferred: list[Match] = []

    def take(m: Match, fact: Fact) -> None:
        quote = quote_index.get((m.article_id, m.start, m.end))
        chosen[m.theme].append(_Chosen(m, fact, [], quote,
                                       edges.get((m.article_id, m.start, m.end), (False, False))))
        used.setdefault(m.article_id, []).append((m.start, m.end, m.theme))
        decide[(m.theme, m.article_id, m.start, m.end)] = Decision(
            True, f"shown as a quotation of {quote.speaker}" if quote else "shown")

    for _, _, m in pairs:
        key = (m.theme, m.article_id, m.start, m.end)
        clash = next((t for s, e, t in used.get(m.article_id, []) if m.start < e and s < m.end),
                     None)
        if clash is not None:
            decide[key] = Decision(False, "overlaps an item already shown in this section"
                                   if clash == m.theme
                                   else f"shown under theme {clash!r}, where it fits better")
            continue
        section = chosen[m.theme]
        fact = facts[(m.article_id, m.start, m.end)]
        twin = next((c for c in section if fact.same_as(c.fact, common[m.theme])), None)
        if twin is not None:
            where = f"{twin.match.article_id}@{twin.match.start}"
            if twin.match.article_id != m.article_id:
                twin.also.append(m)
                used.setdefault(m.article_id, []).append((m.start, m.end, m.theme))
                decide[key] = Decision(False, f"same fact as {where}: cited there as 'also "
                                              "reported by'")
            else:
                decide[key] = Decision(False, f"repeats {where} from the same article")
            continue
        if len(section) >= limits[m.theme]:
            decide[key] = Decision(False, f"section full (max_items {limits[m.theme]})")
            continue
        cap = source_cap(limits[m.theme], articles[m.article_id])
        if sum(1 for c in section if c.match.article_id == m.article_id) >= cap:
            decide[key] = Decision(False, f"{cap} items from this article already (source "
                                          "diversity)")
            deferred.append(m)
            continue
        take(m, fact)
    # Diversity orders, it does not starve: slots other sources could not fill go to the
    # passages held back for it, best first, under the same duplicate rules.
    for m in deferred:
        section = chosen[m.theme]
        if len(section) >= limits[m.theme]:
            continue
        fact = facts[(m.article_id, m.start, m.end)]
        if any(m.start < e and s < m.end for s, e, _ in used.get(m.article_id, [])) or \
                any(fact.same_as(c.fact, common[m.theme]) for c in section):
            continue
        take(m, fact)
    for items in chosen.values():
        items.sort(key=lambda c: (-c.match.score, c.match.article_id, c.match.start))
    return chosen



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
            total += t.weight * sum(1 for i in range(len(r) - n + 1) if tuple(r[i:i + n]) == t.roots)
    return total


# A sentence of fewer words ("Why?", "armed groups ...") cannot stand alone as a lede or a
# summary point.
MIN_STATEMENT_WORDS = 6


def _statements(match: Match, seg: Segmented, text: str) -> list[tuple[int, int]]:
    """The passage's sentences that can stand alone; the whole passage when none can."""
    return [x for x in _sentences(match, seg)
            if len(TOKEN_RE.findall(text, x[0], x[1])) >= MIN_STATEMENT_WORDS] \
        or [(match.start, match.end)]


def _best_sentence(match: Match, seg: Segmented, query: ThemeQuery,
                   article: Article) -> tuple[tuple[int, int], float]:
    """The sentence of a passage with the most theme evidence (first among equals)."""
    scored = [(x, _weight(article.text[x[0]:x[1]], query, match.terms))
              for x in _statements(match, seg, article.text)]
    return max(scored, key=lambda p: (p[1], -p[0][0]))


def _without(match: Match, lede: tuple[int, int], seg: Segmented) -> Match | None:
    """The passage with its lede sentence taken off, so the section never says it twice.

    The lede is the passage's first or last sentence, or the whole passage (then None); a lede
    from the middle of a passage leaves the passage whole, as cutting it would lose context.
    """
    if lede == (match.start, match.end):
        return None
    inside = _sentences(match, seg)
    if len(inside) < 2:
        return match
    if lede == inside[0]:
        return dataclasses.replace(match, start=inside[1][0])
    if lede == inside[-1]:
        return dataclasses.replace(match, end=inside[-2][1])
    return match




# --- The essentials, the ledes and the second pass ------------------------------------------

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


def _paragraph_sentences(m: Match, seg: Segmented) -> list[tuple[int, int]]:
    return [(x.start, x.end) for x in seg.paragraphs[m.paragraph].sentences]


def news_point(chosen: Mapping[str, list[_Chosen]], articles: Mapping[str, Article],
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
    import datetime as dt

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


def _edge_options(c: _Chosen, seg: Segmented, article: Article) -> list[tuple[int, int, bool]]:
    """The spans a passage can give The essentials without leaving a fragment that points back:
    its first or its last sentence when the rest of the passage stands alone, else the whole
    passage when it is short. Each is (start, end, cut before)."""
    m = c.match
    assert m is not None
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


def theme_points(chosen: Mapping[str, list[_Chosen]], queries: Sequence[ThemeQuery],
                 articles: Mapping[str, Article], segmented: Mapping[str, Segmented],
                 taken: list[Point]) -> list[Point]:
    """Each theme's best sentence for The essentials, in theme order, then the next best round
    robin while there are fewer than SUMMARY_MIN points; never two saying the same thing. A
    source a reader can place opens a theme when it has a candidate, and among its options a
    whole sentence before one cut at its start."""
    per_theme: list[list[tuple[int, Point]]] = []
    for q in queries:
        plain = [c for c in chosen.get(q.id, []) if c.quote is None and c.match is not None]
        placed = [c for c in plain if placeable(articles[c.match.article_id].meta)]  # type: ignore[union-attr]
        options: list[tuple[int, float, Point]] = []
        for rank, c in enumerate(placed + [c for c in plain if c not in placed]):
            m = c.match
            assert m is not None
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
        for i, options in enumerate(per_theme):
            if len(taken) + len(points) >= SUMMARY_MAX or \
                    (rnd > 0 and len(taken) + len(points) >= SUMMARY_MIN):
                return points
            have = sum(1 for p in points if p.theme == queries[i].id)
            if have > rnd:
                continue
            for rank, p in options:
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
    if cut is None or cut.start < start or words(article.text, cut.start, end) < MIN_STATEMENT_WORDS:
        return None
    return cut.start, end


COVERED = "shown so that every article with something to say is cited"


def cover(chosen: dict[str, list[_Chosen]], ranked: Mapping[str, list[Candidate]],
          queries: Sequence[ThemeQuery], articles: Mapping[str, Article],
          decisions: Decisions, quote_index: QuoteIndex, edges: Edges) -> None:
    """Give each article that has an eligible candidate but is cited nowhere one item: its best
    candidate (by score relative to its theme's best) takes a free slot of its theme, or the
    place of that section's weakest item from an article cited more than once."""
    limits = {q.id: q.max_items for q in queries}

    def cited() -> dict[str, int]:
        n: dict[str, int] = {}
        for cs in chosen.values():
            for c in cs:
                for m in ([c.match] if c.match else []) + c.also:
                    n[m.article_id] = n.get(m.article_id, 0) + 1
        return n

    best = {q.id: max((c.match.score for c in ranked.get(q.id, []) if c.reason is None),
                      default=0.0) for q in queries}
    waiting: dict[str, list[tuple[float, Match]]] = {}
    for q in queries:
        for c in ranked.get(q.id, []):
            if c.reason is None and best[q.id] > 0:
                waiting.setdefault(c.match.article_id, []).append((c.match.score / best[q.id], c.match))
    counts = cited()
    for article_id in sorted(waiting):
        if counts.get(article_id):
            continue
        for _, m in sorted(waiting[article_id], key=lambda p: (-p[0], p[1].start)):
            section = chosen[m.theme]
            fact = Fact.of(articles[m.article_id].text[m.start:m.end])
            if any(fact.same_as(c.fact, frozenset()) for c in section if c.match):
                continue
            victims = [c for c in section if c.match and counts.get(c.match.article_id, 0) >= 2]
            if len(section) >= limits[m.theme]:
                if not victims:
                    continue
                victim = min(victims, key=lambda c: (c.match.score, c.match.start))  # type: ignore[union-attr]
                section.remove(victim)
                vm = victim.match
                assert vm is not None
                decisions[(vm.theme, vm.article_id, vm.start, vm.end)] = Decision(
                    False, f"gave its place to {m.article_id}@{m.start}, so that every article "
                           "with something to say is cited")
            quote = quote_index.get((m.article_id, m.start, m.end))
            section.append(_Chosen(m, fact, [], quote,
                                   edges.get((m.article_id, m.start, m.end), (False, False))))
            section.sort(key=lambda c: (-c.match.score, c.match.article_id, c.match.start))  # type: ignore[union-attr]
            decisions[(m.theme, m.article_id, m.start, m.end)] = Decision(
                True, (f"shown as a quotation of {quote.speaker}" if quote else "shown")
                + f" ({COVERED})")
            counts = cited()
            break


def ledes(chosen: Mapping[str, list[_Chosen]], queries: Sequence[ThemeQuery],
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
        placed = [c for c in plain if placeable(articles[c.match.article_id].meta)]  # type: ignore[union-attr]
        pool = [c for c in placed or plain if not c.also] or placed or plain
        if not pool:
            continue
        opener = pool[0]
        top = opener.match
        assert top is not None
        seg, article = segmented[top.article_id], articles[top.article_id]
        options = _edge_options(opener, seg, article)
        if not options:
            continue
        s, e, _ = max(options, key=lambda o: (_weight(article.text[o[0]:o[1]], q, top.terms), -o[0]))
        out[q.id] = (top.article_id, s, e)
        if opener.also:  # an item citing other reports stays whole, to carry them
            continue
        rest = _remainder(top, [Point(top.article_id, s, e, q.id)], article, seg) \
            if (s, e) != (top.start, top.end) else None
        opener.match = None if rest is None else dataclasses.replace(top, start=rest[0], end=rest[1])
    return out


@dataclass
class Selection:
    """What the edition shows and why: each theme's chosen items, The essentials, the ledes,
    and for explain every candidate's fate."""

    ranked: dict[str, list[Candidate]]
    chosen: dict[str, list[_Chosen]]
    decisions: Decisions
    quote_index: QuoteIndex
    edges: Edges
    points: list[Point]
    ledes: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    point_also: dict[int, list[Match]] = field(default_factory=dict)  # point index -> reports


def select(queries: Sequence[ThemeQuery], ranked: Mapping[str, list[Candidate]],
           quotes: Mapping[str, Sequence[Quote]], articles: Mapping[str, Article],
           segmented: Mapping[str, Segmented],
           events: Mapping[str, Sequence[Event]]) -> Selection:
    """Everything the edition shows, in the order it is decided (see the module docstring)."""
    refined = refine(ranked, queries, articles)
    refined, quote_index = quote_candidates(refined, quotes, queries, articles)
    edges: Edges = {}
    refined = standing_alone(refined, articles, segmented, quote_index, edges)
    first = choose(queries, refined, articles, None, quote_index, edges)
    points: list[Point] = []
    news = news_point(first, articles, segmented, events)
    if news is not None:
        points.append(news)
    points += theme_points(first, queries, articles, segmented, points)
    point_also: dict[int, list[Match]] = {}
    final = without_points(refined, points, articles, segmented, quote_index, edges, point_also)
    decisions: Decisions = {}
    chosen = choose(queries, final, articles, decisions, quote_index, edges)
    cover(chosen, final, queries, articles, decisions, quote_index, edges)
    opened = ledes(chosen, queries, articles, segmented, points)
    return Selection(final, chosen, decisions, quote_index, edges, points, opened, point_also)
