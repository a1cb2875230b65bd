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
import math
import re
import textwrap
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import css_inline
import jinja2

import briefing as _package
from briefing.judge.textnorm import TOKEN_RE, phrase_starts, root
from briefing.models import Briefing, Cited, Item, Previous, Section, Source, TimelineEvent
from briefing.publish.chart import summary_line, timeline_chart
from briefing.read.links import http_url

#: Gmail clips a message whose HTML is larger than this (in bytes); the email edition stays under.
EMAIL_SIZE_LIMIT = 102_000
#: Bounds of the hidden preheader most clients show next to the subject line.
PREHEADER_MIN, PREHEADER_MAX = 40, 130
#: Items per theme the email shows when the edition is long (a newsletter: the rest are in the
#: full edition), and the reading time over which an edition counts as long.
EMAIL_TOP_ITEMS = 3
EMAIL_MINUTES = 4
#: Words a minute of silent reading (Brysbaert 2019: 238 for English non-fiction).
READING_WPM = 238
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
    env.filters["label"] = item_label
    env.filters["nobreak_hyphens"] = nobreak_hyphens
    env.globals["place_groups"] = place_groups
    env.globals["lang"] = lang
    return env


def template_context(briefing: Briefing, edition_format: str, *,
                     web_url: str | None = None) -> dict[str, Any]:
    """Everything a template sees (documented in ``docs/templates.md``): the briefing itself,
    its sources by id (to turn an item's ``source`` into a citation number and entry), which
    edition is being rendered, the labels a reader skims by, the reading time, and the timeline
    drawn as a chart (laid out here, in code, so the templates only draw it). Every address a
    template can put in a link is an http(s) one or None (:func:`linkable`), whatever the
    stages before let through."""
    briefing = linkable(briefing)
    return {
        "briefing": briefing,
        "sources": {source.id: source for source in briefing.sources},
        "format": edition_format,
        "item_count": sum(len(section.items) for section in briefing.sections),
        "item_limit": None,
        "section_limit": None,
        "left_out": 0,
        "condensed": False,
        "pdf_attached": False,
        "email_sources": briefing.sources,
        "email_reading": None,
        "web_url": http_url(web_url),
        "preheader": preheader(briefing),
        "author": briefing.title.strip() or "briefing",
        "chart": timeline_chart(briefing) if edition_format != "email" else None,
        "timeline_summary": summary_line(briefing),
        "places": places(briefing),
        "point_labels": point_labels(briefing),
        "reading": f"{minutes(words_shown(briefing))} min read",
        "edition_minutes": minutes(words_shown(briefing)),
        "essentials_minutes": minutes(sum(len(p.text.split()) for p in briefing.summary)),
        "coverage_line": coverage_line(briefing),
        "not_cited_shown": briefing.not_cited[:NOT_CITED_SHOWN],
        "since_line": since_line(briefing),
    }


# --- What a reader skims by: labels and reading time ------------------------------------------

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


def nobreak_hyphens(text: str) -> str:
    """``text`` with a word joiner (U+2060) after each hyphen, so a line never breaks there:
    a label reads 'al-Qaida', never 'al-' and 'Qaida' on two lines."""
    return text.replace("-", "-\u2060")


def _same_root(a: str, b: str) -> bool:
    """'tajik' and 'tajikistan', 'border' and 'border': one word, for a label's purpose."""
    short, long = sorted((a, b), key=len)
    return a == b or long.startswith(short) and len(short) >= 4


def point_labels(briefing: Briefing) -> dict[str, tuple[str, str | None]]:
    """The label of each point of The essentials, by its id: the theme it was drawn from (and
    that theme's id, so the label can lead to the section), and its source's date ('undated'
    when it has none: old news never reads as today's). The point's number, by which sections
    refer to it, is the template's to show."""
    out: dict[str, tuple[str, str | None]] = {}
    themes = {pid: (s.title, s.theme) for s in briefing.sections for pid in s.in_summary}
    dated = {e.see: e.date for e in briefing.timeline if e.see}
    published = {s.id: s.published for s in briefing.sources}
    for point in briefing.summary:
        if not point.id:
            continue
        when = published.get(point.source) or dated.get(point.id)
        date = longdate(when) if when else "undated"
        title, theme = themes.get(point.id, (None, None))
        out[point.id] = (" · ".join(x for x in (title, date) if x), theme)
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


