"""The send loop: every reader's edition, sent at most once.

    readers -> edition (``editions``) -> message (``message``) -> SMTP (``smtp``) or .eml
    (``eml``) -> ledger row

:func:`send_editions` holds the store's send lock, skips every (edition, reader) the ledger
already has, builds the rest (one Briefing per distinct theme selection and window, reused by
every reader who shares it), sends each over one SMTP connection, and writes the ledger row
only once the server has accepted the message. What a failure stops depends on whom it is
about (see ``smtp``): one reader deferred or failed, or the rest of the run not attempted.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from briefing.config.model import Config, Reader
from briefing.deliver.editions import EditionMaker
from briefing.deliver.eml import write_eml
from briefing.deliver.headers import valid_address
from briefing.deliver.message import build_message, sender_address
from briefing.deliver.smtp import Attempts, Retrying, SmtpTransport, smtp_settings
from briefing.errors import ConfigError, DeliveryError, Problem, UsageError
from briefing.pipeline import BuildOptions, now
from briefing.store.ledger import Ledger, open_ledger, read_ledger, send_lock

__all__ = ["Pacer", "Progress", "SendReport", "send_editions"]

#: Progress callback: (readers done, readers in total, reader id, outcome).
Progress = Callable[[int, int, str, str], None]

@dataclass
class SendReport:
    """What a send did, reader by reader. ``deferred``: readers the server told to try later
    (a 4xx to RCPT TO, after every retry); ``not_sent``: readers not attempted because the
    server itself failed; both are sent by the next run, like ``failed``."""

    edition: str
    delivered: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    deferred: dict[str, str] = field(default_factory=dict)
    not_sent: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    dry_run: bool = False
    to: str | None = None  # the address of a test copy (--to)
    reader: str | None = None  # the one reader the run was for (--reader)

    @property
    def ok(self) -> bool:
        """True when every reader got (or already had) the edition."""
        return not self.failed and not self.deferred and not self.not_sent

    def lines(self) -> list[str]:
        """The summary a person reads at the end of a run."""
        verb = "would send" if self.dry_run else "delivered"
        out = [f"edition {self.edition}: {len(self.delivered)} {verb}, {len(self.already)} "
               f"already sent, {len(self.failed) + len(self.not_sent)} failed, "
               f"{len(self.deferred)} deferred"]
        for label, ids in ((verb, self.delivered), ("already sent", self.already),
                           ("not sent", self.not_sent)):
            if ids:
                out.append(f"  {label}: {', '.join(ids)}")
        out += [f"  failed: {rid}: {why}" for rid, why in self.failed.items()]
        out += [f"  deferred: {rid}: {why}" for rid, why in self.deferred.items()]
        return out

    def check(self) -> None:
        """Raise :class:`DeliveryError` naming the readers who did not get the edition, and
        what to do about it."""
        if self.ok:
            return
        lines = [f"{rid}: not delivered: {why}" for rid, why in self.failed.items()]
        lines += [f"{rid}: deferred (the server said to try later): {why}"
                  for rid, why in self.deferred.items()]
        if self.not_sent:
            lines.append("not attempted after the failure above: " + ", ".join(self.not_sent))
        if self.to is not None:
            # Never advise `briefing send` here: that would mail every reader.
            lines.append(f"the test copy to {self.to} was not sent (a test copy never touches "
                         "the ledger)")
        elif not self.dry_run:
            again = "briefing send" + (f" --reader {self.reader}" if self.reader else "")
            lines.append(f"run `{again} --edition-date {self.edition}` again (same --config, "
                         "no --force) to send only to the readers still missing")
        raise DeliveryError("; ".join(lines), [Problem("send", None, None, "", line)
                                               for line in lines])


class Pacer:
    """At most ``per_minute`` messages a minute, evenly spaced (no burst at the start)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 60.0 / per_minute
        self.clock, self.sleep = clock, sleep
        self.next_at: float | None = None

    def wait(self) -> None:
        """Sleep until the next message may go."""
        t = self.clock()
        if self.next_at is not None and t < self.next_at:
            self.sleep(self.next_at - t)
            t = self.next_at
        self.next_at = t + self.interval


