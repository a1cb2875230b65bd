"""The config's YAML node tree -> typed :class:`~briefing.config.model.Config`: the walk behind
``config.load_config``. Every key is checked against ``config.ACCEPTED_KEYS``, every value for
its type and range, and every problem is collected with its line and column, so one run reports
them all; a wrong value yields ``None`` and nothing is built on it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefing.config.model import (
    ACCEPTED_KEYS,
    DEFAULT_MAX_ITEMS,
    FETCH_LIMITS,
    ISO_DATE_RE,
    LAST_EDITION,
    MAX_ITEMS_RANGE,
    PAGE_SIZES,
    SLUG_RE,
    UNDATED,
    WINDOW_DAYS_RE,
    Config,
    DeliveryConfig,
    FeedConfig,
    FetchConfig,
    Reader,
    ReaderTheme,
    SourceMeta,
    TermSpec,
    ThemeConfig,
    locate,
    parse_term,
    suggest,
)
from briefing.deliver.headers import (
    HOST_LABEL,
    hidden_control,
    list_id_parts,
    mailbox,
    valid_address,
)
from briefing.errors import Problem
from briefing.judge.query import QuerySyntaxError, parse, sense_rule
from briefing.publish.output import FORMATS
from briefing.read.links import http_url
from briefing.store.url import is_url, url_problem

T = TypeVar("T")

_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_TAG = "tag:yaml.org,2002:"
_HOST_RE = re.compile(rf"^(?=.{{1,253}}$){HOST_LABEL}(?:\.{HOST_LABEL})*\.?$")


class Checker:
    """Walks the node tree, building typed values and collecting problems. Each method returns
    ``None`` for a value it reported as wrong, so a caller never builds on bad input."""

    def __init__(self, display: str, root: Path) -> None:
        self.display = display
        self.root = root
        self.problems: list[Problem] = []
        # (node, key path, resolved path, "exists" | "file"): checked after the walk.
        self.paths: list[tuple[Node, str, Path, str]] = []
        self.constructor = yaml.constructor.SafeConstructor()

    def problem(self, node: Node | None, where: str, message: str) -> None:
        if node is None:
            self.problems.append(Problem(self.display, None, None, where, message))
        else:
            mark = node.start_mark
            self.problems.append(Problem(self.display, mark.line + 1, mark.column + 1, where,
                                         message))

    # Scalars -------------------------------------------------------------------------------

    def scalar(self, node: Node, where: str, expected: str) -> object:
        """The Python value of a scalar node; ``...`` (Ellipsis) after reporting a problem."""
        if not isinstance(node, ScalarNode):
            got = "a list" if isinstance(node, SequenceNode) else "a mapping"
            self.problem(node, where, f"expected {expected}, got {got}")
            return ...
        if node.tag == _TAG + "str":
            return node.value
        try:
            return self.constructor.construct_object(node)
        except yaml.constructor.ConstructorError:
            self.problem(node, where, f"unsupported YAML tag {node.tag!r}")
        except Exception:  # a resolvable but impossible value, e.g. a timestamp of 2021-02-30
            self.problem(node, where, f"expected {expected}, got {node.value!r}")
        return ...

    def string(self, node: Node, where: str, *, required: bool = False,
               expected: str = "a string") -> str | None:
        value = self.scalar(node, where, expected)
        if value is ...:
            return None
        if value is None and not required:
            return None
        # Numbers read as their text (title: 1984); booleans and nulls are almost always slips.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = node.value
        if not isinstance(value, str):
            self.problem(node, where, f"expected {expected}, got {_describe(value)}")
            return None
        if not value.strip():
            self.problem(node, where, f"expected {expected}, got an empty string")
            return None
        return value.strip()

    def line(self, node: Node, where: str, what: str, *, required: bool = False) -> str | None:
        """A one-line string: header values must never carry CR/LF (header injection), not
        even inside an RFC 2047 encoded word (see :meth:`header_text`)."""
        value = self.string(node, where, required=required, expected=what)
        if value is not None and ("\n" in value or "\r" in value):
            self.problem(node, where, f"expected {what} on one line")
            return None
        return self.header_text(node, where, value)

    def header_text(self, node: Node, where: str, value: str | None) -> str | None:
        """``value``, unless it holds an encoded word that decodes to a control character
        (``=?utf-8?q?Eve=0D=0ABcc:_x@y?=``): text meant for a header, written to break it."""
        word = hidden_control(value) if value is not None else None
        if word is not None:
            self.problem(node, where, f"{word!r} is an RFC 2047 encoded word that decodes to "
                         "a line break or control character; write the text itself")
            return None
        return value

    def integer(self, node: Node, where: str, lo: int, hi: int | None) -> int | None:
        bounds = f"between {lo} and {hi}" if hi is not None else f"{lo} or more"
        value = self.scalar(node, where, f"an integer {bounds}")
        if value is ...:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(node, where, f"expected an integer {bounds}, got {_describe(value)}")
            return None
        if value < lo or (hi is not None and value > hi):
            self.problem(node, where, f"expected an integer {bounds}, got {value}")
            return None
        return value

    def number(self, node: Node, where: str) -> float | None:
        value = self.scalar(node, where, "a number >= 0")
        if value is ...:
            return None
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
            self.problem(node, where, f"expected a number >= 0, got {_describe(value)}")
            return None
        if value < 0 or value == float("inf"):
            self.problem(node, where, f"expected a number >= 0, got {value}")
            return None
        return float(value)

    def date(self, node: Node, where: str, value: object = None) -> str | None:
        """An ISO date 'YYYY-MM-DD', written quoted or not (YAML reads the latter as a date)."""
        if value is None:
            value = self.scalar(node, where, "a date YYYY-MM-DD")
            if value is ...:
                return None
        if isinstance(value, dt.datetime):
            self.problem(node, where, "expected a date YYYY-MM-DD, got a date and time")
            return None
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str) and ISO_DATE_RE.match(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                self.problem(node, where, f"not a real date: {value.strip()!r}")
                return None
        self.problem(node, where, f"expected a date YYYY-MM-DD, got {_describe(value)}")
        return None

    def path(self, node: Node, where: str, must: str | None = None) -> Path | None:
        """A path resolved against the config's folder; ``must`` ("exists" or "file") queues
        an existence check for :func:`load_config`."""
        text = self.string(node, where, required=True, expected="a path")
        if text is None:
            return None
        if "\0" in text:  # the OS cannot even look such a path up
            self.problem(node, where, "a path cannot contain a NUL character")
            return None
        resolved = (self.root / os.path.expanduser(text)).resolve()
        if must:
            self.paths.append((node, where, resolved, must))
        return resolved

    def url(self, node: Node, where: str, schemes: tuple[str, ...]) -> str | None:
        what = "URL (" + " or ".join(f"{s}:" for s in schemes) + ")"
        value = self.line(node, where, f"a {what}")
        if value is None:
            return None
        try:
            parts = urlsplit(value)
        except ValueError:  # "http://[::1": a host urlsplit cannot read
            parts = urlsplit("")
        if parts.scheme not in schemes:
            self.problem(node, where, f"expected a {what}, got {value!r}")
            return None
        if parts.scheme == "mailto":
            if not valid_address(parts.path):
                self.problem(node, where, f"bad email address in {value!r}")
                return None
        elif not parts.netloc or http_url(value) is None:  # the rule build and render apply
            self.problem(node, where, f"expected a {what} with a host, got {value!r}")
            return None
        return value

    def address(self, node: Node, where: str, *, named: bool, required: bool = False
                ) -> str | None:
        """An email address; ``named`` also allows the 'Name <addr@host>' form."""
        what = "an email address" + (" or 'Name <address>'" if named else "")
        value = self.line(node, where, what, required=required)
        if value is None:
            return None
        try:
            mailbox(value, named=named)  # delivery's own rule: what passes here is sendable
        except ValueError as exc:
            self.problem(node, where, str(exc))
            return None
        return value

    # Collections ---------------------------------------------------------------------------

    def mapping(self, node: Node, where: str, section: str | None,
                at: Node | None = None) -> dict[str, tuple[Node, Node]] | None:
        """The keys of a mapping node with their key and value nodes. Duplicate keys are errors,
        and with ``section`` so are unknown keys and missing required ones."""
        if not isinstance(node, MappingNode) or node.tag != _TAG + "map":
            what = f" with keys {', '.join(ACCEPTED_KEYS[section])}" if section else \
                " of theme id -> theme"
            self.problem(node, where, "expected a mapping" + what)
            return None
        accepted = ACCEPTED_KEYS[section] if section else {}
        seen: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                self.problem(key, where, "expected a plain key, got a collection")
                continue
            here = f"{where}.{key.value}" if where else key.value
            if key.value in seen:
                first = seen[key.value][0].start_mark.line + 1
                self.problem(key, here, f"duplicate key {key.value!r} (first at line {first})")
                continue
            if section and key.value not in accepted:
                self.problem(key, here, f"unknown key {key.value!r}"
                             + suggest(key.value, tuple(accepted)))
                continue
            seen[key.value] = (key, value)
        for name, spec in accepted.items():
            if spec.required and name not in seen:
                self.problem(at or node, where or name, f"missing required key {name!r}")
        return seen

    def sequence(self, node: Node, where: str, what: str) -> list[Node] | None:
        if not isinstance(node, SequenceNode) or node.tag != _TAG + "seq":
            self.problem(node, where, f"expected {what}")
            return None
        return list(node.value)

    def strings(self, node: Node, where: str) -> tuple[str, ...] | None:
        if _is_null(node):
            return ()
        items = self.sequence(node, where, "a list of strings")
        if items is None:
            return None
        out = [self.string(item, f"{where}[{i}]", required=True) for i, item in enumerate(items)]
        return None if None in out else tuple(s for s in out if s is not None)

    def query_problem(self, node: Node, where: str, source: str, exc: QuerySyntaxError) -> None:
        """Report a query syntax error at its own line and column: where the character at the
        error's offset into the string is in the file, even in a folded (``>-``) query."""
        line, col = _value_position(node, exc.offset)
        self.problems.append(Problem(self.display, line, col, where, f"{exc} (in {source!r})"))

    def query(self, node: Node, where: str) -> str | None:
        """A boolean query string (``require``), checked by parsing it."""
        text = self.string(node, where, required=True)
        if text is None:
            return None
        try:
            parse(text)
        except QuerySyntaxError as exc:
            self.query_problem(node, where, text, exc)
            return None
        return text

    def exclusions(self, node: Node, where: str) -> tuple[str, ...] | None:
        """``exclude``: phrases, or sense rules written ``word NEAR/n context``."""
        raw = self.strings(node, where)
        if raw is None:
            return None
        ok = True
        for i, (item, text) in enumerate(zip(node.value, raw)):
            try:
                sense_rule(text)
            except QuerySyntaxError as exc:
                self.query_problem(item, f"{where}[{i}]", text, exc)
                ok = False
        return raw if ok else None

    def terms(self, node: Node, where: str, *, required: bool) -> tuple[TermSpec, ...] | None:
        raw = self.strings(node, where)
        if raw is None:
            return None
        if required and not raw:
            self.problem(node, where, "a theme needs at least one term")
            return None
        out: list[TermSpec] = []
        ok = True
        for i, (item, text) in enumerate(zip(node.value, raw)):
            try:
                out.append(parse_term(text))
            except ValueError as exc:
                self.problem(item, f"{where}[{i}]", str(exc))
                ok = False
        return tuple(out) if ok else None

    def optional(self, fields: dict[str, tuple[Node, Node]], key: str,
                 read: Callable[[Node], T | None], default: T) -> T:
        """``read`` of the value under ``key``, or ``default`` when absent, null or wrong."""
        if key not in fields or _is_null(fields[key][1]):
            return default
        value = read(fields[key][1])
        return default if value is None else value

    # The sections --------------------------------------------------------------------------

    def config(self, node: Node | None, sha256: str, path: Path) -> Config | None:
        if node is None:
            self.problem(None, "", "the config is empty: expected a mapping with title, corpus "
                         "and themes")
            return None
        f = self.mapping(node, "", "config")
        if f is None:
            return None
        n = len(self.problems)
        title = self.header_text(f["title"][1], "title", self.string(
            f["title"][1], "title", required=True)) if "title" in f else None
        language = self.optional(f, "language", lambda v: self.language(v), "en")
        corpus = self.corpus(f["corpus"][1]) if "corpus" in f else None
        out = self.optional(f, "out", lambda v: self.path(v, "out"), self.root.parent / "out")
        here: tuple[Path, str | None] = (self.root.parent / ".briefing", None)
        store, store_url = self.optional(f, "store", self.store, here)
        page_size = self.optional(f, "page_size", lambda v: self.choice(v, "page_size",
                                                                        PAGE_SIZES), "A4")
        themes = self.themes(f["themes"][1], f["themes"][0]) if "themes" in f else None
        sources = self.optional(f, "sources", self.sources, ())
        theme_ids = tuple(t.id for t in themes) if themes else None
        readers = self.optional(f, "readers", lambda v: self.readers(v, theme_ids), ())
        delivery = self.optional(f, "delivery", self.delivery, DeliveryConfig())
        feeds = self.optional(f, "feeds", self.feeds, ())
        fetch = self.fetch(f.get("fetch"), corpus)
        if len(self.problems) > n or title is None or corpus is None or themes is None:
            return None
        return Config(path=path, root=self.root, title=title, language=language, corpus=corpus,
                      out=out, store=store, store_url=store_url, page_size=page_size,
                      themes=themes, sources=sources,
                      readers=readers, delivery=delivery, feeds=feeds, fetch=fetch,
                      sha256=sha256)

    def store(self, node: Node) -> tuple[Path, str | None] | None:
        """``store:``: a folder, or a server store's URL, checked by the store's own rule
        (what stays on this machine then goes in the default folder)."""
        if not isinstance(node, ScalarNode) or not is_url(node.value):
            path = self.path(node, "store")
            return None if path is None else (path, None)
        problem = url_problem(node.value)
        if problem:
            self.problem(node, "store", problem)
            return None
        return self.root.parent / ".briefing", node.value

    def language(self, node: Node) -> str | None:
        value = self.string(node, "language", expected="a language tag such as 'en'")
        if value is not None and not _LANG_RE.match(value):
            self.problem(node, "language", f"expected a language tag such as 'en', got {value!r}")
            return None
        return value

    def choice(self, node: Node, where: str, choices: tuple[str, ...]) -> str | None:
        value = self.string(node, where, expected="one of " + ", ".join(choices))
        if value is None:
            return None
        if value not in choices:
            self.problem(node, where, f"unknown value {value!r}; expected one of "
                         + ", ".join(choices) + suggest(value, choices))
            return None
        return value

    def corpus(self, node: Node) -> tuple[Path, ...] | None:
        if isinstance(node, SequenceNode):
            items = self.sequence(node, "corpus", "a path or a list of paths") or []
            if not items:
                self.problem(node, "corpus", "expected at least one path")
                return None
            paths = [self.path(item, f"corpus[{i}]", "exists") for i, item in enumerate(items)]
            return None if None in paths else tuple(p for p in paths if p is not None)
        if isinstance(node, ScalarNode):
            p = self.path(node, "corpus", "exists")
            return None if p is None else (p,)
        self.problem(node, "corpus", "expected a path or a list of paths")
        return None

    def themes(self, node: Node, key: Node) -> tuple[ThemeConfig, ...] | None:
        if _is_null(node):
            self.problem(key, "themes", "expected at least one theme")
            return None
        fields = self.mapping(node, "themes", None, at=key)
        if fields is None:
            return None
        if not fields:
            self.problem(node, "themes", "expected at least one theme")
            return None
        out = [self.theme(k, v) for k, v in fields.values()]
        return None if None in out else tuple(t for t in out if t is not None)

    def theme(self, key: Node, node: Node) -> ThemeConfig | None:
        tid = key.value
        where = f"themes.{tid}"
        n = len(self.problems)
        if not SLUG_RE.match(tid):
            self.problem(key, where, f"bad theme id {tid!r}: use lower-case letters, digits and "
                         "'-' (e.g. 'central-asia-borders')")
        f = self.mapping(node, where, "theme", at=key)
        if f is None:
            return None
        title = self.optional(f, "title", lambda v: self.line(v, f"{where}.title", "a title"),
                              tid.replace("-", " ").capitalize())
        description = self.optional(
            f, "description", lambda v: self.string(v, f"{where}.description"), "")
        terms = self.terms(f["terms"][1], f"{where}.terms", required=True) if "terms" in f \
            else None
        exclude = self.optional(f, "exclude", lambda v: self.exclusions(v, f"{where}.exclude"), ())
        not_ = self.optional(f, "not", lambda v: self.strings(v, f"{where}.not"), ())
        require = self.optional(f, "require", lambda v: self.query(v, f"{where}.require"), None)
        max_items = self.optional(f, "max_items", lambda v: self.integer(
            v, f"{where}.max_items", *MAX_ITEMS_RANGE), DEFAULT_MAX_ITEMS)
        min_score = self.optional(f, "min_score", lambda v: self.number(
            v, f"{where}.min_score"), None)
        if len(self.problems) > n or terms is None:
            return None
        return ThemeConfig(id=tid, title=title, description=description, terms=terms,
                           exclude=exclude, not_=not_, max_items=max_items, min_score=min_score,
                           line=key.start_mark.line + 1, require=require)

    def sources(self, node: Node) -> tuple[SourceMeta, ...] | None:
        items = self.sequence(node, "sources", "a list of sources (each with a 'path')")
        if items is None:
            return None
        out: list[SourceMeta | None] = []
        first: dict[Path, int] = {}
        for i, item in enumerate(items):
            where = f"sources[{i}]"
            n = len(self.problems)
            f = self.mapping(item, where, "source")
            if f is None:
                out.append(None)
                continue
            path = self.path(f["path"][1], f"{where}.path", "file") if "path" in f else None
            if path is not None and path in first:
                self.problem(f["path"][1], f"{where}.path",
                             f"duplicate source: already listed as sources[{first[path]}]")
            elif path is not None:
                first[path] = i
            meta = {k: self.optional(f, k, lambda v, k=k: self.line(v, f"{where}.{k}", f"a {k}"),
                                     None) for k in ("title", "outlet", "byline")}
            url = self.optional(f, "url", lambda v: self.url(v, f"{where}.url",
                                                             ("http", "https")), None)
            published = self.optional(f, "published",
                                      lambda v: self.date(v, f"{where}.published"), None)
            if len(self.problems) > n or path is None:
                out.append(None)
                continue
            out.append(SourceMeta(path=path, url=url, published=published, **meta))
        return None if None in out else tuple(s for s in out if s is not None)

    def readers(self, node: Node, theme_ids: tuple[str, ...] | None
                ) -> tuple[Reader, ...] | None:
        items = self.sequence(node, "readers", "a list of reader profiles")
        if items is None:
            return None
        out: list[Reader | None] = []
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            reader = self.reader(item, f"readers[{i}]", theme_ids)
            if reader is not None and reader.id in first:
                self.problem(locate(item, ["id"]), f"readers[{i}].id",
                             f"duplicate reader id {reader.id!r} "
                             f"(also readers[{first[reader.id]}])")
                reader = None
            elif reader is not None:
                first[reader.id] = i
            out.append(reader)
        return None if None in out else tuple(r for r in out if r is not None)

    def reader(self, node: Node, where: str, theme_ids: tuple[str, ...] | None) -> Reader | None:
        f = self.mapping(node, where, "reader")
        if f is None:
            return None
        n = len(self.problems)
        rid = self.string(f["id"][1], f"{where}.id", required=True) if "id" in f else None
        if rid is not None and not SLUG_RE.match(rid):
            self.problem(f["id"][1], f"{where}.id", f"bad reader id {rid!r}: use lower-case "
                         "letters, digits and '-' (at most 63), e.g. 'security-desk'")
        elif rid is not None and ISO_DATE_RE.match(rid):
            # out/editions/ names each date's folder so, beside each reader's feed folder
            self.problem(f["id"][1], f"{where}.id", f"bad reader id {rid!r}: a date names an "
                         "edition's folder in the archive (out/editions/); use a name")
        name = self.line(f["name"][1], f"{where}.name", "a name", required=True) \
            if "name" in f else None
        email = self.address(f["email"][1], f"{where}.email", named=False, required=True) \
            if "email" in f else None
        themes = self.optional(f, "themes", lambda v: self.reader_themes(
            v, f"{where}.themes", theme_ids), ())
        formats = self.optional(f, "formats", lambda v: self.formats(v, f"{where}.formats"),
                                ("html",))
        greeting = self.optional(f, "greeting", lambda v: self.string(v, f"{where}.greeting"),
                                 None)
        since = self.optional(f, "since", lambda v: self.since(v, f"{where}.since"), None)
        undated = self.optional(f, "undated", lambda v: self.choice(v, f"{where}.undated",
                                                                   UNDATED), "exclude")
        if len(self.problems) > n or rid is None or name is None or email is None:
            return None
        return Reader(id=rid, name=name, email=email, themes=themes, formats=formats,
                      greeting=greeting, since=since, undated=undated)

    def reader_themes(self, node: Node, where: str, theme_ids: tuple[str, ...] | None
                      ) -> tuple[ReaderTheme, ...] | None:
        items = self.sequence(node, where, "a list of theme ids (or {id: ..., max_items: ...})")
        if items is None:
            return None
        out: list[ReaderTheme | None] = []
        seen: set[str] = set()
        for i, item in enumerate(items):
            here = f"{where}[{i}]"
            rt: ReaderTheme | None = None
            id_node = item
            if isinstance(item, MappingNode):
                f = self.mapping(item, here, "reader_theme")
                if f is not None and "id" in f:
                    id_node = f["id"][1]
                    tid = self.string(id_node, f"{here}.id", required=True)
                    n = len(self.problems)
                    max_items = self.optional(f, "max_items", lambda v: self.integer(
                        v, f"{here}.max_items", *MAX_ITEMS_RANGE), None)
                    extra = self.optional(f, "extra_terms", lambda v: self.terms(
                        v, f"{here}.extra_terms", required=False), ())
                    exclude = self.optional(f, "exclude", lambda v: self.exclusions(
                        v, f"{here}.exclude"), ())
                    if tid is not None and len(self.problems) == n:
                        rt = ReaderTheme(tid, max_items, extra, exclude)
                    here = f"{here}.id"
            else:
                tid = self.string(item, here, required=True, expected="a theme id")
                rt = ReaderTheme(tid) if tid is not None else None
            if rt is not None and theme_ids is not None and rt.id not in theme_ids:
                self.problem(id_node, here, f"unknown theme {rt.id!r}"
                             + suggest(rt.id, theme_ids))
                rt = None
            elif rt is not None and rt.id in seen:
                self.problem(id_node, here, f"theme {rt.id!r} is listed twice")
                rt = None
            if rt is not None:
                seen.add(rt.id)
            out.append(rt)
        return None if None in out else tuple(t for t in out if t is not None)

    def formats(self, node: Node, where: str) -> tuple[str, ...] | None:
        raw = self.strings(node, where)
        if raw is None:
            return None
        if not raw:
            self.problem(node, where, "expected at least one format: " + ", ".join(FORMATS))
            return None
        ok = True
        for i, (item, value) in enumerate(zip(node.value, raw)):
            if value not in FORMATS:
                self.problem(item, f"{where}[{i}]",
                             f"unknown format {value!r}; expected one of " + ", ".join(FORMATS)
                             + suggest(value, FORMATS))
                ok = False
        return tuple(dict.fromkeys(raw)) if ok else None

    def since(self, node: Node, where: str) -> str | None:
        what = f"'{LAST_EDITION}', a number of days such as '7d', or a date YYYY-MM-DD"
        value = self.scalar(node, where, what)
        if value is ...:
            return None
        if isinstance(value, dt.date):
            return self.date(node, where, value)
        if isinstance(value, str):
            text = value.strip()
            m = WINDOW_DAYS_RE.match(text)
            if text == LAST_EDITION or (m and int(m.group("n")) > 0):
                return text
            if ISO_DATE_RE.match(text):
                return self.date(node, where, text)
        self.problem(node, where, f"expected {what}, got {_describe(value)}")
        return None

    def delivery(self, node: Node) -> DeliveryConfig | None:
        f = self.mapping(node, "delivery", "delivery")
        if f is None:
            return None
        n = len(self.problems)
        d = DeliveryConfig(
            sender=self.optional(f, "from", lambda v: self.address(
                v, "delivery.from", named=True), None),
            reply_to=self.optional(f, "reply_to", lambda v: self.address(
                v, "delivery.reply_to", named=True), None),
            list_id=self.optional(f, "list_id", lambda v: self.list_id(v), None),
            unsubscribe=self.optional(f, "unsubscribe", lambda v: self.url(
                v, "delivery.unsubscribe", ("mailto", "https")), None),
            rate_per_minute=self.optional(f, "rate_per_minute", lambda v: self.integer(
                v, "delivery.rate_per_minute", 1, None), 60),
            ca_file=self.optional(f, "ca_file", lambda v: self.path(
                v, "delivery.ca_file", "file"), None),
            web_url=self.optional(f, "web_url", lambda v: self.url(
                v, "delivery.web_url", ("https", "http")), None),
        )
        return d if len(self.problems) == n else None

    def feeds(self, node: Node) -> tuple[FeedConfig, ...] | None:
        """``feeds:``: URLs, or ``{url: ..., outlet: ...}`` mappings; each URL once."""
        items = self.sequence(node, "feeds", "a list of feed URLs (or {url: ..., outlet: ...})")
        if items is None:
            return None
        out: list[FeedConfig | None] = []
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            where = f"feeds[{i}]"
            url_node, outlet = item, None
            if isinstance(item, MappingNode):
                f = self.mapping(item, where, "feed")
                if f is None or "url" not in f:
                    out.append(None)
                    continue
                url_node, where = f["url"][1], f"{where}.url"
                outlet = self.optional(f, "outlet", lambda v, i=i: self.line(
                    v, f"feeds[{i}].outlet", "an outlet name"), None)
            url = self.url(url_node, where, ("https", "http"))
            if url is not None and url in first:
                self.problem(url_node, where, f"feed {url!r} is listed twice "
                             f"(also feeds[{first[url]}])")
                url = None
            elif url is not None:
                first[url] = i
            out.append(FeedConfig(url, outlet) if url is not None else None)
        return None if None in out else tuple(x for x in out if x is not None)

    def fetch(self, pair: tuple[Node, Node] | None, corpus: tuple[Path, ...] | None
              ) -> FetchConfig:
        """``fetch:``, with ``into`` (where fetched articles go) inside a corpus folder: the
        first one's ``fetched/`` unless it says otherwise."""
        folders = [p for p in corpus or () if p.suffix == "" or p.is_dir()]
        default_into = folders[0] / "fetched" if folders else None
        if pair is None or _is_null(pair[1]):
            return FetchConfig(into=default_into)
        f = self.mapping(pair[1], "fetch", "fetch")
        if f is None:
            return FetchConfig(into=default_into)
        defaults = FetchConfig()
        into = self.optional(f, "into", lambda v: self.path(v, "fetch.into"), default_into)
        if "into" in f and into is not None and corpus is not None and not any(
                into == p or p in into.parents for p in corpus):
            self.problem(f["into"][1], "fetch.into", f"{into} is not inside a corpus folder, so "
                         "the articles fetched there would never be read; put it under "
                         + " or ".join(str(p) for p in corpus))
        numbers = {}
        for key, (lo, hi) in FETCH_LIMITS.items():
            read = (lambda v, key=key, lo=lo, hi=hi: self.integer(v, f"fetch.{key}", lo, hi)) \
                if isinstance(lo, int) else \
                (lambda v, key=key, lo=lo, hi=hi: self.bounded(v, f"fetch.{key}", lo, hi))
            numbers[key] = self.optional(f, key, read, getattr(defaults, key))
        return FetchConfig(
            into=into, contact=self.optional(f, "contact", self.contact, None),
            allow_private=self.optional(f, "allow_private", self.hosts, ()), **numbers)

    def bounded(self, node: Node, where: str, lo: float, hi: float) -> float | None:
        """A number between ``lo`` and ``hi`` (seconds)."""
        value = self.number(node, where)
        if value is not None and not lo <= value <= hi:
            self.problem(node, where, f"expected a number between {lo:g} and {hi:g}, got {value:g}")
            return None
        return value

    def contact(self, node: Node) -> str | None:
        """``fetch.contact``: where site owners reach whoever runs briefing (User-Agent)."""
        what = "an email address or an https URL where site owners can reach you"
        value = self.line(node, "fetch.contact", what)
        if value is None:
            return None
        if value.startswith(("https://", "http://")):
            return self.url(node, "fetch.contact", ("https", "http"))
        address = value[7:] if value.startswith("mailto:") else value
        if not valid_address(address) or any(c in address for c in "()<>\";"):
            self.problem(node, "fetch.contact", f"expected {what}, got {value!r}")
            return None
        return address

    def hosts(self, node: Node) -> tuple[str, ...] | None:
        """``fetch.allow_private``: host names or IP addresses."""
        raw = self.strings(node, "fetch.allow_private")
        if raw is None:
            return None
        ok = True
        for i, (item, host) in enumerate(zip(node.value, raw)):
            if not _HOST_RE.match(host) and not _is_ip(host):
                self.problem(item, f"fetch.allow_private[{i}]",
                             f"expected a host name or an IP address, got {host!r}")
                ok = False
        return raw if ok else None

    def list_id(self, node: Node) -> str | None:
        """RFC 2919: ``Description <id.example.org>`` or the bare id."""
        what = "a List-Id such as 'News <news.example.org>'"
        value = self.line(node, "delivery.list_id", what)
        if value is None:
            return None
        if list_id_parts(value) is None:
            self.problem(node, "delivery.list_id", f"expected {what}, got {value!r}")
            return None
        return value


