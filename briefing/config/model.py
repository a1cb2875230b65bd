"""YAML -> typed, validated :class:`Config`; every problem reported at once, by file:line:col.

The YAML is composed (not loaded) with ``yaml.SafeLoader`` so each value keeps its node and so its
position: a problem reads ``config/briefing.yaml:12:7: themes.security.terms: expected a list of
strings``. Every key is checked against :data:`ACCEPTED_KEYS`, the one table of what the loader
accepts (the committed JSON Schema is kept in step with it by a test). Relative paths resolve
against the config file's folder, as MkDocs does, so a config can be moved with its workspace.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefing.errors import UsageError

T = TypeVar("T")

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # a date as YYYY-MM-DD
PAGE_SIZES = ("A4", "Letter")
MAX_ITEMS_RANGE = (1, 50)
DEFAULT_MAX_ITEMS = 6  # a section's items when its theme does not say (the JSON Schema's too)
LAST_EDITION = "last-edition"  # a reader's since: what is new since their last edition sent
WINDOW_DAYS_RE = re.compile(r"^(?P<n>\d{1,5})d$")  # a reader's since as a number of days, '7d'
UNDATED = ("exclude", "include")  # a reader's ``undated``: what a windowed edition does with them
_TERM_RE = re.compile(r"^(?P<text>.*?)\^(?P<weight>.*)$", re.S)
_NUMBER_RE = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)$")


# --- The typed result -----------------------------------------------------------------------


@dataclass(frozen=True)
class TermSpec:
    """One weighted query term: ``"military exercise^2"`` in YAML (a Lucene-style boost)."""

    text: str
    weight: float = 1.0


@dataclass(frozen=True)
class ThemeConfig:
    """A theme as configured; ``not_`` is the YAML key ``not``."""

    id: str
    title: str
    description: str
    terms: tuple[TermSpec, ...]
    exclude: tuple[str, ...] = ()
    not_: tuple[str, ...] = ()
    max_items: int = DEFAULT_MAX_ITEMS
    min_score: float | None = None
    line: int = 0
    require: str | None = None  # a boolean query (briefing/query.py) a shown passage satisfies


@dataclass(frozen=True)
class SourceMeta:
    """What the user knows of one source file (the optional ``sources:`` manifest)."""

    path: Path
    title: str | None = None
    outlet: str | None = None
    byline: str | None = None
    url: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class ReaderTheme:
    """A theme in a reader's profile, with that reader's adjustments."""

    id: str
    max_items: int | None = None
    extra_terms: tuple[TermSpec, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reader:
    """A reader profile: who gets which themes in which formats. Empty ``themes`` = all."""

    id: str
    name: str
    email: str
    themes: tuple[ReaderTheme, ...] = ()
    formats: tuple[str, ...] = ("html",)
    greeting: str | None = None
    since: str | None = None
    undated: str = "exclude"  # or "include": articles with no known date in a windowed edition


@dataclass(frozen=True)
class DeliveryConfig:
    """Mail headers and pacing; SMTP settings come from the environment, never from here."""

    sender: str | None = None
    reply_to: str | None = None
    list_id: str | None = None
    unsubscribe: str | None = None
    rate_per_minute: int = 60
    ca_file: Path | None = None
    web_url: str | None = None


@dataclass(frozen=True)
class FeedConfig:
    """A feed to poll (``feeds:``): its URL and, optionally, the outlet its articles are from
    (which wins over what the feed and the pages say)."""

    url: str
    outlet: str | None = None


@dataclass(frozen=True)
class FetchConfig:
    """How ``briefing fetch`` behaves (``fetch:``); see README "Getting articles in".
    ``into`` is None when the config has no corpus folder to put fetched articles in."""

    into: Path | None = None
    contact: str | None = None  # an email address or URL, sent in the User-Agent
    delay: float = 2.0
    concurrency: int = 4
    timeout: float = 30.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    allow_private: tuple[str, ...] = ()


FETCH_LIMITS = {"delay": (0.0, 3600.0), "concurrency": (1, 32), "timeout": (1.0, 600.0),
                "max_bytes": (10_000, 1_000_000_000), "max_redirects": (0, 20)}


@dataclass(frozen=True, kw_only=True)
class Config:
    """The whole validated config. ``path`` is as the caller gave it; every other path is
    absolute, resolved against ``root`` (the config file's folder). Keyword-only, so the fields
    can keep their reading order while some have defaults."""

    path: Path
    root: Path
    title: str
    language: str = "en"
    corpus: tuple[Path, ...]
    out: Path
    store: Path  # the folder of what is kept on this machine (the embedded store, the PDFs)
    store_url: str | None = None  # a server store (``store: postgresql://...``), else None
    page_size: str = "A4"
    themes: tuple[ThemeConfig, ...]
    sources: tuple[SourceMeta, ...] = ()
    readers: tuple[Reader, ...] = ()
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    feeds: tuple[FeedConfig, ...] = ()
    fetch: FetchConfig = field(default_factory=FetchConfig)
    sha256: str

    def theme(self, id: str) -> ThemeConfig:
        """The theme with this id; an unknown id is a :class:`UsageError` naming the known ones:
        it comes from the command line (``briefing explain THEME``), the config's own references
        being checked when it is loaded."""
        for t in self.themes:
            if t.id == id:
                return t
        known = [t.id for t in self.themes]
        raise UsageError(f"unknown theme {id!r}{suggest(id, known)}; themes in {self.path}: "
                          + ", ".join(known))

    def reader(self, id: str) -> Reader:
        """The reader profile with this id, or a :class:`UsageError` naming the known ones."""
        for r in self.readers:
            if r.id == id:
                return r
        known = [r.id for r in self.readers]
        raise UsageError(f"unknown reader {id!r}{suggest(id, known)}; readers in {self.path}: "
                          + (", ".join(known) or "none"))


# --- The one table of accepted keys ---------------------------------------------------------


@dataclass(frozen=True)
class KeySpec:
    """How one YAML key is typed: ``shape`` is a small type signature (``string``,
    ``array<string>``, ``string|array<string>``, ``map<theme>``, ...) that the schema test
    derives from the JSON Schema too, so the two cannot drift apart."""

    shape: str
    required: bool = False


ACCEPTED_KEYS: dict[str, dict[str, KeySpec]] = {
    "config": {
        "title": KeySpec("string", required=True),
        "language": KeySpec("string"),
        "corpus": KeySpec("string|array<string>", required=True),
        "out": KeySpec("string"),
        "store": KeySpec("string"),
        "page_size": KeySpec("string"),
        "themes": KeySpec("map<theme>", required=True),
        "sources": KeySpec("array<source>"),
        "readers": KeySpec("array<reader>"),
        "delivery": KeySpec("delivery"),
        "feeds": KeySpec("array<string|feed>"),
        "fetch": KeySpec("fetch"),
    },
    "theme": {
        "title": KeySpec("string"),
        "description": KeySpec("string"),
        "terms": KeySpec("array<string>", required=True),
        "exclude": KeySpec("array<string>"),
        "not": KeySpec("array<string>"),
        "require": KeySpec("string"),
        "max_items": KeySpec("integer"),
        "min_score": KeySpec("number"),
    },
    "source": {
        "path": KeySpec("string", required=True),
        "title": KeySpec("string"),
        "outlet": KeySpec("string"),
        "byline": KeySpec("string"),
        "url": KeySpec("string"),
        "published": KeySpec("string"),
    },
    "reader": {
        "id": KeySpec("string", required=True),
        "name": KeySpec("string", required=True),
        "email": KeySpec("string", required=True),
        "themes": KeySpec("array<string|reader_theme>"),
        "formats": KeySpec("array<string>"),
        "greeting": KeySpec("string"),
        "since": KeySpec("string"),
        "undated": KeySpec("string"),
    },
    "reader_theme": {
        "id": KeySpec("string", required=True),
        "max_items": KeySpec("integer"),
        "extra_terms": KeySpec("array<string>"),
        "exclude": KeySpec("array<string>"),
    },
    "delivery": {
        "from": KeySpec("string"),
        "reply_to": KeySpec("string"),
        "list_id": KeySpec("string"),
        "unsubscribe": KeySpec("string"),
        "rate_per_minute": KeySpec("integer"),
        "ca_file": KeySpec("string"),
        "web_url": KeySpec("string"),
    },
    "feed": {
        "url": KeySpec("string", required=True),
        "outlet": KeySpec("string"),
    },
    "fetch": {
        "into": KeySpec("string"),
        "contact": KeySpec("string"),
        "delay": KeySpec("number"),
        "concurrency": KeySpec("integer"),
        "timeout": KeySpec("number"),
        "max_bytes": KeySpec("integer"),
        "max_redirects": KeySpec("integer"),
        "allow_private": KeySpec("array<string>"),
    },
}


def default(record: type, name: str) -> Any:  # the field's own type
    """The default of field ``name`` of the dataclass ``record``: the one place a default is
    written is the field itself, and the checker takes it from there."""
    for f in fields(record):
        if f.name == name and f.default is not MISSING:
            return f.default
    raise LookupError(f"{record.__name__}.{name} has no default")


def locate(node: Node | None, steps: list[str | int]) -> Node | None:
    """The node at ``steps`` (keys and list indices) below ``node``, if there is one."""
    for step in steps:
        if isinstance(step, str) and isinstance(node, MappingNode):
            node = next((v for k, v in node.value
                         if isinstance(k, ScalarNode) and k.value == step), None)
        elif isinstance(step, int) and isinstance(node, SequenceNode) and step < len(node.value):
            node = node.value[step]
        else:
            return None
    return node


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A " (did you mean 'x'?)" hint for a misspelling, a wrong case or a shortened key."""
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.7)
    if not close and len(word) >= 3:
        # 'desc' for 'description': a prefix that names exactly one key.
        close = [c for c in lowered if c.startswith(word.lower())][:2]
        close = close if len(close) == 1 else []
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


def parse_term(raw: str) -> TermSpec:
    """``"military exercise^2"`` -> ``TermSpec("military exercise", 2.0)``; raises ValueError
    with a message fit for the user when the boost or the term is malformed."""
    text, weight = raw, 1.0
    m = _TERM_RE.match(raw)
    if m:
        text, boost = m.group("text"), m.group("weight").strip()
        if not _NUMBER_RE.match(boost) or float(boost) <= 0:
            raise ValueError(f"bad weight in {raw!r}: expected TERM^WEIGHT with a number > 0, "
                             "e.g. 'troops^2'")
        weight = float(boost)
    text = text.strip()
    # A Lucene habit: '"Islamic State"^3' quotes the phrase before boosting it.
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    if not text:
        raise ValueError(f"empty term in {raw!r}")
    if "\n" in text or "\r" in text:
        raise ValueError(f"a term cannot span lines: {raw!r}")
    return TermSpec(text, weight)
