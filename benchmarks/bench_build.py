"""Time `briefing build` on the seeds: cold and warm, per stage, each in a fresh process.

    .venv/bin/python benchmarks/bench_build.py [--repeat 5] [--format json --format txt]

"Cold" is a fresh process with no store or cache (the workspace's .briefing/ removed first);
"warm" is a fresh process that finds what the previous build left. Wall time includes the
interpreter's start-up, as a user sees it. Prints the median of each figure.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ONCE = Path(__file__).with_name("_build_once.py")
FORMATS = ["json", "txt", "html", "email", "pdf"]


def run_once(config: Path, out: Path, formats: list[str]) -> tuple[float, dict[str, float]]:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, str(ONCE), str(config), str(out), *formats],
                          capture_output=True, text=True, cwd=REPO, check=True)
    wall = time.perf_counter() - t
    return wall, json.loads(proc.stdout.strip().splitlines()[-1])


def bench(config: Path, formats: list[str], repeat: int) -> dict[str, dict[str, float]]:
    store = config.parent.parent / ".briefing"
    results: dict[str, list[tuple[float, dict[str, float]]]] = {"cold": [], "warm": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            shutil.rmtree(store, ignore_errors=True)
            results["cold"].append(run_once(config, Path(tmp), formats))
            results["warm"].append(run_once(config, Path(tmp), formats))
    summary = {}
    for kind, runs in results.items():
        stages = {k: statistics.median(r[1].get(k, 0.0) for r in runs) for k in runs[0][1]}
        summary[kind] = {"wall": statistics.median(r[0] for r in runs), **stages}
    return summary


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", type=Path, default=REPO / "config" / "briefing.yaml")
    p.add_argument("--format", action="append", dest="formats", choices=FORMATS)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)
    formats = args.formats or FORMATS
    summary = bench(args.config, formats, args.repeat)
    stages = list(summary["cold"])
    print(f"seed build, formats {','.join(formats)}, median of {args.repeat} fresh processes (s)")
    print(f"{'stage':<16}{'cold':>9}{'warm':>9}")
    for s in stages:
        print(f"{s:<16}{summary['cold'][s]:>9.3f}{summary['warm'].get(s, 0.0):>9.3f}")


if __name__ == "__main__":
    main()
