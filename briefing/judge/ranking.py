"""Ranking: each theme's candidates, and its shortlist from evidence kept in the store.

:func:`rank` scores every candidate passage of a corpus for each theme (``themes``), and
:func:`shortlist` cuts each theme's list to what assembly may use; :func:`shortlists` gives
the same result without scoring every candidate in Python, exact and fast at scale.

A theme's *evidence* for a passage (how often each term occurs there, masked words removed;
which ``not`` phrase vetoes it; whether it satisfies the theme's ``require`` query; its length)
depends on that passage alone, while its BM25 score
also depends on the corpus (passage count, mean length, each term's document frequency). So the
evidence is computed once per stored file and kept in the store (``rank_cache``, one table per
theme, valid for the files stored up to a generation: see ``Store.generation``); a build
computes it only for files stored since, then scores every row again with the current corpus's
statistics. Nothing is served stale: a changed or new file has a newer generation, a deleted one
is no longer selected, and the scores are always recomputed.

Scoring is vectorised (numpy) to find which rows can reach a shortlist; those few are then
scored by ``themes._candidate``, the same code as ``themes.score_passages``, so what reaches the
briefing is identical: same candidates, same rounded scores, same order (``tests/test_store.py``
checks it against ``shortlist(rank(...))``). Since ``require`` is part of the evidence, a
passage the theme refuses is left out before any cut: a shortlist only holds passages the
theme would show.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np

from briefing.judge.themes import (
    K1,
    B,
    Candidate,
    Evidence,
    Stats,
    ThemeQuery,
    _candidate,
    _runs,
    accepts,
    evidence,
    passages_of,
    rank_theme,
    score_passages,
)
from briefing.models import Passage
from briefing.read.ingest import Corpus
from briefing.store import cachekeys
from briefing.store.interface import Kept, Store

SHORTLIST_MIN = 50
SHORTLIST_PER_ITEM = 20
DELTA_FILES = 2000  # files an evidence delta covers at most (or a twentieth) before a rewrite

# A table's columns before the term counts (rows are int64 arrays: named indices, not records)
FILE, PARAGRAPH, START, END, LENGTH, VETO, ACCEPTED = range(7)
FIXED = 7  # VETO: index of the ``not`` phrase or -1; ACCEPTED: 1 when ``require`` holds
# Scores are rounded to 4 decimals: rows whose approximate score is further than this below a
# threshold cannot tie with or pass a row above it once rounded (float error is ~1e-12).
EPS = 2e-4


def limit_of(query: ThemeQuery) -> int:
    """How many eligible candidates (and as many left out) a theme's shortlist keeps:
    assembly reads the text of every candidate it is given, and on a large corpus a common
    word has tens of thousands. An item beyond the cut would be shown only if that many better
    ones were all duplicates or clashes."""
    return SHORTLIST_MIN + SHORTLIST_PER_ITEM * query.max_items


def rank(corpus: Corpus, queries: Sequence[ThemeQuery]) -> dict[str, list[Candidate]]:
    """Every theme's scored candidates, best first.

    With a store, each theme asks the passage index for the passages where its terms occur and
    only those are scored (the corpus's passage count and length come from the store): the cost
    grows with the matching passages, not with themes times corpus. Without one (a corpus built
    in memory), every passage is tokenised once and shared between the themes. Both give the
    same candidates and scores.
    """
    if corpus.store is None:
        docs = corpus.docs()
        passages = {a.id: passages_of(a, s) for a, s in docs}
        return {q.id: rank_theme(q, docs, passages) for q in queries}
    keys = corpus.keys()
    ids = {r.key: r.id for r in corpus.refs}
    count = sum(r.passage_count for r in corpus.refs)
    length = sum(r.token_count for r in corpus.refs)
    out = {}
    for q in queries:
        found = corpus.store.candidates(q, keys)
        for p in found:
            p.article_id = ids[p.file]
        out[q.id] = score_passages(q, found, count, length)
    return out


def shortlist(ranked: Mapping[str, list[Candidate]],
              queries: Sequence[ThemeQuery]) -> dict[str, list[Candidate]]:
    """Each theme's candidates cut to its best ``limit_of`` eligible ones and as many of those
    left out (in ``explain`` they say why)."""
    out = {}
    for q in queries:
        limit = limit_of(q)
        candidates = ranked.get(q.id, [])
        out[q.id] = ([c for c in candidates if c.reason is None][:limit]
                     + [c for c in candidates if c.reason is not None][:limit])
    return out


def shortlists(corpus: Corpus, queries: Sequence[ThemeQuery]) -> dict[str, list[Candidate]]:
    """``shortlist(rank(corpus, queries), queries)``, identical, without scoring every
    candidate in Python: with a store, each theme's evidence per passage is kept in it and
    computed only for the files stored since; every row is scored again with this corpus's
    statistics and only those that can reach the shortlist are built as candidates."""
    refs = corpus.refs
    store = corpus.store
    if store is None or len(set(map(attrgetter("id"), refs))) != len(refs):
        # two files with one id share their runs of sentences in score_passages: the plain way
        return shortlist(rank(corpus, queries), queries)
    # over every ref on every build: C-level maps, not a Python loop
    keys = np.fromiter(map(attrgetter("key"), refs), np.int64, len(refs))
    gens = np.fromiter(map(attrgetter("gen"), refs), np.int64, len(refs))
    order = np.argsort(keys)
    keys, gens = keys[order], gens[order]
    ids = dict(zip(map(attrgetter("key"), refs), map(attrgetter("id"), refs)))
    count = sum(map(attrgetter("passage_count"), refs))
    length = sum(map(attrgetter("token_count"), refs))
    generation = store.generation()
    out = {}
    rewritten = False
    for q in queries:
        table, wrote = _kept_table(store, q, keys, gens, generation)
        rewritten |= wrote
        out[q.id] = shortlist_of(q, table, ids, count, length, limit_of(q))
    if rewritten:
        prune(store)  # a base table was written: the moment to drop what no build will read
    return out


def _kept_table(store: Store, query: ThemeQuery, keys: np.ndarray, gens: np.ndarray,
                generation: int) -> tuple[Table, bool]:
    """``query``'s evidence table over the files ``keys`` (sorted; ``gens``: when each was
    stored), from the store's base table and its small delta (the files stored since the
    base: adding one file writes the delta, not the whole table again), computed for the
    files neither covers and kept; and whether a base table was written."""
    name = cache_name(query)
    base, base_ok = _evidence(query, store.cached(name), keys, gens, None)
    delta, delta_ok = _evidence(query, store.cached(cachekeys.delta(name)), keys, gens, base_ok)
    todo = frozenset(map(int, keys[~(base_ok | delta_ok)]))
    fresh = table_of(query, store.candidates(query, todo), keys[:0])
    kept = merged(delta.restricted(keys[delta_ok]), fresh,
                  np.union1d(keys[delta_ok], np.array(sorted(todo), np.int64)))
    table = merged(base.restricted(keys[base_ok]), kept, keys)
    if len(kept.covered) > max(DELTA_FILES, len(keys) // 20) or not base_ok.any():
        store.put_cached(name, generation, table.to_bytes())
        store.drop_cached(cachekeys.delta(name))
        return table, True
    if todo:
        store.put_cached(cachekeys.delta(name), generation, kept.to_bytes())
    return table, False


def _evidence(query: ThemeQuery, cached: Kept | None, keys: Any, gens: Any,
              taken: Any) -> tuple[Table, Any]:
    """A kept evidence table (empty if none) and which of ``keys`` it is valid for:
    stored at or before its generation, covered by it, and not already ``taken`` by another."""
    if cached is None:
        return Table.empty(query), np.zeros(len(keys), bool)
    table = Table.of_bytes(cached.data)  # the bytes kept (the store checks them)
    if len(table.covered) == len(keys) and np.array_equal(table.covered, keys):
        ok = gens <= cached.gen  # covers exactly this corpus (both sorted): no isin needed
    else:
        ok = (gens <= cached.gen) & np.isin(keys, table.covered)
    return table, ok if taken is None else ok & ~taken


@dataclass(frozen=True, slots=True)
class Table:
    """A theme's evidence over some files: ``rows`` one per candidate passage (or run of
    sentences) as ints (the FIXED columns FILE ... ACCEPTED, then the count of each distinct
    term text); ``dfc`` per file with evidence, how many of its passages hold each term (its
    part of the document frequencies); ``covered`` the files the table was computed for
    (sorted keys)."""

    rows: np.ndarray
    dfc: np.ndarray
    covered: np.ndarray

    @classmethod
    def empty(cls, query: ThemeQuery) -> Table:
        """A table over no files, as wide as ``query``'s."""
        width = len(_texts(query))
        return cls(np.zeros((0, FIXED + width), np.int64), np.zeros((0, 1 + width), np.int64),
                   np.zeros(0, np.int64))

    def restricted(self, files: np.ndarray) -> Table:
        """The table's rows for ``files`` only (sorted keys)."""
        if len(files) == len(self.covered) and np.array_equal(files, self.covered):
            return self  # a warm build's usual case: spare two isin over 100,000 rows
        return Table(self.rows[np.isin(self.rows[:, FILE], files)],
                     self.dfc[np.isin(self.dfc[:, 0], files)], files)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez(buf, rows=self.rows, dfc=self.dfc, covered=self.covered)
        return buf.getvalue()

    @classmethod
    def of_bytes(cls, data: bytes) -> Table:
        with np.load(io.BytesIO(data)) as z:
            return cls(z["rows"], z["dfc"], z["covered"])


