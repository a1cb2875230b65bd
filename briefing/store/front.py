"""What every store does the same way over its backend's tables: the :class:`Store` interface
itself, with healing, the file table's snapshot, and the generations seen.

A backend (SQLite, PostgreSQL) supplies :class:`Tables`: its connection, lock and SQL, each
call one transaction, damage raised as :class:`StoreCorrupt`. :class:`StoreFront` makes that
the store the pipeline uses: every public method heals (:mod:`briefing.store.heal`), the file
rows come from a snapshot (:mod:`briefing.store.snapshot`), and a theme's passages are read
straight from the few files it asks for, or through the backend's index for many.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Protocol

from briefing.judge.themes import Term, ThemeQuery, reads_words
from briefing.models import Passage
from briefing.store.heal import Healer, heals
from briefing.store.interface import (
    ROW,
    FileState,
    Ingested,
    Kept,
    Store,
    StoreBroken,
    StoreCorrupt,
    Stored,
)
from briefing.store.snapshot import FileRows

__all__ = ["DIRECT_MAX", "StoreBroken", "StoreCorrupt", "StoreFront", "Tables", "looked_up",
           "sought"]

DIRECT_MAX = 50  # files whose passages candidates() reads directly instead of through the index


class Tables(Protocol):
    """A backend's tables as the front uses them. Each writing call is one transaction and
    returns the generation it wrote at; damage is :class:`StoreCorrupt` (the front heals)."""

    #: what to do when the store is damaged again after a rebuild
    remedy: str

    @property
    def name(self) -> str:
        """The store as a user sees it (for the warning of a rebuild)."""
        ...

    def generation(self) -> int: ...
    def rows(self, paths: Iterable[str] | None) -> dict[str, tuple]:
        """The file rows (as ``Store.rows``) of ``paths`` that the table holds (None: all)."""
        ...
    def stored_since(self, gen: int) -> list[str]: ...
    def touch(self, stats: Sequence[tuple[str, int, int]]) -> int: ...
    def put(self, records: Sequence[Ingested]) -> tuple[int, dict[str, int]]: ...
    def drop(self, paths: Sequence[str]) -> int: ...
    def passages(self, files: Collection[int], words: bool) -> list[Passage]:
        """Every passage of ``files`` (``hits`` None), their words read only if ``words``."""
        ...
    def search(self, query: ThemeQuery, files: Collection[int]) -> list[Passage]:
        """``Store.candidates`` through the index, for many files."""
        ...
    def load(self, files: Collection[int]) -> dict[int, Stored]: ...
    def annotations(self, files: Iterable[int], kind: str,
                    version: str) -> dict[int, bytes]: ...
    def put_annotations(self, kind: str, version: str, data: Mapping[int, bytes]) -> None: ...
    def cached(self, name: str) -> Kept | None: ...
    def put_cached(self, name: str, gen: int, data: bytes) -> None: ...
    def drop_cached(self, name: str) -> None: ...
    def cached_names(self, prefix: str) -> list[str]: ...
    def current(self) -> bool:
        """Open the tables; whether they hold a store of this schema and of the code that
        fills it (False: missing, or from other code)."""
        ...
    def reset(self, generation: int) -> None:
        """Empty the store, its generation counter starting at ``generation``."""
        ...
    def close(self) -> None: ...


def sought(query: ThemeQuery) -> bool:
    """Whether ``query`` has anything for an index to look for (a term or ``not`` phrase
    with roots)."""
    return any(t.roots and all(t.roots) for t in (*query.terms, *query.not_))


def looked_up(query: ThemeQuery) -> list[Term]:
    """The terms, exclusions and ``not`` phrases of ``query`` whose hits an index looks up
    (``Passage.hits``), one per text: one text is always one expression."""
    return [t for t in {t.text: t for t in (*query.terms, *query.exclude, *query.not_)}.values()
            if t.roots and all(t.roots)]


def _nothing() -> None:
    return None


class StoreFront(Store):
    """The store over ``tables`` (see the module docstring), opened: a store of other code
    (``tables.current()`` False) or one found damaged is emptied first."""

    def __init__(self, tables: Tables, warn: Callable[[str], None] | None,
                 unlock: Callable[[], None] = lambda: None) -> None:
        """``unlock`` releases the store's lock (on :meth:`close`, or here when opening
        fails)."""
        self.tables = tables
        self._unlock = unlock
        self.healer = Healer(warn)
        self.refill: Callable[[], None] | None = None
        self.snapshot = FileRows(self, lambda: self.tables.rows(None))
        try:
            try:
                fresh = tables.current()
            except StoreCorrupt as exc:
                self.healer.damaged(exc, tables.name)
                fresh = False
            if not fresh:
                self.reset()  # missing, or from other code: emptied without a word
        except BaseException:
            self.close()
            raise

    @property
    def rebuilt(self) -> int:
        return self.healer.rebuilt

    def _recover(self, exc: StoreCorrupt) -> None:
        """Damage met by a call: rebuild the store and put the build's articles back.

        The one place where corruption becomes a rebuild. Damage again after a rebuild (while
        refilling, or later in the same run) is not the cache's: :class:`StoreBroken`.
        Generations go on from the highest this object has seen, never back: a caller holding
        one (a theme's evidence computed at generation G) must not take a file stored after the
        rebuild for one stored before G."""
        if self.healer.rebuilt:
            raise StoreBroken(f"the store {self.tables.name} is damaged again after it was "
                              f"rebuilt ({exc}): {self.tables.remedy}") from exc
        self.healer.damaged(exc, self.tables.name)
        self.reset(generation=self.healer.high + 1)
        if self.refill is not None:
            self.refill()

    def reset(self, generation: int = 0) -> None:
        """Empty the store (it is only a cache), its generation counter starting at
        ``generation``."""
        self.tables.reset(generation)
        self.snapshot.forget()

    def close(self) -> None:
        """Close the tables and release the lock (once)."""
        self.tables.close()
        unlock, self._unlock = self._unlock, _nothing
        unlock()

    def __del__(self) -> None:
        if "tables" in self.__dict__:
            self.close()

    def __enter__(self) -> StoreFront:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- files ----------------------------------------------------------------------------

    @heals
    def state(self) -> dict[str, FileState]:
        return {path: FileState(*r)._replace(
                    ok=bool(r[ROW.ok]),
                    warnings=tuple(json.loads(r[ROW.warnings])) if r[ROW.warnings] != "[]" else ())
                for path, r in self.rows().items()}

    @heals
    def rows(self) -> dict[str, tuple]:
        return self.snapshot.current()

    @heals
    def rows_of(self, paths: Iterable[str]) -> dict[str, tuple]:
        return self.tables.rows(paths)

    @heals
    def stored_since(self, gen: int) -> list[str]:
        return self.tables.stored_since(gen)

    @heals
    def generation(self) -> int:
        return self.healer.saw(self.tables.generation())

    @heals
    def touch(self, stats: Iterable[tuple[str, int, int]]) -> None:
        stats = list(stats)
        gen = self.healer.saw(self.tables.touch(stats))
        self.snapshot.wrote(gen, (path for path, _, _ in stats))

    @heals
    def put(self, records: Sequence[Ingested]) -> dict[str, int]:
        gen, keys = self.tables.put(records)
        self.snapshot.wrote(self.healer.saw(gen), keys)
        return keys

    @heals
    def drop(self, paths: Iterable[str]) -> int:
        paths = list(paths)
        gen = self.healer.saw(self.tables.drop(paths))
        self.snapshot.wrote(gen, paths)
        return len(paths)

    # -- passages and articles ------------------------------------------------------------

    @heals
    def candidates(self, query: ThemeQuery, files: Collection[int]) -> list[Passage]:
        if not files or not sought(query):
            return []
        if len(files) <= DIRECT_MAX:
            # a few files (those stored since a warm build's evidence was kept): their passages
            # straight from the table, every term looked for (hits None), rather than matching
            # each term over the whole index to keep a few rows; lower-case words serve
            # prefixes only: without one they are not read
            return self.tables.passages(files, reads_words(query))
        return self.tables.search(query, files)

    @heals
    def load(self, files: Iterable[int]) -> dict[int, Stored]:
        wanted = set(files)
        out = self.tables.load(wanted)
        if len(out) != len(wanted):  # a damaged page can hide rows without the engine noticing
            missing = min(wanted.difference(out))
            raise StoreCorrupt(f"the stored article {missing} is missing")
        return out

    # -- what later stages keep -----------------------------------------------------------

    @heals
    def annotations(self, files: Iterable[int], kind: str, version: str) -> dict[int, bytes]:
        return self.tables.annotations(files, kind, version)

    @heals
    def put_annotations(self, kind: str, version: str, data: Mapping[int, bytes]) -> None:
        if data:
            self.tables.put_annotations(kind, version, data)

    @heals
    def cached(self, name: str) -> Kept | None:
        kept = self.tables.cached(name)
        if kept is not None:
            self.healer.saw(kept.gen)
        return kept

    @heals
    def put_cached(self, name: str, gen: int, data: bytes) -> None:
        self.tables.put_cached(name, gen, data)

    @heals
    def drop_cached(self, name: str) -> None:
        self.tables.drop_cached(name)

    @heals
    def cached_names(self, prefix: str) -> list[str]:
        return self.tables.cached_names(prefix)
