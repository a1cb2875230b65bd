"""Measure theme relevance: the seed briefing against hand labels, and the BBC corpus against
its folders.

Run: ``.venv/bin/python benchmarks/eval_themes.py [--config PATH] [--labels PATH] [--bbc]
[--shared PATH] [--json] [--show-errors]``.

Seeds (``tests/data/relevance/seeds.yaml``: every body unit graded 0/1/2 per default theme).
The briefing is built in memory with the library, its store in a temporary folder, so nothing
in the workspace is written. Per theme:

- **precision**: the share of what the edition shows for the theme (its points in The
  essentials, the section's lede and items) whose labelled
  unit has grade >= 1 (a span overlapping several units takes the highest grade), and **share
  of 2s**, the share with grade 2;
- **nDCG@10** of the ranked candidates ``briefing explain`` gives, those the theme itself
  accepts (left out only by assembly: section full, same fact, another theme, diversity) in
  rank order; the gain is the grade of the overlapped unit(s). A unit earns its gain once: a
  passage and the quotation cut from it are one find, not two. The ideal is the theme's ten
  best labels;
- **recall of 2s**: the share of the theme's grade-2 units that the section cites (shown, or
  cited as "also reported by").

BBC (``--bbc``): the same engine over ``../shared/corpora/bbc-news`` with
``benchmarks/configs/bbc-themes.yaml`` (one theme per folder label); **P@10** is the share of a
theme's ten best accepted candidates whose article lies in the theme's folder.

Evaluation data is read from ``../shared`` and never copied into the project.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

from briefing.config.load import load_config
from briefing.config.model import Config
from briefing.judge.explain import ExplainRow, explain_theme
from briefing.judge.themes import LONG_PARAGRAPH
from briefing.models import Briefing
from briefing.pipeline import BuildOptions, build_briefing, read_corpus
from briefing.read.corpus import load_corpus
from briefing.read.segment import segment

DEFAULT_CONFIG = ROOT / "config" / "briefing.yaml"
DEFAULT_LABELS = ROOT / "tests" / "data" / "relevance" / "seeds.yaml"
DEFAULT_SHARED = ROOT.parent / "shared"
BBC_CONFIG = ROOT / "benchmarks" / "configs" / "bbc-themes.yaml"
# Which folder of the BBC corpus each benchmark theme belongs to.
BBC_FOLDERS = {"mobile-phones": "tech", "uk-election": "politics", "football": "sport",
               "markets-economy": "business", "film-awards": "entertainment"}
PREFIX = 50  # characters of a unit's text kept in the labels to detect a segmentation change
K = 10
EDITION = dt.date(2026, 1, 1)  # any fixed date: the edition date does not affect ranking
# explain statuses by which the theme's own query rejects a candidate (min score, the relative
# floor, an excluded phrase, the require query); every other status is an assembly decision.
_REJECTED = re.compile(r"below|excluded|does not satisfy|contains|not phrase", re.I)


# --- Labels ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # compared by identity: each unit is one labelled place
class LabelUnit:
    """One graded unit: a body paragraph, or a sentence of a long one."""

    path: str  # relative to the repository root, as in the labels file
    start: int
    end: int
    unit: str  # "paragraph" | "sentence"
    text: str  # the first PREFIX characters
    grades: dict[str, int]
    why: dict[str, str] = field(default_factory=dict)


def load_labels(path: Path = DEFAULT_LABELS) -> list[LabelUnit]:
    """The labels file, parsed and checked for shape (grades 0/1/2, a reason per non-zero)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    themes = list(data["themes"])
    out = []
    for u in data["units"]:
        grades = {t: int(u["grades"][t]) for t in themes}
        why = dict(u.get("why") or {})
        for t, g in grades.items():
            if g not in (0, 1, 2):
                raise ValueError(f"{path}: {u['path']}@{u['start']}: grade {g} for {t}")
            if g and not why.get(t):
                raise ValueError(f"{path}: {u['path']}@{u['start']}: no reason for {t}={g}")
        out.append(LabelUnit(u["path"], u["start"], u["end"], u["unit"], u["text"], grades, why))
    return out


def segmented_units(config: Config, root: Path = ROOT) -> list[tuple[str, int, int, str, str]]:
    """The units the labels must cover, as the segmenter cuts the config's corpus today:
    (path, start, end, unit, first PREFIX characters), in corpus order. Long paragraphs are cut
    into sentences as the engine does (``themes.LONG_PARAGRAPH``)."""
    manifest = {s.path.resolve(): s for s in config.sources}
    out = []
    for article in load_corpus(list(config.corpus), manifest, lambda _: None):
        rel = article.path.resolve().relative_to(root).as_posix()
        for p in segment(article).body:
            if p.end - p.start > LONG_PARAGRAPH and len(p.sentences) > 1:
                spans = [(s.start, s.end, "sentence") for s in p.sentences]
            else:
                spans = [(p.start, p.end, "paragraph")]
            out += [(rel, a, b, kind, article.text[a:b][:PREFIX]) for a, b, kind in spans]
    return out


