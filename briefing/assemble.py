"""Scored candidates -> the Briefing: sections, items chosen and ordered, duplicates merged,
sources numbered in reading order.

Before choosing, candidates are refined: a theme's ``require`` query must hold; a passage that is
mostly questions, an aside in parentheses, or a fragment of a few words is marked down (an
analyst's briefing reports, it does not muse); and a passage scoring under RELATIVE_FLOOR of its
theme's best is left out rather than padding the section.

Choosing items is one greedy pass over every (theme, candidate) pair, best relative score first
(a candidate's score over its theme's best score), so a passage that fits two themes lands in the
theme it fits better and is shown once. Within a section, a passage that says what a chosen one
already says is not shown again but cited under the chosen one as "also reported by". Two
passages say the same thing when (a) most content words of the shorter are in the longer
(syndicated copies: Feedly's 85% rule), or (b) they share a rare anchor, a number or year that
few of the theme's candidates mention (the 2003 designation), and at least one other rare
content word: the same fact retold in other words. No article supplies more than half a section,
so one long article cannot crowd out the others.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .corpus import display_path
from .models import (Article, Briefing, Cited, Item, Match, Quote, Section, Segmented, Source,
                     TimelineEvent, Voice, corpus_sha256)
from .query import Passage, matches
from .textnorm import TOKEN_RE, roots
from .themes import Candidate, Term, ThemeQuery
from .timeline import Event, select
from .timeline import events as sentence_events

DUPLICATE_CONTAINMENT = 0.85
EMPTY_NOTE = "Nothing in these articles matches this theme."

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


def corpus_digest(articles: Sequence[Article]) -> str:
    """The contract's ``corpus.sha256`` of the articles considered (see models.corpus_sha256)."""
    return corpus_sha256((a.id, a.sha256) for a in articles)


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


@dataclass(frozen=True, slots=True)
class Decision:
    """What became of one candidate: shown (and how), or why it was left out."""

    shown: bool
    why: str


Decisions = dict[tuple[str, str, int, int], Decision]
QuoteIndex = dict[tuple[str, int, int], Quote]

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
                if not (dominant or inside) or key in seen:
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
           articles: Mapping[str, Article],
           segmented: Mapping[str, Segmented]) -> dict[str, list[Candidate]]:
    """Apply what needs the passage's text (see the module docstring): the theme's ``require``
    query (with the passage's sentences for SAME), the reporting prior on the score, and the
    relative floor. Left-out candidates keep their place in explain with the reason."""
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
                if q.require is not None:
                    seg = segmented[m.article_id]
                    sentences = [(x.start, x.end) for x in seg.paragraphs[m.paragraph].sentences]
                    if not matches(q.require, Passage.of(text, m.start, m.end, sentences)):
                        c = Candidate(m, "does not satisfy the theme's require query")
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


def choose(queries: Sequence[ThemeQuery], ranked: Mapping[str, list[Candidate]],
           articles: Mapping[str, Article], decisions: Decisions | None = None,
           quote_index: QuoteIndex | None = None) -> dict[str, list[_Chosen]]:
    """Pick each theme's items from its eligible candidates (see the module docstring).

    When ``decisions`` is given it receives, for every eligible candidate keyed by (theme,
    article id, start, end), what became of it: shown (as a passage, or as a quotation of its
    speaker), or why it was left out.
    """
    decide = decisions if decisions is not None else {}
    quote_index = quote_index or {}
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
        chosen[m.theme].append(_Chosen(m, fact, [], quote))
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
        cap = max(1, math.ceil(limits[m.theme] / 2))
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


class _Numbering:
    """Assigns S1, S2, ... to articles in the order they are first cited."""

    def __init__(self, articles: Mapping[str, Article], cwd: Path | None) -> None:
        self.articles = articles
        self.ids: dict[str, str] = {}
        self.cwd = cwd
        self._paths: dict[str, str] = {}

    def path(self, a: Article) -> str:
        """The article's path as shown (resolved once per article: an edition cites some a
        dozen times)."""
        shown = self._paths.get(a.id)
        if shown is None:
            shown = self._paths[a.id] = display_path(a.path, self.cwd)
        return shown

    def cite(self, article_id: str, start: int, end: int) -> Cited:
        sid = self.ids.setdefault(article_id, f"S{len(self.ids) + 1}")
        a = self.articles[article_id]
        return Cited(a.text[start:end], sid, self.path(a), start, end)

    def sources(self) -> tuple[Source, ...]:
        out = []
        for article_id, sid in self.ids.items():
            a = self.articles[article_id]
            m = a.meta
            out.append(Source(sid, int(sid[1:]), self.path(a), m.title,
                              m.outlet, m.byline, m.published, m.inferred, m.url, a.encoding,
                              a.sha256))
        return tuple(out)


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


