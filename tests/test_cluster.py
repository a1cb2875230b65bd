"""Reading on a Dask cluster (``build --scheduler``): the same store and the same edition as the
local process pool, on a real ``distributed.LocalCluster`` of worker processes and on
``dask scheduler`` / ``dask worker`` started as processes of their own; and the cases that go
wrong: an address of the wrong form, a scheduler that refuses, a cluster without a worker, a
worker killed midway (replaced, or the last one), a worker running other code."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FIXED_EDITION, FIXED_EPOCH, REPO

from briefing.config.load import load_config
from briefing.read import cluster
from briefing.read.files import scan_articles
from briefing.read.ingest import open_store
from briefing.read.scheduler import scheduler_problem
from briefing.read.worker import Job, ingest_file
from briefing.store.interface import ROW

distributed = pytest.importorskip("distributed",
                                  reason="needs Dask distributed (scripts/setup --team)")

DASK = Path(sys.executable).with_name("dask")
GENERATED = 240  # articles made from the seeds' paragraphs: enough for the local process pool


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds, the document and web page fixtures, files a reader warns about or skips, and
    articles recombined from the seeds' paragraphs: over PARALLEL_MIN files, so the local
    build uses its pool."""
    root = tmp_path_factory.mktemp("corpus") / "corpus"
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copytree(REPO / "tests" / "data" / "documents", root / "documents")
    web = root / "web"
    web.mkdir()
    for page in (REPO / "tests" / "data" / "web").glob("*.html"):
        shutil.copy(page, web / page.name)
    odd = root / "odd"
    odd.mkdir()
    (odd / "empty.txt").write_text("")
    (odd / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (odd / "bad-front-matter.md").write_text("---\ntitle: [a, b]\npublished: soon\n---\n\nA "
                                             "body paragraph that says something.\n")
    (odd / "latin1.txt").write_bytes("Caf\xe9 talks\n\nThe caf\xe9 hosted talks.\n"
                                     .encode("latin-1"))
    paragraphs = [p for f in sorted((REPO / "seeds").glob("*.txt"))
                  for p in f.read_text(encoding="utf-8").split("\n\n") if len(p) > 80]
    rng = random.Random(18)
    made = root / "made"
    made.mkdir()
    for n in range(GENERATED):
        body = "\n\n".join(rng.sample(paragraphs, 4))
        (made / f"{n:03d}.txt").write_text(f"Recombined report number {n}\n\n{body}\n",
                                           encoding="utf-8")
    return root


def workspace(root: Path, corpus: Path) -> Path:
    """A workspace with the default config's themes over ``corpus`` (its manifest's paths
    moved there), its own store and out/."""
    ws = root / "ws"
    (ws / "config").mkdir(parents=True)
    text = (REPO / "config" / "briefing.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^corpus: .*$", f"corpus: {corpus}", text, flags=re.M)
    text = text.replace("../seeds/", f"{corpus}/seeds/")
    (ws / "config" / "briefing.yaml").write_text(text, encoding="utf-8")
    return ws


def build(ws: Path, *args: str, env: dict[str, str] | None = None,
          wait: bool = True) -> subprocess.CompletedProcess[str] | subprocess.Popen[str]:
    """``briefing build`` (JSON and text) in a fresh process in ``ws``."""
    cmd = [sys.executable, "-m", "briefing.cli", "build", "--edition-date", FIXED_EDITION,
           "-f", "json", "-f", "txt", *args]
    full = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH, **(env or {})}
    if not wait:
        return subprocess.Popen(cmd, cwd=ws, env=full, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, cwd=ws, env=full, capture_output=True, text=True, timeout=600)


def outputs(ws: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((ws / "out").glob("briefing.*"))}


def store_content(ws: Path) -> tuple[dict[str, tuple], dict[int, object]]:
    """Every file's row and every article's stored record, through the store's interface."""
    with open_store(load_config(ws / "config" / "briefing.yaml")) as store:
        rows = store.rows()
        return rows, store.load(r[ROW.key] for r in rows.values() if r[ROW.ok])


