"""One edition made for serving, and what a failed build has to say.

An :class:`Edition` is everything the server answers from for one reader's edition: the
Briefing and its web page as ``briefing build`` makes them (``pipeline.make_edition``, the
reading texts, the comparison with the archive, the same renderer), each theme's explain rows
(``explain.explained``: what ``briefing explain`` prints, from the same decisions), and the text
every citation of it indexes, by the path the edition names. The PDF and the email are
rendered when first asked for and kept with the edition.

A build that fails becomes a :class:`Failure`: its messages as ``briefing check`` prints them
(``path:line:col: ...``), a template's error at its file and line.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from briefing.config import Config, Reader
from briefing.errors import BriefingError, BusyError
from briefing.judge.explain import ExplainRow, explained
from briefing.models import Briefing
from briefing.pipeline import (
    BuildOptions,
    Corpus,
    archive_root,
    compare_with_previous,
    make_edition,
    render_formats,
)
from briefing.read.corpus import display_path
from briefing.read.formats import kind_of

Warn = Callable[[str], None]


@dataclass(frozen=True)
class SourceText:
    """An article an edition can point into: the text its citations index (a plain-text
    article's own text, a web page's, email's or PDF's reading text) and how to name it."""

    path: str  # as the edition names it (``display_path``): the key a link carries
    file: Path  # the article's file
    title: str | None
    text: str
    encoding: str  # what the file was decoded with (a plain-text article's offsets index that)
    kind: str | None  # "html", "eml" or "pdf" for a derived reading text; None for plain text
    source: str | None  # the edition's Source id when it cites the article, else None
    number: int | None  # that source's citation number
    text_path: str | None  # where the reading text was written (``out/texts/``), when derived


@dataclass(frozen=True)
class Failure:
    """Why the editions could not be built: ``kind`` (config, input, usage, busy, template,
    internal) and the lines to show, located where they can be."""

    kind: str
    lines: tuple[str, ...]


@dataclass
class Edition:
    """One reader's edition (``reader`` None: the main edition) as the server shows it."""

    reader: str | None
    briefing: Briefing
    page: str  # the web page, byte for byte what `briefing build` would write (as text)
    explain: Mapping[str, tuple[ExplainRow, ...]]  # theme id -> every candidate's fate
    texts: Mapping[str, SourceText]  # display path -> the text its citations index
    config: Config
    built_at: dt.datetime
    seconds: float
    _rendered: dict[str, bytes] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def rendered(self, fmt: str) -> bytes:
        """The edition as ``pdf`` or ``email``, rendered the first time it is asked for (as
        ``build`` renders it) and kept: one render at a time."""
        with self._lock:
            if fmt not in self._rendered:
                self._rendered[fmt] = render_formats(self.briefing, self.config, (fmt,))[fmt]
            return self._rendered[fmt]

    def cited_files(self) -> dict[str, Path]:
        """The files the edition cites, by the path it names them with."""
        return {t.path: t.file for t in self.texts.values() if t.source is not None}


def make_served(config: Config, corpus: Corpus, reader: Reader | None, options: BuildOptions,
                warn: Warn) -> Edition:
    """Make ``reader``'s edition from ``corpus`` (open: the store is read) as ``build`` makes
    it, and render its web page; nothing is written but the reading texts (``out/texts/``)."""
    t0 = time.perf_counter()
    made = make_edition(config, corpus, reader, options)
    out = options.out or config.out
    briefing = made.with_texts(out)
    briefing = compare_with_previous(briefing, archive_root(config, options), made.digests(), warn)
    page = render_formats(briefing, config, ("html",))["html"].decode("utf-8")
    rows = {s.theme: tuple(explained(made, s.theme)) for s in briefing.sections}
    by_path = {s.path: s for s in briefing.sources}
    texts = {}
    for article in made.articles.values():
        path = display_path(article.path)
        source = by_path.get(path)
        texts[path] = SourceText(path=path, file=Path(article.path), title=article.meta.title,
                                 text=article.text, encoding=article.encoding,
                                 kind=kind_of(article.path),
                                 source=source.id if source else None,
                                 number=source.number if source else None,
                                 text_path=source.text_path if source else None)
    return Edition(reader.id if reader else None, briefing, page, rows, texts, config,
                   dt.datetime.now().astimezone(), time.perf_counter() - t0)


def failure_of(exc: BaseException) -> Failure:
    """A failed build's messages: a user's error as ``briefing check`` prints it (each problem
    at its ``path:line:col``), a template's at its file and line, anything else as the one-line
    internal error the command line gives."""
    if isinstance(exc, BusyError):
        return Failure("busy", (*exc.lines(), "serve tries again on the next change"))
    if isinstance(exc, BriefingError):
        return Failure(type(exc).__name__.removesuffix("Error").lower(), tuple(exc.lines()))
    if isinstance(exc, jinja2.TemplateError):
        return Failure("template", (template_line(exc),))
    return Failure("internal", (f"internal error: {type(exc).__name__}: {exc}",))


def template_line(exc: jinja2.TemplateError) -> str:
    """``templates/partials/item.html:3: message``: where a template went wrong. A syntax error
    names its file and line; an error while rendering is placed at the innermost template
    frame of its traceback (Jinja2 gives those frames the template's file and line)."""
    message = exc.message or type(exc).__name__
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return f"{display_path(Path(exc.filename))}:{exc.lineno}: {message}"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        file = frame.filename
        if file.endswith((".html", ".xml", ".txt", ".css")) and Path(file).is_file():
            return f"{display_path(Path(file))}:{frame.lineno}: {type(exc).__name__}: {message}"
    name = getattr(exc, "name", None)
    return f"{name or 'a template'}: {type(exc).__name__}: {message}"
