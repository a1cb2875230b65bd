"""build_briefing(): the one place where the order of the stages is visible.

    config -> corpus (scan, ingest new files into the store) -> themes (rank on the index)
        -> quotes -> assemble -> reading texts (of web pages, emails, PDFs: out/texts/)
        -> compare (with the previous archived edition) -> render
        -> write -> archive (the edition, then the archive's index and feeds)

Stages never call each other; this module calls them in order and times each one, so the
benchmark can report where a build spends its time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any

from . import __version__, archive
from .assemble import ThemeInfo, assemble
from .assemble import dated_events as assemble_events
from .config import Config, Reader, ThemeConfig
from .errors import ConfigError, InputError
from .ingest import Corpus, read_corpus, select_since
from .store import code_hash
from .texts import with_reading_texts
from .models import Briefing, Quote, Span
from .listing import Listing
from .output import FILENAMES, FORMATS, write_atomically
from .quotes import CODE_MODULES as QUOTE_CODE, article_quotes
from .timeline import Event
from .themes import Candidate, ThemeQuery, Unit, compile_theme, rank_theme, score_units, units_of


Warn = Callable[[str], None]
SHORTLIST_MIN = 50
SHORTLIST_PER_ITEM = 20
DELTA_FILES = 2000  # files an evidence delta covers at most (or a twentieth) before a rewrite

__all__ = ["BuildOptions", "BuildResult", "Corpus", "Timings", "build", "build_briefing",
           "rank", "ranked_shortlist", "read_corpus", "render_formats", "select_since", "theme_queries"]


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
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


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


def rank(corpus: Corpus, queries: Sequence[ThemeQuery]) -> dict[str, list[Candidate]]:
    """Every theme's scored candidates, best first.

    With a store, each theme asks the passage index for the passages where its terms occur and
    only those are scored (the corpus's passage count and length come from the store): the cost
    grows with the matching passages, not with themes times corpus. Without one (a corpus built
    in memory), every passage is tokenised once and shared between the themes. Both give the
    same candidates and scores.
    """
    if corpus.store is None:
        docs = corpus.docs()
        units = {a.id: units_of(a, s) for a, s in docs}
        return {q.id: rank_theme(q, docs, units) for q in queries}
    keys = corpus.keys()
    ids = {r.key: r.id for r in corpus.refs}
    n = sum(r.units for r in corpus.refs)
    tokens = sum(r.tokens for r in corpus.refs)
    out = {}
    for q in queries:
        rows = corpus.store.candidates(q, keys)
        units = [Unit(ids[r.file], r.paragraph, r.start, r.end, r.sentence, r.roots, r.words,
                      hits=r.hits) for r in rows]
        out[q.id] = score_units(q, units, n, tokens)
    return out


def shortlist(ranked: Mapping[str, list[Candidate]],
              queries: Sequence[ThemeQuery]) -> dict[str, list[Candidate]]:
    """Each theme's candidates cut to the best ``SHORTLIST_MIN + SHORTLIST_PER_ITEM * max_items``
    eligible ones (and as many of those left out): assembly reads the text of every candidate it
    is given, and on a large corpus a common word has tens of thousands. An item beyond the cut
    would be shown only if that many better ones were all duplicates or clashes."""
    out = {}
    for q in queries:
        limit = SHORTLIST_MIN + SHORTLIST_PER_ITEM * q.max_items
        candidates = ranked.get(q.id, [])
        out[q.id] = ([c for c in candidates if c.reason is None][:limit]
                     + [c for c in candidates if c.reason is not None][:limit])
    return out


def ranked_shortlist(corpus: Corpus, queries: Sequence[ThemeQuery]) -> dict[str, list[Candidate]]:
    """``shortlist(rank(corpus, queries), queries)``, identical, without scoring every candidate
    in Python: with a store, each theme's evidence per passage is kept in it (``ranking``) and
    computed only for the files stored since; every row is scored again with this corpus's
    statistics and only those that can reach the shortlist are built as candidates."""
    refs = corpus.refs
    store = corpus.store
    if store is None or len(set(map(attrgetter("id"), refs))) != len(refs):
        # two files with one id share their runs of sentences in score_units: the plain way
        return shortlist(rank(corpus, queries), queries)
    import numpy as np  # only for builds over a store

    from . import ranking

    # over every ref on every build: C-level maps, not a Python loop
    keys = np.fromiter(map(attrgetter("key"), refs), np.int64, len(refs))
    gens = np.fromiter(map(attrgetter("gen"), refs), np.int64, len(refs))
    order = np.argsort(keys)
    keys, gens = keys[order], gens[order]
    ids = dict(zip(map(attrgetter("key"), refs), map(attrgetter("id"), refs)))
    n = sum(map(attrgetter("units"), refs))
    tokens = sum(map(attrgetter("tokens"), refs))
    generation = store.generation()
    todo_last: frozenset[int] | None = None
    out = {}
    for q in queries:
        # a theme's evidence is a base table and a small delta (the files stored since the
        # base): adding one file writes the delta, not the whole table again
        name = ranking.cache_name(q)
        base, base_ok = _evidence(q, store.cached(name), keys, gens, None)
        delta, delta_ok = _evidence(q, store.cached(name + ":delta"), keys, gens, base_ok)
        todo = frozenset(map(int, keys[~(base_ok | delta_ok)]))
        if todo_last is not None and todo == todo_last:
            todo = todo_last  # the same object: the store keeps its selection
        todo_last = todo
        fresh = ranking.table_of(q, ((r.file, Unit(ids[r.file], r.paragraph, r.start, r.end,
                                                    r.sentence, r.roots, r.words, hits=r.hits))
                                     for r in store.candidates(q, todo)), keys[:0])
        kept = ranking.merged(delta.restricted(keys[delta_ok]), fresh,
                              np.union1d(keys[delta_ok], np.array(sorted(todo), np.int64)))
        table = ranking.merged(base.restricted(keys[base_ok]), kept, keys)
        if len(kept.covered) > max(DELTA_FILES, len(keys) // 20) or not base_ok.any():
            store.put_cached(name, generation, table.to_bytes())
            store.drop_cached(name + ":delta")
        elif todo:
            store.put_cached(name + ":delta", generation, kept.to_bytes())
        limit = SHORTLIST_MIN + SHORTLIST_PER_ITEM * q.max_items
        out[q.id] = ranking.shortlist_of(q, table, ids, n, tokens, limit)
    return out


def _evidence(query: ThemeQuery, cached: tuple[int, bytes] | None, keys: Any, gens: Any,
              taken: Any) -> tuple[Any, Any]:
    """A kept evidence table (empty if none) and which of ``keys`` it is valid for:
    stored at or before its generation, covered by it, and not already ``taken`` by another."""
    import numpy as np

    from . import ranking

    if cached is None:
        return ranking.Table.empty(query), np.zeros(len(keys), bool)
    table = ranking.Table.of_bytes(cached[1])  # the bytes kept (the store checks them)
    if len(table.covered) == len(keys) and np.array_equal(table.covered, keys):
        ok = gens <= cached[0]  # covers exactly this corpus (both sorted): no isin needed
    else:
        ok = (gens <= cached[0]) & np.isin(keys, table.covered)
    return table, ok if taken is None else ok & ~taken


def build_briefing(config: Config, corpus: Corpus, *, reader: Reader | None = None,
                   options: BuildOptions = BuildOptions(), timings: Timings | None = None,
                   notes: Sequence[str] = ()) -> Briefing:
    """Rank the corpus for each theme of the edition and assemble the Briefing."""
    timings = timings or Timings()
    clock = now()
    edition = options.edition or clock.date()
    pairs = theme_queries(config, reader)
    queries = [q for _, q in pairs]
    with timings.stage("rank"):
        ranked = ranked_shortlist(corpus, queries)
    cited = {c.match.article_id for cs in ranked.values() for c in cs}
    with timings.stage("quotes"):
        quotes = find_quotes(corpus, cited)
    with timings.stage("load"):
        articles, segmented = corpus.cited(cited)
        events = dated_events(corpus, cited)
        corpus_info = corpus.digest()
    with timings.stage("assemble"):
        briefing = assemble(
            title=config.title, edition=edition.isoformat(),
            generated_at=clock.isoformat(), reader=reader.id if reader else None,
            version=__version__, config_sha256=config.sha256,
            themes=[ThemeInfo(t.id, t.title, t.description) for t, _ in pairs],
            queries=queries, ranked=ranked, articles=articles,
            segmented=segmented, quotes=quotes, events=events, corpus_info=corpus_info,
            notes=notes,
        )
    with timings.stage("texts"):
        # a web page's, an email's or a PDF's citations index its reading text: written to
        # out/texts/ and named in its source as text_path before any edition names it
        return with_reading_texts(briefing, corpus, options.out or config.out)


def find_quotes(corpus: Corpus, article_ids: set[str]) -> dict[str, list[Quote]]:
    """The quotations of the articles that can contribute to the briefing (those with a
    candidate passage for some theme): only they can supply a quote item or a voice.

    Each article's quotations are kept in the store (annotation ``quotes``, under a version
    naming the quote code), so a warm build reuses them instead of extracting them again.
    """
    refs = [r for r in corpus.refs if r.id in article_ids]
    version = _code_version(*QUOTE_CODE)
    cached = corpus.annotations(refs, "quotes", version)
    out: dict[str, list[Quote]] = {}
    fresh: dict[int, bytes] = {}
    todo = [r for r in refs if r.key not in cached]
    for r in refs:
        if r.key in cached:
            out[r.id] = _quotes_of(cached[r.key])
    for (a, seg), r in zip(corpus.load(todo), todo):
        out[a.id] = article_quotes(a, seg)
        fresh[r.key] = _quotes_json(out[a.id])
    corpus.put_annotations("quotes", version, fresh)
    return out


def dated_events(corpus: Corpus, article_ids: set[str]) -> dict[str, list[Event]]:
    """The dated sentences (``assemble.dated_events``) of the articles that can be cited: what
    the timeline chooses from. Kept in the store per article (annotation ``events``, under a
    version naming the timeline code), so a warm build does not look for dates again."""
    refs = [r for r in corpus.refs if r.id in article_ids]
    version = _code_version("timeline.py", "assemble.py")
    cached = corpus.annotations(refs, "events", version)
    todo = [r for r in refs if r.key not in cached]
    fresh: dict[int, bytes] = {}
    for (a, seg), r in zip(corpus.load(todo), todo):
        fresh[r.key] = json.dumps([[e.start, e.end, e.date, e.precision, e.lead]
                                   for e in assemble_events(a, seg)]).encode()
    corpus.put_annotations("events", version, fresh)
    cached.update(fresh)
    # stored without the id (one file has another id under another corpus root); in corpus
    # order, so of two files with one id the last wins, as with their texts in ``cited``
    return {r.id: [Event(r.id, *e) for e in json.loads(cached[r.key])] for r in refs}


def _code_version(*modules: str) -> str:
    """A short digest of some of the package's source files: the version of a cached result."""
    return code_hash(*modules).hexdigest()[:16]


