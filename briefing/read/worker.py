"""One file -> what the store keeps of it (:func:`ingest_file`), and many files on every core.

``ingest_file`` reads, segments and tokenises one file: the whole of the per-article work, a
pure function of the file's bytes, the sources manifest's entry for it and the code (the
store's fingerprint is the code it reaches: ``ingest.fingerprint``). :func:`ingested` runs it
over many files in order, in this process for a few and in a pool of worker processes (one
per core) for many; the records come back here, where ``sync`` writes them into the store.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from briefing.config.model import SourceMeta
from briefing.judge.themes import passages_of
from briefing.read.corpus import Raw, display_path, read_article
from briefing.read.refs import PATH
from briefing.read.segment import segment
from briefing.store.interface import Ingested

PARALLEL_MIN = 200  # fewer new files than this are read in-process (a pool costs ~0.1 s)
CHUNK = 64  # files per task sent to a worker


@dataclass(frozen=True, slots=True)
class Job:
    """One file to read: the path it was reached as and its root, its absolute path (the
    store's key) and stat as found, and its sources manifest entry with that entry's digest."""

    path: str
    root: str
    full: str
    size: int
    mtime_ns: int
    manifest: str
    entry: SourceMeta | None
    key: int | None = None  # the store key to keep (a refill: ``sync.refill``)
    raw: Raw | OSError | None = None  # the file's bytes, read where the files are (``cluster``)

    @classmethod
    def of(cls, path: str, article_id: str, full: str, size: int, mtime_ns: int,
           found: tuple[str, SourceMeta | None], key: int | None = None) -> Job:
        """The job for a file reached as ``path`` with id ``article_id`` (its root is the path
        less the id) and its sources manifest ``(digest, entry)``."""
        return cls(path, path[: len(path) - len(article_id)] or ".", full, size, mtime_ns,
                   *found, key)


def ingest_file(job: Job) -> Ingested:
    """Read, segment and tokenise one file (in a worker process when there are many)."""
    warnings: list[str] = []
    path = Path(job.path)
    manifest = {path.resolve(): job.entry} if job.entry is not None else None
    article = read_article(path, Path(job.root), manifest, warnings.append, job.raw)
    shown = display_path(path)
    kept = tuple(w.replace(shown, PATH) for w in warnings)
    if article is None:
        return Ingested(job.full, job.size, job.mtime_ns, job.manifest, "", False, kept,
                        key=job.key)
    seg = segment(article)
    passages = tuple((p.paragraph, p.sentence, p.start, p.end, " ".join(p.roots),
                      " ".join(p.words), " ".join(map(str, p.breaks)))
                     for p in passages_of(article, seg))
    return Ingested(job.full, job.size, job.mtime_ns, job.manifest, article.sha256, True, kept,
                    article.encoding, article.body_start, article.meta, article.text,
                    seg.paragraphs, passages, job.key)


def ingest_chunk(jobs: list[Job]) -> list[Ingested]:
    """:func:`ingest_file` over a chunk of jobs: the task a worker is sent."""
    return [ingest_file(j) for j in jobs]


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _worker_start(parent: int) -> None:
    """A worker's first act: die with the build that started it. A build killed with SIGKILL
    runs no cleanup, and its workers, blocked on a queue nobody will write to again, would live
    on; so each one asks the kernel (Linux's PR_SET_PDEATHSIG) to be killed when its parent
    dies, and exits at once if that already happened (between the fork and this call). The
    store's lock is not theirs to keep in any case (``store.locks._forget_locks``).

    The pool forks its workers from the thread that first submits work, the build's main
    thread, which lives as long as the build: the signal is tied to that thread's death."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl to be had: the lock is still released with the build
    if os.getppid() != parent:
        os._exit(1)


def ingested(jobs: list[Job]) -> Iterator[Ingested]:
    """Ingest ``jobs``, on every core when there are many, in order."""
    cores = os.cpu_count() or 1
    if len(jobs) < PARALLEL_MIN or cores < 2:
        yield from map(ingest_file, jobs)
        return
    chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    with ProcessPoolExecutor(max_workers=cores, initializer=_worker_start,
                             initargs=(os.getpid(),)) as pool:
        for results in pool.map(ingest_chunk, chunks):
            yield from results
