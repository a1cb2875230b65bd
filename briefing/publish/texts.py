"""The reading texts of an edition's sources that are not plain text, written beside it.

A web page, an email or a PDF is cited in its reading text (``formats``), not in its bytes, so
a reader checking a citation needs that text. Every edition names it in its sources as
``text_path`` (the contract's rule for such sources) and it is written to ``out/texts/``,
named by the digest of its content: the same text is written once, a changed one (a new
version of the extractor) gets a new name, and an archived edition (``out/editions/``) keeps
pointing at the text it cited. Texts are never deleted by a build for that reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from briefing.models import Briefing
from briefing.publish.output import write_atomically
from briefing.read.corpus import display_path
from briefing.read.formats import kind_of
from briefing.read.ingest import Corpus

DIRNAME = "texts"


def text_name(text: str) -> str:
    """``<first 20 hex digits of the text's sha256>.txt``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20] + ".txt"


def with_reading_texts(briefing: Briefing, corpus: Corpus, out: Path) -> Briefing:
    """``briefing`` with each derived source's ``text_path``, its text written under
    ``out/texts/`` first (atomically; a text already there is not written again)."""
    derived = {display_path(Path(r.path)): r for r in corpus.refs if kind_of(r.path)}
    wanted = [s for s in briefing.sources if s.path in derived]
    if not wanted:
        return briefing
    loaded = {a.id: a for a, _ in corpus.load([derived[s.path] for s in wanted])}
    folder = out / DIRNAME
    names: dict[str, str] = {}
    missing: dict[str, bytes] = {}
    for s in wanted:
        text = loaded[derived[s.path].id].text
        name = names[s.id] = text_name(text)
        if not (folder / name).is_file():
            missing[name] = text.encode("utf-8")
    if missing:
        write_atomically(folder, missing)
    return replace(briefing, sources=tuple(
        replace(s, text_path=display_path(folder / names[s.id])) if s.id in names else s
        for s in briefing.sources))
