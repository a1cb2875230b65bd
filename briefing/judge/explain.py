"""``briefing explain THEME``: the candidates for a theme, ranked, with what became of each.

It is how a user tunes a theme: the score and the terms that made it, and for each passage left
out the reason (below the minimum score, an excluded phrase, failing ``require``, shown under
another theme, the same fact as a passage already shown, the section full). The edition is made
by the same function as ``build``'s (``pipeline.make_edition``), so what explain calls shown is
what the edition shows; the candidates listed are those the edition considered (each theme's
shortlist: ``ranking.shortlist``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from briefing.config.model import Config
from briefing.pipeline import BuildOptions, EditionBuild, make_edition, read_corpus
from briefing.read.corpus import display_path


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
                  edition: dt.date | None = None,
                  warn: Callable[[str], None] = lambda _: None) -> list[ExplainRow]:
    """Build the main edition as ``build`` would (themes compete for passages) and report on
    one theme: its shortlisted candidates, ranked, each with what the edition did with it."""
    config.theme(theme_id)  # an unknown id is the command line's error, said before any work
    whole = read_corpus(config, corpus, warn=warn)
    try:
        made = make_edition(config, whole, None, BuildOptions(corpus=corpus, since=since,
                                                              undated=undated, edition=edition))
    finally:
        whole.close()
    return explained(made, theme_id)


def explained(made: EditionBuild, theme_id: str) -> list[ExplainRow]:
    """What ``made`` decided for each candidate of ``theme_id``, in rank order: the reasons
    given are the ones that decided."""
    sel = made.selection
    lede = sel.ledes.get(theme_id)
    paths = {aid: display_path(a.path) for aid, a in made.articles.items()}
    rows = []
    for i, c in enumerate(sel.ranked.get(theme_id, []), 1):
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
                               made.articles[m.article_id].text[m.start:m.end]))
    return rows
