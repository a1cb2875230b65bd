"""The email edition's HTML, checked as publishing.md 'The email edition' lists."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

from briefing.render import (EMAIL_SIZE_LIMIT, PREHEADER_MAX, PREHEADER_MIN, render_email,
                             template_env)
from briefing_fixture import hostile_briefing, seed_briefing

ENV = template_env()


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.starts: list[tuple[str, dict[str, str | None]]] = []
        self.body_text: list[str] = []
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, dict(attrs)))
        self._in_body = self._in_body or tag == "body"

    def handle_data(self, data: str) -> None:
        if self._in_body and data.strip():
            self.body_text.append(data.strip())


def tree(html: str) -> _Tree:
    parsed = _Tree()
    parsed.feed(html)
    return parsed


def test_head_has_doctype_lang_charset_color_scheme_title() -> None:
    html = render_email(seed_briefing(), ENV)
    assert html.lower().startswith("<!doctype html>")
    assert re.search(r'<html lang="en">', html)
    assert html.index('<meta charset="utf-8">') < 200
    assert '<meta name="color-scheme" content="light dark">' in html
    assert "<title>Russia and the Taliban · 22 November 2026</title>" in html


def test_preheader_comes_first_hidden_and_sized() -> None:
    parsed = tree(render_email(seed_briefing(), ENV))
    body_index = [tag for tag, _ in parsed.starts].index("body")
    tag, attrs = parsed.starts[body_index + 1]
    assert tag == "div" and "display: none" in (attrs.get("style") or "")
    assert PREHEADER_MIN <= len(parsed.body_text[0]) <= PREHEADER_MAX


def test_layout_tables_and_container_width() -> None:
    parsed = tree(render_email(seed_briefing(), ENV))
    tables = [attrs for tag, attrs in parsed.starts if tag == "table"]
    assert tables and all(attrs.get("role") == "presentation" for attrs in tables)
    assert any(attrs.get("width") == "600" for attrs in tables)


def test_css_is_inlined_and_at_rules_kept() -> None:
    html = render_email(seed_briefing(), ENV)
    parsed = tree(html)
    styled = [attrs for tag, attrs in parsed.starts if tag in {"td", "p", "h1", "h2"}]
    assert all(attrs.get("style") for attrs in styled)
    assert "@media (prefers-color-scheme: dark)" in html
    assert "@media only screen and (max-width: 620px)" in html
    style_blocks = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(style_blocks) == 1 and ".title {" not in style_blocks[0].split("@media")[0]


def test_no_script_form_or_external_stylesheet_and_links_absolute() -> None:
    html = render_email(hostile_briefing('<script>x()</script><form><link rel="stylesheet" '
                                         'href="/x.css"><a href="/rel">'), ENV)
    parsed = tree(html)
    tags = {tag for tag, _ in parsed.starts}
    assert not tags & {"script", "form", "link", "iframe", "object"}
    hrefs = [attrs.get("href") or "" for tag, attrs in parsed.starts if tag == "a"]
    assert hrefs and set(hrefs) == {"https://news.example.org/afghanistan/moscow-ties"}
    assert all(attrs.get("alt") is not None for tag, attrs in parsed.starts if tag == "img")


def test_citations_and_sources_are_plain_numbers() -> None:
    html = render_email(seed_briefing(), ENV)
    assert "[1]" in html and "[4]" in html and 'href="#' not in html
    assert "Associated Press*" in html and "No passage on trade and economy" in html


def test_citations_link_to_the_source_url_where_one_is_known() -> None:
    html = render_email(seed_briefing(), ENV)
    linked = re.findall(r'<a class="cite" href="([^"]+)"[^>]*>\[(\d+)\]</a>', html)
    assert linked and {number for _, number in linked} == {"3"}  # only S3 has a URL
    assert {url for url, _ in linked} == {"https://news.example.org/afghanistan/moscow-ties"}
    plain = re.findall(r'<span class="cite"[^>]*>\[(\d+)\]</span>', html)
    assert {"1", "2", "4"} <= set(plain) and "3" not in plain


def test_the_timeline_is_a_text_list_in_the_email() -> None:
    html = render_email(seed_briefing(), ENV)
    assert "<svg" not in html  # mail clients do not draw inline SVG: the list says it all
    assert "14 February 2003" in html and "November 2018" in html


def test_dark_mode_is_kept() -> None:
    html = render_email(seed_briefing(), ENV)
    dark = html.split("@media (prefers-color-scheme: dark)", 1)[1]
    assert "background-color: #0f1114 !important" in dark and ".cite" in dark


def test_lang_follows_the_config() -> None:
    assert '<html lang="de">' in render_email(seed_briefing(), template_env(lang="de"))


def test_under_the_gmail_clip_and_trimmed_when_too_big() -> None:
    seed = render_email(seed_briefing(), ENV)
    assert len(seed.encode("utf-8")) < EMAIL_SIZE_LIMIT and "did not fit" not in seed
    base = seed_briefing()
    many = tuple(replace(base.sections[0].items[1], start=i) for i in range(400))
    huge = replace(base, sections=(replace(base.sections[0], items=many),) + base.sections[1:])
    html = render_email(huge, ENV)
    size = len(html.encode("utf-8"))
    assert size < EMAIL_SIZE_LIMIT
    assert size > EMAIL_SIZE_LIMIT * 0.9  # the fewest items left out, not half of them
    left_out = int(re.search(r"(\d+) more items did not fit in this email", html)[1])
    shown = html.count("Another sweeping military exercise")
    assert shown + left_out == 400
    assert "the PDF and web editions have them all" in html


def test_a_trimmed_email_links_to_the_full_edition_when_the_config_has_a_web_url() -> None:
    base = seed_briefing()
    many = tuple(replace(base.sections[0].items[1], start=i) for i in range(400))
    huge = replace(base, sections=(replace(base.sections[0], items=many),) + base.sections[1:])
    url = "https://briefing.example.org/2026-11-22/"
    html = render_email(huge, ENV, web_url=url)
    assert re.search(rf'did not fit in this email;\s*<a class="full-link" href="{url}"', html)
    assert len(html.encode("utf-8")) < EMAIL_SIZE_LIMIT


def test_when_one_item_per_section_is_too_much_voices_and_timeline_go_too() -> None:
    base = seed_briefing()
    sections = tuple(replace(base.sections[0], theme=f"t{n}", title=f"Theme {n}",
                             items=base.sections[0].items[1:2] * 3) for n in range(160))
    html = render_email(replace(base, sections=sections), ENV)
    assert "the Voices and the Timeline did not fit" in html
    assert "14 February 2003" not in html  # the timeline's first event
