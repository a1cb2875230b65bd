"""The store's interface: what the pipeline may ask of a store, and the records crossing it.

A store keeps what a build read and derived so the next build need not do it again: per file
(keyed by absolute path) its stat, content hash, metadata, decoded text and segmentation; one
row per candidate passage (``themes.passages_of``) with its roots, words and sentence breaks,
and an index over them so a theme's terms find their passages without reading the corpus;
per article the *annotations* later stages compute (quotations, dated sentences) under a
(kind, version); and *kept* results over many articles (a theme's evidence, the file table's
snapshot, the last reading of the corpus) under a name. Every implementation
(:class:`~briefing.store.sqlite.SqliteStore`, :class:`~briefing.store.postgres.PostgresStore`)
keeps exactly this contract, and ``tests/test_store_contract.py`` holds each of them to it.

**A cache.** Nothing in a store is the only copy of anything: every row can be made again
from the articles on disk. A store filled by other reading code (another ``fingerprint``) is
emptied when it is opened, without a word.

**One build at a time.** Opening a store takes its lock, held until :meth:`Store.close`: a
second opener waits ``BRIEFING_LOCK_TIMEOUT`` seconds (default 10) and then gives up with
:class:`~briefing.errors.BusyError` naming the holder. A build holds keys and generations it
read earlier (its references, a theme's evidence computed at generation G), which another
writer could invalidate under it, so the lock covers the whole build, reads included. The
lock is the store's own (a lock file beside an SQLite store, an advisory lock in PostgreSQL),
never the whole database's, and it dies with the process that took it. A process opening the
store again while it holds it (a command that reads the corpus twice) shares it.

**Transactions.** Each writing call (:meth:`~Store.put`, :meth:`~Store.touch`,
:meth:`~Store.drop`, :meth:`~Store.put_annotations`, :meth:`~Store.put_cached`,
:meth:`~Store.drop_cached`) is one transaction: all of it or none of it is stored, so a build
killed midway leaves every call it completed usable (ingestion stores a batch of articles per
call). Reading calls see only committed data.

**Generations.** A counter raised by every write to the file table (``put``, ``touch``,
``drop``); each file row carries the generation it was stored at. A result derived at
generation G stays exact for every file whose ``gen`` is at most G, so a warm build computes
only what concerns files stored since (``ranking``). Generations never go back, not even
over a rebuild.

**Integrity.** What comes back is what was put in: every payload (an article's text,
metadata and segmentation, an annotation, a kept result) carries a check value verified on
every read. Damage found anywhere, when the store is opened or by any call later, means one
line to ``warn`` and a rebuild: the store is emptied, :attr:`Store.refill` (set by whoever
read the corpus into it: ``ingest``) puts the build's articles back under the keys the build
holds, and the call that met the damage is made again, so no caller needs to know.
:attr:`Store.rebuilt` counts the rebuilds. Damage again after a rebuild is not the cache's
(a failing disk or server): :class:`StoreBroken`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, NamedTuple, Protocol, TypeVar

from briefing.errors import BriefingError
from briefing.judge.themes import ThemeQuery
from briefing.models import ArticleMeta, Paragraph, Passage, indices


class StoreCorrupt(Exception):
    """The store's data is damaged (raised inside a store, which rebuilds itself: callers never
    see it)."""


class StoreBroken(BriefingError):
    """The store was damaged again right after it was rebuilt: the disk or the server, not
    the cache."""


# --- Records crossing the interface ---------------------------------------------------------


class FileState(NamedTuple):
    """What the store knows of one file, enough to decide whether to read it again and to
    consider it in a build without loading its text (a tuple: a warm build over 100,000 files
    makes one per file, three times faster than a dataclass)."""

    key: int
    size: int
    mtime_ns: int
    manifest: str  # digest of the config's sources entry that applied ('' for none)
    sha256: str
    ok: bool  # False: the file was skipped (empty, binary); ``warnings`` says why
    warnings: tuple[str, ...]  # with "\0" where the file's display path goes
    encoding: str
    body_start: int
    published: str | None
    passage_count: int  # candidate passages
    token_count: int  # tokens over those passages (for BM25's mean length)
    gen: int = 0  # the store's generation when the file was stored (see ``generation``)


class Kept(NamedTuple):
    """A derived result kept in the store (``cached``): the generation it was computed at and
    its bytes."""

    gen: int
    data: bytes


#: A file's row as :meth:`Store.rows` gives it (a plain tuple in FileState's order, ``ok`` as
#: 0 or 1, its warnings as JSON) is read by these indices (``ROW.size``) where the code is hot
ROW = indices(FileState)

#: One candidate passage of an article as :class:`Ingested` carries it: (paragraph, sentence,
#: start, end, roots, words, breaks), roots, words and breaks joined by single spaces
#: (``Passage``'s fields, as a store keeps them)
PassageRow = tuple[int, int | None, int, int, str, str, str]


@dataclass(frozen=True, slots=True)
class Ingested:
    """An article read and cut up, ready to be stored (``ok`` False: a skipped file)."""

    path: str
    size: int
    mtime_ns: int
    manifest: str
    sha256: str
    ok: bool
    warnings: tuple[str, ...]
    encoding: str = ""
    body_start: int = 0
    meta: ArticleMeta = ArticleMeta()
    text: str = ""
    paragraphs: tuple[Paragraph, ...] = ()
    passages: tuple[PassageRow, ...] = ()
    key: int | None = None  # the key to store it under (a refill); None: a new one


@dataclass(frozen=True, slots=True)
class Stored:
    """An article's full record, for the few articles a build shows."""

    text: str
    meta: ArticleMeta
    paragraphs: tuple[Paragraph, ...]


# --- The store ------------------------------------------------------------------------------


