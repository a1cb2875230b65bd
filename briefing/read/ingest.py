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
import sys
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Protocol

from briefing.config.model import Config
from briefing.judge.readers import Window
from briefing.judge.themes import passages_of
from briefing.models import Article, Segmented, corpus_sha256
from briefing.read.files import scan_articles
from briefing.read.listing import Listing
from briefing.read.listing import start as start_listing
from briefing.read.refs import REF, ArticleRef, refs_of, show
from briefing.read.segment import segment
from briefing.read.sync import Work, manifest_digests, refill, sync
from briefing.read.warm import Base, base_key
from briefing.read.worker import ingest_file
from briefing.store import backends, cachekeys
from briefing.store.interface import Store, Stored

# what a stage of the build imports from here: the corpus it considers and how it is made
__all__ = ["ArticleRef", "Corpus", "fingerprint", "open_store", "read_corpus", "select_since"]

Warn = Callable[[str], None]


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
        articles: list[Article] = [full.get(r.id, r) for r in self.refs]  # type: ignore[arg-type]
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


def open_store(config: Config, warn: Warn | None = None, timeout: float | None = None
               ) -> Store:
    """The store the config names (``store.backends``), filled by this code
    (:func:`fingerprint`) and locked for this process; ``warn`` hears of damage found in it
    (and the rebuild); ``timeout``: how long to wait for another process's hold on it (None:
    ``BRIEFING_LOCK_TIMEOUT``)."""
    return backends.open_store(config, fingerprint=fingerprint(), warn=warn, timeout=timeout)


def read_corpus(config: Config, paths: Sequence[Path] | None, *, warn: Warn = _ignore,
                timings: Timed | None = None, progress: bool | None = None,
                listing: Listing | None = None, scheduler: str | None = None,
                wait: float | None = None) -> Corpus:
    """The corpus a build considers (the configured one, or ``paths`` for this run), with the
    store brought up to date first. Warnings (skipped files, bad front matter, two files with
    one id) are given for every file considered, as if each were read now. The caller closes
    the corpus to release the store's lock.

    The folders are listed by ``find`` (``listing``: one started earlier for the same paths,
    as the CLI does before importing the pipeline, or one started here). The last full reading
    of the corpus is kept in the store with the listing that found it (a ``warm.Base``): when
    the listing is the same, its articles are the corpus; when a few files differ, only those
    are looked at again; otherwise, or when the listing cannot be vouched for, every file is
    compared with the store's rows and a new base is kept.

    New and changed files are read on this machine's cores, or, given ``scheduler`` (a Dask
    scheduler's ``tcp://HOST:PORT``; default: the config's ``compute.scheduler``), on that
    scheduler's cluster (``cluster``); either way this process alone writes the store, and the
    store holds the same. ``wait``: how long to wait for another process reading the store
    (None: ``BRIEFING_LOCK_TIMEOUT``)."""
    given = list(paths or config.corpus)
    work = Work(sys.stderr.isatty() if progress is None else progress,
                scheduler or config.compute.scheduler)
    if listing is not None and listing.paths == tuple(map(str, given)):
        return _read_corpus(config, given, listing, warn, timings, work, wait)
    if listing is not None:
        listing.close()
    own = start_listing(given)
    try:
        return _read_corpus(config, given, own, warn, timings, work, wait)
    finally:
        own.close()


def _read_corpus(config: Config, given: list[Path], listing: Listing, warn: Warn,
                 timings: Timed | None, work: Work, wait: float | None) -> Corpus:
    stage = timings.stage if timings is not None else _untimed
    manifest = manifest_digests(config.sources) if config.sources else {}
    key = base_key(given, manifest)
    # damage found in the store (when it is opened, or by any call) rebuilds it with one
    # warning (store._heals); a rebuild while it is being read here empties what the reading
    # had counted on, so that reading is done again, the long way
    store = open_store(config, warn, wait)
    try:
        base = Base.load(store, key)  # while find runs
        with stage("scan"):
            outputs = listing.outputs()
        read = None
        new_base: list[bytes] | None = None  # the listing a full reading is kept with
        if base is not None and outputs is not None:
            rebuilt = store.rebuilt
            with stage("ingest"):
                read = base.read(store, listing, outputs, manifest, work)
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
                state = sync(store, found, folders, manifest, work)
                if store.rebuilt != rebuilt:  # the batches stored before the rebuild are gone
                    state = sync(store, found, folders, manifest, work)
            with stage("refs"):
                read = refs_of(found, state)
            new_base = outputs
        refs = list(map(partial(tuple.__new__, ArticleRef), read.refs))
        # from here on the build holds keys: a rebuild must put its articles back under them
        store.refill = partial(refill, store, refs, manifest, work)
        if new_base is not None:
            Base(key, new_base, *read).keep(store)
    except BaseException:
        store.close()
        raise
    for template, *shown in read.notes:
        warn(show(template, shown))
    return Corpus(refs, store)


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
