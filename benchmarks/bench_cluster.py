"""Reading on a Dask cluster: ingestion throughput with 1 and 2 workers, beside the local pool.

    .venv/bin/python benchmarks/bench_cluster.py [--corpus bbc|synthetic] [--articles N]
                                                 [--repeat 3] [--json FILE]

Starts ``dask scheduler`` on a loopback port and ``dask worker`` processes (each a nanny with
one single-threaded worker process), as README's "Dask" says, and runs cold builds (no store)
in fresh processes: on this machine's cores (the local process pool), then with
``--scheduler`` on 1 worker, then on 2. For each, the build's "ingest" stage (files read, sent,
decoded and segmented on the workers, the records sent back and written into the store by the
build) gives articles per second. Beside it, the cluster's own throughput: the same files read
by ``cluster.ingested`` in this process, the records received and dropped (no store). A warm-up
build on each cluster first, so the workers have imported what they need.

Corpora: ../shared/corpora/bbc-news (2,225 articles), or the first ``--articles`` files of the
SYNTHETIC corpus (``benchmarks/corpora.py``). Figures are medians of ``--repeat`` runs, with
the fastest and slowest: the machine is shared, so they are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from bench_scale import workspace
from corpora import CORPORA, DEFAULT_CACHE, prepare_synthetic

DASK = Path(sys.executable).with_name("dask")
ONCE = HERE / "_build_once.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """``dask scheduler`` and ``workers`` ``dask worker`` processes on loopback."""

    def __init__(self, workers: int, root: Path) -> None:
        import distributed

        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.procs = [self._start(root, "scheduler", "--host", "127.0.0.1", "--port",
                                  self.address.rsplit(":", 1)[1], "--no-dashboard")]
        for _ in range(workers):
            self.procs.append(self._start(root, "worker", self.address, "--nworkers", "1",
                                          "--nthreads", "1", "--no-dashboard"))
        self.client = distributed.Client(self.address, timeout=60, set_as_default=False)
        self.client.wait_for_workers(workers, timeout=120)

    @staticmethod
    def _start(root: Path, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([str(DASK), *args], cwd=root, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def close(self) -> None:
        self.client.close()
        for proc in reversed(self.procs):  # workers first: a nanny stops its worker
            proc.terminate()
            proc.wait(timeout=60)


def cold_ingest(config: Path, out: Path, scheduler: str | None) -> tuple[float, float]:
    """(ingest stage seconds, whole build seconds) of a cold build in a fresh process."""
    shutil.rmtree(out.parent / "store", ignore_errors=True)
    cmd = [sys.executable, str(ONCE), str(config), str(out), "json"]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=REPO)
    wall = time.perf_counter() - t
    return json.loads(done.stdout.strip().splitlines()[-1])["ingest"], wall


def cluster_only(address: str, corpus: list[Path]) -> float:
    """Seconds for the cluster to read ``corpus``, the records received here and dropped."""
    from briefing.read import cluster
    from briefing.read.files import scan_articles
    from briefing.read.worker import Job

    jobs = [Job.of(f.path, f.id, f.full, f.size, f.mtime_ns, ("", None))
            for f in scan_articles(corpus)]
    t = time.perf_counter()
    for _ in cluster.ingested(address, jobs):
        pass
    return time.perf_counter() - t


def summary(seconds: list[float], articles: int) -> dict[str, float]:
    rates = sorted(articles / s for s in seconds)
    return {"median": statistics.median(rates), "min": rates[0], "max": rates[-1]}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", choices=["bbc", "synthetic"], default="bbc")
    p.add_argument("--articles", type=int, default=10_000, help="of the SYNTHETIC corpus")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    if not CORPORA.is_dir():
        raise SystemExit(f"needs ../shared/corpora beside the repository ({CORPORA} is absent)")
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        root = Path(tmp)
        if args.corpus == "bbc":
            corpus = [CORPORA / "bbc-news"]
        else:  # the first files of the SYNTHETIC corpus, linked into a folder of their own
            whole = prepare_synthetic(args.cache)
            corpus = [root / "synthetic"]
            for path in sorted(whole.rglob("*.txt"))[: args.articles]:
                target = corpus[0] / path.relative_to(whole)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(path, target)
        ws = workspace(args.corpus, HERE / "configs" / "bbc.yaml", corpus, root)
        config, out = ws / "briefing.yaml", ws / "out"
        from briefing.read.files import scan_articles

        articles = len(scan_articles(corpus))
        rows: dict[str, dict[str, dict[str, float]]] = {}
        runs = [cold_ingest(config, out, None) for _ in range(args.repeat)]
        rows["local pool"] = {"build": summary([r[0] for r in runs], articles)}
        for workers in (1, 2):
            dask = Cluster(workers, root)
            try:
                cold_ingest(config, out, dask.address)  # warm-up: the workers' imports
                runs = [cold_ingest(config, out, dask.address) for _ in range(args.repeat)]
                alone = [cluster_only(dask.address, corpus) for _ in range(args.repeat)]
            finally:
                dask.close()
            rows[f"{workers} worker{'s' if workers > 1 else ''}"] = {
                "build": summary([r[0] for r in runs], articles),
                "cluster": summary(alone, articles)}
    ratios = {kind: rows["2 workers"][kind]["median"] / rows["1 worker"][kind]["median"]
              for kind in ("build", "cluster")}
    results = {"corpus": args.corpus, "articles": articles, "cores": os.cpu_count(),
               "rows": rows, "ratios": ratios}
    print(json.dumps(results), flush=True)
    print(f"\n{articles:,} articles ({args.corpus}), {os.cpu_count()} cores, articles per second "
          f"(median of {args.repeat}, fastest-slowest)\n")
    print("| reading on | cold build's ingest stage | the cluster alone (no store) |")
    print("|---|---|---|")
    for name, row in rows.items():
        cells = [f"{row[k]['median']:,.0f} ({row[k]['min']:,.0f}-{row[k]['max']:,.0f})"
                 if k in row else "" for k in ("build", "cluster")]
        print(f"| {name} | {cells[0]} | {cells[1]} |")
    print(f"| 2 workers / 1 | {ratios['build']:.2f}x | {ratios['cluster']:.2f}x |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
