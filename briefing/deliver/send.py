"""The send loop: every reader's edition, sent once, by this run or another one.

    readers -> editions built (``editions``) -> readers claimed a batch at a time
    (``claims``) -> message (``message``) -> SMTP (``smtp``) or .eml (``eml``) -> ledger row

:func:`send_editions` builds the editions of every reader the ledger does not have yet (one
Briefing per distinct theme selection and window, reused by every reader who shares it) and
releases the store; then it claims readers in the ledger, sends each over one SMTP connection,
and writes the ledger row only once the server has accepted the message. Other runs on the
same ledger claim other readers meanwhile. What a failure stops depends on whom it is about
(see ``smtp``): one reader deferred or failed, or the rest of the run not attempted.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from briefing.config.model import Config, Reader
from briefing.deliver.claims import Claims, Unclaimed, claim_expiry
from briefing.deliver.editions import EditionMaker
from briefing.deliver.eml import write_eml
from briefing.deliver.headers import valid_address
from briefing.deliver.message import build_message, sender_address
from briefing.deliver.smtp import Attempts, Retrying, SmtpTransport, Withdrawn, smtp_settings
from briefing.errors import ConfigError, DeliveryError, Problem, UsageError
from briefing.pipeline import BuildOptions, now
from briefing.runtime import collecting
from briefing.store import backends
from briefing.store.ledger import Ledger
from briefing.store.locks import DEFAULT_LOCK_TIMEOUT, lock_timeout

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
    def done(self) -> int:
        """How many readers have an outcome so far (delivered, already sent, failed, deferred)."""
        return len(self.delivered) + len(self.already) + len(self.failed) + len(self.deferred)

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
                  clock: Callable[[], float] = time.monotonic,
                  expiry: float | None = None) -> SendReport:
    """Email each reader's edition (or ``reader_id``'s) at most once, and report how it went.

    ``dry_run`` writes ``out/readers/<id>/briefing.eml`` instead of sending; ``to`` sends one
    reader's edition to a test address; neither ever writes the ledger. ``force`` resends
    editions the ledger already has. Retries wait ``backoff`` seconds, doubling, at most
    ``max_backoff``; a server silent for ``timeout`` seconds has timed out. A reader is
    claimed for ``expiry`` seconds at a time (None: ``BRIEFING_CLAIM_EXPIRY`` in ``env``, or
    ``claims.CLAIM_EXPIRY``); readers other runs hold are waited for (see ``claims``). Settings
    that cannot work raise :class:`ConfigError` before anything is built; the returned
    report's :meth:`SendReport.check` raises :class:`DeliveryError` when a reader did not get
    it; :class:`BusyError` when ``force`` and another run holds the ledger, or the reverse.
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
        ledger = backends.read_ledger(config)
        try:
            queue = Unclaimed(ledger, edition, config.title, [r.id for r in readers],
                              force=force or to is not None)
            _loop(_Run(config, options, report, ledger, queue, to=to, transport=transport,
                       attempts=attempts, pacer=pacer, progress=progress, warn=warn), readers)
        finally:
            if ledger is not None:
                ledger.close()
        return report
    expiry = claim_expiry(env) if expiry is None else expiry
    with backends.open_ledger(config) as ledger, ledger.sending(exclusive=force):
        claims = Claims(ledger, edition, config.title, [r.id for r in readers], expiry=expiry,
                        force=force, clock=clock, sleep=sleep,
                        waiting=lambda rid: _tell(progress, report.done, len(readers), rid,
                                                  "held by another run"))
        # Another run building its editions holds the store: this one has nothing to do
        # meanwhile, and the other's claims last as long, so it waits that long for it.
        wait = lock_timeout(default=max(DEFAULT_LOCK_TIMEOUT, expiry))
        _loop(_Run(config, options, report, ledger, claims, to=None, transport=transport,
                   attempts=attempts, pacer=pacer, progress=progress, warn=warn,
                   store_wait=wait), readers)
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
    """One run of the send loop: what it sends with and to whom it reports. ``queue`` hands
    out the readers (claimed in the ledger, or not for a dry run or a test copy ``to`` one
    address, which never write the ledger); ``transport`` None writes ``.eml`` files."""

    config: Config
    options: BuildOptions
    report: SendReport
    ledger: Ledger | None
    queue: Claims | Unclaimed
    to: str | None
    transport: SmtpTransport | None
    attempts: Attempts
    pacer: Pacer
    progress: Progress | None
    warn: Callable[[str], None]
    store_wait: float | None = None  # how long to wait for the store (None: the default)


