"""The embedded store: a cache of every article read, its segmentation, and a passage index.

It is the only module that knows SQL. The pipeline talks to the :class:`Store` protocol, so a
server database or a distributed engine can stand in for :class:`SqliteStore` later.

What it holds, per file (keyed by absolute path): size, mtime, content hash, metadata, the
decoded text, the segmentation, and one row per candidate passage (a body paragraph, or a
sentence of a long paragraph: ``themes.passages_of``) with the passage's word roots and
lower-case words and where its sentences begin. An FTS5 table indexes roots and words, so a
theme's terms find their passages without reading the corpus; ``annotations`` keeps what later
stages compute per article (quotations, dated sentences) under a (kind, version), and
``rank_cache`` what they compute over many (a theme's evidence), so a warm build reuses them.

It is a cache: nothing in it is the only copy of anything. A missing file, or one written by
another schema or another version of the reading code (``fingerprint``), is deleted and rebuilt
without asking. Writes happen in transactions of a batch of articles, so a build killed midway
leaves every committed batch usable.

The store owns its integrity. SQLite checks its pages as it reads them; every payload the store
keeps as a blob or a large text (an article's text, metadata and segmentation, annotations,
derived results and snapshots) carries a CRC-32 checked on every read, so what comes back is
what was put in. Damage found anywhere, when the store is opened or by any read or write later in
a build (``_heals``), means one warning line and a rebuild: the database is deleted, made again
empty, ``refill`` (set by whoever read the corpus into it: ``ingest``) puts the articles of the
build back under the keys the build holds, and the call that met the damage is made again, so
no caller needs to know. Damage again in the rebuilt store is a broken disk, not a cache:
:class:`StoreBroken` says so.

One build at a time holds the lock file beside the database (``fcntl.flock``); a second one waits
``lock_timeout`` seconds and then gives up with :class:`~briefing.errors.BusyError`. The lock
lives exactly as long as the process that took it: the kernel releases a flock when its last
descriptor closes, and a process forked from the holder (an ingestion worker) closes its copy at
once (``_forget_locks``), so no child can keep a build's lock after the build has died.
"""

from __future__ import annotations

import fcntl
import json
import marshal
import os
import sqlite3
import time
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar

from briefing.errors import BriefingError, BusyError
from briefing.judge.themes import Term, ThemeQuery, reads_words
from briefing.models import ArticleMeta, Paragraph, Passage, Span, indices
from briefing.store.cachekeys import FILES, FILES_DELTA

T = TypeVar("T")

SCHEMA_VERSION = 5  # 2: files.gen, rank_cache; 3: files_gen index; 4: payload CRCs;
# 5: passages.breaks, files.passage_count and token_count (were units, tokens)
DB_NAME = "store.sqlite"
LOCK_NAME = "store.lock"
DEFAULT_LOCK_TIMEOUT = 10.0
DIRECT_MAX = 50  # files whose passages candidates() reads directly instead of through the index
DELTA_MAX = 2000  # rows a delta holds at most (or a twentieth of the files) before a rewrite


class StoreCorrupt(Exception):
    """The database file is damaged (raised inside the store, which rebuilds itself)."""


class StoreBroken(BriefingError):
    """The store was damaged again right after it was rebuilt: the disk, not the cache."""


# SQLite's primary result codes for a damaged file (extended codes keep them in the low byte:
# SQLITE_CORRUPT_VTAB is FTS5's). A short read is a file cut shorter than its header says.
_CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_FORMAT})
_SHORT_READ = sqlite3.SQLITE_IOERR | (2 << 8)
# What the sqlite3 module raises (with no SQLite code) for text that is not UTF-8: damage to a
# page holding text, since only UTF-8 is ever written
_NOT_UTF8 = "Could not decode to UTF-8"


def is_corruption(exc: BaseException) -> bool:
    """Whether ``exc`` says the database file is damaged (rather than busy, full, or misused)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return _NOT_UTF8 in str(exc) or type(exc) is sqlite3.DatabaseError
    return (code & 0xFF) in _CORRUPT_CODES or code == _SHORT_READ


def crc(*parts: str | bytes) -> int:
    """The CRC-32 of ``parts`` in order (text as UTF-8): a payload's check value."""
    value = 0
    for part in parts:
        value = zlib.crc32(part.encode("utf-8", "surrogatepass") if isinstance(part, str)
                           else part, value)
    return value


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


