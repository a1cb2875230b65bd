"""An exclusive lock file for a command that must not run twice at once on one store.

``flock`` on a file beside the store, taken without waiting and released by the kernel when the
process dies, so a killed run never leaves a stale lock behind. ``briefing send`` (the ledger)
and ``briefing fetch`` (the fetch state) each hold one of their own.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
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
