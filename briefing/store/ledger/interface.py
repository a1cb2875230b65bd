"""What a send ledger promises, whatever keeps it: the records it holds, and the meaning of
each read, claim and write (the ``Ledger`` protocol).

A ledger answers one question for ``briefing send``: has this (edition, title, reader) been
accepted by the SMTP server already? It is the only record of that, so it is never rebuilt
and never guessed. Beside the rows of what was sent, it holds **claims**: a reader taken by
one sender (an ``owner``, one per run) for one edition, so that two senders working on one
ledger share the readers instead of both mailing them. A claim lasts ``expiry`` seconds from
when it was made or last renewed, by the ledger's own clock; a claim left by a sender that
was killed (or stalled past its expiry) may then be taken by another.

Transactions: every write (:meth:`Ledger.claim`, :meth:`Ledger.renew`, :meth:`Ledger.record`,
:meth:`Ledger.release`) is one transaction, atomic against every other connection to the same
ledger, and durable when it returns; every read sees only committed writes. Two ledgers opened
on the same storage (two processes, two machines) never both get a claim on one reader while
it lasts. One-at-a-time work (a forced resend) holds :meth:`Ledger.sending` exclusively;
ordinary sends hold it shared.

An implementation is one class: SQLite's is ``sqlite.SqliteLedger`` (a file beside the
store, ``flock`` for :meth:`sending`); PostgreSQL's is ``postgres.PostgresLedger`` (tables
in the store's database, claims by ``INSERT ... ON CONFLICT`` with an expiry check in one
transaction, :meth:`sending` a session advisory lock, shared or not, the clock the server's).
``tests/test_ledger_contract.py`` is the suite every implementation passes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, Self

__all__ = ["Claim", "Claimed", "Ledger", "SentRecord", "sending_busy"]


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


@dataclass(frozen=True)
class Claim:
    """A reader held by one sender (``owner``) for one edition, until ``expires_at`` (seconds
    since the epoch, by the ledger's clock)."""

    edition: str
    title: str
    reader: str
    owner: str
    expires_at: float


@dataclass(frozen=True)
class Claimed:
    """What :meth:`Ledger.claim` found among the readers it looked at, each in the order
    given: ``mine`` now claimed for the caller, ``sent`` already in the ledger, ``held`` claimed
    by another sender whose claim has not expired; ``wait``: seconds until the first of those
    claims expires (0 when none is held)."""

    mine: tuple[str, ...] = ()
    sent: tuple[str, ...] = ()
    held: tuple[str, ...] = ()
    wait: float = 0.0


class ConnectionLedger:
    """What every ledger over one database connection does alike: the reads (the same SQL
    over each backend's tables), closing the connection, and, as a context manager, closing it
    on the way out. Implementations set ``_conn``, name their tables (``_SENT``, ``_CLAIMS``)
    and parameter mark (``_MARK``: "?" or "%s"), and give ``_query`` (a read, its errors as
    :class:`DeliveryError`)."""

    _conn: Any
    _SENT: str
    _CLAIMS: str
    _MARK: str
    _RECORD: str  # the upsert of a sent row: (edition, title, reader, recipient, id, time)

    def _query(self, sql: str, args: tuple[str, ...]) -> Any:
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Any]:
        """One write transaction over the connection (the backend's), its errors as
        :class:`DeliveryError`."""
        raise NotImplementedError

    def record(self, edition: str, title: str, reader: str, *, recipient: str, message_id: str,
               sent_at: dt.datetime | None = None) -> None:
        """Note that the server accepted this edition for this reader, in its own committed
        transaction, so the row survives a crash a moment later; drop the claims on it. A
        second record of the same (edition, reader), a deliberate ``--force``, counts the
        send instead of failing."""
        when = (sent_at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        with self._write() as conn:
            conn.execute(self._RECORD, (edition, title, reader, recipient, message_id, when))
            conn.execute(f"DELETE FROM {self._CLAIMS} WHERE {self._key()}",
                         (edition, title, reader))

    def _key(self) -> str:
        return f"edition = {self._MARK} AND title = {self._MARK} AND reader = {self._MARK}"

    def _rows(self) -> str:
        return ("SELECT edition, title, reader, recipient, message_id, sent_at, sends "
                f"FROM {self._SENT}")

    def has(self, edition: str, title: str, reader: str) -> bool:
        """Whether the server already accepted this edition for this reader."""
        return self._query(f"SELECT 1 FROM {self._SENT} WHERE {self._key()}",
                           (edition, title, reader)).fetchone() is not None

    def get(self, edition: str, title: str, reader: str) -> SentRecord | None:
        """The row for (edition, reader), or None when it was never sent."""
        row = self._query(f"{self._rows()} WHERE {self._key()}",
                          (edition, title, reader)).fetchone()
        return SentRecord(*row) if row else None

    def last_edition(self, title: str, reader: str, before: str | None = None) -> str | None:
        """The latest edition date sent to ``reader`` (strictly before ``before`` when given)."""
        sql = f"SELECT max(edition) FROM {self._SENT} WHERE title = {self._MARK} " \
              f"AND reader = {self._MARK}"
        args: tuple[str, ...] = (title, reader)
        if before is not None:
            sql += f" AND edition < {self._MARK}"
            args += (before,)
        row = self._query(sql, args).fetchone()
        return str(row[0]) if row and row[0] else None

    def records(self) -> list[SentRecord]:
        """Every row, oldest edition first, then by reader."""
        return [SentRecord(*row) for row in
                self._query(f"{self._rows()} ORDER BY edition, reader", ()).fetchall()]

    def claims(self) -> list[Claim]:
        """Every claim held, expired or not, by edition, then reader."""
        rows = self._query(f"SELECT edition, title, reader, owner, expires_at FROM "
                           f"{self._CLAIMS} ORDER BY edition, reader", ()).fetchall()
        return [Claim(*row) for row in rows]

    def close(self) -> None:
        """Close the connection (every write is already committed)."""
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Ledger(Protocol):
    """An open send ledger: one connection to it. Writable when opened by ``open_ledger``;
    read-only from ``read_ledger``, where every write raises :class:`DeliveryError`, as every
    failure to read or write does."""

    #: where the ledger is, for messages (never with a password)
    where: str

    def close(self) -> None:
        """Close the connection (every write is already committed)."""

    def __enter__(self) -> Self: ...

    def __exit__(self, *_: object) -> None: ...

    # --- reads --------------------------------------------------------------------------

    def has(self, edition: str, title: str, reader: str) -> bool:
        """Whether the server already accepted this edition for this reader."""
        ...

    def get(self, edition: str, title: str, reader: str) -> SentRecord | None:
        """The row for (edition, reader), or None when it was never sent."""
        ...

    def last_edition(self, title: str, reader: str, before: str | None = None) -> str | None:
        """The latest edition date sent to ``reader`` (strictly before ``before`` when given),
        which is what a reader's ``since: last-edition`` window starts from."""
        ...

    def records(self) -> list[SentRecord]:
        """Every row, oldest edition first, then by reader (for reports and tests)."""
        ...

    def claims(self) -> list[Claim]:
        """Every claim held, expired or not, by edition, then reader."""
        ...

    # --- writes: one transaction each ---------------------------------------------------

    def claim(self, edition: str, title: str, readers: Sequence[str], *, owner: str,
              expiry: float, limit: int, force: bool = False) -> Claimed:
        """Claim for ``owner`` the first ``limit`` of ``readers`` that are neither sent nor
        held by another owner's unexpired claim, each for ``expiry`` seconds, in one
        transaction; the readers before the last one claimed are reported as sent or held.
        A claim of another owner that has expired is taken over; ``owner``'s own claims are
        renewed. ``force`` (the caller holds :meth:`sending` exclusively, so no other sender is
        alive): claim them whatever the ledger says."""
        ...

    def renew(self, edition: str, title: str, *, owner: str, expiry: float) -> frozenset[str]:
        """Extend every claim ``owner`` still holds on this edition to ``expiry`` seconds from
        now; return the readers it still holds (a reader missing was taken over after its
        claim expired, or recorded by another sender)."""
        ...

    def record(self, edition: str, title: str, reader: str, *, recipient: str, message_id: str,
               sent_at: dt.datetime | None = None) -> None:
        """Note that the server accepted this edition for this reader and drop every claim
        on it, in one transaction, durable before it returns. A second record of the same
        (edition, reader), a deliberate ``--force``, counts the send instead of failing."""
        ...

    def release(self, edition: str, title: str, readers: Sequence[str], *, owner: str) -> None:
        """Drop ``owner``'s claims on ``readers`` (not delivered: another sender, or the next
        run, may try them at once)."""
        ...

    def sending(self, *, exclusive: bool) -> AbstractContextManager[None]:
        """Hold the ledger for sending for the duration: shared by every ordinary send, or
        ``exclusive`` (a forced resend, which must run alone); raise :class:`BusyError` at
        once when another holder excludes this one. Released when its process dies."""
        ...


def sending_busy(*, shared: bool, where: str = "") -> str:
    """What :meth:`Ledger.sending` says when another holder excludes this one (``shared``:
    an ordinary send meeting a forced one); ``where`` (" (process PID on HOST)") names the
    holder when it is known."""
    if not shared:
        return (f"another `briefing send`{where} is running on this store, and a forced resend "
                "(--force) runs alone; wait for it to finish")
    return (f"another `briefing send` (a forced resend, which runs alone){where} is running on "
            "this store; wait for it to finish")
