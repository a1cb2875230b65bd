"""Scored candidates -> the Briefing: sections, items chosen and ordered, duplicates merged,
sources numbered in reading order.

Choosing items is one greedy pass over every (theme, candidate) pair, best relative score first
(a candidate's score over its theme's best score), so a passage that fits two themes lands in the
theme it fits better and is shown once. Within a section, a passage that says what a chosen one
already says (its content words mostly contained in the other's, across sources: Feedly's 85%
rule) is not shown again but cited under the chosen one as "also reported by". No article
supplies more than half a section, so one long article cannot crowd out the others.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .models import Article, Briefing, Cited, Item, Match, Section, Segmented, Source
from .textnorm import roots
from .themes import Candidate, ThemeQuery

DUPLICATE_CONTAINMENT = 0.85
EMPTY_NOTE = "Nothing in these articles matches this theme."

# Words too common to say whether two passages report the same thing.
STOPWORDS = frozenset(roots(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours s t said says""",
))


def display_path(path: Path, cwd: Path | None = None) -> str:
    """The contract's ``path``: relative to the working directory when under it, else absolute."""
    cwd = (cwd or Path.cwd()).resolve()
    path = path.resolve()
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def corpus_digest(articles: Sequence[Article]) -> str:
    """A digest of the articles considered: their ids and content hashes, in id order."""
    h = hashlib.sha256()
    for a in sorted(articles, key=lambda a: a.id):
        h.update(f"{a.id}\t{a.sha256}\n".encode())
    return h.hexdigest()


def _content_roots(text: str) -> frozenset[str]:
    return frozenset(r for r in roots(text) if r not in STOPWORDS and not r.isdigit())


