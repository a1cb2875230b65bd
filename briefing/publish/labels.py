"""What a reader skims and finds their way by, the same in every edition: each item's and each
point's label, where each block is (the words of a link that points to a block instead of
printing it again), the reading time, and the masthead's lines on what the edition covers and
what is new since the last one. Also the one guard every edition applies to the addresses it
links to (:func:`linkable`).

The HTML editions get these through the template context (``render.template_context``), the
text edition calls them itself; neither needs Jinja2 for them.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping

from briefing.judge.textnorm import TOKEN_RE, phrase_starts, root
from briefing.models import Briefing, Item
from briefing.publish.filters import capfirst, counted, inline_list, longdate
from briefing.read.links import http_url

#: Words a minute of silent reading (Brysbaert 2019: 238 for English non-fiction).
READING_WPM = 238

#: What every edition says of itself at its end (text, web, email and PDF alike).
TRUST_LINE = ("Every item is quoted verbatim from its source; numbers in brackets refer to the "
              "sources above.")
#: At most this many matched terms in an item's label, and about this many characters.
LABEL_TERMS, LABEL_CHARS = 2, 40


def item_label(item: Item) -> str:
    """An item's label, made only of what the engine knows: the speaker of a quotation (printed
    nowhere else beside it), or the strongest theme terms a passage's own words match, as the
    text writes them ('border crossing · Turkmenistan'). A term whose words repeat a stronger
    one's ('border' after 'border crossing', 'Tajik' after 'Tajikistan') is left out, so the
    label says two things, not one twice. Empty when there is neither."""
    parts: list[str] = []
    seen: list[str] = []
    if item.kind == "quote" and item.speaker:
        return capfirst(item.speaker)  # who said it is what a reader skims a quotation by
    wanted = LABEL_TERMS
    tokens = list(TOKEN_RE.finditer(item.text))
    text_roots = [root(t[0]) for t in tokens]
    words = [t[0].lower() for t in tokens]
    for term in item.why:
        if len(parts) >= wanted:
            break
        raw = term.strip()
        prefix = raw.endswith("*")
        term_words = TOKEN_RE.findall(raw.rstrip("*"))
        if not term_words:
            continue
        term_roots = [root(w) for w in term_words]
        if prefix:
            term_roots[-1] = term_words[-1].lower()
        at = phrase_starts(term_roots, prefix, text_roots, words)
        if not at:
            continue
        first, last = tokens[at[0]], tokens[at[0] + len(term_roots) - 1]
        shown = item.text[first.start():last.end()]
        if shown.lower() == raw.rstrip("*").lower():  # 'Drug traffic' opening a sentence
            shown = raw.rstrip("*")
        found = text_roots[at[0]:at[0] + len(term_roots)]
        if all(any(_same_root(r, s) for s in seen) for r in found):
            continue
        if parts and len(" · ".join([*parts, shown])) > LABEL_CHARS:
            continue
        parts.append(shown)
        seen += found
    return " · ".join(parts)


def _same_root(a: str, b: str) -> bool:
    """'tajik' and 'tajikistan', 'border' and 'border': one word, for a label's purpose."""
    short, long = sorted((a, b), key=len)
    return a == b or long.startswith(short) and len(short) >= 4


def point_labels(briefing: Briefing) -> dict[str, tuple[str, str | None]]:
    """The label of each point of The essentials, by its id: the theme it was drawn from (and
    that theme's id, so the label can lead to the section), or, for the point drawn from no
    theme (the news: the newest dated development), its date. The source line beside a point
    gives its source's date; a theme's label adds a date only where that says "undated" but
    the point's event is dated (the timeline's date of it): old news never reads as today's.
    The point's number, by which sections refer to it, is the template's to show."""
    out: dict[str, tuple[str, str | None]] = {}
    themes = {pid: (s.title, s.theme) for s in briefing.sections for pid in s.in_summary}
    dated = {e.see: e.date for e in briefing.timeline if e.see}
    published = {s.id: s.published for s in briefing.sources}
    for point in briefing.summary:
        if not point.id:
            continue
        source_date, event_date = published.get(point.source), dated.get(point.id)
        if point.id not in themes:
            when = source_date or event_date
            out[point.id] = (longdate(when) if when else "undated", None)
            continue
        title, theme = themes[point.id]
        extra = longdate(event_date) if event_date and not source_date else None
        out[point.id] = (" · ".join(x for x in (title, extra) if x), theme)
    return out


def words_shown(briefing: Briefing, *, item_limit: int | None = None,
                section_limit: int | None = None, whole: bool = True) -> int:
    """How many words of verbatim text an edition shows (all of it, or the email's part:
    ``item_limit`` items of the first ``section_limit`` sections, without Voices and Timeline
    unless ``whole``): what the reading time is counted from."""
    n = sum(len(p.text.split()) for p in briefing.summary)
    for section in briefing.sections[:section_limit]:
        if section.lede is not None:
            n += len(section.lede.text.split())
        n += sum(len(i.text.split()) for i in section.items[:item_limit])
    if whole:
        n += sum(len(q.text.split()) for v in briefing.voices for q in v.quotes if not q.see)
        n += sum(len(e.text.split()) for e in briefing.timeline)
    return n