# A file's row as ``SqliteStore.rows`` gives it (a plain tuple in FileState's order, its
# warnings as JSON) is read by these indices (``ROW.size``) where the code is hot
ROW = indices(FileState)


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
    # (paragraph, sentence, start, end, roots, words, breaks): roots, words and breaks joined
    # by spaces (``Passage``'s fields, as the passages table holds them)
    passages: tuple[tuple[int, int | None, int, int, str, str, str], ...] = ()
    key: int | None = None  # the key to store it under (a refill); None: a new one


@dataclass(frozen=True, slots=True)
class Stored:
    """An article's full record, for the few articles a build shows."""

    text: str
    meta: ArticleMeta
    paragraphs: tuple[Paragraph, ...]


class Store(Protocol):
    """What the pipeline needs of a store (see the module docstring)."""

    def state(self) -> dict[str, FileState]: ...
    def rows(self) -> dict[str, tuple]: ...
    def rows_of(self, paths: Iterable[str]) -> dict[str, tuple]: ...
    def stored_since(self, gen: int) -> list[str]: ...
    def touch(self, stats: Iterable[tuple[str, int, int]]) -> None: ...
    def put(self, records: Sequence[Ingested]) -> dict[str, int]: ...
    def drop(self, paths: Iterable[str]) -> int: ...
    def candidates(self, query: ThemeQuery, files: Collection[int]) -> list[Passage]: ...
    def load(self, files: Iterable[int]) -> dict[int, Stored]: ...
    def annotations(self, files: Iterable[int], kind: str, version: str) -> dict[int, bytes]: ...
    def put_annotations(self, kind: str, version: str, data: Mapping[int, bytes]) -> None: ...
    def generation(self) -> int: ...
    def cached(self, name: str) -> Kept | None: ...
    def put_cached(self, name: str, gen: int, data: bytes) -> None: ...
    def drop_cached(self, name: str) -> None: ...
    def cached_names(self, prefix: str) -> list[str]: ...
    def close(self) -> None: ...


# --- SQLite ---------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files(
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, manifest TEXT NOT NULL,
    sha256 TEXT NOT NULL, ok INTEGER NOT NULL, warnings TEXT NOT NULL,
    encoding TEXT NOT NULL, body_start INTEGER NOT NULL, published TEXT,
    passage_count INTEGER NOT NULL, token_count INTEGER NOT NULL, gen INTEGER NOT NULL);
