"""What the edition shows (choose.py) -> the Briefing: every block cited, labelled and given an
id, sources numbered in reading order, every article read accounted for.

Each passage is printed once. The essentials come first; a section shows where its points went
(``in_summary``) instead of printing them again. Voices is an index of who said what: a quotation
shown elsewhere is an entry pointing to it (``see``), and only those shown nowhere else are
printed in full (a short one inside the sentence that holds it). A timeline event shows a short
clause around its date and points to the block that shows its sentence, when one does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from briefing.annotate.roles import role_span
from briefing.annotate.timeline import Event, article_events, find_dates
from briefing.annotate.timeline import select as select_events
from briefing.judge.choose import Selection, select
from briefing.judge.editorial import (
    SHORT_QUOTE_WORDS,
    Cut,
    attribution,
    clause_around,
    points_back,
    standalone,
    words,
)
from briefing.judge.textnorm import roots
from briefing.judge.themes import Candidate, ThemeQuery
from briefing.models import (
    Article,
    Briefing,
    Cited,
    Item,
    NotCited,
    Quote,
    Section,
    Segmented,
    Source,
    TimelineEvent,
    Voice,
    corpus_sha256,
)
from briefing.read.corpus import display_path

EMPTY_NOTE = "Nothing in these articles matches this theme."
MAX_VOICES = 12
MAX_QUOTES_PER_VOICE = 3
MAX_TIMELINE = 12

Printed = list[tuple[str, int, int, str]]  # (article id, start, end, block id) in reading order


def corpus_digest(articles: Sequence[Article]) -> str:
    """The contract's ``corpus.sha256`` of the articles considered (see models.corpus_sha256)."""
    return corpus_sha256((a.id, a.sha256) for a in articles)


@dataclass(frozen=True, slots=True)
class ThemeInfo:
    """What the assembler needs to know of a theme besides its query."""

    id: str
    title: str
    description: str


class _Numbering:
    """Assigns S1, S2, ... to articles in the order they are first cited, and cites spans."""

    def __init__(self, articles: Mapping[str, Article], cwd: Path | None,
                 latest: Mapping[str, str] | None = None,
                 opinion: frozenset[str] = frozenset()) -> None:
        self.articles = articles
        self.ids: dict[str, str] = {}
        self.cwd = cwd
        self.latest = latest or {}  # an article's latest dated event (for undated ones)
        self.opinion = opinion  # articles that say they are their author's view
        self._paths: dict[str, str] = {}

    def path(self, a: Article) -> str:
        """The article's path as shown (resolved once per article: an edition cites some a
        dozen times)."""
        shown = self._paths.get(a.id)
        if shown is None:
            shown = self._paths[a.id] = display_path(a.path, self.cwd)
        return shown

    def cite(self, article_id: str, start: int, end: int, *, id: str | None = None,
             edges: tuple[bool, bool] = (False, False)) -> Cited:
        sid = self.ids.setdefault(article_id, f"S{len(self.ids) + 1}")
        a = self.articles[article_id]
        text = a.text[start:end]
        return Cited(text, sid, self.path(a), start, end, id,
                     attribution(a.meta, self.latest.get(article_id), article_id in self.opinion),
                     *edges)

    def sources(self, segmented: Mapping[str, Segmented]) -> tuple[Source, ...]:
        out = []
        for article_id, sid in self.ids.items():
            a = self.articles[article_id]
            m = a.meta
            opening = None if m.title else _opening(a, segmented[article_id])
            out.append(Source(sid, int(sid[1:]), self.path(a), m.title, m.outlet, m.byline,
                              m.published, m.inferred, m.url, a.encoding, opening=opening,
                              sha256=a.sha256,
                              latest=None if m.published else self.latest.get(article_id),
                              opinion=article_id in self.opinion))
        return tuple(out)


OPENING_WORDS = 10  # the first words an untitled source is listed by


def _opening(article: Article, seg: Segmented) -> str | None:
    """The first words of an untitled article's first body paragraph, cut at a word."""
    first = next(iter(seg.body), None)
    if first is None:
        return None
    text = " ".join(article.text[first.start:first.end].split())
    cut = text.split(" ")
    return text if len(cut) <= OPENING_WORDS else " ".join(cut[:OPENING_WORDS]).rstrip(",;:") + "…"


def _shown_in(printed: Printed, article_id: str, start: int, end: int) -> str | None:
    """The id of the first printed block overlapping the span, if any."""
    return next((i for a, s, e, i in printed if a == article_id and s < end and start < e), None)


