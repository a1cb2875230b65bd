"""Atomic writes: a file is either the old good one or the complete new one, never half.

Every file of an edition is first written in full to a temporary file beside its target and
flushed to disk; only when all of them are written are they renamed over their targets
(``os.replace`` is atomic on POSIX). A failure before the renames leaves every old file intact;
so does one during the renames (rare: a target turned into a folder, permissions taken away
mid-way): the files already renamed get their old content back from a hard link kept until the
last rename, so a set of files (an archived edition, an index with its feed) changes together
or not at all.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path

FORMATS = ("pdf", "html", "email", "txt", "json")  # what a build can write, in this order
FILENAMES = {"pdf": "briefing.pdf", "html": "briefing.html", "email": "briefing.email.html",
             "txt": "briefing.txt", "json": "briefing.json"}


def write_atomically(folder: Path, files: Mapping[str, bytes], *,
                     derived: Collection[str] = ()) -> list[Path]:
    """Write ``files`` (name -> content) into ``folder``, all or nothing, renamed in order.

    Each file is flushed to disk before the renames, except those named in ``derived``: files
    made again from the others or by the next run (an index, a manifest), for which a flush
    each (milliseconds on a busy disk, a thousand times in a send) buys nothing. They are still
    never half-written by a failure or a killed process; only a power cut right after may
    lose them, and whatever reads them copes."""
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            staged.append((tmp, folder / name))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                if name not in derived:
                    os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    _rename_all(staged)
    return [target for _, target in staged]


def _rename_all(staged: list[tuple[str, Path]]) -> None:
    """Rename every staged file over its target; if one rename fails, put back what the
    earlier ones replaced (or remove what they created) and leave no temporary file."""
    done: list[tuple[Path, Path | None, bool]] = []  # target, its old content, it existed
    try:
        for tmp, target in staged:
            existed = target.exists()
            done.append((target, _keep(target) if existed else None, existed))
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        for target, old, existed in reversed(done):
            try:  # each on its own: one that cannot be put back must not keep the rest new
                if old is not None:
                    os.replace(old, target)
                elif not existed:
                    target.unlink(missing_ok=True)
            except OSError:
                pass
        raise
    finally:
        for _, old, _ in done:
            if old is not None:
                old.unlink(missing_ok=True)


def _keep(target: Path) -> Path | None:
    """A hard link to ``target``'s current content, to restore it by; None where the file
    system has no hard links (then a failed rename cannot be undone for this file)."""
    backup = target.with_name(f".{target.name}.{os.getpid()}.old")
    try:
        backup.unlink(missing_ok=True)
        os.link(target, backup)
    except OSError:
        return None
    return backup


def write_text_atomically(path: Path, text: str) -> Path:
    """Write one text file atomically (UTF-8)."""
    return write_atomically(path.parent, {path.name: text.encode("utf-8")})[0]
