"""The archive's front doors: ``index.html`` (every edition, newest first, with links to each
format) and ``feed.atom`` (an Atom 1.0 feed, RFC 4287, of the newest editions), for the whole
archive in ``out/editions/`` and for each reader in ``out/editions/<reader>/``.

Both are bounded however long the archive grows: the index lists the newest
``INDEX_ENTRIES`` editions and says from which date older ones are only in their folders, the
feed carries the newest ``FEED_ENTRIES`` (feed readers keep what they have seen). Each edition
is read from its small ``entry.json`` (archive.py), never from its full JSON. The index is the
template ``editions.html`` (on the same search path as the editions, autoescaped); the feed is
built with ElementTree, so it is well-formed XML by construction, its text stripped of the
characters XML 1.0 forbids.

Links are relative (to the page or feed that holds them) unless the config's
``delivery.web_url`` says where ``out/`` is published: then they are absolute, under
``<web_url>editions/``, and the feed names itself (``rel="self"``).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

from briefing.errors import ArchiveError
from briefing.publish.archive import DIRNAME, JSON, edition_dates, edition_folder, read_entry
from briefing.publish.filters import longdate
from briefing.publish.output import FILENAMES, write_atomically

__all__ = ["FEED_ENTRIES", "INDEX_ENTRIES", "Listed", "feed_xml", "listed", "write_indexes"]

FEED_ENTRIES = 50
INDEX_ENTRIES = 500
INDEX = "index.html"
FEED = "feed.atom"
ATOM = "http://www.w3.org/2005/Atom"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:briefing:archive")
# what XML 1.0 allows in text (section 2.2); anything else makes the feed ill-formed
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: The formats an index row links to, in this order, with their labels and media types.
_LINKS = (("html", "Web page", "text/html"), ("pdf", "PDF", "application/pdf"),
          ("email", "Email", "text/html"), ("txt", "Text", "text/plain"),
          ("json", "JSON", "application/json"))


@dataclass(frozen=True)
class Listed:
    """One archived edition as the index and the feed show it."""

    edition: str
    reader: str | None
    folder: Path
    files: frozenset[str]
    entry: dict[str, Any] | None  # entry.json, None when missing or damaged

    def path(self, name: str) -> str:
        """The file's path under ``out/editions/``, as a URL path."""
        parts = [self.edition] + ([self.reader] if self.reader else []) + [name]
        return "/".join(quote(p) for p in parts)


_ALL = object()  # listed(): every edition, the main one and every reader's


def listed(root: Path, reader: Any = _ALL, limit: int = INDEX_ENTRIES,
           dates: Sequence[str] | None = None) -> tuple[list[Listed], str | None]:
    """The newest ``limit`` editions in the archive (every one, or ``reader``'s: None for the
    main edition), newest first, the main edition of a date before its readers'; and the date of
    the newest edition left out (None when none was). ``dates``: the archive's dates, when
    already listed (see ``archive.previous_edition``)."""
    out: list[Listed] = []
    for date in edition_dates(root) if dates is None else dates:
        for folder, rid in _editions_of(root, date, reader):
            if len(out) == limit:
                return out, date
            try:
                files = frozenset(p.name for p in folder.iterdir())
            except OSError:
                continue
            out.append(Listed(date, rid, folder, files, read_entry(folder)))
    return out, None


def _editions_of(root: Path, date: str, reader: Any) -> list[tuple[Path, str | None]]:
    if reader is not _ALL:
        folder = edition_folder(root, date, reader)
        return [(folder, reader)] if (folder / JSON).is_file() else []
    day = root / date
    out: list[tuple[Path, str | None]] = [(day, None)] if (day / JSON).is_file() else []
    try:
        readers = sorted(e.name for e in day.iterdir() if e.is_dir() and (e / JSON).is_file())
    except OSError:
        readers = []
    return out + [(day / r, r) for r in readers]


# --- Links ----------------------------------------------------------------------------------


def _href(edition: Listed, name: str, *, depth: int, web_url: str | None) -> str:
    """A link to one of ``edition``'s files from a page ``depth`` folders below out/editions/."""
    if web_url:
        return urljoin(web_url, f"{DIRNAME}/{edition.path(name)}")
    return "../" * depth + edition.path(name)


def _main_link(edition: Listed) -> tuple[str, str]:
    """The file an entry links to as the edition itself: the web page when archived, else the
    next best that exists (an edition always has its JSON)."""
    for fmt, _label, media in _LINKS:
        if FILENAMES[fmt] in edition.files:
            return FILENAMES[fmt], media
    return JSON, "application/json"


# --- The index page -------------------------------------------------------------------------


def index_html(editions: list[Listed], older: str | None, *, title: str, reader: str | None,
               env: Any, depth: int, web_url: str | None, generator: str) -> str:
    """The index page: each edition's date, reader, what was new and links to its formats."""
    rows = []
    for e in editions:
        entry = e.entry or {}
        links = [{"label": label, "href": _href(e, FILENAMES[fmt], depth=depth, web_url=web_url),
                  "type": media} for fmt, label, media in _LINKS if FILENAMES[fmt] in e.files]
        rows.append({"edition": e.edition, "date": longdate(e.edition), "reader": e.reader,
                     "since": _text(entry.get("since")), "count": _int(entry.get("items")),
                     "links": links})
    return env.get_template("editions.html").render(
        title=title, reader=reader, editions=rows, older=longdate(older) if older else None,
        feed=FEED, limit=INDEX_ENTRIES, generator=generator)


