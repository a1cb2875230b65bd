"""A feed's bytes -> its entries: RSS 0.9x/1.0/2.0 and Atom by feedparser, JSON Feed by the
standard library's json (feedparser does not read it).

Each :class:`Entry` carries what the feed says of one article: its link, its id (the guid, or
the link), title, author, published date, and its content when the feed carries the article's
text (``content:encoded``, Atom ``content``, JSON Feed ``content_html``/``content_text``), as
opposed to a summary (``description``, ``summary``), which is never taken for the article.

feedparser is always given the bytes (never a URL or a file name, which it would open itself)
and reads malformed XML with its loose parser; a feed that yields no entries and no title is
an error naming what is wrong. Its HTML sanitizer stays on: a feed's content is read by the
web page extractor afterwards, which drops scripts anyway.
"""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

from briefing.read.documents import clean_field, web_url

JSON_FEED = re.compile(r"^https?://jsonfeed\.org/version/", re.I)
MAX_ENTRIES = 1000  # entries read from one feed


class FeedError(Exception):
    """The bytes are not a feed briefing can read; the message says why."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One article as a feed lists it."""

    link: str | None  # the article's page (absolute http(s) URL), if the feed gives one
    id: str  # the guid / Atom id / JSON Feed id, else the link
    title: str | None = None
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD
    content: str | None = None  # the article's HTML (or text) when the feed carries it
    content_is_html: bool = True


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed's title and entries, in the feed's order."""

    title: str | None
    entries: tuple[Entry, ...]
    kind: str  # "rss", "atom", "json"


def parse_feed(data: bytes, url: str, headers: Mapping[str, str] | None = None) -> Feed:
    """The entries of the feed in ``data``, fetched from ``url`` (relative links resolve
    against it) with the response's ``headers``. Raises FeedError when it is not a feed."""
    head = {k.lower(): v for k, v in (headers or {}).items()}
    stripped = data.lstrip()[:1]
    if stripped in (b"{", b"[") or "json" in head.get("content-type", ""):
        return _json_feed(data, url)
    import feedparser

    parsed = feedparser.parse(io.BytesIO(data), response_headers={
        "content-location": url, "content-type": head.get("content-type", "application/xml")})
    if not parsed.entries and not parsed.feed.get("title"):
        problem = parsed.get("bozo_exception")
        raise FeedError(f"not a feed ({_why(problem)})" if problem else "not a feed: no entries")
    entries = []
    for e in parsed.entries[:MAX_ENTRIES]:
        link = web_url(urljoin(url, e.get("link") or "")) if e.get("link") else None
        ident = clean_field(e.get("id")) or link
        if ident is None:
            continue  # nothing to know it by: it could never be told from the next poll's
        content, is_html = _content(e)
        entries.append(Entry(link, ident, clean_field(e.get("title")), _author(e),
                             _entry_date(e), content, is_html))
    version = parsed.get("version", "")
    return Feed(clean_field(parsed.feed.get("title")), tuple(entries),
                "atom" if version.startswith("atom") else "rss")


def _why(problem: BaseException) -> str:
    text = str(problem).strip()
    return text.splitlines()[0][:160] if text else type(problem).__name__


def _author(e: Mapping) -> str | None:
    if e.get("author"):
        return clean_field(e["author"])
    names = [clean_field(a.get("name")) for a in e.get("authors", []) if isinstance(a, Mapping)]
    return ", ".join(n for n in names if n) or None


def _entry_date(e: Mapping) -> str | None:
    """The entry's date as written, in its own zone (an RFC 822 date in RSS, RFC 3339 in
    Atom); else feedparser's reading of it, which it gives in UTC."""
    for key in ("published", "updated"):
        raw = e.get(key)
        if isinstance(raw, str) and raw.strip():
            try:
                return email.utils.parsedate_to_datetime(raw).date().isoformat()
            except (TypeError, ValueError, IndexError):
                pass
            day = _iso_date(raw)
            if day:
                return day
    return _date(e.get("published_parsed") or e.get("updated_parsed"))


def _date(parsed: object) -> str | None:
    """feedparser's UTC struct_time as a date."""
    if not isinstance(parsed, tuple):  # a struct_time is one; None when the feed gave none
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC).date().isoformat()
    except (TypeError, ValueError, OverflowError):
        return None


def _content(e: Mapping) -> tuple[str | None, bool]:
    """The entry's full content (not its summary): the longest HTML or text part."""
    parts = [c for c in e.get("content", []) if isinstance(c, Mapping) and c.get("value")]
    if not parts:
        return None, True
    best = max(parts, key=lambda c: len(c["value"]))
    return best["value"], "html" in (best.get("type") or "text/html")


def _json_feed(data: bytes, url: str) -> Feed:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedError(f"not a feed (invalid JSON: {exc})") from None
    if not isinstance(doc, dict) or not JSON_FEED.match(str(doc.get("version", ""))):
        raise FeedError("not a feed (JSON without a jsonfeed.org version)")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError("not a feed (JSON Feed without items)")
    feed_authors = _json_authors(doc)
    entries = []
    for item in items[:MAX_ENTRIES]:
        if not isinstance(item, dict):
            continue
        raw = item.get("url") or item.get("external_url")
        link = web_url(urljoin(url, raw)) if isinstance(raw, str) else None
        ident = clean_field(item.get("id")) or link
        if ident is None:
            continue
        html, text = item.get("content_html"), item.get("content_text")
        content = html if isinstance(html, str) and html.strip() else (
            text if isinstance(text, str) and text.strip() else None)
        entries.append(Entry(link, ident, clean_field(item.get("title")),
                             _json_authors(item) or feed_authors,
                             _iso_date(item.get("date_published")), content,
                             content is html))
    return Feed(clean_field(doc.get("title")), tuple(entries), "json")


def _json_authors(obj: Mapping) -> str | None:
    """A JSON Feed item's (or the feed's) authors as one byline: ``authors`` (version 1.1),
    else the single ``author`` of version 1.0."""
    authors, author = obj.get("authors"), obj.get("author")
    people = authors if isinstance(authors, list) else [author] if isinstance(author, dict) else []
    names = [clean_field(p.get("name")) for p in people if isinstance(p, dict)]
    return ", ".join(n for n in names if n) or None


def _iso_date(value: object) -> str | None:
    """An RFC 3339 date-time's date, as written (its own day, in its own zone)."""
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        try:
            return dt.date.fromisoformat(value.strip()[:10]).isoformat()
        except ValueError:
            return None
