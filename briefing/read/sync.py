"""Bringing the store up to date with the files found: read what is new or changed, record a
new stat where only that changed, drop what was deleted.

A file whose size and mtime are as stored is skipped; one whose content hash is too has only
its new stat recorded; the rest are read (``worker.ingested``) and written in batches of
``BATCH`` articles, each its own transaction, so a build killed midway keeps what it committed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.config.model import SourceMeta
from briefing.read import cluster
from briefing.read.files import FOUND, FoundFile
from briefing.read.refs import ArticleRef
from briefing.read.worker import Job, ingested
from briefing.runtime import collecting
from briefing.store.interface import ROW, Ingested, Store

if TYPE_CHECKING:
    from rich.progress import Progress

BATCH = 256  # articles per store transaction: a killed build loses at most this much work
PROGRESS_MIN = 500  # a progress bar only for runs reading at least this many files

Manifest = Mapping[tuple[int, int], tuple[str, SourceMeta]]  # manifest_digests: by inode


def manifest_digests(
        sources: Sequence[SourceMeta]) -> dict[tuple[int, int], tuple[str, SourceMeta]]:
    """The config's sources manifest by inode (files are matched without resolving paths)."""
    out = {}
    for s in sources:
        try:
            st = os.stat(s.path)
        except OSError:
            continue
        fields = [s.title, s.outlet, s.byline, s.url, s.published]
        out[(st.st_dev, st.st_ino)] = (json.dumps(fields, default=str), s)
    return out


def _sha256(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class Work:
    """How the files to read are read: ``scheduler``, the address of a Dask scheduler whose
    cluster does the per-article work (``cluster``; None: this machine's cores, ``worker``),
    and ``progress``, whether a progress bar may show (a long run on a terminal)."""

    progress: bool = False
    scheduler: str | None = None


def sync(store: Store, found: Sequence[FoundFile], folders: Sequence[Path],
         manifest: Manifest, work: Work = Work()) -> dict[str, tuple]:
    """Bring the store up to date with ``found`` (the files under the corpus paths) and drop
    the files it knows under ``folders`` that are gone. Returns the store's ``rows`` (tuples
    in FileState's order, warnings as JSON)."""
    state = store.rows()
    fulls = list(map(itemgetter(FOUND.full), found))
    prefixes = tuple(os.path.join(os.path.abspath(d), "") for d in folders)
    gone = sorted(p for p in set(state).difference(fulls) if p.startswith(prefixes))
    if gone:
        store.drop(gone)
    wrote = update(store, found, state, manifest, work)
    return store.rows() if wrote or gone else state


def update(store: Store, found: Sequence[FoundFile], state: Mapping[str, tuple],
           manifest: Manifest, work: Work = Work()) -> bool:
    """Store what is new or changed among ``found``, given the store's rows for them
    (``state``) and the sources manifest's digests (``manifest_digests``): a file whose size
    and mtime are as stored is skipped; one whose content hash is too has its new stat
    recorded; the rest are read. Returns whether anything was written."""
    jobs: list[Job] = []
    touched: list[tuple[str, int, int]] = []
    fulls = list(map(itemgetter(FOUND.full), found))
    # named indices, bound for the loops below (100,000 files on a warm build)
    size, mtime, digest_of = ROW.size, ROW.mtime_ns, ROW.manifest
    if manifest:
        suspects = list(zip(found, map(state.get, fulls)))
    else:
        # no sources manifest (every stored digest is ''): only files whose (size, mtime,
        # manifest) differ from the stored row go on, found in one pass over two lists
        f_size, f_mtime = FOUND.size, FOUND.mtime_ns
        suspects = [(f, k) for f, k in zip(found, map(state.get, fulls))
                    if k is None or k[size] != f[f_size] or k[mtime] != f[f_mtime]
                    or k[digest_of]]
    for f, known in suspects:
        digest, entry = manifest.get(f.inode, ("", None))
        if known is not None and known[digest_of] == digest:
            if known[size] == f.size and known[mtime] == f.mtime_ns:
                continue
            if known[ROW.ok] and _sha256(f.path) == known[ROW.sha256]:
                touched.append((f.full, f.size, f.mtime_ns))
                continue
        jobs.append(Job.of(f.path, f.id, f.full, f.size, f.mtime_ns, (digest, entry)))
    if touched:
        store.touch(touched)
    if jobs:
        store_all(store, jobs, work, work.progress and len(jobs) >= PROGRESS_MIN)
    return bool(touched or jobs)


def store_all(store: Store, jobs: list[Job], work: Work, bar: bool) -> None:
    """Read ``jobs`` (here, or on the cluster ``work`` names) and store them in order, in
    batches of ``BATCH``: only this process writes the store."""
    # the command line runs with the cyclic collector off (briefing.runtime): a long ingestion
    # makes enough short-lived objects, in this process and the workers forked from it, to
    # want it on
    with collecting():
        records = (cluster.ingested(work.scheduler, jobs) if work.scheduler is not None
                   else ingested(jobs))
        _store_batches(store, records, len(jobs), bar)


def _store_batches(store: Store, records: Iterator[Ingested], total: int, bar: bool) -> None:
    batch: list[Ingested] = []
    with _progress(total, bar) as advance:
        for record in records:
            batch.append(record)
            if len(batch) >= BATCH:
                store.put(batch)
                advance(len(batch))
                batch = []
        if batch:
            store.put(batch)
            advance(len(batch))


class _progress:
    """A rich progress bar on stderr (only asked for on a terminal); otherwise nothing."""

    def __init__(self, total: int, show: bool) -> None:
        self.total, self.show = total, show
        self.bar: Progress | None = None

    def __enter__(self) -> Callable[[int], None]:
        if not self.show:
            return lambda _: None
        from rich.console import Console  # only for long runs on a terminal
        from rich.progress import Progress

        bar = self.bar = Progress(console=Console(stderr=True), transient=True)
        bar.start()
        task = bar.add_task("reading articles", total=self.total)
        return lambda n: bar.advance(task, n)

    def __exit__(self, *_: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def refill(store: Store, refs: Sequence[ArticleRef], manifest: Manifest, work: Work) -> None:
    """Put a build's articles back into its store, rebuilt because damage was found in it
    midway (``Store.refill``), under the keys the build's references hold, so the build
    goes on as if nothing happened: every file is read again, as a cold build reads it. A file
    gone since the build read it stays out."""
    jobs = []
    for r in refs:
        try:
            st = os.stat(r.path)
        except OSError:
            continue
        jobs.append(Job.of(r.path, r.id, os.path.abspath(r.path), st.st_size, st.st_mtime_ns,
                           manifest.get((st.st_dev, st.st_ino), ("", None)), r.key))
    if jobs:
        store_all(store, jobs, work, False)
