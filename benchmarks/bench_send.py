"""Time `briefing send` of 1,000 reader editions (HTML email, no PDF) to a loopback SMTP server.

    .venv/bin/python benchmarks/bench_send.py [--readers 1000] [--selections 7]

Synthetic readers in a temporary workspace over the seeds, their theme selections cycling
through ``--selections`` distinct ones (subsets and orders of the three themes, some with a
``max_items`` override). Each reader's edition is rendered, written to out/readers/ID/ and sent
over one SMTP connection to an aiosmtpd sink on 127.0.0.1, with a ledger row per message
(``synchronous=FULL``). The Briefing is built once per distinct selection and reused by every
reader who shares it; rendering, writing, sending and the ledger are per reader. Progress goes
to stderr; the last line is the figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import socket
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
    """An SMTP sink that only counts what it accepts."""

    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += len(envelope.rcpt_tos)
        self.bytes += len(envelope.content)
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


def workspace(tmp: Path, readers: int, distinct: int) -> Path:
    text = (REPO / "config" / "briefing.yaml").read_text(encoding="utf-8")
    themes = text[text.index("themes:"):text.index("# --- What you know about the articles")]
    choices = selections(distinct)
    lines = ["readers:"]
    for i in range(readers):
        lines += [f"  - id: reader-{i:04d}", f'    name: "Reader {i}"',
                  f"    email: reader-{i:04d}@example.org", f"    themes: {choices[i % len(choices)]}",
                  "    formats: [email]"]
    config = tmp / "config" / "briefing.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(
        f'title: "Russia and the Taliban"\ncorpus: "{REPO / "seeds"}"\nout: ../out\n'
        f"store: ../store\n{themes}" + "\n".join(lines) + "\n"
        'delivery:\n  from: "Briefing <briefing@example.org>"\n'
        '  unsubscribe: "https://example.org/unsubscribe"\n  rate_per_minute: 1000000\n',
        encoding="utf-8")
    return config


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--readers", type=int, default=1000)
    p.add_argument("--selections", type=int, default=7)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        sink = Counter()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            cfg = load_config(workspace(Path(tmp), args.readers, args.selections))
            started = time.perf_counter()

            def progress(done: int, total: int, reader_id: str, outcome: str) -> None:
                if done % 100 == 0 or done == total:
                    print(f"  {done:>5}/{total} {outcome:<10} {time.perf_counter() - started:6.1f} s",
                          file=sys.stderr, flush=True)

            report = send_editions(cfg, BuildOptions(edition=dt.date(2026, 11, 22)),
                                   smtp_url=f"smtp://127.0.0.1:{port}", env={},
                                   progress=progress)
            elapsed = time.perf_counter() - started
        finally:
            controller.stop()
    report.check()
    assert sink.count == args.readers, (sink.count, args.readers)
    print(f"sent {sink.count} reader editions ({args.selections} distinct theme selections, "
          f"{sink.bytes / sink.count / 1024:.0f} KiB each) to loopback SMTP in {elapsed:.1f} s "
          f"({sink.count / elapsed:.0f} messages/s)")


if __name__ == "__main__":
    main()
