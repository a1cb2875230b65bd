"""A PostgreSQL store's database: connections, what damage looks like to PostgreSQL, the
advisory locks, and the versioned schema briefing creates and migrates.

Everything briefing keeps lives in the schema ``briefing`` of the database the URL names, so
it can share a database with other things. Each part (the store, the fetch state, the send
ledger) has its own list of migrations and its own row in
``briefing.versions``; opening a part applies what it lacks, in one transaction under the
schema lock, so two processes opening a new database at once do not both create it. A part
written by a newer briefing is an error, never downgraded.

"One at a time" is a session-level advisory lock (``pg_try_advisory_lock``) on a key of its
own, taken on a connection kept for it: released when the holder closes it or its connection
dies (a killed build never leaves it behind), never a lock on tables or on the database.
"""

from __future__ import annotations

import itertools
import os
import socket
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import psycopg
from psycopg import sql

from briefing.errors import BusyError, InputError
from briefing.store.heal import guarded_by
from briefing.store.interface import StoreCorrupt

SCHEMA = "briefing"
#: the advisory lock keys (classid, objid): one namespace for briefing, one key per lock
LOCK_SPACE = 0x62726566  # "bref"
LOCKS = {"schema": 1, "store": 2, "fetch": 3, "ledger": 4}
# SQLSTATEs saying the data or an index is damaged (class XX: internal errors)
_CORRUPT_STATES = frozenset({"XX001", "XX002"})

Migration = Sequence[str]  # the statements taking a part from one version to the next

# Connections this process opened, to be made harmless in a forked child (``_after_fork``)
_OPEN: weakref.WeakSet[psycopg.Connection] = weakref.WeakSet()


