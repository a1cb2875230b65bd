"""The PDF, tested by structure: pages, outline, links, metadata, contents numbers, footer; and
proof that WeasyPrint fetches nothing but the template assets."""

from __future__ import annotations

import http.server
import io
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pdfplumber
import pikepdf
import pypdf
import pytest
from briefing_fixture import hostile_briefing, seed_briefing
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.models import Briefing
from briefing.publish.pdf import AssetsOnlyFetcher, _fast_type_parser, html_to_pdf
from briefing.publish.render import assets_dir, render_html, render_pdf_html, template_env

ENV = template_env()
ASSETS = assets_dir()


@pytest.fixture
def no_weasyprint_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail on any ERROR record WeasyPrint logs (unknown options and failed fetches are only
    logged, so a silent failure would otherwise pass)."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield
    errors = [r.getMessage() for r in caplog.records
              if r.name.startswith("weasyprint") and r.levelno >= logging.ERROR]
    assert not errors, errors


@pytest.fixture(scope="module")
def seed_pdf() -> bytes:
    return html_to_pdf(render_pdf_html(seed_briefing(), ENV), assets=ASSETS)


def _outline(reader: pypdf.PdfReader) -> list[tuple[str, int]]:
    return [(entry.title, reader.get_destination_page_number(entry))
            for entry in reader.outline if not isinstance(entry, list)]


def test_render_logs_no_error(no_weasyprint_errors: None) -> None:
    assert html_to_pdf(render_pdf_html(seed_briefing(), ENV), assets=ASSETS).startswith(b"%PDF-")


def test_pages_outline_and_metadata(seed_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(seed_pdf))
    assert 2 <= len(reader.pages) <= 4
    outline = _outline(reader)
    titles = [title for title, _ in outline]
    # a bookmark per part, in order; not the masthead, the essentials or the contents
    assert titles == ["Security", "Diplomacy", "Trade and economy", "Timeline", "Sources"]
    pages = [page for _, page in outline]
    assert pages == sorted(pages)
    assert pages[0] == 0  # the first section starts on page 1, under the essentials
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Russia and the Taliban · 22 November 2026"
    assert meta.author == "Russia and the Taliban"  # the config's title
    assert str(meta.get("/Keywords")) == "Security, Diplomacy, Trade and economy"
    assert str(meta.get("/CreationDate", "")).startswith("D:20261122")


def test_contents_numbers_match_the_pages_where_sections_start(seed_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(seed_pdf))
    starts = {title: page + 1 for title, page in _outline(reader)}
    with pdfplumber.open(io.BytesIO(seed_pdf)) as pdf:
        front = pdf.pages[0].extract_text()
        for title, page in starts.items():
            # the contents in a line or two: an entry is its title and "p. N", its page
            match = re.search(rf"(?:^| ){re.escape(title)} p\. (\d+)(?: |$)", front, re.M)
            assert match, f"{title} missing from the contents:\n{front}"
            assert int(match[1]) == page, title
            body = pdf.pages[page - 1].extract_text()
            assert title in body


MARGIN = 20 * 72 / 25.4  # the page's top and bottom margins (print.css), in points


def test_footer_and_running_header_on_every_page(seed_pdf: bytes) -> None:
    with pdfplumber.open(io.BytesIO(seed_pdf)) as pdf:
        total = len(pdf.pages)
        for number, page in enumerate(pdf.pages, start=1):
            footer = page.crop((0, page.height - MARGIN, page.width, page.height)).extract_text()
            assert footer.strip() == f"Page {number} of {total}"
            header = page.crop((0, 0, page.width, MARGIN)).extract_text()
            if number == 1:
                assert header.strip() == ""  # the title page carries no running header
            else:
                assert "Russia and the Taliban" in header


def test_the_running_head_names_the_part_the_page_opens_in() -> None:
    """The head says where the reader is at the top of the page: the part that continues there,
    or the one whose heading opens the page. A part that starts further down is announced by its
    own heading on the page (and the contents give its page)."""
    base = seed_briefing()
    security = replace(base.sections[0], items=base.sections[0].items * 5)
    brief = replace(base, sections=(security,) + base.sections[1:])
    pdf_bytes = html_to_pdf(render_pdf_html(brief, ENV), assets=ASSETS)
    outline = _outline(pypdf.PdfReader(io.BytesIO(pdf_bytes)))
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        for number, page in enumerate(pdf.pages[1:], start=1):
            header = page.crop((0, 0, page.width, MARGIN)).extract_text()
            body = page.crop((0, MARGIN, page.width, page.height - MARGIN)).extract_text()
            opening = [t for t, p in outline if p == number and body.startswith(t)]
            current = opening[0] if opening else [t for t, p in outline if p < number][-1]
            assert header.endswith(current.upper()), (number, header, current)


