"""The SQLite store's passage index: an FTS5 table over each passage's roots and words.

A theme's terms become one FTS5 expression (:func:`match_expression`): a term is a phrase of
roots, a ``prefix*`` term a phrase whose last word is a prefix of a lower-case word. The index
is joined with the selection of files a build considers (a temporary table, filled once for
the themes of a build), and each term is looked up again alone so the store can say which
terms may occur in which passage (``Passage.hits``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Sequence

from briefing.judge.themes import Term, ThemeQuery, reads_words
from briefing.models import Passage
from briefing.store import codec
from briefing.store.front import looked_up
from briefing.store.sqlite_db import guarded

#: the columns of a passage, as ``codec.passage`` reads them after the passage's id
COLUMNS = 'p.file, p.paragraph, p.sentence, p.start, p."end", p.roots, {words}, p.breaks'


def columns(words: bool) -> str:
    """The passage columns selected, lower-case words only when they serve (a prefix)."""
    return COLUMNS.format(words="p.words" if words else "''")


def _fts_phrase(words: Sequence[str], prefix: bool = False) -> str:
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"' + ("*" if prefix else "")


def fts_term(term: Term) -> str:
    """A term as an FTS5 expression that finds every passage where ``themes`` could count it
    (a superset when a phrase ends in a prefix: themes checks the order itself)."""
    if not term.prefix:
        return "roots : " + _fts_phrase(term.roots)
    last = "words : " + _fts_phrase(term.roots[-1:], prefix=True)
    if len(term.roots) == 1:
        return last
    return f"(roots : {_fts_phrase(term.roots[:-1])} AND {last})"


def match_expression(query: ThemeQuery) -> str | None:
    """The FTS5 query for a theme: any of its terms, or of its ``not`` phrases (a passage that
    a ``not`` phrase vetoes is still reported, with the reason). None when there is nothing to
    look for."""
    parts = [fts_term(t) for t in (*query.terms, *query.not_) if t.roots and all(t.roots)]
    return " OR ".join(parts) if parts else None


class SqliteIndex:
    """The index of one connection (``db``, asked for on each use: a rebuild makes a new one),
    with the selection it last joined."""

    def __init__(self, db: Callable[[], sqlite3.Connection]) -> None:
        self.db = db
        self.selected: frozenset[int] | None = None  # the files in temp.sel (``_select``)

    def forget(self) -> None:
        """The selection was a temporary table of a connection now closed."""
        self.selected = None

    def _select(self, db: sqlite3.Connection, files: Collection[int]) -> None:
        """Make ``files`` the selection (the temporary table ``sel``) the index is joined with,
        unless it is already: the themes of a build ask for the same files one after another,
        and filling it costs a tenth of a second per 100,000 files."""
        if self.selected is not None and self.selected == files:
            return
        db.execute("CREATE TEMP TABLE IF NOT EXISTS sel(file INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM temp.sel")
        db.executemany("INSERT OR IGNORE INTO temp.sel VALUES (?)", ((f,) for f in files))
        self.selected = frozenset(files)

    @guarded
    def search(self, query: ThemeQuery, files: Collection[int]) -> list[Passage]:
        """``Store.candidates`` for many files, through the index."""
        expression = match_expression(query)
        if expression is None:
            return []
        db = self.db()
        self._select(db, files)
        rows = db.execute(
            f"SELECT p.id, {columns(reads_words(query))} FROM passage_index "
            "JOIN passages p ON p.id = passage_index.rowid "
            "JOIN temp.sel s ON s.file = p.file WHERE passage_index MATCH ?",
            (expression,)).fetchall()
        # which term may occur where, so themes counts only those (most passages hold one or
        # two of a theme's twenty terms)
        hits: dict[int, list[str]] = {r[0]: [] for r in rows}
        for t in looked_up(query):
            # only the selected files' rows come back to Python: a warm build asks for the
            # few files stored since its evidence was kept (ranking.py)
            for (rowid,) in db.execute(
                    "SELECT passage_index.rowid FROM passage_index "
                    "JOIN passages p ON p.id = passage_index.rowid "
                    "JOIN temp.sel s ON s.file = p.file WHERE passage_index MATCH ?",
                    (fts_term(t),)):
                found = hits.get(rowid)
                if found is not None:
                    found.append(t.text)
        return [codec.passage(r[1:], frozenset(hits[r[0]])) for r in rows]

    @guarded
    def passages(self, files: Collection[int], words: bool) -> list[Passage]:
        """Every passage of a few ``files``, straight from the table (``hits`` None)."""
        wanted = sorted(files)
        # IN (...) so the planner takes passages' file index (a join with temp.sel scanned
        # every passage: 0.2 s a theme at 100,000 files)
        rows = self.db().execute(
            f"SELECT {columns(words)} FROM passages p "
            f"WHERE p.file IN ({','.join('?' * len(wanted))})", wanted).fetchall()
        return [codec.passage(r, None) for r in rows]
