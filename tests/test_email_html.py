"""The email edition's HTML, checked as publishing.md 'The email edition' lists."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

from briefing_fixture import hostile_briefing, seed_briefing

from briefing.models import Briefing
from briefing.publish.render import (
    EMAIL_SIZE_LIMIT,
    PREHEADER_MAX,
    PREHEADER_MIN,
    render_email,
    template_env,
)

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


def _preheader(html: str) -> str:
    """The preheader's text, without the joiners and spaces that pad it (they keep an inbox
    from filling the preview with the body's first words)."""
    parsed = tree(html)
    body_index = [tag for tag, _ in parsed.starts].index("body")
    tag, attrs = parsed.starts[body_index + 1]
    assert tag == "div" and "display: none" in (attrs.get("style") or "")
    return parsed.body_text[0].replace("\u200c", "").replace("\xa0", " ").strip()


def test_preheader_comes_first_hidden_and_sized() -> None:
    assert PREHEADER_MIN <= len(_preheader(render_email(seed_briefing(), ENV))) <= PREHEADER_MAX


def test_the_preheader_is_the_first_essential_point_not_the_subject() -> None:
    """The inbox shows the subject (title, date, themes) and then the preheader: it says the
    news, cut at a word when it is long."""
    from briefing.deliver.message import subject

    brief = seed_briefing()
    text = _preheader(render_email(brief, ENV))
    first = brief.summary[0].text
    assert text.endswith("…") and first.startswith(text[:-1]) and len(text) <= PREHEADER_MAX
    assert subject(brief).split(":")[0] not in text
    short = replace(brief, summary=(replace(brief.summary[1], text="Talks began."),))
    assert _preheader(render_email(short, ENV)).startswith("Talks began. (Russia and the Taliban")


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


def _long(base: Briefing, themes: int, items: int, *, long_text: bool = False) -> Briefing:
    """``themes`` themes of ``items`` items each (passages and quotes, with labels, corroboration
    and "New" badges), a lede each, and the seed's Voices and timeline: a long edition."""
    quote, passage = base.sections[1].items[0], base.sections[0].items[2]
    if long_text:  # each item as long as a passage gets (600 characters and more)
        passage = replace(passage, text=(passage.text + " ") * 4, why=("troops",) * 1)
        quote = replace(quote, text=(quote.text + " ") * 3, speaker="A spokesman for the "
                        "Ministry of Foreign Affairs of the Russian Federation")
    sections = tuple(replace(base.sections[0], theme=f"theme-{t}", title=f"Theme number {t}",
                             items=tuple(replace(quote if n % 3 == 0 else passage, new=True,
                                                 id=f"theme-{t}-{n + 1}") for n in range(items)))
                     for t in range(themes))
    return replace(base, sections=sections)


def _size(html: str) -> int:
    return len(html.encode("utf-8"))


def test_a_short_edition_is_sent_whole() -> None:
    html = render_email(seed_briefing(), ENV)
    assert "Read the full edition" not in html and "in the full edition" not in html
    assert "Timeline" in html and "14 February 2003" in html  # its timeline is in the email


def test_a_long_edition_is_sent_as_a_newsletter() -> None:
    """The essentials, each theme's lede and top three items, how many more each theme has,
    and where the full edition is; no Voices or timeline, and only the sources it cites."""
    base = seed_briefing()
    brief = _long(base, 3, 7)
    html = render_email(brief, ENV)
    assert html.count('class="item-head"') == 3 * 3
    assert html.count("4 more items on Theme number") == 3
    assert "The full edition is in the PDF and web editions" in html
    assert "21 items in all (12 not in this email)" in html
    assert "a timeline of 2 dated events" in html and "14 February 2003" not in html
    assert html.count('class="lede"') == 3
    assert "In this email" in html and "Theme number 0&nbsp;<span" in html
    assert re.search(r"3&nbsp;of&nbsp;7", html)
    cited = set(re.findall(r"<strong>\[(\d)\]</strong>", html))
    assert cited == {"1", "2", "3", "4"}
    # a source cited only by items the email leaves out is not in its sources list
    first = brief.sections[0]
    passages = tuple(i for i in first.items if i.kind == "passage")[:3]
    quotes = tuple(i for i in first.items if i.kind == "quote")
    later = replace(brief, sections=(replace(first, items=passages + quotes),))
    html = render_email(later, ENV)
    assert set(re.findall(r"<strong>\[(\d)\]</strong>", html)) == {"1", "2", "4"}
    assert "The sources this email cites; the full edition cites 4." in html


def test_where_the_full_edition_is() -> None:
    brief = _long(seed_briefing(), 2, 6)
    url = "https://briefing.example.org/2026-11-22/"
    linked = render_email(brief, ENV, web_url=url)
    assert re.search(rf'<a class="button" href="{re.escape(url)}"[^>]*>Read the full edition</a>',
                     linked)
    assert re.search(rf'in <a class="full-link" href="{re.escape(url)}"', linked)
    attached = render_email(brief, ENV, pdf_attached=True)
    assert "The full edition is the attached PDF" in attached and "button" not in \
        attached.split("</style>", 1)[1]


def test_ten_themes_of_twenty_items_stay_under_the_gmail_clip() -> None:
    for long_text in (False, True):
        html = render_email(_long(seed_briefing(), 10, 20, long_text=long_text), ENV,
                            web_url="https://briefing.example.org/")
        assert _size(html) < EMAIL_SIZE_LIMIT, (long_text, _size(html))
        assert html.count("17 more items on Theme number") == 10
        assert html.count('class="theme-title"') == 10 + 1  # the themes and the sources


def test_any_config_stays_under_the_gmail_clip() -> None:
    """Hundreds of themes: fewer items per theme, then as many themes as fit, and the email says
    how many themes are only in the full edition."""
    for themes, items in ((60, 20), (400, 3)):
        html = render_email(_long(seed_briefing(), themes, items, long_text=True), ENV)
        assert _size(html) < EMAIL_SIZE_LIMIT, (themes, _size(html))
        shown = html.count('<h2 class="theme-title"') - 1
        assert 0 < shown < themes
        assert f"{themes - shown} more themes and {themes * items} items in all" in html
    assert _size(render_email(_long(seed_briefing(), 60, 20, long_text=True), ENV)) > \
        EMAIL_SIZE_LIMIT * 0.8  # the fewest left out: not half the room wasted
