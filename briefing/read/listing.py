"""The corpus folders listed by ``find`` in the background: the warm path's walk.

Most builds find nothing or little changed. Telling that apart still means a ``stat`` of every
file (an edit in place changes the file's mtime, not its folder's), and over 100,000 files the
Python walk that does it (``files.scan_articles``) costs most of a warm build. GNU ``find``
does the same walk in C on the other core, started before the pipeline's imports: :func:`start`
launches one per folder, and :meth:`Listing.outputs` waits for them and returns what each
printed, a record per file (type, device, inode, link count, size, mtime, path below the
folder). ``ingest``
keeps the outputs beside the articles they gave, and compares: equal outputs mean the same
files with the same stat, and a few records that differ name the files to look at again.

A listing errs one way: where it cannot vouch for a walk it says None and the build walks the
folders itself. That is the case where ``find`` is missing or fails (an unreadable folder, a
file gone mid-walk), where a path given does not exist, and where a folder holds anything but
plain files and folders (the Python walk follows a symlink to a file and skips one to a folder;
``find`` reports the link itself).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from functools import partial
from operator import add, methodcaller
from pathlib import Path

from briefing.read.files import FOUND, SUFFIXES, FoundFile

# what the Python walk skips: hidden names at any depth below a folder given; folders are
# walked but not printed (their mtime changes with any file made in them); every other entry is
# printed, each record starting with a NUL (no path holds one) and its type letter, so anything
# but a regular file ("f") is found by one search of the bytes
_FORMAT = r"\0%y %D %i %n %s %T@ %P"
_EXPRESSION = ("-mindepth", "1", "-name", ".*", "-prune", "-o", "-type", "d", "-o",
               "-printf", _FORMAT)
_UNTRUSTED = re.compile(rb"\0[^f]")
# one record: device, inode, link count, size, mtime (seconds, nine digits of fraction and the
# zero find adds), path below the folder; a record this does not match (a negative mtime) is not
# trusted
_RECORD = re.compile(rb"\0f (\d+) (\d+) (\d+) (\d+) (\d+)\.(\d{9})0 ([^\0]+)")
_LINKED = re.compile(rb"\0f \d+ \d+ (?!1 )")  # a file with another name (a hard link)
_ENDINGS = tuple(s.encode() for s in SUFFIXES)


class Listing:
    """``find`` over each folder of ``paths``, running in the background; a file given by
    name is stat'ed when the outputs are asked for."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = tuple(str(p) for p in paths)
        self.folders = tuple(os.path.isdir(p) for p in self.paths)
        real = [os.path.join(os.path.realpath(p), "") for p, d in zip(self.paths, self.folders)
                if d]
        # a folder given inside another: its files are reached twice (scan_articles keeps one)
        self.nested = any(i != j and b.startswith(a) for i, a in enumerate(real)
                          for j, b in enumerate(real))
        self._outputs: list[bytes] | None = None
        self._walks: dict[int, _Walk] | None = {}
        find = shutil.which("find")
        for i, p in enumerate(self.paths):
            if not self.folders[i]:
                continue
            if find is None:
                self._walks = None
                return
            try:
                self._walks[i] = _Walk(find, p)
            except OSError:
                self.close()
                self._walks = None
                return

    def outputs(self) -> list[bytes] | None:
        """One entry per path given: a folder's ``find`` output, a file's stat; or None where
        a walk cannot be vouched for. Waits for ``find``."""
        if self._walks is None:
            return None
        if self._outputs is not None:
            return self._outputs
        out = []
        for i, p in enumerate(self.paths):
            if i in self._walks:
                data = self._walks[i].output()
            else:
                try:
                    st = os.stat(p)
                except OSError:
                    return None
                data = f"file {st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns}".encode()
            if data is None:
                return None
            out.append(data)
        self._outputs = out
        return out

    def found(self) -> list[FoundFile] | None:
        """What :func:`~briefing.read.corpus.scan_articles` returns for these paths, read from the
        outputs, or None where they cannot be vouched for."""
        outputs = self.outputs()
        if outputs is None:
            return None
        hits: list[tuple] = []
        for i, data in enumerate(outputs):
            if self.folders[i]:
                parsed = self.parse(i, [data])
                if parsed is None:
                    return None
                hits += parsed
            else:
                p = self.paths[i]
                _, dev, ino, size, mtime = data.split()
                hits.append((p, os.path.abspath(p), os.path.basename(p), int(size), int(mtime),
                             (int(dev), int(ino))))
        found: dict[tuple[int, int], tuple] = {}
        for f in hits:  # the same file reached twice (same inode) is kept once, under the first
            found.setdefault(f[FOUND.inode], f)
        return list(map(partial(tuple.__new__, FoundFile), sorted(found.values())))

    def parse(self, index: int, chunks: Iterable[bytes]) -> list[tuple] | None:
        """The article files among records of folder ``index`` (``chunks`` of its output, each
        record starting with its NUL) as ``scan_articles``'s tuples (path, full, id, size,
        mtime_ns, (dev, inode)), or None if a record is not understood."""
        data = b"".join(chunks)
        records = _RECORD.findall(data)
        if len(records) != data.count(b"\0"):
            return None
        # the Python walk's test (str.lower of the name); no character outside ASCII lowers to
        # one of these letters, so bytes.lower agrees
        records = [r for r in records if r[6].lower().endswith(_ENDINGS)]
        if not records:
            return []
        devs, inodes, _, sizes, secs, fractions, rels = zip(*records)
        names = list(map(methodcaller("decode", "utf-8", "surrogateescape"), rels))
        folder = self.paths[index]
        top = folder if folder.endswith("/") else folder + "/"
        full = os.path.abspath(folder)
        full = full if full.endswith("/") else full + "/"
        return list(zip(map(top.__add__, names), map(full.__add__, names), names,
                        map(int, sizes), map(int, map(add, secs, fractions)),
                        zip(map(int, devs), map(int, inodes))))

    def close(self) -> None:
        """Stop any ``find`` still running (a build that failed before asking)."""
        for w in (self._walks or {}).values():
            w.close()


class _Walk:
    """One ``find`` over one folder, printing into an unlinked temporary file. (Not a pipe:
    this process is busy importing the pipeline meanwhile, and a thread draining the pipe got
    the GIL so rarely that find spent most of its time waiting on it.)"""

    def __init__(self, find: str, folder: str) -> None:
        self.out = tempfile.TemporaryFile()
        # -H: a folder given as a symlink is followed, as the Python walk does
        try:
            self.proc = subprocess.Popen(
                [find, "-H", os.path.join(folder, ""), *_EXPRESSION], stdout=self.out,
                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                env={**os.environ, "LC_ALL": "C"})
        except OSError:
            self.out.close()
            raise
        self._data: bytes | None = None
        self._done = False

    def output(self) -> bytes | None:
        """What ``find`` printed, or None if it failed or saw anything but plain files."""
        if not self._done:
            self._done = True
            failed = self.proc.wait() != 0
            self.out.seek(0)
            data = self.out.read()
            self.out.close()
            if not failed and not _UNTRUSTED.search(data):
                self._data = data
        return self._data

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.out.close()


def linked(records: Iterable[bytes]) -> bool:
    """Whether any of these records (each starting with its NUL) is of a file with more than
    one name: the same file may then be reached twice."""
    return any(_LINKED.match(r) for r in records)


def start(paths: Sequence[Path]) -> Listing:
    """Start listing ``paths`` (each folder walked by its own ``find``)."""
    return Listing(paths)
