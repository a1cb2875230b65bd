"""Re-read every cited source and confirm each item is verbatim at its offsets.

Works on ``briefing.json`` and on the output of ``briefing quotes --format json``: any object with
``start``, ``end``, ``text`` and a ``path`` (its own, or its source's in ``sources``) is a cited
item, wherever it sits. The source is decoded with the item's (or its source's) encoding and no
newline translation, exactly as the contract says; a source that is not plain text (a web page,
an email, a PDF) is checked against the reading text its ``text_path`` names (UTF-8 unless
``text_encoding`` says otherwise), as ``../shared/tools/check_citations.py`` does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from briefing.errors import InputError
from briefing.read.formats import kind_of


@dataclass
class VerifyReport:
    """How many cited items were checked and what was wrong with those that failed."""

    total: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def exact(self) -> int:
        return self.total - len(self.failures)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        return f"fidelity {self.exact}/{self.total} items exact"


def _cited(doc: object) -> Iterator[dict]:
    if isinstance(doc, dict):
        if {"start", "end", "text"} <= doc.keys() and ("path" in doc or "source" in doc):
            yield doc
        for value in doc.values():
            yield from _cited(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from _cited(value)


def verify_file(path: Path, root: Path | None = None) -> VerifyReport:
    """Check every cited item of the JSON file at ``path``; relative source paths resolve
    against ``root`` (default: the current directory)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read JSON: {exc}") from None
    sources = {}
    if isinstance(doc, dict) and isinstance(doc.get("sources"), list):
        sources = {str(s.get("id")): s for s in doc["sources"] if isinstance(s, dict)}
    base = root or Path.cwd()
    cache: dict[tuple[Path, str], str | None] = {}
    report = VerifyReport()
    for item in _cited(doc):
        report.total += 1
        entry = sources.get(str(item.get("source")), {})
        label = str(item.get("text"))[:50]
        # a source that is not plain text is cited in the reading text briefing wrote out
        reading = item.get("text_path") or entry.get("text_path")
        src = reading or item.get("path") or entry.get("path")
        if reading:
            encoding = item.get("text_encoding") or entry.get("text_encoding") or "utf-8"
        else:
            encoding = item.get("encoding") or entry.get("encoding") or "utf-8"
        if not src:
            report.failures.append(f"no path for item {label!r}")
            continue
        if not reading and kind_of(str(src)):
            report.failures.append(f"{src}: a {kind_of(str(src))} source is cited in its reading "
                                   f"text, and no text_path names it (item {label!r})")
            continue
        full = Path(src) if Path(src).is_absolute() else base / src
        key = (full, encoding)
        if key not in cache:
            try:
                with open(full, encoding=encoding, newline="") as fh:
                    cache[key] = fh.read()
            except (OSError, LookupError, UnicodeDecodeError) as exc:
                cache[key] = None
                report.failures.append(f"{src}: cannot read as {encoding}: {exc}")
                continue
        text = cache[key]
        if text is None:
            report.failures.append(f"{src}: unreadable (see above)")
            continue
        start, end = item.get("start"), item.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
            report.failures.append(f"{src}: bad offsets {start}..{end} for {label!r}")
        elif text[start:end] != item.get("text"):
            report.failures.append(f"{src}:{start}..{end}: " + difference(text, start, end,
                                                                          str(item.get("text"))))
    return report


CONTEXT = 24  # characters shown either side of the first difference


def difference(source: str, start: int, end: int, cited: str) -> str:
    """Where ``cited`` first departs from ``source[start:end]``: the source offset with its line
    and column, and a little of each text from just before that point, so the change can be seen
    (a long item that differs near its end no longer prints two identical prefixes)."""
    span = source[start:end]
    i = next((k for k, (a, b) in enumerate(zip(span, cited)) if a != b), min(len(span), len(cited)))
    at = start + i
    line = source.count("\n", 0, at) + 1
    col = at - (source.rfind("\n", 0, at) + 1) + 1
    lead = max(0, i - CONTEXT)

    def show(text: str) -> str:
        part = text[lead:i + CONTEXT]
        return ("…" if lead else "") + repr(part) + ("…" if i + CONTEXT < len(text) else "")

    if len(cited) != len(span) and i == min(len(span), len(cited)):
        what = ("the item goes on past its end offset" if len(cited) > len(span)
                else "the item stops before its end offset")
    else:
        what = "the item differs from the source"
    return (f"{what} at offset {at} (line {line}, column {col}): source {show(span)}, "
            f"item {show(cited)}")
