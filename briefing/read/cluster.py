"""The per-article work on a Dask distributed cluster (``build --scheduler tcp://HOST:PORT``).

Without a scheduler a build reads new files on this machine's cores (``worker``). With one, the
same function, ``worker.ingest_chunk``, runs on the cluster's workers chunk by chunk, and the
records come back to this process in the order of the files, where ``sync`` writes them: this
process alone writes the store, so the store holds exactly what a local build stores.

What travels: to a worker, each file's bytes (read here, as ``corpus.read_raw`` reads them, so
the workers need no access to the corpus) with its path, id and sources manifest entry; back,
the records (text, paragraphs, passages) and the version of the code that made them. A worker
running other code than this process (``cachekeys.code_version`` of ``ingest_file``: the
store's fingerprint), or none of it, is refused, since what it made is not what the
fingerprint names: every worker is asked for its version before any task is sent, and each
result carries it (a worker may join midway).

At most ``IN_FLIGHT`` chunks per worker thread are out at once (a chunk's files are read as it
is sent), and a chunk holds at most ``worker.CHUNK`` files and about ``CHUNK_BYTES``. A worker
lost midway is Dask's to replace: the scheduler gives its tasks to another (or to the one its
nanny starts again). What cannot be waited out is a :class:`~briefing.errors.ClusterError`
naming the address: a scheduler that does not answer within ``BRIEFING_DASK_TIMEOUT`` seconds
(30), a cluster left that long without a worker, a task lost with every worker that ran it,
the scheduler gone. The batches stored before it are whole (each is one transaction); the next
build reads the rest.

Only ``tcp://HOST:PORT``: Dask's protocol authenticates nobody without TLS, and its workers run
what any client sends them, so a scheduler belongs on a network its team trusts.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from briefing.errors import ClusterError, ConfigError
from briefing.read.corpus import Raw, read_raw
from briefing.read.scheduler import scheduler_problem
from briefing.read.worker import CHUNK, Job, ingest_chunk, ingest_file
from briefing.store import cachekeys
from briefing.store.interface import Ingested

if TYPE_CHECKING:
    from distributed import Client, Future

TIMEOUT_ENV = "BRIEFING_DASK_TIMEOUT"
DEFAULT_TIMEOUT = 30.0  # seconds to reach the scheduler, and to wait for a worker when none is left
IN_FLIGHT = 3  # chunks out at once per worker thread: each thread has the next ones at hand
CHUNK_BYTES = 4 * 2**20  # bytes of files a chunk carries at most (one larger file goes alone)
POLL = 0.5  # seconds between looks at the cluster while a result is awaited


def timeout() -> float:
    """Seconds to reach the scheduler, and to wait for a worker when the cluster has none
    (``BRIEFING_DASK_TIMEOUT``, else 30); a value that is not a number of seconds is a
    ConfigError rather than a wait nobody asked for."""
    raw = os.environ.get(TIMEOUT_ENV, "")
    if not raw.strip():
        return DEFAULT_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < 86_400:  # NaN fails too
        raise ConfigError(f"{TIMEOUT_ENV}: expected a number of seconds (above 0, under a "
                          f"day), got {raw!r}")
    return seconds


def run_chunk(jobs: list[Job]) -> tuple[str, list[Ingested]]:
    """The task a worker runs: ``worker.ingest_chunk``, with the version of the code that ran
    it (the same on every worker of a cluster that may fill this store)."""
    return code_version(), ingest_chunk(jobs)


def code_version() -> str:
    """The version of the code that fills the store, here (the store's fingerprint)."""
    return cachekeys.code_version(ingest_file)


def ingested(address: str, jobs: Sequence[Job]) -> Iterator[Ingested]:
    """Ingest ``jobs`` on the cluster of the scheduler at ``address``, yielding the records in
    the order of ``jobs`` (as ``worker.ingested`` does). Raises ClusterError (see the module's
    docstring); an exception raised by the work itself is raised here as it was there."""
    problem = scheduler_problem(address)
    if problem is not None:
        raise ClusterError(f"Dask scheduler: {problem}")
    distributed = _distributed()
    wait = timeout()
    _reach(address, wait)
    with _quiet():
        try:
            client = distributed.Client(address, timeout=wait, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: "
                               f"{_reason(exc)}") from None
        try:
            yield from _run(client, distributed, address, jobs, wait)
        finally:
            client.close()


def _reach(address: str, wait: float) -> None:
    """Raise ClusterError at once when nothing listens at ``address`` (Dask's client would try
    again until its timeout), or when it does not answer within ``wait`` seconds."""
    parts = urlsplit(address)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=wait).close()
    except TimeoutError:
        raise ClusterError(f"the Dask scheduler at {address} did not answer within {wait:g} s "
                           f"({TIMEOUT_ENV} sets how long to wait)") from None
    except OSError as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: "
                           f"{exc.strerror or _reason(exc)}") from None


