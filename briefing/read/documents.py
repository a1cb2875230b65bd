"""What every reader of a document shares: the record it gives, the error it raises, and the
cleaning that makes a reading text.

A saved web page, an email newsletter or a PDF report is not cited in its own bytes: briefing
reads it into a **reading text**, a derived, deterministic UTF-8 text of its main content
(paragraphs separated by one blank line), and every offset indexes that text. The build writes
it beside the edition and names it ``text_path`` in the JSON (``briefing.publish.texts``), so a
citation can be checked without briefing. The same bytes always give the same reading text (the
extractors and their libraries' versions are part of the store's fingerprint,
``ingest.fingerprint``, derived from what the readers import: ``cachekeys``).

Each reader (``webpage``, ``eml``, ``pdftext``; ``formats`` picks one by suffix) also returns what
the document says about itself (title, outlet, byline, published date, canonical URL,
language), recorded as given, never guessed: what it does not give is left for
``corpus.infer_meta`` to infer from the reading text, marked as inferred. The feed reader
(``briefing.fetch``) makes its entries' text and fields with the same cleaning.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from briefing.read.links import http_url

FIELDS = ("title", "outlet", "byline", "published", "url", "language")
MAX_DOCUMENT_BYTES = 20 * 2**20  # a page, an email or a PDF larger than this is skipped (a saved
# page carries its images and scripts inline: it is larger than the text file it would be)
FIELD_MAX = 300  # characters of a metadata value kept (a title is a line, not an article)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")
_TAG = re.compile(r"<[^<>]{0,500}>")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


class Unreadable(Exception):
    """The document cannot be read: the message says why, for the warning naming the file."""


@dataclass(frozen=True, slots=True)
class Extracted:
    """A document read into its reading text, with the metadata it gives about itself."""

    kind: str  # "html" | "eml" | "pdf"
    text: str  # the reading text: what every offset indexes
    meta: Mapping[str, str] = field(default_factory=dict)  # FIELDS the document gives
    charset: str | None = None  # what its text was decoded from; None for a PDF
    left_out: int = 0  # blocks of the original not in the reading text (navigation, running heads)
    notes: tuple[str, ...] = ()  # how it was read ("the HTML part"), for `briefing read`


def clean_line(text: str) -> str:
    """One paragraph line of a reading text: control characters dropped, runs of whitespace
    (no-break spaces included) one space, NFC-normalised, so the same text always reads the
    same whatever its markup's spacing."""
    return " ".join(unicodedata.normalize("NFC", _CONTROL.sub(" ", text)).split())


def reading_text(paragraphs: Iterable[str]) -> str:
    """The reading text of some paragraphs: each one cleaned line by line (a line break inside
    a paragraph, a ``<br>``, is kept; a blank line, ``<br><br>``, parts two paragraphs), empty
    ones dropped, one blank line between them, and a final newline (empty when there is
    nothing)."""
    out = []
    for block in paragraphs:
        for p in _BLANK_LINE.split(block):
            lines = [clean_line(line) for line in p.split("\n")]
            joined = "\n".join(line for line in lines if line)
            if joined:
                out.append(joined)
    return "\n\n".join(out) + "\n" if out else ""


def clean_field(value: object) -> str | None:
    """A metadata value as plain text on one line: markup removed (a ``<b>`` in a page's
    title is not markup in the briefing, nor text), whitespace collapsed, at most
    ``FIELD_MAX`` characters; None when nothing is left."""
    if value is None:
        return None
    text = clean_line(_TAG.sub(" ", str(value)))
    if len(text) > FIELD_MAX:
        text = text[: FIELD_MAX - 1].rstrip() + "…"
    return text or None


def web_url(value: object) -> str | None:
    """``value``, its markup and spacing cleaned, when it is an absolute http(s) URL with a
    host (the project's one rule, ``links.http_url``), else None: a page's canonical link may
    say ``javascript:...``, and the editions make every source URL a link."""
    return http_url(clean_field(value))
