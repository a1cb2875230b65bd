"""The plain-text edition (``out/briefing.txt``, also the email's text part).

Code, not a template: its shape is a contract (``docs/contract.md``), not a matter of taste.
72 columns, every block with its source line and bracketed citation number, a block shown
elsewhere named by its place, the articles not cited and the numbered sources at the end.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from briefing.models import Briefing, Cited, Item, Source, TimelineEvent
from briefing.publish.chart import summary_line
from briefing.publish.filters import capfirst, counted, longdate, verbatim
from briefing.publish.labels import (
    NOT_CITED_SHOWN,
    TRUST_LINE,
    coverage_line,
    item_label,
    linkable,
    minutes,
    places,
    places_text,
    point_labels,
    since_line,
    words_shown,
)

TEXT_WIDTH = 72


def _wrap(text: str, indent: str = "", first: str | None = None) -> str:
    return textwrap.fill(" ".join(text.split()), width=TEXT_WIDTH,
                         initial_indent=indent if first is None else first,
                         subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


def _cite(source_id: str, numbers: Mapping[str, int]) -> str:
    return f"[{numbers[source_id]}]" if source_id in numbers else f"[{source_id}]"


def _line(block: Cited | Item | TimelineEvent, numbers: Mapping[str, int]) -> str:
    """The source line a block carries: 'Associated Press, 20 October 2021 [1]'."""
    return f"{block.attribution} {_cite(block.source, numbers)}" if block.attribution else \
        _cite(block.source, numbers)


def _also(block: Cited | Item, numbers: Mapping[str, int]) -> str:
    if not block.also:
        return ""
    return "Also reported by " + ", ".join(_line(c, numbers) for c in block.also) + "."


def _numbered(n: int, label: str, body: str, *, new: bool | None = False,
              after: str = "") -> str:
    """A numbered block of the text edition: 'N. [new] LABEL' on a line of its own (the label
    in capitals, told apart from the verbatim text), then the body under it; without a label
    the body starts on the number's line. ``after``: a line of its own under the body ("Also
    reported by ...")."""
    first = f"{n}. " + ("[new] " if new else "")
    indent = " " * len(f"{n}. ")
    tail = "\n" + _wrap(after, indent) if after else ""
    if not label:
        return _wrap(body, indent=indent, first=first) + tail
    return _wrap(first + label.upper(), indent=indent, first="") + "\n" + _wrap(body, indent) + tail


def _item_text(item: Item, numbers: Mapping[str, int], n: int) -> str:
    if item.kind == "quote":  # its speaker is its label, on the line above
        body = f"“{verbatim(item, quote=True)}” — {_line(item, numbers)}"
    else:
        body = f"{verbatim(item)} — {_line(item, numbers)}"
    return _numbered(n, item_label(item), body, new=item.new, after=_also(item, numbers))


def _source_lines(source: Source) -> list[str]:
    def mark(name: str, value: str) -> str:
        return value + ("*" if name in source.inferred else "")

    head = f"[{source.number}] " + (mark("title", source.title) if source.title else
                                    "Untitled" + (f" (it opens: “{source.opening}”)"
                                                  if source.opening else ""))
    facts = [mark(name, value) for name, value in (("outlet", source.outlet),
             ("byline", source.byline), ("published", longdate(source.published))) if value]
    if not source.published:
        facts.append("undated" + (f" (latest date in it: {longdate(source.latest)})"
                                  if source.latest else ""))
    if source.opinion:
        facts.append("opinion")
    lines = [_wrap(head, indent="    ", first="")]
    if facts:
        lines.append(_wrap(" · ".join(facts), indent="    "))
    lines.append("    " + (source.url or source.path))
    return lines