def _texts(query: ThemeQuery) -> list[str]:
    return list(dict.fromkeys(t.text for t in query.terms))


def _not_texts(query: ThemeQuery) -> list[str]:
    return list(dict.fromkeys(t.text for t in query.not_))


def cache_name(query: ThemeQuery) -> str:
    """Names a theme's evidence table: the code computing it (``table_of`` and every module it
    can reach: the store that finds the passages, the themes counting them, the query
    language) and what of the query it depends on (terms, exclusions, ``not`` phrases, sense
    rules: they mask words as exclusions do; ``require``: it decides ACCEPTED; weights and
    limits only enter the scores)."""
    h = hashlib.sha256(repr([[(t.text, t.roots, t.prefix) for t in ts]
                             for ts in (query.terms, query.exclude, query.not_)]).encode())
    h.update(repr([r.text for r in query.senses]).encode())
    h.update(repr(query.require).encode())
    return cachekeys.evidence(cachekeys.code_version(table_of), h.hexdigest()[:32])


def prune(store: Store) -> None:
    """Drop the evidence tables kept by other code than this (an edit to any module they
    depend on names them afresh, and they are tens of MB at 100,000 articles): none of them
    can be read by this code again."""
    ours = cachekeys.evidence(cachekeys.code_version(table_of), "")
    for name in store.cached_names(cachekeys.EVIDENCE):
        if not name.startswith(ours):
            store.drop_cached(name)


