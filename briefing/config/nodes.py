"""The YAML node tree as the config's checker reads it: which tag a node carries, whether it is
null, how a wrongly-typed value is named in a message, and where in the file a character of a
scalar's value stands (so a problem inside a long query points at its own line and column).

Nothing here reports a problem: :class:`~briefing.config.checker.Checker` does, with these.
"""

from __future__ import annotations

import datetime as dt

from yaml.nodes import Node, ScalarNode

#: the prefix of YAML's core tags: ``TAG + "str"``, ``TAG + "map"``...
TAG = "tag:yaml.org,2002:"


def is_null(node: Node) -> bool:
    """Whether ``node`` is YAML's null (``~``, ``null`` or nothing after the colon)."""
    return isinstance(node, ScalarNode) and node.tag == TAG + "null"


def describe(value: object) -> str:
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


def value_position(node: Node, offset: int) -> tuple[int, int]:
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
