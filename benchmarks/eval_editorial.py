"""Does the edition read like a brief? Counts of what an editor would mark, measured on the JSON.

    .venv/bin/python benchmarks/eval_editorial.py            # the seeds
    .venv/bin/python benchmarks/eval_editorial.py --bbc      # also the BBC themes over ../shared
    .venv/bin/python benchmarks/eval_editorial.py --show     # and each flagged block

Every count is taken from ``briefing.json`` alone, as a reader of the edition would see it: a
*printed block* is a summary point, a section's lede, an item, a Voices quotation printed in
full (one that refers elsewhere with ``see`` is an index entry, not a reprint) and a timeline
event's clause. The counts (lower is better, but for the last two):

- ``repeated``: printed blocks whose span overlaps a block printed before it (the same words
  twice); a timeline clause that refers to its item with ``see`` is the allowed exception;
- ``points_back``: printed blocks that open on words pointing back to text the reader has not
  seen ("At the same time", "True,", "This", "He" ...; a quotation's own "I" and "we" do not);
- ``short_quotes``: quotations of fewer than five words printed on their own;
- ``unlabelled``: printed blocks without an ``attribution`` (outlet and date as printed);
- ``unaccounted``: articles read that the edition does not account for: neither cited, nor
  listed in ``not_cited`` with a reason, nor counted in ``coverage.without_candidates``;
- ``first_point_news``: 1 when the first summary point comes from the newest dated source
  cited and holds a dated event of it (the news first), else 0;
- ``sources_cited`` of ``articles``: how many of the articles read the edition cites.

tests/test_editorial.py pins floors on these for the seeds and the BBC sample; they only improve.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
SEED_CONFIG = ROOT / "config" / "briefing.yaml"
BBC_CONFIG = ROOT / "benchmarks" / "configs" / "bbc-themes.yaml"
EDITION = "2026-11-22"

# Openings that point back to something said before: connectives, demonstratives, pronouns.
POINTS_BACK = re.compile(
    r"^\W*(?:at the same time|true,|in general|anyway|let me|let's|the next|the same|this|these|"
    r"those|that is why|that's why|that|such|however|but|and|also|meanwhile|nevertheless|"
    r"nonetheless|in short|moreover|furthermore|in addition|besides|still,|yet|so|thus|"
    r"therefore|then|there(?!['’]s|\s+(?:is|are|was|were|will|would|has|have|had|may|might|"
    r"could|must|seems?|appears?)\b)|here|instead|otherwise|likewise|similarly|perhaps|maybe|he|she|"
    r"it(?!(?:['’]s|\s+(?:is|was))(?:\s+\w+){1,3}\s+(?:to|that|for|we|you|i|the)\b|"
    r"\s+(?:appears|seems)\s+that\b)|its|they|"
    r"them|their|his|her|we|our|us|i|my|immediately after|after that|before that|"
    r"why|about what|"
    r"of course|indeed|in fact|as a result|for this reason|on the other hand|in other words)\b",
    re.I)
# In a quotation the speaker's own "I" and "we" point to the speaker, who is named beside it.
FIRST_PERSON = re.compile(r"(?:i|we|my|our|us|me)\b", re.I)
SHORT_QUOTE_WORDS = 5


@dataclass
class Block:
    """One printed block of the edition: where it is and what it cites."""

    where: str
    kind: str
    doc: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.doc.get("text", ""))

    def span(self, sources: dict[str, dict[str, Any]]) -> tuple[str, int, int]:
        path = self.doc.get("path") or sources.get(str(self.doc.get("source")), {}).get("path")
        return str(path), int(self.doc.get("start", 0)), int(self.doc.get("end", 0))


@dataclass
class Report:
    """The counts for one edition, and the blocks behind each."""

    blocks: int = 0
    words: int = 0
    articles: int = 0
    sources_cited: int = 0
    repeated: list[str] = field(default_factory=list)
    points_back: list[str] = field(default_factory=list)
    short_quotes: list[str] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)
    unaccounted: int = 0
    first_point_news: int = 0

    def counts(self) -> dict[str, int]:
        return {"blocks": self.blocks, "words": self.words, "repeated": len(self.repeated),
                "points_back": len(self.points_back), "short_quotes": len(self.short_quotes),
                "unlabelled": len(self.unlabelled), "unaccounted": self.unaccounted,
                "first_point_news": self.first_point_news, "sources_cited": self.sources_cited,
                "articles": self.articles}


def printed_blocks(doc: dict[str, Any]) -> Iterator[Block]:
    """The edition's printed blocks in reading order (see the module docstring)."""
    for i, point in enumerate(doc.get("summary") or []):
        if "text" in point:
            yield Block(f"summary[{i}]", "summary", point)
    for section in doc.get("sections") or []:
        theme = section.get("theme")
        lede = section.get("lede")
        if lede and "text" in lede:
            yield Block(f"{theme}.lede", "lede", lede)
        for j, item in enumerate(section.get("items") or []):
            if "text" in item:
                yield Block(f"{theme}.items[{j}]", item.get("kind", "passage"), item)
    for voice in doc.get("voices") or []:
        for k, quote in enumerate(voice.get("quotes") or []):
            if "text" in quote and "see" not in quote:
                yield Block(f"voices[{voice.get('speaker')}][{k}]", "quote", quote)
    for n, event in enumerate(doc.get("timeline") or []):
        if "text" in event:
            yield Block(f"timeline[{n}]", "event", event)


