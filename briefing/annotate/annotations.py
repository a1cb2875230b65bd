"""Per-article results kept in the store: each article's quotations and dated sentences.

Both depend on the article alone, so each is computed once per article and kept in the store's
``annotations`` under a version derived from the code computing it and the code encoding it
(``cachekeys.code_version``): a warm build reads them back instead of computing them again,
and an edit to any module they depend on (``turns.py`` as much as ``quotes.py``)
computes them afresh. Only the articles that can contribute to an edition (those with a
candidate passage for some theme) are asked for.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import TypeVar

from briefing.annotate.quotes import article_quotes
from briefing.annotate.timeline import Event, article_events
from briefing.models import Article, Quote, Segmented, Span
from briefing.read.ingest import ArticleRef, Corpus
from briefing.store import cachekeys


def quotes_of(corpus: Corpus, article_ids: set[str]) -> dict[str, list[Quote]]:
    """The quotations of the articles ``article_ids``: only they can supply a quote item or a
    voice."""
    refs = [r for r in corpus.refs if r.id in article_ids]
    version = cachekeys.code_version(article_quotes, _quotes_json)
    kept = _kept(corpus, refs, cachekeys.QUOTES, version, article_quotes, _quotes_json,
                 lambda _, data: _quotes_of(data))
    # in corpus order: of two files with one id the last wins, as with their texts (``cited``)
    return {r.id: kept[r.key] for r in refs}


def events_of(corpus: Corpus, article_ids: set[str]) -> dict[str, list[Event]]:
    """The dated sentences (``timeline.article_events``) of the articles ``article_ids``: what
    the timeline chooses from. Kept without the article id (one file has another id under
    another corpus root)."""
    refs = [r for r in corpus.refs if r.id in article_ids]
    version = cachekeys.code_version(article_events, _events_json)
    kept = _kept(corpus, refs, cachekeys.EVENTS, version, article_events, _events_json,
                 lambda ref, data: [Event(ref.id, *e) for e in json.loads(data)])
    return {r.id: kept[r.key] for r in refs}


T = TypeVar("T")


def _kept(corpus: Corpus, refs: Sequence[ArticleRef], kind: str, version: str,
          compute: Callable[[Article, Segmented], T], encode: Callable[[T], bytes],
          decode: Callable[[ArticleRef, bytes], T]) -> dict[int, T]:
    """``kind`` of every article of ``refs`` by store key: those kept read back, the others
    computed (loading their texts) and kept."""
    stored = corpus.annotations(refs, kind, version)
    out = {r.key: decode(r, stored[r.key]) for r in refs if r.key in stored}
    todo = [r for r in refs if r.key not in stored]
    fresh: dict[int, bytes] = {}
    for (a, seg), r in zip(corpus.load(todo), todo):
        out[r.key] = value = compute(a, seg)
        fresh[r.key] = encode(value)
    corpus.put_annotations(kind, version, fresh)
    return out


def _events_json(events: Sequence[Event]) -> bytes:
    return json.dumps([[e.start, e.end, e.date, e.precision, e.lead] for e in events]).encode()


# A quotation kept as the list of its fields, in Quote's order, whatever fields it has: a Span
# as [start, end], a tuple as a list (read back as what the field's type says)
_QUOTE_FIELDS = tuple(dataclasses.fields(Quote))
_FIELDS_OF = attrgetter(*(f.name for f in _QUOTE_FIELDS))
_SPANS = frozenset(i for i, f in enumerate(_QUOTE_FIELDS) if "Span" in str(f.type))
_TUPLES = frozenset(i for i, f in enumerate(_QUOTE_FIELDS) if str(f.type).startswith("tuple"))


def _quotes_json(quotes: Sequence[Quote]) -> bytes:
    return json.dumps([[[v.start, v.end] if isinstance(v, Span) else v for v in _FIELDS_OF(q)]
                       for q in quotes]).encode()


def _quotes_of(data: bytes) -> list[Quote]:
    out = []
    for values in json.loads(data):
        for i in _SPANS | _TUPLES:
            v = values[i]
            if v is not None:
                values[i] = Span(*v) if i in _SPANS else tuple(v)
        out.append(Quote(*values))
    return out