@dataclass(frozen=True, slots=True)
class ThemeInfo:
    """What the assembler needs to know of a theme besides its query."""

    id: str
    title: str
    description: str


MAX_VOICES = 12
MAX_QUOTES_PER_VOICE = 3
SUMMARY_MIN, SUMMARY_MAX = 3, 5
MAX_TIMELINE = 12


def voices(quotes: Mapping[str, Sequence[Quote]], numbering: "_Numbering") -> tuple[Voice, ...]:
    """Who said what in the cited articles: attributed quotations grouped by speaker, the most
    quoted first (ties: first quoted first); at most MAX_VOICES speakers and MAX_QUOTES_PER_VOICE
    quotations each, so the part stays a digest at any corpus size."""
    groups: dict[str, list[Item]] = {}
    for article_id in list(numbering.ids):
        for q in quotes.get(article_id, ()):
            if q.speaker is None:
                continue
            cited = numbering.cite(article_id, q.start, q.end)
            groups.setdefault(q.speaker, []).append(
                Item("quote", cited.text, cited.source, cited.path, q.start, q.end, 0.0, (),
                     speaker=q.speaker, cue=q.cue))
    ranked = sorted(groups.items(), key=lambda kv: -len(kv[1]))  # stable: first quoted first
    return tuple(Voice(name, tuple(items[:MAX_QUOTES_PER_VOICE]))
                 for name, items in ranked[:MAX_VOICES])


