"""The timeline chart's layout (briefing/chart.py), by property: for any set of dates, no two
discs overlap, the axis keeps their order and breaks where years pass without events, and a row
that would repeat another (or say only what the axis says) is not drawn."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from datetime import date, timedelta

from briefing_fixture import seed_briefing
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.models import Briefing, Section
from briefing.publish.chart import (
    DOT,
    RADIUS,
    WIDTH,
    Chart,
    clusters,
    summary_line,
    timeline_chart,
)

_DAY = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(
    lambda d: (d.isoformat(), "day"))
_DATES = st.one_of(
    _DAY,
    st.tuples(st.integers(1900, 2100), st.integers(1, 12)).map(
        lambda ym: (f"{ym[0]:04d}-{ym[1]:02d}", "month")),
    st.integers(1900, 2100).map(lambda y: (f"{y:04d}", "year")))


@st.composite
def _clustered(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Dates the way news timelines have them: a few tight clusters far apart (a designation in
    2003, a run of meetings within weeks in 2021), days, months and years mixed."""
    out = []
    for _ in range(draw(st.integers(1, 4))):
        centre = draw(st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 1, 1)))
        for _ in range(draw(st.integers(1, 14))):
            day = centre + timedelta(days=draw(st.integers(0, 400)))
            out.append(draw(st.sampled_from([(day.isoformat(), "day"),
                                             (day.isoformat()[:7], "month"),
                                             (day.isoformat()[:4], "year")])))
    return out


def _with_dates(dates: list[tuple[str, str]]) -> Briefing:
    brief = seed_briefing()
    event = brief.timeline[0]
    return replace(brief, timeline=tuple(replace(event, date=d, precision=p)
                                         for d, p in sorted(dates)))


