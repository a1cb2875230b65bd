"""The timeline as a picture: dated events on a time axis that reads at a glance however the
dates cluster, and the events each theme reports.

This module only lays the chart out (positions, ticks, lanes, labels) from the Briefing; the
templates draw it as inline SVG (``templates/partials/timeline-chart.html``), so a user can restyle
or replace the drawing without touching the geometry, and no script or remote asset is involved.
The numbered list of events under the chart is its text equivalent.

The axis is broken where years pass without events: the dates are cut into clusters at gaps that
are large both in years and against the span they sit in, each cluster gets width by how many
events it holds (density, not duration), and time runs linearly inside a cluster. A news
timeline typically has one distant anchor ("designated in 2003") and a dense recent run; a linear
axis spends most of its width on the empty years between. Each event keeps a mark at its true
place on the axis, and its numbered disc is placed as near that mark as the discs before and
after it allow (a least-squares placement with a minimum distance, in as many lanes as the
events need), joined to it by a leader line: discs never overlap, and their order is the order
of the dates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

from briefing.models import Briefing, Section
from briefing.publish.filters import longdate

#: The SVG's user-space width; it scales to the column (web) or the text block (print).
WIDTH = 560.0
EDGE = 14.0  # room at each end for a disc or a tick label
TITLES = 132.0  # the row titles' column, when rows are drawn
RADIUS = 9.0
SPACING = 2 * RADIUS + 3.0  # the least distance between two disc centres in one lane
LANE = 2 * RADIUS + 4.0
TOP = 4.0
STEM = 16.0  # from the nearest lane's discs down to the axis
BREAK = 18.0  # the gap an axis break takes
MIN_SEGMENT = 46.0
ROW = 18.0
LABEL_CHARS = 22
FONT = 11.0
#: Where the axis breaks: a gap of at least this many years ...
MIN_GAP_YEARS = 1.5
#: ... that is also at least this share of the span of the dates around it (and never inside a
#: span of three years or less, which a linear axis draws well).
GAP_SHARE = 0.25
MAX_SEGMENTS = 6
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Mark:
    """One timeline event: its numbered disc at (x, y), joined by a leader line to ``anchor``,
    its place on the axis; a bar from ``x_from`` to ``x_to`` shows a month or year precision."""

    number: int
    x: float
    y: float
    anchor: float
    x_from: float
    x_to: float
    label: str  # the event's date as shown ('14 February 2003'), for the SVG <title>
    precision: str


@dataclass(frozen=True, slots=True)
class Segment:
    """One unbroken stretch of the axis, and the dates it covers ('2017–2019')."""

    x_from: float
    x_to: float
    label: str
    events: int


@dataclass(frozen=True, slots=True)
class Dot:
    """An event on a theme's row: at the event's place on the axis."""

    x: float
    number: int
    label: str


@dataclass(frozen=True, slots=True)
class Row:
    """The events one theme reports (or several themes reporting the same ones)."""

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
    segments: tuple[Segment, ...]
    breaks: tuple[float, ...]  # the centre of each gap between two segments
    ticks: tuple[tuple[float, str], ...]
    marks: tuple[Mark, ...]
    rows: tuple[Row, ...]
    rows_top: float
    title: str
    description: str
    summary: str  # one line a reader can take in without the picture ('... 8 in 2021.')


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


@dataclass(frozen=True, slots=True)
class _Event:
    number: int
    date: str
    precision: str
    start: float
    end: float
    see: str | None

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2


def _events(briefing: Briefing) -> list[_Event]:
    """The timeline's readable events, numbered as the list shows them, sorted by time."""
    out = []
    for number, event in enumerate(briefing.timeline, start=1):
        span = _span(event.date)
        if span is not None:
            out.append(_Event(number, event.date, event.precision, span[0], span[1], event.see))
    return sorted(out, key=lambda e: (e.middle, e.number))


def clusters(events: list[_Event]) -> list[list[_Event]]:
    """The events (sorted by time) cut where the axis breaks; at most MAX_SEGMENTS clusters."""

    def split(run: list[_Event]) -> list[list[_Event]]:
        if len(run) < 2:
            return [run]
        span = run[-1].middle - run[0].middle
        if span <= 3:
            return [run]
        limit = max(MIN_GAP_YEARS, GAP_SHARE * span)
        cuts = [k for k in range(1, len(run)) if run[k].middle - run[k - 1].middle >= limit]
        if not cuts:
            return [run]
        out: list[list[_Event]] = []
        for a, b in zip([0, *cuts], [*cuts, len(run)], strict=True):
            out += split(run[a:b])
        return out

    groups = split(events) if events else []
    while len(groups) > MAX_SEGMENTS:  # close the narrowest gap
        k = min(range(len(groups) - 1),
                key=lambda i: groups[i + 1][0].middle - groups[i][-1].middle)
        groups[k:k + 2] = [groups[k] + groups[k + 1]]
    return groups


def _years(group: list[_Event]) -> str:
    first, last = int(group[0].start), int(max(e.end for e in group) - 1e-9)
    return str(first) if first == last else f"{first}–{last}"


