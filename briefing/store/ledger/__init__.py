"""The send ledger: which reader was sent which edition, and which sender holds which reader
now, kept so nothing is sent twice.

    interface.py  what a ledger promises: its records, the ``Ledger`` protocol (reads,
                  claims, writes, one transaction each), the one-at-a-time hold
    sqlite.py     the embedded implementation: ``<store>/ledger.sqlite``, ``flock`` for the hold
    postgres.py   the team's: tables in the store's PostgreSQL database, an advisory lock

Open one with :func:`open_ledger` (writable, created when missing) or :func:`read_ledger`
(read-only; None when there is no ledger yet), SQLite's in a store folder; what a config names,
either backend, with ``store.backends.open_ledger`` / ``read_ledger``. Callers see the
``Ledger`` interface only; ``postgres.py`` (psycopg) is imported only for a PostgreSQL store.
"""

from __future__ import annotations

from pathlib import Path

from briefing.store.ledger.interface import Claim, Claimed, Ledger, SentRecord
from briefing.store.ledger.sqlite import (
    LEDGER_NAME,
    ledger_path,
    open_sqlite_ledger,
    read_sqlite_ledger,
    send_lock,
)

__all__ = ["LEDGER_NAME", "Claim", "Claimed", "Ledger", "SentRecord", "ledger_path",
           "open_ledger", "read_ledger", "send_lock"]


def open_ledger(store: Path) -> Ledger:
    """The store's ledger, open for writing (created, with the store folder, when missing). A
    ledger that cannot be read is an error, never replaced: it is the only record of what was
    sent."""
    return open_sqlite_ledger(store)


def read_ledger(store: Path) -> Ledger | None:
    """The store's ledger opened read-only, or None when there is none yet: a build or a dry
    run may consult the ledger but never creates or changes it."""
    return read_sqlite_ledger(store)
