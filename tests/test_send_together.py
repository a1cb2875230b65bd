"""Two ``briefing send`` runs on one ledger, as real processes, to one aiosmtpd server on
loopback: they share the readers and mail each once between them; a run killed with -9 leaves
claims that a second run takes over once they expire (the one message in flight is the only
one sent twice, with its Message-ID); a run stalled past its claims withdraws the message
another run has taken over (README "Sending": several senders)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from test_delivery import REPO, Sink, smtp_server, workspace, write_workspace

from briefing.config.load import load_config
from briefing.config.model import Config
from briefing.store import backends
from briefing.store.ledger import LEDGER_NAME, open_ledger

if TYPE_CHECKING:
    from postgres import Cluster

pytest_plugins = ["postgres"]

EDITION = "2026-11-22"
SUMMARY = re.compile(r"edition 2026-11-22: (\d+) delivered, (\d+) already sent, (\d+) failed, "
                     r"(\d+) deferred")


def readers(n: int) -> str:
    return "readers:\n" + "".join(
        f"  - {{id: r{i:02d}, name: Reader {i}, email: r{i:02d}@example.org, "
        f"themes: [security], formats: [email]}}\n" for i in range(n))


def sender(cfg: Config, url: str, expiry: float = 120) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "BRIEFING_SMTP_URL": url,
           "BRIEFING_SMTP_PASSWORD": "", "BRIEFING_CLAIM_EXPIRY": str(expiry)}
    return subprocess.Popen([sys.executable, "-m", "briefing.cli", "send", "--config",
                             str(cfg.path), "--edition-date", EDITION], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(proc: subprocess.Popen[str]) -> tuple[int, int, int]:
    """(exit code, delivered, already sent) of a run that ends within two minutes."""
    out, err = proc.communicate(timeout=120)
    m = SUMMARY.search(out)
    assert m, (out, err)
    assert m.group(3) == m.group(4) == "0", out
    return proc.returncode, int(m.group(1)), int(m.group(2))


def wait_for(what: Callable[[], object], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


class Timed(Sink):
    """A sink that notes when it accepted each message (wall clock) and on which session."""

    def __init__(self) -> None:
        super().__init__()
        self.at: list[tuple[str, float, object]] = []

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if reply.startswith("250"):
            with self.lock:
                self.at += [(rcpt, time.time(), session) for rcpt in envelope.rcpt_tos]
        return reply


class BothAtWork(Timed):
    """Holds every MAIL FROM until two connections have been seen (or a minute has passed):
    the two senders are certainly at work at the same time."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[object] = []

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            if session not in self.seen:
                self.seen.append(session)
        deadline = time.monotonic() + 60
        while len(self.seen) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return await super().handle_MAIL(server, session, envelope, address, mail_options)


def test_two_senders_share_the_readers_and_mail_each_once(tmp_path: Path) -> None:
    n = 40
    cfg = workspace(tmp_path, readers=readers(n))
    sink = BothAtWork()
    with smtp_server(sink) as url:
        first = sender(cfg, url)
        wait_for(lambda: sink.seen)  # the first has claimed its readers and connected
        second = sender(cfg, url)
        (code_a, sent_a, already_a), (code_b, sent_b, already_b) = \
            finished(first), finished(second)
    assert code_a == code_b == 0
    assert Counter(sink.recipients()) == {f"r{i:02d}@example.org": 1 for i in range(n)}
    assert sent_a + sent_b == n and sent_a + already_a == n and sent_b + already_b == n
    assert sent_a >= 8 and sent_b >= 8  # each took at least its first claim's readers
    with open_ledger(cfg.store) as ledger:
        assert [(r.reader, r.sends) for r in ledger.records()] == \
            [(f"r{i:02d}", 1) for i in range(n)]
        assert ledger.claims() == []  # each claim dropped as its reader was recorded


