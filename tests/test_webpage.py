"""Saved web pages: the main text found, the metadata recorded as the page gives it, and
nothing of a hostile page's markup or script coming through (briefing/webpage.py)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

from briefing.read.documents import Unreadable, reading_text, web_url
from briefing.read.webpage import decode_html, extract_page

PAGES = Path(__file__).resolve().parent / "data" / "web"
EXPECTED = yaml.safe_load((PAGES / "expected.yaml").read_text(encoding="utf-8"))


def _eval():
    spec = importlib.util.spec_from_file_location(
        "eval_extraction", PAGES.parents[2] / "benchmarks" / "eval_extraction.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_extraction"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_metadata_is_what_the_page_gives_and_nothing_else(page: str) -> None:
    read = extract_page((PAGES / page).read_bytes())
    assert dict(read.meta) == EXPECTED[page]["meta"]


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_every_main_paragraph_is_a_paragraph_of_the_reading_text(page: str) -> None:
    read = extract_page((PAGES / page).read_bytes())
    paragraphs = read.text.rstrip("\n").split("\n\n")
    for main in EXPECTED[page]["main"]:
        assert main in paragraphs
    assert read.text.endswith("\n") and "\n\n\n" not in read.text
    assert extract_page((PAGES / page).read_bytes()).text == read.text  # deterministic


def test_fixture_main_text_is_really_on_the_page() -> None:
    # the expected paragraphs were cut from the pages: a typo in either would go unnoticed
    for page, truth in EXPECTED.items():
        raw = (PAGES / page).read_bytes()
        text = " ".join(re.sub(r"<[^>]+>", " ", decode_html(raw)[0]).split())
        for main in truth["main"]:
            assert main.replace("&", "&amp;")[:40] in text or main[:40] in text, (page, main)


def test_extraction_beats_its_floor_and_trafilatura_alone() -> None:
    scores = _eval().evaluate()
    ours = scores["briefing (trafilatura + furniture pass)"]
    alone = scores["trafilatura.extract, include_comments=False"]
    # floors at today's figures (they only go up): README "Articles"
    assert ours.precision >= 0.91 and ours.recall >= 1.0
    assert ours.precision > alone.precision and ours.recall >= alone.recall


def test_hostile_page_script_frames_and_markup_never_reach_the_text() -> None:
    read = extract_page((PAGES / "hostile.html").read_bytes())
    text = read.text
    for never in ("must never be shown", "Injected", "Framed", "tracking", "enable JavaScript",
                  "Scalable vector", "First!", "alert(2)", "javascript:", "onerror", "onclick"):
        assert never not in text, never
    # the one paragraph that talks about a script tag keeps those words as its text
    assert "showed the raw text <script>alert(1)</script> where a photograph" in text
    for key, value in read.meta.items():
        assert "<" not in value and ">" not in value and "javascript" not in value.lower(), key
    assert "url" not in read.meta  # its canonical link is a javascript: URL


def test_windows_1252_page_is_decoded_by_its_declared_charset() -> None:
    read = extract_page((PAGES / "legacy-cp1252.html").read_bytes())
    assert read.charset == "cp1252"
    assert "Turkmenistan’s foreign ministry" in read.text
    # the layout table's menu column is navigation, not the story
    assert "Front page" not in read.text


@pytest.mark.parametrize("label,expected", [("iso-8859-1", "cp1252"), ("latin1", "cp1252"),
                                            ("US-ASCII", "cp1252"), ("utf-8", "utf-8"),
                                            ("koi8-r", "koi8-r"), ("no-such-charset", "utf-8")])
def test_declared_charsets_are_read_as_browsers_read_them(label: str, expected: str) -> None:
    page = f'<html><head><meta charset="{label}"></head><body><p>x</p></body></html>'.encode()
    assert decode_html(page)[1] == expected


def test_the_servers_charset_wins_over_the_pages_and_a_bom_over_both() -> None:
    page = '<meta charset="utf-8"><p>café</p>'.encode("cp1252")
    assert decode_html(page, "windows-1252") == ('<meta charset="utf-8"><p>café</p>', "cp1252")
    assert decode_html(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", "koi8-r")[1] == "utf-8-sig"


@pytest.mark.parametrize("data,why", [
    (b"", "not an HTML page"), (b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
                               "no article text"),
    (b"\x00\x01\x02binary\x00" * 50, "binary"), (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
                                                 "binary"),
])
def test_a_page_without_article_text_is_unreadable_with_the_reason(data: bytes, why: str) -> None:
    with pytest.raises(Unreadable, match=why):
        extract_page(data)


def test_a_short_page_is_read_with_trafilaturas_recall_mode() -> None:
    read = extract_page((PAGES / "brief.html").read_bytes())
    assert read.text.startswith("Kazakhstan has removed the Taliban")


def test_reading_text_keeps_line_breaks_parts_paragraphs_at_blank_lines() -> None:
    text = reading_text(["  First\u00a0 line\nsecond\tline ", "", "a\n\nb", "\x07bell\x00"])
    assert text == "First line\nsecond line\n\na\n\nb\n\nbell\n"
    assert reading_text([]) == "" and reading_text([" \n "]) == ""


@pytest.mark.parametrize("url,ok", [("https://example.org/a", True), ("HTTP://x.example/", True),
                                    ("javascript:alert(1)", False), ("//example.org/a", False),
                                    ("ftp://example.org/a", False), ("https://", False),
                                    ("data:text/html,<script>", False), (None, False)])
def test_only_http_urls_are_kept_as_a_source_url(url: str | None, ok: bool) -> None:
    assert (web_url(url) is not None) == ok
