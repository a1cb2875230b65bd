"""The archive of editions, and what is new in an edition since the previous one.

    out/editions/
      index.html, feed.atom              every edition, newest first (archive_index.py)
      <reader>/index.html, feed.atom     one reader's editions
      YYYY-MM-DD/                        the main edition of that date
      YYYY-MM-DD/<reader>/               a reader's edition of that date

Each edition's folder holds the edition in every format the build wrote, its JSON always (the
record the next edition is compared with, whatever ``--format`` asked for), ``articles.txt``
(the corpus it was built from: what "articles arrived since" counts against) and
``entry.json`` (the few lines the index and the feed show, so that they never parse a
thousand editions). Rebuilding a date replaces that date's edition with
``output.write_atomically``: every file is staged in full before any is renamed, so a failure
leaves the previous edition as it was.

An edition is compared with the previous archived edition for the same reader: the latest
one dated before it (a rebuild of the same date compares with the same one as the first
build did). An item is new unless at least half of its text was shown in that edition
(``SEEN_SHARE``), counting a previous part (summary point, lede, item, quotation, timeline
event) as showing the characters where both cite the same article and agree, or, for text
moved or copied (a corrected article, a syndicated copy), where the previous part's words
occur in the item or the item's in it. So a passage re-cited trimmed, or with its sentence
before it, is not new; a paragraph of which one sentence was shown before is. The first
edition marks nothing new (there is nothing to compare with) and says it is the first; a
previous edition that cannot be read (damaged, another schema) marks nothing new, and the
build says why.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from briefing.config.model import ISO_DATE_RE
from briefing.errors import ArchiveError
from briefing.models import Briefing, Item, Previous
from briefing.publish.labels import since_line
from briefing.publish.output import FILENAMES, write_atomically

__all__ = ["Archived", "DIRNAME", "ENTRY", "MANIFEST", "archive_edition", "compare",
           "edition_dates", "edition_folder", "previous_edition", "read_entry", "with_date"]

DIRNAME = "editions"  # out/editions/
JSON = FILENAMES["json"]
MANIFEST = "articles.txt"
ENTRY = "entry.json"
ENTRY_SCHEMA = "briefing-entry/1"
SCHEMA = "briefing/1"  # render.SCHEMA, without importing jinja2 to compare two editions
_MANIFEST_HEAD = "# briefing articles/1 corpus="
#: Hex digits kept of each article's sha256 in articles.txt: 64 bits tell 100,000 articles
#: apart (a collision is ~1e-10 likely) at a quarter of the size of the whole digest.
DIGEST_CHARS = 16
#: An item is new unless at least this share of its text was shown in the previous edition.
SEEN_SHARE = 0.5
_WORD_RE = re.compile(r"\S+")
_ARCHIVED_FILES = (*FILENAMES.values(), MANIFEST, ENTRY)
# Cited parts that are not text shown as news: "also reported by" references, a speaker's role.
_NOT_SHOWN = frozenset({"also", "role"})


# --- Where editions go ----------------------------------------------------------------------


def edition_folder(root: Path, edition: str, reader: str | None) -> Path:
    """The folder of one archived edition: ``<root>/<date>/`` or ``<root>/<date>/<reader>/``."""
    return root / edition / reader if reader else root / edition


def edition_dates(root: Path) -> list[str]:
    """The dates the archive has a folder for, newest first (only real dates: a reader's own
    folder of feeds beside them is not one)."""
    try:
        names = [e.name for e in root.iterdir() if ISO_DATE_RE.match(e.name) and e.is_dir()]
    except OSError:  # no archive yet (or unreadable: then there is nothing to compare with)
        return []
    out = []
    for name in names:
        try:
            dt.date.fromisoformat(name)
        except ValueError:
            continue
        out.append(name)
    return sorted(out, reverse=True)


def with_date(dates: Sequence[str], edition: str) -> list[str]:
    """``dates`` (newest first) with ``edition``'s among them: the listing after archiving an
    edition of that date, without listing the archive again."""
    return list(dates) if edition in dates else sorted([*dates, edition], reverse=True)


# --- Reading a previous edition -------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A piece of text a previous edition showed, with its citation."""

    path: str
    start: int
    end: int
    text: str
    sha256: str | None  # the article's content, when the edition recorded it