def voices(quotes: Mapping[str, Sequence[Quote]], numbering: _Numbering, printed: Printed,
           segmented: Mapping[str, Segmented]) -> tuple[Voice, ...]:
    """Who said what in the cited articles, the most quoted first (ties: first quoted first), at
    most MAX_VOICES speakers and MAX_QUOTES_PER_VOICE quotations printed each. A quotation a
    block already shows is an entry pointing to it (every one, so the index is complete); one
    shown nowhere is printed, trimmed to stand alone, and a short or partial one ("blockbuster.",
    "forming a really inclusive government ...") as the sentence that holds it; what cannot
    stand alone is left out."""
    groups: dict[str, list[Item]] = {}
    voiced: list[tuple[str, int, int]] = []
    for article_id in list(numbering.ids):
        article = numbering.articles[article_id]
        seg = segmented[article_id]
        for q in quotes.get(article_id, ()):
            if q.speaker is None:
                continue
            shown = _shown_in(printed, article_id, q.start, q.end)
            if shown is None and any(a == article_id and s < q.end and q.start < e
                                     for a, s, e in voiced):
                continue  # inside a quotation Voices already prints
            entry = _voice_entry(q, shown, article, seg, numbering, printed)
            if entry is not None and entry.see is None and any(
                    a == article_id and s < entry.end and entry.start < e for a, s, e in voiced):
                continue  # its sentence overlaps a quotation Voices already prints
            if entry is not None:
                groups.setdefault(q.speaker, []).append(entry)
                if entry.see is None:
                    voiced.append((article_id, entry.start, entry.end))
    ranked = sorted(groups.items(), key=lambda kv: -len(kv[1]))  # stable: first quoted first
    out = []
    for n, (name, items) in enumerate(ranked[:MAX_VOICES], 1):
        printed_here = [i for i in items if i.see is None][:MAX_QUOTES_PER_VOICE]
        kept = [i for i in items if i.see is not None or i in printed_here]
        out.append(Voice(name, tuple(
            item if item.see else _with_id(item, f"v{n}-{k}") for k, item in enumerate(kept, 1)),
            role=_role(name, kept, numbering)))
    for voice in out:  # what Voices prints is printed: a later part points to it
        for item in voice.quotes:
            if item.see is None:
                printed.append((_article_of(numbering, item), item.start, item.end, item.id or ""))
    return tuple(out)


def _role(name: str, quoted: Sequence[Item], numbering: _Numbering) -> Cited | None:
    """Who ``name`` is, cited: the role beside the name in an article that quotes them (a
    report before an opinion piece, then in the order they are quoted), else in another cited
    article."""
    first = list(dict.fromkeys(_article_of(numbering, i) for i in quoted))
    order = sorted(dict.fromkeys([*first, *numbering.ids]),
                   key=lambda a: (a not in first, a in numbering.opinion))  # stable
    for article_id in order:
        span = role_span(numbering.articles[article_id].text, name)
        if span is not None:
            return replace(numbering.cite(article_id, *span), id=None)
    return None


def _article_of(numbering: _Numbering, item: Item | Cited) -> str:
    return next(a for a, s in numbering.ids.items() if s == item.source)


def _with_id(item: Item, id: str) -> Item:
    return replace(item, id=id)


def _voice_entry(q: Quote, shown: str | None, article: Article, seg: Segmented,
                 numbering: _Numbering, printed: Printed) -> Item | None:
    text = article.text
    if shown is not None:
        c = numbering.cite(article.id, q.start, q.end)
        return Item("quote", c.text, c.source, c.path, q.start, q.end, 0.0, (), speaker=q.speaker,
                    cue=q.cue, attribution=c.attribution, see=shown)
    sentences = [(x.start, x.end) for p in seg.paragraphs if p.start < q.end and q.start < p.end
                 for x in p.sentences]
    if q.kind == "partial" or words(text, q.start, q.end) < SHORT_QUOTE_WORDS:
        # a phrase inside the reporter's sentence says nothing without it: shown in it
        holder = next(((s, e) for s, e in sentences if s <= q.start and q.end <= e), None)
        if holder is None or _shown_in(printed, article.id, *holder):
            return None
        para = [(x.start, x.end) for p in seg.paragraphs if p.start <= holder[0] < p.end
                for x in p.sentences]
        cut = standalone(text, holder[0], holder[1], para)
        if cut is None or cut.start > q.start:
            return None
        c = numbering.cite(article.id, cut.start, cut.end, edges=(cut.cut_before, cut.cut_after))
        return Item("passage", c.text, c.source, c.path, c.start, c.end, 0.0, (),
                    speaker=q.speaker, cue=q.cue, attribution=c.attribution,
                    cut_before=c.cut_before)
    cut = standalone(text, q.start, q.end, sentences, quote=True)
    if cut is None:
        return None
    c = numbering.cite(article.id, cut.start, cut.end)
    return Item("quote", c.text, c.source, c.path, c.start, c.end, 0.0, (), speaker=q.speaker,
                cue=q.cue, attribution=c.attribution, cut_before=cut.cut_before)


