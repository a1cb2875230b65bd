"""``briefing explain THEME``: every candidate for a theme, ranked, with what became of it.

It is how a user tunes a theme: the score and the terms that made it, and for each passage left
out the reason (below the minimum score, an excluded phrase, shown under another theme, the same
fact as a passage already shown, the section full).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .choose import select
from .corpus import display_path
from .config import Config
from .pipeline import dated_events, find_quotes, rank, read_corpus, select_since, theme_queries
from .readers import edition_window


@dataclass(frozen=True)
class ExplainRow:
    """One candidate passage for the theme and its fate."""

    rank: int
    score: float
    status: str
    terms: tuple[str, ...]
    path: str
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, object]:
        return {"rank": self.rank, "score": self.score, "status": self.status,
                "terms": list(self.terms), "path": self.path, "start": self.start,
                "end": self.end, "text": self.text}

    def as_line(self) -> str:
        snippet = " ".join(self.text.split())
        snippet = snippet if len(snippet) <= 90 else snippet[:89] + "…"
        return (f"{self.rank:>3}. {self.score:6.2f}  {self.status}\n"
                f"     terms: {', '.join(self.terms) or '-'}\n"
                f"     {self.path}:{self.start}-{self.end}  {snippet}")


def explain_theme(config: Config, theme_id: str, *, corpus: tuple[Path, ...] | None = None,
                  since: dt.date | None = None, undated: bool | None = None,
                  warn: Callable[[str], None] = lambda _: None) -> list[ExplainRow]:
    """Rank the corpus for every theme (themes compete for passages) and report on one."""
    config.theme(theme_id)  # an unknown id is the command line's error, said before any work
    whole = read_corpus(config, corpus, warn=warn)
    try:
        docs, _ = select_since(whole, edition_window(config, None, dt.date.today(), since=since,
                                                     undated=undated))
        queries = [q for _, q in theme_queries(config, None)]
        ranked = rank(docs, queries)
        ids = {c.match.article_id for cs in ranked.values() for c in cs}
        quotes = find_quotes(docs, ids)
        events = dated_events(docs, ids)
        articles, segmented = docs.for_assembly(ids)
    finally:
        whole.close()
    by_id = {a.id: a for a in articles if a.id in ids}
    # the same steps as assembly, so the reasons given are the ones that decided
    sel = select(queries, ranked, quotes, by_id, segmented, events)
    lede = sel.ledes.get(theme_id)

    paths = {aid: display_path(a.path) for aid, a in by_id.items()}
    texts = {aid: a.text for aid, a in by_id.items()}
    rows = []
    for i, c in enumerate(sel.ranked[theme_id], 1):
        m = c.match
        decision = sel.decisions.get((m.theme, m.article_id, m.start, m.end))
        if c.reason is not None or decision is None:
            status = f"left out: {c.reason or 'not reached'}"
        elif not decision.shown:
            status = f"left out: {decision.why}"
        elif lede is not None and lede[0] == m.article_id and m.start <= lede[1] < m.end:
            status = decision.why + " (its sentence opens the section)"
        else:
            status = decision.why
        rows.append(ExplainRow(i, m.score, status, m.terms, paths[m.article_id], m.start, m.end,
                               texts[m.article_id][m.start:m.end]))
    return rows
