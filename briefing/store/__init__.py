"""store: what is kept between runs: articles read, their segmentation and annotations, the
passage index, the evidence tables, the send ledger, the fetch state.

Takes and gives the records of :mod:`briefing.models` through typed interfaces (the ``Store``
protocol, the fetch state's, the ledger); SQLite files in the workspace's ``.briefing/`` are
the embedded implementation, a PostgreSQL database (``store: postgresql://...``) a team's. The
only package that writes SQL or imports a database driver.

    interface.py     the Store protocol and the records it takes and gives; what a store
                     promises (one build at a time, transactions, generations, integrity)
    backends.py      which implementation a config names: ``open_store``, ``fetch_state``
    front.py         what every store does the same over its backend's tables
    heal.py          damage becomes a rebuild
    snapshot.py      the file table as a warm build reads it (a kept snapshot and delta)
    codec.py         payloads and rows as every backend writes them, with their CRCs
    sqlite.py        the embedded store (SQLite): ``SqliteStore``
    sqlite_db.py     its schema, connection, transactions, and what damage is to SQLite
    sqlite_tables.py its tables: files, articles, passages, annotations, kept results
    sqlite_index.py  its passage index (FTS5)
    postgres.py      a team's store (PostgreSQL): ``PostgresStore``
    postgres_db.py   its connections, advisory locks, versioned schema, what damage is to it
    postgres_tables.py  its tables (and their migrations)
    postgres_index.py   its passage index (tsvector, GIN)
    url.py           what ``store:`` may say: a folder or a server's URL (the config's check)
    fetchstate.py    what ``briefing fetch`` has fetched: the interface and the keys
    sqlite_fetch.py  the fetch state in SQLite
    postgres_fetch.py   the fetch state in PostgreSQL
    ledger/          the send ledger: which reader was sent which edition, which sender
                     holds which reader (interface, SQLite)
    cachekeys.py     the version of every kept result, derived from the code; the names kept under
    locks.py         lock files for what must not run twice at once on one store

Add a backend: an implementation of ``front.Tables`` (and of ``FetchState``), a branch in
``backends.py``, and an entry in ``tests/store_backends.py`` so the contract suite runs on it.
Must not touch: the config's meaning, the outputs, the network (but the PostgreSQL server a
``store:`` URL names).

``Store``, ``SqliteStore`` and ``open_store`` are importable from here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefing.store.backends import fetch_state, open_store
    from briefing.store.interface import Store
    from briefing.store.sqlite import SqliteStore

__all__ = ["SqliteStore", "Store", "fetch_state", "open_store"]

_HOMES = {"Store": "interface", "SqliteStore": "sqlite", "open_store": "backends",
          "fetch_state": "backends"}


def __getattr__(name: str) -> Any:
    # Imported on first use (PEP 562): ``import briefing.store.cachekeys`` stays cheap.
    if name not in _HOMES:
        raise AttributeError(f"module 'briefing.store' has no attribute {name!r}")
    return getattr(importlib.import_module(f"briefing.store.{_HOMES[name]}"), name)