def send_editions(config: Config, options: BuildOptions = BuildOptions(), *,
                  reader_id: str | None = None, to: str | None = None, dry_run: bool = False,
                  force: bool = False, smtp_url: str | None = None,
                  env: Mapping[str, str] = os.environ, retries: int = 4, backoff: float = 1.0,
                  max_backoff: float = 30.0, timeout: float = 30.0,
                  progress: Progress | None = None,
                  warn: Callable[[str], None] = lambda _: None,
                  sleep: Callable[[float], None] = time.sleep,
                  clock: Callable[[], float] = time.monotonic) -> SendReport:
    """Email each reader's edition (or ``reader_id``'s) at most once, and report how it went.

    ``dry_run`` writes ``out/readers/<id>/briefing.read.eml`` instead of sending; ``to`` sends one
    reader's edition to a test address; neither ever writes the ledger. ``force`` resends
    editions the ledger already has. Retries wait ``backoff`` seconds, doubling, at most
    ``max_backoff``; a server silent for ``timeout`` seconds has timed out. Settings that
    cannot work raise :class:`ConfigError` before anything is built; the returned report's
    :meth:`SendReport.check` raises :class:`DeliveryError` when a reader did not get it.
    """
    readers = _selected(config, reader_id, to)
    transport = None  # a dry run writes .eml files
    if not dry_run:
        settings = smtp_settings(smtp_url, env=env, ca_file=config.delivery.ca_file,
                                 timeout=timeout)
        if settings is None:
            raise ConfigError("no SMTP server: set BRIEFING_SMTP_URL (e.g. "
                              "smtp+starttls://user@mail.example.org:587) or pass --smtp URL, "
                              "or use --dry-run to write .eml files")
        transport = SmtpTransport(settings)
    if to is not None and not valid_address(to):
        raise UsageError(f"--to: not a plain email address: {to!r}")
    edition = (options.edition or now().date()).isoformat()
    report = SendReport(edition, dry_run=dry_run, to=to, reader=reader_id)
    attempts = Attempts(Retrying(retries, backoff, max_backoff, sleep))
    pacer = Pacer(config.delivery.rate_per_minute, clock, sleep)
    if dry_run or to is not None:
        ledger = read_ledger(config.store)
        try:
            _loop(_Run(config, options, report, ledger, writable=False, to=to,
                       force=force or to is not None, transport=transport,
                       attempts=attempts, pacer=pacer, progress=progress, warn=warn), readers)
        finally:
            if ledger is not None:
                ledger.close()
        return report
    with send_lock(config.store), open_ledger(config.store) as ledger:
        _loop(_Run(config, options, report, ledger, writable=True, to=None, force=force,
                   transport=transport, attempts=attempts, pacer=pacer,
                   progress=progress, warn=warn), readers)
    return report


def _selected(config: Config, reader_id: str | None, to: str | None) -> list[Reader]:
    if not config.readers:
        raise ConfigError(f"{config.path}: no readers are configured (readers: is empty)")
    if reader_id is not None:
        return [config.reader(reader_id)]
    if to is not None and len(config.readers) > 1:
        raise UsageError("--to sends one reader's edition: name the reader with --reader ID")
    return list(config.readers)


@dataclass(frozen=True)
class _Run:
    """One run of the send loop: what it sends with and to whom it reports. ``writable``: the
    ledger records what is delivered (not for a dry run or a test copy ``to`` one address);
    ``transport`` None writes ``.eml`` files instead of sending."""

    config: Config
    options: BuildOptions
    report: SendReport
    ledger: Ledger | None
    writable: bool
    to: str | None
    force: bool
    transport: SmtpTransport | None
    attempts: Attempts
    pacer: Pacer
    progress: Progress | None
    warn: Callable[[str], None]


def _loop(run: _Run, readers: Sequence[Reader]) -> None:
    config, report, ledger, to, transport = run.config, run.report, run.ledger, run.to, \
        run.transport
    maker: EditionMaker | None = None
    sender = sender_address(config)
    total = len(readers)
    try:
        for done, reader in enumerate(readers, 1):
            if not run.force and ledger is not None and ledger.has(report.edition, config.title,
                                                                   reader.id):
                report.already.append(reader.id)
                _tell(run.progress, done, total, reader.id, "already sent")
                continue
            if not valid_address(to or reader.email):
                report.failed[reader.id] = f"not a plain email address: {to or reader.email!r}"
                _tell(run.progress, done, total, reader.id, "failed")
                continue
            maker = maker or EditionMaker(config, run.options, ledger=ledger, warn=run.warn)
            edition = maker.make(reader)
            msg = build_message(edition, config, to=to)
            if transport is None:
                report.written += write_eml(edition.folder, msg)
                report.delivered.append(reader.id)
                _tell(run.progress, done, total, reader.id, "written")
                continue
            run.pacer.wait()
            failure = run.attempts.send(transport, msg, sender, to or reader.email)
            if failure is None:
                if run.writable and ledger is not None:
                    ledger.record(report.edition, config.title, reader.id,
                                  recipient=reader.email, message_id=str(msg["Message-ID"]))
                report.delivered.append(reader.id)
                _tell(run.progress, done, total, reader.id, "delivered")
                continue
            if failure.transient and failure.recipient:
                # A 4xx to RCPT TO is about this mailbox (greylisting, a full mailbox): the
                # others are still sent, and the next run tries this reader again.
                report.deferred[reader.id] = failure.message
                _tell(run.progress, done, total, reader.id, "deferred")
                continue
            report.failed[reader.id] = failure.message
            _tell(run.progress, done, total, reader.id, "failed")
            if failure.transient or failure.fatal:
                # The server is down or refusing everyone: the rest would fail the same way
                # (after as many retries); a re-run delivers them.
                report.not_sent += [r.id for r in readers[done:]]
                break
    finally:
        if transport is not None:
            transport.close()
        if maker is not None:
            maker.finish()


def _tell(progress: Progress | None, done: int, total: int, reader_id: str, what: str) -> None:
    if progress is not None:
        progress(done, total, reader_id, what)
