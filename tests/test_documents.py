"""Other formats people receive: email newsletters (.eml) and PDF reports, each read by a real
parser into a reading text (briefing/eml.py, briefing/pdftext.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from briefing.read.eml import extract_message
from briefing.read.formats import Unreadable, extract, kind_of
from briefing.read.pdftext import extract_pdf

DOCS = Path(__file__).resolve().parent / "data" / "documents"


def make_pdf(html: str | Path) -> bytes:
    """A real PDF, laid out by WeasyPrint from HTML (the project's own PDF engine)."""
    import weasyprint

    source = weasyprint.HTML(filename=str(html)) if isinstance(html, Path) else \
        weasyprint.HTML(string=html)
    return source.write_pdf()


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    return make_pdf(DOCS / "report.html")


def test_pdf_report_reads_as_its_paragraphs_without_running_heads(report_pdf: bytes) -> None:
    read = extract_pdf(report_pdf)
    paragraphs = read.text.rstrip("\n").split("\n\n")
    assert paragraphs[0] == "Water and security in the Amu Darya basin"
    assert "1. Background" in paragraphs and "2. The view from downstream" in paragraphs
    # every paragraph of the report is one paragraph of the reading text, joined across lines
    # (and across the page break, where one runs on)
    for needle in ("The Amu Darya is the largest river in Central Asia by volume. Its waters "
                   "were divided among the Soviet republics by quotas set in 1987,",
                   "both prefer to deal with the Taliban directly, and quietly."):
        assert any(needle in p for p in paragraphs), needle
    assert "Briefing paper 7" not in read.text  # the running head, on every page
    assert not any(p.strip().isdigit() for p in paragraphs)  # page numbers
    assert read.left_out >= 4
    assert dict(read.meta) == {"title": "Water and security in the Amu Darya basin",
                               "byline": "Regional Policy Institute", "language": "en-GB"}
    assert extract_pdf(report_pdf).text == read.text  # deterministic


def test_a_paragraph_cut_by_a_page_break_is_joined_again(report_pdf: bytes) -> None:
    html = ("<style>@page{size:A6;margin:1cm}</style>"
            + "<p>" + " ".join(["the river runs on and on"] * 60) + " to the sea.</p>")
    read = extract_pdf(make_pdf(html))
    assert read.text.count("\n\n") == 0 and read.text.rstrip().endswith("to the sea.")


def test_pdf_placeholder_titles_are_not_titles() -> None:
    pdf = make_pdf('<html><head><title>Microsoft Word - draft3.docx</title></head>'
                   '<body><p>Some text of the report.</p></body></html>')
    assert "title" not in extract_pdf(pdf).meta


@pytest.mark.parametrize("mangle,why", [
    (lambda pdf: b"not a pdf at all", "not a PDF"),
    (lambda pdf: pdf[: len(pdf) // 3], "damaged PDF|no text"),
    (lambda pdf: _encrypted(pdf), "encrypted"),
    (lambda pdf: make_pdf("<body><svg width='100' height='100'><rect width='50' height='50'/>"
                          "</svg></body>"), "no text"),
])
def test_hostile_or_empty_pdfs_are_unreadable_with_the_reason(
        report_pdf: bytes, mangle, why: str) -> None:
    with pytest.raises(Unreadable, match=why):
        extract_pdf(mangle(report_pdf))


def _encrypted(pdf: bytes) -> bytes:
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.save(out, encryption=pikepdf.Encryption(owner="owner", user="secret"))
    return out.getvalue()


def test_newsletter_html_part_is_read_as_a_web_page_with_header_metadata() -> None:
    read = extract_message((DOCS / "newsletter.eml").read_bytes())
    assert read.notes == ("the HTML part, read as a web page",)
    assert dict(read.meta) == {
        "title": "Water talks stall as Qosh Tepa canal grows — Brief #112",
        "outlet": "The Central Asia Brief", "published": "2023-11-14",
        "url": "https://centralasiabrief.example/archive/112", "language": "en"}
    assert "“But the river belongs to all of us.”" in read.text
    assert "<" not in read.text and "=E2" not in read.text  # decoded, no markup


def test_plain_text_newsletter_keeps_its_lines_and_drops_its_signature() -> None:
    read = extract_message((DOCS / "plain.eml").read_bytes())
    assert read.charset == "iso-8859-1" and read.notes == ("the plain-text part",)
    assert read.text.startswith("The Collective Security Treaty Organization marked thirty "
                                "years on Monday\nwith a summit")
    assert "café" not in read.text and "Reply to this email" not in read.text  # signature
    assert read.meta["published"] == "2022-05-18" and read.meta["outlet"] == "Steppe Notes"


def test_hostile_message_markup_in_headers_and_body_never_comes_through() -> None:
    raw = (b"From: =?utf-8?q?=3Cscript=3Ealert(1)=3C/script=3EEvil_News?= <x@evil.example>\r\n"
           b"Subject: <b>Breaking</b> news <img src=x onerror=alert(2)>\r\n"
           b"Archived-At: <javascript:alert(3)>\r\n"
           b"Content-Type: text/html; charset=utf-8\r\n\r\n"
           b"<html><body><script>document.write('never shown')</script>"
           b"<p onclick='x()'>The talks in Tashkent ended without an agreement on water quotas, "
           b"officials from both delegations said on Tuesday evening.</p>"
           b"<iframe srcdoc='never shown either'></iframe></body></html>")
    read = extract_message(raw)
    assert "never shown" not in read.text and "The talks in Tashkent" in read.text
    assert read.meta["title"] == "Breaking news"
    assert "<" not in read.meta["outlet"] and "url" not in read.meta


@pytest.mark.parametrize("raw,why", [
    (b"", "no headers"), (b"just some words without any header\n", "no headers|no text"),
    (b"Subject: only an attachment\r\nContent-Type: application/pdf\r\n\r\nJVBERi0=", "no text"),
])
def test_a_file_that_is_not_a_readable_message_is_unreadable(raw: bytes, why: str) -> None:
    with pytest.raises(Unreadable, match=why):
        extract_message(raw)


def test_the_reader_is_chosen_by_suffix(report_pdf: bytes) -> None:
    assert [kind_of(n) for n in ("a.HTML", "b.htm", "c.eml", "d.pdf", "e.txt", "f.md")] == \
        ["html", "html", "eml", "pdf", None, None]
    assert extract("x.pdf", report_pdf).kind == "pdf"
    with pytest.raises(Unreadable):
        extract("x.docx", b"PK")
