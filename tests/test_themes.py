"""Theme matching: word forms and spellings by root, phrases, exclusions, scores, long paragraphs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing.config.model import TermSpec, ThemeConfig
from briefing.judge.textnorm import americanise, root
from briefing.judge.themes import (
    LONG_PARAGRAPH,
    compile_term,
    compile_theme,
    evidence,
    passages_of,
    rank_theme,
)
from briefing.models import Article, ArticleMeta, Paragraph, Segmented, Span


def article(text: str, paragraphs: list[tuple[int, int, list[tuple[int, int]]]] | None = None,
            aid: str = "a.txt") -> tuple[Article, Segmented]:
    a = Article(aid, Path(aid), text, "utf-8", ArticleMeta(),
                hashlib.sha256(text.encode()).hexdigest())
    if paragraphs is None:
        paragraphs = [(0, len(text), [(0, len(text))])]
    seg = Segmented(aid, tuple(Paragraph(s, e, "body", tuple(Span(*x) for x in sents))
                               for s, e, sents in paragraphs))
    return a, seg


def theme(*terms: str, exclude: tuple[str, ...] = (), not_: tuple[str, ...] = (),
          min_score: float | None = 0.0) -> ThemeConfig:
    specs = []
    for t in terms:
        text, _, w = t.partition("^")
        specs.append(TermSpec(text, float(w or 1)))
    return ThemeConfig(id="t", title="T", description="d", terms=tuple(specs), exclude=exclude,
                       not_=not_, min_score=min_score)


@pytest.mark.parametrize("forms", [
    ["recognise", "recognize", "recognition", "recognising", "recognized", "Recognised"],
    ["neighbour", "neighbor", "neighbouring", "neighboring"],
    ["organisation", "organization", "organisations"],
    ["stabilise", "stabilize", "stabilising"],
    ["centre", "center"],
    ["defence", "defense"],
    ["border", "borders", "bordering"],
])
def test_word_forms_share_a_root(forms: list[str]) -> None:
    assert len({root(f) for f in forms}) == 1, {f: root(f) for f in forms}


@pytest.mark.parametrize("word", ["exercise", "promise", "surprise", "compromise", "rise",
                                  "four", "hour", "tour", "contour"])
def test_words_that_only_look_british_are_kept(word: str) -> None:
    assert americanise(word) == word


def test_matching_is_by_whole_word_not_substring() -> None:
    a, seg = article("The farmers sold their harvest.")
    q = compile_theme(theme("arms"))
    assert rank_theme(q, [(a, seg)]) == []


def test_phrase_matches_in_order_only() -> None:
    q = compile_theme(theme("border crossing"))
    hit = article("The Taliban took the border crossing.")
    miss = article("The crossing of the border took a day.", aid="b.txt")
    assert [c.match.article_id for c in rank_theme(q, [hit, miss])] == ["a.txt"]


def test_excluded_phrase_is_not_evidence() -> None:
    q = compile_theme(theme("security", exclude=("Security Council",)))
    only_council = article("The Security Council works with the government.")
    real = article("Security in the region has worsened.", aid="b.txt")
    found = rank_theme(q, [only_council, real])
    assert [c.match.article_id for c in found] == ["b.txt"]


def test_not_phrase_vetoes_a_passage_with_a_reason() -> None:
    q = compile_theme(theme("border", not_=("football",)))
    a, seg = article("The football match at the border was cancelled.")
    [c] = rank_theme(q, [(a, seg)])
    assert c.reason and "football" in c.reason


def test_prefix_term() -> None:
    t = compile_term("legitim*")
    a, seg = article("The Taliban seek legitimacy and to legitimise their rule.")
    [u] = passages_of(a, seg)
    assert evidence(compile_theme(theme("legitim*")), u).counts == {"legitim*": 2}
    assert t.prefix


def test_weights_and_density_rank_passages() -> None:
    q = compile_theme(theme("terrorism^3", "drugs"))
    text = "Terrorism and terrorism again.\n\nDrugs were seized.\n\nNothing here."
    paras = [(0, 30, [(0, 30)]), (32, 50, [(32, 50)]), (52, 65, [(52, 65)])]
    a, seg = article(text, paras)
    found = rank_theme(q, [(a, seg)])
    assert [a.text[c.match.start:c.match.end] for c in found] == [
        "Terrorism and terrorism again.", "Drugs were seized."]
    assert found[0].match.terms == ("terrorism",)


def test_minimum_score_leaves_weak_matches_out_with_a_reason() -> None:
    q = compile_theme(theme("troops", min_score=50.0))
    [c] = rank_theme(q, [article("Troops moved.")])
    assert c.reason and "below the minimum" in c.reason


def test_long_paragraph_yields_its_matching_sentences() -> None:
    filler = "The weather was mild and the talks went on. " * 30
    hit = "The Taliban took the border crossing. "
    text = filler + hit + filler
    assert len(text) > LONG_PARAGRAPH
    sents, pos = [], 0
    while pos < len(text):
        end = text.index(". ", pos) + 1
        sents.append((pos, end))
        pos = end + 1
    a, seg = article(text, [(0, len(text.rstrip()), sents)])
    [c] = rank_theme(compile_theme(theme("border crossing")), [(a, seg)])
    assert a.text[c.match.start:c.match.end] == hit.strip()


@given(st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")),
               max_size=300))
def test_every_match_slices_its_own_text(text: str) -> None:
    a, seg = article(text)
    for c in rank_theme(compile_theme(theme("a", "the", "x")), [(a, seg)]):
        assert 0 <= c.match.start <= c.match.end <= len(text)
