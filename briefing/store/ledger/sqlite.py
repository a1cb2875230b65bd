"""The send ledger in SQLite: a file of its own beside the store, ``<store>/ledger.sqlite``.

Never under ``out/`` and never rebuilt or deleted by ``briefing``: losing it would mean
sending every edition again. A row is written only after the SMTP server accepted the
message, one transaction per reader, so a crash loses at most the one message in flight (see
README "Sending"). Claims live in a table beside the rows; each write takes SQLite's write
lock at its start (``BEGIN IMMEDIATE``), so two processes claiming at once are serialised and
never both get one reader. The clock of claims is this machine's (``time.time``): SQLite
ledgers are shared by processes on one machine.

:meth:`SqliteLedger.sending` is an ``flock`` on ``<store>/send.lock`` (shared, or exclusive
for a forced resend), released by the kernel when its process dies, so a killed run never
leaves a stale lock behind.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TypeVar

from briefing.errors import DeliveryError
from briefing.store.ledger.interface import (
    Claimed,
    ConnectionLedger,
    sending_busy,
)
from briefing.store.locks import exclusive

__all__ = ["LEDGER_NAME", "SqliteLedger", "ledger_path", "open_sqlite_ledger",
           "read_sqlite_ledger", "send_lock"]

LEDGER_NAME = "ledger.sqlite"
LOCK_NAME = "send.lock"
SCHEMA_VERSION = 2  # 2: claims

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sent (
    edition    TEXT NOT NULL,   -- the edition date, YYYY-MM-DD
    title      TEXT NOT NULL,   -- the config's title: two briefings may share one store
    reader     TEXT NOT NULL,   -- the reader profile's id
    recipient  TEXT NOT NULL,   -- the address the server accepted
    message_id TEXT NOT NULL,
    sent_at    TEXT NOT NULL,   -- ISO 8601 with zone, when the server accepted it
    sends      INTEGER NOT NULL DEFAULT 1,  -- more than 1 after a deliberate --force
    PRIMARY KEY (edition, title, reader)
);
CREATE TABLE IF NOT EXISTS claims (
    edition    TEXT NOT NULL,
    title      TEXT NOT NULL,
    reader     TEXT NOT NULL,
    owner      TEXT NOT NULL,   -- the send run that holds it
    expires_at REAL NOT NULL,   -- seconds since the epoch
    PRIMARY KEY (edition, title, reader)
);
"""
_KEY = "edition = ? AND title = ? AND reader = ?"


def ledger_path(store: Path) -> Path:
    """Where the ledger of a store lives: ``<store>/ledger.sqlite``."""
    return Path(store) / LEDGER_NAME


class SqliteLedger(ConnectionLedger):
    """An open SQLite ledger (see :class:`briefing.store.ledger.Ledger` for what each method
    means). Use :func:`open_sqlite_ledger` or :func:`read_sqlite_ledger`."""

    _SENT, _CLAIMS, _MARK = "sent", "claims", "?"
    _RECORD = ("INSERT INTO sent (edition, title, reader, recipient, message_id, sent_at) "
               "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (edition, title, reader) DO UPDATE SET "
               "recipient = excluded.recipient, message_id = excluded.message_id, "
               "sent_at = excluded.sent_at, sends = sends + 1")

    def __init__(self, conn: sqlite3.Connection, path: Path,
                 clock: Callable[[], float] = time.time) -> None:
        self._conn = conn
        self._clock = clock
        self.path = path
        self.where = str(path)

    # --- writes -----------------------------------------------------------------------------

    def claim(self, edition: str, title: str, readers: Sequence[str], *, owner: str,
              expiry: float, limit: int, force: bool = False) -> Claimed:
        """Claim the first ``limit`` free readers for ``owner`` (see ``Ledger.claim``)."""
        mine: list[str] = []
        sent: list[str] = []
        held: list[str] = []
        waits: list[float] = []
        with self._write() as conn:
            now = self._clock()
            for reader in readers:
                if len(mine) >= limit:
                    break
                key = (edition, title, reader)
                if not force and conn.execute(f"SELECT 1 FROM sent WHERE {_KEY}",
                                              key).fetchone():
                    sent.append(reader)
                    continue
                row = conn.execute(f"SELECT owner, expires_at FROM claims WHERE {_KEY}",
                                   key).fetchone()
                if not force and row is not None and row[0] != owner and row[1] > now:
                    held.append(reader)
                    waits.append(row[1] - now)
                    continue
                mine.append(reader)
            conn.executemany(
                "INSERT INTO claims (edition, title, reader, owner, expires_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (edition, title, reader) DO UPDATE SET "
                "owner = excluded.owner, expires_at = excluded.expires_at",
                [(edition, title, reader, owner, now + expiry) for reader in mine])
        return Claimed(tuple(mine), tuple(sent), tuple(held), min(waits, default=0.0))

    def renew(self, edition: str, title: str, *, owner: str, expiry: float) -> frozenset[str]:
        """Extend ``owner``'s claims on this edition; the readers it still holds."""
        with self._write() as conn:
            conn.execute("UPDATE claims SET expires_at = ? WHERE edition = ? AND title = ? "
                         "AND owner = ?", (self._clock() + expiry, edition, title, owner))
            rows = conn.execute("SELECT reader FROM claims WHERE edition = ? AND title = ? "
                                "AND owner = ?", (edition, title, owner)).fetchall()
        return frozenset(r[0] for r in rows)

    def release(self, edition: str, title: str, readers: Sequence[str], *, owner: str) -> None:
        """Drop ``owner``'s claims on ``readers``."""
        with self._write() as conn:
            conn.executemany(f"DELETE FROM claims WHERE {_KEY} AND owner = ?",
                             [(edition, title, reader, owner) for reader in readers])

    def sending(self, *, exclusive: bool) -> AbstractContextManager[None]:
        """The store's send lock, shared or ``exclusive`` (see ``Ledger.sending``)."""
        return _holding(send_lock(self.path.parent, shared=not exclusive))

    # --- the connection ---------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, the write lock taken at its start (a second writer waits
        for it, up to the connection's timeout): committed when the block ends, rolled back
        when it raises."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise DeliveryError(f"{self.path}: cannot write the send ledger: {exc}") from None
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise DeliveryError(f"{self.path}: cannot write the send ledger: "
                                    f"{exc}") from None
            raise

    def _query(self, sql: str, args: tuple[str, ...]) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, args)
        except sqlite3.Error as exc:
            raise DeliveryError(f"{self.path}: cannot read the send ledger: {exc}") from None