def evaluate(doc: dict[str, Any]) -> Report:
    """Count what an editor would mark in one edition's JSON."""
    sources = {str(s.get("id")): s for s in doc.get("sources") or []}
    report = Report(articles=int((doc.get("corpus") or {}).get("articles", 0)),
                    sources_cited=len(sources))
    seen: list[tuple[str, int, int, str]] = []
    for block in printed_blocks(doc):
        report.blocks += 1
        report.words += len(block.text.split())
        label = f"{block.where}: {block.text[:70]!r}"
        path, start, end = block.span(sources)
        allowed = block.kind == "event" and "see" in block.doc
        clash = next((w for p, s, e, w in seen if p == path and start < e and s < end), None)
        if clash is not None and not allowed:
            report.repeated.append(f"{label} (also {clash})")
        seen.append((path, start, end, block.where))
        opening = POINTS_BACK.match(block.text)
        speaker_voice = block.kind == "quote" and opening and \
            FIRST_PERSON.match(block.text.lstrip("\"'“‘ "))
        if opening and not speaker_voice:
            report.points_back.append(label)
        if block.kind == "quote" and len(block.text.split()) < SHORT_QUOTE_WORDS:
            report.short_quotes.append(label)
        if not block.doc.get("attribution"):
            report.unlabelled.append(label)
    accounted = {str(s.get("path")) for s in sources.values()} | \
        {str(n.get("path")) for n in doc.get("not_cited") or []}
    unmatched = int((doc.get("coverage") or {}).get("without_candidates", 0))
    report.unaccounted = max(0, report.articles - len(accounted) - unmatched)
    report.first_point_news = _first_point_is_news(doc, sources)
    return report


def _first_point_is_news(doc: dict[str, Any], sources: dict[str, dict[str, Any]]) -> int:
    summary = doc.get("summary") or []
    if not summary:
        return 0
    first = summary[0]
    dated = [s for s in sources.values() if s.get("published")]
    if not dated:
        return 0
    newest = max(str(s["published"]) for s in dated)
    source = sources.get(str(first.get("source")), {})
    if str(source.get("published")) != newest:
        return 0
    path, start, end = Block("summary[0]", "summary", first).span(sources)
    for event in doc.get("timeline") or []:
        ep, es, ee = Block("e", "event", event).span(sources)
        if ep == path and es < end and start < ee:
            return 1
    return int(bool(re.search(r"\b(?:19|20)\d\d\b|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
                              r"Saturday|Sunday)\b", str(first.get("text")))))


def seed_edition(config_path: Path = SEED_CONFIG) -> dict[str, Any]:
    """The seed edition's JSON, built in memory with a store of its own."""
    return _edition(config_path, None)


def bbc_edition(shared: Path = DEFAULT_SHARED, config_path: Path = BBC_CONFIG) -> dict[str, Any]:
    """The BBC themes' edition over ../shared's BBC corpus, with a store of its own."""
    corpus = shared / "corpora" / "bbc-news"
    if not corpus.is_dir():
        raise FileNotFoundError(f"{corpus}: the BBC corpus is not there")
    return _edition(config_path, corpus)


def _edition(config_path: Path, corpus: Path | None) -> dict[str, Any]:
    import datetime as dt

    from briefing.config.load import load_config
    from briefing.pipeline import BuildOptions, build_briefing, read_corpus
    from briefing.publish.render import render_json

    config = load_config(config_path, check_paths=corpus is None)
    with tempfile.TemporaryDirectory(prefix="eval-editorial-") as tmp:
        config = dataclasses.replace(config, store=Path(tmp) / "store", out=Path(tmp) / "out",
                                     **({"corpus": (corpus,)} if corpus else {}))
        whole = read_corpus(config, None)
        try:
            briefing = build_briefing(config, whole, options=BuildOptions(
                edition=dt.date.fromisoformat(EDITION)))
        finally:
            whole.close()
    return json.loads(render_json(briefing))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bbc", action="store_true", help="also the BBC themes over ../shared")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--show", action="store_true", help="list each flagged block")
    args = ap.parse_args(argv)
    editions = {"seeds": seed_edition()}
    if args.bbc:
        editions["bbc"] = bbc_edition(args.shared)
    reports = {name: evaluate(doc) for name, doc in editions.items()}
    if args.json:
        print(json.dumps({n: r.counts() for n, r in reports.items()}, indent=2))
        return 0
    keys = list(next(iter(reports.values())).counts())
    print(f"{'edition':<8}" + "".join(f"{k:>17}" for k in keys))
    for name, r in reports.items():
        print(f"{name:<8}" + "".join(f"{v:>17}" for v in r.counts().values()))
    if args.show:
        for name, r in reports.items():
            for what in ("repeated", "points_back", "short_quotes", "unlabelled"):
                for line in getattr(r, what):
                    print(f"{name}: {what}: {line}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