def timeline(numbering: _Numbering, events: Mapping[str, Sequence[Event]], printed: Printed,
             vocabulary: frozenset[str]) -> tuple[TimelineEvent, ...]:
    """Dated events in the cited articles (see timeline.py), at most MAX_TIMELINE, in date
    order. Only sentences on the edition's themes (one of their terms' roots in ``vocabulary``)
    and able to stand alone are events. Each shows a short clause around its date
    (editorial.clause_around), or points to the block that prints its sentence when one does.
    A sentence a block only cites as also reported is shown: the block's own words may not
    hold the date ("in 2003" against "on February 14, 2003")."""
    clauses: dict[Event, tuple[Cut, str | None]] = {}
    for article_id in list(numbering.ids):
        text = numbering.articles[article_id].text
        for ev in events.get(article_id, ()):
            if not vocabulary & set(roots(text[ev.start:ev.end])):
                continue  # a date in an aside about something else
            at = ev.start + ev.lead
            mention = next((d for d in find_dates(text, ev.start, ev.end, None) if d.start == at),
                           None)
            see = _shown_in(printed, ev.article_id, ev.start, ev.end)
            cut = clause_around(text, ev.start, ev.end, at, mention.end if mention else at + 1)
            if not points_back(text, cut.start):  # "The next visit took place in May 2019"
                clauses[ev] = (cut, see)
    shown = {(a, s, e) for a, s, e, _ in printed}
    out = []
    for n, ev in enumerate(select_events(list(clauses), MAX_TIMELINE, shown), 1):
        cut, see = clauses[ev]
        c = numbering.cite(ev.article_id, cut.start, cut.end, id=f"t{n}",
                           edges=(cut.cut_before, cut.cut_after))
        out.append(TimelineEvent(ev.date, ev.precision, c.text, c.source, c.path, c.start, c.end,
                                 c.id, c.attribution, c.cut_before, c.cut_after, see))
    return tuple(out)


def not_cited(sel: Selection, articles: Mapping[str, Article], numbering: _Numbering,
              cwd: Path | None) -> tuple[NotCited, ...]:
    """The articles with candidates that the edition cites nothing from, in path order, each
    with its best candidate's fate (by score relative to its theme's best)."""
    best: dict[str, float] = {}
    for theme, cs in sel.ranked.items():
        best[theme] = max((c.match.score for c in cs), default=0.0) or 1.0
    fates: dict[str, tuple[float, str]] = {}
    for theme, cs in sel.ranked.items():
        for c in cs:
            m = c.match
            if m.article_id in numbering.ids:
                continue
            decision = sel.decisions.get((m.theme, m.article_id, m.start, m.end))
            why = c.reason or (decision.why if decision else "not reached")
            rel = m.score / best[theme]
            if m.article_id not in fates or rel > fates[m.article_id][0]:
                fates[m.article_id] = (rel, f"its best passage for {theme}: {why}")
    out = [NotCited(display_path(articles[a].path, cwd), articles[a].meta.title, why)
           for a, (_, why) in fates.items()]
    return tuple(sorted(out, key=lambda n: n.path))


@dataclass(frozen=True)
class Masthead:
    """What an edition says about itself: the header of its record."""

    title: str
    edition: str  # 'YYYY-MM-DD'
    generated_at: str
    reader: str | None
    version: str
    config_sha256: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Material:
    """What an edition is assembled from: each theme's ranked candidates (``queries`` and
    ``themes`` in the edition's order), the articles they come from with their segmentation,
    quotations and dated sentences (``events``: computed here for articles it lacks), and
    ``corpus_info`` (article count, corpus digest) describing the whole corpus considered when
    ``articles`` holds only those a candidate comes from (else computed from ``articles``)."""

    themes: Sequence[ThemeInfo]
    queries: Sequence[ThemeQuery]
    ranked: Mapping[str, list[Candidate]]
    articles: Sequence[Article]
    segmented: Mapping[str, Segmented]
    quotes: Mapping[str, Sequence[Quote]] = field(default_factory=dict)
    events: Mapping[str, Sequence[Event]] | None = None
    corpus_info: tuple[int, str] | None = None


