"""Scored candidates -> the items each part of the edition shows, and why the rest are not:
:func:`select`, the order in which it is decided, each step in a module of its own.

1. The candidates are made fit to be shown (``refine``): marked down where they muse rather
   than report, left out under the relative floor, turned into quotations where a passage is
   mostly one, and cut so that every span stands alone.
2. Each section's items are chosen in one greedy pass (``sections.choose``), telling repeated
   facts apart (``facts``) and keeping any one article from crowding out the others.
3. The essentials are drawn from that first pass (``essentials``): the newest dated
   development, then each theme's best sentence.
4. The sections are chosen again from the candidates without what The essentials print
   (``essentials.without_points``, then ``sections.choose``), every article worth citing is
   given a place (``sections.cover``), and a theme with no point of its own gets a lede
   (``essentials.ledes``).

``build`` and ``explain`` both read the :class:`Selection`, so explain tells every candidate's
fate as build decided it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from briefing.annotate.timeline import Event
from briefing.judge.essentials import Point, ledes, news_point, theme_points, without_points
from briefing.judge.refine import Edges, QuoteIndex, quote_candidates, refine, standing_alone
from briefing.judge.sections import Chosen, Decisions, choose, cover
from briefing.judge.themes import Candidate, ThemeQuery
from briefing.models import Article, Match, Quote, Segmented


@dataclass
class Selection:
    """What the edition shows and why: each theme's chosen items, The essentials, the ledes,
    and for explain every candidate's fate."""

    ranked: dict[str, list[Candidate]]
    chosen: dict[str, list[Chosen]]
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
