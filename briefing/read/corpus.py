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

One bad file must never sink a run over a corpus, so what a file can make the reader do is
bounded: a file over ``MAX_ARTICLE_BYTES`` is skipped without being read further; front matter
over ``FRONT_MATTER_MAX`` characters, with a YAML alias (a few hundred bytes of anchors expand
to gigabytes) or nested deeper than ``FRONT_MATTER_DEPTH`` skips the file; a value YAML cannot
build (``published: 2021-13-45``, a 5,000-digit number) stays the text it is. Metadata shown to
readers (title, outlet, byline) never carries a control character, and a ``url`` that is not an
http(s) address (``javascript:``, ``file:``, ``data:``) is dropped with a warning at its line.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import hashlib
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, NamedTuple

from briefing.errors import InputError, Problem
from briefing.models import Article, ArticleMeta, indices
from briefing.read.formats import MAX_DOCUMENT_BYTES, ORIGIN, Unreadable, extract, kind_of
from briefing.read.formats import SUFFIXES as DOCUMENTS
from briefing.read.links import http_url
from briefing.read.segment import dateline, read_header, split_title

# plain text, and the documents briefing reads into a reading text (formats.py)
SUFFIXES = frozenset({".txt", ".md"}) | DOCUMENTS
META_KEYS = ("title", "outlet", "byline", "published", "url")
MAX_ARTICLE_BYTES = 4 * 1024 * 1024  # a file larger than this is not an article: skipped
FRONT_MATTER_MAX = 64 * 1024  # characters of front matter at most (metadata takes a few hundred)
FRONT_MATTER_DEPTH = 16  # levels of nesting at most in front matter
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
            found.setdefault(f[FOUND.inode], f)
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


class FrontMatter(NamedTuple):
    """What :func:`front_matter` found at the top of a text."""

    data: dict[str, Any] | None  # the mapping; None: no front matter, or an unreadable one
    body_start: int  # where the text after it starts (0: none)
    error: str | None = None  # why it is unreadable (it is then ignored)
    lines: Mapping[str, int] = {}  # the file's line of each top-level key
    refused: str | None = None  # why the file must be skipped: the front matter is hostile
    refused_at: int | None = None  # the file's line where that was met, when known


