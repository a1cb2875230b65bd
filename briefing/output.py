"""Atomic writes: a file is either the old good one or the complete new one, never half.

Every file of an edition is first written in full to a temporary file beside its target and
flushed to disk; only when all of them are written are they renamed over their targets
(``os.replace`` is atomic on POSIX). A failure before the renames leaves every old file intact.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

FORMATS = ("pdf", "html", "email", "txt", "json")  # what a build can write, in this order
FILENAMES = {"pdf": "briefing.pdf", "html": "briefing.html", "email": "briefing.email.html",
             "txt": "briefing.txt", "json": "briefing.json"}


def write_atomically(folder: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write ``files`` (name -> content) into ``folder``, all-or-nothing before the renames."""
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            staged.append((tmp, folder / name))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    return [target for _, target in staged]


def write_text_atomically(path: Path, text: str) -> Path:
    """Write one text file atomically (UTF-8)."""
    return write_atomically(path.parent, {path.name: text.encode("utf-8")})[0]
