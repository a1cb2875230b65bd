"""A PDF report -> its reading text: the text boxes of its pages as paragraphs.

pdfminer.six (pure Python, maintained) lays each page out into text boxes, in reading order;
each box is one paragraph of the reading text, its lines joined by a space (a line ending in a
hyphen is joined without one: the hyphen is kept, as printed, since it cannot be told from a
compound's). A paragraph cut by a page break is joined again when the page ends mid-sentence
and the next one goes on in lower case. Running heads and feet (the same box, digits aside, at
the top or bottom of at least half the pages) and bare page numbers are not the report's text
and are left out.

Metadata is what the document's properties say: its Title (unless it is a file name or a
word processor's placeholder), its Author as the byline, its /Lang. Its dates are the file's
creation and modification times, not a publication date, and are not used.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter

from briefing.read.documents import Extracted, Unreadable, clean_field, clean_line, reading_text

MAX_PAGES = 500  # a longer document is read up to here (a note says so)
_EDGE = 0.12  # share of the page height at the top and bottom where running heads sit
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$"
                          r"|^[-–—]\s*\d{1,4}\s*[-–—]$", re.I)
_PLACEHOLDER = re.compile(r"\.(?:docx?|odt|rtf|pdf|indd|tex|pages)$|^microsoft word\b|^untitled\b"
                          r"|^document\d*$|^slide \d+$", re.I)
_ENDS_SENTENCE = re.compile(r"[.!?:;…][\"'”’»)\]]*$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")

logging.getLogger("pdfminer").addHandler(logging.NullHandler())
logging.getLogger("pdfminer").propagate = False  # its warnings on odd fonts are not the user's


def extract_pdf(data: bytes) -> Extracted:
    """The reading text and properties of a PDF. Raises Unreadable for a file that is not a
    PDF, is encrypted with a password, or has no text (a scan without a text layer)."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams, LTTextBox
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser, PDFSyntaxError
    from pdfminer.psparser import PSException

    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise Unreadable("not a PDF file")
    notes: list[str] = []
    pages: list[list[tuple[str, float, float]]] = []  # per page: (text, y0, y1) as a share
    try:
        parser = PDFParser(io.BytesIO(data))
        doc = PDFDocument(parser)
        resources = PDFResourceManager()
        device = PDFPageAggregator(resources, laparams=LAParams())
        interpreter = PDFPageInterpreter(resources, device)
        for number, page in enumerate(PDFPage.create_pages(doc)):
            if number >= MAX_PAGES:
                notes.append(f"read the first {MAX_PAGES} pages only")
                break
            interpreter.process_page(page)
            layout = device.get_result()
            height = (layout.y1 - layout.y0) or 1.0
            boxes = []
            for el in layout:
                if isinstance(el, LTTextBox):
                    text = _box_text(el.get_text())
                    if text:
                        boxes.append((text, (el.y0 - layout.y0) / height,
                                      (el.y1 - layout.y0) / height))
            pages.append(boxes)
        info = doc.info[0] if doc.info else {}
        catalog = doc.catalog
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise Unreadable("encrypted PDF (needs a password)") from None
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise Unreadable(f"damaged PDF ({type(exc).__name__})") from None
    paragraphs, left_out = _paragraphs(pages)
    text = reading_text(paragraphs)
    if not text:
        raise Unreadable("no text in the PDF (a scan without a text layer?)")
    return Extracted("pdf", text, _meta(info, catalog), None, left_out=left_out,
                     notes=tuple(notes))


def _box_text(raw: str) -> str:
    """A text box's lines as one paragraph (see the module docstring)."""
    out = ""
    for line in raw.splitlines():
        line = clean_line(line)
        if not line:
            continue
        out = line if not out else out + line if out.endswith("-") else f"{out} {line}"
    return out


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _paragraphs(pages: list[list[tuple[str, float, float]]]) -> tuple[list[str], int]:
    """The paragraphs of the whole document and how many boxes were left out."""
    at_edge = Counter(_shape(t) for boxes in pages for t in {t for t, y0, y1 in boxes
                                                             if y0 > 1 - _EDGE or y1 < _EDGE})
    running = {s for s, n in at_edge.items() if n >= 2 and n * 2 >= len(pages)}
    out: list[str] = []
    left_out = 0
    for boxes in pages:
        first = True
        for text, y0, y1 in boxes:
            edge = y0 > 1 - _EDGE or y1 < _EDGE
            if _PAGE_NUMBER.match(text) or (edge and _shape(text) in running):
                left_out += 1
                continue
            if first and out and not _ENDS_SENTENCE.search(out[-1]) and text[:1].islower():
                out[-1] += " " + text  # a paragraph that runs on over the page break
            else:
                out.append(text)
            first = False
    return out, left_out


def _meta(info: dict, catalog: dict) -> dict[str, str]:
    from pdfminer.psparser import PSLiteral
    from pdfminer.utils import decode_text

    def text(value: object) -> str | None:
        if isinstance(value, bytes):
            return clean_field(decode_text(value))
        if isinstance(value, PSLiteral):
            return clean_field(value.name)
        return clean_field(value) if isinstance(value, str) else None

    out: dict[str, str | None] = {}
    title = text(info.get("Title"))
    if title and not _PLACEHOLDER.search(title):
        out["title"] = title
    out["byline"] = text(info.get("Author"))
    lang = text(_resolve(catalog.get("Lang")))
    if lang and _LANG.match(lang):
        out["language"] = lang
    return {k: v for k, v in out.items() if v}


def _resolve(value: object) -> object:
    from pdfminer.pdftypes import resolve1

    return resolve1(value)
