"""Dates in sentences: normalised as precisely as the text and the article's date allow."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from briefing.timeline import Event, events, find_dates, select

PUBLISHED = dt.date(2021, 10, 20)  # a Wednesday

CASES = [
    # (sentence, article date, expected [(date, precision)])
    ("On February 14, 2003, the Supreme Court ruled.", None, [("2003-02-14", "day")]),
    ("The talks on 4 September 2018 were the first.", None, [("2018-09-04", "day")]),
    ("In February 2019, the delegation came again.", None, [("2019-02", "month")]),
    ("True, in early July 2021, the Taliban took the crossing.", None, [("2021-07", "month")]),
    ("In 1995, he negotiated the crew's release.", None, [("1995", "year")]),
    ("The talks held since 2017 include China.", None, [("2017", "year")]),
    ("On July 8, 2021, the ministry spoke, and on July 9, the air force struck.", None,
     [("2021-07-08", "day"), ("2021-07-09", "day")]),
    ("Calendar of 2021: in January, a delegation visited.", None,
     [("2021", "year"), ("2021-01", "month")]),
    ("On July 14, Kabulov announced this.", None, []),  # no year anywhere: cannot be placed
    ("On July 14, Kabulov announced this.", PUBLISHED, [("2021-07-14", "day")]),
    ("On November 23rd, Moscow hosted them.", dt.date(2023, 11, 30), [("2023-11-23", "day")]),
    ("Russia hosted talks on Wednesday.", PUBLISHED, [("2021-10-20", "day")]),
    ("Russia hosted talks on Wednesday.", None, []),
    ("Last week, Putin noted there must be no rush.", PUBLISHED, [("2021-10", "month")]),
    ("They took Kabul in August.", PUBLISHED, [("2021-08", "month")]),
    ("They took Kabul in November.", PUBLISHED, [("2020-11", "month")]),
    ("Russia first invited them last year.", PUBLISHED, [("2020", "year")]),
    ("They may come back.", PUBLISHED, []),
    ("The Tajik-Afghan border is 1344.15 km long.", None, []),
    ("It happened on April 28 - May 1, 2021.", None, [("2021-04-28", "day")]),
]


@pytest.mark.parametrize("sentence,published,expected", CASES, ids=[c[0][:40] for c in CASES])
def test_dates(sentence: str, published: dt.date | None, expected: list[tuple[str, str]]) -> None:
    found = find_dates(sentence, 0, len(sentence), published)
    assert [(d.date, d.precision) for d in found] == expected


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


@given(st.text(max_size=200), st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))))
def test_every_date_is_valid_iso_and_inside_the_sentence(text: str, published: dt.date | None) -> None:
    for d in find_dates(text, 0, len(text), published):
        assert 0 <= d.start < d.end <= len(text)
        parts = d.date.split("-")
        assert len(parts) == {"year": 1, "month": 2, "day": 3}[d.precision]
        if d.precision == "day":
            dt.date.fromisoformat(d.date)
