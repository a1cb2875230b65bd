"""Refined candidates -> the items each section shows, and why the rest are not.

Choosing items is one greedy pass over every (theme, candidate) pair, best relative score first
(a candidate's score over its theme's best score), so a passage that fits two themes lands in the
theme it fits better and is shown once. Within a section, a passage that says what a chosen one
already says (``facts``) is not shown again but cited under the chosen one as "also reported
by". No article supplies more than half a section (an unsigned, undated one a third), so one
long article cannot crowd out the others; slots nobody else can fill go back to it. An article
with something to say that no section took gets the place of the weakest item of an article
cited more than once (:func:`cover`), so every article worth citing is cited.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from briefing.judge.editorial import anonymous
from briefing.judge.facts import Fact, common_roots
from briefing.judge.refine import Edges, QuoteIndex
from briefing.judge.themes import Candidate, ThemeQuery
from briefing.models import Article, Match, Quote


@dataclass(slots=True)
class Chosen:
    """An item a section shows, as chosen: its match (shown as ``quote`` when it is one), what
    it says, the reports of the same fact cited under it ("also reported by"), and whether its
    span was cut inside a sentence at either end."""

    match: Match | None  # None once the whole passage has become the section's lede
    fact: Fact
    also: list[Match]
    quote: Quote | None = None
    edges: tuple[bool, bool] = (False, False)  # cut before, cut after (editorial.Cut)

    @property
    def match_shown(self) -> Match:
        """``match``, where it is known to be there: every item has one until
        ``essentials.ledes`` makes a whole passage its section's lede."""
        assert self.match is not None, "an item wholly taken as its section's lede"
        return self.match


def by_score(c: Chosen) -> tuple[float, str, int]:
    """The order of a section's items: best score first, then by article and place."""
    return -c.match_shown.score, c.match_shown.article_id, c.match_shown.start


@dataclass(frozen=True, slots=True)
class Decision:
    """What became of one candidate: shown (and how), or why it was left out."""

    shown: bool
    why: str


Decisions = dict[tuple[str, str, int, int], Decision]


def source_cap(limit: int, article: Article) -> int:
    """How many of a section's ``limit`` items one article may supply while others can fill
    the rest: half, or a third for an anonymous source (no outlet, byline or date)."""
    return max(1, math.ceil(limit / (3 if anonymous(article.meta) else 2)))


def choose(queries: Sequence[ThemeQuery], ranked: Mapping[str, list[Candidate]],
           articles: Mapping[str, Article], decisions: Decisions | None = None,
           quote_index: QuoteIndex | None = None,
           edges: Edges | None = None) -> dict[str, list[Chosen]]:
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
    chosen: dict[str, list[Chosen]] = {q.id: [] for q in queries}
    used: dict[str, list[tuple[int, int, str]]] = {}
    facts = {(m.article_id, m.start, m.end): Fact.of(articles[m.article_id].text[m.start:m.end])
             for _, _, m in pairs}
    common = {q.id: common_roots([facts[(m.article_id, m.start, m.end)]
                                  for _, _, m in pairs if m.theme == q.id]) for q in queries}
    deferred: list[Match] = []

    def take(m: Match, fact: Fact) -> None:
        quote = quote_index.get((m.article_id, m.start, m.end))
        chosen[m.theme].append(Chosen(m, fact, [], quote,
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
            where = f"{twin.match_shown.article_id}@{twin.match_shown.start}"
            if twin.match_shown.article_id != m.article_id:
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
        if sum(1 for c in section if c.match_shown.article_id == m.article_id) >= cap:
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
        items.sort(key=by_score)
    return chosen


COVERED = "shown so that every article with something to say is cited"


def cover(chosen: dict[str, list[Chosen]], ranked: Mapping[str, list[Candidate]],
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
                waiting.setdefault(c.match.article_id, []).append(
                    (c.match.score / best[q.id], c.match))
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
                victim = min(victims, key=lambda c: (c.match_shown.score, c.match_shown.start))
                section.remove(victim)
                vm = victim.match_shown
                decisions[(vm.theme, vm.article_id, vm.start, vm.end)] = Decision(
                    False, f"gave its place to {m.article_id}@{m.start}, so that every article "
                           "with something to say is cited")
            quote = quote_index.get((m.article_id, m.start, m.end))
            section.append(Chosen(m, fact, [], quote,
                                  edges.get((m.article_id, m.start, m.end), (False, False))))
            section.sort(key=by_score)
            decisions[(m.theme, m.article_id, m.start, m.end)] = Decision(
                True, (f"shown as a quotation of {quote.speaker}" if quote else "shown")
                + f" ({COVERED})")
            counts = cited()
            break