@dataclass(frozen=True)
class Built:
    ws: Path
    stderr: str  # its warnings: the skipped and odd files


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Built:
    """The reference: a cold build of ``corpus`` on this machine's cores."""
    ws = workspace(tmp_path_factory.mktemp("local"), corpus)
    done = build(ws)
    assert done.returncode == 0, done.stderr
    assert "warning: skipped" in done.stderr
    return Built(ws, done.stderr)


def jobs_of(corpus: Path) -> list[Job]:
    return [Job.of(f.path, f.id, f.full, f.size, f.mtime_ns, ("", None))
            for f in scan_articles([corpus])]


# --- The address ------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "tcp://[::1]:8786",
                                     "tcp://dask.example.org:8786", "tcp://10.0.0.5:1/"])
def test_a_scheduler_address_is_tcp_host_port(address: str) -> None:
    assert scheduler_problem(address) is None


@pytest.mark.parametrize("address", [
    "http://127.0.0.1:8786", "tls://127.0.0.1:8786", "inproc://x", "127.0.0.1:8786",
    "tcp://127.0.0.1", "tcp://:8786", "tcp://127.0.0.1:0", "tcp://127.0.0.1:99999",
    "tcp://127.0.0.1:port", "tcp://user@127.0.0.1:8786", "tcp://u:pw@127.0.0.1:8786",
    "tcp://127.0.0.1:8786/scheduler", "tcp://127.0.0.1:8786?x=1", "tcp://127.0.0.1:8786#x",
    "tcp://127.0.0.1:8786?", " tcp://127.0.0.1:8786", "tcp://127.0.0.1:8786\n",
    "tcp://127.0.0.1:8786\x00", "tcp://[::1:8786", "",
])
def test_an_address_of_another_form_is_refused(address: str) -> None:
    problem = scheduler_problem(address)
    assert problem is not None and "tcp://HOST:PORT" in problem


def test_a_bad_scheduler_address_is_a_usage_error_before_anything_is_read(
        tmp_path: Path, corpus: Path) -> None:
    ws = workspace(tmp_path, corpus)
    done = build(ws, "--scheduler", "http://127.0.0.1:8786")
    assert done.returncode == 2
    assert done.stderr.strip() == ("briefing: --scheduler: expected tcp://HOST:PORT (the address "
                                   "`dask scheduler` prints; Dask's other protocols are not "
                                   "supported), got 'http://127.0.0.1:8786'")
    assert not (ws / "out").exists() and not (ws / ".briefing").exists()


def test_a_scheduler_that_refuses_is_one_clear_error_and_a_warm_build_never_asks(
        tmp_path: Path, corpus: Path, local: Built) -> None:
    ws = workspace(tmp_path, corpus)
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there any more
    t0 = time.monotonic()
    done = build(ws, "--scheduler", address)
    assert done.returncode == 9, done.stderr
    assert done.stderr.strip() == f"briefing: cannot reach the Dask scheduler at {address}: " \
                                  "Connection refused"
    assert time.monotonic() - t0 < 25  # refused at once, not after Dask's 30 s of retries
    assert not list((ws / "out").glob("briefing.*"))
    # once the store is up to date, nothing is left to read and the cluster is not asked
    assert build(ws).returncode == 0
    warm = build(ws, "--scheduler", address)
    assert warm.returncode == 0, warm.stderr
    assert outputs(ws) == outputs(local.ws)


# --- A LocalCluster of worker processes ------------------------------------------------------


@pytest.fixture(scope="module")
def local_cluster() -> Iterator[str]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c:
        yield c.scheduler_address


