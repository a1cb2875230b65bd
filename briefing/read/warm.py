"""The warm path: the last full reading of the corpus, kept in the store with the listing that
found it, and what changed since.

Most builds find nothing or little changed. When ``find`` lists the corpus folders exactly as
it did for the last full reading (a :class:`Base`), that reading's refs are the corpus; when a
few records differ (up to ``REBASE``), only the files they name are looked at again; otherwise,
or when the listing cannot vouch for a walk, the build reads the long way (``sync``) and keeps a
new base.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from pathlib import Path

from briefing.read.files import FOUND, FoundFile
from briefing.read.listing import Listing, linked
from briefing.read.refs import REF, Reading, refs_of
from briefing.read.sync import Manifest, Work, update
from briefing.store import cachekeys
from briefing.store.interface import Store

REBASE = 1000  # records changed since the base beyond which a build reads everything again


def base_key(given: Sequence[Path], manifest: Manifest) -> bytes:
    """What a reading depends on besides the files' stat: the paths given, the working
    directory (paths are kept as given), the sources manifest and the code reading them."""
    h = hashlib.sha256("\0".join(map(str, given)).encode("utf-8", "surrogateescape"))
    h.update(os.getcwd().encode("utf-8", "surrogateescape"))
    h.update(repr(sorted((inode, digest) for inode, (digest, _) in manifest.items())).encode())
    h.update(cachekeys.code_version(Base).encode())
    return h.digest()


@dataclass
class Base:
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
    def load(cls, store: Store, key: bytes) -> Base | None:
        kept = store.cached(cachekeys.CORPUS_BASE)  # what ``keep`` put there (the store checks)
        if kept is None or kept.data[:32] != key:
            return None
        outputs, refs, notes = marshal.loads(kept.data[32:])
        return cls(key, outputs, refs, notes, kept.gen)

    def keep(self, store: Store) -> None:
        store.put_cached(cachekeys.CORPUS_BASE, store.generation(), self.key + marshal.dumps(
            (self.outputs, list(map(tuple, self.refs)), self.notes)))

    def read(self, store: Store, listing: Listing, outputs: Sequence[bytes],
             manifest: Manifest, work: Work) -> Reading | None:
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
        records: list[tuple] = []
        gone: list[tuple] = []
        for (i, appeared), (_, vanished) in zip(added, removed):
            fresh, stale = listing.parse(i, appeared), listing.parse(i, vanished)
            if fresh is None or stale is None:
                return None
            records += fresh
            gone += stale
        if any(linked(appeared) for _, appeared in added):
            return None  # a hard link: which of its names scan_articles keeps is for it to say
        records.sort()
        changed = {f[FOUND.path] for f in records} | {g[FOUND.path] for g in gone}
        refs = [r for r in self.refs if r[REF.path] not in changed]
        ids = set(map(itemgetter(REF.id), refs))
        if any(f[FOUND.id] in ids for f in records) or \
                len({f[FOUND.id] for f in records}) != len(records):
            return None  # two files with one id: the full reading says which came first
        found: list[FoundFile] = list(map(partial(tuple.__new__, FoundFile), records))
        fulls = {f.full for f in found}
        deleted = [g[FOUND.full] for g in gone if g[FOUND.full] not in fulls]
        if not fulls.union(deleted).issuperset(stored):
            return None
        state = store.rows_of([*fulls, *deleted])
        if any(p in state for p in deleted):
            store.drop([p for p in deleted if p in state])
        if update(store, found, state, manifest, work):
            state = store.rows_of(fulls)
        new_refs, new_notes = refs_of(found, state)
        refs += map(tuple, new_refs)
        refs.sort(key=itemgetter(REF.path))
        # a note is (template, path, [other path]): see refs_of
        notes = [n for n in self.notes if n[1] not in changed] + new_notes
        notes.sort(key=itemgetter(1))
        return Reading(refs, notes)
