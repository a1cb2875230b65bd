"""Each theme's shortlist from a table of evidence kept in the store: exact, and fast at scale.

A theme's *evidence* for a passage (how often each term occurs there, masked words removed;
which ``not`` phrase vetoes it; its length) depends on that passage alone, while its BM25 score
also depends on the corpus (passage count, mean length, each term's document frequency). So the
evidence is computed once per stored file and kept in the store (``rank_cache``, one table per
theme, valid for the files stored up to a generation: see ``SqliteStore.generation``); a build
computes it only for files stored since, then scores every row again with the current corpus's
statistics. Nothing is served stale: a changed or new file has a newer generation, a deleted one
is no longer selected, and the scores are always recomputed.

Scoring is vectorised (numpy) to find which rows can reach a shortlist; those few are then
scored by ``themes._candidate``, the same code as ``themes.score_units``, so what reaches the
briefing is identical: same candidates, same rounded scores, same order (``tests/test_store.py``
checks it against ``pipeline.shortlist(pipeline.rank(...))``).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .store import code_hash
from .themes import B, K1, Candidate, Evidence, Stats, ThemeQuery, Unit, _candidate, _runs, evidence

FIXED = 6  # columns before the term counts: file, paragraph, start, end, length, veto
# Scores are rounded to 4 decimals: rows whose approximate score is further than this below a
# threshold cannot tie with or pass a row above it once rounded (float error is ~1e-12).
EPS = 2e-4


@dataclass(frozen=True, slots=True)
class Table:
    """A theme's evidence over some files: ``rows`` one per candidate passage (or run of
    sentences) as ints (file, paragraph, start, end, length, veto: index of the ``not`` phrase
    or -1, then the count of each distinct term text); ``dfc`` per file with evidence, how many
    of its passages hold each term (its part of the document frequencies); ``covered`` the files
    the table was computed for (sorted keys)."""

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
        return Table(self.rows[np.isin(self.rows[:, 0], files)],
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
    """Names a theme's evidence table: the code computing it and what of the query it depends on
    (terms, exclusions, ``not`` phrases, sense rules: they mask words as exclusions do;
    weights and limits only enter the scores)."""
    h = hashlib.sha256(code_hash("themes.py", "ranking.py", "store.py", "query.py").digest())
    h.update(repr([[(t.text, t.roots, t.prefix) for t in ts]
                   for ts in (query.terms, query.exclude, query.not_)]).encode())
    h.update(repr([r.text for r in query.senses]).encode())
    return "evidence:" + h.hexdigest()[:32]


def table_of(query: ThemeQuery, units: Iterable[tuple[int, Unit]], covered: np.ndarray) -> Table:
    """The evidence table of ``units`` (file key, unit), as ``themes.score_units`` sees them:
    every unit counts in the document frequencies, and a long paragraph's matching sentences
    are grouped into runs whose evidence is counted over the run."""
    texts = _texts(query)
    col = {t: FIXED + i for i, t in enumerate(texts)}
    nots = {t: i for i, t in enumerate(_not_texts(query))}
    rows: list[list[int]] = []
    dfc: dict[int, list[int]] = {}
    long_hits: dict[tuple[int, int], list[Unit]] = {}

    def add(file: int, u: Unit, ev: Evidence) -> None:
        row = [file, u.paragraph, u.start, u.end, ev.length,
               -1 if ev.vetoed_by is None else nots[ev.vetoed_by]] + [0] * len(texts)
        for term, n in ev.counts.items():
            row[col[term]] = n
        rows.append(row)

    for file, u in units:
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
        add(file, u, ev)
    for (file, _), hits in long_hits.items():
        for run in _runs(query, hits):
            add(file, run, evidence(query, run))
    width = FIXED + len(texts)
    return Table(np.array(rows, dtype=np.int64).reshape(-1, width),
                 np.array(list(dfc.values()), dtype=np.int64).reshape(-1, 1 + len(texts)),
                 np.asarray(covered, dtype=np.int64))


def merged(old: Table, new: Table, covered: np.ndarray) -> Table:
    """Two tables over disjoint files as one, covering ``covered``."""
    return Table(np.concatenate([old.rows, new.rows]), np.concatenate([old.dfc, new.dfc]),
                 covered)


def shortlist_of(query: ThemeQuery, table: Table, ids: Mapping[int, str], n: int, tokens: int,
                 limit: int) -> list[Candidate]:
    """``pipeline.shortlist`` of ``themes.score_units`` for one theme, from its evidence table
    over the selected files (``ids``: file key -> article id) in a corpus of ``n`` passages
    holding ``tokens`` words: the best ``limit`` eligible candidates, then the best ``limit``
    left out, each exactly as score_units makes it."""
    texts, nots = _texts(query), _not_texts(query)
    rows = table.rows
    counts = table.dfc[:, 1:].sum(axis=0) if len(table.dfc) else np.zeros(len(texts), np.int64)
    stats = Stats(n, tokens / max(n, 1), {t: int(c) for t, c in zip(texts, counts) if c})
    if not len(rows):
        return []
    weights = {t.text: t.weight for t in query.terms}
    norm = K1 * (1 - B + B * rows[:, 4] / max(stats.avg_len, 1.0))
    score = np.zeros(len(rows))
    for j, text in enumerate(texts):
        tf = rows[:, FIXED + j].astype(np.float64)
        part = weights[text] * stats.idf(text) * tf * (K1 + 1) / (tf + norm)
        score += np.where(tf > 0, part, 0.0)
    vetoed = rows[:, 5] >= 0
    score[vetoed] = 0.0  # a vetoed passage has no counts: its score is 0
    low = query.min_score
    pick = (~vetoed) & (score >= _threshold(score[(~vetoed) & (score >= low + EPS)], limit, low))
    out_of_list = vetoed | (score < low + EPS)
    pick |= out_of_list & (score >= _threshold(score[vetoed | (score <= low - EPS)], limit,
                                                -np.inf))
    cands = []
    for i in np.flatnonzero(pick):
        r = [int(x) for x in rows[i]]
        veto = None if r[5] < 0 else nots[r[5]]
        ev = Evidence({} if veto else {t: r[FIXED + j] for j, t in enumerate(texts)
                                       if r[FIXED + j]}, veto, r[4])
        cands.append(_candidate(query, Unit(ids[r[0]], r[1], r[2], r[3]), ev, stats))
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
