"""The embedded store: one SQLite file (WAL mode, FTS5) in the workspace's ``.briefing/``.

:class:`SqliteStore` is the :class:`~briefing.store.interface.Store` (whose docstring says what
a store keeps and promises) over :class:`~briefing.store.sqlite_tables.SqliteTables`; the
schema and what damage looks like to SQLite are in ``sqlite_db``, the passage index in
``sqlite_index``. A file written by another schema or another version of the reading code
(``fingerprint``) is deleted and made again without asking; a damaged one, with one warning.

One build at a time holds the lock file beside the database (``fcntl.flock``); a second one waits
``lock_timeout`` seconds and then gives up with :class:`~briefing.errors.BusyError`. The lock
lives exactly as long as the process that took it: the kernel releases a flock when its last
descriptor closes, and a process forked from the holder (an ingestion worker) closes its copy at
once (``locks._forget_locks``), so no child can keep a build's lock after the build has died.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from briefing.store import locks
from briefing.store.front import StoreFront
from briefing.store.sqlite_tables import SqliteTables

DB_NAME = "store.sqlite"
LOCK_NAME = "store.lock"


class SqliteStore(StoreFront):
    """The store in one SQLite file with a lock file beside it."""

    def __init__(self, directory: Path, *, fingerprint: str = "",
                 timeout: float | None = None,
                 warn: Callable[[str], None] | None = None) -> None:
        """Open (or create, or rebuild) the store in ``directory`` and take its lock.
        ``fingerprint`` names the code that filled it: another one means a rebuild. ``warn``
        is told, in one line, when the store is found damaged and rebuilt."""
        self.directory = directory
        self.fingerprint = fingerprint
        tables = SqliteTables(directory / DB_NAME, fingerprint)
        directory.mkdir(parents=True, exist_ok=True)
        lock = locks.hold(
            directory / LOCK_NAME, locks.lock_timeout() if timeout is None else timeout,
            lambda who: f"another briefing build is using the store {directory}{who}; "
                        "try again when it has finished")
        super().__init__(tables, warn, partial(locks.release, lock))

    @property
    def path(self) -> Path:
        return self.directory / DB_NAME