@contextmanager
def _holding(lock: AbstractContextManager[Path]) -> Iterator[None]:
    with lock:
        yield


def open_sqlite_ledger(store: Path) -> SqliteLedger:
    """Open the store's ledger for writing, creating the store folder and the ledger when they
    are missing (and adding what a newer schema has to an older ledger). A ledger that cannot
    be read is an error, never replaced: it is the only record of what was sent."""
    path = ledger_path(store)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise DeliveryError(f"{path}: cannot open the send ledger: {exc}") from None
    try:
        _prepare(conn, path)
    except sqlite3.Error as exc:
        conn.close()
        raise DeliveryError(f"{path}: the send ledger is unreadable ({exc}); it was left as it "
                            "is: move it aside yourself only if you accept resending") from None
    except DeliveryError:
        conn.close()
        raise
    return SqliteLedger(conn, path)


_T = TypeVar("_T")
OPEN_WAIT = 30.0  # seconds a ledger being created or changed by another run is waited for


def _prepare(conn: sqlite3.Connection, path: Path) -> None:
    """WAL, full flushes, and the schema, created or brought up to date (see _while_busy)."""
    def set_up() -> None:
        # WAL: senders write one after another, a build reads beside them without waiting,
        # and a commit is one flush of the log (a rollback journal took three or four: 11 ms
        # a row against 3.6 ms on this machine's disk, most of a send's time with thousands
        # of readers). synchronous=FULL: a row recording the server's acceptance must reach
        # the disk before the next message goes.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise DeliveryError(f"{path}: the send ledger was written by a newer briefing "
                                f"(schema {version}); upgrade briefing to send")
        if version < SCHEMA_VERSION:  # new, or older: what is missing added, in one go
            conn.executescript(f"BEGIN IMMEDIATE; {_SCHEMA}; "
                               f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")

    _while_busy(conn, set_up)


def _while_busy(conn: sqlite3.Connection, step: Callable[[], _T]) -> _T:
    """``step``, tried again for up to ``OPEN_WAIT`` seconds while SQLite says the ledger is
    locked or busy in a way its own wait does not cover: two runs opening a new ledger at
    the same moment (two senders started together), one switching it to WAL or recovering
    the WAL's index while the other reads."""
    deadline = time.monotonic() + OPEN_WAIT
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            busy = any(word in str(exc).lower() for word in ("locked", "busy"))
            if not busy or time.monotonic() >= deadline:
                raise
            if conn.in_transaction:
                conn.rollback()
            time.sleep(0.05)


def read_sqlite_ledger(store: Path) -> SqliteLedger | None:
    """The store's ledger opened read-only, or None when there is none yet: a build or a dry run
    may consult the ledger but never creates or changes it (SQLite may make the WAL's side
    files, ``ledger.sqlite-wal`` and ``-shm``, to read it: they hold no row of their own)."""
    path = ledger_path(store)
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30,
                               isolation_level=None)
        version = _while_busy(conn, lambda: conn.execute("PRAGMA user_version").fetchone()[0])
        if version == 0 and path.stat().st_size == 0:
            conn.close()  # another run is creating it this moment: no row yet
            return None
        _while_busy(conn, lambda: conn.execute("SELECT 1 FROM sent LIMIT 1"))
    except (OSError, sqlite3.Error) as exc:
        raise DeliveryError(f"{path}: the send ledger is unreadable ({exc})") from None
    return SqliteLedger(conn, path)


def send_lock(store: Path, *, shared: bool = False) -> AbstractContextManager[Path]:
    """Hold the store's send lock for the duration, or raise :class:`BusyError` at once when
    another process holds it in a way that excludes this hold: every ordinary send holds it
    ``shared`` (the ledger's claims keep them apart), a forced resend alone."""
    return exclusive(Path(store) / LOCK_NAME, sending_busy(shared=shared), DeliveryError,
                     shared=shared)
