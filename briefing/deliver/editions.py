"""The reader editions of a send, built from one reading of the corpus.

    corpus (read once) -> pipeline.make_edition per theme selection and window (shared)
        -> per reader: compare with that reader's previous edition -> render -> write
           out/readers/<id>/ -> archive -> :class:`message.Edition`

Readers who share a theme selection and a window share one ranked Briefing; only its
``reader`` and what is new for that reader differ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from briefing.config.model import Config, Reader
from briefing.deliver.message import Edition
from briefing.errors import ArchiveError
from briefing.models import Briefing
from briefing.pipeline import (
    FILENAMES,
    BuildOptions,
    archive_indexes,
    archive_root,
    compare_with_previous,
    edition_formats,
    make_edition,
    now,
    out_dir,
    read_corpus,
    render_formats,
    window_of,
    with_json,
    workspace_templates,
)
from briefing.publish.archive import archive_edition, edition_dates, with_date
from briefing.publish.output import write_atomically
from briefing.store.ledger import Ledger

__all__ = ["EditionMaker"]


class EditionMaker:
    """Builds reader editions from one reading of the corpus. Readers who share a theme
    selection and a window share one ranked Briefing (only its ``reader`` and what is new for
    that reader differ), which is what makes a thousand editions cheap; each is still compared
    with that reader's previous edition, rendered, written and archived for its reader.

    Every distinct edition the run's readers need is built when the maker is made, and the
    corpus closed then: the store is free from there on (for another ``briefing send`` on the
    same store, or a build) while the messages go out."""

    def __init__(self, config: Config, options: BuildOptions, readers: Sequence[Reader], *,
                 ledger: Ledger | None, warn: Callable[[str], None],
                 wait: float | None = None) -> None:
        from briefing.publish import render

        self.config, self.warn = config, warn
        self.options = replace(options, edition=options.edition or now().date())
        self.env = render.template_env(workspace_templates(config), lang=config.language)
        self.archive_root = archive_root(config, options)
        self.archived: list[str] = []
        # The archive's dates, listed once for the run (out/editions/ holds a folder per reader
        # beside them: listing it per reader made a send quadratic in its readers). A send
        # adds only its own edition's date, which the first archived edition creates.
        self._dates = edition_dates(self.archive_root)
        self._keys: dict[str, tuple[object, ...]] = {}  # each reader's selection and window
        # one edition per selection and window: its Briefing (reading texts written) and the
        # digests of the articles inside its window
        self._shared: dict[tuple[object, ...], tuple[Briefing, list[str]]] = {}
        self._texts: dict[tuple[object, ...], bytes] = {}
        corpus = read_corpus(config, options.corpus, warn=warn, wait=wait)
        try:
            for reader in readers:
                key = (reader.themes, window_of(config, reader, self.options, ledger=ledger))
                self._keys[reader.id] = key
                if key not in self._shared:
                    made = make_edition(config, corpus, reader, self.options, ledger=ledger)
                    self._shared[key] = (made.with_texts(self.options.out or config.out),
                                         made.digests())
        finally:
            corpus.close()  # releases the store

    def make(self, reader: Reader) -> Edition:
        """Render and write ``reader``'s edition (one of those the maker was made for) into
        ``out/readers/<id>/``, and archive it."""
        from briefing.publish import render

        key = self._keys[reader.id]
        shared, articles = self._shared[key]
        briefing = compare_with_previous(replace(shared, reader=reader.id), self.archive_root,
                                         articles, self.warn, self._dates)
        # The text edition does not name its reader, so readers who share a selection and
        # what is new to them share it too (textwrap makes it the dearest part to render).
        marks = (key, briefing.previous,
                 tuple(i.new for s in briefing.sections for i in s.items))
        text = self._texts.get(marks)
        if text is None:
            text = self._texts[marks] = render.render_text(briefing).encode()
        formats = ("email", "txt", *(f for f in with_json(edition_formats(reader, None))
                                     if f not in ("email", "txt")))
        files = render_formats(briefing, self.config, formats, env=self.env,
                               given={"txt": text}, pdf_attached="pdf" in formats)
        folder = out_dir(self.config, self.options, reader)
        named = {FILENAMES[f]: data for f, data in files.items()}
        # Atomic, but not flushed to disk one by one (three flushes a reader, most of a
        # send's time on a busy disk): out/readers/<id>/ is the working copy a send makes
        # again; what must survive a power cut is the message, the ledger row and the archived
        # edition, which archive_edition flushes.
        write_atomically(folder, named, derived=tuple(named))
        try:
            archive_edition(self.archive_root, briefing, named, articles)
            self._dates = with_date(self._dates, briefing.edition)
            archive_indexes(self.config, self.archive_root, readers=[reader.id], main=False,
                            env=self.env, dates=self._dates)
            self.archived.append(reader.id)
        except ArchiveError as exc:  # the message still goes: the archive is not the delivery
            self.warn(str(exc))
        return Edition(reader, briefing, files["email"].decode(), files["txt"].decode(),
                       files.get("pdf"), folder)

    def finish(self) -> None:
        """Rewrite the archive's own index and feed once, after the editions of a run."""
        if self.archived:
            try:
                archive_indexes(self.config, self.archive_root, main=True, env=self.env,
                                dates=self._dates)
            except ArchiveError as exc:
                self.warn(str(exc))
