"""The fetch state in PostgreSQL: its own tables in the store's database (schema ``briefing``,
part ``fetch``, migrated on its own), never emptied with the store; one fetch at a time by an
advisory lock. See :mod:`briefing.store.fetchstate` for what it keeps.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Iterator

import psycopg

from briefing.errors import InputError
from briefing.store import postgres_db
from briefing.store.fetchstate import Validators, text_key
from briefing.store.fetchstate import now as fetch_now
from briefing.store.postgres_db import SCHEMA, Migration

MIGRATIONS: list[Migration] = [
    [  # 1
        "CREATE TABLE {s}.fetch_feeds(url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, "
        "polled_at TEXT, outcome TEXT)",
        "CREATE TABLE {s}.fetch_articles(id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        "path TEXT NOT NULL, url TEXT NOT NULL, text_sha256 TEXT NOT NULL, original TEXT, "
        "fetched_at TEXT NOT NULL)",
        "CREATE INDEX fetch_articles_path ON {s}.fetch_articles(path)",
        "CREATE TABLE {s}.fetch_known(key TEXT PRIMARY KEY, article BIGINT NOT NULL)",
        "CREATE TABLE {s}.fetch_originals(sha256 TEXT PRIMARY KEY, content_type TEXT NOT NULL, "
        "url TEXT NOT NULL, data BYTEA NOT NULL)",  # zlib-compressed
    ],
]


class PostgresFetchState:
    """The fetch state in the database at ``url``, with the fetch lock held until closed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = postgres_db.hold(url, "fetch", 0, lambda who: (
            f"{url}: another `briefing fetch` is running on this store{who}; wait for it to "
            "finish"), shared=False)
        try:
            self._conn = postgres_db.connect(url, url)
            try:
                postgres_db.migrate(self._conn, "fetch", MIGRATIONS, url)
            except psycopg.Error as exc:
                raise InputError(f"{url}: the fetch state is unreadable ({exc})") from None
        except BaseException:
            postgres_db.release(self._lock)
            raise

    def close(self) -> None:
        if not self._conn.closed:
            self._conn.close()
            postgres_db.release(self._lock)

    def __enter__(self) -> PostgresFetchState:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def validators(self, feed: str) -> Validators:
        row = self._q(f"SELECT etag, last_modified FROM {SCHEMA}.fetch_feeds WHERE url = %s",
                      (feed,)).fetchone()
        return Validators(*row) if row else Validators()

    def polled(self, feed: str, outcome: str, validators: Validators | None) -> None:
        with self._conn.transaction():
            self._q(f"INSERT INTO {SCHEMA}.fetch_feeds (url, polled_at, outcome) VALUES "
                    "(%s, %s, %s) ON CONFLICT (url) DO UPDATE SET polled_at = excluded.polled_at,"
                    " outcome = excluded.outcome", (feed, fetch_now(), outcome))
            if validators is not None:
                self._q(f"UPDATE {SCHEMA}.fetch_feeds SET etag = %s, last_modified = %s "
                        "WHERE url = %s", (validators.etag, validators.last_modified, feed))

    def known(self, keys: Iterable[str]) -> str | None:
        for key in keys:
            row = self._q(f"SELECT a.path FROM {SCHEMA}.fetch_known k JOIN "
                          f"{SCHEMA}.fetch_articles a ON a.id = k.article WHERE k.key = %s",
                          (key,)).fetchone()
            if row:
                return str(row[0])
        return None

    def alias(self, path: str, keys: Iterable[str]) -> None:
        with self._conn.transaction():
            row = self._q(f"SELECT id FROM {SCHEMA}.fetch_articles WHERE path = %s "
                          "ORDER BY id LIMIT 1", (path,)).fetchone()
            if row:
                self._known(row[0], keys)

    def _known(self, article: int, keys: Iterable[str]) -> None:
        self._conn.cursor().executemany(
            f"INSERT INTO {SCHEMA}.fetch_known VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [(k, article) for k in keys])

    def record(self, path: str, url: str, text: str, keys: Iterable[str],
               original: bytes | None, content_type: str) -> None:
        digest = hashlib.sha256(original).hexdigest() if original is not None else None
        with self._conn.transaction():
            row = self._q(
                f"INSERT INTO {SCHEMA}.fetch_articles (path, url, text_sha256, original, "
                "fetched_at) VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (path, url, hashlib.sha256(text.encode("utf-8")).hexdigest(), digest,
                 fetch_now())).fetchone()
            assert row is not None  # INSERT ... RETURNING gives its row
            self._known(row[0], {*keys, text_key(text)})
            if original is not None:
                self._q(f"INSERT INTO {SCHEMA}.fetch_originals VALUES (%s, %s, %s, %s) "
                        "ON CONFLICT DO NOTHING",
                        (digest, content_type, url, zlib.compress(original, 6)))

    def original(self, path: str) -> tuple[str, bytes] | None:
        row = self._q(f"SELECT o.content_type, o.data FROM {SCHEMA}.fetch_articles a JOIN "
                      f"{SCHEMA}.fetch_originals o ON o.sha256 = a.original WHERE a.path = %s "
                      "ORDER BY a.id LIMIT 1", (path,)).fetchone()
        return (str(row[0]), zlib.decompress(row[1])) if row else None

    def paths(self) -> set[str]:
        return {r[0] for r in self._q(f"SELECT path FROM {SCHEMA}.fetch_articles", ())}

    def articles(self) -> Iterator[tuple[str, str]]:
        yield from self._q(f"SELECT path, url FROM {SCHEMA}.fetch_articles ORDER BY id", ())

    def _q(self, query: str, args: tuple) -> psycopg.Cursor:
        try:
            return self._conn.execute(query, args)
        except psycopg.Error as exc:
            raise InputError(f"{self.url}: cannot read the fetch state: {exc}") from None
