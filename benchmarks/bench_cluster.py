"""Reading on a Dask cluster: ingestion throughput with 1 and 2 workers, beside the local pool.

    .venv/bin/python benchmarks/bench_cluster.py [--corpus bbc|synthetic|pages]
                                                 [--articles N] [--repeat 3] [--json FILE]

Starts ``dask scheduler`` on a loopback port and ``dask worker`` processes (each a nanny with
one single-threaded worker process), as README's "Dask" says, and runs cold builds (no store)
in fresh processes: on this machine's cores (the local process pool), then with
``--scheduler`` on 1 worker, then on 2. For each, the build's "ingest" stage (files read, sent,
decoded and segmented on the workers, the records sent back and written into the store by the
build) gives articles per second. Beside it, the cluster's own throughput: the same files read
by ``cluster.ingested`` in this process, the records received and dropped (no store). A warm-up
build on each cluster first, so the workers have imported what they need; both clusters are up
at once and the runs take turns (local, 1 worker, 2 workers, again), so that the load of other
work on the machine falls on each alike. Each round also times two processes that only count
against one: what the machine gives a second busy process in those minutes, the ceiling of any
2-worker ratio measured beside it.

Corpora: ../shared/corpora/bbc-news (2,225 short plain-text articles: cheap to read, so the
build's own share, storing, weighs as much as the workers'), the first ``--articles`` files
of the SYNTHETIC corpus (``benchmarks/corpora.py``), or ``--articles`` saved news pages
(``bench_fetch.page``: navigation, comments, JSON-LD; each read by trafilatura, the costly
kind). CPU time per article is given by process (the build with its pool, the workers, the
scheduler), which the load of other work does not change as it changes wall time. Figures are
medians of ``--repeat`` runs, with the fastest and slowest: the machine is shared, so noisy.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
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

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by the scheduler and by the worker processes (a nanny's
        children: its worker, and any it started again)."""
        import psutil

        def used(proc: psutil.Process) -> float:
            t = proc.cpu_times()
            return t.user + t.system

        nannies = [psutil.Process(p.pid) for p in self.procs[1:]]
        return {"scheduler": used(psutil.Process(self.procs[0].pid)),
                "workers": sum(used(c) for n in nannies for c in n.children(recursive=True))}

    def close(self) -> None:
        self.client.close()
        for proc in reversed(self.procs):  # workers first: a nanny stops its worker
            proc.terminate()
            proc.wait(timeout=60)


def cold_ingest(config: Path, out: Path, scheduler: str | None) -> tuple[float, float]:
    """(ingest stage seconds, CPU seconds of the build process and the processes it waited
    for: its local pool) of a cold build in a fresh process."""
    shutil.rmtree(out.parent / "store", ignore_errors=True)
    cmd = [sys.executable, str(ONCE), str(config), str(out), "json"]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    stages = json.loads(stdout.decode().strip().splitlines()[-1])
    return stages["ingest"], usage.ru_utime + usage.ru_stime


def cluster_only(address: str, corpus: list[Path]) -> tuple[float, float]:
    """(seconds, this process's CPU seconds) for the cluster to read ``corpus``, the records
    received here and dropped."""
    from briefing.read import cluster
    from briefing.read.files import scan_articles
    from briefing.read.worker import Job

    jobs = [Job.of(f.path, f.id, f.full, f.size, f.mtime_ns, ("", None))
            for f in scan_articles(corpus)]
    t, cpu = time.perf_counter(), time.process_time()
    for _ in cluster.ingested(address, jobs):
        pass
    return time.perf_counter() - t, time.process_time() - cpu


def _spin(seconds: float, counts: multiprocessing.Queue[int]) -> None:
    n, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        for _ in range(10_000):
            n += 1
    counts.put(n)


def spinning(processes: int, seconds: float = 2.0) -> float:
    """Loop turns a second by ``processes`` processes that only count, at once: what the
    machine gives two busy processes now, against one (the ceiling of any 2-worker ratio in
    the same minutes, whatever else runs on it)."""
    counts: multiprocessing.Queue[int] = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_spin, args=(seconds, counts))
             for _ in range(processes)]
    for proc in procs:
        proc.start()
    total = sum(counts.get() for _ in procs)
    for proc in procs:
        proc.join()
    return total / seconds


