"""A web page (HTML) -> its main text as a reading text, and the metadata the page gives.

The main text is found by trafilatura, a library made for it: it drops navigation, cookie
banners, comments, related links, share buttons and the site's footer, and keeps the story's
paragraphs, subheadings, lists and quotations in order. Each of those blocks becomes one
paragraph of the reading text (``documents.reading_text``); a ``<br>`` stays a line break inside
its paragraph, so the project's own furniture pass (``segment``) still sees a caption or a
credit line on its own. That pass runs on top, as on any article: what trafilatura keeps but is
not the story (a section label, a photo credit, "Read more: ...") is marked as furniture there.

Metadata comes from the page as the page gives it (its meta tags, JSON-LD, ``<time>``, byline
markup, canonical link, ``<html lang>``), read by trafilatura with its date search limited to
the markup (``extensive_search`` off: no date guessed from the text). A site name trafilatura
would take from the URL's host is not one the page gives, and is left out.

The bytes are decoded as a browser would: a byte order mark, else the charset the server or the
page declares (ISO-8859-1 and ASCII read as Windows-1252, as the HTML standard says), else UTF-8
when it is valid, else detection (``decode.decode``).
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from briefing.config.model import ISO_DATE_RE
from briefing.read.decode import decode
from briefing.read.documents import (
    MAX_DOCUMENT_BYTES,
    Extracted,
    Unreadable,
    clean_field,
    clean_line,
    reading_text,
    web_url,
)

if TYPE_CHECKING:
    from trafilatura.settings import Document

Element = Any  # an lxml element or tree: lxml has no type hints, so nothing on it is checked

_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_LEGACY = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254"}
_BLOCK = frozenset({"p", "head", "quote", "code", "list", "item", "table", "row"})
_TEXT_BLOCKS = ("//body//p|//body//li|//body//h1|//body//h2|//body//h3|//body//h4|//body//h5|"
                "//body//h6|//body//blockquote|//body//dd|//body//figcaption|//body//pre")
_SITE_FROM_URL = re.compile(r"https?://(?:www\.|w[0-9]+\.)?([^/]+)")

for _name in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
    # their warnings ("discarding data") are not the user's to read: a page without an article
    # is reported by briefing itself, once, naming the file
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, codec name) of a page's bytes; ``declared`` is the HTTP Content-Type's charset.
    Raises Unreadable for bytes that are not text."""
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig", errors="replace"), "utf-8-sig"
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return data.decode("utf-16", errors="replace"), "utf-16"
    m = _CHARSET.search(data[:4096])
    for label in (declared, m.group(1).decode("ascii") if m else None):
        codec = _codec(label)
        if codec is not None:
            return data.decode(codec, errors="replace"), codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    decoded = decode(data)
    if decoded is None:
        raise Unreadable("not an HTML page (binary data)")
    return decoded


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return _LEGACY.get(name, name)


def extract_page(data: bytes, *, url: str | None = None, charset: str | None = None) -> Extracted:
    """The reading text and metadata of a web page's bytes. ``url`` is where it was fetched
    from (it only helps resolve a relative canonical link), ``charset`` what the server
    declared. Raises Unreadable when the page holds no main text."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise Unreadable(f"page larger than {MAX_DOCUMENT_BYTES // 2**20} MiB")
    text, codec = decode_html(data, charset)
    if "\x00" in text:
        raise Unreadable("not an HTML page (binary data)")
    return extract_html(text, url=url, charset=codec)


def extract_html(html: str, *, url: str | None = None, charset: str | None = None) -> Extracted:
    """:func:`extract_page` for a page already decoded."""
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(_XML_DECL.sub("", html, count=1))
    if tree is None:
        raise Unreadable("not an HTML page")

    def read(favor_recall: bool) -> tuple[Document | None, list[str]]:
        doc = trafilatura.bare_extraction(
            tree, url=url, with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, include_formatting=False, include_links=False,
            deduplicate=False, favor_recall=favor_recall,
            date_extraction_params={"extensive_search": False, "original_date": True})
        assert not isinstance(doc, dict)  # as_dict is off: a Document, or None
        return doc, list(_paragraphs(doc.body)) if doc is not None else []

    doc, paragraphs = read(False)
    if not paragraphs:
        # a short page (a brief, a newsletter) can fall under the balanced mode's bar
        doc, paragraphs = read(True)
    body = reading_text(paragraphs)
    if not body or doc is None:
        raise Unreadable("no article text found in the page")
    return Extracted("html", body, _meta(doc, tree), charset, left_out=_left_out(tree, body))


def _left_out(tree: Element, body: str) -> int:
    """How many of the page's text blocks (paragraphs, list items, headings, quotations,
    captions, cells) are not in the reading text: what extraction judged not the story."""
    flat = " ".join(body.split())
    texts = {clean_line("".join(e.itertext())) for e in tree.xpath(_TEXT_BLOCKS)}
    return sum(1 for t in texts if t and t not in flat)


def _paragraphs(body: Element | None) -> Iterator[str]:
    """The blocks of trafilatura's output tree in order, one string each: a paragraph, a
    heading, a quotation, a list item, a table row (its cells joined by ' | ')."""
    if body is None:
        return
    for el in body:
        yield from _block(el)


def _block(el: Element) -> Iterator[str]:
    tag = el.tag
    if not isinstance(tag, str):
        return  # a comment or processing instruction
    if tag == "row":
        cells = [c for c in el if isinstance(c.tag, str)]
        if any(isinstance(b.tag, str) and b.tag in _BLOCK for c in cells for b in c):
            # a layout table (an old site's columns): each cell is a column of blocks, and a
            # column of short link-like lines is its navigation
            for cell in cells:
                blocks = _block_children(cell)
                if not _navigation(blocks):
                    yield from blocks
            return
        texts = [_text(c).replace("\n", " ") for c in cells]
        yield " | ".join(t for t in texts if t.strip())
        return
    if tag in ("list", "table") or (tag in _BLOCK and any(
            isinstance(c.tag, str) and c.tag in _BLOCK for c in el)):
        own = _text(el, shallow=True)
        if own.strip():
            yield own
        for child in el:
            yield from _block(child)
        return
    yield _text(el)


def _block_children(cell: Element) -> list[str]:
    """A layout cell's own text (the lines before its first block) and its blocks, in order."""
    out = [_text(cell, shallow=True)]
    for child in cell:
        if isinstance(child.tag, str) and child.tag in _BLOCK:
            out.extend(_block(child))
    return [t for t in out if t.strip()]


