"""A PostgreSQL store's tables: files, articles and passages; annotations; kept results.

The :class:`~briefing.store.front.Tables` of :class:`~briefing.store.postgres.PostgresStore`,
the same rows as SQLite's (``codec`` makes both), in the schema ``briefing``: each writing
call is one transaction; articles and passages are written with ``COPY``; large payloads are
stored uncompressed (``STORAGE EXTERNAL``: a kept result is read whole on every build, and
decompressing tens of MB would cost more than the bytes). Emptying the store truncates its
tables; the fetch state's and the ledger's are left alone.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

import psycopg

from briefing.store import codec
from briefing.store.interface import ROW, ConnectionTables, Ingested, Kept, StoreCorrupt, Stored
from briefing.store.postgres_db import SCHEMA, Migration, guard, guarded, migrate
from briefing.store.postgres_index import PostgresIndex, passage_copy_row

#: the store's schema, one list of statements per version ({s}: the schema's name)
MIGRATIONS: list[Migration] = [
    [  # 1
        "CREATE TABLE {s}.store_info(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE {s}.files(id BIGINT PRIMARY KEY, path TEXT NOT NULL UNIQUE, "
        "size BIGINT NOT NULL, mtime_ns BIGINT NOT NULL, manifest TEXT NOT NULL, "
        "sha256 TEXT NOT NULL, ok SMALLINT NOT NULL, warnings TEXT NOT NULL, "
        "encoding TEXT NOT NULL, body_start INTEGER NOT NULL, published TEXT, "
        "passage_count INTEGER NOT NULL, token_count BIGINT NOT NULL, gen BIGINT NOT NULL)",
        "CREATE INDEX files_gen ON {s}.files(gen)",
        "CREATE TABLE {s}.articles(file BIGINT PRIMARY KEY REFERENCES {s}.files(id) "
        "ON DELETE CASCADE, meta TEXT NOT NULL, text TEXT NOT NULL, paragraphs TEXT NOT NULL, "
        "crc BIGINT NOT NULL)",
        "CREATE TABLE {s}.passages(id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        "file BIGINT NOT NULL REFERENCES {s}.files(id) ON DELETE CASCADE, "
        'paragraph INTEGER NOT NULL, sentence INTEGER, start INTEGER NOT NULL, "end" INTEGER '
        "NOT NULL, roots TEXT NOT NULL, words TEXT NOT NULL, breaks TEXT NOT NULL, "
        "roots_index TSVECTOR NOT NULL, words_index TSVECTOR NOT NULL, "
        "indexed BOOLEAN NOT NULL)",
        "CREATE INDEX passages_file ON {s}.passages(file)",
        "CREATE INDEX passages_roots ON {s}.passages USING gin(roots_index)",
        "CREATE INDEX passages_words ON {s}.passages USING gin(words_index)",
        "CREATE INDEX passages_unindexed ON {s}.passages(file) WHERE NOT indexed",
        "CREATE TABLE {s}.annotations(file BIGINT NOT NULL REFERENCES {s}.files(id) "
        "ON DELETE CASCADE, kind TEXT NOT NULL, version TEXT NOT NULL, data BYTEA NOT NULL, "
        "crc BIGINT NOT NULL, PRIMARY KEY(file, kind))",
        "CREATE TABLE {s}.kept(name TEXT PRIMARY KEY, gen BIGINT NOT NULL, "
        "data BYTEA NOT NULL, crc BIGINT NOT NULL)",
        "ALTER TABLE {s}.kept ALTER COLUMN data SET STORAGE EXTERNAL",
        "ALTER TABLE {s}.annotations ALTER COLUMN data SET STORAGE EXTERNAL",
    ],
]
_TABLES = ", ".join(f"{SCHEMA}.{t}" for t in ("passages", "annotations", "articles", "kept",
                                              "files", "store_info"))
_FILE_COLUMNS = ("path, id, size, mtime_ns, manifest, sha256, ok, warnings, encoding, "
                 "body_start, published, passage_count, token_count, gen")
_PASSAGE_COLUMNS = ('file, paragraph, sentence, start, "end", roots, words, breaks, '
                    "roots_index, words_index, indexed")


class PostgresTables(ConnectionTables[psycopg.Connection]):
    """The store's tables in the database at ``url``, for the code ``fingerprint``."""

    remedy = "check the server (its logs name the damaged table)"

    def __init__(self, url: str, fingerprint: str, db: psycopg.Connection) -> None:
        self.name = url
        self.fingerprint = fingerprint
        self.db: psycopg.Connection | None = db
        self.index = PostgresIndex(self._conn)

    def current(self) -> bool:
        """Create or migrate the schema; whether it holds a store of this fingerprint."""
        db = self._conn()
        with guard():
            migrate(db, "store", MIGRATIONS, self.name)
            row = db.execute(f"SELECT value FROM {SCHEMA}.store_info WHERE key = 'fingerprint'"
                             ).fetchone()
        return row is not None and row[0] == self.fingerprint

    def reset(self, generation: int) -> None:
        """Empty the store's tables (the store is only a cache)."""
        db = self._conn()
        with db.transaction():
            db.execute(f"TRUNCATE {_TABLES}")
            db.execute(f"INSERT INTO {SCHEMA}.store_info VALUES ('fingerprint', %s), "
                       "('generation', %s)", (self.fingerprint, str(generation)))
        self.index.forget()

    # -- files ----------------------------------------------------------------------------

    @guarded
    def rows(self, paths: Iterable[str] | None) -> dict[str, tuple]:
        where, args = ("", ()) if paths is None else ("WHERE path = ANY(%s)", (list(paths),))
        cur = self._conn().execute(f"SELECT {_FILE_COLUMNS} FROM {SCHEMA}.files {where}", args)
        return {r[0]: codec.warnings_checked(r[1:], ROW.warnings) for r in cur}

    @guarded
    def generation(self) -> int:
        row = self._conn().execute(
            f"SELECT value FROM {SCHEMA}.store_info WHERE key = 'generation'").fetchone()
        if row is None or not str(row[0]).isdigit():
            raise StoreCorrupt("the generation counter is missing")
        return int(row[0])

    @guarded
    def stored_since(self, gen: int) -> list[str]:
        return [r[0] for r in self._conn().execute(
            f"SELECT path FROM {SCHEMA}.files WHERE gen > %s", (gen,))]

    def _bump(self, db: psycopg.Connection) -> int:
        row = db.execute(f"UPDATE {SCHEMA}.store_info SET value = (value::bigint + 1)::text "
                         "WHERE key = 'generation' RETURNING value").fetchone()
        if row is None:
            raise StoreCorrupt("the generation counter is missing")
        return int(row[0])

    @guarded
    def touch(self, stats: Sequence[tuple[str, int, int]]) -> int:
        db = self._conn()
        with db.transaction():
            gen = self._bump(db)
            db.cursor().executemany(
                f"UPDATE {SCHEMA}.files SET size = %s, mtime_ns = %s WHERE path = %s",
                [(size, mtime, path) for path, size, mtime in stats])
        return gen

    @guarded
    def put(self, records: Sequence[Ingested]) -> tuple[int, dict[str, int]]:
        db = self._conn()
        keys: dict[str, int] = {}
        records = list({r.path: r for r in records}.values())  # a path twice: the last counts
        with db.transaction():
            gen = self._bump(db)
            db.execute(f"DELETE FROM {SCHEMA}.files WHERE path = ANY(%s)",
                       ([r.path for r in records],))  # with their articles, passages, ...
            row = db.execute(f"SELECT coalesce(max(id), 0) FROM {SCHEMA}.files").fetchone()
            following = int(row[0]) + 1 if row else 1
            files: list[tuple] = []
            articles: list[tuple] = []
            passages: list[tuple] = []
            for r in records:
                key = r.key if r.key is not None else following
                following = max(following, key + 1)
                keys[r.path] = key
                files.append((key, *codec.file_values(r, gen)[1:]))
                if r.ok:
                    articles.append((key, *codec.article_values(r)))
                    passages.extend(passage_copy_row(key, p) for p in r.passages)
            cur = db.cursor()
            _copy(cur, "files", "id, " + _FILE_COLUMNS.replace("path, id, ", "path, "), files)
            _copy(cur, "articles", "file, meta, text, paragraphs, crc", articles)
            _copy(cur, "passages", _PASSAGE_COLUMNS, passages)
        return gen, keys

    @guarded
    def drop(self, paths: Sequence[str]) -> int:
        db = self._conn()
        with db.transaction():
            gen = self._bump(db)
            db.execute(f"DELETE FROM {SCHEMA}.files WHERE path = ANY(%s)", (list(paths),))
        return gen

    # -- passages and articles ------------------------------------------------------------

    @guarded
    def load(self, files: Collection[int]) -> dict[int, Stored]:
        cur = self._conn().execute(f"SELECT file, meta, text, paragraphs, crc FROM "
                                   f"{SCHEMA}.articles WHERE file = ANY(%s)", (list(files),))
        return {file: codec.stored(file, *article) for file, *article in cur}

    # -- what later stages keep -----------------------------------------------------------

    @guarded
    def annotations(self, files: Iterable[int], kind: str, version: str) -> dict[int, bytes]:
        cur = self._conn().cursor(binary=True)
        cur.execute(f"SELECT file, data, crc FROM {SCHEMA}.annotations WHERE kind = %s "
                    "AND version = %s AND file = ANY(%s)", (kind, version, list(files)))
        return {file: codec.checked(bytes(data), check, f"{kind} of article {file}")
                for file, data, check in cur}

    @guarded
    def put_annotations(self, kind: str, version: str, data: Mapping[int, bytes]) -> None:
        db = self._conn()
        with db.transaction():
            db.cursor().executemany(
                f"INSERT INTO {SCHEMA}.annotations VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (file, kind) DO UPDATE SET version = excluded.version, "
                "data = excluded.data, crc = excluded.crc",
                [(f, kind, version, d, codec.crc(d)) for f, d in data.items()])

    @guarded
    def cached(self, name: str) -> Kept | None:
        cur = self._conn().cursor(binary=True)
        row = cur.execute(f"SELECT gen, data, crc FROM {SCHEMA}.kept WHERE name = %s",
                          (name,)).fetchone()
        if row is None:
            return None
        return Kept(int(row[0]), codec.checked(bytes(row[1]), row[2], repr(name)))

    @guarded
    def put_cached(self, name: str, gen: int, data: bytes) -> None:
        db = self._conn()
        with db.transaction():
            db.execute(f"INSERT INTO {SCHEMA}.kept VALUES (%s, %s, %s, %s) ON CONFLICT (name) "
                       "DO UPDATE SET gen = excluded.gen, data = excluded.data, "
                       "crc = excluded.crc", (name, gen, data, codec.crc(data)))

    @guarded
    def drop_cached(self, name: str) -> None:
        self._conn().execute(f"DELETE FROM {SCHEMA}.kept WHERE name = %s", (name,))

    @guarded
    def cached_names(self, prefix: str) -> list[str]:
        return [name for (name,) in self._conn().execute(
            f"SELECT name FROM {SCHEMA}.kept WHERE left(name, %s) = %s", (len(prefix), prefix))]


def _copy(cur: psycopg.Cursor, table: str, columns: str, rows: list[tuple]) -> None:
    if rows:
        with cur.copy(f"COPY {SCHEMA}.{table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