def table_of(query: ThemeQuery, passages: Iterable[Passage], covered: np.ndarray) -> Table:
    """The evidence table of ``passages`` (each with its ``file``), as
    ``themes.score_passages`` sees them: every passage counts in the document frequencies,
    and a long paragraph's matching sentences are grouped into runs whose evidence is counted
    over the run."""
    texts = _texts(query)
    col = {t: FIXED + i for i, t in enumerate(texts)}
    nots = {t: i for i, t in enumerate(_not_texts(query))}
    rows: list[list[int]] = []
    dfc: dict[int, list[int]] = {}
    long_hits: dict[tuple[int, int], list[Passage]] = {}

    def add(u: Passage, ev: Evidence) -> None:
        vetoed = ev.vetoed_by is not None
        row = [u.file, u.paragraph, u.start, u.end, ev.length,
               nots[ev.vetoed_by] if vetoed else -1,  # type: ignore[index]
               int(vetoed or accepts(query, u))] + [0] * len(texts)
        for term, n in ev.counts.items():
            row[col[term]] = n
        rows.append(row)

    for u in passages:
        file = u.file
        ev = evidence(query, u)
        if ev.counts:
            part = dfc.setdefault(file, [file] + [0] * len(texts))
            for term in ev.counts:
                part[col[term] - FIXED + 1] += 1
        if not ev.counts and not ev.vetoed_by:
            continue
        if u.sentence is not None and not ev.vetoed_by:
            long_hits.setdefault((file, u.paragraph), []).append(u)
            continue
        add(u, ev)
    for hits in long_hits.values():
        for run in _runs(query, hits):
            add(run, evidence(query, run))
    width = FIXED + len(texts)
    return Table(np.array(rows, dtype=np.int64).reshape(-1, width),
                 np.array(list(dfc.values()), dtype=np.int64).reshape(-1, 1 + len(texts)),
                 np.asarray(covered, dtype=np.int64))