class _Refused(Exception):
    """Front matter over a limit (``line``: the file's line, 1-based, where it was met)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line


@lru_cache(maxsize=1)
def _front_loader() -> type:
    """yaml.SafeLoader with the limits front matter keeps (made once, when first needed: yaml
    is only imported for files that have front matter)."""
    import yaml
    from yaml.constructor import SafeConstructor

    class FrontLoader(yaml.SafeLoader):
        """No aliases and a bounded depth (``_Refused``); a date or number that cannot be built
        (2021-13-45, more digits than Python converts) is kept as the text written."""

        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            line = event.start_mark.line + 2 if event.start_mark else None  # after the '---'
            if isinstance(event, yaml.AliasEvent):
                raise _Refused(line, f"front matter uses a YAML alias (*{event.anchor}); "
                                     "aliases are not allowed")
            self.depth += 1
            if self.depth > FRONT_MATTER_DEPTH:
                raise _Refused(line, f"front matter is nested more than {FRONT_MATTER_DEPTH} "
                                     "levels deep")
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    def lenient(build: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        def construct(loader: Any, node: Any) -> Any:
            try:
                return build(loader, node)
            except (ValueError, OverflowError):
                return loader.construct_scalar(node)

        return construct

    for tag, build in (("timestamp", SafeConstructor.construct_yaml_timestamp),
                       ("int", SafeConstructor.construct_yaml_int),
                       ("float", SafeConstructor.construct_yaml_float)):
        FrontLoader.add_constructor(f"tag:yaml.org,2002:{tag}", lenient(build))
    return FrontLoader


def front_matter(text: str) -> FrontMatter:
    """The YAML front matter between '---' lines at the top of ``text``: its mapping and
    where the body starts. Unreadable YAML gives ``error`` (the front matter is ignored); one
    over a limit (size, alias, depth) gives ``refused``: the file is not to be read."""
    m = _FRONT_START.match(text)
    if not m:
        return FrontMatter(None, 0)
    end = _FRONT_END.search(text, m.end())
    if not end:
        return FrontMatter(None, 0)
    if end.start() - m.end() > FRONT_MATTER_MAX:
        return FrontMatter(None, end.end(), refused=f"front matter over {FRONT_MATTER_MAX:,} "
                                                    "characters")
    import yaml  # only paid for files that have front matter

    loader = None
    try:
        loader = _front_loader()(text[m.end() : end.start()])  # refuses unprintable characters
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except _Refused as exc:
        return FrontMatter(None, end.end(), refused=exc.args[0], refused_at=exc.line)
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        # TypeError: a mapping key YAML can build but Python cannot hash ({[1]: x})
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return FrontMatter(None, end.end(), f"front matter is not valid YAML: {first}")
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        return FrontMatter(None, end.end(), "front matter is not a mapping")
    lines = {k.value: k.start_mark.line + 2 for k, _ in node.value
             if isinstance(k, yaml.ScalarNode)} if node is not None else {}
    return FrontMatter(data, end.end(), lines=lines)


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


# C0 and C1 controls (a terminal's escape sequences, a bell, a NUL) and the bidirectional
# overrides and isolates that make text display in another order than it reads
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _clean(value: object) -> str | None:
    """Metadata as shown to readers: one line, spaces collapsed, no control characters."""
    if value is None:
        return None
    s = " ".join(_CONTROL.sub(" ", str(value)).split())
    return s or None


_SCALARS = (str, int, float, _dt.date)  # a datetime is a date


def _given(source: object, lines: Mapping[str, int], path: Path,
           warn: Callable[[str], None]) -> dict[str, str]:
    """The metadata fields a front matter mapping or a manifest entry gives, checked: a
    value that is not a single value, a date that is not one, a url that is not http(s) is
    left out, with a warning at its line (``lines``: front matter's; a manifest's are checked
    by the config)."""
    def bad(key: str, message: str) -> None:
        warn(f"{display_path(path)}{f':{lines[key]}' if key in lines else ''}: {key}: {message}")

    out: dict[str, str] = {}
    for key in META_KEYS:
        raw = _field(source, key)
        if raw is None or raw == "":
            continue
        if not isinstance(raw, _SCALARS):
            bad(key, f"expected a single value, got a {type(raw).__name__}; ignored")
            continue
        if key == "published":
            value = _iso(raw)
            if value is None:
                bad(key, f"expected a date (YYYY-MM-DD), got {_clean(raw)!r}; ignored")
        elif key == "url":
            value = http_url(raw)  # as given: a URL with a space or a control in it is refused
            if value is None:
                bad(key, f"expected an http: or https: address, got {_clean(raw)!r}; "
                         "url dropped")
        else:
            value = _clean(raw)
        if value:
            out[key] = value
    return out


# --- Reading one article --------------------------------------------------------------------


def infer_meta(text: str, body_start: int, given: dict[str, str | None]) -> ArticleMeta:
    """Fill the fields missing from ``given`` from the text; the names of the fields filled are
    listed in ``inferred``. Only reads the first paragraphs."""
    meta = dict(given)
    inferred: list[str] = []
    missing = [k for k in ("title", "outlet", "byline", "published") if not meta.get(k)]
    if missing:
        head = read_header(text, body_start)
        found: dict[str, str | None] = {}
        if head.headline is not None:  # a body sentence is never made into a title
            found["title"], found["outlet"] = split_title(
                text[head.headline.start : head.headline.end]
            )
        if head.byline is not None:
            found["byline"] = head.byline[0]
            if head.byline[1] and not found.get("outlet"):
                found["outlet"] = head.byline[1]
        found["published"] = head.published
        for key in missing:
            value = _clean(found.get(key))  # the text's own words, its control characters out
            if value:
                meta[key] = value
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
    it is empty, binary, undecodable, over ``MAX_ARTICLE_BYTES`` (``MAX_DOCUMENT_BYTES`` for a
    page, an email or a PDF) or has hostile front matter: one bad file must not stop a run over
    a whole corpus. Warnings read "skipped seeds/x.txt: empty file" (the caller adds any
    "warning: " prefix). ``manifest`` entries (keyed by resolved path; mappings or objects with
    title/outlet/byline/published/url) override front matter; what both leave missing is
    inferred."""
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
    kind = kind_of(path)
    cap = MAX_ARTICLE_BYTES if kind is None else MAX_DOCUMENT_BYTES
    try:
        with path.open("rb") as f:
            data = f.read(cap + 1)  # never more: the file may be huge
            size = os.fstat(f.fileno()).st_size
    except OSError as exc:
        warn(f"skipped {display_path(path)}: cannot read: {exc.strerror or exc}")
        return None
    if len(data) > cap:
        warn(f"skipped {display_path(path)}: {max(size, len(data)) / 2**20:,.1f} MiB, over the "
             f"{cap // 2**20} MiB {'an article' if kind is None else 'a ' + kind + ' file'} "
             "may have")
        return None
    if not data.strip():
        warn(f"skipped {display_path(path)}: empty file")
        return None
    given: dict[str, str | None] = dict.fromkeys(META_KEYS)
    origins: dict[str, str] = {}
    entry = manifest.get(path.resolve()) if manifest else None
    document = None
    if kind is not None:
        try:
            document = extract(path, data)
        except Unreadable as exc:
            warn(f"skipped {display_path(path)}: {exc}")
            return None
        text, encoding, body_start = document.text, "utf-8", 0
        sources = [(document.meta, {}, ORIGIN[kind]), (entry, {}, "manifest")]
    else:
        decoded = decode(data)
        if decoded is None:
            warn(f"skipped {display_path(path)}: binary or undecodable file")
            return None
        text, encoding = decoded
        fm = front_matter(text)
        if fm.refused:
            at = "" if fm.refused_at is None else f":{fm.refused_at}"
            warn(f"skipped {display_path(path)}{at}: {fm.refused}")
            return None
        if fm.error:
            warn(f"{display_path(path)}: {fm.error}; front matter ignored")
        body_start = fm.body_start
        sources = [(fm.data, fm.lines, "front matter"), (entry, {}, "manifest")]
    for source, lines, origin in sources:
        if source is not None:
            fields = _given(source, lines, path, warn)
            given.update(fields)
            origins.update(dict.fromkeys(fields, origin))
    # find_articles yields files lexically under their root: no need to resolve symlinks here
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    if rel.startswith("../"):
        rel = path.name
    meta = infer_meta(text, body_start, given)
    origins.update(dict.fromkeys(meta.inferred, "inferred"))
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