def same_fact(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two passages say the same thing: most content words of the shorter one are in the
    longer one."""
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= DUPLICATE_CONTAINMENT


@dataclass(slots=True)
class _Chosen:
    match: Match | None  # None once the whole passage has become the section's lede
    words: frozenset[str]
    also: list[Match]


Decisions = dict[tuple[str, str, int, int], str]


def choose(queries: Sequence[ThemeQuery], ranked: Mapping[str, list[Candidate]],
           articles: Mapping[str, Article],
           decisions: Decisions | None = None) -> dict[str, list[_Chosen]]:
    """Pick each theme's items from its eligible candidates (see the module docstring).

    When ``decisions`` is given it receives, for every eligible candidate keyed by (theme,
    article id, start, end), what became of it: "shown", or why it was left out.
    """
    decide = decisions if decisions is not None else {}
    pairs: list[tuple[float, int, Match]] = []
    for order, q in enumerate(queries):
        eligible = [c.match for c in ranked.get(q.id, []) if c.reason is None]
        if not eligible:
            continue
        best = max(m.score for m in eligible)
        pairs += [(m.score / best, order, m) for m in eligible]
    pairs.sort(key=lambda p: (-p[0], p[1], -p[2].score, p[2].article_id, p[2].start))

    limits = {q.id: q.max_items for q in queries}
    chosen: dict[str, list[_Chosen]] = {q.id: [] for q in queries}
    used: dict[str, list[tuple[int, int, str]]] = {}
    for _, _, m in pairs:
        key = (m.theme, m.article_id, m.start, m.end)
        clash = next((t for s, e, t in used.get(m.article_id, []) if m.start < e and s < m.end),
                     None)
        if clash is not None:
            decide[key] = ("already shown in this section" if clash == m.theme
                           else f"shown under theme {clash!r}, where it fits better")
            continue
        section = chosen[m.theme]
        words = _content_roots(articles[m.article_id].text[m.start:m.end])
        twin = next((c for c in section if same_fact(words, c.words)), None)
        if twin is not None:
            where = f"{twin.match.article_id}@{twin.match.start}"
            if twin.match.article_id != m.article_id:
                twin.also.append(m)
                used.setdefault(m.article_id, []).append((m.start, m.end, m.theme))
                decide[key] = f"same fact as {where}: cited there as 'also reported by'"
            else:
                decide[key] = f"repeats {where} from the same article"
            continue
        if len(section) >= limits[m.theme]:
            decide[key] = f"section full (max_items {limits[m.theme]})"
            continue
        cap = max(1, math.ceil(limits[m.theme] / 2))
        if sum(1 for c in section if c.match.article_id == m.article_id) >= cap:
            decide[key] = f"{cap} items from this article already (source diversity)"
            continue
        section.append(_Chosen(m, words, []))
        used.setdefault(m.article_id, []).append((m.start, m.end, m.theme))
        decide[key] = "shown"
    for items in chosen.values():
        items.sort(key=lambda c: (-c.match.score, c.match.article_id, c.match.start))
    return chosen


class _Numbering:
    """Assigns S1, S2, ... to articles in the order they are first cited."""

    def __init__(self, articles: Mapping[str, Article], cwd: Path | None) -> None:
        self.articles = articles
        self.ids: dict[str, str] = {}
        self.cwd = cwd

    def cite(self, article_id: str, start: int, end: int) -> Cited:
        sid = self.ids.setdefault(article_id, f"S{len(self.ids) + 1}")
        a = self.articles[article_id]
        return Cited(a.text[start:end], sid, display_path(a.path, self.cwd), start, end)

    def sources(self) -> tuple[Source, ...]:
        out = []
        for article_id, sid in self.ids.items():
            a = self.articles[article_id]
            m = a.meta
            out.append(Source(sid, int(sid[1:]), display_path(a.path, self.cwd), m.title,
                              m.outlet, m.byline, m.published, m.inferred, m.url, a.encoding))
        return tuple(out)


def _lede(match: Match, seg: Segmented, query: ThemeQuery, article: Article) -> tuple[int, int]:
    """The sentence of a passage with the most theme evidence: the section's one-line opener."""
    p = seg.paragraphs[match.paragraph]
    sentences = [s for s in p.sentences if s.start >= match.start and s.end <= match.end]
    if not sentences:
        return match.start, match.end
    wanted = {t.roots: t.weight for t in query.terms if t.text in match.terms}

    def weight(span: tuple[int, int]) -> float:
        r = roots(article.text[span[0]:span[1]])
        total = 0.0
        for key, w in wanted.items():
            n = len(key)
            total += w * sum(1 for i in range(len(r) - n + 1) if tuple(r[i:i + n]) == key)
        return total

    best = max(((s.start, s.end) for s in sentences), key=lambda s: (weight(s), -s[0]))
    return best


def _without(match: Match, lede: tuple[int, int], seg: Segmented) -> Match | None:
    """The passage with its lede sentence taken off, so the section never says it twice.

    The lede is the passage's first or last sentence, or the whole passage (then None); a lede
    from the middle of a passage leaves the passage whole, as cutting it would lose context.
    """
    if lede == (match.start, match.end):
        return None
    inside = [s for s in seg.paragraphs[match.paragraph].sentences
              if s.start >= match.start and s.end <= match.end]
    if len(inside) < 2:
        return match
    if lede == (inside[0].start, inside[0].end):
        return dataclasses.replace(match, start=inside[1].start)
    if lede == (inside[-1].start, inside[-1].end):
        return dataclasses.replace(match, end=inside[-2].end)
    return match


@dataclass(frozen=True, slots=True)
class ThemeInfo:
    """What the assembler needs to know of a theme besides its query."""

    id: str
    title: str
    description: str


def assemble(*, title: str, edition: str, generated_at: str, reader: str | None,
             version: str, config_sha256: str, themes: Sequence[ThemeInfo],
             queries: Sequence[ThemeQuery], ranked: Mapping[str, list[Candidate]],
             articles: Sequence[Article], segmented: Mapping[str, Segmented],
             notes: Sequence[str] = (), cwd: Path | None = None) -> Briefing:
    """Build the Briefing from each theme's ranked candidates."""
    by_id = {a.id: a for a in articles}
    chosen = choose(queries, ranked, by_id)
    numbering = _Numbering(by_id, cwd)
    sections = []
    for info, q in zip(themes, queries):
        picks = chosen[q.id]
        lede = None
        items = []
        if picks:
            top = picks[0].match
            s, e = _lede(top, segmented[top.article_id], q, by_id[top.article_id])
            lede = numbering.cite(top.article_id, s, e)
            if not picks[0].also:  # an item citing other reports stays, to carry them
                picks[0].match = _without(top, (s, e), segmented[top.article_id])
        for c in picks:
            m = c.match
            if m is None:  # the whole passage became the lede
                continue
            cited = numbering.cite(m.article_id, m.start, m.end)
            also = tuple(numbering.cite(x.article_id, x.start, x.end) for x in c.also)
            items.append(Item("passage", cited.text, cited.source, cited.path, m.start, m.end,
                              m.score, m.terms, also=also))
        sections.append(Section(info.id, info.title, info.description, lede, tuple(items),
                                EMPTY_NOTE))
    return Briefing(
        title=title, edition=edition, generated_at=generated_at, reader=reader,
        generator={"name": "briefing", "version": version}, config_sha256=config_sha256,
        corpus={"articles": len(articles), "sha256": corpus_digest(articles)},
        sources=numbering.sources(), summary=(), sections=tuple(sections),
        timeline=(), notes=tuple(notes),
    )
