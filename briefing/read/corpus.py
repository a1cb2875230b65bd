"""Files -> Article: read one article file, decode it exactly, and gather its metadata.

Finding the files is ``files``; decoding their bytes ``decode``; their front matter
``frontmatter``; a document that is not plain text is read into its reading text by the reader
``formats`` names. Metadata comes, in order of precedence, from the config's sources manifest,
the file's YAML front matter (or what a document says about itself), then the text itself
(headline, byline, dateline), in which case the field's name is listed in
``ArticleMeta.inferred``. Decisions: an outlet taken from "Title | SITE" is kept as written
("WHAT REALLY HAPPENED"), since changing its case would be a guess; a date is only ever taken
from where the article dates itself at its top, never from a copyright year or a file time.

One bad file must never sink a run over a corpus, so what a file can make the reader do is
bounded: a file over ``MAX_ARTICLE_BYTES`` is skipped without being read further, hostile front
matter skips it (``frontmatter``). Metadata shown to readers (title, outlet, byline) never
carries a control character, and a ``url`` that is not an http(s) address (``javascript:``,
``file:``, ``data:``) is dropped with a warning at its line.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from briefing.models import Article, ArticleMeta
from briefing.read.decode import decode
from briefing.read.documents import MAX_DOCUMENT_BYTES, Extracted, Unreadable
from briefing.read.files import find_articles
from briefing.read.formats import ORIGIN, extract, kind_of
from briefing.read.frontmatter import front_matter
from briefing.read.furniture import dateline
from briefing.read.links import http_url
from briefing.read.segment import read_header, split_title

META_KEYS = ("title", "outlet", "byline", "published", "url")
MAX_ARTICLE_BYTES = 4 * 1024 * 1024  # a file larger than this is not an article: skipped


def display_path(path: Path, cwd: Path | None = None) -> str:
    """The path as a user should see it (and as the contract's JSON ``path``): relative to the
    working directory (or ``cwd``) when under it, else absolute."""
    full = path.resolve()
    try:
        return full.relative_to((cwd or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return full.as_posix()


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
    document: Extracted | None


class Raw(NamedTuple):
    """A file's bytes as an article reader takes them: at most its cap and one byte more (the
    file may be huge), and its size."""

    data: bytes
    size: int


def read_raw(path: Path) -> Raw:
    """The bytes :func:`read_document` reads of ``path`` (raises OSError): read apart from the
    rest when another process does the rest (``cluster``: the machine holding the files reads
    them, a worker anywhere decodes and segments them)."""
    cap = MAX_ARTICLE_BYTES if kind_of(path) is None else MAX_DOCUMENT_BYTES
    with path.open("rb") as f:
        data = f.read(cap + 1)  # never more: the file may be huge
        return Raw(data, os.fstat(f.fileno()).st_size)


def read_article(
    path: Path,
    root: Path,
    manifest: Mapping[Path, object] | None,
    warn: Callable[[str], None],
    raw: Raw | OSError | None = None,
) -> Article | None:
    """Read one article file into an Article, or None (after a warning naming the file) when
    it is empty, binary, undecodable, over ``MAX_ARTICLE_BYTES`` (``MAX_DOCUMENT_BYTES`` for a
    page, an email or a PDF) or has hostile front matter: one bad file must not stop a run over
    a whole corpus. Warnings read "skipped seeds/x.txt: empty file" (the caller adds any
    "warning: " prefix). ``manifest`` entries (keyed by resolved path; mappings or objects with
    title/outlet/byline/published/url) override front matter; what both leave missing is
    inferred. ``raw``: the file's bytes as :func:`read_raw` read them (or the error it raised),
    when they were read elsewhere; None reads them here."""
    read = read_document(path, root, manifest, warn, raw)
    return None if read is None else read.article


def read_document(
    path: Path,
    root: Path,
    manifest: Mapping[Path, object] | None,
    warn: Callable[[str], None],
    raw: Raw | OSError | None = None,
) -> Read | None:
    """:func:`read_article` with the origin of each field. A web page, an email or a PDF
    (``formats.kind_of``) is read into its reading text: ``Article.text`` is that text
    (UTF-8, what offsets index), its metadata what the document gives, below the manifest."""
    kind = kind_of(path)
    cap = MAX_ARTICLE_BYTES if kind is None else MAX_DOCUMENT_BYTES
    try:
        if raw is None:
            raw = read_raw(path)
        elif isinstance(raw, OSError):
            raise raw
    except OSError as exc:
        warn(f"skipped {display_path(path)}: cannot read: {exc.strerror or exc}")
        return None
    data, size = raw
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
    sources: list[tuple[object, Mapping[str, int], str]]  # (fields, their lines, origin)
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
            first = display_path(seen[article.id])
            warn(f"{display_path(path)}: same id {article.id!r} as {first}")
        seen.setdefault(article.id, path)
        articles.append(article)
    return articles