def _navigation(blocks: list[str]) -> bool:
    """Whether a layout column is a menu: three or more lines, each short and no sentence."""
    lines = [line.strip() for b in blocks for line in b.split("\n") if line.strip()]
    return len(lines) >= 3 and all(len(line) < 40 and not line.endswith((".", "!", "?", "”", '"'))
                                   for line in lines)


def _text(el: Element, shallow: bool = False) -> str:
    """An element's text with ``<lb/>`` as a line break; with ``shallow``, without the text of
    its block children (yielded on their own)."""
    parts: list[str] = [el.text or ""]
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and tag == "lb":
            parts.append("\n")
        elif isinstance(tag, str) and not (shallow and tag in _BLOCK):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _meta(doc: Document, tree: Element) -> dict[str, str]:
    """What the page says about itself, as given (see the module docstring)."""
    out: dict[str, str | None] = {
        "title": clean_field(doc.title),
        "byline": _byline(doc.author),
        "published": doc.date if ISO_DATE_RE.match(doc.date or "") else None,
        "url": web_url(doc.url) or _linked_data_url(tree),
        "language": _language(tree),
    }
    site = clean_field(doc.sitename)
    host = _SITE_FROM_URL.match(doc.url or "")
    if site and not (host and site.lower() == host.group(1).lower()):
        out["outlet"] = site
    return {k: v for k, v in out.items() if v}


_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")


def _linked_data_url(tree: Element) -> str | None:
    """The URL an article's JSON-LD gives itself (``url``, else ``mainEntityOfPage``), for a
    page without a canonical link: trafilatura reads the rest of the JSON-LD, not this."""
    import json

    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kind = item.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if any(isinstance(k, str) and k.endswith("Article") for k in kinds):
                    page = item.get("mainEntityOfPage")
                    for value in (item.get("url"), page.get("@id") if isinstance(page, dict)
                                  else page):
                        if web_url(value):
                            return web_url(value)
                stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list)
                             else [])
    return None


def _byline(author: str | None) -> str | None:
    """trafilatura's authors ('A; B; C') as a byline is printed: 'A, B and C'."""
    names = [n for n in (clean_field(a) for a in (author or "").split(";")) if n]
    if len(names) > 1:
        return clean_field(", ".join(names[:-1]) + " and " + names[-1])
    return names[0] if names else None


def _language(tree: Element) -> str | None:
    """The page's declared language: ``<html lang>``, else Content-Language, else og:locale."""
    values = [tree.get("lang"), tree.get("xml:lang")]
    metas = list(tree.iter("meta"))
    values += [m.get("content") for m in metas
               if (m.get("http-equiv") or "").lower() == "content-language"]
    values += [m.get("content") for m in metas if m.get("property") == "og:locale"]
    for value in values:
        value = (value or "").strip().split(",")[0].strip()
        if _LANG.match(value):
            return value.replace("_", "-")
    return None
