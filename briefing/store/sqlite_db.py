"""The SQLite store's database: its schema, its connection, transactions, and what damage
looks like to SQLite.

SQLite checks its pages as it reads them and reports a damaged file by result code
(:func:`is_corruption`); :func:`guarded` turns that into :class:`StoreCorrupt`, which the store
heals, and lets every other error (busy, full, misuse) through.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from briefing.store.heal import guarded_by
from briefing.store.interface import StoreCorrupt

T = TypeVar("T", int, str)

SCHEMA_VERSION = 5  # 2: files.gen, rank_cache; 3: files_gen index; 4: payload CRCs;
# 5: passages.breaks, files.passage_count and token_count (were units, tokens)

SCHEMA = """
CREATE TABLE info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files(
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, manifest TEXT NOT NULL,
    sha256 TEXT NOT NULL, ok INTEGER NOT NULL, warnings TEXT NOT NULL,
    encoding TEXT NOT NULL, body_start INTEGER NOT NULL, published TEXT,
    passage_count INTEGER NOT NULL, token_count INTEGER NOT NULL, gen INTEGER NOT NULL);
CREATE INDEX files_gen ON files(gen);
CREATE TABLE articles(
    file INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
    meta TEXT NOT NULL, text TEXT NOT NULL, paragraphs TEXT NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE passages(
    id INTEGER PRIMARY KEY,
    file INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    paragraph INTEGER NOT NULL, sentence INTEGER, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    roots TEXT NOT NULL, words TEXT NOT NULL, breaks TEXT NOT NULL);
CREATE INDEX passages_file ON passages(file);
-- The ascii tokenizer splits on ASCII punctuation and space only, so each root or word (letters
-- and digits, any script) is exactly one FTS token, and a phrase query means what
-- themes._occurrences means by consecutive roots.
CREATE VIRTUAL TABLE passage_index USING fts5(
    roots, words, content='passages', content_rowid='id', tokenize='ascii');
CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN
    INSERT INTO passage_index(rowid, roots, words) VALUES (new.id, new.roots, new.words);
END;
CREATE TRIGGER passages_ad AFTER DELETE ON passages BEGIN
    INSERT INTO passage_index(passage_index, rowid, roots, words)
    VALUES ('delete', old.id, old.roots, old.words);
END;
-- Later stages' results per article (quotes, parses, dates): reused while the file is unchanged.
CREATE TABLE annotations(
    file INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    kind TEXT NOT NULL, version TEXT NOT NULL, data BLOB NOT NULL, crc INTEGER NOT NULL,
    PRIMARY KEY(file, kind));
-- Derived results over many articles (a theme's evidence per passage), valid for the files
-- stored up to generation ``gen`` (ranking.py says how they are used).
CREATE TABLE rank_cache(name TEXT PRIMARY KEY, gen INTEGER NOT NULL, data BLOB NOT NULL,
                        crc INTEGER NOT NULL);
"""

IN_CHUNK = 500  # values per "IN (...)" list: under SQLite's 999 bound parameters, with room

# SQLite's primary result codes for a damaged file (extended codes keep them in the low byte:
# SQLITE_CORRUPT_VTAB is FTS5's). A short read is a file cut shorter than its header says.
_CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_FORMAT})
_SHORT_READ = sqlite3.SQLITE_IOERR | (2 << 8)
# What the sqlite3 module raises (with no SQLite code) for text that is not UTF-8: damage to a
# page holding text, since only UTF-8 is ever written
_NOT_UTF8 = "Could not decode to UTF-8"


def is_corruption(exc: BaseException) -> bool:
    """Whether ``exc`` says the database file is damaged (rather than busy, full, or misused)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return _NOT_UTF8 in str(exc) or type(exc) is sqlite3.DatabaseError
    return (code & 0xFF) in _CORRUPT_CODES or code == _SHORT_READ


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the store's file (autocommit: :func:`transaction` opens each one)."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA temp_store=MEMORY")
    db.execute("PRAGMA cache_size=-65536")
    return db


def create(db: sqlite3.Connection, fingerprint: str, generation: int) -> None:
    """The schema in an empty database, for the code named ``fingerprint``."""
    with transaction(db):
        for statement in _split(SCHEMA):
            db.execute(statement)
        db.execute("INSERT INTO info VALUES ('fingerprint', ?)", (fingerprint,))
        db.execute("INSERT INTO info VALUES ('generation', ?)", (str(generation),))
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def in_chunks(values: Iterable[T]) -> Iterator[tuple[list[T], str]]:
    """The distinct ``values``, sorted, in chunks for ``... IN (marks)``: (chunk, marks)."""
    wanted = sorted(set(values))
    for i in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[i:i + IN_CHUNK]
        yield chunk, ",".join("?" * len(chunk))


def bump(db: sqlite3.Connection) -> int:
    """Raise the store's generation (inside a write transaction); returns the new one."""
    db.execute("UPDATE info SET value = CAST(value AS INTEGER) + 1 WHERE key='generation'")
    return int(db.execute("SELECT value FROM info WHERE key='generation'").fetchone()[0])


def _split(script: str) -> Iterator[str]:
    """The statements of the schema (triggers hold ';' inside BEGIN ... END)."""
    buf: list[str] = []
    for line in script.splitlines():
        if line.lstrip().startswith("--"):
            continue
        buf.append(line)
        joined = "\n".join(buf).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            yield joined
            buf = []


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite rolled back already (it does on some errors): the first error counts
        raise
    db.execute("COMMIT")


@contextmanager
def guard() -> Iterator[None]:
    """Turn a damaged database into StoreCorrupt (the store heals); other errors pass."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            raise StoreCorrupt(str(exc)) from exc
        raise


#: a method run under :func:`guard`
guarded = guarded_by(guard)
