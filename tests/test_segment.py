"""Segmentation: paragraphs, page furniture and sentences, on the seeds and on our own cases."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.judge.themes import LONG_PARAGRAPH, passages_of
from briefing.models import Article, ArticleMeta, Segmented
from briefing.read.furniture import line_furniture
from briefing.read.segment import read_header, segment
from briefing.read.sentences import SENTENCE_MAX, sentences

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


def _article(text: str, body_start: int = 0, id: str = "x.txt") -> Article:
    return Article(id, Path(id), text, "utf-8", ArticleMeta(), "0" * 64, body_start)


def _seed(prefix: str) -> Article:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return _article(path.read_bytes().decode("utf-8"), id=path.name)


class _Kinds:
    """(kind, furniture) of the paragraph that starts with a given text."""

    def __init__(self, seg: Segmented, text: str) -> None:
        self.items = [(text[p.start : p.end], (p.kind, p.furniture)) for p in seg.paragraphs]

    def __getitem__(self, prefix: str) -> tuple[str, str | None]:
        hits = [kind for t, kind in self.items if t.startswith(prefix)]
        assert len(hits) == 1, f"{len(hits)} paragraphs start with {prefix!r}"
        return hits[0]


def _kinds(seg: Segmented, text: str) -> _Kinds:
    return _Kinds(seg, text)


def _cases(name: str) -> list[object]:
    cases = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    out = []
    for c in cases:
        marks = [pytest.mark.xfail(strict=True, reason=c["xfail"])] if c.get("xfail") else []
        out.append(pytest.param(c, marks=marks, id=str(c.get("line") or c.get("text"))[:50]))
    return out


# --- Invariants -----------------------------------------------------------------------------


def check_invariants(article: Article, seg: Segmented) -> None:
    """Spans slice their text, are trimmed, ordered and disjoint; nothing non-blank is lost;
    sentences lie in their paragraph and cover its non-whitespace text."""
    text = article.text
    covered = [0] * len(text)
    prev_end = 0
    for p in seg.paragraphs:
        assert prev_end <= p.start < p.end <= len(text)
        assert not text[p.start].isspace() and not text[p.end - 1].isspace()
        prev_end = p.end
        for i in range(p.start, p.end):
            covered[i] += 1
        if p.kind == "furniture":
            assert p.furniture and not p.sentences
            continue
        assert p.sentences, "a body or headline paragraph has sentences"
        s_prev = p.start
        in_sentence = [False] * (p.end - p.start)
        for s in p.sentences:
            assert s_prev <= s.start < s.end <= p.end
            assert not text[s.start].isspace() and not text[s.end - 1].isspace()
            s_prev = s.end
            for i in range(s.start, s.end):
                in_sentence[i - p.start] = True
        assert all(in_sentence[i] for i in range(p.end - p.start)
                   if not text[p.start + i].isspace())
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert covered[i] == 1, f"character {i} {ch!r} covered {covered[i]} times"


_PIECES = st.sampled_from(
    ["\n", "\n\n", "\r\n", "\r\n\r\n", " ", "  ", "\t", ". ", "? ", "! ", "… ", "...", "”", "“",
     '"', "U.S.", "Mr. ", "a.m. ", "1344.15", "©", "(AP Photo/X)", "Share this article",
     "By Jane Doe", "pic.twitter.com/x", "* ", "Read More", "The", "the", "Taliban", "said", ",",
     "(", ")", "\u00a0",
     "---", "\r", "é", "Ünïcode", "Moscow", "x"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_invariants_hold_for_any_text(text: str) -> None:
    article = _article(text)
    check_invariants(article, segment(article))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_invariants_hold_for_arbitrary_unicode(text: str) -> None:
    article = _article(text)
    check_invariants(article, segment(article))


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_invariants_hold_on_seeds(path: Path) -> None:
    article = _article(path.read_bytes().decode("utf-8"), id=path.name)
    check_invariants(article, segment(article))


# --- Long stretches without a sentence end --------------------------------------------------

_LONG = st.lists(st.sampled_from(["word", "words", " ", "  ", "\n", "\r\n", "\t", ",", "a.b",
                                  "e.g.", "é", "x" * 90, "Mr. Smith", ". The", "\u00a0"]),
                 min_size=100, max_size=1200).map("".join)


def _longest(seg: Segmented) -> int:
    return max((s.end - s.start for p in seg.paragraphs for s in p.sentences), default=0)


@settings(max_examples=150, deadline=None)
@given(_LONG)
def test_no_sentence_is_longer_than_the_limit(text: str) -> None:
    """Any stretch without a sentence end (a list run together, a wall of text) is cut into
    windows of at most SENTENCE_MAX characters, the invariants kept: every candidate passage
    has a bounded size."""
    article = _article(text)
    seg = segment(article)
    check_invariants(article, seg)
    assert _longest(seg) <= SENTENCE_MAX
    assert all(u.end - u.start <= max(SENTENCE_MAX, LONG_PARAGRAPH)
               for u in passages_of(article, seg))


def test_a_wall_of_text_is_cut_at_line_breaks_then_spaces() -> None:
    words = " ".join(f"word{i}" for i in range(600))  # 5,000 characters, no full stop
    text = f"{words}\n{words}"
    spans = sentences(text, 0, len(text))
    assert len(spans) > 1 and all(s.end - s.start <= SENTENCE_MAX for s in spans)
    assert all(text[s.start:s.end].split()[-1].startswith("word") for s in spans)  # whole words
    assert any(text[s.end] == "\n" for s in spans[:-1])  # the line break is a cut
    hard = "x" * 2500  # no space at all: cut at the limit
    assert [(s.start, s.end) for s in sentences(hard, 0, len(hard))] == [
        (0, 1000), (1000, 2000), (2000, 2500)]


def test_many_abbreviations_without_a_boundary_stay_linear() -> None:
    """1.2 MB of "e.g." and no sentence end: each candidate looked only at its last word (the
    whole stretch before it was split again at each one: 41 s before, 0.1 s now)."""
    text = "it was e.g. so " * 80_000
    start = time.perf_counter()
    spans = sentences(text, 0, len(text))
    elapsed = time.perf_counter() - start
    assert max(s.end - s.start for s in spans) <= SENTENCE_MAX
    assert elapsed < 20, f"{elapsed:.1f} s: quadratic again?"


def test_four_megabytes_of_short_lines_segment_into_bounded_passages() -> None:
    """The largest article read (MAX_ARTICLE_BYTES) made of short lines with no sentence end:
    linear work, and no passage longer than a sentence may be."""
    from briefing.read.corpus import MAX_ARTICLE_BYTES

    line = "troops and the\n"
    text = "Short lines\n\n" + line * ((MAX_ARTICLE_BYTES - 20) // len(line))
    article = _article(text)
    start = time.perf_counter()
    seg = segment(article)
    units = passages_of(article, seg)
    elapsed = time.perf_counter() - start
    assert _longest(seg) <= SENTENCE_MAX
    assert max(u.end - u.start for u in units) <= SENTENCE_MAX
    assert elapsed < 60, f"{elapsed:.1f} s for 4 MB"


# --- The seeds ------------------------------------------------------------------------------


def test_seed_001_headline_block_is_split_into_furniture() -> None:
    a = _seed("001")
    k = _kinds(segment(a), a.text)
    assert k["Russia hosts talks aimed at stabilising A"] == ("headline", None)
    assert k["Russia Hosts Talks Aimed At Stabilising A"] == ("furniture", "repeated-headline")
    assert k["The Taliban delegation in Moscow, © AP/Pr"] == ("furniture", "caption")
    assert k["Share this article"] == ("furniture", "share")
    assert k["By Vladimir Isachenkov, Associated Press"] == ("furniture", "byline")
    assert k["Taliban official Abdul Salam Hanafi speak"] == ("furniture", "caption")
    assert k["Russian foreign minister Sergey Lavrov sp"] == ("furniture", "caption")
    assert k["Read More"] == ("furniture", "read-more")
    assert k["Want us to email you top stories each lun"] == ("furniture", "newsletter")
    assert k["Download our Apps"] == ("furniture", "app-prompt")
    assert k["© 2022, developed by Square1 and powered "] == ("furniture", "copyright")
    body = segment(a).body
    assert len(body) == 19
    assert a.text[body[0].start :].startswith("Russia hosted talks on Afghanistan")


def test_seed_002_section_label_before_headline() -> None:
    a = _seed("002")
    seg = segment(a)
    first, second = seg.paragraphs[:2]
    assert (a.text[first.start : first.end], first.furniture) == ("Afghanistan", "section-label")
    assert second.kind == "headline"
    assert all(p.kind == "body" for p in seg.paragraphs[2:])


def test_seed_003_one_long_line_is_one_paragraph_of_many_sentences() -> None:
    a = _seed("003")
    seg = segment(a)
    assert [p.kind for p in seg.paragraphs] == ["headline", "furniture", "body"]
    assert seg.paragraphs[1].furniture == "repeated-headline"
    body = seg.body[0]
    assert body.end - body.start > 1900
    assert len(body.sentences) == 12
    last = body.sentences[-1]
    assert a.text[last.start : last.end].endswith('their geopolitical fight," Nessar said.')


def test_seed_004_furniture_tail_embed_and_credit() -> None:
    a = _seed("004")
    seg = segment(a)
    k = _kinds(seg, a.text)
    assert seg.paragraphs[0].kind == "body", "seed 004 has no headline"
    assert k["• © Security Council of the Russian Feder"] == ("furniture", "photo-credit")
    assert k["Naimzur Province d"] == ("furniture", "embed")
    assert k["At the end of the day, 15 soldiers joined"] == ("furniture", "embed")
    assert k["# Taliban # Afghanistan # kabulpic.twitte"] == ("furniture", "embed")
    assert k['* "Taliban" - the organization was recogni'] == ("furniture", "footnote")
    assert k["The point of view of the author may not c"] == ("furniture", "disclaimer")
    # the question before the embed is the author's own text
    assert k["(By the way, my personal question remains"] == ("body", None)
    furniture = [p for p in seg.paragraphs if p.kind == "furniture"]
    assert len(furniture) == 7


def test_seed_004_quote_over_several_paragraphs_stays_body() -> None:
    a = _seed("004")
    k = _kinds(segment(a), a.text)
    for start in ("“It's another matter that they position t",
                  "We tell them frankly that we, the Russian",
                  "We stand for the fact that the Afghans th"):
        assert k[start] == ("body", None)


def test_seed_000_everything_after_headline_is_body() -> None:
    a = _seed("000")
    seg = segment(a)
    assert seg.paragraphs[0].kind == "headline"
    assert len(seg.body) == 7


# --- Fixtures of our own --------------------------------------------------------------------


def _fixture(name: str) -> Article:
    text = (DATA / "articles" / name).read_bytes().decode("utf-8")
    body_start = 0
    if text.startswith("---\n"):
        body_start = text.index("\n---\n", 4) + 5
    return _article(text, body_start, id=name)


def test_wire_story_fixture() -> None:
    a = _fixture("wire_story.txt")
    seg = segment(a)
    check_invariants(a, seg)
    k = _kinds(seg, a.text)
    assert k["World"] == ("furniture", "section-label")
    assert k["Taliban envoys hold talks in Ashgabat on "] == ("headline", None)
    assert k["By Jane Doe and John Roe, Reuters"] == ("furniture", "byline")
    assert k["Photo: Taliban negotiators arrive in Ashg"] == ("furniture", "photo-credit")
    assert k["Related: Russia hosts regional talks on A"] == ("furniture", "read-more")
    assert k["Sign up for our daily newsletter"] == ("furniture", "newsletter")
    assert k["Get the latest news in your inbox — never"] == ("furniture", "newsletter")
    assert k["the meeting is historic"] == ("furniture", "embed")
    assert k["— Jane Doe (@janedoe) July 10, 2021"] == ("furniture", "embed")
    assert k["Copyright 2021 Reuters. All rights reserv"] == ("furniture", "copyright")
    # hard-wrapped prose stays one paragraph of two sentences
    lead = next(p for p in seg.body if a.text[p.start :].startswith("MOSCOW"))
    assert a.text[lead.start : lead.end].count("\n") == 2
    assert len(lead.sentences) == 2
    quote = next(p for p in seg.body if a.text[p.start] == '"')
    assert len(quote.sentences) == 1
    last = seg.body[-1]
    assert len(last.sentences) == 2


def test_front_matter_paragraph_and_markdown_headline() -> None:
    a = _fixture("opinion.md")
    seg = segment(a)
    check_invariants(a, seg)
    kinds = [(p.kind, p.furniture) for p in seg.paragraphs]
    assert kinds == [
        ("furniture", "front-matter"),
        ("headline", None),
        ("furniture", "dateline"),
        ("furniture", "disclaimer"),
        ("body", None),
        ("furniture", "footnote"),
    ]
    assert len(seg.body[0].sentences) == 3


def test_bare_copyright_owner_at_the_end_is_copyright() -> None:
    a = _fixture("dated_top.txt")
    seg = segment(a)
    assert seg.paragraphs[-1].furniture == "copyright"
    assert [p.kind for p in seg.paragraphs[:2]] == ["body", "body"]


@pytest.mark.parametrize("text", [
    'Burton said, "I love cats!"',  # the only paragraph of a file
    "Russia hosts talks on Afghanistan",  # short and unpunctuated, still the article's one body
    'Some words first. Burton said, "I love cats and dogs."\n\nThe shelter did not comment.',
    'Burton told reporters: “We will appeal.”\n\nThe court did not comment.',
])
def test_a_headline_heads_a_body(text: str) -> None:
    """The only paragraph of an article is body, and so is a first paragraph with a full stop
    (one closing a quoted sentence too): a headline has neither, and heads something."""
    a = _article(text)
    seg = segment(a)
    check_invariants(a, seg)
    assert seg.paragraphs[0].kind == "body"
    assert read_header(text).headline is None


def test_a_quotation_in_a_headline_without_a_full_stop_keeps_it_a_headline() -> None:
    text = 'Putin: "We will not back down"\n\nThe Russian president spoke on Monday.'
    assert [p.kind for p in segment(_article(text)).paragraphs] == ["headline", "body"]
    text = "World\n\nTaliban envoys hold talks\n\nThe talks began on Monday."
    kinds = [(p.kind, p.furniture) for p in segment(_article(text)).paragraphs]
    assert kinds == [("furniture", "section-label"), ("headline", None), ("body", None)]


def test_crlf_text_keeps_exact_offsets() -> None:
    text = "Headline here\r\n\r\nFirst line of body.\r\nSecond line. Third.\r\n\r\nRead More\r\n"
    a = _article(text)
    seg = segment(a)
    check_invariants(a, seg)
    assert [(p.kind, p.furniture) for p in seg.paragraphs] == [
        ("headline", None), ("body", None), ("furniture", "read-more")]
    body = seg.body[0]
    assert text[body.start : body.end] == "First line of body.\r\nSecond line. Third."
    assert [text[s.start : s.end] for s in body.sentences] == [
        "First line of body.", "Second line.", "Third."]


def test_markdown_bullet_list_in_body_is_not_a_footnote() -> None:
    text = "Title\n\nPoints agreed:\n\n* border security\n* trade\n\nTalks resume next week.\n"
    seg = segment(_article(text))
    assert all(p.furniture != "footnote" for p in seg.paragraphs)


def test_read_header_agrees_with_segment() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        a = _article(path.read_bytes().decode("utf-8"))
        head = read_header(a.text)
        headline = [p for p in segment(a).paragraphs if p.kind == "headline"]
        assert (head.headline is None) == (not headline)
        if headline:
            assert (head.headline.start, head.headline.end) == (headline[0].start, headline[0].end)


# --- Labelled cases -------------------------------------------------------------------------


@pytest.mark.parametrize("case", _cases("furniture_cases.yaml"))
def test_line_furniture_cases(case: dict[str, object]) -> None:
    assert line_furniture(str(case["line"])) == case["expected"]


@pytest.mark.parametrize("case", _cases("sentence_cases.yaml"))
def test_sentence_cases(case: dict[str, object]) -> None:
    text = str(case["text"])
    got = [text[s.start : s.end] for s in sentences(text, 0, len(text))]
    assert got == case["expected"]
