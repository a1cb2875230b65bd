"""The theme query language: boolean and proximity operators, sense rules, errors with offsets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing.errors import ConfigError
from briefing.judge.query import Node, Passage, QuerySyntaxError, Word, matches, parse, sense_rule
from briefing.judge.textnorm import roots

TEXT = ("The Taliban took the border crossing with Turkmenistan. Tajik border guards were "
        "reinforced. Russia does not recognise the Taliban's claim.")
SENTENCES = [(0, 55), (56, 95), (96, len(TEXT))]


def passage(text: str = TEXT) -> Passage:
    return Passage.of(text, 0, len(text), SENTENCES if text == TEXT else [(0, len(text))])


@pytest.mark.parametrize("query,expected", [
    ("border", True),
    ("borders", True),  # by root
    ("Turkmen*", True),
    ('"border crossing"', True),
    ('"crossing border"', False),
    ("border AND Turkmenistan", True),
    ("border Turkmenistan", True),  # implicit AND
    ("border AND Kazakhstan", False),
    ("Kazakhstan OR Turkmenistan", True),
    ("NOT Kazakhstan", True),
    ("border AND NOT Turkmenistan", False),
    ("border NEAR/3 Turkmenistan", True),
    ("crossing NEAR/1 Turkmenistan", False),
    ("Tajik SAME guards", True),
    ("Turkmenistan SAME guards", False),
    ("(recognize OR legitim*) SAME Taliban", True),  # recognise ~ recognize
    ("ATLEAST/2 border", True),
    ("ATLEAST/3 border", False),
    ("border and Kazakhstan", False),  # lower-case 'and' is a word: Kazakhstan is still needed
])
def test_queries(query: str, expected: bool) -> None:
    assert matches(parse(query), passage()) is expected


NEAR_HINT = "write NEAR/5 for 'within 5 words', or \"near\" in quotes for the word"


@pytest.mark.parametrize("query,offset,message", [
    ("", 0, "empty"),
    ("border AND", 7, "AND needs a word or group on each side"),
    ("(border OR guards", 0, "unclosed '('"),
    ("border)", 6, "unbalanced"),
    ('"border crossing', 0, "unclosed quotation"),
    ("border NEAR/0 guards", 7, "at least 1: write NEAR/1 for 'next to each other'"),
    ("border NEAR/x guards", 7, "needs a number"),
    ("bor*der", 0, "only end"),
    ("NOT border NEAR/3 guards", 11, "NOT"),
    # issue 12: a bare NEAR was the word "near" and emptied the section without a word
    ("border NEAR guards", 7, "NEAR needs a distance: " + NEAR_HINT),
    ("NEAR border", 0, "NEAR needs a distance"),
    ("border NEAR* guards", 7, "NEAR needs a distance"),
    ("border NEAR5 guards", 7, "write NEAR/5 for 'within 5 words'"),
    ("border near5 guards", 7, "write NEAR/5 for 'within 5 words' (operators are upper case)"),
    ("border near/5 guards", 7, "write NEAR/5"),
    ("border w/5 guards", 7, "write NEAR/5"),
    ("border NEAR/5x guards", 7, "NEAR/n needs a number n"),
    ("border NEAR/3", 7, "NEAR/3 needs a word or group on each side: write a NEAR/3 b"),
    ("NEAR/3 border", 0, "NEAR/3 needs a word or group on each side"),
    ("ATLEAST border", 0, "ATLEAST needs a count: write ATLEAST/2 border"),
    ("ATLEAST3 border", 0, "write ATLEAST/3 for 'at least 3 times'"),
    ("atleast/3 border", 0, "write ATLEAST/3"),
    ("ATLEAST/0 border", 0, "ATLEAST/n needs n of at least 1"),
    ("border ATLEAST/2", 7, "ATLEAST/2 needs a word or group after it"),
    ("ATLEAST/2 NOT border", 0, "counts words, not NOT"),
    ("SAME border", 0, "SAME needs a word or group on each side: write a SAME b"),
    ("border SAME", 7, "SAME needs a word or group on each side"),
    ("border SAME/3 guards", 7, "SAME takes no number"),
    ("AND border", 0, "AND needs a word or group on each side"),
    ("border AND OR guards", 11, "OR needs a word or group on each side"),
    ("border OR", 7, "OR needs a word or group on each side: write a OR b"),
    ("(border OR) guards", 8, "OR needs"),
    ("border AND/OR guards", 7, "'AND/OR' is not an operator"),
    ("NOT", 0, "NOT needs a word or group after it"),
    ("border AND NOT", 11, "NOT needs a word or group after it"),
    ("NOT NOT", 4, "NOT needs"),
    ("border ()", 7, "empty parentheses"),
])
def test_syntax_errors_say_where(query: str, offset: int, message: str) -> None:
    """Every operator used wrongly is an error at its own offset, with what to write instead."""
    with pytest.raises(QuerySyntaxError) as err:
        parse(query)
    assert (err.value.offset, message in str(err.value)) == (offset, True), str(err.value)


@pytest.mark.parametrize("query", ["border near guards", 'border "NEAR" guards', "Near guards",
                                   '"same" border', "border and guards", "nearby guards",
                                   "NEARBY guards", '"AND" border'])
def test_a_word_in_lower_case_or_quotes_is_the_word(query: str) -> None:
    text = "The border near the guards was the same and nearby."
    assert matches(parse(query), Passage.of(text, 0, len(text), [(0, len(text))]))


_OPERATOR_WORDS = ("NEAR", "ATLEAST", "SAME", "AND", "OR", "NOT")


def _words(node: Node) -> list[Word]:
    return [node] if isinstance(node, Word) else [w for a in node.args for w in _words(a)]


@given(st.lists(st.sampled_from(["border", "guards", "NEAR", "NEAR/3", "NEAR5", "ATLEAST",
                                 "ATLEAST/2", "SAME", "SAME/2", "AND", "OR", "NOT", "(", ")",
                                 '"near"', "near", "w/2"]), min_size=1, max_size=8))
def test_an_upper_case_operator_word_is_never_a_word(tokens: list[str]) -> None:
    """Whatever the order, an operator name in upper case is an operator or an error at a
    token's own offset: never silently the word it spells."""
    source = " ".join(tokens)
    starts = {i for i in range(len(source)) if i == 0 or source[i - 1] == " "}
    try:
        node = parse(source)
    except QuerySyntaxError as exc:
        assert exc.offset in starts or exc.offset == len(source), (source, exc.offset)
        return
    for w in _words(node):
        assert w.text.split("/")[0] not in _OPERATOR_WORDS, (source, w)


