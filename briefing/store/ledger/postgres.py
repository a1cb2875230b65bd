"""The send ledger in PostgreSQL: two tables of the store's database (schema ``briefing``,
part ``ledger``, versioned and migrated on its own by :func:`postgres_db.migrate`), never
emptied with the store: ``ledger_sent``, a row per edition a server accepted for a reader, and
``ledger_claims``, the readers each sender holds now.

Claims are made in one transaction per :meth:`PostgresLedger.claim`, reader by reader in the
order given: ``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` the claim there is the caller's own
or has expired, so two senders inserting one reader at once are serialised on its row by the
server and only one of them gets it. A reader is looked up in ``ledger_sent`` before its
claim and again after it (each statement sees what committed before it began): a record
committed in between gives the claim back and the reader is reported sent. The clock of
claims is the server's (``clock_timestamp()``), shared by every machine sending.

:meth:`PostgresLedger.sending` is a session advisory lock on the ledger's own connection,
shared (``pg_try_advisory_lock_shared``) or exclusive for a forced resend, released
explicitly on exit and by the server when the session dies (a killed sender leaves none).
A read-only ledger's session is ``READ ONLY``: the server refuses every write.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from briefing.errors import BusyError, DeliveryError, InputError
from briefing.store import postgres_db
from briefing.store.ledger.interface import (
    Claimed,
    ConnectionLedger,
    sending_busy,
)
from briefing.store.postgres_db import SCHEMA, Migration

__all__ = ["PostgresLedger", "open_postgres_ledger", "read_postgres_ledger"]

MIGRATIONS: list[Migration] = [
    [  # 1: as SQLite's schema 2 (rows and claims); "C": ordered as SQLite orders text
        'CREATE TABLE {s}.ledger_sent(edition TEXT COLLATE "C" NOT NULL, title TEXT NOT NULL, '
        'reader TEXT COLLATE "C" NOT NULL, recipient TEXT NOT NULL, message_id TEXT NOT NULL, '
        "sent_at TEXT NOT NULL, sends INTEGER NOT NULL DEFAULT 1, "
        "PRIMARY KEY (edition, title, reader))",
        'CREATE TABLE {s}.ledger_claims(edition TEXT COLLATE "C" NOT NULL, title TEXT NOT NULL, '
        'reader TEXT COLLATE "C" NOT NULL, owner TEXT NOT NULL, '
        "expires_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (edition, title, reader))",
    ],
]
_SENT = f"{SCHEMA}.ledger_sent"
_CLAIMS = f"{SCHEMA}.ledger_claims"
_KEY = "edition = %s AND title = %s AND reader = %s"
_NOW = "SELECT extract(epoch FROM clock_timestamp())::float8"
_CLAIM = (f"INSERT INTO {_CLAIMS} AS c (edition, title, reader, owner, expires_at) "
          "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (edition, title, reader) DO UPDATE SET "
          "owner = excluded.owner, expires_at = excluded.expires_at")
_UNLESS_HELD = " WHERE c.owner = excluded.owner OR c.expires_at <= %s"


class PostgresLedger(ConnectionLedger):
    """An open PostgreSQL ledger: one connection (see :class:`briefing.store.ledger.Ledger`
    for what each method means). Use :func:`open_postgres_ledger` or
    :func:`read_postgres_ledger`."""

    _SENT, _CLAIMS, _MARK = _SENT, _CLAIMS, "%s"
    _RECORD = (f"INSERT INTO {_SENT} AS s (edition, title, reader, recipient, message_id, "
               "sent_at) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (edition, title, reader) "
               "DO UPDATE SET recipient = excluded.recipient, message_id = excluded.message_id,"
               " sent_at = excluded.sent_at, sends = s.sends + 1")

    def __init__(self, conn: psycopg.Connection, url: str) -> None:
        self._conn = conn
        self.where = url

    # --- writes -----------------------------------------------------------------------------

    def claim(self, edition: str, title: str, readers: Sequence[str], *, owner: str,
              expiry: float, limit: int, force: bool = False) -> Claimed:
        """Claim the first ``limit`` free readers for ``owner`` (see ``Ledger.claim``)."""
        mine: list[str] = []
        sent: list[str] = []
        held: list[str] = []
        waits: list[float] = []
        with self._write() as conn:
            now = _value(conn.execute(_NOW))
            for reader in readers:
                if len(mine) >= limit:
                    break
                key = (edition, title, reader)
                if force:
                    conn.execute(_CLAIM, (*key, owner, now + expiry))
                    mine.append(reader)
                    continue
                if _sent(conn, key):
                    sent.append(reader)
                    continue
                if conn.execute(f"{_CLAIM}{_UNLESS_HELD} RETURNING 1",
                                (*key, owner, now + expiry, now)).fetchone() is None:
                    row = conn.execute(f"SELECT expires_at FROM {_CLAIMS} WHERE {_KEY}",
                                       key).fetchone()
                    held.append(reader)
                    waits.append(max(0.0, float(row[0]) - now) if row else 0.0)
                elif _sent(conn, key):  # recorded by another sender since the look above
                    conn.execute(f"DELETE FROM {_CLAIMS} WHERE {_KEY} AND owner = %s",
                                 (*key, owner))
                    sent.append(reader)
                else:
                    mine.append(reader)
        return Claimed(tuple(mine), tuple(sent), tuple(held), min(waits, default=0.0))

    def renew(self, edition: str, title: str, *, owner: str, expiry: float) -> frozenset[str]:
        """Extend ``owner``'s claims on this edition; the readers it still holds."""
        with self._write() as conn:
            rows = conn.execute(
                f"UPDATE {_CLAIMS} SET expires_at = ({_NOW}) + %s WHERE edition = %s AND "
                "title = %s AND owner = %s RETURNING reader",
                (expiry, edition, title, owner)).fetchall()
        return frozenset(str(r[0]) for r in rows)

    def release(self, edition: str, title: str, readers: Sequence[str], *, owner: str) -> None:
        """Drop ``owner``'s claims on ``readers``."""
        with self._write() as conn:
            conn.execute(f"DELETE FROM {_CLAIMS} WHERE edition = %s AND title = %s AND "
                         "owner = %s AND reader = ANY(%s)", (edition, title, owner, list(readers)))

    @contextmanager
    def sending(self, *, exclusive: bool) -> Iterator[None]:
        """The ledger's advisory lock on this connection, shared or ``exclusive`` (see
        ``Ledger.sending``)."""
        shared = not exclusive
        try:
            taken = postgres_db.try_lock(self._conn, "ledger", shared=shared)
            who = "" if taken else postgres_db.holder(self._conn, "ledger")
        except psycopg.Error as exc:
            raise DeliveryError(f"{self.where}: cannot hold the send ledger: {exc}") from None
        if not taken:
            raise BusyError(sending_busy(shared=shared, where=who))
        try:
            yield
        finally:
            postgres_db.unlock(self._conn, "ledger", shared=shared)

    # --- the connection ---------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[psycopg.Connection]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        try:
            with self._conn.transaction():
                yield self._conn
        except psycopg.Error as exc:
            raise DeliveryError(f"{self.where}: cannot write the send ledger: "
                                f"{postgres_db.first_line(exc)}") from None

    def _query(self, query: str, args: tuple[str, ...]) -> psycopg.Cursor[Any]:
        try:
            return self._conn.execute(query, args)
        except psycopg.Error as exc:
            raise DeliveryError(f"{self.where}: cannot read the send ledger: "
                                f"{postgres_db.first_line(exc)}") from None