def merged(old: Table, new: Table, covered: np.ndarray) -> Table:
    """Two tables over disjoint files as one, covering ``covered``."""
    return Table(np.concatenate([old.rows, new.rows]), np.concatenate([old.dfc, new.dfc]),
                 covered)


def shortlist_of(query: ThemeQuery, table: Table, ids: Mapping[int, str], count: int,
                 length: int, limit: int) -> list[Candidate]:
    """``shortlist`` of ``themes.score_passages`` for one theme, from its evidence table over
    the selected files (``ids``: file key -> article id) in a corpus of ``count`` passages
    holding ``length`` tokens: the best ``limit`` eligible candidates, then the best ``limit``
    left out, each exactly as score_passages makes it."""
    texts, nots = _texts(query), _not_texts(query)
    rows = table.rows
    counts = table.dfc[:, 1:].sum(axis=0) if len(table.dfc) else np.zeros(len(texts), np.int64)
    stats = Stats(count, length / max(count, 1),
                  {t: int(c) for t, c in zip(texts, counts) if c})
    if not len(rows):
        return []
    weights = {t.text: t.weight for t in query.terms}
    norm = K1 * (1 - B + B * rows[:, LENGTH] / max(stats.avg_len, 1.0))
    score = np.zeros(len(rows))
    for j, text in enumerate(texts):
        tf = rows[:, FIXED + j].astype(np.float64)
        part = weights[text] * stats.idf(text) * tf * (K1 + 1) / (tf + norm)
        score += np.where(tf > 0, part, 0.0)
    vetoed = rows[:, VETO] >= 0
    score[vetoed] = 0.0  # a vetoed passage has no counts: its score is 0
    refused = vetoed | (rows[:, ACCEPTED] == 0)  # left out whatever its score
    low = query.min_score
    pick = (~refused) & (score >= _threshold(score[(~refused) & (score >= low + EPS)], limit,
                                              low))
    out_of_list = refused | (score < low + EPS)
    pick |= out_of_list & (score >= _threshold(score[refused | (score <= low - EPS)], limit,
                                                -np.inf))
    cands = []
    for i in np.flatnonzero(pick):
        r = [int(x) for x in rows[i]]
        veto = None if r[VETO] < 0 else nots[r[VETO]]
        ev = Evidence({} if veto else {t: r[FIXED + j] for j, t in enumerate(texts)
                                       if r[FIXED + j]}, veto, r[LENGTH])
        passage = Passage(ids[r[FILE]], r[PARAGRAPH], r[START], r[END])
        cands.append(_candidate(query, passage, ev, stats, bool(r[ACCEPTED])))
    cands.sort(key=lambda c: (c.reason is not None, -c.match.score, c.match.article_id,
                              c.match.start))
    return ([c for c in cands if c.reason is None][:limit]
            + [c for c in cands if c.reason is not None][:limit])


def _threshold(sure: np.ndarray, limit: int, otherwise: float) -> float:
    """The approximate score below which a row cannot be among the ``limit`` best, given
    ``sure``, the scores of rows certainly in the list: the ``limit``-th best of them (less
    EPS), or ``otherwise`` (less EPS) when there are fewer."""
    if len(sure) >= limit > 0:
        return float(np.partition(sure, len(sure) - limit)[len(sure) - limit]) - EPS
    return otherwise - EPS
