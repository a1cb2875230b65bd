"""The PDF, tested by structure: pages, outline, links, metadata, contents numbers, footer; and
proof that WeasyPrint fetches nothing but the template assets."""

from __future__ import annotations

import http.server
import io
import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from briefing.pdf import AssetsOnlyFetcher, html_to_pdf
from briefing.render import assets_dir, render_pdf_html, template_env
from briefing_fixture import hostile_briefing, seed_briefing

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
    assert 3 <= len(reader.pages) <= 6
    outline = _outline(reader)
    titles = [title for title, _ in outline]
    assert titles == ["Security", "Diplomacy", "Trade and economy", "Timeline", "Sources"]
    assert all(page >= 1 for _, page in outline)  # nothing bookmarked on the title page
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Russia and the Taliban · 22 November 2026"
    assert meta.author == "briefing"
    assert "Security" in str(meta.get("/Keywords")) and "Diplomacy" in str(meta.get("/Keywords"))
    assert str(meta.get("/CreationDate", "")).startswith("D:20261122")


def test_contents_numbers_match_the_pages_where_sections_start(seed_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(seed_pdf))
    starts = {title: page + 1 for title, page in _outline(reader)}
    with pdfplumber.open(io.BytesIO(seed_pdf)) as pdf:
        front = pdf.pages[0].extract_text()
        for title, page in starts.items():
            match = re.search(rf"^{re.escape(title)}[ .]*?(\d+)$", front, re.M)
            assert match, f"{title} missing from the contents:\n{front}"
            assert int(match[1]) == page, title
            body = pdf.pages[page - 1].extract_text()
            assert title in body


def test_footer_and_running_header_on_every_page(seed_pdf: bytes) -> None:
    with pdfplumber.open(io.BytesIO(seed_pdf)) as pdf:
        total = len(pdf.pages)
        for number, page in enumerate(pdf.pages, start=1):
            footer = page.crop((0, page.height * 0.9, page.width, page.height)).extract_text()
            assert footer.strip() == f"Page {number} of {total}"
            header = page.crop((0, 0, page.width, page.height * 0.09)).extract_text()
            if number == 1:
                assert header.strip() == ""  # the title page carries no running header
            else:
                assert "Russia and the Taliban" in header


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


# --- Nothing is fetched ---------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
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
