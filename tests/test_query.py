"""The theme query language: boolean and proximity operators, sense rules, errors with offsets."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from briefing.errors import ConfigError
from briefing.query import Passage, QuerySyntaxError, matches, parse, sense_rule
from briefing.textnorm import roots

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


@pytest.mark.parametrize("query,offset,message", [
    ("", 0, "empty"),
    ("border AND", 10, "ends"),
    ("(border OR guards", 0, "unclosed '('"),
    ("border)", 6, "unbalanced"),
    ('"border crossing', 0, "unclosed quotation"),
    ("border NEAR/0 guards", 7, "at least 1"),
    ("border NEAR/x guards", 7, "needs a number"),
    ("bor*der", 0, "only end"),
    ("NOT border NEAR/3 guards", 11, "NOT"),
])
def test_syntax_errors_say_where(query: str, offset: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as err:
        parse(query)
    assert err.value.offset == offset and message in str(err.value)


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


def test_config_reports_a_bad_query_at_its_column(tmp_path: Path) -> None:
    from briefing.config import load_config

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
    from briefing.config import load_config

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
