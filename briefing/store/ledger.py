"""The send ledger: which reader was sent which edition, kept so nothing is sent twice.

The ledger is its own SQLite file beside the store (``<config.store>/ledger.sqlite``), never under
``out/`` and never rebuilt or deleted by ``briefing``: losing it would mean sending every edition
again. A row is written only after the SMTP server accepted the message, one transaction per
reader, so a crash loses at most the one message in flight (see README "Sending").

This is the only module that opens the ledger with ``sqlite3``. The send lock lives here too:
an ``flock`` on ``<store>/send.lock``, released by the kernel when its process dies, so a killed
run never leaves a stale lock behind.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import DeliveryError
from briefing.store.locks import exclusive

LEDGER_NAME = "ledger.sqlite"
LOCK_NAME = "send.lock"
SCHEMA_VERSION = 1

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
"""


@dataclass(frozen=True)
class SentRecord:
    """One row of the ledger: an edition the server accepted for a reader."""

    edition: str
    title: str
    reader: str
    recipient: str
    message_id: str
    sent_at: str
    sends: int


def ledger_path(store: Path) -> Path:
    """Where the ledger of a store lives: ``<store>/ledger.sqlite``."""
    return Path(store) / LEDGER_NAME


class Ledger:
    """An open ledger. Use :func:`open_ledger` (writable, created when missing) or
    :func:`read_ledger` (read-only; ``None`` when there is no ledger yet)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    def close(self) -> None:
        """Close the connection (every write is already committed)."""
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def has(self, edition: str, title: str, reader: str) -> bool:
        """Whether the server already accepted this edition for this reader."""
        row = self._query("SELECT 1 FROM sent WHERE edition = ? AND title = ? AND reader = ?",
                          (edition, title, reader)).fetchone()
        return row is not None

    def get(self, edition: str, title: str, reader: str) -> SentRecord | None:
        """The row for (edition, reader), or None when it was never sent."""
        row = self._query("SELECT edition, title, reader, recipient, message_id, sent_at, sends "
                          "FROM sent WHERE edition = ? AND title = ? AND reader = ?",
                          (edition, title, reader)).fetchone()
        return SentRecord(*row) if row else None

    def last_edition(self, title: str, reader: str, before: str | None = None) -> str | None:
        """The latest edition date sent to ``reader`` (strictly before ``before`` when given),
        which is what a reader's ``since: last-edition`` window starts from."""
        sql = "SELECT max(edition) FROM sent WHERE title = ? AND reader = ?"
        args: tuple[str, ...] = (title, reader)
        if before is not None:
            sql += " AND edition < ?"
            args += (before,)
        row = self._query(sql, args).fetchone()
        return row[0] if row and row[0] else None

    def records(self) -> list[SentRecord]:
        """Every row, oldest edition first (for reports and tests)."""
        rows = self._query("SELECT edition, title, reader, recipient, message_id, sent_at, sends "
                           "FROM sent ORDER BY edition, reader", ()).fetchall()
        return [SentRecord(*row) for row in rows]

    def record(self, edition: str, title: str, reader: str, *, recipient: str, message_id: str,
               sent_at: dt.datetime | None = None) -> None:
        """Note that the server accepted this edition for this reader, in its own committed
        transaction, so the row survives a crash a moment later. A second record of the same
        (edition, reader), a deliberate ``--force``, counts the send instead of failing."""
        when = (sent_at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        try:
            with self._conn:  # one transaction: commit on success, rollback on error
                self._conn.execute(
                    "INSERT INTO sent (edition, title, reader, recipient, message_id, sent_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (edition, title, reader) DO UPDATE SET "
                    "recipient = excluded.recipient, message_id = excluded.message_id, "
                    "sent_at = excluded.sent_at, sends = sends + 1",
                    (edition, title, reader, recipient, message_id, when))
        except sqlite3.Error as exc:
            raise DeliveryError(f"{self.path}: cannot write the send ledger: {exc}") from None

    def _query(self, sql: str, args: tuple[str, ...]) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, args)
        except sqlite3.Error as exc:
            raise DeliveryError(f"{self.path}: cannot read the send ledger: {exc}") from None


def open_ledger(store: Path) -> Ledger:
    """Open the store's ledger for writing, creating the store folder and the ledger when they
    are missing. A ledger that cannot be read is an error, never replaced: it is the only record
    of what was sent."""
    path = ledger_path(store)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise DeliveryError(f"{path}: cannot open the send ledger: {exc}") from None
    try:
        # A rollback journal (not WAL) so read_ledger can open it read-only without side files;
        # synchronous=FULL: a row recording the server's acceptance must reach the disk.
        conn.execute("PRAGMA synchronous=FULL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise DeliveryError(f"{path}: the send ledger was written by a newer briefing "
                                f"(schema {version}); upgrade briefing to send")
        with conn:
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except sqlite3.Error as exc:
        conn.close()
        raise DeliveryError(f"{path}: the send ledger is unreadable ({exc}); it was left as it "
                            "is: move it aside yourself only if you accept resending") from None
    except DeliveryError:
        conn.close()
        raise
    return Ledger(conn, path)


def read_ledger(store: Path) -> Ledger | None:
    """The store's ledger opened read-only, or None when there is none yet: a build or a dry run
    may consult the ledger but never creates or changes it."""
    path = ledger_path(store)
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        conn.execute("SELECT 1 FROM sent LIMIT 1")
    except sqlite3.Error as exc:
        raise DeliveryError(f"{path}: the send ledger is unreadable ({exc})") from None
    return Ledger(conn, path)


def send_lock(store: Path) -> AbstractContextManager[Path]:
    """Hold the store's send lock for the duration, or raise :class:`BusyError` at once when
    another process holds it: two sends at once could both send the same edition."""
    return exclusive(Path(store) / LOCK_NAME, "another `briefing send` is running on this "
                     "store; wait for it to finish", DeliveryError)