class Indexed(Protocol):
    """A passage index (sqlite_index, postgres_index): what the tables hand its reads to."""

    def passages(self, files: Collection[int], words: bool) -> list[Passage]: ...

    def search(self, query: ThemeQuery, files: Collection[int]) -> list[Passage]: ...

    def forget(self) -> None:
        """Drop what the index keeps of the connection it last read over (a closed one)."""


class _Connection(Protocol):
    def close(self) -> None: ...


_DB = TypeVar("_DB", bound=_Connection)  # a backend's connection


class ConnectionTables(Generic[_DB]):
    """What the tables of both backends do alike over their one connection (``db``, None once
    closed): closing it (and the index's hold on it), and handing passage reads to their
    index."""

    db: _DB | None
    index: Indexed

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
        self.index.forget()  # what it kept was of this connection (a temporary table ...)

    def _conn(self) -> _DB:
        if self.db is None:
            raise RuntimeError("the store is closed")
        return self.db

    def passages(self, files: Collection[int], words: bool) -> list[Passage]:
        return self.index.passages(files, words)

    def search(self, query: ThemeQuery, files: Collection[int]) -> list[Passage]:
        return self.index.search(query, files)


class Store(Protocol):
    """What the pipeline needs of a store (see the module docstring for locks, transactions,
    generations and integrity). Every method may rebuild the store on damage (and then
    completes as if there had been none) or raise :class:`StoreBroken`."""

    #: Puts the articles a build holds back into the store after a rebuild, under the keys
    #: the build holds (``ingest`` sets it once it holds keys); None: nothing to put back.
    refill: Callable[[], None] | None

    @property
    def rebuilt(self) -> int:
        """How many times damage was found and the store rebuilt since it was opened."""
        ...

    # -- files ----------------------------------------------------------------------------

    def state(self) -> dict[str, FileState]:
        """Every file the store knows, by absolute path."""
        ...

    def rows(self) -> dict[str, tuple]:
        """``state`` as plain tuples in FileState's order (``ok`` 0 or 1, warnings as JSON):
        what a warm build compares 100,000 files with, so it must cost next to nothing when
        nothing changed (a snapshot kept for the store's generation). The caller must not
        change the dict it is given."""
        ...

    def rows_of(self, paths: Iterable[str]) -> dict[str, tuple]:
        """The rows (as ``rows``) of the files among ``paths`` that the store knows."""
        ...

    def stored_since(self, gen: int) -> list[str]:
        """The paths of the files stored (read in, not just re-stat'ed) after generation
        ``gen``, in no particular order."""
        ...

    def touch(self, stats: Iterable[tuple[str, int, int]]) -> None:
        """Record a new (path, size, mtime_ns) for files whose content did not change (their
        ``gen`` stays: their content is as stored). One transaction; raises the generation."""
        ...

    def put(self, records: Sequence[Ingested]) -> dict[str, int]:
        """Store articles, replacing what was stored for their paths (with its passages and
        annotations), in one transaction at one new generation; returns each path's key: the
        record's own ``key`` when it has one (a refill), else one no file the store holds has.
        Keys are positive; a key may come again once its file is gone (the generation tells
        a file stored now from one stored before)."""
        ...

    def drop(self, paths: Iterable[str]) -> int:
        """Forget files (with their passages and annotations) in one transaction; returns how
        many paths were given. Unknown paths are no error."""
        ...

    def generation(self) -> int:
        """The store's generation: raised by every ``put``, ``touch`` and ``drop``."""
        ...

    # -- passages and articles ------------------------------------------------------------

    def candidates(self, query: ThemeQuery, files: Collection[int]) -> list[Passage]:
        """Every stored passage of ``files`` where a term or ``not`` phrase of ``query`` may
        occur, in no particular order: a superset of those with evidence, which ``themes``
        then counts exactly, so scoring them gives what scoring every passage would. Each has
        its ``file`` (its ``article_id`` is left for the corpus to give) and ``hits``: a
        superset of the texts of the terms, exclusions and ``not`` phrases of ``query`` that
        occur in it, or None when not looked up (any may occur). Empty when ``query`` has
        nothing to look for."""
        ...

    def load(self, files: Iterable[int]) -> dict[int, Stored]:
        """Text, metadata and segmentation of the given files, each one an article the store
        holds (a key it gave for a file it did not skip): one it cannot find is damage."""
        ...

    # -- what later stages keep -----------------------------------------------------------

    def annotations(self, files: Iterable[int], kind: str, version: str) -> dict[int, bytes]:
        """What a later stage stored for these articles under (``kind``, ``version``): the
        bytes put there, for the files that have them. A stage passes the version of its own
        code, so a change to it finds nothing and recomputes."""
        ...

    def put_annotations(self, kind: str, version: str, data: Mapping[int, bytes]) -> None:
        """Keep a later stage's results per article (one transaction), one per (file, kind):
        a new version replaces the old. Replacing or dropping a file deletes its annotations."""
        ...

    def cached(self, name: str) -> Kept | None:
        """The result kept under ``name``, if any: exactly the bytes put there, with the
        generation given with them."""
        ...

    def put_cached(self, name: str, gen: int, data: bytes) -> None:
        """Keep a result under ``name`` (replacing any), computed at generation ``gen``."""
        ...

    def drop_cached(self, name: str) -> None:
        """Forget the result kept under ``name`` (if any)."""
        ...

    def cached_names(self, prefix: str) -> list[str]:
        """The names of the results kept under a name starting with ``prefix``, in no
        particular order."""
        ...

    # -- life -----------------------------------------------------------------------------

    def close(self) -> None:
        """Release the store and its lock (again: nothing)."""
        ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *_: object) -> None: ...
