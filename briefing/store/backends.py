"""Which implementation keeps what a config names: the one place a backend is chosen.

``config.store`` names where everything kept between runs lives; today that is a folder,
and the embedded implementations keep their SQLite files there. Every opener outside
``store/`` goes through here (``ingest`` for the store, ``harvest`` for the fetch state), so a
new backend is a new branch in these functions and nothing else changes. The send ledger is
opened here too once it has an implementation of its own beside SQLite's (today
``deliver`` opens ``store.ledger`` by the folder).
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


def open_store(config: Config, *, fingerprint: str,
               warn: Callable[[str], None] | None = None,
               timeout: float | None = None) -> Store:
    """The store ``config`` names, opened and locked for this process (see
    :mod:`briefing.store.interface`): ``fingerprint`` names the code filling it (a store of
    other code is emptied), ``warn`` hears of damage found in it (and the rebuild),
    ``timeout`` is how long to wait for another build's lock (None: ``BRIEFING_LOCK_TIMEOUT``)."""
    return SqliteStore(config.store, fingerprint=fingerprint, warn=warn, timeout=timeout)


@contextmanager
def fetch_state(config: Config) -> Iterator[FetchState]:
    """The fetch state of ``config``'s store, created when missing, with the fetch lock held
    for as long as it is open (a second fetch gets :class:`~briefing.errors.BusyError` at
    once); an unreadable one is an :class:`~briefing.errors.InputError`, left as it is."""
    with sqlite_fetch.lock(config.store), sqlite_fetch.open_state(config.store) as state:
        yield state