def connect(url: str, what: str) -> psycopg.Connection:
    """A connection (autocommit: each transaction is opened explicitly) to ``url``, named in
    ``pg_stat_activity`` after this host and process so a busy message can say who holds a
    lock. ``what`` names the store in the error when the server cannot be reached."""
    try:
        conn = psycopg.connect(url, autocommit=True,
                               application_name=f"briefing {os.getpid()} {socket.gethostname()}")
    except psycopg.Error as exc:
        raise InputError(f"{what}: cannot connect: {first_line(exc)}") from None
    _OPEN.add(conn)
    return conn


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _after_fork() -> None:
    """In a process forked from one with connections open (an ingestion worker): point each
    connection's socket at /dev/null. The child never uses them, but closing one (when it is
    collected) would send the server a goodbye on the parent's session and end it."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        for conn in list(_OPEN):
            try:
                os.dup2(devnull, conn.fileno())
            except (OSError, psycopg.Error):
                pass
    finally:
        os.close(devnull)
    _OPEN.clear()
    _HELD.clear()


os.register_at_fork(after_in_child=_after_fork)


@contextmanager
def guard() -> Iterator[None]:
    """Turn damage reported by the server into StoreCorrupt (the store heals), and a lost
    connection (the server stopped, the network gone) into one line for the user; other errors
    pass."""
    try:
        yield
    except psycopg.Error as exc:
        if exc.sqlstate in _CORRUPT_STATES:
            raise StoreCorrupt(first_line(exc)) from exc
        if isinstance(exc, psycopg.OperationalError):
            raise InputError(f"the PostgreSQL store failed: {first_line(exc)}") from None
        raise


#: a method run under :func:`guard`
guarded = guarded_by(guard)


# --- Advisory locks ---------------------------------------------------------------------------

# Locks this process holds, by (url, lock): (connection, users). A store opened twice in one
# process (a command that reads the corpus twice) shares its lock, as on SQLite.
_HELD: dict[tuple[str, str], tuple[psycopg.Connection, int]] = {}
_UNSHARED = itertools.count(1)


def hold(url: str, lock: str, timeout: float, busy: Callable[[str], str], *,
         shared: bool = True) -> tuple[str, str]:
    """Take the advisory lock ``lock`` of the database at ``url``, waiting up to ``timeout``
    seconds, then :class:`BusyError` with ``busy(who)`` (``who``: " (process PID on HOST)"
    naming the holder, or ''); returns the name to :func:`release` it by. Taken again by
    this process, a ``shared`` lock is shared; another is busy, as for another process."""
    name = (url, lock if shared else f"{lock} {next(_UNSHARED)}")
    if name in _HELD:
        conn, users = _HELD[name]
        _HELD[name] = (conn, users + 1)
        return name
    conn = connect(url, url)
    deadline = time.monotonic() + timeout
    try:
        while not try_lock(conn, lock):
            if time.monotonic() >= deadline:
                raise BusyError(busy(holder(conn, lock)))
            time.sleep(0.1)
    except BaseException:
        conn.close()
        raise
    _HELD[name] = (conn, 1)
    return name


def try_lock(conn: psycopg.Connection, lock: str, *, shared: bool = False) -> bool:
    """Take the session advisory lock ``lock`` on ``conn`` if no other session excludes it
    (``shared``: PostgreSQL's shared mode, held by many sessions at once); never waits."""
    call = "pg_try_advisory_lock_shared" if shared else "pg_try_advisory_lock"
    row = conn.execute(f"SELECT {call}(%s, %s)", (LOCK_SPACE, LOCKS[lock])).fetchone()
    return bool(row and row[0])


def unlock(conn: psycopg.Connection, lock: str, *, shared: bool = False) -> None:
    """Give up a lock :func:`try_lock` took on ``conn`` (a session already gone has none)."""
    call = "pg_advisory_unlock_shared" if shared else "pg_advisory_unlock"
    try:
        conn.execute(f"SELECT {call}(%s, %s)", (LOCK_SPACE, LOCKS[lock]))
    except psycopg.Error:
        pass  # the session is gone already, and its locks with it


def holder(conn: psycopg.Connection, lock: str) -> str:
    """Who holds ``lock``, for a busy message: " (process PID on HOST)", or ''."""
    row = conn.execute(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s "
        "AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database "
        "WHERE datname = current_database())", (LOCK_SPACE, LOCKS[lock])).fetchone()
    parts = str(row[0]).split() if row else []
    if len(parts) == 3 and parts[0] == "briefing" and parts[1].isdigit():
        return f" (process {parts[1]} on {parts[2]})"
    return ""


def release(name: tuple[str, str]) -> None:
    """Give up one use of a lock :func:`hold` took (the last one unlocks it, at once: a
    connection's locks are only released once the server has seen it go, a moment later)."""
    if name not in _HELD:
        return  # a copy in a forked child: the lock was never this process's
    conn, users = _HELD.pop(name)
    if users > 1:
        _HELD[name] = (conn, users - 1)
        return
    try:
        unlock(conn, name[1].split()[0])
    finally:
        conn.close()


# --- The versioned schema ---------------------------------------------------------------------


def migrate(conn: psycopg.Connection, part: str, migrations: Sequence[Migration],
            what: str) -> None:
    """Bring ``part``'s tables to the last of ``migrations`` (version ``i + 1`` is made by
    ``migrations[i]``), in one transaction under the schema lock."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_SPACE, LOCKS["schema"]))
        # each made only when missing: a role may use a schema an administrator made for it
        # without the right to create one in the database
        if conn.execute("SELECT to_regnamespace(%s)", (SCHEMA,)).fetchone() == (None,):
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
        if conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.versions",)).fetchone() == (None,):
            conn.execute(f"CREATE TABLE {SCHEMA}.versions("
                         "part TEXT PRIMARY KEY, version INTEGER NOT NULL)")
        row = conn.execute(f"SELECT version FROM {SCHEMA}.versions WHERE part = %s",
                           (part,)).fetchone()
        have = int(row[0]) if row else 0
        if have > len(migrations):
            raise InputError(f"{what}: its {part} was written by a newer briefing (schema "
                             f"{have}); upgrade briefing to use it")
        for statements in migrations[have:]:
            for statement in statements:
                conn.execute(statement.replace("{s}", SCHEMA))
        if have < len(migrations):
            conn.execute(f"INSERT INTO {SCHEMA}.versions VALUES (%s, %s) ON CONFLICT (part) "
                         "DO UPDATE SET version = excluded.version", (part, len(migrations)))