# --- The Atom feed --------------------------------------------------------------------------


def feed_xml(editions: list[Listed], *, title: str, reader: str | None, depth: int,
             web_url: str | None, generator: tuple[str, str]) -> bytes:
    """An Atom 1.0 document of ``editions`` (newest first). Ids are ``urn:uuid:`` names
    derived from the title, edition and reader, so a rebuilt edition keeps its entry and a
    feed reader updates it instead of showing it twice."""
    feed = ET.Element("feed", {"xmlns": ATOM})
    _add(feed, "id", _urn("feed", title, reader or ""))
    _add(feed, "title", f"{title}: editions" + (f" for {reader}" if reader else ""))
    entries = []
    for e in editions:
        entry = e.entry or {}
        name = _text(entry.get("title")) or title
        element = ET.Element("entry")
        _add(element, "id", _urn("edition", name, e.edition, e.reader or ""))
        heading = f"{name}, {longdate(e.edition)}"
        _add(element, "title", heading + (f" (for {e.reader})" if e.reader and not reader else ""))
        updated = _updated(entry.get("generated_at"), e.folder)
        _add(element, "updated", updated.isoformat())
        main, media = _main_link(e)
        ET.SubElement(element, "link", {"rel": "alternate", "type": media,
                                        "href": _href(e, main, depth=depth, web_url=web_url)})
        if FILENAMES["pdf"] in e.files:
            attrs = {"rel": "enclosure", "type": "application/pdf",
                     "href": _href(e, FILENAMES["pdf"], depth=depth, web_url=web_url)}
            try:
                attrs["length"] = str((e.folder / FILENAMES["pdf"]).stat().st_size)
            except OSError:
                pass
            ET.SubElement(element, "link", attrs)
        _add(element, "summary", _summary(entry, heading), type="text")
        entries.append((updated, element))
    newest = max((u for u, _ in entries), default=None) or dt.datetime.now(dt.UTC)
    _add(feed, "updated", newest.replace(microsecond=0).isoformat())
    author = ET.SubElement(feed, "author")
    _add(author, "name", title or "briefing")
    _add(feed, "generator", generator[0], version=generator[1])
    here = f"{DIRNAME}/{quote(reader)}/" if reader else f"{DIRNAME}/"
    index = urljoin(web_url, here + "index.html") if web_url else "index.html"
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": index})
    if web_url:
        ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml",
                                     "href": urljoin(web_url, here + FEED)})
    feed.extend(element for _, element in entries)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _add(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    child.text = _NOT_XML.sub("", text)
    return child


def _urn(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, chr(0x1f).join(parts))}"


def _updated(value: object, folder: Path) -> dt.datetime:
    """When the edition was built (its ``generated_at``), else when its JSON was written."""
    if isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
            if when.tzinfo is not None:
                return when
        except ValueError:
            pass
    try:
        mtime = (folder / JSON).stat().st_mtime
    except OSError:
        mtime = 0.0
    return dt.datetime.fromtimestamp(int(mtime), dt.UTC)


def _summary(entry: dict[str, Any], heading: str) -> str:
    """The entry's text: what is new since the previous edition, then the essentials."""
    lines = [_text(entry.get("since")) or heading]
    points = [p for p in entry.get("essentials") or [] if isinstance(p, str) and p.strip()]
    if points:
        lines += ["", "The essentials:"] + [f"- {' '.join(p.split())}" for p in points]
    return "\n".join(lines)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _int(value: object) -> int | None:
    return value if type(value) is int else None


# --- Writing them ---------------------------------------------------------------------------


def write_indexes(root: Path, *, title: str, web_url: str | None, env: Any,
                  readers: Iterable[str] = (), main: bool = True,
                  generator: tuple[str, str] = ("briefing", ""),
                  dates: Sequence[str] | None = None) -> list[Path]:
    """Rewrite the archive's index and feed (``main``) and each of ``readers``' own, each pair
    atomically; ``dates``: the archive's dates, when already listed. Returns the files
    written."""
    written: list[Path] = []
    scopes: list[tuple[Any, Path, int]] = [(_ALL, root, 0)] if main else []
    scopes += [(r, root / r, 1) for r in dict.fromkeys(readers)]
    label = " ".join(generator).strip()
    for scope, folder, depth in scopes:
        reader = None if scope is _ALL else scope
        editions, older = listed(root, scope, INDEX_ENTRIES, dates)
        page = index_html(editions, older, title=title, reader=reader, env=env, depth=depth,
                          web_url=web_url, generator=label)
        feed = feed_xml(editions[:FEED_ENTRIES], title=title, reader=reader, depth=depth,
                        web_url=web_url, generator=generator)
        try:
            written += write_atomically(folder, {INDEX: page.encode("utf-8"), FEED: feed},
                                        derived=(INDEX, FEED))  # made again by every run
        except OSError as exc:
            raise ArchiveError(f"{folder}: could not write the archive's index and feed "
                               f"({exc.strerror or type(exc).__name__}); they stay as they "
                               "were") from None
    return written
