"""The machinery of the config's walk: :class:`Checker` turns YAML nodes into typed values and
collects every problem with its line and column, so one run reports them all.

The checkers of each part of the config (``themes``, ``readers``, ``delivery``, ``fetch``,
``sources``) and the walk's top (``validate``) are plain functions that take a Checker; what is
here is what every part shares: problems at file:line:col, the scalar types (strings, one-line
header text, integers and numbers in a range, dates, paths, URLs, email addresses, choices,
boolean queries), mappings checked against ``model.ACCEPTED_KEYS``, lists, and optional keys.
A value that another stage would refuse is checked by that stage's own rule (an address by
``deliver.headers``, a URL by ``read.links``, a query by ``judge.query``), never a copy of it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefing.config.model import ACCEPTED_KEYS, ISO_DATE_RE, suggest
from briefing.config.nodes import TAG, describe, is_null, value_position
from briefing.deliver.headers import hidden_control, mailbox, valid_address
from briefing.errors import Problem
from briefing.judge.query import QuerySyntaxError, parse
from briefing.read.links import http_url

T = TypeVar("T")
D = TypeVar("D")


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

    def query_problem(self, node: Node, where: str, source: str, exc: QuerySyntaxError) -> None:
        """Report a query syntax error at its own line and column: where the character at the
        error's offset into the string is in the file, even in a folded (``>-``) query."""
        line, col = value_position(node, exc.offset)
        self.problems.append(Problem(self.display, line, col, where, f"{exc} (in {source!r})"))

    # Scalars -------------------------------------------------------------------------------

    def scalar(self, node: Node, where: str, expected: str) -> object:
        """The Python value of a scalar node; ``...`` (Ellipsis) after reporting a problem."""
        if not isinstance(node, ScalarNode):
            got = "a list" if isinstance(node, SequenceNode) else "a mapping"
            self.problem(node, where, f"expected {expected}, got {got}")
            return ...
        if node.tag == TAG + "str":
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
            self.problem(node, where, f"expected {expected}, got {describe(value)}")
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
            self.problem(node, where, f"expected an integer {bounds}, got {describe(value)}")
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
            self.problem(node, where, f"expected a number >= 0, got {describe(value)}")
            return None
        if value < 0 or value == float("inf"):
            self.problem(node, where, f"expected a number >= 0, got {value}")
            return None
        return float(value)

    def bounded(self, node: Node, where: str, lo: float, hi: float) -> float | None:
        """A number between ``lo`` and ``hi`` (seconds)."""
        value = self.number(node, where)
        if value is not None and not lo <= value <= hi:
            self.problem(node, where, f"expected a number between {lo:g} and {hi:g}, got {value:g}")
            return None
        return value

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
        self.problem(node, where, f"expected a date YYYY-MM-DD, got {describe(value)}")
        return None

    def choice(self, node: Node, where: str, choices: tuple[str, ...]) -> str | None:
        value = self.string(node, where, expected="one of " + ", ".join(choices))
        if value is None:
            return None
        if value not in choices:
            self.problem(node, where, f"unknown value {value!r}; expected one of "
                         + ", ".join(choices) + suggest(value, choices))
            return None
        return value

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

    # Collections ---------------------------------------------------------------------------

    def mapping(self, node: Node, where: str, section: str | None,
                at: Node | None = None) -> dict[str, tuple[Node, Node]] | None:
        """The keys of a mapping node with their key and value nodes. Duplicate keys are errors,
        and with ``section`` so are unknown keys and missing required ones."""
        if not isinstance(node, MappingNode) or node.tag != TAG + "map":
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
        if not isinstance(node, SequenceNode) or node.tag != TAG + "seq":
            self.problem(node, where, f"expected {what}")
            return None
        return list(node.value)

    def strings(self, node: Node, where: str) -> tuple[str, ...] | None:
        if is_null(node):
            return ()
        items = self.sequence(node, where, "a list of strings")
        if items is None:
            return None
        out = [self.string(item, f"{where}[{i}]", required=True) for i, item in enumerate(items)]
        return None if None in out else tuple(s for s in out if s is not None)

    def optional(self, fields: dict[str, tuple[Node, Node]], key: str,
                 read: Callable[[Node], T | None], default: D) -> T | D:
        """``read`` of the value under ``key``, or ``default`` when absent, null or wrong."""
        if key not in fields or is_null(fields[key][1]):
            return default
        value = read(fields[key][1])
        return default if value is None else value
