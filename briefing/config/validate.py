"""The config's YAML node tree -> typed :class:`~briefing.config.model.Config`: the walk behind
``load.load_config``. Every key is checked against ``model.ACCEPTED_KEYS``, every value for its
type and range, and every problem is collected with its line and column, so one run reports
them all; a wrong value yields ``None`` and nothing is built on it.

This is the walk's top: :func:`check_config` reads each top-level key, in an order where what a
key depends on comes first (a reader's themes must be the config's: ``readers`` after
``themes``; ``fetch.into`` must lie in the corpus: ``fetch`` after ``corpus``), and hands each
part of the config to its checker:

    checker.py    the machinery: problems at file:line:col, the typed values, mappings, lists
    nodes.py      a node's tag, null, position in the file; how a wrong value is named
    sources.py    corpus and sources (what is read)
    themes.py     themes (and the terms and exclusions a reader adds to one)
    readers.py    readers
    delivery.py   delivery
    fetch.py      feeds and fetch

A new top-level key (``compute:``, say) is: its type and default in ``model.py``, its entry in
``model.ACCEPTED_KEYS`` (and in the JSON Schema, which a test keeps in step), a checker of its
own beside ``fetch.py``, and one line in :func:`check_config`.
"""

from __future__ import annotations

import re
from pathlib import Path

from yaml.nodes import Node, ScalarNode

from briefing.config.checker import Checker
from briefing.config.delivery import check_delivery
from briefing.config.fetch import check_feeds, check_fetch
from briefing.config.model import PAGE_SIZES, Config, DeliveryConfig, default
from briefing.config.readers import check_readers
from briefing.config.sources import check_corpus, check_sources
from briefing.config.themes import check_themes
from briefing.store.url import is_url, url_problem

_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def check_config(check: Checker, node: Node | None, sha256: str, path: Path) -> Config | None:
    """The Config of the composed YAML ``node`` (None: an empty file), or None with every
    problem in ``check.problems``; the paths it names are queued in ``check.paths``."""
    if node is None:
        check.problem(None, "", "the config is empty: expected a mapping with title, corpus "
                      "and themes")
        return None
    f = check.mapping(node, "", "config")
    if f is None:
        return None
    n = len(check.problems)
    title = check.header_text(f["title"][1], "title", check.string(
        f["title"][1], "title", required=True)) if "title" in f else None
    language = check.optional(f, "language", lambda v: _language(check, v),
                              default(Config, "language"))
    corpus = check_corpus(check, f["corpus"][1]) if "corpus" in f else None
    out = check.optional(f, "out", lambda v: check.path(v, "out"), check.root.parent / "out")
    here: tuple[Path, str | None] = (check.root.parent / ".briefing", None)
    store, store_url = check.optional(f, "store", lambda v: _store(check, v), here)
    page_size = check.optional(f, "page_size", lambda v: check.choice(v, "page_size",
                                                                      PAGE_SIZES),
                           default(Config, "page_size"))
    themes = check_themes(check, f["themes"][1], f["themes"][0]) if "themes" in f else None
    sources = check.optional(f, "sources", lambda v: check_sources(check, v), ())
    theme_ids = tuple(t.id for t in themes) if themes else None
    readers = check.optional(f, "readers", lambda v: check_readers(check, v, theme_ids), ())
    delivery = check.optional(f, "delivery", lambda v: check_delivery(check, v),
                              DeliveryConfig())
    feeds = check.optional(f, "feeds", lambda v: check_feeds(check, v), ())
    fetch = check_fetch(check, f.get("fetch"), corpus)
    if len(check.problems) > n or title is None or corpus is None or themes is None:
        return None
    return Config(path=path, root=check.root, title=title, language=language, corpus=corpus,
                  out=out, store=store, store_url=store_url, page_size=page_size, themes=themes,
                  sources=sources, readers=readers, delivery=delivery, feeds=feeds, fetch=fetch,
                  sha256=sha256)


def _store(check: Checker, node: Node) -> tuple[Path, str | None] | None:
    """``store:``: a folder, or a server store's URL, checked by the store's own rule (what
    stays on this machine then goes in the default folder)."""
    if not isinstance(node, ScalarNode) or not is_url(node.value):
        path = check.path(node, "store")
        return None if path is None else (path, None)
    problem = url_problem(node.value)
    if problem:
        check.problem(node, "store", problem)
        return None
    return check.root.parent / ".briefing", node.value


def _language(check: Checker, node: Node) -> str | None:
    value = check.string(node, "language", expected="a language tag such as 'en'")
    if value is not None and not _LANG_RE.match(value):
        check.problem(node, "language", f"expected a language tag such as 'en', got {value!r}")
        return None
    return value
