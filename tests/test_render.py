"""The web page, text and JSON editions, and the template search path."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import venv
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import markupsafe
import pytest
from briefing_fixture import REPO, hostile_briefing, seed_briefing
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.publish.render import (
    PREHEADER_MAX,
    PREHEADER_MIN,
    TEXT_WIDTH,
    default_templates_dir,
    longdate,
    preheader,
    quote_display,
    render_html,
    render_json,
    render_text,
    template_env,
)

ENV = template_env()


class _Collect(HTMLParser):
    """Ids, hrefs and tag names of a page, to check links and structure without regexes."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"] or "")
        if tag == "a" and found.get("href"):
            self.hrefs.append(found["href"] or "")


def parse(page: str) -> _Collect:
    collector = _Collect()
    collector.feed(page)
    return collector


# --- JSON -----------------------------------------------------------------------------------


def test_json_follows_the_contract_key_order() -> None:
    doc = json.loads(render_json(seed_briefing()))
    assert list(doc)[:12] == ["schema", "title", "edition", "generated_at", "reader", "generator",
                              "config_sha256", "corpus", "sources", "summary", "sections",
                              "timeline"]
    assert doc["schema"] == "briefing/1"
    assert list(doc["sources"][0])[:9] == ["id", "path", "title", "outlet", "byline", "published",
                                          "inferred", "url", "encoding"]
    section = doc["sections"][0]
    assert list(section)[:4] == ["theme", "title", "lede", "items"]
    quote, passage, with_also = section["items"]
    assert list(quote)[:8] == ["kind", "source", "path", "start", "end", "text", "speaker", "cue"]
    assert list(passage)[:8] == ["kind", "source", "path", "start", "end", "text", "score", "why"]
    assert {"text", "source", "path", "start", "end", "attribution"} <= with_also["also"][0].keys()
    assert list(quote)[-1] == "new" and list(passage)[-1] == "new"
    assert doc["sections"][2]["items"] == []
    assert list(doc["timeline"][0])[:7] == ["date", "precision", "text", "path", "start", "end",
                                            "source"]


def test_json_is_utf8_text_with_a_trailing_newline() -> None:
    out = render_json(seed_briefing())
    assert out.endswith("}\n") and "Moscow’s" in out and "\\u2019" not in out
    assert out.startswith('{\n  "schema"')


def _cited_objects(node: object) -> list[dict[str, object]]:
    if isinstance(node, dict):
        found = [node] if {"path", "start", "end", "text"} <= node.keys() else []
        return found + [c for value in node.values() for c in _cited_objects(value)]
    if isinstance(node, list):
        return [c for value in node for c in _cited_objects(value)]
    return []


def test_every_cited_object_in_json_is_verbatim_at_its_offsets() -> None:
    doc = json.loads(render_json(seed_briefing()))
    cited = _cited_objects(doc)
    assert len(cited) >= 12
    for obj in cited:
        with open(REPO / str(obj["path"]), encoding="utf-8", newline="") as handle:
            source = handle.read()
        assert source[int(obj["start"]):int(obj["end"])] == obj["text"]  # type: ignore[call-overload]


# --- Text -----------------------------------------------------------------------------------


def test_text_edition_is_72_columns_with_citations_and_sources() -> None:
    text = render_text(seed_briefing())
    for line in text.splitlines():
        assert len(line) <= TEXT_WIDTH or " " not in line.strip(), line
    assert text.startswith("RUSSIA AND THE TALIBAN\nEdition of 22 November 2026 · 2 min read · "
                           "6 items from 4 sources\n")
    assert "In this edition: Security (3), Diplomacy (3), Trade and economy, Timeline, " \
           "Sources." in " ".join(text.split())
    assert "” — [1]" in text and "” — Sergey Lavrov" not in text  # the speaker is the label
    # items numbered as "Security, item 3" names them, each under its label in capitals
    assert "\n1. SERGEY LAVROV\n   “Numerous terrorist groups" in text
    assert "\n2. TROOPS · MILITARY\n   Another sweeping military exercise" in text
    assert "No passage on trade and economy in these articles." in text
    sources = text[text.index("SOURCES"):]
    assert "[1] Russia hosts talks" in sources and "Associated Press*" in sources
    assert "https://news.example.org/afghanistan/moscow-ties" in sources
    assert "seeds/004_0a2e121bb2eab9c8.txt" in sources
    assert "* inferred from the article text" in sources
    assert text.endswith("\n") and not text.endswith("\n\n")