def test_citations_are_links_to_the_sources_page(seed_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(seed_pdf))
    sources_page = dict(_outline(reader))["Sources"]
    internal = 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest")
            if dest is None and "/A" in annot:
                dest = annot["/A"].get("/D")
            if dest is not None:
                internal += 1
    assert internal >= 15  # summary, ledes, items, also, timeline, contents
    assert sources_page == len(reader.pages) - 1


def test_page_size_and_reproducibility() -> None:
    html = render_pdf_html(seed_briefing(), ENV)
    letter = pypdf.PdfReader(io.BytesIO(html_to_pdf(html, assets=ASSETS, page_size="Letter")))
    box = letter.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    assert html_to_pdf(html, assets=ASSETS) == html_to_pdf(html, assets=ASSETS)
    with pytest.raises(ValueError):
        html_to_pdf(html, assets=ASSETS, page_size="A4; } body { display: none")


# --- PDF/UA-1, fonts, language, hyphenation, pull quotes, the chart -------------------------


def test_pdf_ua_structure_language_and_embedded_fonts(seed_pdf: bytes) -> None:
    with pikepdf.open(io.BytesIO(seed_pdf)) as pdf:
        assert pdf.check_pdf_syntax() == []
        root = pdf.Root
        assert "/StructTreeRoot" in root and root.MarkInfo.Marked
        assert str(root.Lang) == "en"
        assert root.ViewerPreferences.DisplayDocTitle
        meta = pdf.open_metadata()
        assert str(meta.get("pdfuaid:part")) == "1"
        assert meta.get("dc:title") == "Russia and the Taliban · 22 November 2026"
        fonts = {}
        for page in pdf.pages:
            for font in (page.Resources.get("/Font") or {}).values():
                for descendant in font.get("/DescendantFonts") or [font]:
                    descriptor = descendant.get("/FontDescriptor")
                    fonts[str(font.BaseFont)] = descriptor is not None and any(
                        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        assert fonts and all(fonts.values()), fonts  # every font embedded (subset)
        assert len(fonts) <= 5, sorted(fonts)  # each face costs a subset: keep the set small


def test_language_comes_from_the_config() -> None:
    html = render_pdf_html(seed_briefing(), template_env(lang="fr"))
    assert '<html lang="fr">' in html
    with pikepdf.open(io.BytesIO(html_to_pdf(html, assets=ASSETS))) as pdf:
        assert str(pdf.Root.Lang) == "fr"


NAMES = ("Turkmenistan Kyrgyzstan Uzbekistan Afghanistan Nezavisimaya Kazakhstan Shibargan "
         "Serhetabat Stanikzai Jowzjan Tadjikistan Isachenkov Zakharova")
WORDS = ("internationally representatives neighbouring consultations establishing "
         "reservists strengthened negotiations infrastructure")


def _lines(pdf_bytes: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        return [line for page in pdf.pages for line in page.extract_text().splitlines()]


def _crowded_briefing() -> Briefing:
    """The seed briefing whose items are long runs of place names and long lower-case words:
    lines that a hyphenating layout would break inside words."""
    base = seed_briefing()
    text = " ".join(f"{NAMES} {WORDS}".split()[n % 22] for n in range(240))
    items = tuple(replace(i, text=text) for i in base.sections[1].items if i.kind == "passage")
    return replace(base, sections=(replace(base.sections[1], items=items * 3),))


def test_no_word_is_broken_at_a_line_end() -> None:
    """Ragged right needs no hyphenation, and a name broken at a line end ("Turk-menistan")
    reads as two words: the only hyphen ending a line is one the source wrote
    ("Tajik-Afghan")."""
    lines = _lines(html_to_pdf(render_pdf_html(_crowded_briefing(), ENV), assets=ASSETS))
    words = set(f"{NAMES} {WORDS}".split())
    assert all(not line.endswith(("-", "\u2010")) or line.split()[-1].rstrip("-\u2010")
               not in words for line in lines), [ln for ln in lines if ln.endswith("-")]
    html = render_pdf_html(seed_briefing(), ENV)
    assert "\u00ad" not in html and "\u00ad" not in render_html(seed_briefing(), ENV)


def test_the_print_edition_is_ragged_right_without_hyphenation() -> None:
    css = (ASSETS / "print.css").read_text(encoding="utf-8")
    for rule in ("body", ".point-text", ".lede"):
        block = re.search(rf"^{re.escape(rule)} {{([^}}]*)}}", css, re.M)
        assert block and "text-align: left" in block[1] and "hyphens: none" in block[1], rule
    assert "justify" not in css


def _last_page_fill(pdf_bytes: bytes) -> tuple[int, float]:
    """The page count and how much of the last page's text area its words fill."""
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        page = pdf.pages[-1]
        words = [w for w in page.extract_words() if MARGIN < w["top"] < page.height - MARGIN]
        area = page.height - 2 * MARGIN
        return len(pdf.pages), (max(w["bottom"] for w in words) - MARGIN) / area


def test_the_sources_follow_the_timeline_on_the_same_page(seed_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(seed_pdf))
    pages = dict(_outline(reader))
    assert pages["Sources"] == pages["Timeline"] == len(reader.pages) - 1


@pytest.mark.parametrize("extra", range(0, 24, 2))
def test_the_last_page_never_holds_only_a_few_lines(extra: int) -> None:
    """However long the sources list grows, the last page is never a few stray lines: such a
    layout is set again a little tighter (assets/print-tight.css) and those lines come back
    onto the page before."""
    from briefing.publish.pdf import LAST_PAGE_MIN

    base = seed_briefing()
    more = tuple(replace(base.sources[2], id=f"X{n}", number=10 + n,
                         title=f"Another source, number {n}, with a title long enough to take "
                               "two lines of the sources list") for n in range(extra))
    pages, fill = _last_page_fill(html_to_pdf(render_pdf_html(
        replace(base, sources=base.sources + more), ENV), assets=ASSETS))
    assert fill >= LAST_PAGE_MIN, f"{extra} more sources: page {pages} is {fill:.0%} full"


def test_pull_quotes_are_never_split_from_their_attribution() -> None:
    """A briefing of many long quotes: each quote's first words, last words and speaker land on
    one page, whatever the page breaks."""
    base = seed_briefing()
    long_quote = base.sections[1].items[0]
    speakers = [f"Speaker Q{n:02d}" for n in range(14)]
    items = tuple(replace(long_quote, speaker=name) for name in speakers)
    brief = replace(base, sections=(replace(base.sections[1], items=items),))
    pdf_bytes = html_to_pdf(render_pdf_html(brief, ENV), assets=ASSETS)
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        pages = [" ".join(page.extract_text().split()) for page in pdf.pages]
    for name in speakers:  # the speaker is the quote's label, in the rail beside it
        where = [n for n, text in enumerate(pages) if name.lower() in text.lower()]
        assert len(where) == 1, name
        page = pages[where[0]].lower()
        after = page.split(name.lower(), 1)[1]
        assert "collaboration”" in after[:900], \
            f"{name}: quote split from its label or attribution"


def test_timeline_chart_is_drawn_in_the_pdf(seed_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(seed_pdf))
    page = dict(_outline(reader))["Timeline"]
    with pdfplumber.open(io.BytesIO(seed_pdf)) as pdf:
        text = pdf.pages[page].extract_text()
        curves = pdf.pages[page].curves + pdf.pages[page].rects
    # the axis breaks between 2003 and 2018 (no years of nothing drawn); the line says so
    for label in ["2003", "2018", "2 dated events from 14 February 2003 to November 2018",
                  "1 in 2003, 1 in 2018"]:
        assert label in " ".join(text.split())
    assert "2010" not in text
    assert curves, "the chart's discs and dots are drawn as vector shapes"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["hb_codepoint_t", "unsigned int", "char", "PangoRectangle",
                        "PangoLogAttr", "hb_tag_t", "double", "int"]),
       st.sampled_from(["*", "[]", "[0]", "[7]", "[2022]"]))