CREATE INDEX files_gen ON files(gen);
CREATE TABLE articles(
    file INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
    meta TEXT NOT NULL, text TEXT NOT NULL, paragraphs TEXT NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE passages(
    id INTEGER PRIMARY KEY,
    file INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    paragraph INTEGER NOT NULL, sentence INTEGER, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    roots TEXT NOT NULL, words TEXT NOT NULL, breaks TEXT NOT NULL);
CREATE INDEX passages_file ON passages(file);
-- The ascii tokenizer splits on ASCII punctuation and space only, so each root or word (letters
-- and digits, any script) is exactly one FTS token, and a phrase query means what
-- themes._occurrences means by consecutive roots.
CREATE VIRTUAL TABLE passage_index USING fts5(
    roots, words, content='passages', content_rowid='id', tokenize='ascii');
CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN
    INSERT INTO passage_index(rowid, roots, words) VALUES (new.id, new.roots, new.words);
END;
CREATE TRIGGER passages_ad AFTER DELETE ON passages BEGIN
    INSERT INTO passage_index(passage_index, rowid, roots, words)
    VALUES ('delete', old.id, old.roots, old.words);
END;
-- Later stages' results per article (quotes, parses, dates): reused while the file is unchanged.
CREATE TABLE annotations(
    file INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    kind TEXT NOT NULL, version TEXT NOT NULL, data BLOB NOT NULL, crc INTEGER NOT NULL,
    PRIMARY KEY(file, kind));
-- Derived results over many articles (a theme's evidence per passage), valid for the files
-- stored up to generation ``gen`` (ranking.py says how they are used).
CREATE TABLE rank_cache(name TEXT PRIMARY KEY, gen INTEGER NOT NULL, data BLOB NOT NULL,
                        crc INTEGER NOT NULL);
"""


IN_CHUNK = 500  # values per "IN (...)" list: under SQLite's 999 bound parameters, with room


def _in_chunks(values: Iterable[T]) -> Iterator[tuple[list[T], str]]:
    """The distinct ``values``, sorted, in chunks for ``... IN (marks)``: (chunk, marks)."""
    wanted = sorted(set(values))
    for i in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[i:i + IN_CHUNK]
        yield chunk, ",".join("?" * len(chunk))


def lock_timeout() -> float:
    """Seconds a build waits for another one to release the store (``BRIEFING_LOCK_TIMEOUT``)."""
    raw = os.environ.get("BRIEFING_LOCK_TIMEOUT", "")
    try:
        return max(0.0, float(raw)) if raw.strip() else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


# Locks this process holds, by lock file: (fd, users). The lock keeps other processes out; stores
# opened twice in one process (a command that reads the corpus twice) share it.
_HELD: dict[str, tuple[int, int]] = {}


def _acquire(path: Path, timeout: float) -> str:
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
                raise BusyError(
                    f"another briefing build is using the store {path.parent}{who}; "
                    "try again when it has finished") from None
            time.sleep(0.1)
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    _HELD[name] = (fd, 1)
    return name


def _release(name: str) -> None:
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


def _fts_phrase(words: Sequence[str], prefix: bool = False) -> str:
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"' + ("*" if prefix else "")


def _fts_term(term: Term) -> str:
    """A term as an FTS5 expression that finds every passage where ``themes`` could count it
    (a superset when a phrase ends in a prefix: themes checks the order itself)."""
    if not term.prefix:
        return "roots : " + _fts_phrase(term.roots)
    last = "words : " + _fts_phrase(term.roots[-1:], prefix=True)
    if len(term.roots) == 1:
        return last
    return f"(roots : {_fts_phrase(term.roots[:-1])} AND {last})"


def match_expression(query: ThemeQuery) -> str | None:
    """The FTS5 query for a theme: any of its terms, or of its ``not`` phrases (a passage that
    a ``not`` phrase vetoes is still reported, with the reason). None when there is nothing to
    look for."""
    parts = [_fts_term(t) for t in (*query.terms, *query.not_) if t.roots and all(t.roots)]
    return " OR ".join(parts) if parts else None


_ROW_ID = 0  # the passage's rowid in a row ``candidates`` selects (then as ``_passage`` reads)


def _passage(row: tuple, hits: frozenset[str] | None) -> Passage:
    """A passage as ``candidates`` selects it: (rowid, file, paragraph, sentence, start, end,
    roots, words, breaks)."""
    _, file, paragraph, sentence, start, end, roots, words, breaks = row
    return Passage("", paragraph, start, end, sentence, roots.split(), words.split(),
                   [int(b) for b in breaks.split()] if breaks else [], hits, file)


def _paragraphs_json(paragraphs: Sequence[Paragraph]) -> str:
    return json.dumps([[p.start, p.end, p.kind, p.furniture,
                        [x for s in p.sentences for x in (s.start, s.end)]] for p in paragraphs],
                      separators=(",", ":"))


def _paragraphs_of(raw: str) -> tuple[Paragraph, ...]:
    out = []
    for start, end, kind, furniture, flat in json.loads(raw):
        sents = tuple(Span(flat[i], flat[i + 1]) for i in range(0, len(flat), 2))
        out.append(Paragraph(start, end, kind, sents, furniture))
    return tuple(out)


def _meta_json(meta: ArticleMeta) -> str:
    return json.dumps([meta.title, meta.outlet, meta.byline, meta.published, meta.url,
                       list(meta.inferred)], ensure_ascii=False)


def _meta_of(raw: str) -> ArticleMeta:
    title, outlet, byline, published, url, inferred = json.loads(raw)
    return ArticleMeta(title, outlet, byline, published, url, tuple(inferred))


M = TypeVar("M", bound=Callable[..., Any])


def _heals(method: M) -> M:
    """A public method of :class:`SqliteStore` that survives damage to the database: when it
    meets some, the store is rebuilt (``SqliteStore._recover``, which gives up the second time)
    and the call made again. Only the outermost call recovers (one method calling another is
    made again as a whole), and arguments given as one-shot iterators are taken into lists
    first so the call can be repeated."""

    @wraps(method)
    def healing(self: SqliteStore, *args: Any) -> Any:
        if self._depth:
            return method(self, *args)
        args = tuple(list(a) if isinstance(a, Iterator) else a for a in args)
        while True:
            self._depth += 1
            try:
                return method(self, *args)
            except StoreCorrupt as exc:
                damage = exc
            finally:
                self._depth -= 1
            self._recover(damage)

    return healing  # type: ignore[return-value]


class SqliteStore:
    """The store in one SQLite file (WAL mode) with a lock file beside it."""

    def __init__(self, directory: Path, *, fingerprint: str = "",
                 timeout: float | None = None,
                 warn: Callable[[str], None] | None = None) -> None:
        """Open (or create, or rebuild) the store in ``directory`` and take its lock.
        ``fingerprint`` names the code that filled it: another one means a rebuild. ``warn``
        is told, in one line, when the store is found damaged and rebuilt."""
        self.directory = directory
        self.fingerprint = fingerprint
        self.db: sqlite3.Connection | None = None
        self._lock: str | None = None
        self._warn = warn
        self._depth = 0  # calls of healing methods under way (only the outermost recovers)
        self._high = -1  # the highest generation this object has seen (see ``_recover``)
        self._selected: frozenset[int] | None = None  # the files in temp.sel (``_select``)
        # puts the articles a build holds back into a rebuilt store, under the keys it holds
        self.refill: Callable[[], None] | None = None
        self.rebuilt = 0  # times damage was found and the store rebuilt since it was opened
        self._forget_rows()
        directory.mkdir(parents=True, exist_ok=True)
        self._lock = _acquire(directory / LOCK_NAME,
                              lock_timeout() if timeout is None else timeout)
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    @property
    def path(self) -> Path:
        return self.directory / DB_NAME

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA temp_store=MEMORY")
        db.execute("PRAGMA cache_size=-65536")
        return db

    def _open(self) -> None:
        try:
            self.db = self._connect()
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                row = self.db.execute("SELECT value FROM info WHERE key='fingerprint'").fetchone()
                if row is not None and row[0] == self.fingerprint:
                    return
        except sqlite3.DatabaseError as exc:
            if is_corruption(exc):
                self._damaged(exc)
        self.reset()  # missing, or from other code: rebuilt without a word

    def _damaged(self, exc: BaseException) -> None:
        self.rebuilt += 1
        if self._warn is not None:
            from briefing.read.corpus import display_path  # the path as the user sees it

            self._warn(f"the store {display_path(self.path)} is damaged ({exc}); "
                       "rebuilding it from the articles")

    def _recover(self, exc: StoreCorrupt) -> None:
        """Damage met by a call: rebuild the store and put the build's articles back.

        The one place where corruption becomes a rebuild. Damage again after a rebuild (while
        refilling, or later in the same run) is not the cache's: :class:`StoreBroken`.
        Generations go on from the highest this object has seen, never back: a caller holding
        one (a theme's evidence computed at generation G) must not take a file stored after the
        rebuild for one stored before G."""
        if self.rebuilt:
            raise StoreBroken(f"the store {self.path} is damaged again after it was rebuilt "
                              f"({exc}): check the disk, or delete {self.directory}") from exc
        self._damaged(exc)
        self.reset(generation=self._high + 1)
        if self.refill is not None:
            self.refill()

    def reset(self, generation: int = 0) -> None:
        """Delete the database and create an empty one (the store is only a cache), its
        generation counter starting at ``generation``."""
        if self.db is not None:
            self.db.close()
            self.db = None
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
        db = self._connect()
        with _transaction(db):
            for statement in _split(_SCHEMA):
                db.execute(statement)
            db.execute("INSERT INTO info VALUES ('fingerprint', ?)", (self.fingerprint,))
            db.execute("INSERT INTO info VALUES ('generation', ?)", (str(generation),))
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.db = db
        self._selected = None  # the selection was a temporary table of the old connection
        self._forget_rows()

    def __del__(self) -> None:
        self.close()

    def close(self) -> None:
        """Close the database and release the lock."""
        if self.db is not None:
            self.db.close()
            self.db = None
        if self._lock is not None:
            _release(self._lock)
            self._lock = None

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _conn(self) -> sqlite3.Connection:
        if self.db is None:
            raise RuntimeError("the store is closed")
        return self.db

    # -- files --------------------------------------------------------------------------------

    @_heals
    def state(self) -> dict[str, FileState]:
        """Every file the store knows, by absolute path."""
        return {path: FileState(*r)._replace(
                    ok=bool(r[ROW.ok]),
                    warnings=tuple(json.loads(r[ROW.warnings])) if r[ROW.warnings] != "[]" else ())
                for path, r in self.rows().items()}

    @_heals
    def rows(self) -> dict[str, tuple]:
        """``state`` as plain tuples in FileState's order (warnings as JSON): what a warm build
        compares 100,000 files with. Read from a snapshot of the file table (marshal, a tenth of
        the time of reading the rows) kept for the store's generation; every write to the file
        table raises the generation, so a snapshot is never stale. After a few files changed,
        only their rows are read again and kept as a small delta beside the snapshot (rewriting
        100,000 rows for one new file cost a second); a large delta is folded in."""
        gen = self.generation()
        if self._rows is not None and gen == self._written and self._changed is not None:
            return self._refresh(gen)
        self._forget_rows()
        kept = self.cached(FILES)  # checked: exactly the bytes put there
        if kept is not None:
            rows: dict[str, tuple] = marshal.loads(kept.data)
            current = kept.gen == gen
            if not current:
                delta = self.cached(FILES_DELTA)
                if delta is not None:
                    base_gen, changes = marshal.loads(delta[1])
                    current = delta.gen == gen and base_gen == kept.gen
                    if current:
                        _apply(rows, changes)
                        self._delta = changes
            if current:
                self._rows, self._base_gen, self._seen = rows, kept.gen, gen
                return rows
        with _guard():  # no snapshot, or a stale one: read the table
            rows = dict(self._read_rows("", ()))
        self.put_cached(FILES, gen, marshal.dumps(rows))
        self._rows, self._base_gen, self._seen = rows, gen, gen
        return rows

    @_heals
    def rows_of(self, paths: Iterable[str]) -> dict[str, tuple]:
        """The rows (as ``rows``) of the files among ``paths`` that the store knows: a warm
        build that saw a few files change asks for those alone."""
        out: dict[str, tuple] = {}
        with _guard():
            for chunk, marks in _in_chunks(paths):
                out.update(self._read_rows(f"WHERE path IN ({marks})", chunk))
        return out

    @_heals
    def stored_since(self, gen: int) -> list[str]:
        """The paths of the files stored (read in, not just re-stat'ed) after generation
        ``gen``."""
        with _guard():
            return [r[0] for r in self._conn().execute(
                "SELECT path FROM files WHERE gen > ?", (gen,))]

    def _read_rows(self, where: str, args: Sequence[str]) -> Iterator[tuple[str, tuple]]:
        for r in self._conn().execute(
                "SELECT path, id, size, mtime_ns, manifest, sha256, ok, warnings, encoding, "
                f"body_start, published, passage_count, token_count, gen FROM files {where}", args):
            path, row = r[0], r[1:]
            if row[ROW.warnings] != "[]":
                # the few rows with warnings: their JSON is what was written
                _json_list(row[ROW.warnings])
            yield path, row

    def _refresh(self, gen: int) -> dict[str, tuple]:
        """The rows after this process's own writes (it holds the lock: no one else wrote),
        reading only the changed files' rows again."""
        assert self._rows is not None and self._changed is not None
        rows, changed = self._rows, sorted(self._changed)
        fresh: dict[str, tuple | None] = dict.fromkeys(changed)
        fresh.update(self.rows_of(changed))
        _apply(rows, fresh)
        self._delta.update(fresh)
        self._changed, self._seen = set(), gen
        if len(self._delta) > max(DELTA_MAX, len(rows) // 20):
            self.put_cached(FILES, gen, marshal.dumps(rows))
            self._base_gen, self._delta = gen, {}
            self.drop_cached(FILES_DELTA)
        else:
            self.put_cached(FILES_DELTA, gen, marshal.dumps((self._base_gen, self._delta)))
        return rows

    def _forget_rows(self) -> None:
        self._rows: dict[str, tuple] | None = None
        self._base_gen = self._seen = self._written = -1
        self._delta: dict[str, tuple | None] = {}
        self._changed: set[str] | None = None

    def _wrote(self, gen: int, paths: Iterable[str]) -> None:
        """Note a write: the paths whose rows changed, if the rows held were current before."""
        if self._changed is None:
            if self._rows is None or gen != self._seen + 1:
                self._forget_rows()
                return
            self._changed = set()
        self._changed.update(paths)
        self._written = gen
        if len(self._changed) > max(DELTA_MAX, len(self._rows or ()) // 20):
            self._forget_rows()  # many files changed (a cold build): read the table again

    @_heals
    def generation(self) -> int:
        """A counter raised by every write to the file table (``put``, ``touch``, ``drop``): a
        file stored after generation G has ``gen`` > G, so results derived at G stay exact for
        every file with ``gen`` <= G."""
        with _guard():
            row = self._conn().execute(
                "SELECT value FROM info WHERE key='generation'").fetchone()
            if row is None or not str(row[0]).isdigit():
                raise StoreCorrupt("the generation counter is missing")
        return self._saw(int(row[0]))

    def _saw(self, gen: int) -> int:
        self._high = max(self._high, gen)
        return gen

    @_heals
    def touch(self, stats: Iterable[tuple[str, int, int]]) -> None:
        """Record a new (path, size, mtime_ns) for files whose content did not change."""
        stats = list(stats)
        with _guard(), _transaction(self._conn()) as db:
            gen = self._saw(_bump(db))
            db.executemany("UPDATE files SET size=?, mtime_ns=? WHERE path=?",
                           [(size, mtime, path) for path, size, mtime in stats])
        self._wrote(gen, (path for path, _, _ in stats))

    @_heals
    def put(self, records: Sequence[Ingested]) -> dict[str, int]:
        """Store articles (replacing what was stored for their paths) in one transaction;
        returns each path's key (the record's own ``key`` when it has one: a refill)."""
        keys: dict[str, int] = {}
        with _guard(), _transaction(self._conn()) as db:
            gen = self._saw(_bump(db))
            for r in records:
                self._delete(db, r.path)
                cur = db.execute(
                    "INSERT INTO files(id, path, size, mtime_ns, manifest, sha256, ok, warnings, "
                    "encoding, body_start, published, passage_count, token_count, gen) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (r.key, r.path, r.size, r.mtime_ns, r.manifest, r.sha256, int(r.ok),
                     json.dumps(list(r.warnings), ensure_ascii=False), r.encoding, r.body_start,
                     r.meta.published, len(r.passages),
                     sum(len(p[4].split()) for p in r.passages), gen))
                key = int(cur.lastrowid or 0)
                keys[r.path] = key
                if not r.ok:
                    continue
                meta, paragraphs = _meta_json(r.meta), _paragraphs_json(r.paragraphs)
                db.execute("INSERT INTO articles VALUES (?,?,?,?,?)",
                           (key, meta, r.text, paragraphs, crc(meta, r.text, paragraphs)))
                db.executemany(
                    'INSERT INTO passages(file, paragraph, sentence, start, "end", roots, words, '
                    "breaks) VALUES (?,?,?,?,?,?,?,?)", [(key, *p) for p in r.passages])
        self._wrote(gen, keys)
        return keys

    @staticmethod
    def _delete(db: sqlite3.Connection, path: str) -> None:
        row = db.execute("SELECT id FROM files WHERE path=?", (path,)).fetchone()
        if row is None:
            return
        # passages first, explicitly, so the index's delete trigger sees each row
        db.execute("DELETE FROM passages WHERE file=?", row)
        db.execute("DELETE FROM annotations WHERE file=?", row)
        db.execute("DELETE FROM articles WHERE file=?", row)
        db.execute("DELETE FROM files WHERE id=?", row)

    @_heals
    def drop(self, paths: Iterable[str]) -> int:
        """Forget files that no longer exist; returns how many were dropped."""
        paths = list(paths)
        with _guard(), _transaction(self._conn()) as db:
            gen = self._saw(_bump(db))
            for path in paths:
                self._delete(db, path)
        self._wrote(gen, paths)
        return len(paths)

    # -- reading ------------------------------------------------------------------------------

    def _select(self, db: sqlite3.Connection, files: Collection[int]) -> None:
        """Make ``files`` the selection (the temporary table ``sel``) the index is joined with,
        unless it is already: the themes of a build ask for the same files one after another,
        and filling it costs a tenth of a second per 100,000 files."""
        if self._selected is not None and self._selected == files:
            return
        db.execute("CREATE TEMP TABLE IF NOT EXISTS sel(file INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM temp.sel")
        db.executemany("INSERT OR IGNORE INTO temp.sel VALUES (?)", ((f,) for f in files))
        self._selected = frozenset(files)

    @_heals
    def candidates(self, query: ThemeQuery, files: Collection[int]) -> list[Passage]:
        """Every indexed passage of ``files`` where a term (or ``not`` phrase) of ``query`` may
        occur: a superset of those with evidence, which ``themes`` then counts exactly. Each
        passage has its ``file`` (its ``article_id`` is left for the corpus to give) and the
        texts of the terms, exclusions and vetoes of ``query`` found in it (``hits``; None
        when not looked up: any may occur)."""
        expression = match_expression(query)
        if expression is None or not files:
            return []
        db = self._conn()
        # lower-case words serve prefixes only: without one they are not read
        columns = ('p.id, p.file, p.paragraph, p.sentence, p.start, p."end", p.roots, '
                   + ("p.words" if reads_words(query) else "''") + ", p.breaks")
        if len(files) <= DIRECT_MAX:
            # a few files (those stored since a warm build's evidence was kept): their passages
            # straight from the table, every term looked for (hits None), rather than matching
            # each term over the whole index to keep a few rows
            wanted = sorted(files)
            with _guard():
                # IN (...) so the planner takes passages' file index (a join with temp.sel
                # scanned every passage: 0.2 s a theme at 100,000 files)
                rows = db.execute(
                    f"SELECT {columns} FROM passages p "
                    f"WHERE p.file IN ({','.join('?' * len(wanted))})", wanted).fetchall()
            return [_passage(r, None) for r in rows]
        with _guard():
            self._select(db, files)
            rows = db.execute(
                f"SELECT {columns} FROM passage_index JOIN passages p ON p.id = passage_index.rowid "
                "JOIN temp.sel s ON s.file = p.file WHERE passage_index MATCH ?",
                (expression,)).fetchall()
            # which term may occur where, so themes counts only those (most passages hold one
            # or two of a theme's twenty terms); by text: one text is always one expression
            hits: dict[int, list[str]] = {r[_ROW_ID]: [] for r in rows}
            for t in {t.text: t for t in (*query.terms, *query.exclude, *query.not_)}.values():
                if t.roots and all(t.roots):
                    # only the selected files' rows come back to Python: a warm build asks
                    # for the few files stored since its evidence was kept (ranking.py)
                    for (rowid,) in db.execute(
                            "SELECT passage_index.rowid FROM passage_index "
                            "JOIN passages p ON p.id = passage_index.rowid "
                            "JOIN temp.sel s ON s.file = p.file WHERE passage_index MATCH ?",
                            (_fts_term(t),)):
                        found = hits.get(rowid)
                        if found is not None:
                            found.append(t.text)
        return [_passage(r, frozenset(hits[r[_ROW_ID]])) for r in rows]

    @_heals
    def load(self, files: Iterable[int]) -> dict[int, Stored]:
        """Text, metadata and segmentation of the given files, each one an article the store
        holds (a key it gave for a file it did not skip)."""
        out: dict[int, Stored] = {}
        db = self._conn()
        wanted = set(files)
        with _guard():
            for chunk, marks in _in_chunks(wanted):
                for file, meta, text, paragraphs, check in db.execute(
                        "SELECT file, meta, text, paragraphs, crc FROM articles "
                        f"WHERE file IN ({marks})", chunk):
                    if crc(meta, text, paragraphs) != check:
                        raise StoreCorrupt(f"the stored article {file} fails its check")
                    out[file] = Stored(text, _meta_of(meta), _paragraphs_of(paragraphs))
        if len(out) != len(wanted):  # a damaged page can hide rows without SQLite noticing
            missing = min(wanted.difference(out))
            raise StoreCorrupt(f"the stored article {missing} is missing")
        return out

    # -- derived results ----------------------------------------------------------------------

    @_heals
    def cached(self, name: str) -> Kept | None:
        """The derived result kept under ``name``, if any: exactly the bytes put there
        (checked), with the generation it was computed at."""
        with _guard():
            row = self._conn().execute(
                "SELECT gen, data, crc FROM rank_cache WHERE name=?", (name,)).fetchone()
        if row is None:
            return None
        gen, data, check = int(row[0]), bytes(row[1]), row[2]
        if crc(data) != check:
            raise StoreCorrupt(f"the stored {name!r} fails its check")
        return Kept(self._saw(gen), data)

    @_heals
    def put_cached(self, name: str, gen: int, data: bytes) -> None:
        """Keep a derived result under ``name``, computed at generation ``gen``."""
        with _guard(), _transaction(self._conn()) as db:
            db.execute("INSERT OR REPLACE INTO rank_cache VALUES (?,?,?,?)",
                       (name, gen, data, crc(data)))

    @_heals
    def cached_names(self, prefix: str) -> list[str]:
        """The names of the derived results kept under a name starting with ``prefix``."""
        with _guard():
            return [name for (name,) in self._conn().execute(
                "SELECT name FROM rank_cache WHERE substr(name, 1, ?) = ?",
                (len(prefix), prefix))]

    @_heals
    def drop_cached(self, name: str) -> None:
        """Forget the derived result kept under ``name`` (if any)."""
        with _guard(), _transaction(self._conn()) as db:
            db.execute("DELETE FROM rank_cache WHERE name=?", (name,))

    # -- annotations --------------------------------------------------------------------------

    @_heals
    def annotations(self, files: Iterable[int], kind: str, version: str) -> dict[int, bytes]:
        """What a later stage stored for these articles under (``kind``, ``version``): a stage
        passes the version of its own code, so a change to it recomputes. Exactly the bytes
        put there (checked)."""
        out: dict[int, bytes] = {}
        db = self._conn()
        with _guard():
            for chunk, marks in _in_chunks(files):
                for file, data, check in db.execute(
                        f"SELECT file, data, crc FROM annotations WHERE kind=? AND version=? "
                        f"AND file IN ({marks})", (kind, version, *chunk)):
                    data = bytes(data)
                    if crc(data) != check:
                        raise StoreCorrupt(f"the stored {kind} of article {file} fail their check")
                    out[file] = data
        return out

    @_heals
    def put_annotations(self, kind: str, version: str, data: Mapping[int, bytes]) -> None:
        """Keep a later stage's results per article (one transaction) until the article
        changes: replacing or deleting a file deletes its annotations."""
        if not data:
            return
        with _guard(), _transaction(self._conn()) as db:
            db.executemany("INSERT OR REPLACE INTO annotations VALUES (?,?,?,?,?)",
                           [(f, kind, version, d, crc(d)) for f, d in data.items()])


def _apply(rows: dict[str, tuple], changes: Mapping[str, tuple | None]) -> None:
    """Bring a snapshot of the file rows up to date with a delta (None: the file is gone)."""
    for path, row in changes.items():
        if row is None:
            rows.pop(path, None)
        else:
            rows[path] = row


def _bump(db: sqlite3.Connection) -> int:
    """Raise the store's generation (inside a write transaction); returns the new one."""
    db.execute("UPDATE info SET value = CAST(value AS INTEGER) + 1 WHERE key='generation'")
    return int(db.execute("SELECT value FROM info WHERE key='generation'").fetchone()[0])


def _split(script: str) -> Iterator[str]:
    """The statements of the schema (triggers hold ';' inside BEGIN ... END)."""
    buf: list[str] = []
    for line in script.splitlines():
        if line.lstrip().startswith("--"):
            continue
        buf.append(line)
        joined = "\n".join(buf).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            yield joined
            buf = []


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite rolled back already (it does on some errors): the first error counts
        raise
    db.execute("COMMIT")


@contextmanager
def _guard() -> Iterator[None]:
    """Turn a damaged database into StoreCorrupt (``_heals`` rebuilds); other errors pass."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            raise StoreCorrupt(str(exc)) from exc
        raise


def _json_list(raw: str) -> list[Any]:
    """A JSON list the store wrote; StoreCorrupt when it is not one (damage SQLite let by)."""
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise StoreCorrupt(f"a stored list is not JSON: {exc}") from exc
    if not isinstance(value, list):
        raise StoreCorrupt("a stored list is not a list")
    return value
