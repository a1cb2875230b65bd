"""The SMTP transport: one connection to the server, kept alive and reopened, and how a message
that was not accepted is tried again or given up on.

Transient failures (a dropped connection, a 4xx reply) are retried with exponential backoff,
each attempt on a live connection (:class:`SmtpTransport` owns that state). What a failure is
about decides what the send loop does with it: a 4xx to RCPT TO defers that reader, a 5xx fails
that reader, anything about the server stops the run; after :data:`DEFER_STREAK` readers in a
row are deferred, each later one gets a single attempt (:class:`Attempts`). Settings come from
the environment (:func:`smtp_settings`); the password never appears in a message, a log or a
repr.
"""

from __future__ import annotations

import base64
import os
import select
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from briefing.deliver.headers import one_line
from briefing.errors import ConfigError

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc.Buffer from Python 3.12

__all__ = ["Attempts", "DEFER_STREAK", "Retrying", "SCHEMES", "SendFailure", "SmtpSettings",
           "SmtpTransport", "Withdrawn", "smtp_settings"]

#: After this many readers in a row are deferred, each later one gets a single attempt.
DEFER_STREAK = 3

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the SMTP server. The password is kept out of ``repr``, so it
    cannot reach a log or a traceback through this object."""

    scheme: str
    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    timeout: float = 30.0

    def display(self) -> str:
        """The server as a person may see it in a message: never with the password."""
        user = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


def smtp_settings(url: str | None, *, env: Mapping[str, str] = os.environ,
                  ca_file: Path | None = None, timeout: float = 30.0) -> SmtpSettings | None:
    """The SMTP settings from ``url`` (``--smtp``) or ``BRIEFING_SMTP_URL``, with the password
    from ``BRIEFING_SMTP_PASSWORD`` only; None when no server is configured. Settings that
    cannot work are a :class:`ConfigError` (the user's to fix, before anything is built): a
    URL carrying a password (refused without repeating it: passwords belong in the environment
    alone), a bad scheme, a user without a password, a password smtplib cannot send."""
    raw = (url or env.get("BRIEFING_SMTP_URL") or "").strip()
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise ConfigError("BRIEFING_SMTP_URL (or --smtp): not a URL such as "
                          "smtp+starttls://user@mail.example.org:587") from None
    if parts.password is not None:
        raise ConfigError("BRIEFING_SMTP_URL (or --smtp) must not contain a password; set "
                          "BRIEFING_SMTP_PASSWORD instead")
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ConfigError("BRIEFING_SMTP_URL (or --smtp): expected smtp://, smtp+starttls:// "
                          f"or smtps://HOST[:PORT], got scheme {scheme or 'none'!r}")
    if not host:
        raise ConfigError(f"BRIEFING_SMTP_URL (or --smtp): no host in the {scheme}:// URL "
                          f"(expected {scheme}://HOST[:PORT])")
    user = unquote(parts.username) if parts.username else None
    password = env.get("BRIEFING_SMTP_PASSWORD") or None
    if user and password is None:
        raise ConfigError(f"the SMTP URL names the user {user!r} but BRIEFING_SMTP_PASSWORD "
                          "is not set")
    # smtplib sends AUTH as ASCII and fails on anything else with a UnicodeEncodeError that
    # quotes the offending character: say so before connecting, naming no character.
    if password is not None and not password.isascii():
        raise ConfigError("BRIEFING_SMTP_PASSWORD has characters outside ASCII, which SMTP "
                          "login (Python's smtplib) cannot send; use an ASCII password")
    if user is not None and not user.isascii():
        raise ConfigError(f"BRIEFING_SMTP_URL (or --smtp): the user {user!r} has characters "
                          "outside ASCII, which SMTP login (Python's smtplib) cannot send")
    return SmtpSettings(scheme, host, port or SCHEMES[scheme], user, password, ca_file,
                        timeout)


@dataclass
class SendFailure(Exception):
    """Why a message was not accepted. ``transient``: worth retrying (a dropped connection, a
    4xx); ``fatal``: every other message would fail the same way (bad login, bad certificate);
    ``recipient``: the server's reply is about this recipient alone (to RCPT TO), so the other
    readers can still be sent to."""

    message: str
    transient: bool = False
    fatal: bool = False
    recipient: bool = False

    def __str__(self) -> str:
        return self.message


def _by_code(code: int, what: str, response: bytes | str, *, where: str = "",
             recipient: bool = False) -> SendFailure:
    """The failure for an SMTP reply. 421 is the server closing the connection (RFC 5321
    3.8), whatever the command: about the server, never one recipient or message."""
    text = response.decode("utf-8", "replace") if isinstance(response, bytes) else str(response)
    if code == 421:
        return SendFailure(f"{where or what}: {code} {one_line(text)}".strip(), transient=True)
    return SendFailure(f"{what}: {code} {one_line(text)}".strip(), transient=400 <= code < 500,
                       recipient=recipient)


class Withdrawn(Exception):
    """The message was withdrawn just before its DATA (``before_data`` said no): the server
    has not got it, and the connection is ready for the next message."""


class _Client(smtplib.SMTP):
    """smtplib's client, asking ``before_data`` (when set) just before DATA: the last moment
    a message can be withdrawn with the server not having it."""

    before_data: Callable[[], bool] | None = None

    def data(self, msg: Buffer | str) -> tuple[int, bytes]:
        if self.before_data is not None and not self.before_data():
            raise Withdrawn
        return super().data(msg)


class _TlsClient(smtplib.SMTP_SSL, _Client):
    """SMTPS, with the same question before DATA."""


#: Seconds a kept connection may go unused and still be taken at its word (see
#: ``SmtpTransport._connection``); one idle longer is asked NOOP before it is used again.
IDLE_CHECK = 5.0


class SmtpTransport:
    """One SMTP connection, opened on first use, checked before it is reused, and reopened
    whenever it is gone: dropped by the server, or closed by smtplib itself (after a 421)."""

    def __init__(self, settings: SmtpSettings,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._smtp: _Client | None = None
        self._secrets = _secret_forms(settings)
        self._clock = clock
        self._used = -IDLE_CHECK  # when the connection last carried a command

    def _connect(self) -> _Client:
        s = self.settings
        context = ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
        if s.scheme == "smtps":
            smtp: _Client = _TlsClient(s.host, s.port, timeout=s.timeout, context=context)
        else:
            smtp = _Client(s.host, s.port, timeout=s.timeout)
        try:
            smtp.ehlo()
            if s.scheme == "smtp+starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _connection(self) -> _Client:
        """The open connection, or a new one. One kept from the last message is reused only
        while it is up: a server that closed it (idle, or right after its last reply) has
        left its socket readable (the close, or a 421 said unasked), which shows without a
        round trip; one unused for :data:`IDLE_CHECK` seconds is asked NOOP as well, since a
        line can die without a word (a NAT that forgot it). Finding either out by sending
        would spend one of this message's attempts on a line the server was no longer on."""
        if self._smtp is not None:
            if not _readable(self._smtp) and (self._clock() - self._used < IDLE_CHECK
                                              or self._answers(self._smtp)):
                return self._smtp
            self._drop()
        self._smtp = self._connect()
        return self._smtp

    @staticmethod
    def _answers(smtp: _Client) -> bool:
        try:
            return smtp.noop()[0] == 250
        except (OSError, smtplib.SMTPException):
            return False

    def send(self, msg: EmailMessage, sender: str, recipient: str, *,
             before_data: Callable[[], bool] | None = None) -> None:
        """Hand ``msg`` to the server for ``recipient``; return once it is accepted, else raise
        :class:`SendFailure`. Server replies are quoted with the password masked.
        ``before_data`` is asked once the server took the envelope, just before the message
        itself goes: when it says no, the envelope is reset and :class:`Withdrawn` raised."""
        try:
            self._send(msg, sender, recipient, before_data)
        except SendFailure as failure:
            raise replace(failure, message=self.mask(failure.message)) from None
        finally:
            self._used = self._clock()
            # smtplib closes the socket itself on a 421 and on a line it cannot read, but
            # keeps the object: that connection is gone, and the next attempt opens a new one
            # (it used to fail on the closed one first, two attempts spent per 421).
            if self._smtp is not None and self._smtp.sock is None:
                self._smtp = None

    def _send(self, msg: EmailMessage, sender: str, recipient: str,
              before_data: Callable[[], bool] | None) -> None:
        where = self.settings.display()
        try:
            smtp = self._connection()
            smtp.before_data = before_data
            try:
                smtp.send_message(msg, from_addr=sender, to_addrs=[recipient])
            finally:
                smtp.before_data = None
        except Withdrawn:
            self._reset()
            raise
        except smtplib.SMTPRecipientsRefused as exc:
            code, response = next(iter(exc.recipients.values()), (550, b"refused"))
            what = f"{recipient} refused" if code >= 500 else recipient
            raise _by_code(code, what, response, where=where, recipient=True) from None
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            failure = _by_code(exc.smtp_code, f"{where}: login refused", exc.smtp_error)
            raise replace(failure, transient=False, fatal=True) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise _by_code(exc.smtp_code, "message refused", exc.smtp_error,
                           where=where) from None
        except smtplib.SMTPServerDisconnected as exc:
            self._drop()
            # smtplib reports a read that timed out (a server that never greets, or never
            # answers) as "Connection unexpectedly closed": the timeout is its cause.
            if isinstance(exc.__context__, TimeoutError):
                raise SendFailure(self._timed_out(where), transient=True) from None
            raise SendFailure(f"{where}: the server closed the connection",
                              transient=True) from None
        except smtplib.SMTPResponseException as exc:
            self._drop()
            raise _by_code(exc.smtp_code, where, exc.smtp_error) from None
        except ssl.SSLError as exc:
            self._drop()
            raise SendFailure(f"{where}: TLS failed: {exc.reason or type(exc).__name__} (for a "
                              "private CA, set delivery.ca_file)", fatal=True) from None
        except smtplib.SMTPNotSupportedError as exc:
            self._drop()
            raise SendFailure(f"{where}: {exc}", fatal=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            if isinstance(exc, TimeoutError):
                raise SendFailure(self._timed_out(where), transient=True) from None
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else \
                type(exc).__name__
            raise SendFailure(f"{where}: {reason}", transient=True) from None

    def _timed_out(self, where: str) -> str:
        return f"{where}: timed out: no reply from the server within {self.settings.timeout:g} s"

    def mask(self, text: str) -> str:
        """``text`` with the password, in every form a server could echo it, made ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _reset(self) -> None:
        """Forget the envelope of a withdrawn message (RSET), or the connection if that fails."""
        if self._smtp is not None:
            try:
                self._smtp.rset()
            except (OSError, smtplib.SMTPException):
                self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None

    def close(self) -> None:
        """Say QUIT when the connection is still up, and forget it."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._drop()


def _readable(smtp: smtplib.SMTP) -> bool:
    """Whether the server said something unasked on ``smtp``'s connection, or closed it: data
    waiting (TLS records held by the ssl layer included) or the end of the stream. Between
    two messages a live SMTP server says nothing."""
    sock = smtp.sock
    if sock is None:
        return True
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    try:
        ready, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):  # closed under us
        return True
    return bool(ready)


def _secret_forms(settings: SmtpSettings) -> tuple[str, ...]:
    """The password as a server reply could repeat it: as is, in base64, and inside the
    base64 of an AUTH PLAIN response; longest first, so the longer form is masked whole."""
    password = settings.password
    if not password:
        return ()
    plain = f"\0{settings.user or ''}\0{password}".encode()
    forms = {password, base64.b64encode(password.encode()).decode(),
             base64.b64encode(plain).decode()}
    return tuple(sorted(forms, key=len, reverse=True))



@dataclass(frozen=True)
class Retrying:
    """How a transient failure is tried again: up to ``retries`` more attempts, waiting
    ``backoff`` seconds, doubling, at most ``max_backoff`` (``sleep`` waits)."""

    retries: int
    backoff: float
    max_backoff: float
    sleep: Callable[[float], None] = time.sleep



def _send_with_retries(transport: SmtpTransport, msg: EmailMessage, sender: str,
                       recipient: str, retrying: Retrying,
                       before_data: Callable[[], bool] | None) -> SendFailure | None:
    retries = retrying.retries
    for attempt in range(retries + 1):
        try:
            transport.send(msg, sender, recipient, before_data=before_data)
            return None
        except SendFailure as failure:
            if failure.fatal or not failure.transient or attempt == retries:
                if failure.transient:
                    tries = f"{retries + 1} attempts" if retries else "1 attempt"
                    return replace(failure, message=f"{failure.message} (gave up after {tries})")
                return failure
            retrying.sleep(min(retrying.backoff * 2 ** attempt, retrying.max_backoff))
    return None  # pragma: no cover - the loop always returns


class Attempts:
    """How many attempts each message of a run gets: ``retrying``'s, except that after
    :data:`DEFER_STREAK` readers in a row were told to try later the server is deferring
    everyone for now (a rate limit, a full disk): one attempt each, no waiting, until it accepts
    one, rather than the full backoff for every reader."""

    def __init__(self, retrying: Retrying) -> None:
        self.retrying = retrying
        self.deferred_in_a_row = 0

    def send(self, transport: SmtpTransport, msg: EmailMessage, sender: str, recipient: str,
             *, before_data: Callable[[], bool] | None = None) -> SendFailure | None:
        """Send ``msg`` with as many attempts as it gets; None once it is accepted, else the
        failure that stopped it (its message says how many attempts were made). Each attempt
        asks ``before_data`` (see :meth:`SmtpTransport.send`): :class:`Withdrawn` ends them."""
        retrying = replace(self.retrying, retries=0) \
            if self.deferred_in_a_row >= DEFER_STREAK else self.retrying
        failure = _send_with_retries(transport, msg, sender, recipient, retrying, before_data)
        if failure is None:
            self.deferred_in_a_row = 0
        elif failure.transient and failure.recipient:
            self.deferred_in_a_row += 1
        return failure