class _Stop(Exception):
    """The server failed in a way every later message would (see ``smtp``): stop the run."""


def _loop(run: _Run, readers: Sequence[Reader]) -> None:
    by_id = {r.id: r for r in readers}
    maker: EditionMaker | None = None
    batch: list[str] = []
    try:
        # Every edition this run may send is built first (and the store released); a reader
        # the ledger already has needs none, unless it is sent again on purpose.
        todo = [r for r in readers if valid_address(run.to or r.email) and (
            run.queue.force or run.ledger is None
            or not run.ledger.has(run.report.edition, run.config.title, r.id))]
        if todo:
            maker = EditionMaker(run.config, run.options, todo, ledger=run.ledger,
                                 warn=run.warn, wait=run.store_wait)
        # Each reader leaves short-lived objects in cycles (its message, its renderings):
        # with the collector off for the run (``runtime``), a send to thousands of readers
        # kept every one of them (100 KB a reader).
        with collecting():
            for handed in run.queue.batches():
                for rid in handed.sent:
                    run.report.already.append(rid)
                    _tell(run.progress, run.report.done, len(readers), rid, "already sent")
                batch = list(handed.mine)
                while batch:
                    _one(run, by_id[batch[0]], maker, len(readers))
                    batch.pop(0)
    except _Stop:
        _stopped(run, readers, batch[1:])
    finally:
        run.queue.close()
        if run.transport is not None:
            run.transport.close()
        if maker is not None:
            maker.finish()


def _one(run: _Run, reader: Reader, maker: EditionMaker | None, total: int) -> None:
    """Build, send and record one reader's edition, and report it; :class:`_Stop` when the
    server failed for everyone."""
    config, report, to, transport = run.config, run.report, run.to, run.transport

    def tell(what: str) -> None:
        _tell(run.progress, report.done, total, reader.id, what)

    if not valid_address(to or reader.email):
        report.failed[reader.id] = f"not a plain email address: {to or reader.email!r}"
        run.queue.give_back([reader.id])
        return tell("failed")
    if not run.queue.holds(reader.id):
        return  # taken over while this run was stalled: looked at again later
    assert maker is not None, "every reader not yet sent has its edition built"
    edition = maker.make(reader)
    msg = build_message(edition, config, to=to)
    if transport is None:
        report.written += write_eml(edition.folder, msg)
        report.delivered.append(reader.id)
        return tell("written")
    run.pacer.wait()
    try:
        failure = run.attempts.send(transport, msg, sender_address(config), to or reader.email,
                                    before_data=lambda: run.queue.holds(reader.id))
    except Withdrawn:
        # Another run took this reader over while this one was stalled past its claim:
        # that run sends it; this one looks at it again later (it will be "already sent").
        return
    if failure is None:
        if run.ledger is not None and to is None:
            run.ledger.record(report.edition, config.title, reader.id,
                              recipient=reader.email, message_id=str(msg["Message-ID"]))
            run.queue.recorded(reader.id)
        report.delivered.append(reader.id)
        return tell("delivered")
    run.queue.give_back([reader.id])
    if failure.transient and failure.recipient:
        # A 4xx to RCPT TO is about this mailbox (greylisting, a full mailbox): the others
        # are still sent, and the next run tries this reader again.
        report.deferred[reader.id] = failure.message
        return tell("deferred")
    report.failed[reader.id] = failure.message
    tell("failed")
    if failure.transient or failure.fatal:
        # The server is down or refusing everyone: the rest would fail the same way (after
        # as many retries); a re-run delivers them.
        raise _Stop


def _stopped(run: _Run, readers: Sequence[Reader], batch: Sequence[str]) -> None:
    """Report the readers a stopped run did not attempt, in the config's order: those still
    to be sent (and not sent by another run meanwhile), claims given back."""
    run.queue.give_back(batch)
    left = set(batch) | set(run.queue.left())
    for reader in readers:
        if reader.id not in left:
            continue
        if run.ledger is not None and run.report.to is None and not run.queue.force \
                and run.ledger.has(run.report.edition, run.config.title, reader.id):
            run.report.already.append(reader.id)
        else:
            run.report.not_sent.append(reader.id)


def _tell(progress: Progress | None, done: int, total: int, reader_id: str, what: str) -> None:
    if progress is not None:
        progress(done, total, reader_id, what)
