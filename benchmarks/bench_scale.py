"""Scale benchmark: cold, warm and warm-plus-one-file builds of four corpora, each build in a
fresh process with its wall time and peak memory; beside them, what a user would otherwise
script (grep for the theme terms; a rank_bm25 script over all paragraphs) and the ratios.

    .venv/bin/python benchmarks/bench_scale.py [--corpus seeds bbc reuters synthetic]
                                               [--no-baselines] [--json FILE]

Corpora: the five seeds (config/briefing.yaml's themes); ../shared/corpora/bbc-news (2,225
articles; benchmarks/configs/bbc.yaml); Reuters-21578 converted to one .txt per story by
benchmarks/corpora.py (19,043 stories with a body; configs/reuters.yaml); and a SYNTHETIC corpus
of 100,000 articles made from those two (configs/synthetic.yaml; see corpora.py). Formats json
and txt (the PDF's cost does not grow with the corpus). "Cold" starts with no store; "warm" finds
the store the previous build left, nothing changed; "+1 file" adds one new article first. Warm
and +1 file are each run three times (three articles added one by one): the median is shown.
Peak memory is the build process's maxrss (with its worker processes), from wait4.

With --postgres, each corpus is also built with its store in PostgreSQL (``store:
postgresql://...``), beside the embedded store in the same run: a throwaway cluster started
for the run (tests/postgres.py: initdb into a temporary folder, a Unix socket, the server's
default settings but max_wal_size), one new database per corpus; after the cold build the
server's autovacuum is let finish (``settled_s``) before the warm builds; the row says how
the warm build compares with SQLite's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from corpora import CORPORA, DEFAULT_CACHE, prepare_reuters, prepare_synthetic

BRIEFING = [sys.executable, "-m", "briefing.cli"]
if (REPO / ".venv" / "bin" / "briefing").exists():
    BRIEFING = [str(REPO / ".venv" / "bin" / "briefing")]


def timed(cmd: list[str], cwd: Path = REPO) -> tuple[float, float, str]:
    """(wall seconds, peak MB, stdout) via os.wait4, which reports this child's own maxrss."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return wall, usage.ru_maxrss / 1024, out.decode()


def workspace(name: str, themes_config: Path, corpus: list[Path], root: Path,
              store: str | None = None) -> Path:
    """A config for the benchmark: the corpus's themes with corpus/out/store of our own
    (``store``: a server store's URL instead of a folder)."""
    ws = root / name
    shutil.rmtree(ws, ignore_errors=True)
    (ws / "extra").mkdir(parents=True)
    text = themes_config.read_text(encoding="utf-8")
    text = re.sub(r"^(corpus|out|store):.*$", "", text, flags=re.M)
    base = themes_config.parent  # the sources manifest's relative paths keep their meaning
    text = re.sub(r"^(\s*-?\s*path:\s*)\"?(\.\.?/[^\"\n]*)\"?\s*$",
                  lambda m: f"{m.group(1)}\"{(base / m.group(2)).resolve()}\"", text, flags=re.M)
    paths = [*map(str, corpus), str(ws / "extra")]
    text += "\n" + yaml.safe_dump({"corpus": paths, "out": str(ws / "out"),
                                   "store": store or str(ws / "store")})
    (ws / "briefing.yaml").write_text(text, encoding="utf-8")
    return ws


def theme_terms(config: Path) -> list[list[str]]:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    out = []
    for theme in data["themes"].values():
        out.append([t.split("^")[0].rstrip("*").lower() for t in theme["terms"]])
    return out


def one_new_article(corpus: list[Path], target: Path, n: int) -> None:
    source = next(p for c in corpus for p in sorted(c.rglob("*.txt")))
    data = source.read_bytes().decode("utf-8", errors="replace")
    target.write_text(f"A new article on the day, number {n}\n\n" + data, encoding="utf-8")


RUNS = 3  # warm builds, and builds after one more article, each; the median is reported