@dataclass(frozen=True)
class Assembled:
    """The Briefing, and the selection it was made from (every candidate's fate)."""

    briefing: Briefing
    selection: Selection


def assemble(masthead: Masthead, material: Material, *, cwd: Path | None = None) -> Assembled:
    """Build the Briefing from each theme's ranked candidates and the articles' quotations.

    Sources are numbered in reading order: The essentials, then the sections (lede, items, other
    reports), the voices, the timeline.
    """
    queries, themes, segmented = material.queries, material.themes, material.segmented
    articles, quotes = material.articles, material.quotes
    by_id = {a.id: a for a in articles}
    known = material.events or {}
    dated = {a: list(known[a]) if a in known else article_events(by_id[a], segmented[a])
             for a in by_id}
    sel = select(queries, material.ranked, quotes, by_id, segmented, dated)
    latest = {a: max(e.date for e in evs) for a, evs in dated.items() if evs}
    opinion = frozenset(a for a, seg in segmented.items()
                        if any(p.furniture == "disclaimer" for p in seg.paragraphs))
    numbering = _Numbering(by_id, cwd, latest, opinion)
    printed: Printed = []
    summary = []
    for n, p in enumerate(sel.points, 1):
        point = numbering.cite(p.article_id, p.start, p.end, id=f"e{n}",
                               edges=(p.cut_before, p.cut_after))
        also = tuple(numbering.cite(x.article_id, x.start, x.end)
                     for x in sel.point_also.get(n - 1, ()))
        summary.append(replace(point, also=also) if also else point)
        printed.append((p.article_id, p.start, p.end, f"e{n}"))
    sections = []
    for info, q in zip(themes, queries):
        lede = None
        if q.id in sel.ledes:
            aid, s, e = sel.ledes[q.id]
            lede = numbering.cite(aid, s, e, id=f"{q.id}-lede",
                                  edges=sel.edges.get((aid, s, e), (False, False)))
            printed.append((aid, s, e, lede.id or ""))
        items: list[Item] = []
        for c in sel.chosen[q.id]:
            m = c.match
            if m is None:  # the whole passage became the lede
                continue
            item_id = f"{q.id}-{len(items) + 1}"
            cited = numbering.cite(m.article_id, m.start, m.end, edges=c.edges)
            also = tuple(numbering.cite(x.article_id, x.start, x.end) for x in c.also)
            printed.append((m.article_id, m.start, m.end, item_id))
            kind, speaker, cue = ("quote", c.quote.speaker, c.quote.cue) if c.quote else \
                ("passage", None, None)
            items.append(Item(kind, cited.text, cited.source, cited.path, m.start, m.end,
                              m.score, m.terms, speaker=speaker, cue=cue, also=also, id=item_id,
                              attribution=cited.attribution, cut_before=c.edges[0],
                              cut_after=c.edges[1]))
        points = tuple(f"e{n}" for n, p in enumerate(sel.points, 1) if p.theme == q.id)
        empty = lede is None and not items and not points
        sections.append(Section(info.id, info.title, info.description, lede, tuple(items),
                                EMPTY_NOTE if empty else None, points))
    spoken = voices(quotes, numbering, printed, segmented)
    vocabulary = frozenset(r for q in queries for t in q.terms for r in t.roots)
    dated_parts = timeline(numbering, dated, printed, vocabulary)
    count, digest = material.corpus_info or (len(articles), corpus_digest(articles))
    sources = numbering.sources(segmented)
    left = not_cited(sel, by_id, numbering, cwd)
    dates = sorted(s.published for s in sources if s.published)
    coverage = {"articles": count, "cited": len(sources), "not_cited": len(left),
                "without_candidates": max(0, count - len(by_id)),
                "first": dates[0] if dates else None, "last": dates[-1] if dates else None,
                "undated": sum(1 for s in sources if not s.published)}
    briefing = Briefing(
        title=masthead.title, edition=masthead.edition, generated_at=masthead.generated_at,
        reader=masthead.reader, generator={"name": "briefing", "version": masthead.version},
        config_sha256=masthead.config_sha256, corpus={"articles": count, "sha256": digest},
        sources=sources, summary=tuple(summary), sections=tuple(sections),
        timeline=dated_parts, notes=masthead.notes, voices=spoken, not_cited=left,
        coverage=coverage,
    )
    return Assembled(briefing, sel)
