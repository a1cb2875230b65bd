"""What ``briefing fetch`` has fetched: so nothing is fetched twice, and the originals kept.

Its own SQLite file beside the store (``<store>/fetch.sqlite``), like the send ledger and for
the same reason: the store is a cache that briefing deletes and rebuilds whenever its reading
code changes, while this is the only record of which entries were already fetched, of each
feed's validators for conditional GET, and of the original bytes of every fetched page. It is
never rebuilt or deleted by briefing; one that cannot be read is an error.

An article is known by several keys: each URL it was reached by or names as canonical
(normalised: see :func:`normal_url`), each feed entry id that listed it (scoped by its feed:
``1001`` in two feeds is two entries), and the digest of its reading text (the same story at
two addresses). A candidate matching any key is not fetched again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from briefing.errors import InputError
from briefing.store.locks import exclusive

STATE_NAME = "fetch.sqlite"
LOCK_NAME = "fetch.lock"
SCHEMA_VERSION = 1
# query parameters that only say where a reader came from
_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "yclid", "igshid", "_hsenc", "_hsmi")

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


def normal_url(url: str) -> str:
    """A URL as one article's address: scheme and host in lower case, the default port, the
    fragment and tracking parameters dropped, the other parameters sorted."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").rstrip(".")
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or
                     (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not k.lower().startswith(_TRACKING))
    return urlunsplit((parts.scheme.lower(), host.lower(), parts.path or "/", urlencode(query), ""))


def url_key(url: str) -> str:
    return "url:" + normal_url(url)


def entry_key(feed: str, entry_id: str) -> str:
    return f"id:{normal_url(feed)} {entry_id}"


def text_key(text: str) -> str:
    return "text:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Validators:
    """A feed's ETag and Last-Modified from its last 200, for the next conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


class FetchState:
    """The open state file; see the module docstring. One process at a time (:func:`lock`)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> FetchState:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def validators(self, feed: str) -> Validators:
        row = self._q("SELECT etag, last_modified FROM feeds WHERE url = ?", (feed,)).fetchone()
        return Validators(*row) if row else Validators()

    def polled(self, feed: str, outcome: str, validators: Validators | None) -> None:
        """Note a poll; ``validators`` None keeps the old ones (a poll whose entries were not
        all handled must ask for the whole feed again next time)."""
        now = _now()
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
                (path, url, hashlib.sha256(text.encode("utf-8")).hexdigest(), digest, _now()))
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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def open_state(store: Path) -> FetchState:
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
    return FetchState(conn, path)


def lock(store: Path) -> AbstractContextManager[Path]:
    """Hold the fetch lock: two fetches at once would fetch the same entries twice."""
    return exclusive(Path(store) / LOCK_NAME, "another `briefing fetch` is running on this "
                     "store; wait for it to finish", InputError)