def _quotes_json(quotes: Sequence[Quote]) -> bytes:
    return json.dumps([[q.start, q.end, q.speaker,
                        None if q.speaker_mention is None else [q.speaker_mention.start,
                                                                q.speaker_mention.end],
                        q.cue, q.kind, q.confidence, q.medium] for q in quotes]).encode()


def _quotes_of(data: bytes) -> list[Quote]:
    out = []
    for start, end, speaker, mention, cue, kind, confidence, medium in json.loads(data):
        out.append(Quote(start, end, speaker, None if mention is None else Span(*mention), cue,
                         kind, confidence, medium))
    return out


def render_formats(briefing: Briefing, config: Config, formats: Sequence[str],
                   timings: Timings | None = None) -> dict[str, bytes]:
    """Render the briefing in each format, in memory (nothing is written until all succeed)."""
    from . import render  # jinja2 and css-inline only when something is rendered

    timings = timings or Timings()
    out: dict[str, bytes] = {}
    env = None
    if {"html", "email", "pdf"} & set(formats):
        with timings.stage("templates"):
            env = render.template_env(workspace_templates(config), lang=config.language)
    for fmt in formats:
        with timings.stage(f"render-{fmt}"):
            if fmt == "json":
                out[fmt] = render.render_json(briefing).encode()
            elif fmt == "txt":
                out[fmt] = render.render_text(briefing).encode()
            elif fmt == "html":
                out[fmt] = render.render_html(briefing, env).encode()
            elif fmt == "email":
                out[fmt] = render.render_email(briefing, env, web_url=config.delivery.web_url).encode()
            elif fmt == "pdf":
                from .pdf import html_to_pdf  # weasyprint is the heaviest import: only for PDFs

                html = render.render_pdf_html(briefing, env)
                out[fmt] = html_to_pdf(html, assets=render.assets_dir(workspace_templates(config)),
                                       page_size=config.page_size, cache=config.store / "pdf")
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
                          warn: Warn = _ignore) -> Briefing:
    """``briefing`` with its items marked new or not against the previous archived edition for
    the same reader, and what is new since (``Briefing.previous``); ``articles``: the sha256
    of each article of the edition's corpus. A previous edition that cannot be read is
    warned about, and nothing is marked new."""
    previous = archive.previous_edition(root, briefing.edition, briefing.reader)
    for message in previous.warnings if previous is not None else ():
        warn(message)
    return archive.compare(briefing, previous, articles)