def test_the_cluster_gives_the_records_the_local_reading_gives_in_order(
        corpus: Path, local_cluster: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every record equal (text, paragraphs, passages, warnings, a skipped file's), in the
    order of the jobs, also for paths relative to this process's working directory and a file
    gone since it was listed: the workers read no file themselves."""
    monkeypatch.chdir(corpus.parent)
    jobs = jobs_of(Path(corpus.name))  # relative paths: no worker has this working directory
    gone = corpus / "made" / "gone.txt"
    gone.write_text("For a moment.\n")
    jobs += [Job.of(str(gone), "gone.txt", str(gone), 14, 0, ("", None))]
    gone.unlink()
    expected = [ingest_file(j) for j in jobs]
    assert [r.ok for r in expected].count(False) >= 3  # empty, binary, gone
    assert any("cannot read" in w for r in expected for w in r.warnings)
    assert list(cluster.ingested(local_cluster, jobs)) == expected


def test_a_build_on_the_cluster_stores_and_writes_what_a_local_build_does(
        tmp_path: Path, corpus: Path, local: Built, local_cluster: str) -> None:
    ws = workspace(tmp_path, corpus)
    done = build(ws, "--scheduler", local_cluster)
    assert done.returncode == 0, done.stderr
    assert done.stderr == local.stderr  # the same warnings, and none of Dask's log lines
    assert outputs(ws) == outputs(local.ws)
    assert store_content(ws) == store_content(local.ws)


# --- dask scheduler and dask worker as processes of their own -------------------------------


class DaskProcesses:
    """``dask scheduler`` on a loopback port and ``dask worker`` processes (each with a nanny)
    started in a folder of their own, as a team would start them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.procs: list[subprocess.Popen[bytes]] = []
        self.scheduler = self._start("scheduler", "--host", "127.0.0.1", "--port",
                                     str(self.port), "--no-dashboard")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        self.client = distributed.Client(self.address, timeout=60, set_as_default=False)

    def _start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        with open(self.root / f"{args[0]}-{len(self.procs)}.log", "wb") as log:
            proc = subprocess.Popen([str(DASK), *args], cwd=self.root, stdout=log, stderr=log,
                                    env={**os.environ, **(env or {})})
        self.procs.append(proc)
        return proc

    def worker(self, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """A ``dask worker`` (a nanny and its one worker process), once it has joined."""
        before = len(self.client.nthreads())
        proc = self._start("worker", self.address, "--nworkers", "1", "--nthreads", "1",
                           "--no-dashboard", env=env)
        self.client.wait_for_workers(before + 1, timeout=60)
        return proc

    def worker_pids(self) -> dict[str, int]:
        return self.client.run(os.getpid)

    def running(self) -> bool:
        """Whether a task of a build is being worked on now."""
        return any(keys for keys in self.client.processing().values())

    def close(self) -> None:
        """Workers first (a nanny stopped with SIGTERM stops its worker), then the scheduler."""
        self.client.close()
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)


@pytest.fixture
def dask_processes(tmp_path: Path) -> Iterator[DaskProcesses]:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    procs = DaskProcesses(elsewhere)
    try:
        yield procs
    finally:
        procs.close()


def kill_midway(build_proc: subprocess.Popen[str], dask: DaskProcesses, pids: list[int]) -> None:
    """SIGKILL ``pids`` as soon as a task of the build is being worked on, the build not done."""
    deadline = time.monotonic() + 120
    while not dask.running():
        assert build_proc.poll() is None, "the build ended before any task ran"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert build_proc.poll() is None
    for pid in pids:
        os.kill(pid, signal.SIGKILL)


def test_dask_processes_of_their_own_give_the_same_edition_and_store(
        tmp_path: Path, corpus: Path, local: Built, dask_processes: DaskProcesses) -> None:
    dask_processes.worker()
    dask_processes.worker()
    ws = workspace(tmp_path, corpus)
    done = build(ws, "--scheduler", dask_processes.address)
    assert done.returncode == 0, done.stderr
    assert outputs(ws) == outputs(local.ws)
    assert store_content(ws) == store_content(local.ws)


def test_a_worker_killed_midway_is_replaced_and_the_build_completes(
        tmp_path: Path, corpus: Path, local: Built, dask_processes: DaskProcesses) -> None:
    dask_processes.worker()
    (pid,) = dask_processes.worker_pids().values()
    ws = workspace(tmp_path, corpus)
    proc = build(ws, "--scheduler", dask_processes.address, wait=False)
    kill_midway(proc, dask_processes, [pid])  # its nanny starts another; the task runs again
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert pid not in dask_processes.worker_pids().values()
    assert outputs(ws) == outputs(local.ws)
    assert store_content(ws) == store_content(local.ws)


def test_the_last_worker_killed_midway_fails_clearly_and_leaves_a_whole_store(
        tmp_path: Path, corpus: Path, local: Built, dask_processes: DaskProcesses) -> None:
    nanny = dask_processes.worker()
    (pid,) = dask_processes.worker_pids().values()
    ws = workspace(tmp_path, corpus)
    proc = build(ws, "--scheduler", dask_processes.address, env={"BRIEFING_DASK_TIMEOUT": "3"},
                 wait=False)
    kill_midway(proc, dask_processes, [nanny.pid, pid])  # no worker is left, nor comes back
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 9
    assert err.strip() == (f"briefing: the Dask cluster at {dask_processes.address} has had no "
                           f"worker for 3 s midway: start one with `dask worker "
                           f"{dask_processes.address}`")
    assert not list((ws / "out").glob("briefing.*"))
    # what was stored is whole: the next build reads the rest, and ends where a clean one does
    again = build(ws)
    assert again.returncode == 0, again.stderr
    assert outputs(ws) == outputs(local.ws)
    assert store_content(ws)[1] == store_content(local.ws)[1]


def test_a_cluster_without_a_worker_is_a_clear_error(
        tmp_path: Path, corpus: Path, dask_processes: DaskProcesses) -> None:
    ws = workspace(tmp_path, corpus)
    done = build(ws, "--scheduler", dask_processes.address, env={"BRIEFING_DASK_TIMEOUT": "2"})
    assert done.returncode == 9
    assert done.stderr.strip() == (f"briefing: the Dask cluster at {dask_processes.address} has "
                                   f"no worker (waited 2 s): start one with `dask worker "
                                   f"{dask_processes.address}`")
    assert not list((ws / "out").glob("briefing.*"))


def test_a_worker_running_other_code_is_refused(
        tmp_path: Path, corpus: Path, dask_processes: DaskProcesses) -> None:
    """What a worker with another version of the reading code stores would not be what the
    store's fingerprint names: the build stops rather than mix the two."""
    other = tmp_path / "other"
    shutil.copytree(REPO / "briefing", other / "briefing",
                    ignore=shutil.ignore_patterns("__pycache__"))
    segment = other / "briefing" / "read" / "segment.py"
    segment.write_text(segment.read_text(encoding="utf-8") + "\n# another version\n",
                       encoding="utf-8")
    dask_processes.worker(env={"PYTHONPATH": str(other)})
    ws = workspace(tmp_path, corpus)
    done = build(ws, "--scheduler", dask_processes.address)
    assert done.returncode == 9
    assert re.fullmatch(rf"briefing: a worker of the Dask cluster at {dask_processes.address} "
                        r"runs other briefing code \(version [0-9a-f]{32}, here [0-9a-f]{32}\): "
                        r"install the same briefing on every worker", done.stderr.strip())
    assert not list((ws / "out").glob("briefing.*"))


def test_the_scheduler_killed_midway_fails_clearly(
        tmp_path: Path, corpus: Path, dask_processes: DaskProcesses) -> None:
    dask_processes.worker()
    ws = workspace(tmp_path, corpus)
    proc = build(ws, "--scheduler", dask_processes.address, env={"BRIEFING_DASK_TIMEOUT": "3"},
                 wait=False)
    kill_midway(proc, dask_processes, [dask_processes.scheduler.pid])
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 9
    assert err.strip() == f"briefing: lost the Dask scheduler at {dask_processes.address} midway"
    assert not list((ws / "out").glob("briefing.*"))


# --- compute: {scheduler: ...} in the config -------------------------------------------------


def with_compute(ws: Path, scheduler: str) -> None:
    config = ws / "config" / "briefing.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + f"\ncompute:\n  scheduler: {scheduler}\n", encoding="utf-8")


def test_the_configs_scheduler_is_checked_where_it_is_written(tmp_path: Path,
                                                               corpus: Path) -> None:
    ws = workspace(tmp_path, corpus)
    with_compute(ws, "http://127.0.0.1:8786")
    line = (ws / "config" / "briefing.yaml").read_text(encoding="utf-8").count("\n")
    for command in (["check"], ["build"]):
        done = subprocess.run([sys.executable, "-m", "briefing.cli", *command], cwd=ws,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 3, done.stderr
        assert done.stderr.strip() == (
            f"config/briefing.yaml:{line}:14: compute.scheduler: expected tcp://HOST:PORT (the "
            "address `dask scheduler` prints; Dask's other protocols are not supported), got "
            "'http://127.0.0.1:8786'")


def test_a_build_reads_on_the_configs_scheduler_and_the_option_overrides_it(
        tmp_path: Path, corpus: Path, local: Built, local_cluster: str) -> None:
    ws = workspace(tmp_path, corpus)
    refusing = f"tcp://127.0.0.1:{free_port()}"
    with_compute(ws, refusing)
    done = build(ws)
    assert done.returncode == 9  # the config's scheduler is the one asked
    assert done.stderr.strip().endswith(f"cannot reach the Dask scheduler at {refusing}: "
                                        "Connection refused")
    done = build(ws, "--scheduler", local_cluster)
    assert done.returncode == 0, done.stderr
    mine, theirs = outputs(ws), outputs(local.ws)
    assert mine["briefing.txt"] == theirs["briefing.txt"]
    # the same edition; only the config's digest differs (this config has a compute: key)
    a, b = json.loads(mine["briefing.json"]), json.loads(theirs["briefing.json"])
    assert a.pop("config_sha256") != b.pop("config_sha256")
    assert a == b
    assert store_content(ws) == store_content(local.ws)


@pytest.mark.parametrize("value", ["soon", "0", "-3", "nan", "1e9"])
def test_a_timeout_that_is_not_a_number_of_seconds_is_a_config_error(
        tmp_path: Path, corpus: Path, local_cluster: str, value: str) -> None:
    ws = workspace(tmp_path, corpus)
    done = build(ws, "--scheduler", local_cluster, env={"BRIEFING_DASK_TIMEOUT": value})
    assert done.returncode == 3
    assert done.stderr.strip() == (f"briefing: BRIEFING_DASK_TIMEOUT: expected a number of "
                                   f"seconds (above 0, under a day), got {value!r}")
    assert not list((ws / "out").glob("briefing.*"))


def test_a_worker_without_this_briefing_is_a_clear_error(
        tmp_path: Path, corpus: Path, dask_processes: DaskProcesses) -> None:
    """A worker whose briefing has no cluster module (an older release) cannot even unpickle
    the task: said as such, not as an internal error."""
    older = tmp_path / "older"
    shutil.copytree(REPO / "briefing", older / "briefing",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (older / "briefing" / "read" / "cluster.py").unlink()
    dask_processes.worker(env={"PYTHONPATH": str(older)})
    ws = workspace(tmp_path, corpus)
    done = build(ws, "--scheduler", dask_processes.address)
    assert done.returncode == 9
    assert done.stderr.strip() == (f"briefing: a worker of the Dask cluster at "
                                   f"{dask_processes.address} cannot run this briefing's code "
                                   "(ModuleNotFoundError(\"No module named "
                                   "'briefing.read.cluster'\")): install the same briefing on "
                                   "every worker")