# --- Web page -------------------------------------------------------------------------------


def test_web_page_citations_link_to_source_entries() -> None:
    page = parse(render_html(seed_briefing(), ENV))
    internal = [h for h in page.hrefs if h.startswith("#")]
    assert any(h == "#source-1" for h in internal)
    for href in internal:
        assert href[1:] in page.ids, f"dangling link {href}"
    assert {f"source-{n}" for n in range(1, 5)} <= page.ids
    assert {"section-security", "section-diplomacy", "section-economy", "sources"} <= page.ids


def test_web_page_is_self_contained_and_responsive() -> None:
    out = render_html(seed_briefing(), ENV)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in out
    assert "<link" not in out and "<script" not in out and "@media (max-width: 480px)" in out
    assert '<html lang="en">' in out
    assert "Nothing on security" not in out  # the empty note only where a section is empty
    assert "No passage on trade and economy in these articles." in out


HOSTILE = '<script>alert(1)</script><img src="http://127.0.0.1:9/x.png"> file:///etc/passwd &amp;'


@pytest.mark.parametrize("render", ["html", "pdf"])
def test_markup_in_article_text_shows_as_text(render: str) -> None:
    from briefing.publish.render import render_pdf_html
    out = (render_html if render == "html" else render_pdf_html)(hostile_briefing(HOSTILE), ENV)
    assert "<script" not in out and "<img" not in out
    assert str(markupsafe.escape(HOSTILE)) in out


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_any_article_text_renders_escaped(text: str) -> None:
    out = render_html(hostile_briefing(text), ENV)
    assert str(markupsafe.escape(text)) in out
    # Whatever the text, the page has the same elements as with a harmless stand-in: no text can
    # open or close a tag (a raw "<" may of course occur in the page's own markup).
    assert _tags(out) == _tags(render_html(hostile_briefing("x"), ENV))


def _tags(page: str) -> list[str]:
    collect = _Collect()
    collect.feed(page)
    return collect.tags


# --- Helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "shown"), [
    ("2026-11-22", "22 November 2026"), ("2018-11", "November 2018"), ("2003", "2003"),
    ("2021-02-30", "2021-02-30"), ("soon", "soon"), (None, ""),
])
def test_longdate(value: str | None, shown: str) -> None:
    assert longdate(value) == shown


def test_quote_display_drops_the_trailing_comma_only() -> None:
    assert quote_display("bloody attacks,") == "bloody attacks"
    assert quote_display("stability of the entire region.") == "stability of the entire region."


@given(st.text(max_size=300), st.lists(st.text(max_size=60), max_size=8))
def test_preheader_is_always_40_to_130_characters(title: str, themes: list[str]) -> None:
    from dataclasses import replace
    base = seed_briefing()
    sections = tuple(replace(base.sections[0], title=t) for t in themes)
    text = preheader(replace(base, title=title, sections=sections))
    assert PREHEADER_MIN <= len(text) <= PREHEADER_MAX


# --- Templates: search path, strictness, overrides -------------------------------------------


def test_strict_undefined_and_autoescape() -> None:
    with pytest.raises(jinja2.UndefinedError):
        ENV.from_string("{{ briefing.no_such_field }}").render(briefing=seed_briefing())
    assert ENV.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_override_one_partial_changes_only_that_part(tmp_path: Path) -> None:
    ours = tmp_path / "templates" / "partials"
    ours.mkdir(parents=True)
    (ours / "sources.html").write_text('<section id="sources"><p>Our sources</p>'
                                       '{% for s in briefing.sources %}'
                                       '<i id="source-{{ s.number }}"></i>{% endfor %}'
                                       '</section>\n', encoding="utf-8")
    default = render_html(seed_briefing(), ENV)
    custom = render_html(seed_briefing(), template_env(tmp_path / "templates"))
    cut = default.index('<section class="sources"')
    assert custom[:cut] == default[:cut]
    assert "Our sources" in custom and 'class="source-list"' not in custom
    assert custom.rstrip().endswith(default[default.index("</main>"):].rstrip())


