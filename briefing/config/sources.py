"""The checker of what is read: ``corpus:`` (a path or a list of paths, each of which must
exist) and the ``sources:`` manifest (what the user knows of a source file: its title, outlet,
byline, URL and date; each file once).

Paths resolve against the config's folder; whether they exist is checked after the walk
(``load.load_config``), so a run that replaces the corpus can skip it.
"""

from __future__ import annotations

from pathlib import Path

from yaml.nodes import Node, ScalarNode, SequenceNode

from briefing.config.checker import Checker
from briefing.config.model import SourceMeta


def check_corpus(check: Checker, node: Node) -> tuple[Path, ...] | None:
    if isinstance(node, SequenceNode):
        items = check.sequence(node, "corpus", "a path or a list of paths") or []
        if not items:
            check.problem(node, "corpus", "expected at least one path")
            return None
        paths = [check.path(item, f"corpus[{i}]", "exists") for i, item in enumerate(items)]
        return None if None in paths else tuple(p for p in paths if p is not None)
    if isinstance(node, ScalarNode):
        p = check.path(node, "corpus", "exists")
        return None if p is None else (p,)
    check.problem(node, "corpus", "expected a path or a list of paths")
    return None


def check_sources(check: Checker, node: Node) -> tuple[SourceMeta, ...] | None:
    items = check.sequence(node, "sources", "a list of sources (each with a 'path')")
    if items is None:
        return None
    first: dict[Path, int] = {}
    out = [_source(check, item, i, first) for i, item in enumerate(items)]
    return None if None in out else tuple(s for s in out if s is not None)


def _source(check: Checker, node: Node, i: int, first: dict[Path, int]) -> SourceMeta | None:
    """``sources[i]``; ``first`` holds the index each path was first listed at."""
    where = f"sources[{i}]"
    n = len(check.problems)
    f = check.mapping(node, where, "source")
    if f is None:
        return None
    path = check.path(f["path"][1], f"{where}.path", "file") if "path" in f else None
    if path is not None and path in first:
        check.problem(f["path"][1], f"{where}.path",
                      f"duplicate source: already listed as sources[{first[path]}]")
    elif path is not None:
        first[path] = i
    title, outlet, byline = (_text(check, f, "title", where), _text(check, f, "outlet", where),
                             _text(check, f, "byline", where))
    url = check.optional(f, "url", lambda v: check.url(v, f"{where}.url", ("http", "https")),
                         None)
    published = check.optional(f, "published", lambda v: check.date(v, f"{where}.published"),
                               None)
    if len(check.problems) > n or path is None:
        return None
    return SourceMeta(path=path, title=title, outlet=outlet, byline=byline, url=url,
                      published=published)


def _text(check: Checker, f: dict[str, tuple[Node, Node]], key: str, where: str) -> str | None:
    return check.optional(f, key, lambda v: check.line(v, f"{where}.{key}", f"a {key}"), None)
