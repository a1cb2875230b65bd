"""Per-article results kept in the store: each article's quotations and dated sentences.

Both depend on the article alone, so each is computed once per article and kept in the store's
``annotations`` under a version derived from the code computing it and the code encoding it
(``cachekeys.code_version``): a warm build reads them back instead of computing them again,
and an edit to any module they depend on (``quotes_turns.py`` as much as ``quotes.py``)
computes them afresh. Only the articles that can contribute to an edition (those with a
candidate passage for some theme) are asked for.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence

from . import cachekeys
from .ingest import ArticleRef, Corpus
from .models import Article, Quote, Segmented, Span
from .quotes import article_quotes
from .timeline import Event, article_events


def quotes_of(corpus: Corpus, article_ids: set[str]) -> dict[str, list[Quote]]:
    """The quotations of the articles ``article_ids``: only they can supply a quote item or a
    voice."""
    refs = [r for r in corpus.refs if r.id in article_ids]
    version = cachekeys.code_version(article_quotes, _quotes_json)
    kept = _kept(corpus, refs, cachekeys.QUOTES, version,
                 lambda a, seg: _quotes_json(article_quotes(a, seg)))
    # in corpus order: of two files with one id the last wins, as with their texts (``cited``)
    return {r.id: _quotes_of(kept[r.key]) for r in refs}


def events_of(corpus: Corpus, article_ids: set[str]) -> dict[str, list[Event]]:
    """The dated sentences (``timeline.article_events``) of the articles ``article_ids``: what
    the timeline chooses from. Kept without the article id (one file has another id under
    another corpus root)."""
    refs = [r for r in corpus.refs if r.id in article_ids]
    version = cachekeys.code_version(article_events, _events_json)
    kept = _kept(corpus, refs, cachekeys.EVENTS, version,
                 lambda a, seg: _events_json(article_events(a, seg)))
    return {r.id: [Event(r.id, *e) for e in json.loads(kept[r.key])] for r in refs}


def _kept(corpus: Corpus, refs: Sequence[ArticleRef], kind: str, version: str,
          compute: Callable[[Article, Segmented], bytes]) -> dict[int, bytes]:
    """``kind`` of every article of ``refs`` by store key: kept ones read back, the others
    computed (loading their texts) and kept."""
    kept = corpus.annotations(refs, kind, version)
    todo = [r for r in refs if r.key not in kept]
    fresh = {r.key: compute(a, seg) for (a, seg), r in zip(corpus.load(todo), todo)}
    corpus.put_annotations(kind, version, fresh)
    kept.update(fresh)
    return kept


def _events_json(events: Sequence[Event]) -> bytes:
    return json.dumps([[e.start, e.end, e.date, e.precision, e.lead] for e in events]).encode()


# A quotation kept as the list of its fields, in Quote's order, whatever fields it has: a Span
# as [start, end], a tuple as a list (read back as what the field's type says)
_QUOTE_FIELDS = tuple(dataclasses.fields(Quote))


def _quotes_json(quotes: Sequence[Quote]) -> bytes:
    return json.dumps([[[v.start, v.end] if isinstance(v, Span) else v
                        for v in (getattr(q, f.name) for f in _QUOTE_FIELDS)]
                       for q in quotes]).encode()


def _quotes_of(data: bytes) -> list[Quote]:
    return [Quote(*(_field(f, v) for f, v in zip(_QUOTE_FIELDS, values)))
            for values in json.loads(data)]


def _field(f: dataclasses.Field, value: object) -> object:  # type: ignore[type-arg]
    if value is None or not isinstance(value, list):
        return value
    kind = str(f.type)
    if "Span" in kind:
        return Span(*value)
    return tuple(value) if kind.startswith("tuple") else value