def test_user_template_extends_the_default(tmp_path: Path) -> None:
    (tmp_path / "briefing.html").write_text(
        '{% extends "default:briefing.html" %}{% block footer %}<p>Desk copy</p>{% endblock %}',
        encoding="utf-8")
    out = render_html(seed_briefing(), template_env(tmp_path))
    assert "Desk copy" in out and "Built by" not in out and 'class="source-list"' in out


def test_a_block_nested_in_the_shared_layout_can_be_replaced(tmp_path: Path) -> None:
    """briefing.html extends layout.html: a block the web page defines (masthead, inside the
    layout's front) and one the layout defines (sources) are both a user's to replace."""
    (tmp_path / "briefing.html").write_text(
        '{% extends "default:briefing.html" %}{% block masthead %}<h1>Our desk</h1>{% endblock %}'
        '{% block sources %}<p>No sources list</p>{% endblock %}', encoding="utf-8")
    out = render_html(seed_briefing(), template_env(tmp_path))
    default = render_html(seed_briefing(), ENV)
    assert "<h1>Our desk</h1>" in out and 'class="masthead"' not in out
    assert "No sources list" in out and 'class="source-list"' not in out
    assert out.count('<div class="page">') == 1 and "Built by" in out
    assert 'class="masthead"' in default


def test_missing_workspace_folder_falls_back_to_defaults(tmp_path: Path) -> None:
    out = render_html(seed_briefing(), template_env(tmp_path / "absent"))
    assert out == render_html(seed_briefing(), ENV)


def test_defaults_are_the_checkout_templates() -> None:
    assert default_templates_dir() == REPO / "templates"


