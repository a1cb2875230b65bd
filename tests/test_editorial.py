"""What the edition says, as an editor reads it: every printed span stands alone, each passage
is printed once, every block is labelled, every article read is accounted for, the news first.

Two layers: labelled cases for the span rules of briefing/editorial.py
(tests/data/standalone_cases.yaml), and the counts of benchmarks/eval_editorial.py over the seed
edition and the BBC themes' edition, with floors that only improve (lower counts, or higher for
the news-first point and the sources cited). When a change improves a count, tighten its floor
here in the same commit.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.judge.editorial import Cut, clause_around, points_back, standalone, words

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CASES = yaml.safe_load((ROOT / "tests" / "data" / "standalone_cases.yaml").read_text("utf-8"))


def _load_eval() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_editorial",
                                                  ROOT / "benchmarks" / "eval_editorial.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_editorial"] = module
    spec.loader.exec_module(module)
    return module


ev = _load_eval()


def _sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch == "." and (i + 1 == len(text) or text[i + 1] == " "):
            out.append((start, i + 1))
            start = i + 2
    if start < len(text):
        out.append((start, len(text)))
    return out


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: c["why"])
def test_standalone_case(case: dict[str, Any]) -> None:
    text = case["text"]
    sentences = _sentences(text)
    start = sentences[case.get("span_from", 0)][0]
    cut = standalone(text, start, len(text), sentences, quote=bool(case.get("quote")))
    if case["expect"] is None:
        assert cut is None, text[cut.start:cut.end] if cut else None
        return
    assert cut is not None
    assert text[cut.start:cut.end] == case["expect"]
    assert cut.cut_before == case["cut"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abc ,.:-Th'\"“”")), min_size=1, max_size=80),
       st.booleans())
def test_a_standalone_span_lies_inside_its_sentence_run(text: str, quote: bool) -> None:
    """Whatever the text, what stands alone is a span of it: never past its end, never before
    the first sentence given, and a quotation is never widened."""
    sentences = _sentences(text) or [(0, len(text))]
    start = sentences[-1][0]
    cut = standalone(text, start, len(text), sentences, quote=quote)
    if cut is not None:
        assert sentences[0][0] <= cut.start <= cut.end <= len(text)
        if quote:
            assert cut.start >= start


@pytest.mark.parametrize(("sentence", "date", "shown"), [
    ("True, in early July, when a delegation was in Moscow, the movement took the crossing.",
     "early July", "in early July, when a delegation was in Moscow, the movement took the "
                   "crossing."),
    ("On 8 July the ministry expressed concern and asked for promises not to cross the borders "
     "of the neighbouring states, and on 9 July the air force struck positions in the north, "
     "killing 56.", "8 July", "On 8 July the ministry expressed concern and asked for promises "
                              "not to cross the borders of the neighbouring states"),
])
def test_a_timeline_clause_keeps_its_date_within_about_25_words(sentence: str, date: str,
                                                                shown: str) -> None:
    at = sentence.index(date)
    cut = clause_around(sentence, 0, len(sentence), at, at + len(date))
    assert sentence[cut.start:cut.end] == shown
    assert words(sentence, cut.start, cut.end) <= 30
    assert cut.start <= at and at + len(date) <= cut.end


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["the", "envoy", "met", "on", "8 July", ",", "and", "-", "said",
                                 "(in", "Moscow)", "that", "talks", "resume"]), min_size=3,
                max_size=60))
def test_a_clause_always_holds_its_date(parts: list[str]) -> None:
    sentence = " ".join(parts + ["8 July", "ends."])
    at = sentence.index("8 July")
    cut = clause_around(sentence, 0, len(sentence), at, at + 6)
    assert isinstance(cut, Cut) and cut.start <= at and at + 6 <= cut.end <= len(sentence)


def test_points_back_sees_leads_and_references_but_not_expletives() -> None:
    for text in ("This was new.", "However, it held.", "The same envoy came.", "They left."):
        assert points_back(text, 0), text
    for text in ("There is a risk.", "It is hard to say why.", "Moscow hosted talks."):
        assert not points_back(text, 0), text
    assert not points_back("We agree.", 0, quote=True) and points_back("We agree.", 0)


# --- The edition, counted -------------------------------------------------------------------

# Floors: the counts measured on main. Counts of faults only go down; the last two only up.
SEED_FLOORS = {"repeated": 0, "points_back": 0, "short_quotes": 0, "unlabelled": 0,
               "unaccounted": 0}
SEED_AT_LEAST = {"first_point_news": 1, "sources_cited": 5}
BBC_FLOORS = {"repeated": 0, "points_back": 0, "short_quotes": 0, "unlabelled": 0,
              "unaccounted": 0}


def test_the_seed_edition_reads_like_a_brief() -> None:
    counts = ev.evaluate(ev.seed_edition()).counts()
    for key, most in SEED_FLOORS.items():
        assert counts[key] <= most, (key, counts)
    for key, least in SEED_AT_LEAST.items():
        assert counts[key] >= least, (key, counts)


@pytest.mark.shared
@pytest.mark.slow
def test_the_bbc_edition_reads_like_a_brief() -> None:
    if not (SHARED / "corpora" / "bbc-news").is_dir():
        pytest.skip("../shared/corpora/bbc-news is not here (CI has it)")
    counts = ev.evaluate(ev.bbc_edition(SHARED)).counts()
    for key, most in BBC_FLOORS.items():
        assert counts[key] <= most, (key, counts)


def test_the_counts_see_what_they_count() -> None:
    """The measure itself, on a hand-made edition with one of each fault."""
    point = {"text": "At the same time, the envoy left.", "path": "a.txt", "start": 0, "end": 33,
             "source": "S1"}
    doc = {"corpus": {"articles": 3}, "sources": [{"id": "S1", "path": "a.txt"}],
           "summary": [point],
           "sections": [{"theme": "t", "lede": None, "items": [
               {**point, "kind": "passage", "attribution": "X, undated"},
               {"kind": "quote", "text": "a disgrace", "path": "a.txt", "start": 40, "end": 50,
                "source": "S1", "attribution": "X, undated"}]}]}
    counts = ev.evaluate(doc).counts()
    assert counts["repeated"] == 1 and counts["points_back"] == 2
    assert counts["short_quotes"] == 1 and counts["unlabelled"] == 1
    assert counts["unaccounted"] == 2 and counts["first_point_news"] == 0
