"""The references a reading of the corpus gives: one :class:`ArticleRef` per article considered
(what the store knows of it without loading its text), and the warnings to give for them.

A reading is made from the files found (``files.FoundFile``) and the store's rows for them
(:func:`refs_of`); the warnings are kept with marks where the paths go (a stored warning names
the file as seen from the working directory of the build that read it) and shown as the paths
look from here (:func:`show`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from briefing.models import indices
from briefing.read.corpus import display_path
from briefing.read.files import FOUND, FoundFile
from briefing.store.interface import ROW

PATH = "\0"  # stands for the file's display path in stored warnings (it depends on the cwd)
OTHER = "\1"  # and for a second file's, in a warning naming two


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


REF = indices(ArticleRef)  # its fields' indices, for the plain tuples a reading keeps (warm.Base)


class Reading(NamedTuple):
    """A reading of the corpus: the refs of the articles considered (ArticleRefs, or their
    plain tuples as a kept base holds them), in path order, and the warnings to give for them,
    each (template, path[, other path]) for :func:`show`."""

    refs: list
    notes: list


def show(template: str, paths: Sequence[str]) -> str:
    """A warning kept with placeholders for the paths it names (``PATH``, then ``OTHER``),
    shown as the paths look from here."""
    for mark, path in zip((PATH, OTHER), paths):
        template = template.replace(mark, display_path(Path(path)))
    return template


def refs_of(found: Sequence[FoundFile], state: dict[str, tuple]) -> Reading:
    """The considered articles' refs, in ``found``'s order, and the warnings to give for them
    (every stored warning again, and one for each id already seen) as (template, path,
    [other path]) for :func:`show`. 100,000 of them when the store changed: the common case
    (no warning, no skipped file, ids unique) goes through C-level maps, three times faster
    than a loop making each ref."""
    rows = list(map(state.__getitem__, map(itemgetter(FOUND.full), found)))
    ids = list(map(itemgetter(FOUND.id), found))
    warned, ok = ROW.warnings, ROW.ok
    odd = [i for i, s in enumerate(rows) if s[warned] != "[]" or not s[ok]]
    # ArticleRef's fields after key, id and path, as the rows hold them
    kept = [getattr(ROW, name) for name in ArticleRef._fields[3:]]
    if odd or len(set(ids)) != len(ids):
        refs: list[ArticleRef] = []
        notes: list[tuple[str, ...]] = []
        seen: dict[str, str] = {}
        for f, s in zip(found, rows):
            if s[warned] != "[]":
                notes.extend((w, f.path) for w in json.loads(s[warned]))
            if not s[ok]:
                continue
            if f.id in seen:
                notes.append((f"{PATH}: same id {f.id!r} as {OTHER}", f.path, seen[f.id]))
            seen.setdefault(f.id, f.path)
            refs.append(ArticleRef(s[ROW.key], f.id, f.path, *(s[i] for i in kept)))
        return Reading(refs, notes)
    columns = [map(itemgetter(ROW.key), rows), ids, map(itemgetter(FOUND.path), found),
               *(map(itemgetter(i), rows) for i in kept)]
    return Reading(list(map(partial(tuple.__new__, ArticleRef), zip(*columns))), [])