def test_the_fast_cffi_type_path_gives_the_types_cffi_would(base: str, suffix: str) -> None:
    from weasyprint.text.ffi import ffi

    fast = _fast_type_parser(ffi._parser)
    cdecl = f"{base} {suffix}" if suffix == "*" else base + suffix
    assert fast(cdecl) == fast.original(cdecl)  # type: ignore[attr-defined]


# --- Nothing is fetched ---------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("Handler", (_Recorder,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_urls_in_article_text_are_not_fetched(loopback: tuple[str, list[str]],
                                              no_weasyprint_errors: None) -> None:
    base, hits = loopback
    text = (f'<img src="{base}/pixel.png"> <link rel="stylesheet" href="{base}/x.css"> '
            f'file:///etc/passwd <a href="file:///etc/passwd">x</a> {base}/plain')
    pdf = html_to_pdf(render_pdf_html(hostile_briefing(text), ENV), assets=ASSETS)
    assert hits == []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert "root:x:0:0" not in "".join(p.extract_text() for p in doc.pages)
        assert "file:///etc/passwd" in doc.pages[1].extract_text()  # shown as text


def test_fetcher_refuses_everything_but_data_and_assets(loopback: tuple[str, list[str]],
                                                        caplog: pytest.LogCaptureFixture) -> None:
    """Even markup that escaped the templates cannot make WeasyPrint fetch: raw <img>, CSS
    url() and a stylesheet link to the loopback server and to /etc/passwd are all refused."""
    base, hits = loopback
    html = (f'<html><head><link rel="stylesheet" href="{base}/x.css"><style>body {{ background:'
            f' url("{base}/bg.png") }} p {{ background: url("file:///etc/passwd") }}</style>'
            f'</head><body><p>x</p><img src="{base}/pixel.png"><img src="file:///etc/passwd">'
            f'<img src="../../../../../etc/passwd"><img src="data:image/gif;base64,R0lGODlhAQABAAAA'
            f'ACw=" alt=""></body></html>')
    fetcher_log = logging.getLogger("weasyprint")
    caplog.set_level(logging.WARNING, logger=fetcher_log.name)
    assert html_to_pdf(html, assets=ASSETS).startswith(b"%PDF-")
    assert hits == []
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "refused to fetch" in logged and "/etc/passwd" in logged


