"""The reader editions of a send, built from one reading of the corpus.

    corpus (read once) -> pipeline.make_edition per theme selection and window (shared)
        -> per reader: compare with that reader's previous edition -> render -> write
           out/readers/<id>/ -> archive -> :class:`message.Edition`

Readers who share a theme selection and a window share one ranked Briefing; only its
``reader`` and what is new for that reader differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from briefing.config.model import Config, Reader
from briefing.deliver.message import Edition
from briefing.errors import ArchiveError
from briefing.models import Briefing
from briefing.pipeline import (
    FILENAMES,
    BuildOptions,
    Corpus,
    EditionBuild,
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
from briefing.publish.archive import archive_edition
from briefing.publish.output import write_atomically
from briefing.store.ledger import Ledger

__all__ = ["EditionMaker"]


class EditionMaker:
    """Builds reader editions from one reading of the corpus. Readers who share a theme
    selection and a window share one ranked Briefing (only its ``reader`` and what is new for
    that reader differ), which is what makes a thousand editions cheap; each is still compared
    with that reader's previous edition, rendered, written and archived for its reader."""

    def __init__(self, config: Config, options: BuildOptions, *, ledger: Ledger | None,
                 warn: Callable[[str], None]) -> None:
        from briefing.publish import render

        self.config, self.ledger, self.warn = config, ledger, warn
        self.options = replace(options, edition=options.edition or now().date())
        self.corpus: Corpus = read_corpus(config, options.corpus, warn=warn)
        self.env = render.template_env(workspace_templates(config), lang=config.language)
        self.archive_root = archive_root(config, options)
        self.archived: list[str] = []
        # one edition per theme selection and window, its reading texts written
        self._cache: dict[tuple[object, ...], tuple[EditionBuild, Briefing]] = {}
        self._texts: dict[tuple[object, ...], bytes] = {}

    def make(self, reader: Reader) -> Edition:
        """Build, render and write ``reader``'s edition into ``out/readers/<id>/``."""
        from briefing.publish import render

        key = (reader.themes, window_of(self.config, reader, self.options, ledger=self.ledger))
        if key not in self._cache:
            made = make_edition(self.config, self.corpus, reader, self.options,
                                ledger=self.ledger)
            self._cache[key] = (made, made.with_texts(self.options.out or self.config.out))
        made, shared = self._cache[key]
        articles = made.digests()
        briefing = compare_with_previous(replace(shared, reader=reader.id), self.archive_root,
                                         articles, self.warn)
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
                               given={"txt": text})
        folder = out_dir(self.config, self.options, reader)
        named = {FILENAMES[f]: data for f, data in files.items()}
        write_atomically(folder, named)
        try:
            archive_edition(self.archive_root, briefing, named, articles)
            archive_indexes(self.config, self.archive_root, readers=[reader.id], main=False,
                            env=self.env)
            self.archived.append(reader.id)
        except ArchiveError as exc:  # the message still goes: the archive is not the delivery
            self.warn(str(exc))
        return Edition(reader, briefing, files["email"].decode(), files["txt"].decode(),
                       files.get("pdf"), folder)

    def finish(self) -> None:
        """Rewrite the archive's own index and feed once, after the editions of a run, and
        release the store."""
        try:
            if self.archived:
                try:
                    archive_indexes(self.config, self.archive_root, main=True, env=self.env)
                except ArchiveError as exc:
                    self.warn(str(exc))
        finally:
            self.corpus.close()
