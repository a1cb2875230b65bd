"""The checker of ``themes:``: each theme's id, title, terms (with their ``^`` boosts), the
phrases and sense rules it excludes, its ``require`` query and its limits. ``terms`` and
``exclusions`` are a reader's adjustments to a theme too (``readers``).

The theme language's own rules decide what is valid (``model.parse_term`` for a term,
``judge.query`` for a query or a sense rule), so what passes here is what ranking accepts.
"""

from __future__ import annotations

from yaml.nodes import Node

from briefing.config.checker import Checker
from briefing.config.model import (
    DEFAULT_MAX_ITEMS,
    MAX_ITEMS_RANGE,
    SLUG_RE,
    TermSpec,
    ThemeConfig,
    parse_term,
)
from briefing.config.nodes import is_null
from briefing.judge.query import QuerySyntaxError, sense_rule


def check_themes(check: Checker, node: Node, key: Node) -> tuple[ThemeConfig, ...] | None:
    """``themes:``, a mapping of theme id -> theme, in the order written (at least one)."""
    if is_null(node):
        check.problem(key, "themes", "expected at least one theme")
        return None
    fields = check.mapping(node, "themes", None, at=key)
    if fields is None:
        return None
    if not fields:
        check.problem(node, "themes", "expected at least one theme")
        return None
    out = [_theme(check, k, v) for k, v in fields.values()]
    return None if None in out else tuple(t for t in out if t is not None)


def _theme(check: Checker, key: Node, node: Node) -> ThemeConfig | None:
    tid = key.value
    where = f"themes.{tid}"
    n = len(check.problems)
    if not SLUG_RE.match(tid):
        check.problem(key, where, f"bad theme id {tid!r}: use lower-case letters, digits and "
                      "'-' (e.g. 'central-asia-borders')")
    f = check.mapping(node, where, "theme", at=key)
    if f is None:
        return None
    title = check.optional(f, "title", lambda v: check.line(v, f"{where}.title", "a title"),
                           tid.replace("-", " ").capitalize())
    description = check.optional(
        f, "description", lambda v: check.string(v, f"{where}.description"), "")
    theme_terms = terms(check, f["terms"][1], f"{where}.terms", required=True) if "terms" in f \
        else None
    exclude = check.optional(f, "exclude", lambda v: exclusions(check, v, f"{where}.exclude"), ())
    not_ = check.optional(f, "not", lambda v: check.strings(v, f"{where}.not"), ())
    require = check.optional(f, "require", lambda v: check.query(v, f"{where}.require"), None)
    max_items = check.optional(f, "max_items", lambda v: check.integer(
        v, f"{where}.max_items", *MAX_ITEMS_RANGE), DEFAULT_MAX_ITEMS)
    min_score = check.optional(f, "min_score", lambda v: check.number(
        v, f"{where}.min_score"), None)
    if len(check.problems) > n or theme_terms is None:
        return None
    return ThemeConfig(id=tid, title=title, description=description, terms=theme_terms,
                       exclude=exclude, not_=not_, max_items=max_items, min_score=min_score,
                       line=key.start_mark.line + 1, require=require)


def terms(check: Checker, node: Node, where: str, *, required: bool
          ) -> tuple[TermSpec, ...] | None:
    """A list of weighted terms (``"military exercise^2"``); ``required``: at least one."""
    raw = check.strings(node, where)
    if raw is None:
        return None
    if required and not raw:
        check.problem(node, where, "a theme needs at least one term")
        return None
    out: list[TermSpec] = []
    ok = True
    for i, (item, text) in enumerate(zip(node.value, raw)):
        try:
            out.append(parse_term(text))
        except ValueError as exc:
            check.problem(item, f"{where}[{i}]", str(exc))
            ok = False
    return tuple(out) if ok else None


def exclusions(check: Checker, node: Node, where: str) -> tuple[str, ...] | None:
    """``exclude``: phrases, or sense rules written ``word NEAR/n context``."""
    raw = check.strings(node, where)
    if raw is None:
        return None
    ok = True
    for i, (item, text) in enumerate(zip(node.value, raw)):
        try:
            sense_rule(text)
        except QuerySyntaxError as exc:
            check.query_problem(item, f"{where}[{i}]", text, exc)
            ok = False
    return raw if ok else None
