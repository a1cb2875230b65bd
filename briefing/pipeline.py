"""The one place where the order of the stages is visible.

    build: config -> corpus (scan; ingest new files into the store: ``read_corpus``)
        -> each edition (``make_edition``): its window -> themes (ranked on the index)
           -> quotations and dated sentences -> what it shows (``choose``) -> the Briefing
        -> reading texts (of web pages, emails, PDFs: out/texts/)
        -> compare (with the previous archived edition) -> render -> write
        -> archive (the edition, then the archive's index and feeds)

:func:`make_edition` is the one orchestrator of an edition: ``build`` (here), ``send``
(``deliver.editions.EditionMaker``, which shares one edition between readers with the same themes
and window) and ``explain`` all call it, so they cannot disagree on what an edition shows. Stages
never call each other; this module calls them in order and times each one, so the benchmark
can report where a build spends its time.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing import __version__
from briefing.annotate.annotations import events_of, quotes_of
from briefing.config.model import Config, Reader, ThemeConfig
from briefing.errors import ConfigError, InputError
from briefing.judge.choose import Selection
from briefing.judge.readers import Window, edition_window
from briefing.judge.themes import ThemeQuery, compile_theme
from briefing.models import Article, Briefing
from briefing.publish import archive
from briefing.publish.assemble import Masthead, Material, ThemeInfo, assemble
from briefing.publish.output import FILENAMES, FORMATS, write_atomically
from briefing.publish.texts import with_reading_texts
from briefing.read.ingest import Corpus, read_corpus, select_since
from briefing.read.listing import Listing
from briefing.store import cachekeys
from briefing.store.ledger import Ledger

if TYPE_CHECKING:  # given by __getattr__ below, from ranking (numpy) only when used
    from briefing.judge.ranking import rank
    from briefing.judge.ranking import shortlists as ranked_shortlist

Warn = Callable[[str], None]

__all__ = ["BuildOptions", "BuildResult", "Corpus", "EditionBuild", "Timings", "build",
           "build_briefing", "make_edition", "rank", "ranked_shortlist", "read_corpus",
           "render_formats", "select_since", "theme_queries", "window_of"]


def _ignore(_: str) -> None:
    return None


@dataclass(frozen=True)
class BuildOptions:
    """What a build may override from the config (the command line's options)."""

    corpus: tuple[Path, ...] | None = None
    since: dt.date | None = None
    undated: bool | None = None  # keep undated articles in a windowed edition (None: the profile's)
    edition: dt.date | None = None
    formats: tuple[str, ...] | None = None  # None: every format, or a reader's (edition_formats)
    out: Path | None = None
    progress: bool | None = None  # a progress bar while reading many files; None: on a terminal
    scheduler: str | None = None  # a Dask scheduler (tcp://HOST:PORT) to read new files on


@dataclass
class Timings:
    """Seconds spent per stage, in the order the stages ran."""

    stages: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - t0


@dataclass(frozen=True)
class BuildResult:
    """What ``build`` produced: the briefings (one per edition), the files written into out/
    and the folders the editions were archived in."""

    briefings: tuple[Briefing, ...]
    written: tuple[Path, ...]
    timings: Timings
    archived: tuple[Path, ...] = ()


def now() -> dt.datetime:
    """The build's clock: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def theme_queries(config: Config, reader: Reader | None) -> list[tuple[ThemeConfig, ThemeQuery]]:
    """The themes of an edition, compiled: all of the config's, or the reader's selection in the
    reader's order with their overrides."""
    if reader is None or not reader.themes:
        return [(t, compile_theme(t)) for t in config.themes]
    out = []
    for rt in reader.themes:
        theme = config.theme(rt.id)
        out.append((theme, compile_theme(theme, extra=rt.extra_terms, exclude=rt.exclude,
                                         max_items=rt.max_items)))
    return out


def __getattr__(name: str) -> Any:
    # ranking's functions and limits, by the names they had here (``ranking`` imports numpy:
    # only when used); the limits are read here, set on ``ranking``
    if name in ("rank", "shortlist", "ranked_shortlist", "SHORTLIST_MIN", "SHORTLIST_PER_ITEM"):
        from briefing.judge import ranking

        return getattr(ranking, "shortlists" if name == "ranked_shortlist" else name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def window_of(config: Config, reader: Reader | None, options: BuildOptions, *,
              ledger: Ledger | None = None) -> Window | None:
    """The window of ``reader``'s edition (None: the main one) for these options: the one rule
    every command applies (``readers.edition_window``; "last-edition" asks ``ledger``, or the
    store's ledger read-only)."""
    return edition_window(config, reader, options.edition or now().date(),
                          since=options.since, undated=options.undated, ledger=ledger)


@dataclass(frozen=True)
class EditionBuild:
    """One edition as :func:`make_edition` decided it: the Briefing (its sources' reading
    texts not yet written: ``with_texts``) and how it was decided, which ``explain`` reports:
    ``selection`` holds every candidate's fate, ``articles`` the articles it can cite (by id),
    ``corpus`` the articles inside the edition's ``window``."""

    briefing: Briefing
    selection: Selection
    articles: Mapping[str, Article]
    queries: tuple[ThemeQuery, ...]
    corpus: Corpus
    window: Window | None

    def with_texts(self, out: Path) -> Briefing:
        """The Briefing with its web pages', emails' and PDFs' reading texts written under
        ``out/texts/`` and named as their ``text_path`` (see ``texts``)."""
        return with_reading_texts(self.briefing, self.corpus, out)

    def digests(self) -> list[str]:
        """The sha256 of each article of the edition's corpus (what the archive compares)."""
        return [r.sha256 for r in self.corpus.refs]


def make_edition(config: Config, corpus: Corpus, reader: Reader | None = None,
                 options: BuildOptions = BuildOptions(), *, ledger: Ledger | None = None,
                 timings: Timings | None = None) -> EditionBuild:
    """The one orchestrator of an edition: ``reader``'s (None: the main edition) from the
    ``corpus`` read for the build. Selects the articles inside the edition's window, ranks them
    for each theme, finds the quotations and dated sentences of those that can be cited,
    chooses what the edition shows and assembles the Briefing. ``build``, ``send`` and
    ``explain`` all go through here, so what explain says was shown is what build shows."""
    window = window_of(config, reader, options, ledger=ledger)
    chosen, notes = select_since(corpus, window)
    return _decide(config, chosen, reader, options, notes, window, timings or Timings())


def _decide(config: Config, corpus: Corpus, reader: Reader | None, options: BuildOptions,
            notes: Sequence[str], window: Window | None, timings: Timings) -> EditionBuild:
    from briefing.judge import ranking  # numpy: only for builds that rank

    clock = now()
    edition = options.edition or clock.date()
    pairs = theme_queries(config, reader)
    queries = tuple(q for _, q in pairs)
    with timings.stage("rank"):
        ranked = ranking.shortlists(corpus, queries)
    cited = {c.match.article_id for cs in ranked.values() for c in cs}
    with timings.stage("quotes"):
        quotes = quotes_of(corpus, cited)
    with timings.stage("load"):
        articles, segmented = corpus.cited(cited)
        events = events_of(corpus, cited)
        corpus_info = corpus.digest()
    with timings.stage("assemble"):
        masthead = Masthead(title=config.title, edition=edition.isoformat(),
                            generated_at=clock.isoformat(), reader=reader.id if reader else None,
                            version=__version__, config_sha256=config.sha256, notes=tuple(notes))
        material = Material(themes=tuple(ThemeInfo(t.id, t.title, t.description)
                                         for t, _ in pairs),
                            queries=queries, ranked=ranked, articles=articles,
                            segmented=segmented, quotes=quotes, events=events,
                            corpus_info=corpus_info)
        made = assemble(masthead, material)
    return EditionBuild(made.briefing, made.selection, {a.id: a for a in articles}, queries,
                        corpus, window)


def build_briefing(config: Config, corpus: Corpus, *, reader: Reader | None = None,
                   options: BuildOptions = BuildOptions(), timings: Timings | None = None,
                   notes: Sequence[str] = ()) -> Briefing:
    """The Briefing of ``corpus`` as given (its articles already chosen: no window is applied,
    ``notes`` say what the caller left out), its reading texts written: :func:`make_edition`'s
    steps for a caller that chose the articles itself."""
    timings = timings or Timings()
    made = _decide(config, corpus, reader, options, notes, None, timings)
    with timings.stage("texts"):
        return made.with_texts(options.out or config.out)


def render_formats(briefing: Briefing, config: Config, formats: Sequence[str],
                   timings: Timings | None = None, *, env: Any = None,
                   given: Mapping[str, bytes] | None = None,
                   pdf_attached: bool = False) -> dict[str, bytes]:
    """Render the briefing in each format, in memory (nothing is written until all succeed).
    ``env``: the Jinja2 environment to use (one is made when needed); ``given``: formats
    already rendered by the caller, taken as they are; ``pdf_attached``: the email goes with
    the PDF attached (it then points to the attachment for the full edition)."""
    from briefing.publish import render  # jinja2 and css-inline only when something is rendered

    timings = timings or Timings()
    out: dict[str, bytes] = {}
    if env is None and {"html", "email", "pdf"} & (set(formats) - set(given or ())):
        with timings.stage("templates"):
            env = render.template_env(workspace_templates(config), lang=config.language)
    for fmt in formats:
        if given is not None and fmt in given:
            out[fmt] = given[fmt]
            continue
        with timings.stage(f"render-{fmt}"):
            if fmt == "json":
                out[fmt] = render.render_json(briefing).encode()
            elif fmt == "txt":
                out[fmt] = render.render_text(briefing).encode()
            elif fmt == "html":
                out[fmt] = render.render_html(briefing, env).encode()
            elif fmt == "email":
                out[fmt] = render.render_email(briefing, env, web_url=config.delivery.web_url,
                                               pdf_attached=pdf_attached).encode()
            elif fmt == "pdf":
                from briefing.publish.pdf import (
                    html_to_pdf,  # weasyprint is the heaviest import: only for PDFs
                )

                html = render.render_pdf_html(briefing, env)
                out[fmt] = html_to_pdf(html, assets=render.assets_dir(workspace_templates(config)),
                                       page_size=config.page_size,
                                       cache=config.store / cachekeys.PDF_FOLDER)
            else:  # pragma: no cover - formats are validated by the CLI and the config
                raise InputError(f"unknown format {fmt!r}")
    return out


def workspace_templates(config: Config) -> Path | None:
    """The workspace's own templates folder (beside its config folder), when there is one."""
    candidate = config.root.parent / "templates"
    return candidate if candidate.is_dir() else None


def out_dir(config: Config, options: BuildOptions, reader: Reader | None) -> Path:
    """Where an edition's files go: ``out/``, or ``out/readers/<id>/`` for a reader's edition."""
    base = options.out or config.out
    return base / "readers" / reader.id if reader else base


def archive_root(config: Config, options: BuildOptions) -> Path:
    """Where editions are archived: ``out/editions/`` (see briefing/archive.py)."""
    return (options.out or config.out) / archive.DIRNAME


def compare_with_previous(briefing: Briefing, root: Path, articles: Sequence[str],
                          warn: Warn = _ignore, dates: Sequence[str] | None = None) -> Briefing:
    """``briefing`` with its items marked new or not against the previous archived edition for
    the same reader, and what is new since (``Briefing.previous``); ``articles``: the sha256
    of each article of the edition's corpus; ``dates``: the archive's dates, when the caller
    listed them once for many editions. A previous edition that cannot be read is warned
    about, and nothing is marked new."""
    previous = archive.previous_edition(root, briefing.edition, briefing.reader, dates)
    for message in previous.warnings if previous is not None else ():
        warn(message)
    return archive.compare(briefing, previous, articles)


def with_json(formats: Sequence[str]) -> tuple[str, ...]:
    """``formats`` and the JSON: what an edition is rendered as, since its archive keeps the
    JSON record (what the next edition is compared with) whatever was asked for."""
    return tuple(formats) if "json" in formats else (*formats, "json")


def archive_indexes(config: Config, root: Path, *, readers: Sequence[str] = (),
                    main: bool = True, env: Any = None,
                    dates: Sequence[str] | None = None) -> list[Path]:
    """Rewrite the archive's index page and Atom feed (``main``) and ``readers``' own;
    ``env``: the Jinja2 environment to draw the index with (a new one when None); ``dates``:
    the archive's dates, when already listed."""
    from briefing.publish import render
    from briefing.publish.archive_index import write_indexes

    env = env or render.template_env(workspace_templates(config), lang=config.language)
    return write_indexes(root, title=config.title, web_url=config.delivery.web_url, env=env,
                         readers=readers, main=main, generator=("briefing", __version__),
                         dates=dates)


def build(config: Config, options: BuildOptions = BuildOptions(), *,
          readers: Sequence[Reader | None] = (None,), warn: Warn = _ignore,
          listing: Listing | None = None) -> BuildResult:
    """The whole job: read, rank, assemble and write every requested edition.

    Each edition is rendered completely in memory before any of its files is replaced, and each
    file is replaced atomically, so a failed build leaves the previous outputs intact.
    ``listing``: a listing of the corpus started earlier (see ``read_corpus``).
    """
    timings = Timings()
    whole = read_corpus(config, options.corpus, warn=warn, timings=timings,
                        progress=options.progress, listing=listing, scheduler=options.scheduler)
    try:
        return _build(config, options, whole, readers, timings, warn)
    finally:
        whole.close()  # releases the store's lock


def edition_formats(reader: Reader | None, asked: Sequence[str] | None) -> tuple[str, ...]:
    """What an edition is written as: the formats asked for (``--format``), else every format
    for the main edition and the profile's ``formats`` for a reader's, with the JSON beside them
    (the edition's record: what ``verify`` checks)."""
    if asked:
        return tuple(asked)
    if reader is None:
        return FORMATS
    return tuple(f for f in FORMATS if f in reader.formats or f == "json")


def _build(config: Config, options: BuildOptions, whole: Corpus,
           readers: Sequence[Reader | None], timings: Timings, warn: Warn) -> BuildResult:
    briefings, written, archived = [], [], []
    options = replace(options, edition=options.edition or now().date())
    root = archive_root(config, options)
    dates = archive.edition_dates(root)  # once, not per reader (see archive.previous_edition)
    for reader in readers:
        made = make_edition(config, whole, reader, options, timings=timings)
        with timings.stage("texts"):
            briefing = made.with_texts(options.out or config.out)
        articles = made.digests()
        with timings.stage("compare"):
            briefing = compare_with_previous(briefing, root, articles, warn, dates)
        formats = edition_formats(reader, options.formats)
        rendered = render_formats(briefing, config, with_json(formats), timings)
        files = {FILENAMES[f]: data for f, data in rendered.items()}
        target = out_dir(config, options, reader)
        with timings.stage("write"):
            written += write_atomically(target, {FILENAMES[f]: rendered[f] for f in formats})
        with timings.stage("archive"):
            archived.append(archive.archive_edition(root, briefing, files, articles))
        dates = archive.with_date(dates, briefing.edition)
        briefings.append(briefing)
    with timings.stage("archive"):
        archive_indexes(config, root, readers=[r.id for r in readers if r is not None],
                        dates=dates)
    return BuildResult(tuple(briefings), tuple(written), timings, tuple(archived))


def resolve_readers(config: Config, reader_id: str | None,
                    all_readers: bool) -> list[Reader | None]:
    """The editions a build makes: the main one, one reader's, or every reader's."""
    if all_readers:
        if not config.readers:
            raise ConfigError(f"{config.path}: no readers are configured (readers: is empty)")
        return list(config.readers)
    if reader_id is None:
        return [None]
    return [config.reader(reader_id)]
