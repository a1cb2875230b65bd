"""The file table as a warm build reads it: a snapshot kept in the store, and a small delta.

A warm build compares 100,000 files with the store's rows. Reading them from the table costs
a second or more in any database; a marshalled snapshot of them, kept as a result under
``cachekeys.FILES`` for the store's generation, costs a tenth of that. Every write to the file
table raises the generation, so a snapshot is never stale. After a few files changed, only
their rows are read again and kept as a small delta beside the snapshot (rewriting 100,000
rows for one new file cost a second; ``cachekeys.FILES_DELTA``); a large delta is folded in.
The same for every backend: it reads and keeps through the store's own interface.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from briefing.store.cachekeys import FILES, FILES_DELTA
from briefing.store.interface import Kept

DELTA_MAX = 2000  # rows a delta holds at most (or a twentieth of the files) before a rewrite

Rows = dict[str, tuple]


class Keeps(Protocol):
    """What the snapshot needs of its store (the store's own methods: they check and heal)."""

    def generation(self) -> int: ...
    def cached(self, name: str) -> Kept | None: ...
    def put_cached(self, name: str, gen: int, data: bytes) -> None: ...
    def drop_cached(self, name: str) -> None: ...
    def rows_of(self, paths: Iterable[str]) -> Rows: ...


class FileRows:
    """The rows of one open store's file table (see the module docstring). ``read_all`` reads
    the whole table (when there is no current snapshot)."""

    def __init__(self, store: Keeps, read_all: Callable[[], Rows]) -> None:
        self.store = store
        self.read_all = read_all
        self.forget()

    def forget(self) -> None:
        """Drop what is held (the store was emptied, or changed beyond a delta)."""
        self.rows: Rows | None = None
        self.base_gen = self.seen = self.written = -1
        self.delta: dict[str, tuple | None] = {}
        self.changed: set[str] | None = None

    def current(self) -> Rows:
        """Every file's row: those held brought up to date with this store's own writes, or a
        kept snapshot (and delta) of the current generation, or the table read afresh and
        kept."""
        store = self.store
        gen = store.generation()
        if self.rows is not None and gen == self.written and self.changed is not None:
            return self._refresh(gen)
        self.forget()
        kept = store.cached(FILES)  # checked: exactly the bytes put there
        if kept is not None:
            rows: Rows = marshal.loads(kept.data)
            current = kept.gen == gen
            if not current:
                delta = store.cached(FILES_DELTA)
                if delta is not None:
                    base_gen, changes = marshal.loads(delta.data)
                    current = delta.gen == gen and base_gen == kept.gen
                    if current:
                        _apply(rows, changes)
                        self.delta = changes
            if current:
                self.rows, self.base_gen, self.seen = rows, kept.gen, gen
                return rows
        rows = self.read_all()  # no snapshot, or a stale one
        store.put_cached(FILES, gen, marshal.dumps(rows))
        self.rows, self.base_gen, self.seen = rows, gen, gen
        return rows

    def _refresh(self, gen: int) -> Rows:
        """The rows after this store's own writes (it holds the lock: no one else wrote),
        reading only the changed files' rows again."""
        assert self.rows is not None and self.changed is not None
        rows, changed = self.rows, sorted(self.changed)
        fresh: dict[str, tuple | None] = dict.fromkeys(changed)
        fresh.update(self.store.rows_of(changed))
        _apply(rows, fresh)
        self.delta.update(fresh)
        self.changed, self.seen = set(), gen
        if len(self.delta) > max(DELTA_MAX, len(rows) // 20):
            self.store.put_cached(FILES, gen, marshal.dumps(rows))
            self.base_gen, self.delta = gen, {}
            self.store.drop_cached(FILES_DELTA)
        else:
            self.store.put_cached(FILES_DELTA, gen,
                                  marshal.dumps((self.base_gen, self.delta)))
        return rows

    def wrote(self, gen: int, paths: Iterable[str]) -> None:
        """Note a write at ``gen``: the paths whose rows changed, if the rows held were current
        before it."""
        if self.changed is None:
            if self.rows is None or gen != self.seen + 1:
                self.forget()
                return
            self.changed = set()
        self.changed.update(paths)
        self.written = gen
        if len(self.changed) > max(DELTA_MAX, len(self.rows or ()) // 20):
            self.forget()  # many files changed (a cold build): read the table again


def _apply(rows: Rows, changes: Mapping[str, tuple | None]) -> None:
    """Bring a snapshot of the file rows up to date with a delta (None: the file is gone)."""
    for path, row in changes.items():
        if row is None:
            rows.pop(path, None)
        else:
            rows[path] = row
