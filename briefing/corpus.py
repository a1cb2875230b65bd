"""Files -> Article: find article files, decode them exactly, and gather their metadata.

Offsets everywhere in the pipeline index ``Article.text``, so the text must be exactly what the
contract's checkers see when they open the file with ``Article.encoding`` and ``newline=""``:
bytes are decoded with ``bytes.decode`` (no newline translation, CRLF stays), a UTF-8 byte order
mark selects ``"utf-8-sig"`` (which drops the mark in both places), and anything that is not
UTF-8 is detected with charset-normalizer and recorded under the codec name Python knows.

Metadata comes, in order of precedence, from the config's sources manifest, the file's YAML front
matter, then the text itself (headline, byline, dateline), in which case the field's name is
listed in ``ArticleMeta.inferred``. Decisions: an outlet taken from "Title | SITE" is kept as
written ("WHAT REALLY HAPPENED"), since changing its case would be a guess; a date is only ever
taken from where the article dates itself at its top, never from a copyright year or a file time.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import hashlib
import os
import re
from functools import partial
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from .errors import InputError, Problem
from .formats import ORIGIN, Unreadable, extract, kind_of, web_url
from .formats import SUFFIXES as DOCUMENTS
from .models import Article, ArticleMeta
from .segment import dateline, read_header, split_title

# plain text, and the documents briefing reads into a reading text (formats.py)
SUFFIXES = frozenset({".txt", ".md"}) | DOCUMENTS
META_KEYS = ("title", "outlet", "byline", "published", "url")
_TITLE_MAX = 70
_FRONT_END = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r\n|\r|\n|\Z)", re.M)
_FRONT_START = re.compile(r"---[ \t]*(?:\r\n|\r|\n)")


def display_path(path: Path, cwd: Path | None = None) -> str:
    """The path as a user should see it (and as the contract's JSON ``path``): relative to the
    working directory (or ``cwd``) when under it, else absolute."""
    full = path.resolve()
    try:
        return full.relative_to((cwd or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return full.as_posix()


# --- Finding files --------------------------------------------------------------------------


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
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise InputError(
            f"no such file or folder: {missing[0]}",
            [Problem(str(p), None, None, "", "no such file or folder") for p in missing],
        )
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
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise InputError(
            f"no such file or folder: {missing[0]}",
            [Problem(str(p), None, None, "", "no such file or folder") for p in missing],
        )
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
            found.setdefault(f[5], f)
    # paths are unique (one path, one inode), so tuples sort by path alone; tuple.__new__
    # through partial makes the FoundFiles without a Python call each
    return list(map(partial(tuple.__new__, FoundFile), sorted(found.values())))


# --- Decoding -------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) for an article's bytes, or None when they are not text. The text is
    exactly ``open(path, encoding=encoding, newline="").read()``."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            return None
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    western = _western(data)
    if western is not None:
        return western, "cp1252"
    from charset_normalizer import from_bytes  # only paid for files that are not UTF-8

    # best() ranks by chaos alone, so one stray byte (a Latin-1 "£") can come out as cp932 with
    # zero coherence; weigh the language coherence in as well.
    results = list(from_bytes(data))
    if not results:
        return None
    best = max(results, key=lambda r: r.coherence - r.chaos)
    enc = codecs.lookup(best.encoding).name
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None
    if any(ch < " " and ch not in "\t\n\r\f\v" for ch in text[:4096]):
        return None  # control characters: a binary file that happened to decode
    return text, enc


_HIGH = re.compile(rb"[\x80-\xff]")
_PLAUSIBLE = re.compile(r"[\u00a0-\u024f\u2010-\u2027\u2030-\u203a\u20ac\u2122]")


def _western(data: bytes) -> str | None:
    """The text as Windows-1252 when it is mostly ASCII with a few accented letters or
    typographic marks (a "£", "café", curly quotes): on such short evidence charset-normalizer
    guesses wildly (cp932 for one "£"), while cp1252 (a superset of Latin-1's printable range)
    is what such files almost always are. Text in another script has far more high bytes."""
    high = len(_HIGH.findall(data))
    if high * 8 > len(data):
        return None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if any(ord(c) > 127 and not _PLAUSIBLE.match(c) for c in text):
        return None
    return text


# --- Front matter ---------------------------------------------------------------------------


def front_matter(text: str) -> tuple[dict[str, Any] | None, int, str | None]:
    """(mapping, body_start, error) for YAML front matter between '---' lines at the top.
    No front matter: (None, 0, None). Unreadable front matter: (None, body_start, message)."""
    m = _FRONT_START.match(text)
    if not m:
        return None, 0, None
    end = _FRONT_END.search(text, m.end())
    if not end:
        return None, 0, None
    import yaml  # only paid for files that have front matter

    try:
        data = yaml.safe_load(text[m.end() : end.start()])
    except yaml.YAMLError as exc:
        return None, end.end(), f"front matter is not valid YAML: {str(exc).splitlines()[0]}"
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, end.end(), "front matter is not a mapping"
    return data, end.end(), None


def _iso(value: object) -> str | None:
    """A date from front matter or a manifest as 'YYYY-MM-DD', or None when it is not one."""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.strip():
        s = value.strip()
        try:
            return _dt.date.fromisoformat(s[:10]).isoformat()
        except ValueError:
            return dateline(s)
    return None


def _field(entry: object, key: str) -> object:
    if isinstance(entry, Mapping):
        return entry.get(key)
    return getattr(entry, key, None)


def _clean(value: object) -> str | None:
    if value is None:
        return None
    s = " ".join(str(value).split())
    return s or None


# --- Reading one article --------------------------------------------------------------------


def _opening_title(text: str, start: int, end: int) -> str:
    """A short title from an article's first sentence, cut at a word boundary."""
    s = " ".join(text[start:end].split()).rstrip(".:;,")
    if len(s) <= _TITLE_MAX:
        return s
    cut = s[: _TITLE_MAX + 1].rsplit(" ", 1)[0].rstrip(".:;,-–—")
    return cut + "…"


def infer_meta(text: str, body_start: int, given: dict[str, str | None]) -> ArticleMeta:
    """Fill the fields missing from ``given`` from the text; the names of the fields filled are
    listed in ``inferred``. Only reads the first paragraphs."""
    meta = dict(given)
    inferred: list[str] = []
    missing = [k for k in ("title", "outlet", "byline", "published") if not meta.get(k)]
    if missing:
        head = read_header(text, body_start)
        found: dict[str, str | None] = {}
        if head.headline is not None:
            found["title"], found["outlet"] = split_title(
                text[head.headline.start : head.headline.end]
            )
        elif head.opening is not None:
            found["title"] = _opening_title(text, head.opening.start, head.opening.end)
        if head.byline is not None:
            found["byline"] = head.byline[0]
            if head.byline[1] and not found.get("outlet"):
                found["outlet"] = head.byline[1]
        found["published"] = head.published
        for key in missing:
            if found.get(key):
                meta[key] = found[key]
                inferred.append(key)
    return ArticleMeta(
        title=meta.get("title"),
        outlet=meta.get("outlet"),
        byline=meta.get("byline"),
        published=meta.get("published"),
        url=meta.get("url"),
        inferred=tuple(inferred),
    )


class Read(NamedTuple):
    """An article as read, with where each metadata field came from (``briefing read``):
    ``origins`` maps a field to ``"manifest"``, ``"front matter"``, the document's own
    (``"page"``, ``"email headers"``, ``"PDF properties"``) or ``"inferred"``; ``document`` is
    the extraction of a file that is not plain text (None for .txt and .md)."""

    article: Article
    origins: dict[str, str]
    document: object | None  # formats.Extracted


def read_article(
    path: Path,
    root: Path,
    manifest: Mapping[Path, object] | None,
    warn: Callable[[str], None],
) -> Article | None:
    """Read one article file into an Article, or None (after a warning naming the file) when
    it is empty, binary or undecodable: one bad file must not stop a run over a whole corpus.
    Warnings read "skipped seeds/x.txt: empty file" (the caller adds any "warning: " prefix).
    ``manifest`` entries (keyed by resolved path; mappings or objects with title/outlet/
    byline/published/url) override front matter; what both leave missing is inferred."""
    read = read_document(path, root, manifest, warn)
    return None if read is None else read.article


def read_document(
    path: Path,
    root: Path,
    manifest: Mapping[Path, object] | None,
    warn: Callable[[str], None],
) -> Read | None:
    """:func:`read_article` with the origin of each field. A web page, an email or a PDF
    (``formats.kind_of``) is read into its reading text: ``Article.text`` is that text
    (UTF-8, what offsets index), its metadata what the document gives, below the manifest."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        warn(f"skipped {display_path(path)}: cannot read: {exc.strerror or exc}")
        return None
    if not data.strip():
        warn(f"skipped {display_path(path)}: empty file")
        return None
    kind = kind_of(path)
    document = None
    fm: dict[str, Any] | None = None
    body_start = 0
    if kind is not None:
        try:
            document = extract(path, data)
        except Unreadable as exc:
            warn(f"skipped {display_path(path)}: {exc}")
            return None
        text, encoding = document.text, "utf-8"
    else:
        decoded = decode(data)
        if decoded is None:
            warn(f"skipped {display_path(path)}: binary or undecodable file")
            return None
        text, encoding = decoded
        fm, body_start, error = front_matter(text)
        if error:
            warn(f"{display_path(path)}: {error}; front matter ignored")
    given: dict[str, str | None] = {k: None for k in META_KEYS}
    origins: dict[str, str] = {}
    own = (document.meta, ORIGIN[kind]) if document is not None else (fm, "front matter")
    for source, origin in (own, (manifest.get(path.resolve()) if manifest else None, "manifest")):
        if source is None:
            continue
        for key in META_KEYS:
            value = _field(source, key)
            value = _iso(value) if key == "published" else (
                web_url(value) if key == "url" else _clean(value))
            if value:
                given[key], origins[key] = value, origin
    # find_articles yields files lexically under their root: no need to resolve symlinks here
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    if rel.startswith("../"):
        rel = path.name
    meta = infer_meta(text, body_start, given)
    origins.update({k: "inferred" for k in meta.inferred})
    article = Article(id=rel, path=path, text=text, encoding=encoding, meta=meta,
                      sha256=hashlib.sha256(data).hexdigest(), body_start=body_start)
    return Read(article, origins, document)


def load_corpus(
    paths: Sequence[Path],
    manifest: Mapping[Path, object] | None,
    warn: Callable[[str], None],
) -> list[Article]:
    """Every readable article under ``paths``, in sorted path order (see find_articles).
    Unreadable files are skipped with a warning; missing paths raise InputError."""
    articles: list[Article] = []
    seen: dict[str, Path] = {}
    for path, root in find_articles(paths):
        article = read_article(path, root, manifest, warn)
        if article is None:
            continue
        if article.id in seen:
            warn(f"{display_path(path)}: same id {article.id!r} as {display_path(seen[article.id])}")
        seen.setdefault(article.id, path)
        articles.append(article)
    return articles