def summary(seconds: list[float], articles: int) -> dict[str, float]:
    rates = sorted(articles / s for s in seconds)
    return {"median": statistics.median(rates), "min": rates[0], "max": rates[-1]}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", choices=["bbc", "synthetic", "pages"], default="bbc")
    p.add_argument("--articles", type=int, default=10_000,
                   help="of the SYNTHETIC corpus, or pages made")
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
        elif args.corpus == "pages":
            from bench_fetch import page

            corpus = [root / "corpus" / "pages"]
            corpus[0].mkdir(parents=True)
            for n in range(args.articles):
                (corpus[0] / f"{n:05d}.html").write_bytes(page("news.example", n))
        else:  # the first files of the SYNTHETIC corpus, linked into a folder of their own
            whole = prepare_synthetic(args.cache)
            corpus = [root / "corpus" / "synthetic"]
            for path in sorted(whole.rglob("*.txt"))[: args.articles]:
                target = corpus[0] / path.relative_to(whole)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(path, target)
        ws = workspace(args.corpus, HERE / "configs" / "bbc.yaml", corpus, root)
        config, out = ws / "briefing.yaml", ws / "out"
        from briefing.read.files import scan_articles

        articles = len(scan_articles(corpus))
        names = {0: "local pool", 1: "1 worker", 2: "2 workers"}
        clusters = {n: Cluster(n, root) for n in (1, 2)}  # both up: the runs alternate
        try:
            for dask in clusters.values():
                cold_ingest(config, out, dask.address)  # warm-up: the workers' imports
            before = {n: d.cpu() for n, d in clusters.items()}
            builds: dict[int, list[tuple[float, float]]] = {n: [] for n in names}
            alone: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
            machine: list[float] = []
            for _ in range(args.repeat):  # in turn, so the load of other work falls on each
                for n in names:
                    address = clusters[n].address if n else None
                    builds[n].append(cold_ingest(config, out, address))
                machine.append(spinning(2) / spinning(1))
            after = {n: d.cpu() for n, d in clusters.items()}
            for _ in range(args.repeat):
                for n, dask in clusters.items():
                    alone[n].append(cluster_only(dask.address, corpus))
        finally:
            for dask in clusters.values():
                dask.close()
        per = 1000 / articles  # milliseconds per article
        rows: dict[str, dict[str, dict[str, float]]] = {}
        cpu: dict[str, dict[str, float]] = {}
        for n, name in names.items():
            rows[name] = {"build": summary([r[0] for r in builds[n]], articles)}
            cpu[name] = {"build": statistics.median(r[1] for r in builds[n]) * per}
            if n:
                rows[name]["cluster"] = summary([a[0] for a in alone[n]], articles)
                cpu[name].update({k: (after[n][k] - before[n][k]) * per / args.repeat
                                  for k in after[n]})
                cpu[name]["client alone"] = statistics.median(a[1] for a in alone[n]) * per
    ratios = {kind: rows["2 workers"][kind]["median"] / rows["1 worker"][kind]["median"]
              for kind in ("build", "cluster")}
    ratios["machine"] = statistics.median(machine)
    results = {"corpus": args.corpus, "articles": articles, "cores": os.cpu_count(),
               "load": os.getloadavg()[0], "rows": rows, "ratios": ratios, "cpu_ms": cpu}
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
    print(f"\nTwo processes that only count, against one, in the same rounds: "
          f"{ratios['machine']:.2f}x (median of {args.repeat}; 2.00x on two idle cores)")
    print("\nCPU milliseconds per article, by process: in the cold builds (the build's whole run, "
          "its local pool included), and this process for the cluster alone\n")
    print("| reading on | build | workers | scheduler | this process, cluster alone |")
    print("|---|---|---|---|---|")
    for name, used in cpu.items():
        print(f"| {name} | {used['build']:.2f} | {used.get('workers', 0):.2f} | "
              f"{used.get('scheduler', 0):.2f} | {used.get('client alone', 0):.2f} |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