def test_sense_rule_masks_the_other_sense_only() -> None:
    rule = sense_rule("recognize NEAR/8 terrorist")
    assert rule is not None
    designation = "the Supreme Court recognized the activities of the Taliban as terrorist"
    diplomatic = "there must be no rush in officially recognising the Taliban as rulers"
    r1 = roots(designation)
    assert rule.masked(r1, designation.lower().split()) == {r1.index(roots("recognized")[0])}
    r2 = roots(diplomatic)
    assert rule.masked(r2, diplomatic.lower().split()) == set()
    assert sense_rule("Security Council") is None


@pytest.mark.parametrize("entry,offset,message", [
    ("recognize NEAR terrorist", 10, "NEAR needs a distance: " + NEAR_HINT),
    ("recognize near/8 terrorist", 10, "write NEAR/8"),
    ("recognize NEAR/0 terrorist", 10, "at least 1"),
    ("recognize NEAR/8", 10, "NEAR/8 needs a word or group on each side"),
    ("recognize SAME terrorist", 10, "not SAME: SAME belongs in require"),
    ("recognize NEAR/8 terrorist AND court", 27, "not AND"),
    ("Bosnia AND Herzegovina", 7, "write \"and\" in quotes for the word"),
    ("NOT recognize", 0, "not NOT"),
])
def test_an_exclude_entry_with_an_operator_is_a_rule_or_an_error(entry: str, offset: int,
                                                                  message: str) -> None:
    with pytest.raises(QuerySyntaxError) as err:
        sense_rule(entry)
    assert (err.value.offset, message in str(err.value)) == (offset, True), str(err.value)


@pytest.mark.parametrize("entry", ["Security Council", "expert on Central Asia",
                                   "Bosnia and Herzegovina", '"NEAR East" office', 'a 5" gun',
                                   "Jaish-e-Mohammed (JeM)", "NEARBY town"])
def test_an_exclude_entry_without_an_operator_is_a_phrase(entry: str) -> None:
    assert sense_rule(entry) is None


def test_config_reports_a_bad_query_at_its_column(tmp_path: Path) -> None:
    from briefing.config.load import load_config

    (tmp_path / "seeds").mkdir()
    cfg = tmp_path / "config" / "briefing.yaml"
    cfg.parent.mkdir()
    cfg.write_text("title: T\ncorpus: ../seeds\nthemes:\n  borders:\n    terms: [border]\n"
                   "    require: \"border NEAR/x guards\"\n"
                   "    exclude: [\"recognize NEAR/0 terrorist\"]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    lines = err.value.lines()
    assert any(":6:22:" in ln and "themes.borders.require" in ln and "needs a number" in ln
               for ln in lines), lines
    assert any(":7:" in ln and "themes.borders.exclude[0]" in ln and "at least 1" in ln
               for ln in lines), lines


def test_the_default_config_uses_the_language() -> None:
    from briefing.config.load import load_config

    cfg = load_config(Path(__file__).resolve().parents[1] / "config" / "briefing.yaml")
    assert any(t.require for t in cfg.themes)
    assert any("NEAR/" in x for t in cfg.themes for x in t.exclude)


@given(st.text(max_size=60))
def test_any_string_parses_or_fails_cleanly(source: str) -> None:
    try:
        node = parse(source)
    except QuerySyntaxError as exc:
        assert 0 <= exc.offset <= len(source)
    else:
        matches(node, passage())


def test_a_changed_sense_rule_is_not_answered_from_the_store(tmp_path: Path) -> None:
    """The evidence tables a warm build reuses are named after what masks words, sense rules
    included: editing 'recognize NEAR/8 terrorist' used to leave the warm build showing what
    the old rule gave (the cold build differed)."""
    import json

    from briefing.config.load import load_config
    from briefing.pipeline import BuildOptions, build

    repo = Path(__file__).resolve().parents[1]
    cfg = tmp_path / "briefing.yaml"

    def shown(rule: str, out: str) -> list[tuple[int, float]]:
        cfg.write_text(f"title: T\ncorpus: {repo / 'seeds'}\nstore: {tmp_path / 'store'}\n"
                       "themes:\n  recognition:\n    terms: [recognize, Taliban]\n"
                       f"    exclude: [\"{rule}\"]\n", encoding="utf-8")
        build(load_config(cfg), BuildOptions(out=tmp_path / out, formats=("json",)))
        data = json.loads((tmp_path / out / "briefing.json").read_text(encoding="utf-8"))
        return [(i["start"], i["score"]) for s in data["sections"] for i in s["items"]]

    before = shown("recognize NEAR/8 terrorist", "a")
    warm = shown("recognize NEAR/1 Supreme", "b")
    shutil.rmtree(tmp_path / "store")
    cold = shown("recognize NEAR/1 Supreme", "c")
    assert warm == cold and cold != before
