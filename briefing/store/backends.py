"""Which implementation keeps what a config names: the one place a backend is chosen.

``store:`` in the config names a folder (the embedded store: SQLite files in it) or a server
(``postgresql://user@host/db``: ``config.store_url``; the folder, ``config.store``, then keeps
only what stays on this machine). Every opener outside ``store/`` goes through here
(``ingest`` for the store, ``harvest`` for the fetch state, ``deliver`` and ``judge`` for the
send ledger), so a new backend is a new branch in these functions and nothing else changes.

PostgreSQL's modules (and psycopg, the team extra) are imported only by a config naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from briefing.store import ledger, sqlite_fetch
from briefing.store.fetchstate import FetchState
from briefing.store.interface import Store
from briefing.store.ledger import Ledger
from briefing.store.sqlite import SqliteStore

if TYPE_CHECKING:
    from briefing.config.model import Config


def backend(config: Config) -> str:
    """The name of the backend ``config`` keeps its store in: ``sqlite`` or ``postgresql``."""
    return "postgresql" if config.store_url else "sqlite"


def open_store(config: Config, *, fingerprint: str,
               warn: Callable[[str], None] | None = None,
               timeout: float | None = None) -> Store:
    """The store ``config`` names, opened and locked for this process (see
    :mod:`briefing.store.interface`): ``fingerprint`` names the code filling it (a store of
    other code is emptied), ``warn`` hears of damage found in it (and the rebuild),
    ``timeout`` is how long to wait for another build's lock (None: ``BRIEFING_LOCK_TIMEOUT``)."""
    if config.store_url:
        from briefing.store.postgres import PostgresStore  # psycopg: only for a team's store

        return PostgresStore(config.store_url, fingerprint=fingerprint, warn=warn,
                             timeout=timeout)
    return SqliteStore(config.store, fingerprint=fingerprint, warn=warn, timeout=timeout)


@contextmanager
def fetch_state(config: Config) -> Iterator[FetchState]:
    """The fetch state of ``config``'s store, created when missing, with the fetch lock held
    for as long as it is open (a second fetch gets :class:`~briefing.errors.BusyError` at
    once); an unreadable one is an :class:`~briefing.errors.InputError`, left as it is."""
    if config.store_url:
        from briefing.store.postgres_fetch import PostgresFetchState  # as for open_store

        with PostgresFetchState(config.store_url) as state:
            yield state
        return
    with sqlite_fetch.lock(config.store), sqlite_fetch.open_state(config.store) as state:
        yield state


def open_ledger(config: Config) -> Ledger:
    """The send ledger of ``config``'s store, open for writing (created when missing): in the
    PostgreSQL database when the store is there, else ``ledger.sqlite`` in the store folder."""
    if config.store_url:
        from briefing.store.ledger.postgres import open_postgres_ledger  # as for open_store

        return open_postgres_ledger(config.store_url)
    return ledger.open_ledger(config.store)


def read_ledger(config: Config) -> Ledger | None:
    """The send ledger of ``config``'s store opened read-only, or None when there is none yet
    (see :func:`briefing.store.ledger.read_ledger`)."""
    if config.store_url:
        from briefing.store.ledger.postgres import read_postgres_ledger  # as for open_store

        return read_postgres_ledger(config.store_url)
    return ledger.read_ledger(config.store)