def render_html(briefing: Briefing, env: jinja2.Environment) -> str:
    """The web page (``out/briefing.html``): one self-contained file, its CSS inlined in a
    ``<style>`` element so it can be opened or hosted without the assets folder."""
    return env.get_template("briefing.html").render(template_context(briefing, "web"))


def render_pdf_html(briefing: Briefing, env: jinja2.Environment) -> str:
    """The print HTML that :func:`briefing.publish.pdf.html_to_pdf` lays out: title block, contents,
    sections and sources, with paged-media CSS."""
    return env.get_template("briefing.pdf.html").render(template_context(briefing, "print"))


def render_email(briefing: Briefing, env: jinja2.Environment, *,
                 web_url: str | None = None, pdf_attached: bool = False) -> str:
    """The email HTML (``out/briefing.email.html``): table layout, CSS inlined by css-inline with
    the ``@media`` rules kept (dark mode, narrow screens).

    A short edition is sent whole. A long one (a theme with more than EMAIL_TOP_ITEMS items, or
    over EMAIL_MINUTES of reading) is sent as a newsletter: The essentials, each theme's lede
    and its top items, and a pointer to the full edition for the rest, Voices and the timeline:
    ``web_url`` (the config's ``delivery.web_url``, where the full edition is published) when
    there is one, the attached PDF when ``pdf_attached``. Its sources list names only the
    sources the email cites, by their numbers in the full edition.

    Whatever the config, the HTML stays under Gmail's clipping size (102 KB): when it would
    not, fewer items per theme are shown, then (one item each still too much) only as many
    themes as fit, the rest named as left out."""
    briefing = linkable(briefing)  # the sources list below is drawn from this briefing too
    template = env.get_template("briefing.email.html")
    context = template_context(briefing, "email", web_url=web_url)
    context["pdf_attached"] = pdf_attached
    sections = briefing.sections
    longest = max((len(s.items) for s in sections), default=0)
    condensed = longest > EMAIL_TOP_ITEMS or minutes(words_shown(briefing)) > EMAIL_MINUTES

    def render(limit: int | None, section_limit: int | None = None) -> str:
        shown = [s for s in sections[:section_limit]]
        context.update(item_limit=limit, section_limit=section_limit, condensed=condensed,
                       left_out=context["item_count"] - sum(len(s.items[:limit]) for s in shown),
                       email_sources=_sources_cited(briefing, shown, limit, whole=not condensed),
                       email_reading=minutes(words_shown(briefing, item_limit=limit,
                                                         section_limit=section_limit,
                                                         whole=not condensed)))
        return _inline(template.render(context))

    def fits(html: str) -> bool:
        return len(html.encode("utf-8")) < EMAIL_SIZE_LIMIT

    top = EMAIL_TOP_ITEMS if condensed else None
    html = render(top)
    if fits(html):
        return html
    condensed = True  # an edition too big to send whole is sent as a newsletter
    for limit in range(min(EMAIL_TOP_ITEMS, max(longest, 1)), 0, -1):
        html = render(limit)
        if fits(html):
            return html
    # Even one item per theme is too much (hundreds of themes): as many themes as fit, found
    # by bisection (the size grows with the number of themes shown).
    low, high = 0, len(sections)
    best = render(1, 0)
    while low < high:
        middle = (low + high + 1) // 2
        html = render(1, middle)
        if fits(html):
            low, best = middle, html
        else:
            high = middle - 1
    return best