def on_backend(tmp_path: Path, backend: str, request: pytest.FixtureRequest,
               n: int) -> Config:
    """A workspace of ``n`` readers whose store (and so its ledger) is the embedded one
    (``sqlite``) or in a throwaway PostgreSQL cluster (``postgresql``)."""
    if backend == "sqlite":
        return workspace(tmp_path, readers=readers(n))
    cluster: Cluster = request.getfixturevalue("postgres")
    path = write_workspace(tmp_path, readers=readers(n))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("store: ../store\n", f'store: "{cluster.database("send")}"\n'),
                    encoding="utf-8")
    cfg = load_config(path)
    assert cfg.store_url
    return cfg


def test_two_senders_on_a_postgresql_store_share_its_ledger(
        tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """``store: postgresql://...`` keeps the ledger in the database too: two senders (real
    processes) claim there and mail each reader once, and no ledger.sqlite is made."""
    n = 24
    cfg = on_backend(tmp_path, "postgresql", request, n)
    sink = BothAtWork()
    with smtp_server(sink) as url:
        first = sender(cfg, url)
        wait_for(lambda: sink.seen)
        second = sender(cfg, url)
        (code_a, sent_a, _), (code_b, sent_b, _) = finished(first), finished(second)
    assert code_a == code_b == 0
    assert Counter(sink.recipients()) == {f"r{i:02d}@example.org": 1 for i in range(n)}
    assert sent_a + sent_b == n and sent_a >= 8 and sent_b >= 8
    assert not (cfg.store / LEDGER_NAME).exists()
    with backends.open_ledger(cfg) as ledger:
        assert [(r.reader, r.sends) for r in ledger.records()] == \
            [(f"r{i:02d}", 1) for i in range(n)]
        assert ledger.claims() == []


class InFlight(Timed):
    """Takes the second message whole (the server has it: it counts as accepted) and then
    withholds its reply until ``released``: the sender is killed with the message in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.messages_seen = 0
        self.arrived = False
        self.released = False

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages_seen += 1
            second = self.messages_seen == 2
        if not second:
            return await super().handle_DATA(server, session, envelope)
        with self.lock:
            self.accepted += [(r, envelope.content) for r in envelope.rcpt_tos]
            self.at += [(r, time.time(), session) for r in envelope.rcpt_tos]
        self.arrived = True
        while not self.released:
            await asyncio.sleep(0.02)
        return "250 OK"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_killed_senders_readers_are_taken_over_once_its_claims_expire(
        tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    """On either ledger: the same takeover, the same one-message window."""
    n, expiry = 12, 3.0
    cfg = on_backend(tmp_path, backend, request, n)
    sink = InFlight()
    with smtp_server(sink) as url:
        killed = sender(cfg, url, expiry)
        try:
            wait_for(lambda: sink.arrived)
        finally:
            os.kill(killed.pid, signal.SIGKILL)
            killed.wait()
            sink.released = True
        with backends.open_ledger(cfg) as ledger:
            assert [r.reader for r in ledger.records()] == ["r00"]
            claims = {c.reader: c.expires_at for c in ledger.claims()}
        # The killed run holds its first eight readers, r01 in flight among them.
        assert sorted(claims) == [f"r{i:02d}" for i in range(1, 8)]
        code, delivered, already = finished(sender(cfg, url, expiry))
    assert (code, delivered, already) == (0, n - 1, 1)
    counts = Counter(sink.recipients())
    # The one window: r01 was accepted by the server but never recorded, so it went twice,
    # with the same Message-ID. Nobody else got two.
    assert counts == {f"r{i:02d}@example.org": 2 if i == 1 else 1 for i in range(n)}
    copies = [m for m in sink.messages() if m["To"].addresses[0].addr_spec == "r01@example.org"]
    assert len({m["Message-ID"] for m in copies}) == 1
    # None of the killed run's readers was taken over before its claim expired.
    second = {rcpt.split("@")[0]: at for rcpt, at, _ in sink.at[2:]}
    for reader, expires_at in claims.items():
        assert second[reader] >= expires_at - 0.05, reader
    with backends.open_ledger(cfg) as ledger:
        assert {r.reader: r.sends for r in ledger.records()} == \
            {f"r{i:02d}": 1 for i in range(n)}


class SlowForTheFirst(Timed):
    """Answers the first connection's RCPT for r01 only once another connection has
    delivered r01: the first sender is merely slow (the server kept it waiting), long past its
    claims' expiry."""

    def __init__(self) -> None:
        super().__init__()
        self.stalling = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("r01@") and self.sessions and session is self.sessions[0]:
            self.stalling = True
            deadline = time.monotonic() + 60
            while "r01@example.org" not in self.recipients() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_sender_stalled_past_its_claim_does_not_send_what_was_taken_over(
        tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    n = 10
    cfg = on_backend(tmp_path, backend, request, n)
    sink = SlowForTheFirst()
    with smtp_server(sink) as url:
        slow = sender(cfg, url, expiry=2)
        wait_for(lambda: sink.stalling)  # r00 sent, r01 waiting for its RCPT reply
        other = sender(cfg, url, expiry=2)
        (code_slow, sent_slow, already_slow), (code_other, sent_other, _) = \
            finished(slow), finished(other)
    assert code_slow == code_other == 0
    assert Counter(sink.recipients()) == {f"r{i:02d}@example.org": 1 for i in range(n)}
    # The slow run sent r00 and withdrew r01 at its DATA: the other run had it by then.
    first_session = sink.sessions[0]
    assert [rcpt for rcpt, _, s in sink.at if s is first_session] == ["r00@example.org"]
    assert (sent_slow, already_slow) == (1, n - 1) and sent_other == n - 1


@pytest.mark.parametrize("value", ["0", "-5", "soon", "nan", "inf"])
def test_a_claim_expiry_that_cannot_work_is_a_config_error(tmp_path: Path, value: str) -> None:
    cfg = workspace(tmp_path, readers=readers(1))
    env = {**os.environ, "PYTHONPATH": str(REPO), "BRIEFING_SMTP_URL": "smtp://127.0.0.1:1",
           "BRIEFING_SMTP_PASSWORD": "", "BRIEFING_CLAIM_EXPIRY": value}
    run = subprocess.run([sys.executable, "-m", "briefing.cli", "send", "--config",
                          str(cfg.path)], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 3, run.stderr
    assert "BRIEFING_CLAIM_EXPIRY: expected a number of seconds above 0" in run.stderr
    check = subprocess.run([sys.executable, "-m", "briefing.cli", "check", "--config",
                            str(cfg.path)], env=env, capture_output=True, text=True, timeout=60)
    assert "BRIEFING_CLAIM_EXPIRY" in check.stdout + check.stderr


def test_a_send_waits_for_the_store_as_long_as_a_claim_lasts(tmp_path: Path) -> None:
    """A run building its editions holds the store; a second run has nothing to do meanwhile,
    so it waits for it as long as a claim lasts (not the 10 s a build waits), then sends. A
    BRIEFING_LOCK_TIMEOUT given still rules: then it stops with exit code 6."""
    from briefing.read.ingest import open_store

    n = 3
    cfg = workspace(tmp_path, readers=readers(n))
    sink = Timed()
    with smtp_server(sink) as url:
        store = open_store(cfg)  # another run's hold on the store, for 11 s
        try:
            patient = sender(cfg, url, expiry=30)
            hasty = subprocess.Popen(
                [sys.executable, "-m", "briefing.cli", "send", "--config", str(cfg.path),
                 "--edition-date", EDITION],
                env={**os.environ, "PYTHONPATH": str(REPO), "BRIEFING_SMTP_URL": url,
                     "BRIEFING_SMTP_PASSWORD": "", "BRIEFING_LOCK_TIMEOUT": "1"},
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            _, err = hasty.communicate(timeout=60)
            assert hasty.returncode == 6, err
            assert "another briefing build is using the store" in err
            time.sleep(11 - 1)
            assert patient.poll() is None and not sink.recipients()  # still waiting
        finally:
            store.close()
        released = time.time()
        code, delivered, already = finished(patient)
    assert (code, delivered, already) == (0, n, 0)
    assert Counter(sink.recipients()) == {f"r{i:02d}@example.org": 1 for i in range(n)}
    assert min(at for _, at, _ in sink.at) >= released