def summary_line(briefing: Briefing) -> str:
    """The timeline in one line: how many dated events, from when to when, and where they
    cluster ('12 dated events from 14 February 2003 to 20 October 2021: 1 in 2003, 3 in
    2017–2019, 8 in 2021.'); empty when nothing is dated."""
    events = _events(briefing)
    if not events:
        return ""
    first, last = events[0], events[-1]
    n = len(events)
    line = f"{n} dated event{'' if n == 1 else 's'}"
    if n > 1:
        line += f" from {longdate(first.date)} to {longdate(last.date)}"
    else:
        line += f", {longdate(first.date)}"
    groups = clusters(events)
    if len(groups) > 1:
        line += ": " + ", ".join(f"{len(g)} in {_years(g)}" for g in groups)
    return line + "."


def _widths(weights: list[float], available: float) -> list[float]:
    """Share ``available`` in proportion to ``weights``, none under MIN_SEGMENT."""
    fixed: dict[int, float] = {}
    while True:
        free = [k for k in range(len(weights)) if k not in fixed]
        total = sum(weights[k] for k in free)
        room = available - sum(fixed.values())
        small = [k for k in free if weights[k] / total * room < MIN_SEGMENT]
        if not small or len(small) == len(free):
            return [fixed.get(k, weights[k] / total * room if total else 0.0)
                    for k in range(len(weights))]
        for k in small:
            fixed[k] = MIN_SEGMENT