@dataclass(frozen=True)
class Archived:
    """What the archive knows of a previous edition: the text it showed and the articles it
    was built from. ``problem``: why it cannot be compared with (then ``shown`` is empty);
    ``warnings``: what the build should say about it."""

    edition: str
    shown: tuple[Shown, ...] = ()
    articles: frozenset[str] | None = None  # digest prefixes (articles.txt), None: unknown
    corpus_sha256: str | None = None
    problem: str | None = None
    warnings: tuple[str, ...] = ()


def previous_edition(root: Path, edition: str, reader: str | None,
                     dates: Sequence[str] | None = None) -> Archived | None:
    """The latest archived edition for ``reader`` (None: the main edition) dated before
    ``edition``, read; None when there is none (this is the first). ``dates``: the archive's
    :func:`edition_dates`, when the caller listed them already (a send lists them once, not
    once per reader: out/editions/ holds a folder per reader beside the dates)."""
    for date in edition_dates(root) if dates is None else dates:
        if date >= edition:
            continue
        folder = edition_folder(root, date, reader)
        if (folder / JSON).is_file():
            return read_edition(folder, date)
    return None


def read_edition(folder: Path, date: str) -> Archived:
    """An archived edition's JSON and manifest, read; a damaged or foreign one comes back
    with its ``problem`` instead of raising: an old edition must never stop a new one."""
    path = folder / JSON

    def unusable(why: str) -> Archived:
        message = f"{path}: {why}; nothing in this edition is marked new"
        return Archived(date, problem=why, warnings=(message,))

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return unusable(f"the previous edition cannot be read ({_reason(exc)})")
    if not isinstance(data, dict):
        return unusable("the previous edition is not a briefing's JSON record")
    if data.get("schema") != SCHEMA:
        return unusable(f"the previous edition has schema {data.get('schema')!r}, not {SCHEMA!r}")
    try:
        shown = tuple(_shown(data))
        corpus = data.get("corpus")
        digest = corpus.get("sha256") if isinstance(corpus, dict) else None
    except (KeyError, TypeError, ValueError) as exc:
        return unusable(f"the previous edition is not a complete briefing record ({exc})")
    articles, warning = _read_manifest(folder / MANIFEST, digest)
    return Archived(date, shown, articles, digest if isinstance(digest, str) else None,
                    warnings=(warning,) if warning else ())


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc).split("\n", 1)[0] or type(exc).__name__


def _shown(data: Mapping[str, Any]) -> Iterator[Shown]:
    """Every piece of text the record shows (summary points, ledes, items, quotations, timeline
    events, and whatever parts a later version adds), found by shape: an object with ``text``,
    ``path``, ``start`` and ``end``. "Also reported by" citations and a speaker's role show no
    news: not counted."""
    sections = data["sections"]
    if not isinstance(sections, list) or not all(
            isinstance(s, dict) and isinstance(s.get("items"), list) for s in sections):
        raise ValueError("its sections are not a list of sections with items")
    shas = {s.get("id"): s.get("sha256") for s in data.get("sources") or []
            if isinstance(s, dict)}
    for node in _cited_objects({k: v for k, v in data.items() if k != "sources"}):
        text, path, start, end = node["text"], node["path"], node["start"], node["end"]
        if not (isinstance(text, str) and isinstance(path, str) and type(start) is int
                and type(end) is int and 0 <= start <= end):
            raise ValueError(f"a cited part has no text, path and offsets: {str(node)[:80]}")
        sha = shas.get(node.get("source"))
        yield Shown(path, start, end, text, sha if isinstance(sha, str) else None)


def _cited_objects(node: object) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if {"text", "path", "start", "end"} <= node.keys():
            yield node
        elif "text" in node and node.keys() & {"path", "start", "end"}:
            missing = sorted({"path", "start", "end"} - node.keys())
            raise ValueError(f"a cited part lacks {', '.join(missing)}")
        for key, value in node.items():
            if key not in _NOT_SHOWN and isinstance(value, (dict, list)):
                yield from _cited_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _cited_objects(value)


