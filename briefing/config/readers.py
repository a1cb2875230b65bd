"""The checker of ``readers:``: each profile's id, name and address, the themes it follows (by
id, or with that reader's adjustments: ``max_items``, ``extra_terms``, ``exclude``), its
formats and its window (``since``, ``undated``).

A reader's theme must be one of the config's themes (``theme_ids``, from the themes checked
before); its address must be one delivery can send to (``deliver.headers``, via the Checker).
"""

from __future__ import annotations

import datetime as dt

from yaml.nodes import MappingNode, Node

from briefing.config.checker import Checker
from briefing.config.model import (
    ISO_DATE_RE,
    LAST_EDITION,
    MAX_ITEMS_RANGE,
    SLUG_RE,
    UNDATED,
    WINDOW_DAYS_RE,
    Reader,
    ReaderTheme,
    default,
    locate,
    suggest,
)
from briefing.config.nodes import describe
from briefing.config.themes import exclusions, terms
from briefing.publish.output import FORMATS


def check_readers(check: Checker, node: Node, theme_ids: tuple[str, ...] | None
            ) -> tuple[Reader, ...] | None:
    """``readers:``, a list of profiles, each id once. ``theme_ids`` is None when the themes
    were wrong: a reader's themes are then not checked against them."""
    items = check.sequence(node, "readers", "a list of reader profiles")
    if items is None:
        return None
    out: list[Reader | None] = []
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        found = _reader(check, item, f"readers[{i}]", theme_ids)
        if found is not None and found.id in first:
            check.problem(locate(item, ["id"]), f"readers[{i}].id",
                          f"duplicate reader id {found.id!r} "
                          f"(also readers[{first[found.id]}])")
            found = None
        elif found is not None:
            first[found.id] = i
        out.append(found)
    return None if None in out else tuple(r for r in out if r is not None)


def _reader(check: Checker, node: Node, where: str, theme_ids: tuple[str, ...] | None
           ) -> Reader | None:
    f = check.mapping(node, where, "reader")
    if f is None:
        return None
    n = len(check.problems)
    rid = check.string(f["id"][1], f"{where}.id", required=True) if "id" in f else None
    if rid is not None and not SLUG_RE.match(rid):
        check.problem(f["id"][1], f"{where}.id", f"bad reader id {rid!r}: use lower-case "
                      "letters, digits and '-' (at most 63), e.g. 'security-desk'")
    elif rid is not None and ISO_DATE_RE.match(rid):
        # out/editions/ names each date's folder so, beside each reader's feed folder
        check.problem(f["id"][1], f"{where}.id", f"bad reader id {rid!r}: a date names an "
                      "edition's folder in the archive (out/editions/); use a name")
    name = check.line(f["name"][1], f"{where}.name", "a name", required=True) \
        if "name" in f else None
    email = check.address(f["email"][1], f"{where}.email", named=False, required=True) \
        if "email" in f else None
    themes = check.optional(f, "themes", lambda v: _reader_themes(
        check, v, f"{where}.themes", theme_ids), ())
    formats = check.optional(f, "formats", lambda v: _formats(check, v, f"{where}.formats"),
                              default(Reader, "formats"))
    greeting = check.optional(f, "greeting", lambda v: check.string(v, f"{where}.greeting"),
                              None)
    since = check.optional(f, "since", lambda v: _since(check, v, f"{where}.since"), None)
    undated = check.optional(f, "undated", lambda v: check.choice(v, f"{where}.undated",
                                                                 UNDATED),
                              default(Reader, "undated"))
    if len(check.problems) > n or rid is None or name is None or email is None:
        return None
    return Reader(id=rid, name=name, email=email, themes=themes, formats=formats,
                  greeting=greeting, since=since, undated=undated)


def _reader_themes(check: Checker, node: Node, where: str, theme_ids: tuple[str, ...] | None
                  ) -> tuple[ReaderTheme, ...] | None:
    """A reader's ``themes``: ids of the config's themes, or ``{id: ..., max_items: ...}``
    mappings; each theme once."""
    items = check.sequence(node, where, "a list of theme ids (or {id: ..., max_items: ...})")
    if items is None:
        return None
    out: list[ReaderTheme | None] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        here = f"{where}[{i}]"
        rt: ReaderTheme | None = None
        id_node = item
        if isinstance(item, MappingNode):
            f = check.mapping(item, here, "reader_theme")
            if f is not None and "id" in f:
                id_node, rt = f["id"][1], _adjusted_theme(check, f, here)
                here = f"{here}.id"
        else:
            tid = check.string(item, here, required=True, expected="a theme id")
            rt = ReaderTheme(tid) if tid is not None else None
        if rt is not None and theme_ids is not None and rt.id not in theme_ids:
            check.problem(id_node, here, f"unknown theme {rt.id!r}" + suggest(rt.id, theme_ids))
            rt = None
        elif rt is not None and rt.id in seen:
            check.problem(id_node, here, f"theme {rt.id!r} is listed twice")
            rt = None
        if rt is not None:
            seen.add(rt.id)
        out.append(rt)
    return None if None in out else tuple(t for t in out if t is not None)


def _adjusted_theme(check: Checker, f: dict[str, tuple[Node, Node]], where: str
                    ) -> ReaderTheme | None:
    """A theme of a reader's written as a mapping (``f``, with an ``id``): the reader's own
    ``max_items``, ``extra_terms`` and ``exclude`` for it."""
    tid = check.string(f["id"][1], f"{where}.id", required=True)
    n = len(check.problems)
    max_items = check.optional(f, "max_items", lambda v: check.integer(
        v, f"{where}.max_items", *MAX_ITEMS_RANGE), None)
    extra = check.optional(f, "extra_terms", lambda v: terms(
        check, v, f"{where}.extra_terms", required=False), ())
    exclude = check.optional(f, "exclude", lambda v: exclusions(check, v, f"{where}.exclude"), ())
    if tid is None or len(check.problems) > n:
        return None
    return ReaderTheme(tid, max_items, extra, exclude)


def _formats(check: Checker, node: Node, where: str) -> tuple[str, ...] | None:
    """A reader's ``formats``: at least one of the output formats, each kept once."""
    raw = check.strings(node, where)
    if raw is None:
        return None
    if not raw:
        check.problem(node, where, "expected at least one format: " + ", ".join(FORMATS))
        return None
    ok = True
    for i, (item, value) in enumerate(zip(node.value, raw)):
        if value not in FORMATS:
            check.problem(item, f"{where}[{i}]",
                          f"unknown format {value!r}; expected one of " + ", ".join(FORMATS)
                          + suggest(value, FORMATS))
            ok = False
    return tuple(dict.fromkeys(raw)) if ok else None


def _since(check: Checker, node: Node, where: str) -> str | None:
    """A reader's ``since``: the last edition sent, a number of days, or a date."""
    what = f"'{LAST_EDITION}', a number of days such as '7d', or a date YYYY-MM-DD"
    value = check.scalar(node, where, what)
    if value is ...:
        return None
    if isinstance(value, dt.date):
        return check.date(node, where, value)
    if isinstance(value, str):
        text = value.strip()
        m = WINDOW_DAYS_RE.match(text)
        if text == LAST_EDITION or (m and int(m.group("n")) > 0):
            return text
        if ISO_DATE_RE.match(text):
            return check.date(node, where, text)
    check.problem(node, where, f"expected {what}, got {describe(value)}")
    return None