def test_fetcher_serves_files_under_assets_only(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "a.css").write_text("p {}", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("no", encoding="utf-8")
    fetcher = AssetsOnlyFetcher(tmp_path / "assets")
    response = fetcher.fetch((tmp_path / "assets" / "a.css").as_uri())
    assert response.read() == b"p {}"
    for url in [(tmp_path / "secret.txt").as_uri(), (tmp_path / "assets" / ".." / "secret.txt")
                .as_uri(), "http://127.0.0.1:9/", "https://example.org/", "ftp://x/y"]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5


# --- The cache and the lazy import ----------------------------------------------------------


def test_a_rebuild_of_the_same_edition_comes_from_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import briefing.publish.pdf

    html = render_pdf_html(seed_briefing(), ENV)
    first = html_to_pdf(html, assets=ASSETS, cache=tmp_path)
    assert [p.suffix for p in tmp_path.iterdir()] == [".pdf"]
    render = briefing.publish.pdf._render

    def no_render(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("rendered again: the cache was not read")

    monkeypatch.setattr(briefing.publish.pdf, "_render", no_render)
    assert html_to_pdf(html, assets=ASSETS, cache=tmp_path) == first
    monkeypatch.setattr(briefing.publish.pdf, "_render", render)
    letter = html_to_pdf(html, assets=ASSETS, cache=tmp_path, page_size="Letter")
    assert letter != first and len(list(tmp_path.glob("*.pdf"))) == 2
    later = replace(seed_briefing(), generated_at="2026-11-22T23:59:00+00:00")
    assert render_pdf_html(later, ENV) == html  # the clock does not change the print edition


@pytest.mark.parametrize("damage", ["middle", "truncated"])
def test_a_damaged_cached_pdf_is_rendered_again(tmp_path: Path, damage: str) -> None:
    """The PDF cache is part of the store: a kept PDF damaged on disk (8 KB of garbage in
    its middle, or cut short) is never served; the edition is rendered again, the same bytes."""
    import random

    html = render_pdf_html(seed_briefing(), ENV)
    first = html_to_pdf(html, assets=ASSETS, cache=tmp_path)
    entry = next(tmp_path.glob("*.pdf"))
    data = entry.read_bytes()
    if damage == "middle":
        middle = len(data) // 2
        data = data[:middle] + random.Random(1).randbytes(8192) + data[middle + 8192:]
    else:
        data = data[: len(data) // 3]
    entry.write_bytes(data)
    assert html_to_pdf(html, assets=ASSETS, cache=tmp_path) == first
    assert [p.read_bytes() for p in tmp_path.glob("*.pdf")] == [first]


def test_importing_the_module_does_not_import_weasyprint() -> None:
    import subprocess
    import sys

    code = "import sys, briefing.publish.pdf; print('weasyprint' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