def _value_position(node: Node, offset: int) -> tuple[int, int]:
    """The 1-based line and column in the file of the character at ``offset`` in a scalar's
    value. The value's non-blank characters are found in order in the node's source text, past
    the opening quote or the block header (``>-  # comment``); folded line breaks and
    indentation are blank on both sides, so this holds for plain, quoted and block scalars
    alike. Where the source cannot be followed (an escape such as ``\\u00e9``), the node's
    own position."""
    start = node.start_mark
    fallback = (start.line + 1, start.column + 1)
    if not isinstance(node, ScalarNode) or start.buffer is None:
        return fallback
    src = start.buffer[start.pointer:node.end_mark.pointer]
    if node.style in ("|", ">"):
        i = src.find("\n") + 1
    else:
        i = 1 if node.style in ("'", '"') else 0
    value = node.value
    at = i  # where in src the value's character at ``offset`` is, or just past the one before
    for j, c in enumerate(value[:offset + 1]):
        if c.isspace():
            continue
        while i < len(src) and (src[i].isspace() or (
                node.style == '"' and src[i] == "\\" and src[i + 1:i + 2] in ("\n", c))):
            i += 1  # blanks, a line continuation, the backslash of an escaped quote
        if i >= len(src) or src[i] != c:
            return fallback
        at = i if j == offset else i + 1
        i += 1
        if node.style == "'" and c == "'":
            i += 1  # '' stands for one quote
    if offset >= len(value):
        at = i
    before = src.rfind("\n", 0, at)
    if before < 0:
        return start.line + 1, start.column + at + 1
    return start.line + src.count("\n", 0, at) + 1, at - before


def _is_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _TAG + "null"


def _describe(value: object) -> str:
    """How a wrongly-typed YAML value is named in a message."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, str):
        return repr(value)
    return type(value).__name__
