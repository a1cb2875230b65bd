"""Lock files for what must not run twice at once on one store.

``flock`` on a file beside the store, released by the kernel when the process dies, so a killed
run never leaves a stale lock behind. :func:`exclusive` is taken without waiting: ``briefing
send`` (the ledger) and ``briefing fetch`` (the fetch state) each hold one of their own.
:func:`hold` waits a while: the embedded store's lock, held by one build at a time.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from briefing.errors import BriefingError, BusyError


@contextmanager
def exclusive(path: Path, busy: str, failed: type[BriefingError], *,
              shared: bool = False) -> Iterator[Path]:
    """Hold the lock at ``path`` for the duration, or raise :class:`BusyError` with ``busy``
    at once when another process holds it; ``failed`` is raised when the file cannot be made.
    ``shared``: a hold that other shared holds may share and only an exclusive one excludes."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise failed(f"{path}: cannot create the lock file: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BusyError(f"{path}: {busy}") from None
        if not shared:
            # The holder's pid, for a person looking at the file; the flock is what counts.
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the flock


DEFAULT_LOCK_TIMEOUT = 10.0


def lock_timeout(default: float = DEFAULT_LOCK_TIMEOUT) -> float:
    """Seconds a build waits for another one to release the store (``BRIEFING_LOCK_TIMEOUT``,
    else ``default``)."""
    raw = os.environ.get("BRIEFING_LOCK_TIMEOUT", "")
    try:
        return max(0.0, float(raw)) if raw.strip() else default
    except ValueError:
        return default


# Locks this process holds, by lock file: (fd, users). The lock keeps other processes out; stores
# opened twice in one process (a command that reads the corpus twice) share it.
_HELD: dict[str, tuple[int, int]] = {}


def hold(path: Path, timeout: float, busy: Callable[[str], str]) -> str:
    """Take the lock at ``path``, waiting up to ``timeout`` seconds for another process to
    release it, then :class:`BusyError` with ``busy(who)`` (``who``: " (process PID)" naming
    the holder, or ''); returns the name to :func:`release` it by. Taken again by the process
    holding it, it is shared."""
    name = os.path.realpath(path)
    if name in _HELD:
        fd, users = _HELD[name]
        _HELD[name] = (fd, users + 1)
        return name
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
                os.close(fd)
                who = f" (process {holder})" if holder.isdigit() else ""
                raise BusyError(busy(who)) from None
            time.sleep(0.1)
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    _HELD[name] = (fd, 1)
    return name


def release(name: str) -> None:
    """Give up one use of a lock :func:`hold` took (the last one closes it)."""
    if name not in _HELD:
        return  # a copy of the store in a forked child: its lock was never this process's
    fd, users = _HELD.pop(name)
    if users > 1:
        _HELD[name] = (fd, users - 1)
    else:
        os.close(fd)


def _forget_locks() -> None:
    """In a process just forked from a lock holder: close the copies of its lock descriptors.
    A flock belongs to the open file, which a fork shares: a child that kept its copy (an
    ingestion worker outliving a build killed with SIGKILL) would hold the store's lock for as
    long as it lives. Closing the copy leaves the parent's lock as it was."""
    for fd, _ in _HELD.values():
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_locks)
