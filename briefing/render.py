"""Briefing -> web page, print HTML, email HTML, plain text and JSON.

The HTML editions come from Jinja2 templates on a search path: a workspace's own ``templates/``
first, then the shipped defaults (the top-level ``templates/`` of the checkout, or the package
``briefing.templates`` in a wheel). A user template can ``{% extends "default:briefing.html" %}``
to change one block of the default. The text and JSON editions are code, not templates: their
shape is a contract (``docs/contract.md``), not a matter of taste.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import textwrap
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import css_inline
import jinja2

import briefing as _package
from briefing.chart import timeline_chart
from briefing.links import http_url
from briefing.models import Briefing, Cited, Item, Previous, Section, Source, TimelineEvent

#: Gmail clips a message whose HTML is larger than this (in bytes); the email edition stays under.
EMAIL_SIZE_LIMIT = 102_000
#: Bounds of the hidden preheader most clients show next to the subject line.
PREHEADER_MIN, PREHEADER_MAX = 40, 130
TEXT_WIDTH = 72
SCHEMA = "briefing/1"

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


# --- Templates ------------------------------------------------------------------------------


def default_templates_dir() -> Path:
    """The folder of the shipped templates: the checkout's top-level ``templates/`` when running
    from source, else the ``briefing.templates`` package a wheel installs (a namespace package:
    it has no ``__init__.py``, so it is found by its search locations, not ``files()``)."""
    here = Path(_package.__file__).resolve().parent
    candidates = [here.parent / "templates", here / "templates"]
    spec = importlib.util.find_spec("briefing.templates")
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(location) for location in spec.submodule_search_locations]
    for candidate in candidates:
        if (candidate / "briefing.html").is_file():
            return candidate
    raise FileNotFoundError("the default templates are missing from this installation of briefing")


def assets_dir(workspace_templates: Path | None = None) -> Path:
    """The assets folder WeasyPrint may read: the workspace's ``templates/assets`` when it has
    one, else the shipped one. Templates refer to assets by relative URL."""
    if workspace_templates is not None and (workspace_templates / "assets").is_dir():
        return workspace_templates / "assets"
    return default_templates_dir() / "assets"


def template_env(workspace_templates: Path | None = None, *,
                 lang: str = "en") -> jinja2.Environment:
    """A Jinja2 environment over the workspace's templates (when given and present) and then the
    shipped defaults, so a user overrides one partial by copying one file. ``default:NAME``
    always names the shipped template, for ``{% extends %}``. StrictUndefined turns a typo in a
    template into an error instead of a silently empty string. ``lang`` (the config's
    ``language``) becomes ``<html lang>``: screen readers pick their voice from it, WeasyPrint
    its hyphenation patterns, and PDF/UA requires it."""
    defaults = jinja2.FileSystemLoader(str(default_templates_dir()))
    loaders: list[jinja2.BaseLoader] = []
    if workspace_templates is not None and Path(workspace_templates).is_dir():
        loaders.append(jinja2.FileSystemLoader(str(workspace_templates)))
    loaders += [defaults, jinja2.PrefixLoader({"default": defaults}, delimiter=":")]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["longdate"] = longdate
    env.filters["quote_display"] = quote_display
    env.filters["inline_list"] = inline_list
    env.filters["slug"] = slug
    env.filters["capfirst"] = capfirst
    env.globals["lang"] = lang
    return env


def template_context(briefing: Briefing, edition_format: str, *,
                     web_url: str | None = None) -> dict[str, Any]:
    """Everything a template sees (documented in ``docs/templates.md``): the briefing itself,
    its sources by id (to turn an item's ``source`` into a citation number and entry), which
    edition is being rendered, and the timeline drawn as a chart (laid out here, in code, so the
    templates only draw it). Every address a template can put in a link is an http(s) one or
    None (:func:`linkable`), whatever the stages before let through."""
    briefing = linkable(briefing)
    return {
        "briefing": briefing,
        "sources": {source.id: source for source in briefing.sources},
        "format": edition_format,
        "item_count": sum(len(section.items) for section in briefing.sections),
        "item_limit": None,
        "left_out": 0,
        "compact": False,
        "web_url": http_url(web_url),
        "preheader": preheader(briefing),
        "author": briefing.title.strip() or "briefing",
        "chart": timeline_chart(briefing) if edition_format != "email" else None,
        "places": places(briefing),
        "coverage_line": coverage_line(briefing),
        "not_cited_shown": briefing.not_cited[:NOT_CITED_SHOWN],
        "since_line": since_line(briefing),
    }


NOT_CITED_SHOWN = 20  # articles "Read, not cited" lists by name; the JSON lists them all


def coverage_line(briefing: Briefing) -> str:
    """What the edition covers, in one line for the masthead: how many articles were read and
    cited, and the period the cited sources cover ('5 articles read, 4 cited, 1 not (see the
    end) · 1 source dated 20 October 2021, 3 undated')."""
    c = briefing.coverage
    if not c:
        return ""
    read, cited = int(c.get("articles", 0)), int(c.get("cited", 0))
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


def linkable(briefing: Briefing) -> Briefing:
    """``briefing`` with each source's ``url`` an http(s) address or None (``links.http_url``):
    the renderers' own guard, so that no edition (a user's template included) can link to a
    ``javascript:`` or ``file:`` address whatever reached the model."""
    if all(s.url is None or http_url(s.url) is not None for s in briefing.sources):
        return briefing
    return dataclasses.replace(briefing, sources=tuple(
        dataclasses.replace(s, url=http_url(s.url)) for s in briefing.sources))


def render_html(briefing: Briefing, env: jinja2.Environment) -> str:
    """The web page (``out/briefing.html``): one self-contained file, its CSS inlined in a
    ``<style>`` element so it can be opened or hosted without the assets folder."""
    return env.get_template("briefing.html").render(template_context(briefing, "web"))


def render_pdf_html(briefing: Briefing, env: jinja2.Environment) -> str:
    """The print HTML that :func:`briefing.pdf.html_to_pdf` lays out: title block, contents,
    sections and sources, with paged-media CSS."""
    return env.get_template("briefing.pdf.html").render(template_context(briefing, "print"))


def render_email(briefing: Briefing, env: jinja2.Environment, *,
                 web_url: str | None = None) -> str:
    """The email HTML (``out/briefing.email.html``): table layout, CSS inlined by css-inline with
    the ``@media`` rules kept (dark mode, narrow screens). When the result would be clipped by
    Gmail (102 KB), the fewest items are left out from the end of each section that bring it
    under, and a line says how many, linking to ``web_url`` (the config's
    ``delivery.web_url``: where the full edition is published) when there is one. If one item
    per section is still too much, the Voices and Timeline parts go too."""
    template = env.get_template("briefing.email.html")
    context = template_context(briefing, "email", web_url=web_url)

    def render(limit: int | None, compact: bool = False) -> str:
        shown = sum(len(s.items[:limit]) for s in briefing.sections)
        context.update(item_limit=limit, left_out=context["item_count"] - shown, compact=compact)
        return _inline(template.render(context))

    def fits(html: str) -> bool:
        return len(html.encode("utf-8")) < EMAIL_SIZE_LIMIT

    html = render(None)
    if fits(html):
        return html
    # Size grows with the per-section limit, so bisect for the largest limit that fits.
    low, high = 1, max((len(section.items) for section in briefing.sections), default=1)
    best = render(low)
    if not fits(best):
        return render(low, compact=True)
    while low < high:
        middle = (low + high + 1) // 2
        html = render(middle)
        if fits(html):
            low, best = middle, html
        else:
            high = middle - 1
    return best


def _inline(html: str) -> str:
    # keep_at_rules: the default drops @media and with it dark mode; remote stylesheets would be
    # a fetch we never want.
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    html = inliner.inline(html)
    # css-inline puts the kept @media rules first in <head>; the charset must stay within the
    # first bytes a client sniffs, so move it back to the top.
    charset = '<meta charset="utf-8">'
    if charset in html and "<head>" in html:
        html = html.replace(charset, "", 1).replace("<head>", "<head>" + charset, 1)
    return html


def preheader(briefing: Briefing) -> str:
    """The hidden line an inbox shows after the subject: what is inside, 40 to 130 characters."""
    titles = [section.title for section in briefing.sections if section.items]
    text = f"{briefing.title}, {longdate(briefing.edition)}"
    if titles:
        text += ": " + inline_list(titles)
    if len(text) < PREHEADER_MIN:
        count = sum(len(section.items) for section in briefing.sections)
        text += f" ({count} items from {len(briefing.sources)} sources)"
    if len(text) < PREHEADER_MIN:
        text += " in this edition of the briefing"
    text = " ".join(text.split())
    if len(text) > PREHEADER_MAX:
        text = text[: PREHEADER_MAX - 1].rsplit(" ", 1)[0].rstrip(",:;") + "…"
    return text.ljust(PREHEADER_MIN)


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
        return "The first edition: there is no earlier one to compare with."
    parts = [] if p.new_articles is None else [_count(p.new_articles, "new article")]
    parts.append(_count(p.new_items, "new item"))
    return f"Since the edition of {longdate(p.edition)}: {', '.join(parts)}."


def _count(n: int, noun: str) -> str:
    return f"no {noun}s" if n == 0 else f"{n} {noun}{'' if n == 1 else 's'}"


# --- Filters --------------------------------------------------------------------------------


def longdate(value: str | None) -> str:
    """'2026-11-22' -> '22 November 2026', '2018-11' -> 'November 2018', '2003' -> '2003';
    anything else is returned unchanged (a date shown as given beats a crash)."""
    if not value:
        return ""
    parts = value.split("-")
    try:
        if len(parts) == 3:
            day = date(int(parts[0]), int(parts[1]), int(parts[2]))
            return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
        if len(parts) == 2 and 1 <= int(parts[1]) <= 12:
            return f"{_MONTHS[int(parts[1]) - 1]} {int(parts[0])}"
    except ValueError:
        return value
    return value


def quote_display(text: str) -> str:
    """A quotation as shown inside quotation marks: the verbatim words without the comma or
    colon that led back into the reporter's sentence ('...attacks,” Lavrov said')."""
    return text.strip().rstrip(",;:").rstrip()


def capfirst(value: str) -> str:
    """A name as a heading: its first letter capitalised ('the Russian Foreign Ministry' ->
    'The Russian Foreign Ministry'); the rest as the source gives it."""
    return value[:1].upper() + value[1:]


def inline_list(values: Iterable[str]) -> str:
    """'a', 'b', 'c' -> 'a, b and c'."""
    items = [v for v in values if v]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- Plain text -----------------------------------------------------------------------------


def _wrap(text: str, indent: str = "", first: str | None = None) -> str:
    return textwrap.fill(" ".join(text.split()), width=TEXT_WIDTH, initial_indent=indent if first is None else first,
                         subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


def _cite(source_id: str, numbers: Mapping[str, int]) -> str:
    return f"[{numbers[source_id]}]" if source_id in numbers else f"[{source_id}]"


CUT = "[…]"  # an editor's cut, told apart from an ellipsis the source wrote itself ("...")


def _verbatim(block: Cited | Item | TimelineEvent, quote: bool = False) -> str:
    """A block's text as printed: "[…]" where it was cut inside a sentence."""
    text = quote_display(block.text) if quote else block.text.strip()
    return (CUT + " " if block.cut_before else "") + text + (" " + CUT if block.cut_after else "")


def _line(block: Cited | Item | TimelineEvent, numbers: Mapping[str, int]) -> str:
    """The source line a block carries: 'Associated Press, 20 October 2021 [1]'."""
    return f"{block.attribution} {_cite(block.source, numbers)}" if block.attribution else \
        _cite(block.source, numbers)


def _also(block: Cited | Item, numbers: Mapping[str, int]) -> str:
    if not block.also:
        return ""
    return " Also reported by " + ", ".join(_line(c, numbers) for c in block.also) + "."


def _item_text(item: Item, numbers: Mapping[str, int]) -> str:
    mark = "[new] " if item.new else ""
    if item.kind == "quote":
        who = f"{item.speaker} · " if item.speaker and item.attribution else \
            f"{item.speaker} " if item.speaker else ""
        body = f"{mark}“{_verbatim(item, quote=True)}” — {who}{_line(item, numbers)}"
    else:
        body = f"{mark}{_verbatim(item)} — {_line(item, numbers)}"
    return _wrap(body + _also(item, numbers), indent="  ", first="- ")


def _source_lines(source: Source) -> list[str]:
    def mark(name: str, value: str) -> str:
        return value + ("*" if name in source.inferred else "")

    head = f"[{source.number}] " + (mark("title", source.title) if source.title else
                                    "Untitled" + (f" (it opens: “{source.opening}”)"
                                                  if source.opening else ""))
    facts = [mark(name, value) for name, value in (("outlet", source.outlet),
             ("byline", source.byline), ("published", source.published)) if value]
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
    out = [briefing.title.upper(), f"Edition of {longdate(briefing.edition)}"]
    if coverage_line(briefing):
        out.append(_wrap(coverage_line(briefing)))
    since = since_line(briefing)
    if since:
        out.append(_wrap(since))
    out.append("")
    if briefing.summary:
        out += _heading("The essentials")
        out += [_wrap(f"{_verbatim(c)} — {_line(c, numbers)}{_also(c, numbers)}", "   ", f"{n}. ")
                for n, c in enumerate(briefing.summary, 1)]
        out.append("")
    for section in briefing.sections:
        out += _heading(section.title)
        if section.in_summary:
            out += [_wrap("See " + ", ".join(where[i] for i in section.in_summary) + " (above)."),
                    ""]
        if section.lede is not None:
            out += [_wrap(f"{_verbatim(section.lede)} — {_line(section.lede, numbers)}"), ""]
        if section.empty_note:
            out += [_wrap(section.empty_note), ""]
        for item in section.items:
            out += [_item_text(item, numbers), ""]
    if briefing.voices:
        out += _heading("Voices")
        for voice in briefing.voices:
            out.append(capfirst(voice.speaker))
            for q in voice.quotes:
                if q.see in where:
                    line = f"quoted in {where[q.see]}"
                elif q.kind == "quote":
                    line = f"“{_verbatim(q, quote=True)}” — {_line(q, numbers)}"
                else:
                    line = f"{_verbatim(q)} — {_line(q, numbers)}"
                out.append(_wrap(line, "  ", "- "))
            out.append("")
    if briefing.timeline:
        out += [*_heading("Timeline"),
                *[_timeline_line(e, numbers, where) for e in briefing.timeline], ""]
    if briefing.notes:
        out += [*_heading("Notes"), *[_wrap(note, "  ", "- ") for note in briefing.notes], ""]
    if briefing.not_cited or briefing.coverage.get("without_candidates"):
        out += _heading("Read, not cited")
        shown = briefing.not_cited[:NOT_CITED_SHOWN]
        out += [_wrap(f"{n.title or 'Untitled article'} ({n.path}): {n.reason}", "  ", "- ")
                for n in shown]
        if len(briefing.not_cited) > len(shown):
            out.append(f"  And {len(briefing.not_cited) - len(shown)} more, listed in briefing.json.")
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
    return "\n".join(out).rstrip("\n") + "\n"


def _heading(title: str) -> list[str]:
    title = " ".join(title.split()).upper()
    return [title, "=" * min(len(title), TEXT_WIDTH), ""]


def _timeline_line(event: TimelineEvent, numbers: Mapping[str, int],
                   where: Mapping[str, str]) -> str:
    see = f" (→ {where[event.see]})" if event.see in where else ""
    return _wrap(f"{longdate(event.date)}: {_verbatim(event)} — {_line(event, numbers)}{see}",
                 "  ", "- ")


# --- JSON -----------------------------------------------------------------------------------


def _cited(c: Cited | TimelineEvent | Item) -> dict[str, object]:
    """A cited block's keys: the contract's five, then its id, its printed source line, the
    cuts a renderer marks with an ellipsis, and ``see`` for one that points elsewhere."""
    out: dict[str, object] = {"text": c.text, "path": c.path, "start": c.start, "end": c.end,
                              "source": c.source}
    if c.id is not None:
        out["id"] = c.id
    out["attribution"] = c.attribution
    if c.cut_before:
        out["cut_before"] = True
    if c.cut_after:
        out["cut_after"] = True
    see = getattr(c, "see", None)
    if see is not None:
        out["see"] = see
    if isinstance(c, Cited) and c.also:
        out["also"] = [_cited(x) for x in c.also]
    return out


def _item(item: Item) -> dict[str, object]:
    """An item's keys in the contract's order, then the extras ``_cited`` adds."""
    out: dict[str, object] = {"kind": item.kind, "source": item.source, "path": item.path,
                              "start": item.start, "end": item.end, "text": item.text}
    if item.speaker is not None:
        out.update(speaker=item.speaker, cue=item.cue)
    if item.why:
        out.update(score=round(item.score, 4), why=list(item.why))
    out.update((k, v) for k, v in _cited(item).items() if k not in out)
    if item.also:
        out["also"] = [_cited(c) for c in item.also]
    out["new"] = item.new
    return out


def _section(section: Section) -> dict[str, object]:
    return {"theme": section.theme, "title": section.title,
            "lede": _cited(section.lede) if section.lede is not None else None,
            "items": [_item(item) for item in section.items],
            "description": section.description, "in_summary": list(section.in_summary)}


def _source(source: Source) -> dict[str, object]:
    return {"id": source.id, "path": source.path, "title": source.title, "outlet": source.outlet,
            "byline": source.byline, "published": source.published,
            "inferred": list(source.inferred), "url": source.url, "encoding": source.encoding,
            "number": source.number, "sha256": source.sha256, "opening": source.opening,
            **({"text_path": source.text_path} if source.text_path else {})}


def briefing_to_dict(briefing: Briefing) -> dict[str, object]:
    """The contract's ``briefing.json`` object, keys in the contract's order (extras last)."""
    briefing = linkable(briefing)
    return {
        "schema": SCHEMA,
        "title": briefing.title,
        "edition": briefing.edition,
        "generated_at": briefing.generated_at,
        "reader": briefing.reader,
        "generator": dict(briefing.generator),
        "config_sha256": briefing.config_sha256,
        "corpus": dict(briefing.corpus),
        "sources": [_source(s) for s in briefing.sources],
        "summary": [_cited(c) for c in briefing.summary],
        "sections": [_section(s) for s in briefing.sections],
        "timeline": [{"date": e.date, "precision": e.precision, **_cited(e)}
                     for e in briefing.timeline],
        "voices": [{"speaker": v.speaker, "quotes": [_item(q) for q in v.quotes]}
                   for v in briefing.voices],
        "notes": list(briefing.notes),
        "not_cited": [{"path": n.path, "title": n.title, "reason": n.reason}
                      for n in briefing.not_cited],
        "coverage": dict(briefing.coverage),
        "previous": _previous(briefing.previous),
    }


def _previous(p: Previous | None) -> dict[str, object] | None:
    """The JSON's ``previous``: null for the first edition (and a briefing built without the
    archive), else the previous edition's date and what is new since."""
    if p is None or (p.edition is None and p.problem is None):
        return None
    return {"edition": p.edition, "new_articles": p.new_articles, "new_items": p.new_items,
            "problem": p.problem}


def render_json(briefing: Briefing) -> str:
    """``out/briefing.json``: UTF-8 text as is (no ``\\u`` escapes), two-space indent, newline."""
    return json.dumps(briefing_to_dict(briefing), ensure_ascii=False, indent=2) + "\n"


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(value: str) -> str:
    """A fragment id from a theme id: 'Trade & economy' -> 'trade-economy'."""
    return _SLUG.sub("-", value.lower()).strip("-") or "section"
