"""A PostgreSQL store's passage index: each passage's roots and words as ``tsvector`` columns
with GIN indexes, searched with ``tsquery``.

The lexemes are the stored roots and words themselves, given verbatim (quoted, no text search
configuration: nothing is stemmed or dropped again), so a lexeme is exactly one root or word
and the index finds what SQLite's FTS5 index finds, or more: a phrase is looked up as all of
its roots (``&``), a ``prefix*`` as a prefix of a word (``:*``), and ``themes`` then counts
the phrase in order, as it does for FTS5's candidates. The ranking is therefore the same.

Two limits of ``tsvector`` never cost a candidate: a root or word longer than
:data:`LEXEME_CHARS` is indexed (and looked up) by its first :data:`LEXEME_CHARS` characters,
and a passage whose lexemes would not fit in one ``tsvector`` is not indexed at all and is a
candidate of every search (``indexed`` false, ``hits`` None: every term looked for).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import psycopg

from briefing.judge.themes import Term, ThemeQuery, reads_words
from briefing.models import Passage
from briefing.store import codec
from briefing.store.front import looked_up
from briefing.store.postgres_db import SCHEMA, guarded

#: characters of a root or word that its lexeme keeps (4 bytes each at most in UTF-8: under
#: PostgreSQL's 2,047 bytes a lexeme)
LEXEME_CHARS = 500
#: bytes of lexemes beyond which a passage is not indexed (a tsvector holds under 1 MB)
TSVECTOR_BYTES = 900_000
#: the passage columns ``codec.passage`` reads
COLUMNS = 'p.file, p.paragraph, p.sentence, p.start, p."end", p.roots, {words}, p.breaks'


def columns(words: bool) -> str:
    return COLUMNS.format(words="p.words" if words else "''")


def lexemes(tokens: str) -> tuple[str, bool]:
    """The ``tsvector`` of a passage's roots or words (joined by spaces), and whether it can be
    indexed at all."""
    if len(tokens) > LEXEME_CHARS and max(map(len, tokens.split())) > LEXEME_CHARS:
        tokens = " ".join(t[:LEXEME_CHARS] for t in tokens.split())
    if len(tokens) * 4 > TSVECTOR_BYTES and \
            sum(len(t.encode()) + 8 for t in set(tokens.split())) > TSVECTOR_BYTES:
        return "", False
    # roots and words are letters and digits: nothing to escape inside the quotes
    return ("'" + tokens.replace(" ", "' '") + "'" if tokens else ""), True


def _lexeme(token: str) -> str:
    return "'" + token[:LEXEME_CHARS].replace("\\", "\\\\").replace("'", "''") + "'"


def _all_of(roots: Sequence[str]) -> str:
    return "(" + " & ".join(map(_lexeme, roots)) + ")"


def term_condition(term: Term) -> tuple[str, list[str]]:
    """A term as a condition on a passage's ``tsvector`` columns (and its parameters) that holds
    wherever ``themes`` could count it."""
    *whole, last = term.roots
    if not term.prefix:
        return "p.roots_index @@ %s::tsquery", [_all_of(term.roots)]
    prefix = "p.words_index @@ %s::tsquery", [_lexeme(last) + ":*"]
    if not whole:
        return prefix
    return f"(p.roots_index @@ %s::tsquery AND {prefix[0]})", [_all_of(whole), *prefix[1]]


def match_condition(terms: Sequence[Term]) -> tuple[str, list[str]]:
    """Any of ``terms`` as one condition: the phrases in one ``tsquery`` over the roots, the
    prefixes in one over the words (one index scan each), a phrase ending in a prefix on its
    own."""
    phrases = [_all_of(t.roots) for t in terms if not t.prefix]
    prefixes = [_lexeme(t.roots[0]) + ":*" for t in terms if t.prefix and len(t.roots) == 1]
    parts = [term_condition(t) for t in terms if t.prefix and len(t.roots) > 1]
    if prefixes:
        parts.insert(0, ("p.words_index @@ %s::tsquery", [" | ".join(prefixes)]))
    if phrases:
        parts.insert(0, ("p.roots_index @@ %s::tsquery", [" | ".join(phrases)]))
    return " OR ".join(c for c, _ in parts), [p for _, ps in parts for p in ps]


class PostgresIndex:
    """The index as one connection (``db``, asked for on each use) searches it, with the
    selection of files it last joined (a temporary table of that connection)."""

    def __init__(self, db: Callable[[], psycopg.Connection]) -> None:
        self.db = db
        self.selected: frozenset[int] | None = None

    def forget(self) -> None:
        self.selected = None

    def _select(self, db: psycopg.Connection, files: Collection[int]) -> None:
        """Make ``files`` the selection (temporary table ``sel``) the index is joined with,
        unless it is already (the themes of a build ask for the same files in turn)."""
        if self.selected is not None and self.selected == files:
            return
        with db.transaction():
            db.execute("CREATE TEMP TABLE IF NOT EXISTS sel(file BIGINT PRIMARY KEY)")
            db.execute("TRUNCATE sel")
            with db.cursor().copy("COPY sel (file) FROM STDIN") as copy:
                for f in set(files):
                    copy.write_row((f,))
            db.execute("ANALYZE sel")
        self.selected = frozenset(files)

    @guarded
    def search(self, query: ThemeQuery, files: Collection[int]) -> list[Passage]:
        """``Store.candidates`` for many files: every passage of the selection where a term
        or ``not`` phrase may occur, with a column per looked-up term saying whether it
        may occur there (one statement, where FTS5 takes one per term)."""
        sought = [t for t in (*query.terms, *query.not_) if t.roots and all(t.roots)]
        if not sought:
            return []
        where, params = match_condition(sought)
        hits = looked_up(query)
        conditions = [term_condition(t) for t in hits]
        db = self.db()
        self._select(db, files)
        flags = "".join(f", {c}" for c, _ in conditions)
        rows = db.execute(
            f"SELECT {columns(reads_words(query))}, p.indexed{flags} "
            f"FROM {SCHEMA}.passages p JOIN sel s ON s.file = p.file "
            f"WHERE {where} OR NOT p.indexed",
            [p for _, ps in conditions for p in ps] + params).fetchall()
        texts = [t.text for t in hits]
        width = 9  # the passage's columns and ``indexed``
        return [codec.passage(r[:8], frozenset(t for t, hit in zip(texts, r[width:]) if hit)
                              if r[8] else None) for r in rows]

    @guarded
    def passages(self, files: Collection[int], words: bool) -> list[Passage]:
        """Every passage of a few ``files``, straight from the table (``hits`` None)."""
        rows = self.db().execute(
            f"SELECT {columns(words)} FROM {SCHEMA}.passages p WHERE p.file = ANY(%s) "
            "ORDER BY p.id", (sorted(files),)).fetchall()
        return [codec.passage(r, None) for r in rows]


def passage_copy_row(key: int, p: Sequence[object]) -> tuple[object, ...]:
    """A passage row of an ingested article as ``COPY passages`` takes it: the stored columns,
    then the two ``tsvector`` columns and whether they could be made."""
    roots, ok_roots = lexemes(str(p[4]))
    words, ok_words = lexemes(str(p[5]))
    indexed = ok_roots and ok_words
    return (key, *p, roots if indexed else "", words if indexed else "", indexed)