def _middle(value: str) -> float:
    """A date's middle in years, computed apart from the chart's own code."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return parts[0] + 0.5
    if len(parts) == 2:
        return parts[0] + (parts[1] - 0.5) / 12
    day = date(*parts)
    return parts[0] + (day.timetuple().tm_yday - 0.5) / 365.25


def _check(chart: Chart, brief: Briefing) -> None:
    n = len(brief.timeline)
    assert [m.number for m in chart.marks] == list(range(1, n + 1))
    for a, b in itertools.combinations(chart.marks, 2):
        assert math.dist((a.x, a.y), (b.x, b.y)) >= 2 * RADIUS - 0.05, \
            f"discs {a.number} and {b.number} overlap"
    for mark in chart.marks:
        assert RADIUS <= mark.x <= WIDTH - RADIUS and RADIUS <= mark.y <= chart.axis_y - RADIUS
        assert any(s.x_from - 0.1 <= mark.anchor <= s.x_to + 0.1 for s in chart.segments)
    # the axis keeps time's order: a later date is never left of an earlier one
    when = {n: _middle(e.date) for n, e in enumerate(brief.timeline, start=1)}
    by_time = sorted(chart.marks, key=lambda m: when[m.number])
    assert [m.anchor for m in by_time] == sorted(m.anchor for m in by_time)
    disc_order = sorted(chart.marks, key=lambda m: (m.y, when[m.number]))
    for a, b in zip(disc_order, disc_order[1:]):
        if a.y == b.y:
            assert a.x < b.x, "discs in a lane are not in date order"
    for a, b in zip(chart.segments, chart.segments[1:]):
        assert a.x_to < b.x_from  # an axis break is a gap
    assert chart.plot_left <= chart.segments[0].x_from
    assert chart.segments[-1].x_to <= chart.plot_right
    assert len(chart.segments) == len(chart.breaks) + 1
    xs = [x for x, _ in chart.ticks]
    assert xs == sorted(xs) and all(0 <= x <= WIDTH for x in xs)
    for row in chart.rows:  # a row's dots: in date order, none covering another
        dots = sorted(row.dots, key=lambda d: when[d.number])
        for a, b in zip(dots, dots[1:]):
            assert b.x - a.x >= 2 * DOT - 0.05, f"dots {a.number} and {b.number} overlap"
        assert all(chart.plot_left <= d.x <= chart.plot_right for d in dots)


@settings(max_examples=200, deadline=None)
@given(st.lists(_DATES, min_size=1, max_size=60))
def test_no_two_discs_overlap_for_any_dates(dates: list[tuple[str, str]]) -> None:
    brief = _with_dates(dates)
    chart = timeline_chart(brief)
    assert chart is not None
    _check(chart, brief)


@settings(max_examples=200, deadline=None)
@given(_clustered())
def test_no_two_discs_overlap_for_clustered_dates(dates: list[tuple[str, str]]) -> None:
    brief = _with_dates(dates)
    chart = timeline_chart(brief)
    assert chart is not None
    _check(chart, brief)


def test_the_seed_timeline_reads_at_a_glance() -> None:
    """Twelve events, one in 2003 and eight in 2021 (the seed edition's): the axis breaks
    twice, 2021 gets the most width, and the discs of 5 and 8 July 2021 stand apart."""
    days = ["2003-02-14", "2017-08", "2018-11", "2019-02", "2021-01", "2021-02-17",
            "2021-04-28", "2021-07-05", "2021-07-08", "2021-08", "2021-10", "2021-10-20"]
    dates = [(d, "day" if d.count("-") == 2 else "month") for d in days]
    brief = _with_dates(dates)
    chart = timeline_chart(brief)
    assert chart is not None
    assert [s.label for s in chart.segments] == ["2003", "2017–2019", "2021"]
    widths = [s.x_to - s.x_from for s in chart.segments]
    assert widths[2] > widths[1] > widths[0]
    assert len({m.y for m in chart.marks}) == 1  # one lane: twelve discs fit side by side
    assert summary_line(brief) == ("12 dated events from 14 February 2003 to 20 October 2021: "
                                   "1 in 2003, 3 in 2017–2019, 8 in 2021.")
    assert "the axis skips 2004–2016 and 2020" in chart.description
    assert {label for _, label in chart.ticks} >= {"2003", "2018", "2019", "2021", "Jul"}


def test_a_linear_axis_where_nothing_is_far_apart() -> None:
    dates = [(f"{y}-06", "month") for y in range(2015, 2022)]
    chart = timeline_chart(_with_dates(dates))
    assert chart is not None and len(chart.segments) == 1 and not chart.breaks
    assert len(clusters([])) == 0


def _rows_briefing(shown: list[set[int]]) -> Briefing:
    """The seed briefing with four dated events, the i-th section showing the blocks of the
    events in ``shown[i]`` (as points of The essentials drawn from it)."""
    base = seed_briefing()
    event = base.timeline[0]
    timeline = tuple(replace(event, date=f"20{10 + n}-0{n + 1}", precision="month", id=f"t{n}",
                             see=f"e{n}") for n in range(4))
    sections = tuple(Section(theme=f"theme-{i}", title=f"Theme {i}", description="", lede=None,
                             items=(), empty_note=None,
                             in_summary=tuple(f"e{n}" for n in sorted(events)))
                     for i, events in enumerate(shown))
    return replace(base, timeline=timeline, sections=sections)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sets(st.integers(0, 3)), min_size=1, max_size=6))
def test_a_row_that_equals_another_is_not_drawn(shown: list[set[int]]) -> None:
    chart = timeline_chart(_rows_briefing(shown))
    assert chart is not None
    rows = [frozenset(d.number for d in row.dots) for row in chart.rows]
    assert len(rows) == len(set(rows)), "two rows show the same events"
    assert all(rows), "an empty row is drawn"
    distinct = {frozenset(n + 1 for n in events) for events in shown if events}
    if distinct == {frozenset(range(1, 5))}:
        assert not rows  # the only row would hold every event: the axis says that already
    else:
        assert set(rows) == distinct
    # each theme with events is named on the one row that shows them
    for i, events in enumerate(shown):
        if events and rows:
            holding = [r for r in chart.rows if f"Theme {i}" in r.title.split(", ")
                       or r.title.endswith("…")]
            assert holding


def test_rows_with_the_same_events_are_one_row_under_both_titles() -> None:
    chart = timeline_chart(_rows_briefing([{0, 1}, {0, 1}, {2}]))
    assert chart is not None
    assert [r.title for r in chart.rows] == ["Theme 0, Theme 1", "Theme 2"]


def test_no_chart_without_a_dated_event() -> None:
    brief = seed_briefing()
    assert timeline_chart(replace(brief, timeline=())) is None
    assert timeline_chart(_with_dates([("someday", "day")])) is None
    assert summary_line(replace(brief, timeline=())) == ""


@settings(max_examples=200, deadline=None)
@given(_clustered())
def test_no_two_dots_of_a_row_overlap_for_clustered_dates(dates: list[tuple[str, str]]) -> None:
    """Days apart on the axis are one blob on a row unless its dots are moved apart: 5 and 8
    July 2021 on the seeds' Central Asia row read as one event."""
    base = _rows_briefing([{0}])
    event = base.timeline[0]
    timeline = tuple(replace(event, date=d, precision=p, id=f"t{n}", see=f"e{n % 2}")
                     for n, (d, p) in enumerate(sorted(dates)))
    sections = tuple(Section(theme=f"theme-{i}", title=f"Theme {i}", description="", lede=None,
                             items=(), empty_note=None, in_summary=(f"e{i}",)) for i in (0, 1))
    brief = replace(base, timeline=timeline, sections=sections)
    chart = timeline_chart(brief)
    assert chart is not None
    _check(chart, brief)