def minutes(words: int) -> int:
    """Reading time in whole minutes (at least one) at READING_WPM."""
    return max(1, math.ceil(words / READING_WPM))


NOT_CITED_SHOWN = 20  # articles "Read, not cited" lists by name; the JSON lists them all


def coverage_line(briefing: Briefing) -> str:
    """What the edition covers, in one line for the masthead: how many articles were read and
    cited, and the period the cited sources cover ('5 articles read, 4 cited, 1 not (see the
    end) · 1 source dated 20 October 2021, 3 undated')."""
    c = briefing.coverage
    if not c:
        return ""
    read, cited = int(c.get("articles") or 0), int(c.get("cited") or 0)
    line = f"{read} article{'' if read == 1 else 's'} read, {cited} cited"
    if c.get("not_cited"):
        line += f", {c['not_cited']} not (see the end)"
    if c.get("without_candidates"):
        line += f", {c['without_candidates']} on none of these themes"
    first, last, undated = c.get("first"), c.get("last"), int(c.get("undated") or 0)
    dated = cited - undated
    dates = []
    if first:
        dates.append(f"{dated} source{'' if dated == 1 else 's'} dated {longdate(str(first))}"
                     + (f" to {longdate(str(last))}" if last and last != first else ""))
    if undated:
        dates.append(f"{undated} undated")
    return line + (" · " + ", ".join(dates) if dates else "")


def since_line(briefing: Briefing) -> str | None:
    """The masthead's line on what is new since the previous archived edition for the same
    reader ('Since the edition of 15 November 2026: 3 new articles, 5 new items.'); None for a
    briefing built without the archive. Every edition prints this one sentence."""
    p = briefing.previous
    if p is None:
        return None
    if p.problem is not None:
        return (f"The previous edition{' of ' + longdate(p.edition) if p.edition else ''} could "
                "not be read, so nothing is marked new.")
    if p.edition is None:
        return "The first edition: nothing to compare with."
    parts = [] if p.new_articles is None else [counted(p.new_articles, "new article")]
    parts.append(counted(p.new_items, "new item"))
    return f"Since the edition of {longdate(p.edition)}: {', '.join(parts)}."


def places(briefing: Briefing) -> dict[str, str]:
    """Where each shown block is, as a reader would say it ('The essentials, point 2',
    'Security, item 3'): the label of a link that points to a block instead of reprinting it."""
    out = {p.id: f"The essentials, point {n}" for n, p in enumerate(briefing.summary, 1) if p.id}
    for section in briefing.sections:
        if section.lede is not None and section.lede.id:
            out[section.lede.id] = section.title
        for n, item in enumerate(section.items, 1):
            if item.id:
                out[item.id] = f"{section.title}, item {n}"
    for voice in briefing.voices:
        for item in voice.quotes:
            if item.id:
                out[item.id] = f"Voices, {voice.speaker}"
    return out


_NUMBERED = re.compile(r"^(.*), (item|point) (\d+)$")


def place_groups(ids: Iterable[str], where: Mapping[str, str]) -> list[tuple[str, list[
        tuple[str, str]]]]:
    """Places of several blocks as a reader would say them, one part at a time:
    ['recognition-8', 'recognition-4', 'security-1'] -> [('Recognition, items', [('4',
    'recognition-4'), ('8', 'recognition-8')]), ('Security, item', [('1', 'security-1')])],
    each number with the id it links to; a place that is not numbered stands alone ('', [(its
    name, id)]). Parts keep the order they first come in."""
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for block in dict.fromkeys(ids):
        if block not in where:
            continue
        found = _NUMBERED.match(where[block])
        key = (found[1], found[2]) if found else ("", block)
        groups.setdefault(key, []).append((int(found[3]) if found else 0, block))
    out = []
    for (part, noun), refs in groups.items():
        if not part:
            out.append(("", [(where[block], block) for _, block in refs]))
            continue
        refs.sort()
        out.append((f"{part}, {noun}{'s' if len(refs) > 1 else ''}",
                    [(str(n), block) for n, block in refs]))
    return out


def places_text(ids: Iterable[str], where: Mapping[str, str]) -> str:
    """:func:`place_groups` as text: 'Recognition, items 4, 7 and 8; Security, item 1'."""
    return "; ".join((f"{head} " if head else "") + inline_list(n for n, _ in refs)
                     for head, refs in place_groups(ids, where))


def linkable(briefing: Briefing) -> Briefing:
    """``briefing`` with each source's ``url`` an http(s) address or None (``links.http_url``):
    the renderers' own guard, so that no edition (a user's template included) can link to a
    ``javascript:`` or ``file:`` address whatever reached the model."""
    if all(s.url is None or http_url(s.url) is not None for s in briefing.sources):
        return briefing
    return dataclasses.replace(briefing, sources=tuple(
        dataclasses.replace(s, url=http_url(s.url)) for s in briefing.sources))
