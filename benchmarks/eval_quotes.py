"""Measure ``briefing.quotes.extract_quotes`` on the PolNeAR dev split.

Run: ``.venv/bin/python benchmarks/eval_quotes.py [--shared PATH] [--show-errors]``.

The rule is the one in ``../shared/eval/polnear-dev/README.md``, applied literally:

- gold direct quotations are the attributions (first annotator file in sorted order) whose
  Content holds a quotation mark (``"``, ``“`` or ``”``);
- a predicted quote counts when at least half of its characters lie inside a gold Content span
  (any attribution's Content; a Content with several fragments is the union of its fragments);
- its speaker counts when the predicted ``speaker_mention`` overlaps the gold Source span, or the
  predicted speaker's last word appears in the gold Source text, or the gold has no Source;
- quote precision is over all predicted quotes, quote recall over the gold direct quotations
  (a gold one is recalled when some counted prediction lies in it), speaker precision over the
  counted predictions, speaker recall over the gold direct quotations (recalled with a right
  speaker).

The data is evaluation data: it is read from ``../shared`` and never copied into the project.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

from briefing.models import Quote  # noqa: E402
from briefing.quotes import extract_quotes  # noqa: E402

DEFAULT_SHARED = ROOT.parent / "shared"
QUOTE_MARKS = ('"', "“", "”")


@dataclass
class Gold:
    """One annotated attribution: its Content fragments and (optional) Source."""

    content: list[tuple[int, int]]
    content_text: str
    source: list[tuple[int, int]] = field(default_factory=list)
    source_text: str = ""

    @property
    def direct(self) -> bool:
        return any(m in self.content_text for m in QUOTE_MARKS)

    def inside(self, start: int, end: int) -> int:
        """How many characters of ``[start, end)`` lie inside this Content."""
        return sum(max(0, min(end, e) - max(start, s)) for s, e in self.content)


@dataclass
class Result:
    """Counts over the split, and samples of each kind of error."""

    predicted: int = 0
    counted: int = 0
    gold_direct: int = 0
    recalled: int = 0
    speaker_right: int = 0
    speaker_recalled: int = 0
    seconds: float = 0.0
    errors: dict[str, list[str]] = field(default_factory=dict)

    def ratios(self) -> dict[str, float]:
        """Quote precision/recall and speaker precision/recall."""
        div = lambda a, b: a / b if b else 0.0  # noqa: E731
        return {
            "quote_precision": div(self.counted, self.predicted),
            "quote_recall": div(self.recalled, self.gold_direct),
            "speaker_precision": div(self.speaker_right, self.counted),
            "speaker_recall": div(self.speaker_recalled, self.gold_direct),
        }

    def note(self, kind: str, sample: str) -> None:
        self.errors.setdefault(kind, []).append(sample)


def _spans(field_text: str) -> list[tuple[int, int]]:
    out = []
    for part in field_text.split(";"):
        s, e = part.split()[-2:]
        out.append((int(s), int(e)))
    return out


def read_gold(ann: Path) -> list[Gold]:
    """The attributions of one BRAT standoff file that have a Content."""
    spans: dict[str, tuple[str, list[tuple[int, int]], str]] = {}
    relations: list[dict[str, str]] = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if line.startswith("T") and len(cols) >= 3:
            label, _, rest = cols[1].partition(" ")
            spans[cols[0]] = (label, _spans(rest), cols[2])
        elif line.startswith("E") and len(cols) >= 2:
            relations.append(dict(arg.split(":", 1) for arg in cols[1].split() if ":" in arg))
    golds = []
    for rel in relations:
        content = spans.get(rel.get("Content", ""))
        if content is None:
            continue
        source = spans.get(rel.get("Source", ""))
        golds.append(
            Gold(content[1], content[2], source[1] if source else [], source[2] if source else "")
        )
    return golds


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def speaker_ok(q: Quote, gold: Gold) -> bool:
    """The README's speaker rule."""
    if not gold.source:
        return True
    if q.speaker_mention and _overlaps((q.speaker_mention.start, q.speaker_mention.end), gold.source):
        return True
    if q.speaker:
        last = q.speaker.split()[-1].strip(".,").lower()
        return bool(last) and last in gold.source_text.lower().split()
    return False


def evaluate(shared: Path = DEFAULT_SHARED, show_errors: bool = False) -> Result:
    """Run the extractor over every article of the split and score it by the README's rule."""
    base = shared / "eval" / "polnear-dev"
    anns: dict[str, Path] = {}
    for ann in sorted((base / "attributions").glob("*.ann")):
        anns.setdefault(ann.name.rsplit("_", 1)[0], ann)
    res = Result()
    for txt in sorted((base / "text").glob("*.txt")):
        text = txt.read_text(encoding="utf-8")
        golds = read_gold(anns[txt.stem]) if txt.stem in anns else []
        t0 = time.perf_counter()
        quotes = extract_quotes(text)
        res.seconds += time.perf_counter() - t0
        direct = [g for g in golds if g.direct]
        res.gold_direct += len(direct)
        recalled: dict[int, bool] = {}  # id(gold) -> speaker right
        for q in quotes:
            res.predicted += 1
            n = max(1, q.end - q.start)
            best = max(golds, key=lambda g: g.inside(q.start, q.end), default=None)
            if best is None or best.inside(q.start, q.end) * 2 < n:
                res.note("false quote", f"{txt.stem}: {text[q.start:q.end][:120]!r} ({q.speaker})")
                continue
            res.counted += 1
            ok = speaker_ok(q, best)
            res.speaker_right += ok
            if not ok:
                said = text[q.speaker_mention.start:q.speaker_mention.end] if q.speaker_mention else None
                res.note(
                    "wrong speaker",
                    f"{txt.stem}: {text[q.start:q.end][:70]!r} -> {q.speaker!r} [{said!r}]"
                    f" gold {best.source_text!r}",
                )
            if best.direct:
                recalled[id(best)] = recalled.get(id(best), False) or ok
        res.recalled += len(recalled)
        res.speaker_recalled += sum(recalled.values())
        for g in direct:
            if id(g) not in recalled:
                res.note("missed quote", f"{txt.stem}: {g.content_text[:120]!r} ({g.source_text!r})")
    return res


def main(argv: list[str] | None = None) -> int:
    """Print the four figures (and error samples with --show-errors)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--limit", type=int, default=40, help="samples per error kind")
    args = ap.parse_args(argv)
    if not (args.shared / "eval" / "polnear-dev").is_dir():
        print(f"no PolNeAR dev split under {args.shared}", file=sys.stderr)
        return 2
    res = evaluate(args.shared, args.show_errors)
    if args.show_errors:
        for kind, samples in res.errors.items():
            print(f"--- {kind} ({len(samples)})")
            for s in samples[: args.limit]:
                print("  ", s)
    print(f"predicted {res.predicted}, counted {res.counted}, gold direct {res.gold_direct}, "
          f"recalled {res.recalled}; extraction {res.seconds:.2f}s")
    for k, v in res.ratios().items():
        print(f"{k:18} {v:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
