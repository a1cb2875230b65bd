"""The pages the server draws: the served edition (the web page with the bar, the links and the
long poll put in: ``inject``), and its own pages from ``templates/serve/`` (explain, source,
email, a failed build, not found).

Its own pages come from the shipped templates only, so a workspace template with an error
cannot hide the page that reports it. Every value reaches the markup through a template with
autoescape on (the article text of the source view is the article's: hostile input), and every
link the server makes carries the reader it is for, unless that is the default one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from briefing.models import Cited, Item
from briefing.publish.render import places, slug, template_env
from briefing.serve.builder import Key, Snapshot
from briefing.serve.editions import Edition, Failure
from briefing.serve.inject import Additions, add

EMAIL_WIDTHS = (375, 600)
KIND_NAMES = {"html": "web page", "eml": "email", "pdf": "PDF"}
HEADINGS = {"config": "The config has problems", "template": "A template has an error",
            "input": "Something the build reads is missing", "busy": "The store is busy",
            "usage": "This edition cannot be built", "internal": "The build failed"}


class Pages:
    """Draws every HTML page the server sends; ``default`` is the edition ``/`` shows."""

    def __init__(self, default: Key = None) -> None:
        self.default = default
        self.env = template_env()  # the shipped templates; Jinja2 reloads one that changed

    def href(self, route: str, key: Key, fragment: str = "", /, **params: object) -> str:
        """A link to ``route`` for ``key``'s edition, with ``params`` as its query."""
        query = {k: str(v) for k, v in params.items() if v is not None}
        if key != self.default:
            query["reader"] = key or ""
        return (route + ("?" + urlencode(query, safe="/") if query else "")
                + (f"#{fragment}" if fragment else ""))

    def source_href(self, key: Key, block: Cited | Item) -> str:
        return self.href("/source", key, "cited", path=block.path, start=block.start, end=block.end)

    def bar(self, snap: Snapshot, key: Key, edition: Edition | None) -> dict[str, Any]:
        """What the bar shows (``templates/serve/bar.html``)."""
        readers = [("", "Main edition")]
        if snap.config is not None:
            readers += [(r.id, f"{r.name} ({r.id})") for r in snap.config.readers]
        if key is not None and key not in {value for value, _ in readers}:
            readers.append((key, key))
        built = None
        if edition is not None:
            built = f"built {edition.built_at:%H:%M:%S} in {edition.seconds:.2f} s"
            if snap.reason and snap.reason != "start":
                built += f" ({snap.reason})"
        return {"generation": snap.generation, "token": snap.token, "readers": readers,
                "current": key or "", "built": built,
                "problem": snap.failure.kind if snap.failure else None,
                "links": {"web": self.href("/", key), "pdf": self.href("/pdf", key),
                          "email": self.href("/email", key)}}

    def _render(self, name: str, snap: Snapshot, key: Key, edition: Edition | None, nonce: str,
                **context: Any) -> str:
        config = edition.config if edition is not None else snap.config
        return self.env.get_template(name).render(
            bar=self.bar(snap, key, edition), nonce=nonce,
            lang=config.language if config is not None else "en", **context)

    def edition(self, edition: Edition, snap: Snapshot, key: Key, nonce: str) -> str:
        """The edition's web page as built, with the bar, the explain and source links and
        the long poll put in."""
        links: Any = self.env.get_template("serve/links.html").module
        b = edition.briefing
        where = places(b)
        after: dict[str, str] = {}
        inside: dict[str, str] = {}
        for section in b.sections:
            after[f"title-{slug(section.theme)}"] = str(links.explain_link(
                self.href(f"/explain/{quote(section.theme, safe='')}", key), section.title))
            lede = section.lede
            if lede is not None and lede.id:
                inside[lede.id] = " " + str(links.source_inline(
                    self.source_href(key, lede), where.get(lede.id, section.title)))
            for item in section.items:
                if item.id:
                    inside[item.id] = str(links.source_link(self.source_href(key, item),
                                                            where.get(item.id, "")))
        for point in b.summary:
            if point.id:
                inside[point.id] = str(links.source_link(self.source_href(key, point),
                                                         where.get(point.id, "")))
        for source in b.sources:
            inside[f"source-{source.number}"] = str(links.source_text(
                self.href("/source", key, path=source.path), source.number))
        top = self._render("serve/top.html", snap, key, edition, nonce)
        bottom = self._render("serve/reload.html", snap, key, edition, nonce)
        return add(edition.page, Additions(top, bottom, after, inside))

    def explain(self, edition: Edition, snap: Snapshot, key: Key, theme: str,
                nonce: str) -> str | None:
        """The explain view of ``theme`` in this edition; None when it has no such theme."""
        rows = edition.explain.get(theme)
        if rows is None:
            return None
        section = next(s for s in edition.briefing.sections if s.theme == theme)
        hrefs = [self.href("/source", key, "cited", path=r.path, start=r.start, end=r.end)
                 for r in rows]
        return self._render(
            "serve/explain.html", snap, key, edition, nonce, theme=theme, title=section.title,
            rows=rows, hrefs=hrefs, shown=sum(r.status.startswith("shown") for r in rows),
            edition_name=_edition_name(edition, snap), main=edition.reader is None,
            section_href=self.href("/", key, f"section-{slug(theme)}"))

    def source(self, edition: Edition, snap: Snapshot, key: Key, path: str,
               span: tuple[int, int] | None, nonce: str) -> str | None:
        """The text ``path`` names (one the edition can point into), ``span`` marked; None
        when the edition has no such text or the span is not inside it."""
        text = edition.texts.get(path)
        if text is None:
            return None
        if span is not None and not 0 <= span[0] <= span[1] <= len(text.text):
            return None
        start, end = span or (len(text.text), len(text.text))
        return self._render(
            "serve/source.html", snap, key, edition, nonce, text=text, span=span,
            before=text.text[:start], cited=text.text[start:end], after=text.text[end:],
            kind_name=KIND_NAMES.get(text.kind or "", "document"),
            place=_place(edition, path, span),
            file_href=("/corpus/" + quote(path, safe="/")) if text.source is not None else None,
            reading_href=_output_href(edition, text.text_path))

    def email(self, edition: Edition, snap: Snapshot, key: Key, nonce: str) -> str:
        return self._render("serve/email.html", snap, key, edition, nonce, widths=EMAIL_WIDTHS,
                            email_href=self.href("/email.html", key),
                            reader=_edition_name(edition, snap) if edition.reader else None)

    def failure(self, failure: Failure, snap: Snapshot, key: Key, nonce: str) -> str:
        """What shows instead of the edition: the messages, where they are."""
        return self._render(
            "serve/failure.html", snap, key, None, nonce, failure=failure,
            heading=HEADINGS.get(failure.kind, HEADINGS["internal"]),
            last_good_href=self.href("/last-good", key) if key in snap.last_good else None)

    def missing(self, snap: Snapshot, key: Key, nonce: str, what: str) -> str:
        return self._render("serve/missing.html", snap, key, None, nonce, what=what)


def _edition_name(edition: Edition, snap: Snapshot) -> str:
    if edition.reader is None:
        return "the main edition"
    names = {r.id: r.name for r in snap.config.readers} if snap.config else {}
    return f"the edition of {names.get(edition.reader, edition.reader)} ({edition.reader})"


def _place(edition: Edition, path: str, span: tuple[int, int] | None) -> str | None:
    """Where the edition shows ``span`` of ``path`` ('Security, item 3'), when it does."""
    if span is None:
        return None
    b = edition.briefing
    blocks: list[Cited | Item] = [*b.summary]
    for section in b.sections:
        blocks += [section.lede] if section.lede else []
        blocks += section.items
    where: Mapping[str, str] = places(b)
    for block in blocks:
        if block.id and (block.path, block.start, block.end) == (path, *span):
            return where.get(block.id)
    return None


def _output_href(edition: Edition, text_path: str | None) -> str | None:
    """The ``/out/...`` link to a reading text written under the workspace's out folder."""
    if text_path is None:
        return None
    try:
        rel = Path(os.path.realpath(text_path)).relative_to(os.path.realpath(edition.config.out))
    except ValueError:
        return None
    return "/out/" + quote(rel.as_posix(), safe="/")
