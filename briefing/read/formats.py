"""Documents that are not plain text -> their reading text: one reader per file type.

A file's suffix names its reader (:data:`KINDS`); everything else under a corpus folder is
read as plain text (.txt, .md). Each reader is a module of its own (``webpage``, ``eml``,
``pdftext``) giving an :class:`~briefing.read.documents.Extracted` (the reading text and what
the document says about itself) or raising :class:`~briefing.read.documents.Unreadable`; what
they share is in ``documents``. To add a format: a reader module, its suffix here, its branch in
:func:`extract` and the name of where its metadata comes from in :data:`ORIGIN`.
"""

from __future__ import annotations

from pathlib import Path

from briefing.read.documents import Extracted, Unreadable

# suffix -> reader; everything else under a corpus folder is read as plain text (.txt, .md)
KINDS = {".html": "html", ".htm": "html", ".xhtml": "html", ".eml": "eml", ".pdf": "pdf"}
SUFFIXES = frozenset(KINDS)
ORIGIN = {"html": "page", "eml": "email headers", "pdf": "PDF properties"}  # for `briefing read`


def kind_of(path: Path | str) -> str | None:
    """The reader for a file (``"html"``, ``"eml"``, ``"pdf"``), or None for plain text."""
    return KINDS.get(Path(path).suffix.lower())


def extract(path: Path | str, data: bytes) -> Extracted:
    """The reading text and metadata of a document of a kind :func:`kind_of` names. Raises
    :class:`Unreadable` with the reason when it holds no text to read."""
    # each reader is imported when a document of its kind is read, not with this module: a
    # warm build (and the listing of the corpus) asks kind_of and needs none of them, and the
    # email reader alone brings the standard library's email package (~10 ms)
    kind = kind_of(path)
    if kind == "html":
        from briefing.read.webpage import extract_page

        return extract_page(data)
    if kind == "eml":
        from briefing.read.eml import extract_message

        return extract_message(data)
    if kind == "pdf":
        from briefing.read.pdftext import extract_pdf

        return extract_pdf(data)
    raise Unreadable(f"not a document briefing extracts: {Path(path).suffix or 'no suffix'}")