def _sources_cited(briefing: Briefing, sections: Iterable[Section], limit: int | None, *,
                   whole: bool) -> tuple[Source, ...]:
    """The sources the email cites (in the full edition's order and numbers): those of The
    essentials, of the ledes and items it shows (and their "also reported by"), and, when it
    carries them, of Voices and the timeline."""
    cited: set[str] = set()
    blocks: list[Cited | Item | TimelineEvent] = list(briefing.summary)
    for section in sections:
        if section.lede is not None:
            blocks.append(section.lede)
        blocks += section.items[:limit]
    if whole:
        blocks += [q for v in briefing.voices for q in v.quotes] + list(briefing.timeline)
    for block in blocks:
        cited.add(block.source)
        cited.update(c.source for c in getattr(block, "also", ()))
    return tuple(s for s in briefing.sources if s.id in cited)


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
    """The hidden line an inbox shows after the subject, 40 to 130 characters: the first point
    of The essentials (the news), cut at a word with "…" when longer; the subject already names
    the title, the date and the themes. Without essentials: the title, date and themes."""
    if briefing.summary:
        text = " ".join(_verbatim(briefing.summary[0]).split())
        if len(text) < PREHEADER_MIN:
            text += f" ({briefing.title}, {longdate(briefing.edition)})"
    else:
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
        return "The first edition: nothing to compare with."
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


def _numbered(n: int, label: str, body: str, *, new: bool | None = False) -> str:
    """A numbered block of the text edition: 'N. [new] LABEL' on a line of its own (the label
    in capitals, told apart from the verbatim text), then the body under it; without a label
    the body starts on the number's line."""
    first = f"{n}. " + ("[new] " if new else "")
    indent = " " * len(f"{n}. ")
    if not label:
        return _wrap(body, indent=indent, first=first)
    return _wrap(first + label.upper(), indent=indent, first="") + "\n" + _wrap(body, indent)


def _item_text(item: Item, numbers: Mapping[str, int], n: int) -> str:
    if item.kind == "quote":  # its speaker is its label, on the line above
        body = f"“{_verbatim(item, quote=True)}” — {_line(item, numbers)}"
    else:
        body = f"{_verbatim(item)} — {_line(item, numbers)}"
    return _numbered(n, item_label(item), body + _also(item, numbers), new=item.new)


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
                 f"min read · {_count(items, 'item')} from "
                 f"{_count(len(briefing.sources), 'source')}")]
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
            out += [_numbered(n, label, f"{_verbatim(c)} — {_line(c, numbers)}"
                                        f"{_also(c, numbers)}"), ""]
    for section in briefing.sections:
        out += _heading(section.title)
        if section.in_summary:
            out += [_wrap("See " + ", ".join(where[i] for i in section.in_summary) + " (above)."),
                    ""]
        if section.lede is not None:
            out += [_wrap(f"{_verbatim(section.lede)} — {_line(section.lede, numbers)}"), ""]
        if section.empty_note:
            out += [_wrap(section.empty_note), ""]
        for n, item in enumerate(section.items, 1):
            out += [_item_text(item, numbers, n), ""]
    if briefing.voices:
        out += _heading("Voices")
        for voice in briefing.voices:
            out.append(capfirst(voice.speaker))
            shown = [q.see for q in voice.quotes if q.see in where]
            if shown:
                out.append(_wrap(f"quoted in {places_text(shown, where)}", "  ", "- "))
            for q in voice.quotes:
                if q.see in where:
                    continue
                if q.kind == "quote":
                    line = f"“{_verbatim(q, quote=True)}” — {_line(q, numbers)}"
                else:
                    line = f"{_verbatim(q)} — {_line(q, numbers)}"
                out.append(_wrap(line, "  ", "- "))
            out.append("")
    if briefing.timeline:
        out += [*_heading("Timeline"), _wrap(summary_line(briefing)), "",
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
    if event.see in where:  # its sentence is printed there: the date and the way to it
        return _wrap(f"{longdate(event.date)}: → {where[event.see]}", "  ", "- ")
    return _wrap(f"{longdate(event.date)}: {_verbatim(event)} — {_line(event, numbers)}",
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
            "latest": source.latest, "opinion": source.opinion,
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