def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The run with the median wall time (and its peak memory)."""
    return sorted(runs)[len(runs) // 2]


def settled(url: str, limit: float = 600.0) -> float:
    """Wait until the server runs no autovacuum worker (after a cold build of 100,000 articles
    it analyses and vacuums the new tables for a while, on the cores the builds use): the
    seconds waited. A warm build is measured as a team meets it, long after the load."""
    import psycopg

    start = time.perf_counter()
    quiet = 0
    with psycopg.connect(url, autocommit=True) as conn:
        while quiet < 3 and time.perf_counter() - start < limit:
            row = conn.execute("SELECT count(*) FROM pg_stat_activity "
                               "WHERE backend_type = 'autovacuum worker'").fetchone()
            quiet = quiet + 1 if row == (0,) else 0
            time.sleep(1)
    return time.perf_counter() - start


def bench(name: str, themes_config: Path, corpus: list[Path], root: Path,
          baselines: bool, store: str | None = None) -> dict[str, object]:
    ws = workspace(name, themes_config, corpus, root, store)
    cmd = [*BRIEFING, "build", "--config", str(ws / "briefing.yaml"), "-f", "json", "-f", "txt",
           "--quiet"]
    result: dict[str, object] = {"corpus": name}
    result["cold"] = timed(cmd)[:2]
    if store is not None:
        result["settled_s"] = settled(store)
    result["warm_runs"] = [timed(cmd)[:2] for _ in range(RUNS)]
    result["warm"] = median(result["warm_runs"])
    plus = []
    for n in range(RUNS):
        one_new_article(corpus, ws / "extra" / f"new-article-{n}.txt", n)
        plus.append(timed(cmd)[:2])
    result["plus_one_runs"] = plus
    result["plus_one"] = median(plus)
    doc = json.loads((ws / "out" / "briefing.json").read_text(encoding="utf-8"))
    result["articles"] = doc["corpus"]["articles"]
    result["items"] = sum(len(s["items"]) for s in doc["sections"])
    if baselines:
        terms = theme_terms(themes_config)
        pattern = "|".join(re.escape(t) for ts in terms for t in ts)
        wall, mb, out = timed(["grep", "-ril", "-E", pattern, *map(str, corpus)])
        result["grep"] = (wall, mb, len(out.splitlines()))
        wall, mb, out = timed([sys.executable, str(HERE / "_bm25_baseline.py"),
                               json.dumps([" ".join(ts).split() for ts in terms]),
                               *map(str, corpus)])
        result["bm25"] = (wall, mb, int(out.strip() or 0))
    return result


def report(results: list[dict[str, object]]) -> str:
    lines = ["| corpus | articles | cold s | warm s | +1 file s | peak MB (cold/warm) |"
             " grep -ril s | rank_bm25 s (peak MB) | grep/warm | bm25/warm |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    embedded = {r["corpus"]: r for r in results if "store" not in r}
    for r in results:
        cold, warm, plus = r["cold"], r["warm"], r["plus_one"]
        g, b = r.get("grep"), r.get("bm25")
        label = r["corpus"] + (" (SYNTHETIC)" if str(r["corpus"]).startswith("synthetic") else "")
        if "store" in r:
            base = embedded.get(r["corpus"])
            label += " · PostgreSQL" + (f" (warm {warm[0] / base['warm'][0]:.2f}x SQLite)"
                                        if base else "")
        lines.append(
            f"| {label} | {r['articles']:,} | {cold[0]:.2f} | {warm[0]:.2f} | {plus[0]:.2f} | "
            f"{max(cold[1], plus[1]):.0f} / {warm[1]:.0f} | "
            + (f"{g[0]:.2f} | {b[0]:.2f} ({b[1]:.0f}) | {g[0] / warm[0]:.1f}x | "
               f"{b[0] / warm[0]:.1f}x |" if g and b else "- | - | - | - |"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", nargs="+", default=["seeds", "bbc", "reuters", "synthetic"],
                   choices=["seeds", "bbc", "reuters", "synthetic"])
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--no-baselines", action="store_true")
    p.add_argument("--json", type=Path)
    p.add_argument("--postgres", action="store_true",
                   help="also build each corpus with its store in PostgreSQL")
    args = p.parse_args(argv)
    if not CORPORA.is_dir() and args.corpus != ["seeds"]:
        raise SystemExit(f"needs ../shared/corpora beside the repository ({CORPORA} is absent)")
    runs = args.cache / "runs"
    plan = {
        "seeds": (REPO / "config" / "briefing.yaml", lambda: [REPO / "seeds"]),
        "bbc": (HERE / "configs" / "bbc.yaml", lambda: [CORPORA / "bbc-news"]),
        "reuters": (HERE / "configs" / "reuters.yaml", lambda: [prepare_reuters(args.cache)]),
        "synthetic": (HERE / "configs" / "synthetic.yaml",
                      lambda: [prepare_synthetic(args.cache)]),
    }
    cluster = None
    if args.postgres:
        sys.path.insert(0, str(REPO / "tests"))
        from postgres import Cluster

        cluster = Cluster(max_wal_size="4GB")
    results = []
    try:
        for name in args.corpus:
            config, corpus = plan[name]
            label = name if name != "synthetic" else "synthetic-100k"
            r = bench(label, config, corpus(), runs, not args.no_baselines)
            results.append(r)
            print(json.dumps(r), flush=True)
            if cluster is not None:
                r = bench(label, config, corpus(), runs / "postgres", False,
                          cluster.database("bench"))
                r["store"] = "postgresql"
                results.append(r)
                print(json.dumps(r), flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    print(f"\n{os.cpu_count()} cores; formats json, txt; each build a fresh process\n")
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