def coverage_problems(labels: Sequence[LabelUnit], units: Sequence[tuple[str, int, int, str, str]]
                      ) -> list[str]:
    """What differs between the labels and today's segmentation: each a line naming the unit.
    Empty when every unit is labelled exactly once and nothing else is."""
    have = {(u.path, u.start, u.end, u.unit, u.text): u for u in labels}
    want = set(units)
    problems = [f"unlabelled unit {p}@{a}-{b} ({k}): {t!r}" for p, a, b, k, t in units
                if (p, a, b, k, t) not in have]
    problems += [f"labelled unit no longer cut this way {k[0]}@{k[1]}-{k[2]} ({k[3]}): {k[4]!r}"
                 for k in have if k not in want]
    if len(have) != len(labels):
        problems.append("a unit is labelled twice")
    return problems


class Grader:
    """Grades of arbitrary spans: the highest grade of the labelled units a span overlaps."""

    def __init__(self, labels: Sequence[LabelUnit], root: Path = ROOT) -> None:
        self.by_file: dict[Path, list[LabelUnit]] = {}
        for u in labels:
            self.by_file.setdefault((root / u.path).resolve(), []).append(u)
        self.unlabelled: list[str] = []

    def units(self, path: str | Path, start: int, end: int) -> list[LabelUnit]:
        """The labelled units overlapping ``[start, end)`` of the file at ``path``."""
        found = [u for u in self.by_file.get(Path(path).resolve(), [])
                 if u.start < end and start < u.end]
        if not found:  # shown text no label covers: graded 0, and reported
            self.unlabelled.append(f"{path}@{start}-{end}")
        return found

    def grade(self, theme: str, path: str | Path, start: int, end: int) -> int:
        """The highest grade for ``theme`` among the units the span overlaps (0 when none)."""
        return max((u.grades[theme] for u in self.units(path, start, end)), default=0)


# --- Metrics --------------------------------------------------------------------------------


def ndcg(gains: Sequence[float], ideal: Iterable[float], k: int = K) -> float:
    """nDCG@k with linear gains: sum of gain / log2(rank + 1), over the same for the ideal
    order. 1.0 when nothing is relevant (nothing could be ranked better)."""
    def dcg(gs: Sequence[float]) -> float:
        return sum(g / math.log2(i + 2) for i, g in enumerate(gs[:k]))
    best = dcg(sorted(ideal, reverse=True))
    return dcg(list(gains)) / best if best else 1.0


def accepted(rows: Sequence[ExplainRow]) -> list[ExplainRow]:
    """The candidates the theme's own query accepts, in rank order (see ``_REJECTED``)."""
    return [r for r in rows if r.status.startswith("shown") or not _REJECTED.search(r.status)]


@dataclass
class ThemeResult:
    """The figures of one seed theme, and what went wrong, for the lead."""

    theme: str
    shown: int
    precision: float
    share_2: float
    ndcg10: float
    recall_2: float
    false_positives: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)  # graded spans no label covers

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def seed_briefing(config: Config) -> tuple[Briefing, dict[str, list[ExplainRow]]]:
    """The seed briefing and each theme's explain rows, built in memory (store in a temp dir)."""
    with tempfile.TemporaryDirectory(prefix="eval-themes-") as tmp:
        config = dataclasses.replace(config, store=Path(tmp) / "store", out=Path(tmp) / "out")
        corpus = read_corpus(config, None)
        try:
            briefing = build_briefing(config, corpus, options=BuildOptions(edition=EDITION))
        finally:
            corpus.close()
        rows = {t.id: explain_theme(config, t.id) for t in config.themes}
    return briefing, rows


