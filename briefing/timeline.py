"""Dated events: sentences that say when something happened, with the date normalised.

A date is taken as precisely as the text and the article's own date allow, never more:

- "February 14, 2003", "on July 8, 2021" -> day; "in June 2020", "early July 2021" -> month;
  "in 1995", "since 2017" -> year.
- A month and day without a year ("On July 9") take the year written elsewhere in the same
  sentence ("On July 8, 2021, ... and on July 9"); failing that, the article's publication date
  (the latest such day on or before it). Without either, the event is left out: a timeline
  cannot place it.
- Relative dates ("on Wednesday", "last week", "in August", "last year") resolve against the
  article's publication date when it is known: "Wednesday" is the latest Wednesday on or before
  it (day), "last week" the previous week (shown as its month when the week lies in one month),
  "in August" the latest August (month), "last year" the year before (year). Undated articles'
  relative dates are left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], 1)}
_ABBR = {m[:3]: i for m, i in MONTHS.items()} | {"sept": 9}
WEEKDAYS = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}

_MONTH = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"

PATTERNS = [
    ("mdy", re.compile(rf"\b{_MONTH}\s+{_DAY}(?:\s*[-–]\s*(?:{_MONTH[:-3].replace('?P<month>', '?:')})?\s*\d{{1,2}})?,?\s+{_YEAR}\b")),
    ("dmy", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b")),
    ("my", re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b")),
    ("md", re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!\s*,?\s*(?:1[89]|20)\d\d)(?![\d:])")),
    ("dm", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b(?!,?\s*(?:of\s+)?(?:1[89]|20)\d\d)")),
    ("iso", re.compile(r"\b(?P<year>(?:1[89]|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")),
    ("weekday", re.compile(r"\b(?:on\s+|last\s+)?(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("lastweek", re.compile(r"\b(?:last|earlier this|this)\s+week\b", re.I)),
    ("inmonth", re.compile(rf"\b(?:in|since|until|by|early|late|mid-?)\s+{_MONTH}\b(?!\s+[0-3]?\d\b)(?!,?\s+(?:1[89]|20)\d\d)", re.I)),
    ("lastyear", re.compile(r"\b(?P<rel>last|this)\s+year\b", re.I)),
    ("year", re.compile(rf"\b(?:in|since|of|by|until|from|during)\s+{_YEAR}\b(?![-–]\d)", re.I)),
]
# "May" is a month only with a day or year, or after "in": never the verb.
_MAY_VERB = re.compile(r"^may$", re.I)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date found in a sentence: normalised ISO text, its precision, and where it was."""

    date: str
    precision: str  # "day" | "month" | "year"
    start: int
    end: int


def _month(name: str) -> int:
    low = name.lower().rstrip(".")
    return MONTHS.get(low) or _ABBR[low[:4] if low.startswith("sept") else low[:3]]


