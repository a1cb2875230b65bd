"""``briefing quotes``: every quotation found in some articles, with its speaker.

Works with or without a config: the articles are read and segmented exactly as a build reads
them (page furniture removed), then each article's quotations are extracted in source order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from briefing.annotate.quotes import article_quotes
from briefing.models import Article, Quote
from briefing.read.corpus import display_path, load_corpus
from briefing.read.segment import segment


def find_all_quotes(paths: Sequence[Path], manifest: Mapping[Path, object] | None = None,
                    warn: Callable[[str], None] = lambda _: None) -> list[tuple[Article, Quote]]:
    """Every quotation of every article under ``paths``, articles in path order, quotes in
    source order."""
    out: list[tuple[Article, Quote]] = []
    for article in load_corpus(list(paths), manifest or {}, warn):
        out += [(article, q) for q in article_quotes(article, segment(article))]
    return out


def quote_record(article: Article, q: Quote, text_path: str | None = None) -> dict[str, object]:
    """The contract's JSON object for one quotation (``medium`` added where known;
    ``text_path`` for an article that is not plain text: the reading text its offsets index)."""
    record: dict[str, object] = {
        "path": display_path(article.path), "start": q.start, "end": q.end,
        "text": article.text[q.start:q.end], "speaker": q.speaker,
    }
    if text_path is not None:
        record["text_path"] = text_path
    if q.speaker_mention is not None:
        record["speaker_mention"] = {"start": q.speaker_mention.start, "end": q.speaker_mention.end}
    record.update(cue=q.cue, kind=q.kind, confidence=round(q.confidence, 2))
    if article.encoding.lower() not in ("utf-8", "utf8"):
        record["encoding"] = article.encoding
    if q.medium:
        record["medium"] = q.medium
    return record


def quotes_json(found: Sequence[tuple[Article, Quote]], texts: Path = Path("out/texts")) -> str:
    """``briefing quotes --format json``: a JSON array in source order. The reading texts of
    web pages, emails and PDFs quoted are written to ``texts`` first
    (``briefing.publish.texts``), so both checkers can check every record."""
    from briefing.publish.output import write_atomically
    from briefing.publish.texts import text_name
    from briefing.read.formats import kind_of

    paths: dict[str, str] = {}
    missing: dict[str, bytes] = {}
    for a, _ in found:
        if kind_of(a.path) and a.id not in paths:
            name = text_name(a.text)
            paths[a.id] = display_path(texts / name)
            if not (texts / name).is_file():
                missing[name] = a.text.encode("utf-8")
    if missing:
        write_atomically(texts, missing)
    return json.dumps([quote_record(a, q, paths.get(a.id)) for a, q in found],
                      ensure_ascii=False, indent=2) + "\n"


def quotes_table(found: Sequence[tuple[Article, Quote]], width: int | None = None) -> str:
    """``briefing quotes --format table``: one row per quotation, for reading."""
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, expand=False)
    for name in ("where", "speaker", "cue", "kind", "quotation"):
        table.add_column(name, overflow="fold")
    for a, q in found:
        text = " ".join(a.text[q.start:q.end].split())
        text = text if len(text) <= 160 else text[:159] + "…"
        table.add_row(f"{display_path(a.path)}:{q.start}", q.speaker or "(unattributed)",
                      q.cue or "", q.kind, f"“{text}”")
    console = Console(width=width or 160, record=True, force_terminal=False, color_system=None)
    with console.capture() as capture:
        console.print(table)
    return capture.get()
