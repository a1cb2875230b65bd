"""``briefing read``: what briefing sees in each article, so a user can trust what it cites.

For every file it reads (.txt, .md, and the web pages, emails and PDFs it extracts), the
metadata with where each field came from (the config's sources manifest, the front matter, the
document's own, or inferred from the text), and every paragraph of the text that offsets index
(the reading text, for a document that is not plain text) with its offsets and its kind: body,
headline, or page furniture and which. Articles are read exactly as a build reads them
(``corpus.read_document``, ``segment``), without the store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from briefing.read.corpus import Read, display_path, read_document
from briefing.read.documents import Extracted
from briefing.read.files import find_articles
from briefing.read.formats import ORIGIN
from briefing.read.segment import segment

FIELDS = ("title", "outlet", "byline", "published", "url")
FORMAT_NAMES = {None: "text", "html": "web page", "eml": "email", "pdf": "PDF"}
TEXT_WIDTH = 100


def read_paths(paths: Sequence[Path], manifest: Mapping[Path, object] | None,
               warn: Callable[[str], None]) -> list[Read]:
    """Every article under ``paths``, read as a build reads it, in path order."""
    out = []
    for path, root in find_articles(list(paths)):
        read = read_document(path, root, manifest, warn)
        if read is not None:
            out.append(read)
    return out


def _kind(read: Read) -> str | None:
    doc = read.document
    return doc.kind if isinstance(doc, Extracted) else None


def _metadata(read: Read) -> dict[str, dict[str, str | None]]:
    meta = read.article.meta
    out = {k: {"value": getattr(meta, k), "from": read.origins.get(k)} for k in FIELDS}
    doc = read.document
    if isinstance(doc, Extracted) and doc.meta.get("language"):
        out["language"] = {"value": doc.meta["language"], "from": _origin(doc)}
    return out


def _origin(doc: Extracted) -> str:
    return ORIGIN[doc.kind]


def record(read: Read) -> dict[str, object]:
    """The JSON object for one article (``briefing read --format json``)."""
    a = read.article
    seg = segment(a)
    doc = read.document
    out: dict[str, object] = {
        "path": display_path(a.path), "id": a.id, "format": _kind(read) or "text",
        "encoding": a.encoding, "sha256": a.sha256, "characters": len(a.text),
        "metadata": _metadata(read),
    }
    if isinstance(doc, Extracted):
        out["extraction"] = {"charset": doc.charset, "left_out": doc.left_out,
                             "notes": list(doc.notes)}
        # the offsets below index this text, not the file's bytes
        out["reading_text"] = a.text
    out["paragraphs"] = [{"text": a.text[p.start:p.end], "start": p.start, "end": p.end,
                          "kind": p.kind, "furniture": p.kind == "furniture",
                          "furniture_kind": p.furniture} for p in seg.paragraphs]
    return out


def as_json(reads: Sequence[Read]) -> str:
    return json.dumps([record(r) for r in reads], ensure_ascii=False, indent=2) + "\n"


def as_text(reads: Sequence[Read], width: int = TEXT_WIDTH) -> str:
    """A plain listing for reading in a terminal, one block per article."""
    blocks = []
    for read in reads:
        a, doc = read.article, read.document
        head = f"{display_path(a.path)}  ({FORMAT_NAMES[_kind(read)]}"
        if isinstance(doc, Extracted):
            head += f", read as {doc.charset}" if doc.charset else ""
            head += f"; reading text {len(a.text):,} characters"
            if doc.left_out:
                head += f"; {doc.left_out} block{'' if doc.left_out == 1 else 's'} of the " \
                        "original left out by extraction"
            head += "".join(f"; {n}" for n in doc.notes)
        else:
            head += f", {a.encoding}, {len(a.text):,} characters"
        lines = [head + ")"]
        for name, field in _metadata(read).items():
            value = field["value"] or "-"
            origin = f"[{field['from']}]" if field["from"] else ""
            lines.append(f"  {name:<10} {_cut(value, width - 30):<{width - 30}} {origin}".rstrip())
        lines.append("")
        for p in segment(a).paragraphs:
            label = p.kind if p.kind != "furniture" else f"furniture ({p.furniture})"
            text = " ".join(a.text[p.start:p.end].split())
            lines.append(f"  {p.start:>6}-{p.end:<6} {label:<30} {_cut(text, width - 47)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: max(1, n - 1)] + "…"