def _valid(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return True


def _latest_on_or_before(m: int, d: int | None, ref: dt.date) -> tuple[int, int, int | None]:
    year = ref.year
    if (m, d or 1) > (ref.month, ref.day if d else ref.day):
        year -= 1
    return year, m, d


def find_dates(text: str, start: int, end: int, published: dt.date | None) -> list[DateMention]:
    """Every date mentioned in ``text[start:end]`` that can be placed, in order of appearance."""
    sentence = text[start:end]
    years = {int(m.group()) for m in re.finditer(r"\b(?:1[89]|20)\d\d\b", sentence)}
    sentence_year = next(iter(years)) if len(years) == 1 else None
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(sentence):
            a, b = m.start(), m.end()
            if any(a < e and s < b for s, e in taken):
                continue
            mention = _resolve(kind, m, sentence_year, published)
            if mention is None:
                continue
            date, precision = mention
            taken.append((a, b))
            found.append(DateMention(date, precision, start + a, start + b))
    found.sort(key=lambda d: d.start)
    return found


def _resolve(kind: str, m: re.Match[str], sentence_year: int | None,
             published: dt.date | None) -> tuple[str, str] | None:
    g = m.groupdict()
    if "month" in g and g["month"] and _MAY_VERB.match(g["month"]) and kind in ("md", "dm", "inmonth"):
        if kind != "inmonth":
            return None
    if kind in ("mdy", "dmy", "iso"):
        y, mo, d = int(g["year"]), (int(g["month"]) if kind == "iso" else _month(g["month"])), int(g["day"])
        return (f"{y:04d}-{mo:02d}-{d:02d}", "day") if _valid(y, mo, d) else None
    if kind == "my":
        return f"{int(g['year']):04d}-{_month(g['month']):02d}", "month"
    if kind == "year":
        return f"{int(g['year']):04d}", "year"
    if kind in ("md", "dm"):
        mo, d = _month(g["month"]), int(g["day"])
        if sentence_year is not None:
            y = sentence_year
        elif published is not None:
            y, _, _ = _latest_on_or_before(mo, d, published)
        else:
            return None
        return (f"{y:04d}-{mo:02d}-{d:02d}", "day") if _valid(y, mo, d) else None
    if kind == "inmonth" and (sentence_year is not None or published is not None):
        mo = _month(g["month"])
        y = sentence_year if sentence_year is not None else _latest_on_or_before(mo, None, published)[0]
        return f"{y:04d}-{mo:02d}", "month"
    if published is None:
        return None
    if kind == "weekday":
        back = (published.weekday() - WEEKDAYS[g["weekday"].lower()]) % 7
        if m.group().lower().startswith("last"):
            back = back or 7
        return (published - dt.timedelta(days=back)).isoformat(), "day"
    if kind == "lastweek":
        if not m.group().lower().startswith("last"):
            return None  # "this week": the publication week, no event date to add
        monday = published - dt.timedelta(days=published.weekday() + 7)
        sunday = monday + dt.timedelta(days=6)
        if (monday.year, monday.month) == (sunday.year, sunday.month):
            return f"{monday.year:04d}-{monday.month:02d}", "month"
        return None
    if kind == "lastyear":
        y = published.year - (1 if g["rel"].lower() == "last" else 0)
        return f"{y:04d}", "year"
    return None


PRECISION_RANK = {"day": 3, "month": 2, "year": 1}
LEAD_CHARS = 60  # a date this close to the start of its sentence "leads" it


@dataclass(frozen=True, slots=True)
class Event:
    """A sentence that dates an event: the sentence's span and the (first) date it gives."""

    article_id: str
    start: int
    end: int
    date: str
    precision: str
    lead: int = 0  # how far into the sentence the date is: "On July 8, 2021, ..." leads with it


def events(article_id: str, text: str, sentences: Iterable[tuple[int, int]],
           published: str | None) -> Iterator[Event]:
    """The dated sentences of one article (its body sentences), one event per sentence: the
    sentence's most precise date (the first among equals)."""
    ref = dt.date.fromisoformat(published) if published else None
    for s, e in sentences:
        dates = find_dates(text, s, e, ref)
        if dates:
            best = max(dates, key=lambda d: (PRECISION_RANK[d.precision], -d.start))
            yield Event(article_id, s, e, best.date, best.precision, best.start - s)


def select(candidates: Iterable[Event], limit: int, prefer: set[tuple[str, int, int]]) -> list[Event]:
    """At most ``limit`` events, one per date: the most precise first, sentences already shown
    in the briefing first among equals; for each date, the sentence that leads with it
    ("On July 8, 2021, the ministry ...", the article's earliest such); returned in date order
    (earliest first)."""

    def merit(ev: Event) -> tuple[int, bool, bool, int]:
        # a sentence that names its date early tells the event; among those, the article's
        # earliest (news puts the main event first)
        return (PRECISION_RANK[ev.precision], (ev.article_id, ev.start, ev.end) in prefer,
                ev.lead <= LEAD_CHARS, -ev.start)

    best: dict[str, Event] = {}
    for ev in candidates:
        old = best.get(ev.date)
        if old is None or merit(ev) > merit(old):
            best[ev.date] = ev
    ranked = sorted(best.values(), key=lambda ev: (-PRECISION_RANK[ev.precision],
                                                   (ev.article_id, ev.start, ev.end) not in prefer,
                                                   ev.date))
    return sorted(ranked[:limit], key=lambda ev: (ev.date, ev.article_id, ev.start))
