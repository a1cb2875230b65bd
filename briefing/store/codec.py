"""How a store writes what it keeps, the same in every backend: payloads as compact JSON with a
CRC-32 check value, a file's row from an :class:`Ingested`, a passage from its stored row.

One home for each format, so an SQLite and a PostgreSQL store hold the same bytes and give
back the same records. A payload that does not decode is damage (:class:`StoreCorrupt`),
since only these functions ever wrote it.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from typing import Any

from briefing.models import ArticleMeta, Paragraph, Passage, Span
from briefing.store.interface import Ingested, StoreCorrupt, Stored

NO_WARNINGS = "[]"  # a file row's warnings when there are none (most rows: compared, not parsed)


def crc(*parts: str | bytes) -> int:
    """The CRC-32 of ``parts`` in order (text as UTF-8): a payload's check value."""
    value = 0
    for part in parts:
        value = zlib.crc32(part.encode("utf-8", "surrogatepass") if isinstance(part, str)
                           else part, value)
    return value


def checked(data: bytes, check: int, what: str) -> bytes:
    """``data`` if its CRC is ``check``, else :class:`StoreCorrupt` naming ``what``."""
    if crc(data) != check:
        raise StoreCorrupt(f"the stored {what} fails its check")
    return data


def file_values(r: Ingested, gen: int) -> tuple[Any, ...]:
    """The file table's row for ``r`` stored at generation ``gen``: (key or None, path,
    size, mtime_ns, manifest, sha256, ok, warnings, encoding, body_start, published,
    passage_count, token_count, gen)."""
    return (r.key, r.path, r.size, r.mtime_ns, r.manifest, r.sha256, int(r.ok),
            json.dumps(list(r.warnings), ensure_ascii=False), r.encoding, r.body_start,
            r.meta.published, len(r.passages), sum(len(p[4].split()) for p in r.passages), gen)


def article_values(r: Ingested) -> tuple[str, str, str, int]:
    """(meta, text, paragraphs, crc) as the articles table holds an ingested article."""
    meta, paragraphs = meta_json(r.meta), paragraphs_json(r.paragraphs)
    return meta, r.text, paragraphs, crc(meta, r.text, paragraphs)


def stored(file: int, meta: str, text: str, paragraphs: str, check: int) -> Stored:
    """An article as the articles table holds it, checked against its CRC."""
    if crc(meta, text, paragraphs) != check:
        raise StoreCorrupt(f"the stored article {file} fails its check")
    return Stored(text, meta_of(meta), paragraphs_of(paragraphs))


def warnings_checked(row: tuple, at: int) -> tuple:
    """A file's row, once its warnings (at index ``at``) are found to be the JSON list written
    (the few rows with warnings are parsed; the rest compare with ``NO_WARNINGS``)."""
    if row[at] != NO_WARNINGS:
        json_list(row[at])
    return row


def passage(row: Sequence[Any], hits: frozenset[str] | None) -> Passage:
    """A passage from its stored columns (file, paragraph, sentence, start, end, roots, words,
    breaks); words may be '' when the caller did not read them."""
    file, paragraph, sentence, start, end, roots, words, breaks = row
    return Passage("", paragraph, start, end, sentence, roots.split(), words.split(),
                   [int(b) for b in breaks.split()] if breaks else [], hits, file)


def paragraphs_json(paragraphs: Sequence[Paragraph]) -> str:
    return json.dumps([[p.start, p.end, p.kind, p.furniture,
                        [x for s in p.sentences for x in (s.start, s.end)]] for p in paragraphs],
                      separators=(",", ":"))


def paragraphs_of(raw: str) -> tuple[Paragraph, ...]:
    out = []
    for start, end, kind, furniture, flat in json.loads(raw):
        sents = tuple(Span(flat[i], flat[i + 1]) for i in range(0, len(flat), 2))
        out.append(Paragraph(start, end, kind, sents, furniture))
    return tuple(out)


def meta_json(meta: ArticleMeta) -> str:
    return json.dumps([meta.title, meta.outlet, meta.byline, meta.published, meta.url,
                       list(meta.inferred)], ensure_ascii=False)


def meta_of(raw: str) -> ArticleMeta:
    title, outlet, byline, published, url, inferred = json.loads(raw)
    return ArticleMeta(title, outlet, byline, published, url, tuple(inferred))


def json_list(raw: str) -> list[Any]:
    """A JSON list the store wrote; StoreCorrupt when it is not one (damage let by)."""
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise StoreCorrupt(f"a stored list is not JSON: {exc}") from exc
    if not isinstance(value, list):
        raise StoreCorrupt("a stored list is not a list")
    return value