def _spread(anchors: list[float], low: float, high: float, gap: float) -> list[float]:
    """Positions as near ``anchors`` (sorted) as can be in the least-squares sense, in the same
    order, each at least ``gap`` after the one before, all within [low, high]. With
    q_i = p_i - i*gap the constraints become 'q non-decreasing', so this is isotonic regression
    (pool adjacent violators), then clipped to the bounds (requires (n-1)*gap <= high-low)."""
    blocks: list[list[float]] = []  # [sum, count] of pooled values
    for i, a in enumerate(anchors):
        blocks.append([a - i * gap, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    top = high - (len(anchors) - 1) * gap
    q = [min(max(s / c, low), top) for s, c in blocks for _ in range(int(c))]
    return [v + i * gap for i, v in enumerate(q)]


DOT = 4.0  # a row's dot radius (the template draws r="4")


def _apart(dots: tuple[Dot, ...], low: float, high: float) -> tuple[Dot, ...]:
    """A row's dots at their dates, moved apart just enough that none covers another (5 and 8
    July drawn as one dot read as one event)."""
    if len(dots) < 2:
        return dots
    order = sorted(dots, key=lambda d: d.x)
    xs = _spread([d.x for d in order], low + DOT, high - DOT, 2 * DOT + 1.5)
    return tuple(sorted((replace(d, x=round(x, 1)) for d, x in zip(order, xs, strict=True)),
                        key=lambda d: d.number))


def _ticks(lo: float, hi: float, x0: float, x1: float, group: list[_Event]
           ) -> list[tuple[float, str]]:
    """Tick marks for one segment: months for a short one, years (every 1, 2, 5, ...) for a
    long one, or its year(s) at its centre when it is too short for either."""
    per_year = (x1 - x0) / (hi - lo)

    def at(t: float) -> float:
        return x0 + (t - lo) * per_year

    if max(e.end for e in group) - min(e.start for e in group) >= 1 / 6 and hi - lo <= 1.25:
        for step in (1, 2, 3, 6):
            if step / 12 * per_year >= 30:
                first = math.ceil(lo * 12 / step - 1e-9) * step
                out: list[tuple[float, str]] = []
                for m in range(first, math.floor(hi * 12) + 1, step):
                    year, month = divmod(m, 12)
                    label = str(year) if month == 0 else _MONTHS[month] + (
                        f" {year}" if not out else "")
                    out.append((at(m / 12), label))
                if out:
                    return out
                break
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 250, 500, 1000):
        if step * per_year >= 34:
            years = range(math.ceil(lo / step - 1e-9) * step, math.floor(hi) + 1, step)
            out = [(at(float(y)), str(y)) for y in years]
            if len(out) >= (2 if hi - lo > 1.5 else 1):
                return out
            break
    return [((x0 + x1) / 2, _years(group))]


def _label_width(label: str) -> float:
    return 0.56 * FONT * len(label)


def _rows(briefing: Briefing, events: list[_Event], anchor: dict[int, float]) -> list[
        tuple[str, tuple[Dot, ...]]]:
    """Each theme's row: the events whose sentence the theme shows (an item, its lede or its
    point of The essentials). A row with nothing is not drawn; rows with the same events are
    drawn once, under their titles joined; and no row is drawn when the only one left holds
    every event (the axis says that already)."""
    def ids(section: Section) -> set[str]:
        out = {i.id for i in section.items if i.id} | set(section.in_summary)
        if section.lede is not None and section.lede.id:
            out.add(section.lede.id)
        return out

    rows: dict[tuple[int, ...], list[str]] = {}
    for section in briefing.sections:
        shown = ids(section)
        numbers = tuple(e.number for e in events if e.see is not None and e.see in shown)
        if numbers:
            rows.setdefault(numbers, []).append(section.title)
    if len(rows) == 1 and len(next(iter(rows))) == len(events):
        return []
    dates = {e.number: e for e in events}
    return [(", ".join(titles), tuple(Dot(round(anchor[n], 1), n, longdate(dates[n].date))
                                      for n in numbers))
            for numbers, titles in rows.items()]


def _short(title: str) -> str:
    return title if len(title) <= LABEL_CHARS else title[: LABEL_CHARS - 1].rstrip(" ,") + "…"


def timeline_chart(briefing: Briefing) -> Chart | None:
    """Lay out the briefing's timeline as a chart, or None when no event is dated."""
    events = _events(briefing)
    if not events:
        return None
    groups = clusters(events)
    # Rows first: whether they are drawn decides the plot's left edge.
    provisional = {e.number: 0.0 for e in events}
    has_rows = bool(_rows(briefing, events, provisional))
    plot_left = TITLES + 10 if has_rows else EDGE
    plot_right = WIDTH - EDGE
    widths = _widths([len(g) + 1.0 for g in groups],
                     plot_right - plot_left - BREAK * (len(groups) - 1))
    segments, ticks, breaks, anchor = [], [], [], {}
    spans: dict[int, tuple[float, float]] = {}
    x0 = plot_left
    for group, width in zip(groups, widths, strict=True):
        lo, hi = min(e.start for e in group), max(e.end for e in group)
        pad = max(0.06 * (hi - lo), 0.04)
        lo, hi = lo - pad, hi + pad
        x1 = x0 + width

        def at(t: float, lo: float = lo, hi: float = hi, x0: float = x0, x1: float = x1) -> float:
            return x0 + (t - lo) / (hi - lo) * (x1 - x0)

        for e in group:
            anchor[e.number] = at(e.middle)
            spans[e.number] = (at(e.start), at(e.end))
        ticks += _ticks(lo, hi, x0, x1, group)
        segments.append(Segment(round(x0, 1), round(x1, 1), _years(group), len(group)))
        if x1 < plot_right - 1:
            breaks.append(round(x1 + BREAK / 2, 1))
        x0 = x1 + BREAK
    # Tick labels that would run into the one before are left out.
    kept: list[tuple[float, str]] = []
    for x, label in ticks:
        half = _label_width(label) / 2
        if x - half < 0 or x + half > WIDTH:
            continue
        if kept and x - half < kept[-1][0] + _label_width(kept[-1][1]) / 2 + 6:
            continue
        kept.append((round(x, 1), label))

    usable = plot_right - plot_left - 2 * RADIUS
    per_lane = max(1, int(usable // SPACING) + 1)
    lanes = max(1, math.ceil(len(events) / per_lane))
    axis_y = TOP + lanes * LANE + STEM
    placed: dict[int, tuple[float, int]] = {}
    for lane in range(lanes):
        members = events[lane::lanes]
        xs = _spread([anchor[e.number] for e in members], plot_left + RADIUS,
                     plot_right - RADIUS, SPACING)
        for e, x in zip(members, xs, strict=True):
            placed[e.number] = (x, lane)
    marks = []
    for e in sorted(events, key=lambda e: e.number):
        x, lane = placed[e.number]
        y = axis_y - STEM - RADIUS - lane * LANE
        a, b = spans[e.number]
        marks.append(Mark(number=e.number, x=round(x, 1), y=round(y, 1),
                          anchor=round(anchor[e.number], 1), x_from=round(a, 1),
                          x_to=round(max(b, a + 1.5), 1), label=longdate(e.date),
                          precision=e.precision))

    rows_top = axis_y + 34
    rows = tuple(Row(title=_short(title), y=round(rows_top + n * ROW, 1),
                     dots=_apart(dots, plot_left, plot_right))
                 for n, (title, dots) in enumerate(_rows(briefing, events, anchor)))
    height = (rows_top + len(rows) * ROW - ROW / 2) if rows else axis_y + 24
    summary = summary_line(briefing)
    skipped = [_skipped(a, b) for a, b in zip(groups, groups[1:])]
    description = ("Numbered discs mark the events listed below, in date order, each joined to "
                   "its date on the axis")
    if any(skipped):
        description += "; the axis skips " + _and([s for s in skipped if s])
    elif skipped:
        description += "; the axis is broken where months pass without events"
    if rows:
        description += "; each row shows the events a theme reports"
    return Chart(width=WIDTH, height=round(height, 1), plot_left=round(plot_left, 1),
                 plot_right=plot_right, axis_y=round(axis_y, 1), segments=tuple(segments),
                 breaks=tuple(breaks), ticks=tuple(kept), marks=tuple(marks), rows=rows,
                 rows_top=rows_top, title="Timeline: " + summary.rstrip("."),
                 description=description + ".", summary=summary)


def _skipped(before: list[_Event], after: list[_Event]) -> str:
    """The whole years an axis break leaves out ('2004–2016', '2020'), or '' for none."""
    first = int(max(e.end for e in before) - 1e-9) + 1
    last = int(min(e.start for e in after)) - 1
    if last < first:
        return ""
    return str(first) if first == last else f"{first}–{last}"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
