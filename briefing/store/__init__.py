"""store: what is kept between runs: articles read, their segmentation and annotations, the
passage index, the evidence tables, the send ledger, the fetch state.

Takes and gives the records of :mod:`briefing.models` through typed interfaces (the ``Store``
protocol, the ledger); SQLite files in the workspace's ``.briefing/`` are the embedded
implementation. The only package that writes SQL.

    sqlite.py     the embedded store (SQLite, FTS5)
    ledger/       the send ledger: which reader was sent which edition (interface, SQLite)
    fetchstate.py what ``briefing fetch`` has fetched
    cachekeys.py  the version of every kept result, derived from the code; the names kept under
    locks.py      an exclusive lock file for a command that must not run twice at once

Must not touch: the config's meaning, the outputs, the network.

``Store`` and ``SqliteStore`` are importable from here as before the package was split.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefing.store.sqlite import SqliteStore, Store

__all__ = ["SqliteStore", "Store"]


def __getattr__(name: str) -> Any:
    # Imported on first use (PEP 562): ``import briefing.store.cachekeys`` stays cheap.
    sqlite = importlib.import_module("briefing.store.sqlite")
    try:
        return getattr(sqlite, name)
    except AttributeError:
        raise AttributeError(f"module 'briefing.store' has no attribute {name!r}") from None
