"""Dates in sentences: normalised as precisely as the text and the article's date allow."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from briefing.annotate.timeline import Event, events, find_dates, select

CASES = yaml.safe_load((Path(__file__).parent / "data" / "timeline_cases.yaml")
                       .read_text(encoding="utf-8"))


def _params() -> list[object]:
    out = []
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
        out.append(pytest.param(case, marks=marks, id=case["id"]))
    return out


def test_case_ids_are_unique() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", _params())
def test_dates(case: dict[str, Any]) -> None:
    text, published = case["text"], case.get("published")
    found = find_dates(text, 0, len(text), published)
    assert [[d.date, d.precision] for d in found] == case["expected"], case.get("why")


def test_one_event_per_sentence_with_its_most_precise_date() -> None:
    text = "Calendar of 2021: in January, a delegation visited. Nothing else."
    [ev] = list(events("a", text, [(0, 51), (52, len(text))], None))
    assert (ev.date, ev.precision) == ("2021-01", "month")
    assert text[ev.start:ev.end].startswith("Calendar")


def test_select_keeps_one_event_per_date_in_date_order_and_bounded() -> None:
    evs = [Event("a", i * 10, i * 10 + 5, f"20{10 + i % 5:02d}", "year", 0) for i in range(20)]
    evs.append(Event("b", 500, 520, "2012", "year", 0))
    picked = select(evs, 3, prefer={("b", 500, 520)})
    assert [e.date for e in picked] == sorted(e.date for e in picked)
    assert len(picked) == 3 and len({e.date for e in picked}) == 3


@given(st.text(max_size=200),
       st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))))
def test_every_date_is_valid_iso_and_inside_the_sentence(
        text: str, published: dt.date | None) -> None:
    for d in find_dates(text, 0, len(text), published):
        assert 0 <= d.start < d.end <= len(text)
        parts = d.date.split("-")
        assert len(parts) == {"year": 1, "month": 2, "day": 3}[d.precision]
        if d.precision == "day":
            dt.date.fromisoformat(d.date)


# --- Properties of dates without a year ----------------------------------------------------

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Clauses by the tense they are in; {d} is where the date goes.
TENSES = {
    "future": ["The ministers will meet on {d}.", "Pakistan said it would halt crossings on {d}.",
               "The vote is scheduled for {d}.", "On {d}, the crossing will reopen.",
               "The delegations are to meet in Doha on {d}."],
    "past": ["The ministers met on {d}.", "The crossing was closed on {d}.",
             "On {d}, the ministry signed the accord.", "They had agreed on {d} to meet again."],
    None: ["Talks in Doha on {d}.", "The vote on {d}.", "Elections on {d}, the minister said."],
}
PUBLISHED_DATES = st.dates(dt.date(1950, 1, 1), dt.date(2090, 12, 31))
CLAUSES = st.sampled_from([(tense, clause) for tense, clauses in TENSES.items()
                           for clause in clauses])


def _written_day(day: dt.date, style: int) -> str:
    month = MONTH_NAMES[day.month - 1]
    return [f"{month} {day.day}", f"{day.day} {month}", f"{month} {day.day}th"][style]


@given(PUBLISHED_DATES, st.dates(dt.date(2000, 1, 1), dt.date(2000, 12, 31)), CLAUSES,
       st.integers(0, 2))
def test_a_day_and_month_resolve_to_the_side_the_tense_says(
        published: dt.date, written: dt.date, clause: tuple[str | None, str], style: int) -> None:
    """The written day and month, in the year the tense picks: the coming one (on or after the
    article's date) in the future, the last one (on or before it) in the past, the nearest
    (within half a year) otherwise; never a year off. Undated: nothing."""
    if (written.month, written.day) == (2, 29):
        return  # a leap day has no nearest year most years
    tense, template = clause
    text = template.format(d=_written_day(written, style))
    assert find_dates(text, 0, len(text), None) == []
    [found] = find_dates(text, 0, len(text), published)
    day = dt.date.fromisoformat(found.date)
    assert (found.precision, day.month, day.day) == ("day", written.month, written.day)
    gap = (day - published).days
    if tense == "future":
        assert 0 <= gap < 366, (text, published, day)
    elif tense == "past":
        assert -366 < gap <= 0, (text, published, day)
    else:
        assert abs(gap) <= 183, (text, published, day)


@given(PUBLISHED_DATES, st.sampled_from(DAY_NAMES), CLAUSES,
       st.sampled_from(["", "last ", "next "]))
def test_a_weekday_is_the_coming_one_in_the_future_and_the_last_in_the_past(
        published: dt.date, weekday: str, clause: tuple[str | None, str], rel: str) -> None:
    tense, template = clause
    text = template.format(d=rel + weekday)
    for before in ("on ", "for "):  # "met last Friday", not "met on last Friday"
        text = text.replace(before + rel, rel) if rel else text
    assert find_dates(text, 0, len(text), None) == []
    [found] = find_dates(text, 0, len(text), published)
    day = dt.date.fromisoformat(found.date)
    assert day.strftime("%A") == weekday
    gap = (day - published).days
    allowed = {"last ": range(-7, 0), "next ": range(1, 8)}.get(
        rel, {"future": range(7), "past": range(-6, 1), None: range(-3, 4)}[tense])
    assert gap in allowed, (text, published, day)


@given(PUBLISHED_DATES, st.sampled_from(MONTH_NAMES),
       st.sampled_from(["They will meet in {m}.", "They met in {m}.", "Talks in {m}.",
                        "They met last {m}.", "They will meet next {m}."]))
def test_a_month_without_a_year_is_within_a_year_on_its_side(
        published: dt.date, month: str, template: str) -> None:
    text = template.format(m=month)
    [found] = find_dates(text, 0, len(text), published)
    year, mo = map(int, found.date.split("-"))
    assert (found.precision, mo) == ("month", MONTH_NAMES.index(month) + 1)
    gap = (year * 12 + mo) - (published.year * 12 + published.month)
    if "next" in template:
        assert 1 <= gap <= 12
    elif "last" in template:
        assert -12 <= gap <= -1
    elif "will" in template:
        assert 0 <= gap <= 11
    elif "met" in template:
        assert -11 <= gap <= 0
    else:
        assert abs(gap) <= 6


@given(st.lists(st.sampled_from(
    [" ", ",", ".", ";", "on", "in", "last", "next", "this", "will", "met", "May", "March",
     "10", "3rd", "Monday", "week", "year", "2021", "1995", "since", "early", "the"]),
    max_size=14))
def test_an_undated_article_places_only_what_carries_its_year(words: list[str]) -> None:
    """Without the article's date, every date found has its year written in the sentence."""
    text = " ".join(words)
    for d in find_dates(text, 0, len(text), None):
        assert d.date[:4] in text, (text, d)


@pytest.mark.parametrize("published", [dt.date.min, dt.date.max], ids=["0001-01-01", "9999-12-31"])
def test_the_ends_of_the_calendar_place_what_they_can_and_raise_nothing(
        published: dt.date) -> None:
    for text in ["They met on Monday.", "They will meet next Monday.", "They met last week.",
                 "They will meet next week.", "Next year.", "Last year.", "They met in December.",
                 "They will meet in January.", "On March 10 they met.", "They will meet on 1 May."]:
        for d in find_dates(text, 0, len(text), published):
            assert len(d.date.split("-")[0]) == 4
            if d.precision == "day":
                dt.date.fromisoformat(d.date)
