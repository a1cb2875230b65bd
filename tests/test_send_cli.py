"""`briefing send` on the command line: in-process with CliRunner, and a real process killed
mid-run (SIGKILL) and resumed, against a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.errors import ExitCode
from briefing.ledger import open_ledger, send_lock

from test_delivery import REPO, Sink, smtp_server, workspace

EDITION = "2026-11-22"


def invoke(*args: str, env: dict[str, str] | None = None) -> object:
    runner = CliRunner()
    base = {"BRIEFING_SMTP_URL": "", "BRIEFING_SMTP_PASSWORD": ""}
    return runner.invoke(app, ["send", *args, "--edition-date", EDITION],
                         env={**base, **(env or {})})


def test_send_delivers_then_reports_already_sent(tmp_path: Path) -> None:
    cfg = workspace(tmp_path)
    sink = Sink()
    with smtp_server(sink) as url:
        first = invoke("--config", str(cfg.path), env={"BRIEFING_SMTP_URL": url})
        second = invoke("--config", str(cfg.path), "--smtp", url)
    assert first.exit_code == 0, first.output
    assert "3 delivered, 0 already sent, 0 failed" in first.output
    assert second.exit_code == 0 and "0 delivered, 3 already sent" in second.output
    assert len(sink.accepted) == 3


def test_send_without_smtp_is_a_clear_error(tmp_path: Path) -> None:
    cfg = workspace(tmp_path)
    result = invoke("--config", str(cfg.path))
    assert result.exit_code == ExitCode.DELIVERY
    assert "BRIEFING_SMTP_URL" in result.output and "--dry-run" in result.output
    assert "Traceback" not in result.output


def test_dry_run_writes_eml_files(tmp_path: Path) -> None:
    cfg = workspace(tmp_path)
    result = invoke("--config", str(cfg.path), "--dry-run", "--reader", "editor")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out/readers/editor/briefing.eml").is_file()
    assert "briefing.eml" in result.output


def test_a_failed_reader_exits_non_zero_naming_it(tmp_path: Path) -> None:
    class NoAnalyst(Sink):
        def rcpt_reply(self, address: str) -> str | None:
            return "550 5.1.1 no such user" if address.startswith("analyst@") else None

    cfg = workspace(tmp_path)
    with smtp_server(NoAnalyst()) as url:
        result = invoke("--config", str(cfg.path), "--smtp", url)
    assert result.exit_code == ExitCode.DELIVERY
    assert "2 delivered, 0 already sent, 1 failed" in result.output
    assert "analyst: not delivered: analyst@example.org refused: 550" in result.output


def test_a_second_send_while_one_runs_is_busy(tmp_path: Path) -> None:
    cfg = workspace(tmp_path)
    with smtp_server(Sink()) as url, send_lock(cfg.store):
        result = invoke("--config", str(cfg.path), "--smtp", url)
    assert result.exit_code == ExitCode.BUSY
    assert "another `briefing send`" in result.output


def test_the_password_is_never_printed(tmp_path: Path) -> None:
    secret = "Hunter2-do-not-print"
    cfg = workspace(tmp_path)
    url = f"smtp://bob:{secret}@127.0.0.1:1"
    result = invoke("--config", str(cfg.path), "--smtp", url)
    assert result.exit_code == ExitCode.DELIVERY and secret not in result.output
    from aiosmtpd.smtp import AuthResult

    def refuse(*_: object) -> AuthResult:
        return AuthResult(success=False, handled=False)

    with smtp_server(Sink(), authenticator=refuse, auth_require_tls=False) as url:
        result = invoke("--config", str(cfg.path), "--smtp", url.replace("//", "//bob@"),
                        env={"BRIEFING_SMTP_PASSWORD": secret})
    assert result.exit_code == ExitCode.DELIVERY and "login refused" in result.output
    assert secret not in result.output


class Stalling(Sink):
    """Accepts the first message; holds the second without a reply until released (by then
    the sending process has been killed), and then refuses it."""

    def __init__(self) -> None:
        super().__init__()
        self.second_arrived = threading.Event()
        self.release = threading.Event()
        self.stall = True

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        if self.stall and self.data_calls == 1:
            self.data_calls += 1
            self.second_arrived.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.4.2 the client went away"
        return await super().handle_DATA(server, session, envelope)


def test_a_killed_run_resumed_delivers_only_the_missing(tmp_path: Path) -> None:
    cfg = workspace(tmp_path)
    sink = Stalling()
    env = {**os.environ, "PYTHONPATH": str(REPO), "BRIEFING_SMTP_PASSWORD": ""}
    with smtp_server(sink) as url:
        env["BRIEFING_SMTP_URL"] = url
        cmd = [sys.executable, "-m", "briefing.cli", "send", "--config", str(cfg.path),
               "--edition-date", EDITION]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert sink.second_arrived.wait(60), "the second message never arrived"
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            sink.release.set()
        assert proc.returncode == -signal.SIGKILL
        assert sink.recipients() == ["editor@example.org"]
        with open_ledger(cfg.store) as ledger:
            assert [r.reader for r in ledger.records()] == ["editor"]
        sink.stall = False
        resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert "2 delivered, 1 already sent, 0 failed" in resumed.stdout
    assert sink.recipients() == ["editor@example.org", "analyst@example.org",
                                 "borders@example.org"]


def test_send_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "briefing send" in readme and "## Sending" in readme
    assert readme.index("## Commands") < readme.index("## Sending")