def _run(client: Client, distributed: ModuleType, address: str, jobs: Sequence[Job],
         wait: float) -> Iterator[Ingested]:
    version = code_version()
    try:
        client.wait_for_workers(1, timeout=wait)
    except (OSError, TimeoutError):
        raise ClusterError(f"the Dask cluster at {address} has no worker (waited {wait:g} s): "
                           f"start one with `dask worker {address}`") from None
    _check_workers(client, address, version)
    window = max(2, IN_FLIGHT * sum(client.nthreads().values()))
    pending: deque[Future] = deque()
    for chunk in _chunks(jobs):
        pending.append(client.submit(run_chunk, [_with_bytes(j) for j in chunk], pure=False))
        if len(pending) >= window:
            yield from _records(client, distributed, pending.popleft(), address, version, wait)
    while pending:
        yield from _records(client, distributed, pending.popleft(), address, version, wait)


def _check_workers(client: Client, address: str, version: str) -> None:
    """Refuse at once a cluster whose workers run other code than this build, or cannot run
    this code at all (a worker without this briefing would fail on each task, and be started
    again, until the build gave up on it). Each result's version is checked too: a worker may
    join later."""
    try:
        versions = client.run(code_version)
    except Exception as exc:  # whatever stops a worker running it: Dask gives what it cannot
        # send back (a ModuleNotFoundError, among others) as a bare Exception naming it
        raise ClusterError(f"a worker of the Dask cluster at {address} cannot run this "
                           f"briefing's code ({_reason(exc)}): install the same briefing on "
                           "every worker") from None
    for theirs in versions.values():
        _same(theirs, version, address)


def _same(theirs: str, version: str, address: str) -> None:
    if theirs != version:
        raise ClusterError(f"a worker of the Dask cluster at {address} runs other briefing "
                           f"code (version {theirs}, here {version}): install the same "
                           "briefing on every worker")


def _chunks(jobs: Sequence[Job]) -> Iterator[Sequence[Job]]:
    """``jobs`` in order, cut into chunks of at most ``CHUNK`` files and ``CHUNK_BYTES``."""
    start, size = 0, 0
    for i, job in enumerate(jobs):
        if i > start and (i - start >= CHUNK or size + job.size > CHUNK_BYTES):
            yield jobs[start:i]
            start, size = i, 0
        size += job.size
    if start < len(jobs):
        yield jobs[start:]


def _with_bytes(job: Job) -> Job:
    """``job`` carrying its file's bytes (or the error reading them gave, for the same
    warning as a local reading)."""
    raw: Raw | OSError
    try:
        raw = read_raw(Path(job.path))
    except OSError as exc:
        raw = exc
    return dataclasses.replace(job, raw=raw)


def _records(client: Client, distributed: ModuleType, future: Future, address: str,
             version: str, wait: float) -> list[Ingested]:
    """The records of one chunk, once its task is done: waited for while the cluster can still
    do it (a worker, or one soon), else a ClusterError."""
    alone_since: float | None = None
    while True:
        try:
            theirs, records = future.result(timeout=POLL)
            break
        except TimeoutError:
            pass
        except distributed.KilledWorker as exc:
            raise ClusterError(f"the Dask cluster at {address} lost a task with every worker "
                               f"that ran it ({_reason(exc)}): a worker may be running out of "
                               "memory") from None
        except distributed.CancelledError:
            raise ClusterError(f"lost the Dask scheduler at {address} midway") from None
        if client.status not in ("running", "connecting"):
            raise ClusterError(f"lost the Dask scheduler at {address} midway")
        try:
            workers = len(client.nthreads())
        except (OSError, TimeoutError):
            workers = 0  # the scheduler does not answer: as good as no worker, for as long
        if workers:
            alone_since = None
        elif alone_since is None:
            alone_since = time.monotonic()
        elif time.monotonic() - alone_since > wait:
            raise ClusterError(f"the Dask cluster at {address} has had no worker for {wait:g} "
                               f"s midway: start one with `dask worker {address}`")
    future.release()
    _same(theirs, version, address)
    return records


def _distributed() -> ModuleType:
    """The ``distributed`` package (half a second or so to import: only for a build that sends
    work to a cluster), or a ClusterError saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise ClusterError("sending work to a Dask cluster needs Dask distributed: install "
                           "briefing's team engines (scripts/setup --team)") from None
    return distributed


@contextmanager
def _quiet() -> Iterator[None]:
    """Dask's own log lines (a connection retried, a worker lost and replaced) kept off the
    user's terminal while it works for the build: what the build cannot wait out it reports
    itself, once, as a ClusterError."""
    loggers = [logging.getLogger(n) for n in list(logging.root.manager.loggerDict)
               if n == "distributed" or n.startswith("distributed.")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def _reason(exc: BaseException) -> str:
    """An exception as one line."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