def summary_points(chosen: Mapping[str, list[_Chosen]], queries: Sequence[ThemeQuery],
                   segmented: Mapping[str, Segmented], articles: Mapping[str, Article],
                   ledes: Mapping[str, tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """The executive summary: SUMMARY_MIN to SUMMARY_MAX verbatim sentences, the strongest
    sentence of each theme's passages first (in theme order), then the next strongest, round
    robin, never a section's lede, never two sentences saying the same thing."""
    per_theme: list[list[tuple[str, int, int]]] = []
    for q in queries:
        options: list[tuple[float, float, tuple[str, int, int]]] = []
        lede = ledes.get(q.id)
        for c in chosen[q.id]:
            if c.match is None or c.quote is not None:
                continue
            m = c.match
            article = articles[m.article_id]
            for x in _statements(m, segmented[m.article_id], article.text):
                if lede == (m.article_id, *x):
                    continue
                w = _weight(article.text[x[0]:x[1]], q, m.terms)
                if w > 0:
                    options.append((w, m.score, (m.article_id, *x)))
        options.sort(key=lambda o: (-o[0] * o[1], o[2]))  # evidence in the sentence x passage score
        per_theme.append([o[2] for o in options])
    points: list[tuple[str, int, int]] = []
    words: list[Fact] = []
    for rank in range(max((len(t) for t in per_theme), default=0)):
        if len(points) >= SUMMARY_MAX or (rank > 0 and len(points) >= SUMMARY_MIN):
            break
        for options in per_theme:
            if rank < len(options) and len(points) < SUMMARY_MAX:
                aid, a, b = options[rank]
                w = Fact.of(articles[aid].text[a:b])
                if any(w.same_as(other, frozenset()) for other in words) or \
                        any(p[0] == aid and a < p[2] and p[1] < b for p in points):
                    continue
                points.append((aid, a, b))
                words.append(w)
    return points


def dated_events(article: Article, seg: Segmented) -> list[Event]:
    """The dated sentences of one article (timeline.py): what the timeline chooses from. The
    pipeline may compute these once per article and keep them (they depend on nothing else)."""
    sentences = [(x.start, x.end) for p in seg.body for x in p.sentences]
    return list(sentence_events(article.id, article.text, sentences, article.meta.published))


def timeline(numbering: "_Numbering", segmented: Mapping[str, Segmented],
             shown: set[tuple[str, int, int]],
             known: Mapping[str, Sequence[Event]] | None = None) -> tuple[TimelineEvent, ...]:
    """Dated events in the cited articles (see timeline.py), at most MAX_TIMELINE, in date
    order, each citing its sentence. ``known`` gives articles' events already extracted."""
    known = known or {}
    candidates: list[Event] = []
    for article_id in list(numbering.ids):
        if article_id in known:
            candidates += known[article_id]
        else:
            candidates += dated_events(numbering.articles[article_id], segmented[article_id])
    out = []
    for ev in select(candidates, MAX_TIMELINE, shown):
        c = numbering.cite(ev.article_id, ev.start, ev.end)
        out.append(TimelineEvent(ev.date, ev.precision, c.text, c.source, c.path, c.start, c.end))
    return tuple(out)


def assemble(*, title: str, edition: str, generated_at: str, reader: str | None,
             version: str, config_sha256: str, themes: Sequence[ThemeInfo],
             queries: Sequence[ThemeQuery], ranked: Mapping[str, list[Candidate]],
             articles: Sequence[Article], segmented: Mapping[str, Segmented],
             quotes: Mapping[str, Sequence[Quote]] | None = None,
             events: Mapping[str, Sequence[Event]] | None = None,
             corpus_info: tuple[int, str] | None = None,
             notes: Sequence[str] = (), cwd: Path | None = None) -> Briefing:
    """Build the Briefing from each theme's ranked candidates and the articles' quotations.

    Sources are numbered in reading order: the summary, then the sections (lede, items, other
    reports), the voices, the timeline. ``articles`` must hold every article a candidate comes
    from; ``corpus_info`` (article count, corpus digest) describes the whole corpus considered
    when ``articles`` holds only those (a store keeps it), else it is computed from
    ``articles``. ``events`` gives articles' dated sentences already extracted.
    """
    by_id = {a.id: a for a in articles}
    quotes = quotes or {}
    ranked = refine(ranked, queries, by_id, segmented)
    ranked, quote_index = quote_candidates(ranked, quotes, queries, by_id)
    chosen = choose(queries, ranked, by_id, quote_index=quote_index)

    ledes: dict[str, tuple[str, int, int]] = {}
    for q in queries:
        # the lede opens with the best plain passage; one that carries "also reported by"
        # stays whole to carry them, so another passage opens when there is one
        plain = [c for c in chosen[q.id] if c.quote is None and c.match is not None]
        opener = next((c for c in plain if not c.also), plain[0] if plain else None)
        if opener is None:
            continue
        top = opener.match
        text = by_id[top.article_id].text
        (s, e), _ = _best_sentence(top, segmented[top.article_id], q, by_id[top.article_id])
        rest = _without(top, (s, e), segmented[top.article_id])
        if rest is not None and rest != top and \
                len(TOKEN_RE.findall(text, rest.start, rest.end)) < MIN_STATEMENT_WORDS:
            (s, e), rest = (top.start, top.end), None  # no fragment left behind: lede it all
        ledes[q.id] = (top.article_id, s, e)
        if not opener.also:  # an item citing other reports stays, to carry them
            opener.match = rest

    numbering = _Numbering(by_id, cwd)
    summary = tuple(numbering.cite(*p) for p in
                    summary_points(chosen, queries, segmented, by_id, ledes))
    sections = []
    shown: set[tuple[str, int, int]] = set()
    for info, q in zip(themes, queries):
        lede = numbering.cite(*ledes[q.id]) if q.id in ledes else None
        items = []
        for c in chosen[q.id]:
            m = c.match
            if m is None:  # the whole passage became the lede
                continue
            cited = numbering.cite(m.article_id, m.start, m.end)
            also = tuple(numbering.cite(x.article_id, x.start, x.end) for x in c.also)
            shown.add((m.article_id, m.start, m.end))
            kind, speaker, cue = ("quote", c.quote.speaker, c.quote.cue) if c.quote else \
                ("passage", None, None)
            items.append(Item(kind, cited.text, cited.source, cited.path, m.start, m.end,
                              m.score, m.terms, speaker=speaker, cue=cue, also=also))
        sections.append(Section(info.id, info.title, info.description, lede, tuple(items),
                                EMPTY_NOTE if lede is None and not items else None))
    spoken = voices(quotes, numbering)
    dated = timeline(numbering, segmented, shown | {ledes[k] for k in ledes}, events)
    count, digest = corpus_info or (len(articles), corpus_digest(articles))
    return Briefing(
        title=title, edition=edition, generated_at=generated_at, reader=reader,
        generator={"name": "briefing", "version": version}, config_sha256=config_sha256,
        corpus={"articles": count, "sha256": digest},
        sources=numbering.sources(), summary=summary, sections=tuple(sections),
        timeline=dated, notes=tuple(notes), voices=spoken,
    )
