"""Measure how well briefing reads a saved web page: paragraphs of the main text found.

Run: ``.venv/bin/python benchmarks/eval_extraction.py [--show-errors] [--json]``.

The pages are the fixture pages in ``tests/data/web/`` (written for the project, shaped like
real news sites: navigation, cookie banners, comments, related links, bylines, captions,
embedded posts, a layout table, a page in Windows-1252), each with its known main text in
``tests/data/web/expected.yaml``. Two systems read each page:

- **briefing**: ``webpage.extract_page`` (trafilatura, then briefing's own reading of its
  blocks), then ``segment``'s furniture pass: the body paragraphs (not headline, not
  furniture) are what briefing would cite;
- **trafilatura alone**: ``trafilatura.extract(html)`` as a user would call it (its defaults,
  comments included) and, beside it, with ``include_comments=False``; each line of its text
  output is a paragraph.

A paragraph counts when, whitespace collapsed, it is exactly one of the page's main
paragraphs (each main paragraph matched once). Precision is over the paragraphs a system gives,
recall over the main paragraphs; both are micro-averaged over all pages. ``tests/test_webpage.py``
pins briefing's figures as floors.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

import yaml

from briefing.models import Article, ArticleMeta
from briefing.read.segment import segment
from briefing.read.webpage import extract_page

PAGES = ROOT / "tests" / "data" / "web"


@dataclass
class Score:
    """Paragraph counts of one system over the pages, with what it got wrong."""

    given: int = 0
    correct: int = 0
    expected: int = 0
    wrong: list[tuple[str, str]] = field(default_factory=list)  # (page, paragraph) not main text
    missed: list[tuple[str, str]] = field(default_factory=list)  # (page, main paragraph) not given

    @property
    def precision(self) -> float:
        return self.correct / self.given if self.given else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0

    def add(self, page: str, given: list[str], main: list[str]) -> None:
        given = [" ".join(p.split()) for p in given if p.strip()]
        left = list(main)
        self.given += len(given)
        self.expected += len(main)
        for p in given:
            if p in left:
                left.remove(p)
                self.correct += 1
            else:
                self.wrong.append((page, p))
        self.missed += [(page, p) for p in left]


def briefing_paragraphs(data: bytes) -> list[str]:
    """The body paragraphs briefing would cite from a page."""
    read = extract_page(data)
    article = Article("page", Path("page.html"), read.text, "utf-8", ArticleMeta(), "")
    return [read.text[p.start:p.end] for p in segment(article).paragraphs if p.kind == "body"]


def trafilatura_paragraphs(data: bytes, **options: object) -> list[str]:
    """The lines of trafilatura's own text output for a page."""
    import trafilatura

    return (trafilatura.extract(data, **options) or "").splitlines()  # type: ignore[arg-type]


SYSTEMS: dict[str, Callable[[bytes], list[str]]] = {
    "briefing (trafilatura + furniture pass)": briefing_paragraphs,
    "trafilatura.extract, defaults": trafilatura_paragraphs,
    "trafilatura.extract, include_comments=False": lambda d: trafilatura_paragraphs(
        d, include_comments=False),
}


def evaluate() -> dict[str, Score]:
    """Every system's score over every fixture page."""
    expected = yaml.safe_load((PAGES / "expected.yaml").read_text(encoding="utf-8"))
    scores = {name: Score() for name in SYSTEMS}
    for page, truth in expected.items():
        data = (PAGES / page).read_bytes()
        for name, system in SYSTEMS.items():
            scores[name].add(page, system(data), truth["main"])
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show-errors", action="store_true",
                        help="list wrong and missed paragraphs")
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    args = parser.parse_args(argv)
    scores = evaluate()
    if args.json:
        print(json.dumps({n: {"precision": round(s.precision, 3), "recall": round(s.recall, 3),
                              "given": s.given, "correct": s.correct, "expected": s.expected}
                          for n, s in scores.items()}, indent=2))
        return 0
    print(f"{len(yaml.safe_load((PAGES / 'expected.yaml').read_text()))} pages\n")
    print("| system | paragraphs given | correct | main paragraphs | precision | recall |")
    print("|---|---|---|---|---|---|")
    for name, s in scores.items():
        print(f"| {name} | {s.given} | {s.correct} | {s.expected} | {s.precision:.3f} | "
              f"{s.recall:.3f} |")
    if args.show_errors:
        for name, s in scores.items():
            print(f"\n## {name}")
            for page, p in s.wrong:
                print(f"  not main text  {page}: {p[:100]!r}")
            for page, p in s.missed:
                print(f"  missed         {page}: {p[:100]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
