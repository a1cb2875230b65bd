"""`briefing send` on the command line: in-process with CliRunner, and a real process killed
mid-run (SIGKILL) and resumed, against a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from test_delivery import READERS, REPO, Sink, located, smtp_server, workspace, write_workspace
from typer.testing import CliRunner

from briefing.cli import app
from briefing.errors import ExitCode
from briefing.store.ledger import open_ledger, send_lock

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


@pytest.mark.parametrize(("url", "says"), [
    ("", "no SMTP server: set BRIEFING_SMTP_URL"),
    ("smtp://bob:pw@mail.example.org", "must not contain a password"),
    ("http://mail.example.org", "got scheme 'http'"),
    ("smtp://bob@mail.example.org", "BRIEFING_SMTP_PASSWORD is not set"),
])
def test_send_without_working_smtp_settings_is_a_config_error(tmp_path: Path, url: str,
                                                              says: str) -> None:
    cfg = workspace(tmp_path)
    result = invoke("--config", str(cfg.path), env={"BRIEFING_SMTP_URL": url})
    assert result.exit_code == ExitCode.CONFIG  # 3: fix the settings; 7 is for readers missed
    assert says in result.output and "Traceback" not in result.output
    assert result.output.startswith("briefing: ")
    if not url:
        assert "--dry-run" in result.output


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


def test_a_send_while_a_forced_resend_runs_is_busy(tmp_path: Path) -> None:
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
    assert result.exit_code == ExitCode.CONFIG and secret not in result.output
    from aiosmtpd.smtp import AuthResult

    def refuse(*_: object) -> AuthResult:
        return AuthResult(success=False, handled=False)

    with smtp_server(Sink(), authenticator=refuse, auth_require_tls=False) as url:
        result = invoke("--config", str(cfg.path), "--smtp", url.replace("//", "//bob@"),
                        env={"BRIEFING_SMTP_PASSWORD": secret})
    assert result.exit_code == ExitCode.DELIVERY and "login refused" in result.output
    assert secret not in result.output


def test_a_non_ascii_password_is_a_config_error_naming_no_character(tmp_path: Path) -> None:
    from aiosmtpd.smtp import AuthResult

    def accept(*_: object) -> AuthResult:
        return AuthResult(success=True)

    cfg = workspace(tmp_path)
    sink = Sink()
    with smtp_server(sink, authenticator=accept, auth_require_tls=False) as url:
        result = invoke("--config", str(cfg.path), "--smtp", url.replace("//", "//bob@"),
                        env={"BRIEFING_SMTP_PASSWORD": "Geheimnis-äöü"})
    assert result.exit_code == ExitCode.CONFIG, result.output
    assert "BRIEFING_SMTP_PASSWORD has characters outside ASCII" in result.output
    assert result.output.isascii() and "internal error" not in result.output
    assert sink.mail_calls == 0


def test_a_failed_test_copy_does_not_advise_mailing_every_reader(tmp_path: Path) -> None:
    class NoTestAddress(Sink):
        def rcpt_reply(self, address: str) -> str | None:
            return "550 5.1.1 no such user" if address == "me@example.net" else None

    cfg = workspace(tmp_path)
    with smtp_server(NoTestAddress()) as url:
        result = invoke("--config", str(cfg.path), "--smtp", url, "--reader", "editor",
                        "--to", "me@example.net")
    assert result.exit_code == ExitCode.DELIVERY
    assert "editor: not delivered: me@example.net refused: 550 5.1.1" in result.output
    assert "the test copy to me@example.net was not sent" in result.output
    assert "briefing send" not in result.output


def test_a_failed_send_for_one_reader_advises_resending_that_reader_only(
        tmp_path: Path) -> None:
    class NoAnalyst(Sink):
        def rcpt_reply(self, address: str) -> str | None:
            return "550 5.1.1 no such user" if address.startswith("analyst@") else None

    cfg = workspace(tmp_path)
    with smtp_server(NoAnalyst()) as url:
        result = invoke("--config", str(cfg.path), "--smtp", url, "--reader", "analyst")
    assert result.exit_code == ExitCode.DELIVERY
    assert f"run `briefing send --reader analyst --edition-date {EDITION}` again" \
        in result.output


def test_a_deferred_reader_is_named_in_the_summary_and_the_others_are_sent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Greylisting(Sink):
        def rcpt_reply(self, address: str) -> str | None:
            return "450 4.2.0 greylisted, try later" if address.startswith("editor@") \
                else None

    from briefing.deliver import send as delivery

    # the real send, its retries only quicker than the default 1, 2, 4, 8 s
    monkeypatch.setattr(delivery, "send_editions", functools.partial(
        delivery.send_editions, backoff=0.01, max_backoff=0.02))
    cfg = workspace(tmp_path)
    sink = Greylisting()
    with smtp_server(sink) as url:
        result = invoke("--config", str(cfg.path), "--smtp", url)
    assert result.exit_code == ExitCode.DELIVERY, result.output
    assert "2 delivered, 0 already sent, 0 failed, 1 deferred" in result.output
    assert "  deferred: editor: editor@example.org: 450 4.2.0 greylisted, try later (gave up " \
           "after 5 attempts)" in result.output
    assert "editor: deferred (the server said to try later)" in result.output
    assert sorted(sink.recipients()) == ["analyst@example.org", "borders@example.org"]


def test_check_refuses_an_email_that_send_would_refuse_at_its_line(tmp_path: Path) -> None:
    path = write_workspace(tmp_path, READERS.replace("email: analyst@example.org",
                                                     'email: "<analyst@example.org>"'))
    result = CliRunner().invoke(app, ["check", "--config", str(path)])
    assert result.exit_code == ExitCode.CONFIG
    assert located(path, '"<analyst@example.org>"', "readers[1].email",
                   "bad email address: '<analyst@example.org>' (write the address alone, "
                   "without '<>')") in result.output


class Stalling(Sink):
    """Accepts the first message; holds the second without a reply until released (by then
    the sending process has been killed), and then refuses it."""

    def __init__(self) -> None:
        super().__init__()
        self.second_arrived = threading.Event()
        self.release = threading.Event()
        self.stall = True

    async def handle_DATA(self, server, session, envelope):
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
    # the killed run's claim on the reader in flight is taken over once it expires
    env = {**os.environ, "PYTHONPATH": str(REPO), "BRIEFING_SMTP_PASSWORD": "",
           "BRIEFING_CLAIM_EXPIRY": "2"}
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
