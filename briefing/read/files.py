"""Finding article files: every file under the corpus paths that briefing reads, with its stat.

A folder is read recursively for the suffixes briefing reads (``.txt``, ``.md`` and the
documents of ``formats``), skipping hidden files and folders; a file named directly is taken
whatever its suffix. The same file reached twice is kept once, under the first path given.
:func:`scan_articles` is the hot loop of a warm build (a stat of each of 100,000 files) and is
written for it; ``listing`` does the same walk with GNU ``find`` in the background, and both
give :class:`FoundFile` records.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import NamedTuple

from briefing.errors import InputError, Problem
from briefing.models import indices
from briefing.read.formats import SUFFIXES as DOCUMENTS

# plain text, and the documents briefing reads into a reading text (formats.py)
SUFFIXES = frozenset({".txt", ".md"}) | DOCUMENTS


def _exist(paths: Sequence[Path]) -> None:
    """Raise InputError naming every path given that does not exist."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise InputError(
            f"no such file or folder: {missing[0]}",
            [Problem(str(p), None, None, "", "no such file or folder") for p in missing],
        )


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in SUFFIXES:
                yield Path(dirpath, name)


def find_articles(paths: Sequence[Path]) -> list[tuple[Path, Path]]:
    """Every article file under ``paths`` as (file, root it was found under), sorted by file
    path and without duplicates (the same file reached twice is kept once, under its first
    root). Folders are read recursively for ``.txt``/``.md`` files, skipping hidden files and
    folders; a file named directly is taken whatever its suffix, with its folder as root.
    Raises InputError naming every path that does not exist."""
    _exist(paths)
    found: dict[Path, tuple[Path, Path]] = {}
    for given in paths:
        if given.is_dir():
            candidates: Iterator[Path] = _walk(given)
            root = given
        else:
            candidates, root = iter([given]), given.parent
        for f in candidates:
            found.setdefault(f.resolve(), (f, root))
    return sorted(found.values(), key=lambda fr: fr[0].as_posix())


class FoundFile(NamedTuple):
    """An article file found by :func:`scan_articles`, with what ``stat`` says of it.

    ``path`` is as reached from the path given (what ``Article.path`` holds), ``full`` its
    absolute form (the store's key), ``id`` the article id (path relative to its root). A tuple,
    not a dataclass: a warm build makes 100,000 of them, and a tuple is made in a third of the
    time."""

    path: str
    full: str
    id: str
    size: int
    mtime_ns: int
    inode: tuple[int, int]


FOUND = indices(FoundFile)  # its fields' indices, for the plain tuples the scan makes


_ENDINGS = tuple(SUFFIXES)


def _scan_dir(top: str, full: str, rel: str, out: list[tuple], dir_fd: int | None = None) -> None:
    # the hot loop of a warm build (100,000 files): the folder opened once and listed by its
    # descriptor, so each stat is an fstatat of a bare name (no walk from the root), plain
    # tuples (FoundFiles are made in C by the caller), and no per-file try where the listing's
    # d_type answers
    try:
        fd = os.open(top if dir_fd is None else os.path.basename(top), os.O_RDONLY | os.O_DIRECTORY,
                     dir_fd=dir_fd)
    except OSError:
        return  # unreadable folder: os.walk skips it too
    try:
        with os.scandir(fd) as it:
            entries = list(it)
        sep = "" if top.endswith("/") else "/"
        path, base = top + sep, full + ("" if full.endswith("/") else "/")
        prefix = rel + "/" if rel else ""
        endings = _ENDINGS
        append = out.append
        for e in entries:
            name = e.name
            if name[0] == ".":
                continue
            try:
                is_dir = e.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if not e.is_symlink():  # as os.walk(followlinks=False)
                    _scan_dir(path + name, base + name, prefix + name, out, fd)
            elif name.lower().endswith(endings):  # splitext's suffix (no leading dot here)
                try:
                    st = e.stat()  # fstatat(fd, name): what the store compares
                except OSError:
                    continue
                append((path + name, base + name, prefix + name, st.st_size, st.st_mtime_ns,
                        (st.st_dev, st.st_ino)))
    finally:
        os.close(fd)


def scan_articles(paths: Sequence[Path]) -> list[FoundFile]:
    """The files :func:`find_articles` finds, in the same order, with their size, mtime and
    inode: one ``stat`` per file and no path resolution, so a warm build over 100,000 files
    spends a fraction of a second here. The same file reached twice (same inode) is kept once,
    under the first path given. Raises InputError naming every path that does not exist."""
    _exist(paths)
    found: dict[tuple[int, int], tuple] = {}
    for given in paths:
        top = str(given)
        hits: list[tuple] = []
        if given.is_dir():
            _scan_dir(top, os.path.abspath(top), "", hits)
        else:
            st = os.stat(top)
            hits.append((top, os.path.abspath(top), given.name, st.st_size, st.st_mtime_ns,
                         (st.st_dev, st.st_ino)))
        for f in hits:
            found.setdefault(f[FOUND.inode], f)
    # paths are unique (one path, one inode), so tuples sort by path alone; tuple.__new__
    # through partial makes the FoundFiles without a Python call each
    return list(map(partial(tuple.__new__, FoundFile), sorted(found.values())))