def _sent(conn: psycopg.Connection, key: tuple[str, str, str]) -> bool:
    return conn.execute(f"SELECT 1 FROM {_SENT} WHERE {_KEY}", key).fetchone() is not None


def _value(cursor: psycopg.Cursor[Any]) -> float:
    row = cursor.fetchone()
    assert row is not None  # SELECT of one expression gives one row
    return float(row[0])


def _connect(url: str) -> psycopg.Connection:
    try:
        return postgres_db.connect(url, url)
    except InputError as exc:
        raise DeliveryError(f"cannot open the send ledger: {exc}") from None


def open_postgres_ledger(url: str) -> PostgresLedger:
    """Open the ledger in the database at ``url`` for writing, creating (or migrating) its
    tables when they are missing. A ledger written by a newer briefing is an error."""
    conn = _connect(url)
    try:
        postgres_db.migrate(conn, "ledger", MIGRATIONS, url)
    except (InputError, psycopg.Error) as exc:
        conn.close()
        raise DeliveryError(f"{url}: the send ledger is unreadable: "
                            f"{postgres_db.first_line(exc)}") from None
    return PostgresLedger(conn, url)


def read_postgres_ledger(url: str) -> PostgresLedger | None:
    """The ledger at ``url`` opened read-only (the session refuses writes), or None when there
    is none yet: nothing is created by looking."""
    conn = _connect(url)
    try:
        row = conn.execute("SELECT to_regclass(%s)", (_SENT,)).fetchone()
        if row is None or row[0] is None:
            conn.close()
            return None
        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    except psycopg.Error as exc:
        conn.close()
        raise DeliveryError(f"{url}: the send ledger is unreadable: "
                            f"{postgres_db.first_line(exc)}") from None
    return PostgresLedger(conn, url)
