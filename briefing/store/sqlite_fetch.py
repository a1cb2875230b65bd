"""The fetch state in SQLite: its own file beside the store (``<store>/fetch.sqlite``) and a
lock file (``fetch.lock``); see :mod:`briefing.store.fetchstate` for what it keeps.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from briefing.errors import InputError
from briefing.store.fetchstate import Validators, text_key
from briefing.store.fetchstate import now as fetch_now
from briefing.store.locks import exclusive

STATE_NAME = "fetch.sqlite"
LOCK_NAME = "fetch.lock"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT,
    polled_at TEXT, outcome TEXT);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,          -- the .md file written into the corpus
    url TEXT NOT NULL,           -- the article's (canonical) URL
    text_sha256 TEXT NOT NULL,   -- of the reading text written
    original TEXT,               -- sha256 of the original bytes (table originals)
    fetched_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS known (key TEXT PRIMARY KEY, article INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS originals (
    sha256 TEXT PRIMARY KEY, content_type TEXT NOT NULL, url TEXT NOT NULL,
    data BLOB NOT NULL);         -- zlib-compressed
"""


class SqliteFetchState:
    """The open state file. One process at a time (:func:`lock`)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SqliteFetchState:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def validators(self, feed: str) -> Validators:
        row = self._q("SELECT etag, last_modified FROM feeds WHERE url = ?", (feed,)).fetchone()
        return Validators(*row) if row else Validators()

    def polled(self, feed: str, outcome: str, validators: Validators | None) -> None:
        """Note a poll; ``validators`` None keeps the old ones (a poll whose entries were not
        all handled must ask for the whole feed again next time)."""
        now = fetch_now()
        with self._conn:
            self._conn.execute(
                "INSERT INTO feeds (url, polled_at, outcome) VALUES (?, ?, ?) ON CONFLICT (url) "
                "DO UPDATE SET polled_at = excluded.polled_at, outcome = excluded.outcome",
                (feed, now, outcome))
            if validators is not None:
                self._conn.execute("UPDATE feeds SET etag = ?, last_modified = ? WHERE url = ?",
                                   (validators.etag, validators.last_modified, feed))

    def known(self, keys: Iterable[str]) -> str | None:
        """The path of the article one of ``keys`` names, if any."""
        for key in keys:
            row = self._q("SELECT a.path FROM known k JOIN articles a ON a.id = k.article "
                          "WHERE k.key = ?", (key,)).fetchone()
            if row:
                return row[0]
        return None

    def alias(self, path: str, keys: Iterable[str]) -> None:
        """More keys for the article written at ``path``."""
        with self._conn:
            row = self._conn.execute("SELECT id FROM articles WHERE path = ?", (path,)).fetchone()
            if row:
                self._conn.executemany("INSERT OR IGNORE INTO known VALUES (?, ?)",
                                       [(k, row[0]) for k in keys])

    def record(self, path: str, url: str, text: str, keys: Iterable[str],
               original: bytes | None, content_type: str) -> None:
        """Note an article written at ``path``, its keys and its original, in one transaction."""
        digest = hashlib.sha256(original).hexdigest() if original is not None else None
        with self._conn:
            cur = self._conn.execute(
                "INSERT INTO articles (path, url, text_sha256, original, fetched_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (path, url, hashlib.sha256(text.encode("utf-8")).hexdigest(), digest, fetch_now()))
            self._conn.executemany("INSERT OR IGNORE INTO known VALUES (?, ?)",
                                   [(k, cur.lastrowid) for k in {*keys, text_key(text)}])
            if original is not None:
                self._conn.execute("INSERT OR IGNORE INTO originals VALUES (?, ?, ?, ?)",
                                   (digest, content_type, url, zlib.compress(original, 6)))

    def original(self, path: str) -> tuple[str, bytes] | None:
        """(content type, bytes) of the original of the article written at ``path``."""
        row = self._q("SELECT o.content_type, o.data FROM articles a JOIN originals o ON "
                      "o.sha256 = a.original WHERE a.path = ?", (path,)).fetchone()
        return (row[0], zlib.decompress(row[1])) if row else None

    def paths(self) -> set[str]:
        return {r[0] for r in self._q("SELECT path FROM articles", ())}

    def articles(self) -> Iterator[tuple[str, str]]:
        """(path, url) of every article fetched, oldest first."""
        yield from self._q("SELECT path, url FROM articles ORDER BY id", ())

    def _q(self, sql: str, args: tuple) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, args)
        except sqlite3.Error as exc:
            raise InputError(f"{self.path}: cannot read the fetch state: {exc}") from None


def open_state(store: Path) -> SqliteFetchState:
    """The store's fetch state, created when missing. One that cannot be read is an error and
    is left as it is: deleting it would fetch every feed's entries again."""
    path = Path(store) / STATE_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA synchronous=FULL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            conn.close()
            raise InputError(f"{path}: written by a newer briefing (schema {version}); "
                             "upgrade briefing to fetch")
        conn.executescript(_SCHEMA)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except sqlite3.Error as exc:
        raise InputError(f"{path}: the fetch state is unreadable ({exc}); it was left as it "
                         "is: move it aside yourself to start afresh (everything in the "
                         "feeds is then fetched again)") from None
    return SqliteFetchState(conn, path)


def lock(store: Path) -> AbstractContextManager[Path]:
    """Hold the fetch lock: two fetches at once would fetch the same entries twice."""
    return exclusive(Path(store) / LOCK_NAME, "another `briefing fetch` is running on this "
                     "store; wait for it to finish", InputError)
