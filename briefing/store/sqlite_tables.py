"""The SQLite store's tables: files, articles and passages; annotations; kept results.

The :class:`~briefing.store.front.Tables` of :class:`~briefing.store.sqlite.SqliteStore`:
each call is one transaction (``BEGIN IMMEDIATE``), damage is raised as
:class:`StoreCorrupt` (``guarded``), payloads carry the CRC ``codec`` gives them. The database
is one file in WAL mode; emptying the store deletes it and makes it again.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from briefing.store import codec
from briefing.store.interface import ROW, ConnectionTables, Ingested, Kept, StoreCorrupt, Stored
from briefing.store.sqlite_db import (
    SCHEMA_VERSION,
    bump,
    connect,
    create,
    guarded,
    in_chunks,
    is_corruption,
    transaction,
)
from briefing.store.sqlite_index import SqliteIndex

_FILE_COLUMNS = ("path, id, size, mtime_ns, manifest, sha256, ok, warnings, encoding, "
                 "body_start, published, passage_count, token_count, gen")


class SqliteTables(ConnectionTables[sqlite3.Connection]):
    """The tables of the store in the database file ``path``, for the code ``fingerprint``."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.remedy = f"check the disk, or delete {path.parent}"
        self.db: sqlite3.Connection | None = None
        self.index = SqliteIndex(self._conn)

    @property
    def name(self) -> str:
        from briefing.read.corpus import display_path  # the path as the user sees it

        return str(display_path(self.path))

    def current(self) -> bool:
        """Open the database; whether it holds a store of this schema and fingerprint (False:
        missing, or from other code). Damage is :class:`StoreCorrupt`."""
        try:
            self.db = connect(self.path)
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                return False
            row = self.db.execute("SELECT value FROM info WHERE key='fingerprint'").fetchone()
            return row is not None and row[0] == self.fingerprint
        except sqlite3.DatabaseError as exc:
            if is_corruption(exc):
                raise StoreCorrupt(str(exc)) from exc
            return False

    def reset(self, generation: int) -> None:
        """Delete the database and create an empty one (the store is only a cache)."""
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
        db = connect(self.path)
        create(db, self.fingerprint, generation)
        self.db = db

    # -- files ----------------------------------------------------------------------------

    @guarded
    def rows(self, paths: Iterable[str] | None) -> dict[str, tuple]:
        if paths is None:
            return dict(self.read_rows("", ()))
        out: dict[str, tuple] = {}
        for chunk, marks in in_chunks(paths):
            out.update(self.read_rows(f"WHERE path IN ({marks})", chunk))
        return out

    def read_rows(self, where: str, args: Sequence[str]) -> Iterator[tuple[str, tuple]]:
        """(path, row) of the file table's rows ``where`` says."""
        for r in self._conn().execute(f"SELECT {_FILE_COLUMNS} FROM files {where}", args):
            yield r[0], codec.warnings_checked(r[1:], ROW.warnings)

    @guarded
    def generation(self) -> int:
        row = self._conn().execute("SELECT value FROM info WHERE key='generation'").fetchone()
        if row is None or not str(row[0]).isdigit():
            raise StoreCorrupt("the generation counter is missing")
        return int(row[0])

    @guarded
    def stored_since(self, gen: int) -> list[str]:
        return [r[0] for r in self._conn().execute("SELECT path FROM files WHERE gen > ?",
                                                   (gen,))]

    @guarded
    def touch(self, stats: Sequence[tuple[str, int, int]]) -> int:
        with transaction(self._conn()) as db:
            gen = bump(db)
            db.executemany("UPDATE files SET size=?, mtime_ns=? WHERE path=?",
                           [(size, mtime, path) for path, size, mtime in stats])
        return gen

    @guarded
    def put(self, records: Sequence[Ingested]) -> tuple[int, dict[str, int]]:
        keys: dict[str, int] = {}
        with transaction(self._conn()) as db:
            gen = bump(db)
            for r in records:
                _delete(db, r.path)
                cur = db.execute("INSERT INTO files(id, path, size, mtime_ns, manifest, sha256, "
                                 "ok, warnings, encoding, body_start, published, passage_count, "
                                 "token_count, gen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                 codec.file_values(r, gen))
                key = int(cur.lastrowid or 0)
                keys[r.path] = key
                if not r.ok:
                    continue
                db.execute("INSERT INTO articles VALUES (?,?,?,?,?)",
                           (key, *codec.article_values(r)))
                db.executemany(
                    'INSERT INTO passages(file, paragraph, sentence, start, "end", roots, words, '
                    "breaks) VALUES (?,?,?,?,?,?,?,?)", [(key, *p) for p in r.passages])
        return gen, keys

    @guarded
    def drop(self, paths: Sequence[str]) -> int:
        with transaction(self._conn()) as db:
            gen = bump(db)
            for path in paths:
                _delete(db, path)
        return gen

    # -- passages and articles ------------------------------------------------------------

    @guarded
    def load(self, files: Collection[int]) -> dict[int, Stored]:
        out: dict[int, Stored] = {}
        for chunk, marks in in_chunks(files):
            for file, *article in self._conn().execute(
                    "SELECT file, meta, text, paragraphs, crc FROM articles "
                    f"WHERE file IN ({marks})", chunk):
                out[file] = codec.stored(file, *article)
        return out

    # -- what later stages keep -----------------------------------------------------------

    @guarded
    def annotations(self, files: Iterable[int], kind: str, version: str) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        for chunk, marks in in_chunks(files):
            for file, data, check in self._conn().execute(
                    f"SELECT file, data, crc FROM annotations WHERE kind=? AND version=? "
                    f"AND file IN ({marks})", (kind, version, *chunk)):
                out[file] = codec.checked(bytes(data), check, f"{kind} of article {file}")
        return out

    @guarded
    def put_annotations(self, kind: str, version: str, data: Mapping[int, bytes]) -> None:
        with transaction(self._conn()) as db:
            db.executemany("INSERT OR REPLACE INTO annotations VALUES (?,?,?,?,?)",
                           [(f, kind, version, d, codec.crc(d)) for f, d in data.items()])

    @guarded
    def cached(self, name: str) -> Kept | None:
        row = self._conn().execute("SELECT gen, data, crc FROM rank_cache WHERE name=?",
                                   (name,)).fetchone()
        if row is None:
            return None
        return Kept(int(row[0]), codec.checked(bytes(row[1]), row[2], repr(name)))

    @guarded
    def put_cached(self, name: str, gen: int, data: bytes) -> None:
        with transaction(self._conn()) as db:
            db.execute("INSERT OR REPLACE INTO rank_cache VALUES (?,?,?,?)",
                       (name, gen, data, codec.crc(data)))

    @guarded
    def drop_cached(self, name: str) -> None:
        with transaction(self._conn()) as db:
            db.execute("DELETE FROM rank_cache WHERE name=?", (name,))

    @guarded
    def cached_names(self, prefix: str) -> list[str]:
        return [name for (name,) in self._conn().execute(
            "SELECT name FROM rank_cache WHERE substr(name, 1, ?) = ?", (len(prefix), prefix))]


def _delete(db: sqlite3.Connection, path: str) -> None:
    row = db.execute("SELECT id FROM files WHERE path=?", (path,)).fetchone()
    if row is None:
        return
    # passages first, explicitly, so the index's delete trigger sees each row
    db.execute("DELETE FROM passages WHERE file=?", row)
    db.execute("DELETE FROM annotations WHERE file=?", row)
    db.execute("DELETE FROM articles WHERE file=?", row)
    db.execute("DELETE FROM files WHERE id=?", row)