def _manifest(briefing: Briefing, articles: Iterable[str]) -> bytes:
    """``articles.txt``: a header naming the corpus digest it belongs to, then one line per
    distinct article content (the first ``DIGEST_CHARS`` hex digits of its sha256)."""
    digests = dict.fromkeys(a[:DIGEST_CHARS] for a in articles)
    head = f"{_MANIFEST_HEAD}{briefing.corpus.get('sha256', '')}\n"
    return (head + "".join(f"{d}\n" for d in digests)).encode("ascii")


def _read_manifest(path: Path, corpus_sha256: object) -> tuple[frozenset[str] | None, str | None]:
    """The digests of a previous edition's articles, or None and why (missing, or belonging
    to another build of that date than its JSON: the count of new articles is then unknown)."""
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"{path}: cannot be read ({_reason(exc)}); the new articles are not counted"
    if not lines or lines[0] != f"{_MANIFEST_HEAD}{corpus_sha256}":
        return None, (f"{path}: does not belong to the edition's JSON beside it; the new "
                      "articles are not counted")
    return frozenset(lines[1:]), None


# --- Comparing an edition with the previous one ---------------------------------------------


def compare(briefing: Briefing, previous: Archived | None, articles: Sequence[str]) -> Briefing:
    """``briefing`` with every item marked new or not against ``previous`` (None: this is the
    first edition) and ``previous`` summarised; ``articles`` are the sha256 digests of the
    articles of this edition's corpus (for "N new articles")."""
    if previous is None or previous.problem is not None:
        summary = Previous(None if previous is None else previous.edition, None, 0,
                           None if previous is None else previous.problem)
        return _marked(briefing, lambda _item: False, summary)
    seen = _Seen(previous.shown)
    shas = {s.id: s.sha256 for s in briefing.sources}
    marked = _marked(briefing, lambda item: not seen.covers(item, shas.get(item.source)), None)
    new_items = sum(1 for s in marked.sections for i in s.items if i.new)
    return replace(marked, previous=Previous(previous.edition,
                                             _new_articles(briefing, previous, articles),
                                             new_items))


def _new_articles(briefing: Briefing, previous: Archived, articles: Sequence[str]) -> int | None:
    if previous.articles is None:
        return None
    if previous.corpus_sha256 is not None \
            and previous.corpus_sha256 == briefing.corpus.get("sha256"):
        return 0  # the same corpus: nothing to count
    return len({a[:DIGEST_CHARS] for a in articles} - previous.articles)


def _marked(briefing: Briefing, is_new: Any, summary: Previous | None) -> Briefing:
    def mark(item: Item) -> Item:
        return replace(item, new=bool(is_new(item)))

    sections = tuple(replace(s, items=tuple(map(mark, s.items))) for s in briefing.sections)
    voices = tuple(replace(v, quotes=tuple(map(mark, v.quotes))) for v in briefing.voices)
    return replace(briefing, sections=sections, voices=voices, previous=summary)


