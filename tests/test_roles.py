"""Who a speaker is, in the article's words (briefing/annotate/roles.py): the appositive after
the full name or the title before it, verbatim, or nothing."""

from __future__ import annotations

import json

import pytest
from conftest import REPO
from hypothesis import given
from hypothesis import strategies as st

from briefing.annotate.roles import MAX_WORDS, role_span, role_spans


def role(text: str, name: str) -> str | None:
    span = role_span(text, name)
    return None if span is None else text[span[0]:span[1]]


@pytest.mark.parametrize("text, name, expected", [
    ("Timofey Boikov, Head of the Second Asian Department of the Russian Foreign Ministry, "
     "expressed Russia’s view.", "Timofey Boikov",
     "Head of the Second Asian Department of the Russian Foreign Ministry"),
    ("Russian foreign minister Sergey Lavrov opened the talks.", "Sergey Lavrov",
     "Russian foreign minister"),
    ("Talks were opened by Russian Foreign Ministry spokeswoman Maria Zakharova.",
     "Maria Zakharova", "Russian Foreign Ministry spokeswoman"),
    ("“We agree,” said Abdul Salam Hanafi, a deputy prime minister in the Taliban’s interim "
     "government.", "Abdul Salam Hanafi",
     "deputy prime minister in the Taliban’s interim government"),
    # the appositive is preferred, at whichever mention has it
    ("Taliban official Abdul Salam Hanafi spoke. Later Abdul Salam Hanafi, a deputy prime "
     "minister, left.", "Abdul Salam Hanafi", "deputy prime minister"),
    # a description opening the sentence, set off by a comma, over a bare rank
    ("The head of the CSTO Joint Staff, Colonel-General Anatoly Sidorov, in an interview, "
     "noted it.", "Anatoly Sidorov", "head of the CSTO Joint Staff"),
    # too long: cut at its last "and" that leaves a role
    ("Zamir Kabulov, the Russian president’s special representative for Afghanistan and "
     "director of the second department of Asia at the Russian Foreign Ministry, said this.",
     "Zamir Kabulov", "Russian president’s special representative for Afghanistan"),
])
def test_the_role_beside_a_name_is_found_verbatim(text: str, name: str, expected: str) -> None:
    assert role(text, name) == expected


@pytest.mark.parametrize("text, name", [
    ("Zamir Kabulov, who met them, said so.", "Zamir Kabulov"),  # a relative clause
    ("Zamir Kabulov, Moscow and Kabul agreed.", "Zamir Kabulov"),  # a list, no role word
    ("Zamir Kabulov said so.", "Zamir Kabulov"),
    ("The meeting with Zamir Kabulov ended.", "Zamir Kabulov"),  # "with" is no title
    ("Zamir Kabulov", "Zamir Kabulov"),  # the name ends the text
    ("", "Zamir Kabulov"),
    ("The Russian Foreign Ministry, the head office, said so.", "The Russian Foreign Ministry"),
    ("A diplomatic source, a senior official, said so.", "a diplomatic source"),
    ("Kabulov, the envoy, said so.", "Kabulov"),  # one word: not a full name
    ("Zamir Kabulovich, the envoy, said so.", "Zamir Kabulov"),  # another name
    ("He met the head of the agency, Zamir Kabulov, today.", "Zamir Kabulov"),  # mid-sentence
    ("In a statement, Zamir Kabulov said so.", "Zamir Kabulov"),  # no role word leads it
    ("Zamir Kabulov, " + "the envoy of the region " * 5 + ", said so.", "Zamir Kabulov"),
])
def test_no_role_where_none_is_written(text: str, name: str) -> None:
    assert role(text, name) is None


PIECES = [*"ab ,.;“”\"’'-()\nKZ", "Zamir Kabulov", "minister", "head ", ", the ", "Russian "]


@given(st.lists(st.sampled_from(PIECES), max_size=80).map("".join))
def test_a_role_is_always_a_span_of_the_text_beside_the_name(text: str) -> None:
    for start, end in role_spans(text, "Zamir Kabulov"):
        assert 0 <= start < end <= len(text)
        got = text[start:end]
        assert got == got.strip() and got
        assert len(got.split()) <= MAX_WORDS + 6  # the appositive's cap; a title's 6 words


def test_a_long_text_is_read_in_linear_time() -> None:
    import time

    text = ("Zamir Kabulov, " + "a" * 200 + " ") * 20_000
    t = time.process_time()
    assert role(text, "Zamir Kabulov") is None
    assert time.process_time() - t < 5


def test_voices_in_the_seed_briefing_carry_each_role_cited(seed_json: dict) -> None:
    """The roles in briefing.json are cited like every other part (verify checks them), a
    report's before an opinion piece's."""
    roles = {v["speaker"]: v["role"] for v in seed_json["voices"]}
    assert roles["Timofey Boikov"]["text"] == \
        "Head of the Second Asian Department of the Russian Foreign Ministry"
    # quoted first in an opinion piece ([2]), described in a report ([4]): the report's
    assert roles["Zamir Kabulov"]["text"] == \
        "Russian president’s special representative for Afghanistan"
    assert roles["Abdul Salam Hanafi"]["text"] == \
        "deputy prime minister in the Taliban’s interim government"
    assert roles["Anatoly Sidorov"]["text"] == "head of the CSTO Joint Staff"
    assert roles["the Russian Foreign Ministry"] is None
    for voice in seed_json["voices"]:
        r = voice["role"]
        if r is not None:
            source = (REPO / r["path"]).read_text(encoding="utf-8")
            assert source[r["start"]:r["end"]] == r["text"]


@pytest.fixture(scope="module")
def seed_json() -> dict:
    """The seed briefing's JSON: the golden file, which test_golden holds equal to a build."""
    return json.loads((REPO / "tests" / "golden" / "briefing.json").read_text(encoding="utf-8"))
