"""Which files the server may send, whatever the URL says.

Two kinds of file are served, and nothing else on the disk:

- the workspace's outputs, under its ``out/`` folder (``/out/<path>``): the path is taken one
  segment at a time, each percent-decoded once, and refused whole when a segment is empty,
  ``.`` or ``..``, or holds a slash, a backslash, a NUL or a drive colon after decoding
  (``%2e%2e``, ``%2f``, ``..\\``, ``//etc``, ``C:``); what is left must then resolve, links
  followed, to a regular file inside the real ``out/`` folder (a link out of it is refused);
- the corpus files that an edition on view cites (``/corpus/<path>``): the decoded path must
  be exactly the path an edition names one by (a look-up, never a path built from the URL),
  and that file, links followed, must still lie inside one of the config's corpus paths.

Every refusal is the same "not found": a URL cannot tell a missing file from a forbidden one.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote

# what a served file's bytes are sent as; everything else is offered as bytes to save
TEXT_TYPES = {".txt": "text/plain", ".md": "text/plain", ".eml": "text/plain",
              ".json": "application/json", ".atom": "application/atom+xml", ".xml": "text/xml",
              ".html": "text/html", ".htm": "text/html", ".xhtml": "text/html",
              ".pdf": "application/pdf", ".css": "text/css"}
_BAD = ("/", "\\", "\0", ":")


def segments(raw: str) -> list[str] | None:
    """The decoded segments of a URL path below its route (``raw`` as sent, still encoded),
    or None when any one of them could step outside: empty, ``.``, ``..``, or holding a
    separator, a NUL or a colon once decoded."""
    out = []
    for part in raw.split("/"):
        name = unquote(part, errors="strict") if "%" in part else part
        if name in ("", ".", "..") or any(c in name for c in _BAD):
            return None
        out.append(name)
    return out


def inside(path: str, folder: str) -> bool:
    """Whether the real ``path`` is ``folder`` (real) or under it."""
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # pragma: no cover - mixed absolute and relative: never from realpath
        return False


def output_file(root: Path, raw: str) -> Path | None:
    """The file under ``root`` (the workspace's ``out/``) that the encoded URL path ``raw``
    names, or None (see the module docstring)."""
    try:
        parts = segments(raw)
    except UnicodeDecodeError:
        return None
    if not parts:
        return None
    base = os.path.realpath(root)
    real = os.path.realpath(os.path.join(base, *parts))
    if not inside(real, base) or not os.path.isfile(real):
        return None
    return Path(real)


def cited_file(raw: str, cited: Mapping[str, Path], corpus: Iterable[Path]) -> Path | None:
    """The cited corpus file the encoded URL path ``raw`` names, or None: ``cited`` maps the
    paths editions name their sources by to their files, ``corpus`` the config's corpus paths
    they must lie in."""
    try:
        name = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None
    file = cited.get(name)
    if file is None or "\0" in name:
        return None
    real = os.path.realpath(file)
    roots = [os.path.realpath(p) for p in corpus]
    if not any(inside(real, r) for r in roots) or not os.path.isfile(real):
        return None
    return Path(real)


def content_type(path: Path, encoding: str = "utf-8") -> str:
    """The Content-Type a served file is sent with; texts with ``encoding``."""
    suffix = path.suffix.lower()
    kind = TEXT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or ""
    if kind.startswith("text/") or kind in ("application/json", "application/atom+xml"):
        return f"{kind}; charset={encoding}"
    return kind if kind in TEXT_TYPES.values() else "application/octet-stream"