class _Seen:
    """The text a previous edition showed, asked how much of an item it covers."""

    def __init__(self, shown: Sequence[Shown]) -> None:
        self.by_path: dict[str, list[Shown]] = {}
        self.by_sha: dict[str, list[Shown]] = {}
        for s in shown:
            self.by_path.setdefault(s.path, []).append(s)
            if s.sha256:
                self.by_sha.setdefault(s.sha256, []).append(s)
        self.texts = [" ".join(_WORD_RE.findall(s.text)) for s in shown]
        self.padded = [f" {t} " for t in self.texts]

    def covers(self, item: Item, sha256: str | None) -> bool:
        """Whether at least ``SEEN_SHARE`` of the item's text was shown before."""
        if not item.text:
            return True
        ranges = list(self._by_offsets(item, sha256)) + list(self._by_words(item))
        return _union(ranges) >= SEEN_SHARE * len(item.text)

    def _by_offsets(self, item: Item, sha256: str | None) -> Iterator[tuple[int, int]]:
        """Where a previous part cites the same article (the same content when both know it,
        else the same path) over the same characters, and both texts agree there."""
        same = {id(s): s for s in self.by_sha.get(sha256 or "", ())}
        for s in self.by_path.get(item.path, ()):
            if not (sha256 and s.sha256 and s.sha256 != sha256):
                same.setdefault(id(s), s)
        for s in same.values():
            lo, hi = max(s.start, item.start), min(s.end, item.end)
            if lo < hi and item.text[lo - item.start:hi - item.start] == \
                    s.text[lo - s.start:hi - s.start]:
                yield lo - item.start, hi - item.start

    def _by_words(self, item: Item) -> Iterator[tuple[int, int]]:
        """Where a previous part's words (spacing aside) occur in the item, or the item's in a
        previous part: the text moved in its article, or came again in another."""
        words = list(_WORD_RE.finditer(item.text))
        if not words:
            return
        flat = " ".join(w.group() for w in words)
        starts, pos = [], 0  # where each word starts in ``flat``
        for w in words:
            starts.append(pos)
            pos += len(w.group()) + 1
        if any(f" {flat} " in padded for padded in self.padded):
            yield 0, len(item.text)
            return
        for text in self.texts:
            if not text:
                continue
            at = flat.find(text)
            while at >= 0:
                # whole words only: "ban" is not shown by "Taliban"
                first = bisect.bisect_left(starts, at)
                last = bisect.bisect_right(starts, at + len(text) - 1) - 1
                if first < len(starts) and starts[first] == at and \
                        starts[last] + len(words[last].group()) == at + len(text):
                    yield words[first].start(), words[last].end()
                at = flat.find(text, at + 1)


def _union(ranges: Iterable[tuple[int, int]]) -> int:
    total, end = 0, -1
    for lo, hi in sorted(ranges):
        if hi <= end:
            continue
        total += hi - max(lo, end)
        end = hi
    return total


# --- Writing an edition into the archive ----------------------------------------------------


def archive_edition(root: Path, briefing: Briefing, files: Mapping[str, bytes],
                    articles: Sequence[str]) -> Path:
    """Archive one edition: ``files`` (file name -> bytes, the JSON among them) with its
    manifest and index entry into its folder, replacing what an earlier build of the same date
    left there. Every file is staged before any is renamed (the JSON last: the record the next
    edition reads changes last); a failure raises :class:`ArchiveError` with the previous
    edition of that date as it was. Returns the folder."""
    if JSON not in files:
        raise ValueError("an archived edition needs its JSON record")
    folder = edition_folder(root, briefing.edition, briefing.reader)
    staged = {name: data for name, data in files.items() if name != JSON}
    staged[MANIFEST] = _manifest(briefing, articles)
    entry = {
        "schema": ENTRY_SCHEMA, "title": briefing.title, "edition": briefing.edition,
        "reader": briefing.reader, "generated_at": briefing.generated_at,
        "items": sum(len(s.items) for s in briefing.sections),
        "sources": len(briefing.sources),
        "new_items": briefing.previous.new_items if briefing.previous else 0,
        "since": since_line(briefing),
        "essentials": [c.text for c in briefing.summary],
        "files": sorted(files),
    }
    staged[ENTRY] = (json.dumps(entry, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    staged[JSON] = files[JSON]
    try:
        write_atomically(folder, staged, derived=(MANIFEST, ENTRY))
        for stale in set(_ARCHIVED_FILES) - set(staged):  # formats this build did not write
            (folder / stale).unlink(missing_ok=True)
    except OSError as exc:
        raise ArchiveError(f"{folder}: could not archive the edition ({_reason(exc)}); the "
                           "archive keeps what it had") from None
    return folder


def read_entry(folder: Path) -> dict[str, Any] | None:
    """An archived edition's ``entry.json`` (what the index and the feed show), or None when it
    is missing or damaged."""
    try:
        data = json.loads((folder / ENTRY).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == ENTRY_SCHEMA else None
