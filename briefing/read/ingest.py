"""Files -> the store -> the Corpus a build considers: read only what is new or changed.

``read_corpus`` stats every file under the corpus paths, compares with what the store holds
(size and mtime first; the content hash only when those changed), reads and segments the new
or changed files (on every core when there are many, with a progress bar on a terminal), drops
files deleted from under a corpus folder, and returns a :class:`Corpus`: references to the
articles considered. Texts and segmentations stay in the store until a stage asks for them, so a
warm build over 100,000 articles loads only the few it shows. ``--corpus`` selects what a build
considers; articles elsewhere stay in the store for the next build that wants them.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple, Protocol

from briefing.config.model import Config, SourceMeta
from briefing.judge.readers import Window
from briefing.judge.themes import passages_of
from briefing.models import Article, Segmented, corpus_sha256, indices
from briefing.read.corpus import FOUND, FoundFile, display_path, read_article, scan_articles
from briefing.read.listing import Listing, linked
from briefing.read.listing import start as start_listing
from briefing.read.segment import segment
from briefing.runtime import collecting
from briefing.store import backends, cachekeys
from briefing.store.interface import ROW, Ingested, Store, Stored

Warn = Callable[[str], None]
PARALLEL_MIN = 200  # fewer new files than this are read in-process (a pool costs ~0.1 s)
CHUNK = 64  # files per task sent to a worker
BATCH = 256  # articles per store transaction: a killed build loses at most this much work
PROGRESS_MIN = 500  # a progress bar only for runs reading at least this many files
_PATH = "\0"  # stands for the file's display path in stored warnings (it depends on the cwd)
_OTHER = "\1"  # and for a second file's, in a warning naming two


def _ignore(_: str) -> None:
    return None


class Timed(Protocol):
    """Something that times named stages (``pipeline.Timings``)."""

    def stage(self, name: str) -> AbstractContextManager[None]: ...


def _untimed(_: str) -> AbstractContextManager[None]:
    return nullcontext()


def fingerprint() -> str:
    """Names the code that fills the store: reading (with the extractors' libraries),
    segmenting, tokenising, storing (``ingest_file`` and every module it can reach: see
    ``cachekeys``). A store filled by other code is rebuilt, so a change to the segmentation
    rules never meets stale entries."""
    return cachekeys.code_version(ingest_file)


class ArticleRef(NamedTuple):
    """An article a build considers, as the store knows it without loading its text (a tuple:
    one per article on every build, made three times faster than a dataclass)."""

    key: int  # the store's key
    id: str
    path: str
    sha256: str
    encoding: str
    body_start: int
    published: str | None
    passage_count: int  # candidate passages (for BM25's corpus size)
    token_count: int  # tokens in them (for BM25's mean passage length)
    gen: int = 0  # the store's generation when it was stored (0: in memory)


REF = indices(ArticleRef)  # its fields' indices, for the plain tuples a reading keeps (_Base)


class Reading(NamedTuple):
    """A reading of the corpus: the refs of the articles considered (ArticleRefs, or their
    plain tuples as a kept base holds them), in path order, and the warnings to give for them,
    each (template, path[, other path]) for :func:`_show`."""

    refs: list
    notes: list


class Corpus:
    """The articles a build considers. Texts and segmentations are loaded on demand (from the
    store, or given up front for a corpus built in memory) and kept once loaded."""

    def __init__(self, refs: Sequence[ArticleRef], store: Store | None = None,
                 loaded: dict[int, tuple[Article, Segmented]] | None = None) -> None:
        self.refs = tuple(refs)
        self.store = store
        self._loaded: dict[int, tuple[Article, Segmented]] = loaded if loaded is not None else {}
        self._keys: frozenset[int] | None = None

    @classmethod
    def from_articles(cls, articles: Sequence[Article]) -> Corpus:
        """A corpus held in memory (no store): tests and one-off runs over a few files."""
        refs, loaded = [], {}
        for i, a in enumerate(articles):
            seg = segment(a)
            passages = passages_of(a, seg)
            refs.append(ArticleRef(i, a.id, str(a.path), a.sha256, a.encoding, a.body_start,
                                   a.meta.published, len(passages),
                                   sum(len(p.roots) for p in passages)))
            loaded[i] = (a, seg)
        return cls(refs, None, loaded)

    def __len__(self) -> int:
        return len(self.refs)

    def keys(self) -> frozenset[int]:
        if self._keys is None:
            self._keys = frozenset(r.key for r in self.refs)
        return self._keys

    def subset(self, refs: Sequence[ArticleRef]) -> Corpus:
        """The same corpus restricted to ``refs`` (sharing the store and what is loaded)."""
        return Corpus(refs, self.store, self._loaded)

    def load(self, refs: Iterable[ArticleRef]) -> list[tuple[Article, Segmented]]:
        """Full articles with their segmentation, loading from the store what is not yet."""
        refs = list(refs)
        missing = [r for r in refs if r.key not in self._loaded]
        if missing and self.store is not None:
            stored = self.store.load(r.key for r in missing)
            for r in missing:
                self._loaded[r.key] = _article(r, stored[r.key])
        return [self._loaded[r.key] for r in refs]

    @property
    def articles(self) -> tuple[Article, ...]:
        """Every article with its text (loads them all: prefer ``refs`` or ``for_assembly``)."""
        return tuple(a for a, _ in self.load(self.refs))

    @property
    def segmented(self) -> dict[str, Segmented]:
        """Every article's segmentation, by id (loads them all)."""
        return {a.id: s for a, s in self.load(self.refs)}

    def docs(self) -> list[tuple[Article, Segmented]]:
        """(article, segmentation) pairs for every article (loads them all)."""
        return self.load(self.refs)

    def for_assembly(self, ids: set[str]) -> tuple[tuple[Article, ...], dict[str, Segmented]]:
        """Every article for the assembler, in order: those in ``ids`` (the only ones it can
        cite) with their text and segmentation, the others as stand-ins that carry only what the
        briefing's corpus digest counts (``id`` and ``sha256``): their ``ArticleRef`` itself,
        so a build over 100,000 articles makes no object per article here."""
        wanted = [r for r in self.refs if r.id in ids]
        full = {a.id: a for a, _ in self.load(wanted)}
        segs = {a.id: s for a, s in self.load(wanted)}
        # an ArticleRef stands in for an Article the assembler never opens (same id, sha256)
        articles: list[Article] = [full.get(r.id, r) for r in self.refs]  # type: ignore[misc]
        return tuple(articles), segs

    def cited(self, ids: set[str]) -> tuple[tuple[Article, ...], dict[str, Segmented]]:
        """The articles in ``ids`` (those the assembler may cite), in corpus order, with their
        segmentations: all ``assemble`` needs when given ``digest()`` as its ``corpus_info``."""
        loaded = self.load(r for r in self.refs if r.id in ids)
        return tuple(a for a, _ in loaded), {a.id: s for a, s in loaded}

    def digest(self) -> tuple[int, str]:
        """(article count, ``assemble.corpus_digest``) of the corpus, from the refs alone: the
        same sha256 of "id\tsha256\n" lines in id order (a stable sort, as there), made as one
        string so 100,000 articles cost a few hundredths of a second rather than 0.2 s."""
        # kept in the store under a hash of the ids and hashes in corpus order (C-level joins,
        # a tenth of the sort): the same articles in the same order have the same digest
        ids = "\0".join(map(itemgetter(REF.id), self.refs))  # no path holds a NUL: unambiguous
        shas = "".join(map(itemgetter(REF.sha256), self.refs))
        key = hashlib.sha256(f"{ids}\0{shas}".encode())
        key.update(cachekeys.code_version(corpus_sha256).encode())
        name = cachekeys.corpus_digest(len(self.refs))
        kept = self.store.cached(name) if self.store is not None else None
        if kept is not None and kept.data[:32] == key.digest():
            return len(self.refs), kept.data[32:].decode()
        digest = corpus_sha256((r.id, r.sha256) for r in self.refs)
        if self.store is not None:
            self.store.put_cached(name, 0, key.digest() + digest.encode())
        return len(self.refs), digest

    def annotations(self, refs: Sequence[ArticleRef], kind: str, version: str) -> dict[int, bytes]:
        """A later stage's stored results for ``refs`` (none without a store)."""
        if self.store is None or not refs:
            return {}
        return self.store.annotations((r.key for r in refs), kind, version)

    def put_annotations(self, kind: str, version: str, data: dict[int, bytes]) -> None:
        """Keep a later stage's results per article (by ``ArticleRef.key``) in the store."""
        if self.store is not None and data:
            self.store.put_annotations(kind, version, data)

    def close(self) -> None:
        """Release the store (and its lock)."""
        if self.store is not None:
            self.store.close()


def _article(ref: ArticleRef, stored: Stored) -> tuple[Article, Segmented]:
    article = Article(ref.id, Path(ref.path), stored.text, ref.encoding, stored.meta, ref.sha256,
                      ref.body_start)
    return article, Segmented(ref.id, stored.paragraphs)


# --- Reading files into the store -----------------------------------------------------------


def _manifest_digests(sources: Sequence[SourceMeta]) -> dict[tuple[int, int], tuple[str, SourceMeta]]:
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


@dataclass(frozen=True, slots=True)
class _Job:
    path: str
    root: str
    full: str
    size: int
    mtime_ns: int
    manifest: str
    entry: SourceMeta | None
    key: int | None = None  # the store key to keep (a refill: ``_refill``)

    @classmethod
    def of(cls, path: str, article_id: str, full: str, size: int, mtime_ns: int,
           found: tuple[str, SourceMeta | None], key: int | None = None) -> _Job:
        """The job for a file reached as ``path`` with id ``article_id`` (its root is the path
        less the id) and its sources manifest ``(digest, entry)``."""
        return cls(path, path[: len(path) - len(article_id)] or ".", full, size, mtime_ns,
                   *found, key)


def ingest_file(job: _Job) -> Ingested:
    """Read, segment and tokenise one file (in a worker process when there are many)."""
    warnings: list[str] = []
    path = Path(job.path)
    manifest = {path.resolve(): job.entry} if job.entry is not None else None
    article = read_article(path, Path(job.root), manifest, warnings.append)
    shown = display_path(path)
    kept = tuple(w.replace(shown, _PATH) for w in warnings)
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


def _ingest_chunk(jobs: list[_Job]) -> list[Ingested]:
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


def _ingested(jobs: list[_Job]) -> Iterator[Ingested]:
    """Ingest ``jobs``, on every core when there are many, in order."""
    cores = os.cpu_count() or 1
    if len(jobs) < PARALLEL_MIN or cores < 2:
        yield from map(ingest_file, jobs)
        return
    chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    with ProcessPoolExecutor(max_workers=cores, initializer=_worker_start,
                             initargs=(os.getpid(),)) as pool:
        for results in pool.map(_ingest_chunk, chunks):
            yield from results


def _sha256(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


Manifest = Mapping[tuple[int, int], tuple[str, SourceMeta]]  # _manifest_digests: by inode


def sync(store: Store, found: Sequence[FoundFile], folders: Sequence[Path],
         manifest: Manifest, *, progress: bool = False) -> dict[str, tuple]:
    """Bring the store up to date with ``found`` (the files under the corpus paths) and drop
    the files it knows under ``folders`` that are gone. Returns the store's ``rows`` (tuples
    in FileState's order, warnings as JSON)."""
    state = store.rows()
    fulls = list(map(itemgetter(FOUND.full), found))
    prefixes = tuple(os.path.join(os.path.abspath(d), "") for d in folders)
    gone = sorted(p for p in set(state).difference(fulls) if p.startswith(prefixes))
    if gone:
        store.drop(gone)
    wrote = update(store, found, state, manifest, progress=progress)
    return store.rows() if wrote or gone else state


def update(store: Store, found: Sequence[FoundFile], state: Mapping[str, tuple],
           manifest: Manifest, *, progress: bool = False) -> bool:
    """Store what is new or changed among ``found``, given the store's rows for them
    (``state``) and the sources manifest's digests (``_manifest_digests``): a file whose size
    and mtime are as stored is skipped; one whose content hash is too has its new stat
    recorded; the rest are read. Returns whether anything was written."""
    jobs: list[_Job] = []
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
        jobs.append(_Job.of(f.path, f.id, f.full, f.size, f.mtime_ns, (digest, entry)))
    if touched:
        store.touch(touched)
    if jobs:
        _store_all(store, jobs, progress and len(jobs) >= PROGRESS_MIN)
    return bool(touched or jobs)


def _store_all(store: Store, jobs: list[_Job], bar: bool) -> None:
    # the command line runs with the cyclic collector off (briefing.runtime): a long ingestion
    # makes enough short-lived objects, in this process and the workers forked from it, to
    # want it on
    with collecting():
        _store_batches(store, jobs, bar)


def _store_batches(store: Store, jobs: list[_Job], bar: bool) -> None:
    batch: list[Ingested] = []
    with _progress(len(jobs), bar) as advance:
        for record in _ingested(jobs):
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
        self.total, self.show, self.bar = total, show, None

    def __enter__(self) -> Callable[[int], None]:
        if not self.show:
            return lambda _: None
        from rich.console import Console  # only for long runs on a terminal
        from rich.progress import Progress

        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("reading articles", total=self.total)
        return lambda n: self.bar.advance(task, n)  # type: ignore[union-attr]

    def __exit__(self, *_: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def open_store(config: Config, warn: Warn | None = None) -> Store:
    """The store the config names (``store.backends``), filled by this code
    (:func:`fingerprint`) and locked for this process; ``warn`` hears of damage found in it
    (and the rebuild)."""
    return backends.open_store(config, fingerprint=fingerprint(), warn=warn)


def _refill(store: Store, refs: Sequence[ArticleRef], manifest: Manifest) -> None:
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
        jobs.append(_Job.of(r.path, r.id, os.path.abspath(r.path), st.st_size, st.st_mtime_ns,
                            manifest.get((st.st_dev, st.st_ino), ("", None)), r.key))
    if jobs:
        _store_all(store, jobs, False)


def read_corpus(config: Config, paths: Sequence[Path] | None, *, warn: Warn = _ignore,
                timings: Timed | None = None, progress: bool | None = None,
                listing: Listing | None = None) -> Corpus:
    """The corpus a build considers (the configured one, or ``paths`` for this run), with the
    store brought up to date first. Warnings (skipped files, bad front matter, two files with
    one id) are given for every file considered, as if each were read now. The caller closes
    the corpus to release the store's lock.

    The folders are listed by ``find`` (``listing``: one started earlier for the same paths,
    as the CLI does before importing the pipeline, or one started here). The last full reading
    of the corpus is kept in the store with the listing that found it (a :class:`_Base`): when
    the listing is the same, its articles are the corpus; when a few files differ, only those
    are looked at again; otherwise, or when the listing cannot be vouched for, every file is
    compared with the store's rows and a new base is kept."""
    given = list(paths or config.corpus)
    if listing is not None and listing.paths == tuple(map(str, given)):
        return _read_corpus(config, given, listing, warn, timings, progress)
    if listing is not None:
        listing.close()
    own = start_listing(given)
    try:
        return _read_corpus(config, given, own, warn, timings, progress)
    finally:
        own.close()


def _read_corpus(config: Config, given: list[Path], listing: Listing, warn: Warn,
                 timings: Timed | None, progress: bool | None) -> Corpus:
    stage = timings.stage if timings is not None else _untimed
    if progress is None:
        progress = sys.stderr.isatty()
    manifest = _manifest_digests(config.sources) if config.sources else {}
    key = _base_key(given, manifest)
    # damage found in the store (when it is opened, or by any call) rebuilds it with one
    # warning (store._heals); a rebuild while it is being read here empties what the reading
    # had counted on, so that reading is done again, the long way
    store = open_store(config, warn)
    try:
        base = _Base.load(store, key)  # while find runs
        with stage("scan"):
            outputs = listing.outputs()
        read, new_base = None, False
        if base is not None and outputs is not None:
            rebuilt = store.rebuilt
            with stage("ingest"):
                read = base.read(store, listing, outputs, manifest, progress)
            if store.rebuilt != rebuilt:
                read = None  # the base's articles are no longer in the store
        if read is None:
            with stage("scan"):
                found = listing.found() if outputs is not None else None
                if found is None:
                    found = scan_articles(given)
            folders = [p for p, folder in zip(given, listing.folders) if folder]
            with stage("ingest"):
                rebuilt = store.rebuilt
                state = sync(store, found, folders, manifest, progress=progress)
                if store.rebuilt != rebuilt:  # the batches stored before the rebuild are gone
                    state = sync(store, found, folders, manifest, progress=progress)
            with stage("refs"):
                read = _refs(found, state)
            new_base = outputs is not None
        refs = list(map(partial(tuple.__new__, ArticleRef), read.refs))
        # from here on the build holds keys: a rebuild must put its articles back under them
        store.refill = partial(_refill, store, refs, manifest)
        if new_base:
            _Base(key, outputs, *read).keep(store)
    except BaseException:
        store.close()
        raise
    for template, *shown in read.notes:
        warn(_show(template, shown))
    return Corpus(refs, store)


# --- The warm path: the last full reading, and what changed since ---------------------------

REBASE = 1000  # records changed since the base beyond which a build reads everything again


def _base_key(given: Sequence[Path], manifest: Manifest) -> bytes:
    """What a reading depends on besides the files' stat: the paths given, the working
    directory (paths are kept as given), the sources manifest and the code reading them."""
    h = hashlib.sha256("\0".join(map(str, given)).encode("utf-8", "surrogateescape"))
    h.update(os.getcwd().encode("utf-8", "surrogateescape"))
    h.update(repr(sorted((inode, digest) for inode, (digest, _) in manifest.items())).encode())
    h.update(cachekeys.code_version(_Base).encode())
    return h.digest()


@dataclass
class _Base:
    """A full reading of the corpus (refs and warnings as plain tuples, in path order) and the
    listing's outputs it was made from, kept in the store under ``cachekeys.CORPUS_BASE``
    (one, the last full reading's: a few tens of MB per 100,000 articles, in marshal's
    format)."""

    key: bytes
    outputs: list[bytes]
    refs: list[tuple]
    notes: list[tuple]
    gen: int = -1  # the store's generation when it was kept

    @classmethod
    def load(cls, store: Store, key: bytes) -> _Base | None:
        kept = store.cached(cachekeys.CORPUS_BASE)  # exactly what ``keep`` put there (the store checks)
        if kept is None or kept.data[:32] != key:
            return None
        return cls(key, *marshal.loads(kept.data[32:]), gen=kept.gen)

    def keep(self, store: Store) -> None:
        store.put_cached(cachekeys.CORPUS_BASE, store.generation(), self.key + marshal.dumps(
            (self.outputs, list(map(tuple, self.refs)), self.notes)))

    def read(self, store: Store, listing: Listing, outputs: Sequence[bytes],
             manifest: Manifest, progress: bool) -> Reading | None:
        """The corpus now, as (refs, notes), from this base and the records that changed
        since; None when the base cannot say (too much changed, a file given by name among the
        paths, a hard link or an id met twice), and everything must be read again.

        A file's row is only ever stored again because its record changed (its stat; the
        sources manifest is in the key), so a record the same as in the base is a row the
        same as in the base, unless the record changed and came back (an mtime set back):
        a row stored since the base for a file whose record did not change sends the build
        the long way."""
        same = list(outputs) == self.outputs
        if not same and (len(outputs) != len(self.outputs) or not all(listing.folders)
                         or listing.nested or any(len(n) > 2 for n in self.notes)):
            # a file given by name or a folder inside another (a file may be reached twice),
            # or the base warns of two files with one id: the full reading says which is kept
            return None
        stored = store.stored_since(self.gen)
        if same:
            return None if stored else Reading(self.refs, self.notes)
        added, removed = [], []
        for i, (old, new) in enumerate(zip(self.outputs, outputs)):
            if old == new:
                continue
            before, after = set(old.split(b"\0")), set(new.split(b"\0"))
            added.append((i, [b"\0" + r for r in after - before]))
            removed.append((i, [b"\0" + r for r in before - after]))
        if sum(len(r) for _, r in added + removed) > REBASE:
            return None
        found, gone = [], []
        for (i, new), (_, old) in zip(added, removed):
            fresh, stale = listing.parse(i, new), listing.parse(i, old)
            if fresh is None or stale is None:
                return None
            found += fresh
            gone += stale
        if any(linked(new) for _, new in added):
            return None  # a hard link: which of its names scan_articles keeps is for it to say
        found.sort()
        changed = {f[FOUND.path] for f in found} | {g[FOUND.path] for g in gone}
        refs = [r for r in self.refs if r[REF.path] not in changed]
        ids = set(map(itemgetter(REF.id), refs))
        if any(f[FOUND.id] in ids for f in found) or \
                len({f[FOUND.id] for f in found}) != len(found):
            return None  # two files with one id: the full reading says which came first
        found = list(map(partial(tuple.__new__, FoundFile), found))
        fulls = {f.full for f in found}
        deleted = [g[FOUND.full] for g in gone if g[FOUND.full] not in fulls]
        if not fulls.union(deleted).issuperset(stored):
            return None
        state = store.rows_of([*fulls, *deleted])
        if any(p in state for p in deleted):
            store.drop([p for p in deleted if p in state])
        if update(store, found, state, manifest, progress=progress):
            state = store.rows_of(fulls)
        new_refs, new_notes = _refs(found, state)
        refs += map(tuple, new_refs)
        refs.sort(key=itemgetter(REF.path))
        # a note is (template, path, [other path]): see _refs
        notes = [n for n in self.notes if n[1] not in changed] + new_notes
        notes.sort(key=itemgetter(1))
        return Reading(refs, notes)


def _show(template: str, paths: Sequence[str]) -> str:
    """A warning kept with placeholders for the paths it names (``_PATH``, then ``_OTHER``),
    shown as the paths look from here."""
    for mark, path in zip((_PATH, _OTHER), paths):
        template = template.replace(mark, display_path(Path(path)))
    return template


def _refs(found: Sequence[FoundFile], state: dict[str, tuple]) -> Reading:
    """The considered articles' refs, in ``found``'s order, and the warnings to give for them
    (every stored warning again, and one for each id already seen) as (template, path,
    [other path]) for :func:`_show`. 100,000 of them when the store changed: the common case
    (no warning, no skipped file, ids unique) goes through C-level maps, three times faster
    than a loop making each ref."""
    rows = list(map(state.__getitem__, map(itemgetter(FOUND.full), found)))
    ids = list(map(itemgetter(FOUND.id), found))
    warned, ok = ROW.warnings, ROW.ok
    odd = [i for i, s in enumerate(rows) if s[warned] != "[]" or not s[ok]]
    # ArticleRef's fields after key, id and path, as the rows hold them
    kept = [getattr(ROW, name) for name in ArticleRef._fields[3:]]
    if odd or len(set(ids)) != len(ids):
        refs, notes = [], []
        seen: dict[str, str] = {}
        for f, s in zip(found, rows):
            if s[warned] != "[]":
                notes.extend((w, f.path) for w in json.loads(s[warned]))
            if not s[ok]:
                continue
            if f.id in seen:
                notes.append((f"{_PATH}: same id {f.id!r} as {_OTHER}", f.path, seen[f.id]))
            seen.setdefault(f.id, f.path)
            refs.append(ArticleRef(s[ROW.key], f.id, f.path, *(s[i] for i in kept)))
        return Reading(refs, notes)
    columns = [map(itemgetter(ROW.key), rows), ids, map(itemgetter(FOUND.path), found),
               *(map(itemgetter(i), rows) for i in kept)]
    return Reading(list(map(partial(tuple.__new__, ArticleRef), zip(*columns))), [])


NAMED_UNDATED = 10  # undated articles a window's note names by title, at most


def select_since(corpus: Corpus, window: Window | None) -> tuple[Corpus, list[str]]:
    """The articles of ``corpus`` inside ``window`` (see :mod:`briefing.judge.readers`), and the
    edition's note of what the window left out: those published before it, counted, and those
    with no known date, named (they are left out unless the window keeps them, and then named
    as kept)."""
    if window is None:
        return corpus, []
    start = window.start.isoformat()
    keep, undated, earlier = [], [], 0
    for r in corpus.refs:
        if r.published is None:
            undated.append(r)
            if window.undated:
                keep.append(r)
        elif r.published >= start:
            keep.append(r)
        else:
            earlier += 1
    if not earlier and not undated:
        return corpus.subset(keep), []
    note = f"This edition covers articles published from {start} ({window.label})."
    if undated:
        titles = [f"“{a.meta.title or a.id}”" for a, _ in corpus.load(undated[:NAMED_UNDATED])]
        more = len(undated) - len(titles)
        named = ", ".join(titles) + (f" and {more} more" if more else "")
        dateless = f"{len(undated)} with no known publication date ({named}"
    left = [f"{earlier} published earlier"] if earlier else []
    if undated and window.undated:
        note += f" Kept {dateless})."
    elif undated:
        left.append(f"{dateless}; undated: include keeps them)")
    if left:
        note += " Left out: " + ", ".join(left) + "."
    return corpus.subset(keep), [note]
