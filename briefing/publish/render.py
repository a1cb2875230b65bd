"""Briefing -> the HTML editions (web page, print HTML, email HTML) through Jinja2, and the one
place every renderer is found.

The HTML editions come from Jinja2 templates on a search path: a workspace's own ``templates/``
first, then the shipped defaults (the top-level ``templates/`` of the checkout, or the package
``briefing.templates`` in a wheel). A user template can ``{% extends "default:briefing.html" %}``
to change one block of the default. The text and JSON editions are code, not templates: their
shape is a contract (``docs/contract.md``), not a matter of taste. They live beside this module
and are named here too, so ``render.render_text`` and ``render.render_json`` stand beside
``render.render_html``:

    text_edition.py  render_text: the plain-text edition
    json_edition.py  render_json, briefing_to_dict: the JSON edition
    labels.py        what every edition shows a reader to find their way (labels, places,
                     reading time, the masthead's lines) and :func:`linkable`
    filters.py       the small text filters (longdate, quote_display, capfirst, ...)
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import css_inline
import jinja2

import briefing as _package
from briefing.models import Briefing, Cited, Item, Section, Source, TimelineEvent
from briefing.publish.chart import summary_line, timeline_chart
from briefing.publish.filters import (
    CUT,
    capfirst,
    inline_list,
    longdate,
    nobreak_hyphens,
    quote_display,
    slug,
    verbatim,
)
from briefing.publish.json_edition import SCHEMA, briefing_to_dict, render_json
from briefing.publish.labels import (
    LABEL_CHARS,
    LABEL_TERMS,
    NOT_CITED_SHOWN,
    READING_WPM,
    TRUST_LINE,
    coverage_line,
    item_label,
    linkable,
    minutes,
    place_groups,
    places,
    places_text,
    point_labels,
    since_line,
    words_shown,
)
from briefing.publish.text_edition import TEXT_WIDTH, render_text
from briefing.read.links import http_url

__all__ = [
    # this module's: the templates and the HTML editions
    "EMAIL_MINUTES", "EMAIL_SIZE_LIMIT", "EMAIL_TOP_ITEMS", "PREHEADER_MAX", "PREHEADER_MIN",
    "assets_dir", "default_templates_dir", "preheader", "render_email", "render_html",
    "render_pdf_html", "template_context", "template_env",
    # the text and JSON editions (text_edition.py, json_edition.py)
    "SCHEMA", "TEXT_WIDTH", "briefing_to_dict", "render_json", "render_text",
    # what they share (labels.py, filters.py), by the names they had here
    "CUT", "LABEL_CHARS", "LABEL_TERMS", "NOT_CITED_SHOWN", "READING_WPM", "capfirst",
    "coverage_line", "inline_list", "item_label", "linkable", "longdate", "minutes",
    "nobreak_hyphens", "place_groups", "places", "places_text", "point_labels", "quote_display",
    "since_line", "slug", "verbatim", "words_shown",
]

#: Gmail clips a message whose HTML is larger than this (in bytes); the email edition stays under.
EMAIL_SIZE_LIMIT = 102_000
#: Bounds of the hidden preheader most clients show next to the subject line.
PREHEADER_MIN, PREHEADER_MAX = 40, 130
#: Items per theme the email shows when the edition is long (a newsletter: the rest are in the
#: full edition), and the reading time over which an edition counts as long.
EMAIL_TOP_ITEMS = 3
EMAIL_MINUTES = 4


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
    ``language``) becomes ``<html lang>``: screen readers pick their voice from it, and PDF/UA
    requires it."""
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
        "trust_line": TRUST_LINE,
        "reading": f"{minutes(words_shown(briefing))} min read",
        "edition_minutes": minutes(words_shown(briefing)),
        "essentials_minutes": minutes(sum(len(p.text.split()) for p in briefing.summary)),
        "coverage_line": coverage_line(briefing),
        "not_cited_shown": briefing.not_cited[:NOT_CITED_SHOWN],
        "since_line": since_line(briefing),
    }


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
        shown = list(sections[:section_limit])
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
        text = " ".join(verbatim(briefing.summary[0]).split())
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

