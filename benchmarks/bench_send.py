"""Time `briefing send` of 10,000 reader editions (HTML email, no PDF) by two concurrent
senders to a loopback SMTP server, and check that every reader got exactly one message.

    .venv/bin/python benchmarks/bench_send.py [--readers 10000] [--senders 2] [--selections 7]
                                              [--postgres]

Synthetic readers in a temporary workspace over the seeds, their theme selections cycling
through ``--selections`` distinct ones (subsets and orders of the three themes, some with a
``max_items`` override). ``--senders N`` (N >= 2) starts N ``briefing send`` processes at once
on the one ledger (they share the readers through its claims) and times them from their start
to the last one's end; ``--senders 1`` runs one send in this process, with progress on
stderr. Each reader's edition is rendered, written to out/readers/ID/, archived and sent to an
aiosmtpd sink on 127.0.0.1, with a ledger row per message (``synchronous=FULL``). The Briefing
is built once per distinct selection in each sender; rendering, writing, archiving, sending
and the ledger are per reader. With ``--postgres`` the store and the send ledger are in a
throwaway PostgreSQL cluster started for the run (tests/postgres.py: initdb into a temporary
folder, a Unix socket) instead of the embedded store. The last line is the figure.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import itertools
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from briefing.config.load import load_config
from briefing.deliver.send import send_editions
from briefing.pipeline import BuildOptions

THEMES = ("security", "recognition", "central-asia-borders")


class Counter:
    """An SMTP sink that only counts what it accepts, per recipient."""

    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0
        self.recipients: collections.Counter[str] = collections.Counter()

    async def handle_DATA(self, server, session, envelope):
        self.count += len(envelope.rcpt_tos)
        self.bytes += len(envelope.content)
        self.recipients.update(envelope.rcpt_tos)
        return "250 OK"


def selections(n: int) -> list[str]:
    """``n`` distinct YAML theme lists."""
    out = []
    for k in (1, 2, 3):
        for combo in itertools.permutations(THEMES, k):
            out.append("[" + ", ".join(combo) + "]")
    for limit in range(1, 50):
        out.append(f"[{{id: security, max_items: {limit}}}]")
    return out[:n]


def workspace(tmp: Path, readers: int, distinct: int, store: str = "../store") -> Path:
    text = (REPO / "config" / "briefing.yaml").read_text(encoding="utf-8")
    themes = text[text.index("themes:"):text.index("# --- What you know about the articles")]
    choices = selections(distinct)
    lines = ["readers:"]
    for i in range(readers):
        lines += [f"  - id: reader-{i:04d}", f'    name: "Reader {i}"',
                  f"    email: reader-{i:04d}@example.org",
                  f"    themes: {choices[i % len(choices)]}", "    formats: [email]"]
    config = tmp / "config" / "briefing.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(
        f'title: "Russia and the Taliban"\ncorpus: "{REPO / "seeds"}"\nout: ../out\n'
        f"store: \"{store}\"\n{themes}" + "\n".join(lines) + "\n"
        'delivery:\n  from: "Briefing <briefing@example.org>"\n'
        '  unsubscribe: "https://example.org/unsubscribe"\n  rate_per_minute: 1000000\n',
        encoding="utf-8")
    return config


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--readers", type=int, default=10000)
    p.add_argument("--senders", type=int, default=2)
    p.add_argument("--selections", type=int, default=7)
    p.add_argument("--postgres", action="store_true",
                   help="the store and the ledger in a throwaway PostgreSQL cluster")
    args = p.parse_args(argv)
    cluster = None
    if args.postgres:
        sys.path.insert(0, str(REPO / "tests"))
        from postgres import Cluster

        cluster = Cluster()
    try:
        elapsed, shares, sink = run(args, cluster.database("send") if cluster else "../store")
    finally:
        if cluster is not None:
            cluster.stop()
    assert sink.count == args.readers, (sink.count, args.readers)
    twice = [r for r, n in sink.recipients.items() if n != 1]
    assert len(sink.recipients) == args.readers and not twice, twice[:5]
    print(f"sent {sink.count} reader editions ({args.selections} distinct theme selections, "
          f"{sink.bytes / sink.count / 1024:.0f} KiB each) to loopback SMTP by "
          f"{args.senders} sender{'s' if args.senders > 1 else ''} "
          f"({' + '.join(map(str, shares))}), "
          f"{'PostgreSQL' if cluster else 'embedded'} store and ledger, every reader once, "
          f"in {elapsed:.1f} s ({sink.count / elapsed:.0f} messages/s)")


def run(args: argparse.Namespace, store: str) -> tuple[float, list[int], Counter]:
    """One timed send of ``args.readers`` editions; the time, each sender's share, the sink."""
    with tempfile.TemporaryDirectory() as tmp, socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        sink = Counter()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            config = workspace(Path(tmp), args.readers, args.selections, store)
            url = f"smtp://127.0.0.1:{port}"
            started = time.perf_counter()
            if args.senders == 1:
                shares = [one_sender(config, url, started)]
            else:
                shares = senders(config, url, args.senders)
            elapsed = time.perf_counter() - started
        finally:
            controller.stop()
    return elapsed, shares, sink


def one_sender(config: Path, url: str, started: float) -> int:
    """One send in this process, with progress on stderr; how many it delivered."""
    def progress(done: int, total: int, reader_id: str, outcome: str) -> None:
        if done % 100 == 0 or done == total:
            print(f"  {done:>5}/{total} {outcome:<10} {time.perf_counter() - started:6.1f} s",
                  file=sys.stderr, flush=True)

    report = send_editions(load_config(config), BuildOptions(edition=dt.date(2026, 11, 22)),
                           smtp_url=url, env={}, progress=progress)
    report.check()
    return len(report.delivered)


def senders(config: Path, url: str, n: int) -> list[int]:
    """``n`` ``briefing send`` processes at once on one ledger; how many each delivered."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "BRIEFING_SMTP_URL": url,
           "BRIEFING_SMTP_PASSWORD": ""}
    cmd = [sys.executable, "-m", "briefing.cli", "send", "--config", str(config),
           "--edition-date", "2026-11-22"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(n)]
    shares = []
    for proc in procs:
        out, err = proc.communicate()
        assert proc.returncode == 0, (proc.returncode, out[-2000:], err[-2000:])
        m = re.search(r": (\d+) delivered, (\d+) already sent, 0 failed, 0 deferred", out)
        assert m, out[-2000:]
        shares.append(int(m.group(1)))
    return shares


if __name__ == "__main__":
    main()
