"""The timeline as a picture: dated events on a time axis, and each theme's coverage over time.

This module only lays the chart out (positions, ticks, lanes, labels) from the Briefing; the
templates draw it as inline SVG (``templates/partials/timeline-chart.html``), so a user can restyle
or replace the drawing without touching the geometry, and no script or remote asset is involved.
The numbered list of events under the chart is its text equivalent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from briefing.models import Briefing

#: The SVG's user-space width; it scales to the column (web) or the text block (print).
WIDTH = 640.0
PLOT_LEFT, PLOT_RIGHT = 150.0, 624.0
LANE, MARK_RADIUS, ROW = 22.0, 8.5, 20.0
TOP = 14.0
LABEL_CHARS = 22


@dataclass(frozen=True, slots=True)
class Mark:
    """One timeline event on the axis: a numbered disc, with a bar for month or year precision."""

    number: int
    x: float
    y: float
    x_from: float
    x_to: float
    label: str  # the event's date as shown ('14 February 2003'), for the SVG <title>
    precision: str


@dataclass(frozen=True, slots=True)
class Dot:
    """A dated point on a theme's row: an event from a source the theme cites, or the source's
    own publication date (``kind`` 'event' or 'published')."""

    x: float
    kind: str
    label: str


@dataclass(frozen=True, slots=True)
class Row:
    """One theme's coverage over time."""

    title: str
    y: float
    dots: tuple[Dot, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """Everything the template needs to draw the timeline chart, in SVG user units."""

    width: float
    height: float
    plot_left: float
    plot_right: float
    axis_y: float
    ticks: tuple[tuple[float, str], ...]
    marks: tuple[Mark, ...]
    rows: tuple[Row, ...]
    rows_top: float
    title: str
    description: str


def _span(value: str) -> tuple[float, float] | None:
    """A normalised date as a [start, end) interval in fractional years; None if unreadable."""
    parts = value.split("-")
    try:
        year = int(parts[0])
        if len(parts) >= 3:
            day = date(year, int(parts[1]), int(parts[2]))
            start = year + (day.timetuple().tm_yday - 1) / 365.25
            return start, start + 1 / 365.25
        if len(parts) == 2:
            month = int(parts[1])
            if not 1 <= month <= 12:
                return None
            return year + (month - 1) / 12, year + month / 12
        return float(year), year + 1.0
    except (ValueError, IndexError):
        return None


def _tick_step(years: float) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 250, 500):
        if years / step <= 7:
            return step
    return 1000


def _short(title: str) -> str:
    return title if len(title) <= LABEL_CHARS else title[: LABEL_CHARS - 1].rstrip() + "…"


def timeline_chart(briefing: Briefing) -> Chart | None:
    """Lay out the briefing's timeline and its themes' coverage as a chart, or None when nothing
    in the briefing is dated. Events that would overlap on the axis go to further lanes, so the
    numbered discs stay legible however the dates cluster; each theme row shows the dated events
    and publication dates of the sources that theme cites."""
    from briefing.render import longdate  # render imports this module: import late

    events = [(n, e, _span(e.date)) for n, e in enumerate(briefing.timeline, start=1)]
    events = [(n, e, s) for n, e, s in events if s is not None]
    published = {s.id: (_span(s.published), s.published) for s in briefing.sources if s.published}
    intervals = [s for _, _, s in events] + [p for p, _ in published.values() if p is not None]
    if not intervals:
        return None
    low = math.floor(min(a for a, _ in intervals))
    high = math.ceil(max(b for _, b in intervals))
    high = max(high, low + 1)
    step = _tick_step(high - low)
    low = low - low % step
    high = high + (-high) % step

    def x(year: float) -> float:
        return PLOT_LEFT + (year - low) / (high - low) * (PLOT_RIGHT - PLOT_LEFT)

    lanes: list[float] = []  # centre of the last disc in each lane
    placed: list[tuple[int, int, float, float, float, str, str]] = []
    for number, event, (start, end) in events:
        middle = x((start + end) / 2)
        lane = next((i for i, edge in enumerate(lanes) if edge + 2 * MARK_RADIUS + 3 <= middle),
                    len(lanes))
        if lane == len(lanes):
            lanes.append(middle)
        lanes[lane] = middle
        placed.append((number, lane, middle, x(start), x(end), longdate(event.date),
                       event.precision))
    axis_y = TOP + max(len(lanes), 1) * LANE
    marks = tuple(Mark(number=n, x=round(m, 1), y=round(axis_y - (lane + 1) * LANE + 4, 1),
                       x_from=round(a, 1), x_to=round(max(b, a + 1.5), 1), label=label,
                       precision=precision)
                  for n, lane, m, a, b, label, precision in placed)

    rows_top = axis_y + 30
    rows: list[Row] = []
    for section in briefing.sections:
        cited = {item.source for item in section.items}
        cited |= {c.source for item in section.items for c in item.also}
        if section.lede is not None:
            cited.add(section.lede.source)
        dots = [Dot(x=round(x(sum(s) / 2), 1), kind="event", label=longdate(e.date))
                for _, e, s in events if e.source in cited]
        dots += [Dot(x=round(x(sum(p) / 2), 1), kind="published", label=longdate(value))
                 for sid, (p, value) in sorted(published.items()) if sid in cited and p]
        rows.append(Row(title=_short(section.title), y=round(rows_top + len(rows) * ROW, 1),
                        dots=tuple(dots)))
    height = rows_top + len(rows) * ROW + 4
    ticks = tuple((round(x(year), 1), str(year)) for year in range(low, high + 1, step))
    first, last = briefing.timeline[0].date if briefing.timeline else "", (
        briefing.timeline[-1].date if briefing.timeline else "")
    if events:
        title = (f"Timeline: {len(events)} dated event{'s' if len(events) != 1 else ''}, "
                 f"{longdate(first)} to {longdate(last)}")
    else:
        title = "Publication dates of the sources"
    description = ("Numbered discs mark the events listed below, in date order; each theme's row "
                   "shows when the events and publications of its sources fall.")
    return Chart(width=WIDTH, height=round(height, 1), plot_left=PLOT_LEFT, plot_right=PLOT_RIGHT,
                 axis_y=round(axis_y, 1), ticks=ticks, marks=marks, rows=tuple(rows),
                 rows_top=rows_top, title=title, description=description)

