"""Time quote extraction on one long article: 1, 3 and 10 MB, to show the cost is linear.

    .venv/bin/python benchmarks/bench_quotes.py [--sizes 1 3 10] [--source generated|bbc]

One article of each size (in MB of text) goes through ``extract_quotes`` in this process, its
paragraphs split on blank lines as for any file; the figure is the CPU time of that call (also
the wall time, which another engineer's tests on this 2-core machine can inflate), the quotes
found, and the seconds per MB: linear extraction keeps that last column flat.

``generated`` (the default, always available): the five seed articles in turn, each followed by
a short report of a cast that is new each time (people named with a role, their quotations with
the cue before or after, "he"/"she", "the treasurer", a pair answering together, a description
nobody fits), so the article's table of people grows with its length as a long compilation's
does. ``bbc``: the BBC News articles of ``../shared/corpora/bbc-news`` (test data, read in
place, never copied) in turn, repeated when 5 MB is not enough.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # runnable as a plain script from a checkout
    sys.path.insert(0, str(REPO))

from briefing.annotate.quotes import extract_quotes

BBC = REPO.parent / "shared" / "corpora" / "bbc-news"

_FIRST_M = ("Adam Boris Carl David Edward Frank George Henry Ivan James Karl Louis Mark "
            "Omar Paul").split()
_FIRST_F = ("Alice Beth Clara Diana Emma Fiona Grace Helen Irene Julia Karen Laura Maria "
            "Nora Olga").split()
_SYLLABLES = "bar cor den fal gor han kel lam mor nev par ros sal tor vel win yar zan".split()
_ENDINGS = ["", "ski", "son", "ova", "ley", "ez", "ani", "berg"]
_ROLES = [("treasurer", "Finance Ministry"), ("envoy", "Foreign Office"),
          ("analyst", "Institute for Regional Studies"), ("spokeswoman", "Interior Ministry"),
          ("director", "National Archive"), ("senator", "Senate Budget Committee")]
_SAYINGS = ["we will not accept these conditions", "the talks have stalled for now",
            "nobody expected the border to close so soon", "this is a matter for the courts",
            "the figures speak for themselves", "we have been patient for long enough"]


def _surname(k: int) -> str:
    """A distinct surname for every ``k`` below 18 * 18 * 8 * 18 (46,656)."""
    a, b, c, d = k % 18, (k // 18) % 18, (k // 324) % 8, (k // 2592) % 18
    return ((_SYLLABLES[d] if d else "") + _SYLLABLES[a] + _SYLLABLES[b]).title() + _ENDINGS[c]


def _cast_report(k: int, rnd: random.Random) -> str:
    """Five paragraphs on a cast of three new people (numbered ``k``), in the patterns news uses."""
    he, she, other = _surname(3 * k), _surname(3 * k + 1), _surname(3 * k + 2)
    first_m, first_f = rnd.choice(_FIRST_M), rnd.choice(_FIRST_F)
    role, org = rnd.choice(_ROLES)
    say = lambda: rnd.choice(_SAYINGS)
    return "\n\n".join([
        f"{first_f} {she}, the {role} of the {org}, met {first_m} {he} and "
        f"{rnd.choice(_FIRST_M)} {other} on Tuesday. “{say().capitalize()},” {she} said.",
        f"Mr. {he} walked in late. “{say().capitalize()},” he conceded. "
        f"The {role} added: “{say().capitalize()}.”",
        f"Some words first. {he} said, “{say().capitalize()}!”",
        f"“{say().capitalize()}!” reply {she} and {other}.",
        f"“{say().capitalize()},” the inspector said, and {she} said she would not answer.",
    ])


def generated_article(chars: int, seed: int = 12) -> str:
    """About ``chars`` characters: the seeds in turn, each followed by a new cast's report."""
    seeds = [p.read_text(encoding="utf-8").strip() for p in sorted((REPO / "seeds").glob("*.txt"))]
    rnd = random.Random(seed)
    parts: list[str] = []
    size = k = 0
    while size < chars:
        for part in (seeds[k % len(seeds)], _cast_report(k, rnd)):
            parts.append(part)
            size += len(part) + 2
        k += 1
    return "\n\n".join(parts)[:chars]


def bbc_article(chars: int) -> str:
    """About ``chars`` characters of BBC News articles in turn (repeated when they run out)."""
    files = sorted(BBC.rglob("*.txt"))
    if not files:
        raise SystemExit(f"no BBC articles under {BBC}")
    parts: list[str] = []
    size = 0
    while size < chars:
        for f in files:
            part = f.read_bytes().decode("utf-8", errors="replace").strip()
            parts.append(part)
            size += len(part) + 2
            if size >= chars:
                break
    return "\n\n".join(parts)[:chars]


def measure(text: str) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, quotes found) of one extraction."""
    c0, w0 = time.process_time(), time.perf_counter()
    quotes = extract_quotes(text)
    return time.process_time() - c0, time.perf_counter() - w0, len(quotes)


def main(argv: list[str] | None = None) -> int:
    """Print one row per size and the ratio of the largest size's seconds per MB to the
    smallest's."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=float, nargs="+", default=[1.0, 3.0, 10.0], help="MB of text")
    ap.add_argument("--source", choices=("generated", "bbc"), default="generated")
    args = ap.parse_args(argv)
    make = generated_article if args.source == "generated" else bbc_article
    print(f"quote extraction, one {args.source} article per size "
          "(CPU s; wall s on a shared machine)")
    print(f"{'MB':>6} {'quotes':>8} {'CPU s':>8} {'wall s':>8} {'CPU s/MB':>9}")
    per_mb: list[float] = []
    for mb in args.sizes:
        text = make(int(mb * 1_000_000))
        cpu, wall, n = measure(text)
        per_mb.append(cpu / mb)
        print(f"{mb:>6g} {n:>8} {cpu:>8.2f} {wall:>8.2f} {cpu / mb:>9.2f}", flush=True)
    if len(per_mb) > 1:
        print(f"s/MB at {args.sizes[-1]:g} MB over s/MB at {args.sizes[0]:g} MB: "
              f"{per_mb[-1] / per_mb[0]:.2f} (1.0 is linear)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