@pytest.mark.slow
def test_a_non_editable_install_renders(tmp_path: Path) -> None:
    """pip install . (no -e, so a real wheel is built; pip fetches the build backend from the
    package index) into a folder a fresh interpreter puts first on its path: the wheel carries
    the templates as briefing.templates and renders from outside the checkout."""
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(tmp_path / "v")
    py = tmp_path / "v" / "bin" / "python"
    site = next(p for p in sys.path if p.endswith("site-packages"))
    (next((tmp_path / "v" / "lib").glob("python3*")) / "site-packages" / "outer.pth").write_text(
        site + "\n", encoding="utf-8")
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(REPO)], check=True, timeout=300)
    script = ("import sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(1, sys.argv[2])\n"
              "import briefing.publish.render as r\n"
              "from briefing_fixture import seed_briefing\n"
              "assert 'site' in r.default_templates_dir().parts, r.default_templates_dir()\n"
              "out = r.render_html(seed_briefing(), r.template_env())\n"
              "assert 'source-list' in out\n"
              "print(r.default_templates_dir())\n")
    done = subprocess.run([str(py), "-c", script, str(target), str(REPO / "tests")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert re.search(r"site/briefing/templates$", done.stdout.strip())


# --- The timeline chart ---------------------------------------------------------------------


def test_web_page_draws_the_timeline_with_a_text_equivalent() -> None:
    page = render_html(seed_briefing(), ENV)
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S)
    assert svg, "no inline SVG chart"
    head = svg[0].split(">", 1)[0]
    assert 'role="img"' in head
    assert 'aria-labelledby="timeline-chart-title timeline-chart-desc"' in head
    assert '<title id="timeline-chart-title">Timeline: 2 dated events from 14 February 2003 ' \
           'to November 2018: 1 in 2003, 1 in 2018</title>' in svg[0]
    # the same line is printed above the chart, so the picture is never the only telling
    assert '<p class="timeline-summary">2 dated events from 14 February 2003 to November ' \
           '2018: 1 in 2003, 1 in 2018.</p>' in page
    assert "<script" not in svg[0] and "href" not in svg[0]  # nothing to run, nothing to fetch
    events = re.search(r'<ol class="events">(.*?)</ol>', page, re.S)
    assert events and events[1].count("<li>") == 2  # the list the discs are numbered after
    assert '<span class="event-number">2</span>' in events[1]


def test_no_chart_when_nothing_is_dated() -> None:
    from dataclasses import replace

    from briefing.publish.chart import timeline_chart

    brief = seed_briefing()
    undated = replace(brief, timeline=(), sources=tuple(replace(s, published=None)
                                                         for s in brief.sources))
    assert timeline_chart(undated) is None
    assert "<svg" not in render_html(undated, ENV)


# --- Links ----------------------------------------------------------------------------------

BAD_URLS = ["javascript:alert(document.cookie)", "JavaScript:alert(1)", "java\tscript:alert(1)",
            " javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd", "vbscript:msgbox(1)", "//evil.example/x"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_no_edition_links_anywhere_but_http(url: str) -> None:
    """Whatever reaches the model (the corpus reader and the config refuse these already),
    no edition turns a source's url or the web edition's address into a link that is not
    http(s): not the web page, the print HTML (its links become the PDF's URI actions), the
    email, the text or the JSON."""
    from dataclasses import replace

    from briefing.publish.render import render_email, render_pdf_html

    base = seed_briefing()
    good = "https://example.org/article"
    sources = tuple(replace(s, url=url if i % 2 == 0 else good) for i, s in enumerate(base.sources))
    briefing = replace(base, sources=sources)
    pages = [render_html(briefing, ENV), render_pdf_html(briefing, ENV),
             render_email(briefing, ENV, web_url=url)]
    for page in pages:
        hrefs = parse(page).hrefs
        assert good in hrefs
        assert all(h.startswith(("#", "https://")) for h in hrefs), hrefs
    assert url not in render_text(briefing)
    sent = json.loads(render_json(briefing))["sources"]
    assert [s["url"] for s in sent] == [None if i % 2 == 0 else good for i in range(len(sent))]


# --- Labels and what a reader skims by --------------------------------------------------------


def _item(kind: str, text: str, why: tuple[str, ...], speaker: str | None = None):
    from briefing.models import Item

    return Item(kind=kind, text=text, source="S1", path="x.txt", start=0, end=len(text),
                score=1.0, why=why, speaker=speaker)


def test_an_items_label_is_its_speaker_or_strongest_terms_as_the_text_writes_them() -> None:
    from briefing.publish.render import item_label

    # a quotation is labelled by who said it, alone (the speaker is printed nowhere else by it)
    lavrov = _item("quote", "Numerous terrorist groups, notably the Islamic State and al-Qaida "
                   "are trying", ("al-Qaida", "terrorist groups", "drugs"), "Sergey Lavrov")
    assert item_label(lavrov) == "Sergey Lavrov"
    assert item_label(_item("quote", "We will see.", ("al-Qaida",), "the diplomat")) == \
        "The diplomat"
    # a weaker term repeating a stronger one says nothing new
    border = _item("passage", "the Taliban took the border crossing with Turkmenistan",
                   ("border crossing", "Turkmenistan", "border", "crossing"))
    assert item_label(border) == "border crossing · Turkmenistan"
    tajik = _item("passage", "Tajik border guards in Tajikistan", ("Tajikistan", "Tajik",
                                                                     "border guards"))
    assert item_label(tajik) == "Tajikistan · border guards"
    # as the text writes them: a prefix term's word, a phrase's inflection; the config's case
    # where only a sentence's capital differs
    assert item_label(_item("passage", "Their legitimacy is doubted.", ("legitim*",))) == \
        "legitimacy"
    assert item_label(_item("passage", "Drug traffic, Islamists, armed groups",
                            ("drug traffic", "armed groups"))) == "drug traffic · armed groups"
    assert item_label(_item("passage", "no rush in officially recognising them",
                            ("officially recognise",))) == "officially recognising"
    # short: a second term that would make it long is left out
    long = _item("passage", "armored personnel carriers and special forces",
                 ("armored personnel carriers", "special forces"))
    assert item_label(long) == "armored personnel carriers"
    assert item_label(_item("passage", "Nothing matched here.", ())) == ""


def test_labels_are_in_every_format() -> None:
    import io

    import pdfplumber

    from briefing.publish.pdf import html_to_pdf
    from briefing.publish.render import assets_dir, render_email, render_pdf_html

    brief = seed_briefing()
    web, email = render_html(brief, ENV), render_email(brief, ENV)
    assert '<span class="label">Sergey Lavrov</span>' in web
    assert '<span class="label">troops\u00a0· military</span>' in web  # "·" bound to its term
    assert '<span class="item-label"' in email and ">troops · military</span>" in email
    assert "\n2. TROOPS · MILITARY\n" in render_text(brief)
    pdf = html_to_pdf(render_pdf_html(brief, ENV), assets=assets_dir())
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = " ".join(page.extract_text() for page in doc.pages)
    assert "TROOPS · MILITARY" in text and "SERGEY LAVROV" in text


def test_a_point_of_the_essentials_is_labelled_by_its_theme_or_its_date() -> None:
    from dataclasses import replace

    from briefing.publish.render import point_labels

    base = seed_briefing()
    summary = (replace(base.summary[0], id="e1"), replace(base.summary[1], id="e2"))
    sections = (replace(base.sections[0], in_summary=("e2",)),) + base.sections[1:]
    timeline = (replace(base.timeline[1], see="e1"),)
    brief = replace(base, summary=summary, sections=sections, timeline=timeline)
    # its theme (a link to the section), or the date of the news; a theme's label adds a date
    # only where the source line beside it says "undated" and the point's event has one
    assert point_labels(brief) == {"e1": ("November 2018", None),
                                   "e2": ("Security", "security")}
    page = render_html(brief, ENV)
    assert '<span class="point-number">2</span> · <a class="label" href="#section-security">' \
           'Security</a>' in page
    assert '<span class="point-number">1</span> · <span class="label">November 2018</span>' in page
    text = render_text(brief)
    assert "1. NOVEMBER 2018\n" in text and "2. SECURITY\n" in text
    timeline = (replace(base.timeline[1], see="e2"),)
    assert point_labels(replace(brief, timeline=timeline))["e2"] == \
        ("Security · November 2018", "security")  # undated source, dated event


def test_the_web_contents_counts_stand_inside_their_links() -> None:
    page = render_html(seed_briefing(), ENV)
    nav = re.search(r'<nav class="contents".*?</nav>', page, re.S)[0]
    assert re.search(r'<a href="#section-security">Security <span class="count">3<span '
                     r'class="visually-hidden"> items</span></span></a>', nav)
    assert "count" not in nav.split("Trade and economy", 1)[1].split("</a>", 1)[0]  # empty


def test_the_masthead_gives_the_reading_time_and_the_coverage_in_two_lines() -> None:
    from dataclasses import replace

    from briefing.models import Previous

    brief = replace(seed_briefing(), coverage={"articles": 5, "cited": 4, "not_cited": 1,
                                               "first": "2021-10-20", "undated": 3},
                    previous=Previous("2026-11-15", 2, 3))
    page = render_html(brief, ENV)
    head = re.search(r'<header class="masthead">.*?</header>', page, re.S)[0]
    assert re.findall(r"<p class=\"(\w+)\"", head) == ["kicker", "edition", "coverage"]
    assert "2 min read" in head and "6 items" in head
    assert "5 articles read, 4 cited, 1 not (see the end) · 1 source dated 20 October 2021, " \
           "3 undated." in head
    assert '<span class="since">Since the edition of 15 November 2026: 2 new articles, 3 new ' \
           'items.</span>' in head
    essentials = re.search(r'<h2 id="summary-title".*?</h2>', page, re.S)[0]
    assert "1 min read" in essentials


def test_voices_name_a_speakers_quotations_shown_elsewhere_in_one_line() -> None:
    from briefing.publish.render import place_groups, places_text

    where = {"recognition-8": "Recognition, item 8", "recognition-4": "Recognition, item 4",
             "security-1": "Security, item 1", "e2": "The essentials, point 2",
             "recognition-lede": "Recognition"}
    ids = ["recognition-8", "security-1", "recognition-4", "e2", "recognition-lede", "gone"]
    assert place_groups(ids, where) == [
        ("Recognition, items", [("4", "recognition-4"), ("8", "recognition-8")]),
        ("Security, item", [("1", "security-1")]),
        ("The essentials, point", [("2", "e2")]), ("", [("Recognition", "recognition-lede")])]
    assert places_text(ids, where) == ("Recognition, items 4 and 8; Security, item 1; The "
                                       "essentials, point 2; Recognition")
