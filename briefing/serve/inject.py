"""The served page's additions, put into the web page as it was rendered, never into a file.

The bar goes after ``<body>``, the reload script before ``</body>``; a link goes after an
element (a section's heading) or at the end of one (an item), found by its ``id`` with the
standard library's HTML parser, whatever the template's markup around it. Nothing else of the
page changes: it stays the page ``briefing build`` writes, so what is tuned is what is shipped.
An id the page does not have (a workspace template that drops it) gets no link.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser

_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)


@dataclass
class Additions:
    """What to put into a page: ``top`` after its ``<body>``, ``bottom`` before its
    ``</body>``, ``after[id]`` after the element with that id, ``inside[id]`` at its end."""

    top: str = ""
    bottom: str = ""
    after: Mapping[str, str] = field(default_factory=dict)
    inside: Mapping[str, str] = field(default_factory=dict)


class _Locator(HTMLParser):
    """Finds, for each wanted id, where its element's end tag starts and ends (offsets)."""

    def __init__(self, text: str, wanted: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.wanted = wanted
        self._starts = [0]
        for m in re.finditer("\n", text):
            self._starts.append(m.end())
        self.text = text
        self.open: list[list] = []  # [tag, id, depth] of wanted elements not yet closed
        self.found: dict[str, tuple[int, int]] = {}  # id -> (start, end) of its end tag

    def _at(self) -> int:
        line, col = self.getpos()
        return self._starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for entry in self.open:
            if entry[0] == tag:
                entry[2] += 1
        ident = dict(attrs).get("id")
        if ident in self.wanted and ident not in self.found:
            self.open.append([tag, ident, 1])

    def handle_endtag(self, tag: str) -> None:
        for entry in list(self.open):
            if entry[0] != tag:
                continue
            entry[2] -= 1
            if entry[2] == 0:
                start = self._at()
                end = self.text.find(">", start)
                self.found[entry[1]] = (start, end + 1 if end >= 0 else len(self.text))
                self.open.remove(entry)


def locate(page: str, ids: set[str]) -> dict[str, tuple[int, int]]:
    """For each of ``ids`` an element of ``page`` has, the offsets of that element's end tag."""
    if not ids:
        return {}
    locator = _Locator(page, ids)
    locator.feed(page)
    locator.close()
    return locator.found


def add(page: str, additions: Additions) -> str:
    """``page`` with ``additions`` put in their places (see :class:`Additions`)."""
    found = locate(page, set(additions.after) | set(additions.inside))
    inserts: list[tuple[int, int, str]] = []  # (offset, order, html): stable at one offset
    for ident, (start, end) in found.items():
        if ident in additions.inside:
            inserts.append((start, 0, additions.inside[ident]))
        if ident in additions.after:
            inserts.append((end, 1, additions.after[ident]))
    opened = _BODY_OPEN.search(page)
    inserts.append((opened.end() if opened else 0, 2, additions.top))
    closes = list(_BODY_CLOSE.finditer(page))
    inserts.append((closes[-1].start() if closes else len(page), 3, additions.bottom))
    out, last = [], 0
    for offset, _, html in sorted(inserts, key=lambda i: (i[0], i[1])):
        out.append(page[last:offset])
        out.append(html)
        last = offset
    out.append(page[last:])
    return "".join(out)
