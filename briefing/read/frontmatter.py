"""YAML front matter at the top of a text file: its mapping, read with the limits a hostile file
meets.

One bad file must never sink a run over a corpus, so what front matter can make the reader do
is bounded: over ``FRONT_MATTER_MAX`` characters, with a YAML alias (a few hundred bytes of
anchors expand to gigabytes) or nested deeper than ``FRONT_MATTER_DEPTH`` it is refused and the
file skipped; a value YAML cannot build (``published: 2021-13-45``, a 5,000-digit number) stays
the text it is; YAML that does not parse is ignored (the article is still read).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

FRONT_MATTER_MAX = 64 * 1024  # characters of front matter at most (metadata takes a few hundred)
FRONT_MATTER_DEPTH = 16  # levels of nesting at most in front matter
_FRONT_END = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r\n|\r|\n|\Z)", re.M)
_FRONT_START = re.compile(r"---[ \t]*(?:\r\n|\r|\n)")


class FrontMatter(NamedTuple):
    """What :func:`front_matter` found at the top of a text."""

    data: dict[str, Any] | None  # the mapping; None: no front matter, or an unreadable one
    body_start: int  # where the text after it starts (0: none)
    error: str | None = None  # why it is unreadable (it is then ignored)
    lines: Mapping[str, int] = {}  # the file's line of each top-level key
    refused: str | None = None  # why the file must be skipped: the front matter is hostile
    refused_at: int | None = None  # the file's line where that was met, when known


class _Refused(Exception):
    """Front matter over a limit (``line``: the file's line, 1-based, where it was met)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line


@lru_cache(maxsize=1)
def _front_loader() -> type:
    """yaml.SafeLoader with the limits front matter keeps (made once, when first needed: yaml
    is only imported for files that have front matter)."""
    import yaml
    from yaml.constructor import SafeConstructor

    class FrontLoader(yaml.SafeLoader):
        """No aliases and a bounded depth (``_Refused``); a date or number that cannot be built
        (2021-13-45, more digits than Python converts) is kept as the text written."""

        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            line = event.start_mark.line + 2 if event.start_mark else None  # after the '---'
            if isinstance(event, yaml.AliasEvent):
                raise _Refused(line, f"front matter uses a YAML alias (*{event.anchor}); "
                                     "aliases are not allowed")
            self.depth += 1
            if self.depth > FRONT_MATTER_DEPTH:
                raise _Refused(line, f"front matter is nested more than {FRONT_MATTER_DEPTH} "
                                     "levels deep")
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    def lenient(build: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        def construct(loader: Any, node: Any) -> Any:
            try:
                return build(loader, node)
            except (ValueError, OverflowError):
                return loader.construct_scalar(node)

        return construct

    for tag, build in (("timestamp", SafeConstructor.construct_yaml_timestamp),
                       ("int", SafeConstructor.construct_yaml_int),
                       ("float", SafeConstructor.construct_yaml_float)):
        FrontLoader.add_constructor(f"tag:yaml.org,2002:{tag}", lenient(build))
    return FrontLoader


def front_matter(text: str) -> FrontMatter:
    """The YAML front matter between '---' lines at the top of ``text``: its mapping and
    where the body starts. Unreadable YAML gives ``error`` (the front matter is ignored); one
    over a limit (size, alias, depth) gives ``refused``: the file is not to be read."""
    m = _FRONT_START.match(text)
    if not m:
        return FrontMatter(None, 0)
    end = _FRONT_END.search(text, m.end())
    if not end:
        return FrontMatter(None, 0)
    if end.start() - m.end() > FRONT_MATTER_MAX:
        return FrontMatter(None, end.end(), refused=f"front matter over {FRONT_MATTER_MAX:,} "
                                                    "characters")
    import yaml  # only paid for files that have front matter

    loader = None
    try:
        loader = _front_loader()(text[m.end() : end.start()])  # refuses unprintable characters
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except _Refused as exc:
        return FrontMatter(None, end.end(), refused=exc.args[0], refused_at=exc.line)
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        # TypeError: a mapping key YAML can build but Python cannot hash ({[1]: x})
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return FrontMatter(None, end.end(), f"front matter is not valid YAML: {first}")
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        return FrontMatter(None, end.end(), "front matter is not a mapping")
    lines = {k.value: k.start_mark.line + 2 for k, _ in node.value
             if isinstance(k, yaml.ScalarNode)} if node is not None else {}
    return FrontMatter(data, end.end(), lines=lines)

