"""Which implementation keeps what a config names: the one place a backend is chosen.

``store:`` in the config names a folder (the embedded store: SQLite files in it) or a server
(``postgresql://user@host/db``: ``config.store_url``; the folder, ``config.store``, then keeps
only what stays on this machine). Every opener outside ``store/`` goes through here
(``ingest`` for the store, ``harvest`` for the fetch state), so a new backend is a new branch
in these functions and nothing else changes. The send ledger's opener belongs here too, beside
these, once it has a PostgreSQL implementation (today ``deliver`` opens ``store.ledger`` in
``config.store``, the folder, whatever the backend).

PostgreSQL's modules (and psycopg, the team extra) are imported only by a config naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from briefing.store import sqlite_fetch
from briefing.store.fetchstate import FetchState
from briefing.store.interface import Store
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
