"""The store in PostgreSQL, for a team: ``store: postgresql://user@host/db`` in the config.

:class:`PostgresStore` is the :class:`~briefing.store.interface.Store` over
:class:`~briefing.store.postgres_tables.PostgresTables`, with the same contract as the embedded
store and the same results: one build at a time (an advisory lock, not a lock on the
database: see ``postgres_db``), each write one transaction, damage the server reports (or a
payload failing its check) healed by emptying the store's tables and refilling them. The
schema is created and migrated by briefing (``postgres_tables.MIGRATIONS``); the password
comes from libpq (``PGPASSWORD``, ``~/.pgpass``), never from the config.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from briefing.store import locks, postgres_db
from briefing.store.front import StoreFront
from briefing.store.postgres_tables import PostgresTables


class PostgresStore(StoreFront):
    """The store in the database at ``url`` (its schema ``briefing``)."""

    def __init__(self, url: str, *, fingerprint: str = "", timeout: float | None = None,
                 warn: Callable[[str], None] | None = None) -> None:
        """Connect, take the store's lock (waiting ``timeout`` seconds, default
        ``BRIEFING_LOCK_TIMEOUT``), create or migrate the schema, and empty a store filled by
        other code (``fingerprint``). ``warn`` is told, in one line, of a rebuild."""
        self.url = url
        self.fingerprint = fingerprint
        lock = postgres_db.hold(
            url, "store", locks.lock_timeout() if timeout is None else timeout,
            lambda who: f"another briefing build is using the store {url}{who}; "
                        "try again when it has finished")
        try:
            tables = PostgresTables(url, fingerprint, postgres_db.connect(url, url))
        except BaseException:
            postgres_db.release(lock)
            raise
        super().__init__(tables, warn, partial(postgres_db.release, lock))