def evaluate_seeds(config_path: Path = DEFAULT_CONFIG, labels_path: Path = DEFAULT_LABELS
                   ) -> list[ThemeResult]:
    """Precision, share of 2s, nDCG@10 and recall of 2s for every theme of the seed config."""
    config = load_config(config_path)
    labels = load_labels(labels_path)
    grader = Grader(labels)
    briefing, explained = seed_briefing(config)
    out = []
    for section in briefing.sections:
        theme = section.theme
        seen_unlabelled = len(grader.unlabelled)
        # what the edition shows for the theme: its points in The essentials, lede and items
        points = [p for p in briefing.summary if p.id in section.in_summary]
        shown = points + ([section.lede] if section.lede is not None else []) + list(section.items)
        grades = [grader.grade(theme, c.path, c.start, c.end) for c in shown]
        cited: set[LabelUnit] = set()
        cites = [*shown, *(a for it in [*points, *section.items] for a in it.also)]
        for c in cites:
            cited.update(u for u in grader.units(c.path, c.start, c.end))
        twos = [u for u in labels if u.grades[theme] == 2]
        credited: set[LabelUnit] = set()
        gains = []
        for r in accepted(explained[theme])[:K]:
            fresh = [u for u in grader.units(r.path, r.start, r.end) if u not in credited]
            credited.update(fresh)
            gains.append(max((u.grades[theme] for u in fresh), default=0))
        n = len(shown)
        result = ThemeResult(
            theme=theme, shown=n,
            precision=sum(g >= 1 for g in grades) / n if n else 0.0,
            share_2=sum(g == 2 for g in grades) / n if n else 0.0,
            ndcg10=ndcg(gains, [u.grades[theme] for u in labels]),
            recall_2=sum(u in cited for u in twos) / len(twos) if twos else 1.0)
        result.false_positives = [f"{c.path}@{c.start}: {_snip(c.text)}"
                                  for c, g in zip(shown, grades) if g == 0]
        ranks: dict[LabelUnit, str] = {}
        for r in explained[theme]:
            for u in grader.units(r.path, r.start, r.end):
                ranks.setdefault(u, f"rank {r.rank}, {r.status}")
        result.misses = [f"{u.path}@{u.start} ({ranks.get(u, 'not a candidate')}): "
                         f"{_snip(u.text)}" for u in twos if u not in cited]
        result.unlabelled = sorted(set(grader.unlabelled[seen_unlabelled:]))
        out.append(result)
    return out


def _snip(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n - 1] + "…"


# --- BBC ------------------------------------------------------------------------------------


def evaluate_bbc(shared: Path = DEFAULT_SHARED, config_path: Path = BBC_CONFIG
                 ) -> dict[str, float]:
    """P@10 per BBC theme: of its ten best accepted candidates, the share from its folder."""
    corpus_dir = shared / "corpora" / "bbc-news"
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"{corpus_dir}: the BBC corpus is not there")
    config = load_config(config_path, check_paths=False)
    out = {}
    with tempfile.TemporaryDirectory(prefix="eval-bbc-") as tmp:
        config = dataclasses.replace(config, corpus=(corpus_dir,), store=Path(tmp) / "store",
                                     out=Path(tmp) / "out")
        for theme in config.themes:
            folder = BBC_FOLDERS[theme.id]
            top = accepted(explain_theme(config, theme.id))[:K]
            hits = sum(Path(r.path).resolve().parent.name == folder for r in top)
            out[theme.id] = hits / K
    return out


# --- Command line ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Print the seed figures (and the BBC's with ``--bbc``) as a table or JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    ap.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    ap.add_argument("--bbc", action="store_true", help="also P@10 on ../shared's BBC corpus")
    ap.add_argument("--bbc-config", type=Path, default=BBC_CONFIG)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--show-errors", action="store_true",
                    help="list false positives and missed grade-2 units per theme")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    seeds = evaluate_seeds(args.config, args.labels)
    macro = {k: sum(getattr(r, k) for r in seeds) / len(seeds)
             for k in ("precision", "share_2", "ndcg10", "recall_2")}
    bbc = evaluate_bbc(args.shared, args.bbc_config) if args.bbc else None
    seconds = time.perf_counter() - t0
    if args.json:
        doc: dict[str, object] = {"seeds": [r.as_dict() for r in seeds], "seeds_macro": macro,
                                  "seconds": round(seconds, 2)}
        if bbc is not None:
            doc["bbc_p10"] = bbc
            doc["bbc_macro_p10"] = sum(bbc.values()) / len(bbc)
        print(json.dumps(doc, indent=2))
        return 0
    print(f"{'theme':<22} {'shown':>5} {'prec':>6} {'2s':>6} {'nDCG@10':>8} {'rec 2s':>7}")
    for r in seeds:
        print(f"{r.theme:<22} {r.shown:>5} {r.precision:>6.2f} {r.share_2:>6.2f} "
              f"{r.ndcg10:>8.2f} {r.recall_2:>7.2f}")
    print(f"{'macro average':<22} {'':>5} {macro['precision']:>6.2f} {macro['share_2']:>6.2f} "
          f"{macro['ndcg10']:>8.2f} {macro['recall_2']:>7.2f}")
    for r in seeds:
        if r.unlabelled:
            print(f"warning: {r.theme}: spans no label covers (graded 0): "
                  + ", ".join(r.unlabelled), file=sys.stderr)
    if args.show_errors:
        for r in seeds:
            print(f"\n{r.theme}: shown with grade 0")
            print("\n".join(f"  {x}" for x in r.false_positives) or "  (none)")
            print(f"{r.theme}: grade-2 units not cited")
            print("\n".join(f"  {x}" for x in r.misses) or "  (none)")
    if bbc is not None:
        print(f"\n{'BBC theme':<22} {'folder':<14} {'P@10':>5}")
        for theme, p in bbc.items():
            print(f"{theme:<22} {BBC_FOLDERS[theme]:<14} {p:>5.2f}")
        print(f"{'macro average':<22} {'':<14} {sum(bbc.values()) / len(bbc):>5.2f}")
    print(f"\n({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