def with_json(formats: Sequence[str]) -> tuple[str, ...]:
    """``formats`` and the JSON: what an edition is rendered as, since its archive keeps the
    JSON record (what the next edition is compared with) whatever was asked for."""
    return tuple(formats) if "json" in formats else (*formats, "json")


def archive_indexes(config: Config, root: Path, *, readers: Sequence[str] = (),
                    main: bool = True, env: Any = None) -> list[Path]:
    """Rewrite the archive's index page and Atom feed (``main``) and ``readers``' own;
    ``env``: the Jinja2 environment to draw the index with (a new one when None)."""
    from . import render
    from .archive_index import write_indexes

    env = env or render.template_env(workspace_templates(config), lang=config.language)
    return write_indexes(root, title=config.title, web_url=config.delivery.web_url, env=env,
                         readers=readers, main=main, generator=("briefing", __version__))


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
                        progress=options.progress, listing=listing)
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
    from .readers import edition_window

    briefings, written, archived = [], [], []
    edition = options.edition or now().date()
    root = archive_root(config, options)
    for reader in readers:
        window = edition_window(config, reader, edition, since=options.since,
                                undated=options.undated)
        corpus, notes = select_since(whole, window)
        briefing = build_briefing(config, corpus, reader=reader, options=options,
                                  timings=timings, notes=notes)
        articles = [r.sha256 for r in corpus.refs]
        with timings.stage("compare"):
            briefing = compare_with_previous(briefing, root, articles, warn)
        formats = edition_formats(reader, options.formats)
        rendered = render_formats(briefing, config, with_json(formats), timings)
        files = {FILENAMES[f]: data for f, data in rendered.items()}
        target = out_dir(config, options, reader)
        with timings.stage("write"):
            written += write_atomically(target, {FILENAMES[f]: rendered[f] for f in formats})
        with timings.stage("archive"):
            archived.append(archive.archive_edition(root, briefing, files, articles))
        briefings.append(briefing)
    with timings.stage("archive"):
        archive_indexes(config, root, readers=[r.id for r in readers if r is not None])
    return BuildResult(tuple(briefings), tuple(written), timings, tuple(archived))


def resolve_readers(config: Config, reader_id: str | None, all_readers: bool) -> list[Reader | None]:
    """The editions a build makes: the main one, one reader's, or every reader's."""
    if all_readers:
        if not config.readers:
            raise ConfigError(f"{config.path}: no readers are configured (readers: is empty)")
        return list(config.readers)
    if reader_id is None:
        return [None]
    return [config.reader(reader_id)]