def render_text(briefing: Briefing) -> str:
    """The plain-text edition (``out/briefing.txt``, also the email's text part): 72 columns,
    every block with its source line and bracketed citation number, a part shown elsewhere as
    where it is, the articles not cited and the numbered sources at the end."""
    briefing = linkable(briefing)
    numbers = {source.id: source.number for source in briefing.sources}
    where = places(briefing)
    items = sum(len(section.items) for section in briefing.sections)
    out = [briefing.title.upper(),
           _wrap(f"Edition of {longdate(briefing.edition)} · {minutes(words_shown(briefing))} "
                 f"min read · {counted(items, 'item')} from "
                 f"{counted(len(briefing.sources), 'source')}")]
    if coverage_line(briefing):
        out.append(_wrap(coverage_line(briefing) + "."))
    since = since_line(briefing)
    if since:
        out.append(_wrap(since))
    parts = [f"{s.title} ({len(s.items)})" if s.items else s.title for s in briefing.sections]
    parts += [name for name, present in (("Voices", briefing.voices),
                                         ("Timeline", briefing.timeline)) if present]
    out += ["", _wrap("In this edition: " + ", ".join(parts + ["Sources"]) + "."), ""]
    if briefing.summary:
        labels = point_labels(briefing)
        essentials = minutes(sum(len(p.text.split()) for p in briefing.summary))
        out += _heading(f"The essentials · {essentials} min read")
        for n, c in enumerate(briefing.summary, 1):
            label = labels.get(c.id or "", ("", None))[0]
            out += [_numbered(n, label, f"{verbatim(c)} — {_line(c, numbers)}",
                              after=_also(c, numbers)), ""]
    for section in briefing.sections:
        out += _heading(section.title)
        if section.description:  # the theme's own description, from the config
            out += [_wrap(section.description), ""]
        if section.in_summary:
            out += [_wrap("See " + ", ".join(where[i] for i in section.in_summary) + " (above)."),
                    ""]
        if section.lede is not None:
            out += [_wrap(f"{verbatim(section.lede)} — {_line(section.lede, numbers)}"), ""]
        if section.empty_note:
            out += [_wrap(section.empty_note), ""]
        for n, item in enumerate(section.items, 1):
            out += [_item_text(item, numbers, n), ""]
    if briefing.voices:
        out += _heading("Voices")
        for voice in briefing.voices:
            if voice.role:
                out.append(_wrap(f"{capfirst(voice.speaker)}, {voice.role.text} "
                                 f"{_cite(voice.role.source, numbers)}"))
            else:
                out.append(capfirst(voice.speaker))
            shown = [q.see for q in voice.quotes if q.see in where]
            if shown:
                out.append(_wrap(f"quoted in {places_text(shown, where)}", "  ", "- "))
            for q in voice.quotes:
                if q.see in where:
                    continue
                if q.kind == "quote":
                    line = f"“{verbatim(q, quote=True)}” — {_line(q, numbers)}"
                else:
                    line = f"{verbatim(q)} — {_line(q, numbers)}"
                out.append(_wrap(line, "  ", "- "))
            out.append("")
    if briefing.timeline:
        out += [*_heading("Timeline"), _wrap(summary_line(briefing)), "",
                *[_timeline_line(e, numbers, where) for e in briefing.timeline], ""]
    if briefing.notes:
        out += [*_heading("Notes"), *[_wrap(note, "  ", "- ") for note in briefing.notes], ""]
    if briefing.not_cited or briefing.coverage.get("without_candidates"):
        out += _heading("Read, not cited")
        listed = briefing.not_cited[:NOT_CITED_SHOWN]
        out += [_wrap(f"{n.title or 'Untitled article'} ({n.path}): {n.reason}", "  ", "- ")
                for n in listed]
        if len(briefing.not_cited) > len(listed):
            out.append(f"  And {len(briefing.not_cited) - len(listed)} more, listed in "
                       "briefing.json.")
        others = int(briefing.coverage.get("without_candidates") or 0)
        if others:
            out.append(_wrap(f"{others} more article{'' if others == 1 else 's'} read "
                             f"{'has' if others == 1 else 'have'} nothing on these themes."))
        out.append("")
    out += _heading("Sources")
    for source in briefing.sources:
        out += [*_source_lines(source), ""]
    if any(source.inferred for source in briefing.sources):
        out += ["* inferred from the article text", ""]
    out.append(_wrap(TRUST_LINE))
    return "\n".join(out).rstrip("\n") + "\n"


def _heading(title: str) -> list[str]:
    title = " ".join(title.split()).upper()
    return [title, "=" * min(len(title), TEXT_WIDTH), ""]


def _timeline_line(event: TimelineEvent, numbers: Mapping[str, int],
                   where: Mapping[str, str]) -> str:
    if event.see is not None and event.see in where:  # its sentence is printed there: the
        # date and the way to it
        return _wrap(f"{longdate(event.date)}: → {where[event.see]}", "  ", "- ")
    return _wrap(f"{longdate(event.date)}: {verbatim(event)} — {_line(event, numbers)}",
                 "  ", "- ")
