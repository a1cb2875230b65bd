"""Reader editions -> email messages -> ``.eml`` files or an SMTP server, each sent at most once.

    readers -> edition (pipeline) -> message (this module) -> SMTP -> ledger row

The send loop, :func:`send_editions`, holds the store's send lock, skips every (edition, reader)
the ledger already has, builds the rest (one Briefing per distinct theme selection and window,
reused by every reader who shares it), sends each over one SMTP connection, and writes the
ledger row only once the server has accepted the message. Transient failures (a dropped
connection, a 4xx reply) are retried with exponential backoff; a permanent one (a 5xx for a
recipient) fails that reader only. SMTP settings come from the environment (``smtp_settings``);
the password never appears in a message, a log or a repr.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import html as htmlmod
import os
import re
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .archive import archive_edition
from .config import Config, Reader
from .errors import ArchiveError, ConfigError, DeliveryError, Problem, UsageError
from .ledger import Ledger, open_ledger, read_ledger, send_lock
from .models import Briefing
from .output import write_atomically
from .pipeline import (BuildOptions, FILENAMES, Corpus, archive_indexes, archive_root,
                       build_briefing, compare_with_previous, edition_formats, now, out_dir,
                       read_corpus, render_formats, select_since, with_json,
                       workspace_templates)
from .readers import edition_window

__all__ = ["Edition", "SendReport", "build_message", "message_id", "personalise_html",
           "personalise_text", "send_editions", "smtp_settings", "subject", "SmtpSettings"]

EML_NAME = "briefing.eml"
#: Progress callback: (readers done, readers in total, reader id, outcome).
Progress = Callable[[int, int, str, str], None]
# A pragmatic address check, the config's own (RFC 5322 allows more; nobody mails a briefing
# to those); applied again here because --to comes from the command line.
_ADDR_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}$"
)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_CONTAINER_RE = re.compile(r'<table\b[^>]*\bclass="container"[^>]*>(?:\s*<tbody>)?', re.I)
_TABLE_TAG_RE = re.compile(r"<table\b|</table\s*>", re.I)
_FOOT_STYLE = ("padding: 16px 32px 24px;color: #5b6470;"
               "font: 12px/1.5 Arial, Helvetica, sans-serif;")
_GREET_STYLE = ("padding: 24px 32px 0;color: #1b1f24;"
                "font: 16px/1.5 Georgia, 'Times New Roman', serif;")


# --- One reader's message -------------------------------------------------------------------


@dataclass(frozen=True)
class Edition:
    """One reader's edition, ready to mail: the email HTML and text exactly as written to
    ``out/readers/<id>/``, and the PDF when the profile asks for it."""

    reader: Reader
    briefing: Briefing
    html: str
    text: str
    pdf: bytes | None
    folder: Path


def one_line(value: str) -> str:
    """``value`` with every line break and control character made a single space: a header
    built from it cannot be split into two."""
    return " ".join(_CONTROL_RE.sub(" ", value).split())


def valid_address(value: str) -> bool:
    """Whether ``value`` is a plain address a message may be sent to (no name, no CR/LF)."""
    return bool(_ADDR_RE.match(value)) and len(value) <= 254


def message_id(edition: str, reader_id: str, title: str, domain: str, *,
               to: str | None = None) -> str:
    """``<hash@domain>`` from (edition, reader, title): the same on every run, so a message
    resent after a crash carries the ID of the first and mail systems see it is the same one.
    A test send (``--to``) gets its own ID, lest a client file it as a copy of the real one."""
    key = "\x1f".join([title, edition, reader_id] + ([f"to:{to}"] if to else []))
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _set_subject(msg: EmailMessage, text: str) -> None:
    """Set the Subject so that every client reads back exactly ``text``. Plain ASCII goes in as
    is; anything else is RFC 2047-encoded here, folded into encoded words that each carry their
    own spaces: the email package's folder (3.11) can leave a space between two encoded words,
    where RFC 2047 says it is dropped ("Bcc: x" came back as "Bcc:x", found by hypothesis)."""
    if text.isascii() and "=?" not in text:
        msg["Subject"] = text
    else:
        msg.set_raw("Subject", Header(text, "utf-8", header_name="Subject").encode(linesep="\n"))


def subject(briefing: Briefing) -> str:
    """'Russia and the Taliban, 22 November 2026: Security, Recognition': the title, the
    edition's date and the themes with something to show (all of them when none has)."""
    from .render import longdate

    titles = [s.title for s in briefing.sections if s.items] or \
        [s.title for s in briefing.sections]
    text = f"{briefing.title}, {longdate(briefing.edition)}"
    return one_line(text + (": " + ", ".join(titles) if titles else ""))


def _footer_lines(config: Config, reader: Reader, to: str) -> list[str]:
    d = config.delivery
    lines = [f"You receive this briefing as {one_line(reader.name)} <{to}>."]
    if d.web_url:
        lines.append(f"Read it on the web: {d.web_url}")
    if d.unsubscribe:
        lines.append(f"To unsubscribe: {d.unsubscribe}")
    contact = d.reply_to or d.sender
    if contact:
        lines.append(f"Contact: {one_line(contact)}")
    return lines


def greeting_block(reader: Reader) -> str:
    """The HTML row that opens a reader's email (empty without a greeting); escaped text."""
    if not reader.greeting:
        return ""
    paras = "".join(f'<p style="margin: 0 0 8px;">{htmlmod.escape(p.strip())}</p>'
                    for p in reader.greeting.split("\n\n") if p.strip())
    return f'<tr><td class="greeting" style="{_GREET_STYLE}">{paras}</td></tr>\n'


def footer_block(config: Config, reader: Reader, to: str) -> str:
    """The HTML row that closes a reader's email: who it is for, unsubscribe, contact."""
    out = []
    for line in _footer_lines(config, reader, to):
        text = htmlmod.escape(line)
        for url in (config.delivery.unsubscribe, config.delivery.web_url):
            if url and htmlmod.escape(url) in text:
                link = f'<a href="{htmlmod.escape(url, quote=True)}">{htmlmod.escape(url)}</a>'
                text = text.replace(htmlmod.escape(url), link, 1)
        out.append(f'<p style="margin: 0;">{text}</p>')
    return f'<tr><td class="reader-footer" style="{_FOOT_STYLE}">{"".join(out)}</td></tr>\n'


def personalise_html(html: str, greeting: str, footer: str) -> str:
    """The edition's HTML with the reader's greeting row first in the 600 px container and the
    footer row last; without that container (a user's own template), as blocks just inside
    ``<body>``. Only these two insertions: the rest is byte for byte the built file."""
    m = _CONTAINER_RE.search(html)
    close = _matching_close(html, m.start()) if m else None
    if m is None or close is None:
        greet_div = greeting.replace("<tr><td", "<div", 1).replace("</td></tr>", "</div>", 1)
        foot_div = footer.replace("<tr><td", "<div", 1).replace("</td></tr>", "</div>", 1)
        body = re.search(r"<body\b[^>]*>", html, re.I)
        at = body.end() if body else 0
        html = html[:at] + greet_div + html[at:]
        end = html.lower().rfind("</body>")
        end = end if end >= 0 else len(html)
        return html[:end] + foot_div + html[end:]
    tbody = html.lower().rfind("</tbody>", m.end(), close)
    if tbody >= 0 and not html[tbody + len("</tbody>"):close].strip():
        close = tbody
    return html[:m.end()] + greeting + html[m.end():close] + footer + html[close:]


def _matching_close(html: str, start: int) -> int | None:
    depth = 0
    for tag in _TABLE_TAG_RE.finditer(html, start):
        depth += -1 if tag.group().startswith("</") else 1
        if depth == 0:
            return tag.start()
    return None


def personalise_text(text: str, config: Config, reader: Reader, to: str) -> str:
    """The plain-text part: the greeting, the built text edition unchanged, then the same
    footer as the HTML (publishing.md: the unsubscribe or contact line is in both parts)."""
    head = reader.greeting.strip() + "\n\n" if reader.greeting and reader.greeting.strip() else ""
    return head + text + "\n-- \n" + "\n".join(_footer_lines(config, reader, to)) + "\n"


def build_message(edition: Edition, config: Config, *, to: str | None = None,
                  date: dt.datetime | None = None) -> EmailMessage:
    """The email for one reader's edition: multipart/alternative (text, then HTML), inside
    multipart/mixed only when the PDF is attached. Every header is set once; names and
    subjects are flattened to one line and non-ASCII is RFC 2047-encoded by the stdlib, so no
    value can add a header. ``to`` replaces the reader's address (a test send)."""
    d = config.delivery
    reader, b = edition.reader, edition.briefing
    if not d.sender:
        raise ConfigError(f"{config.path}: delivery.from is not set",
                          [Problem(str(config.path), None, None, "delivery.from",
                                   "set the sender, e.g. 'Briefing <briefing@example.org>', "
                                   "to send email")])
    sender_name, sender_addr = parseaddr(d.sender)
    recipient = to or reader.email
    if not valid_address(recipient) or not valid_address(sender_addr):
        bad = recipient if not valid_address(recipient) else sender_addr
        raise DeliveryError(f"not a plain email address: {bad!r}")
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = Address(display_name=one_line(sender_name), addr_spec=sender_addr)
    msg["To"] = Address(display_name=one_line(reader.name), addr_spec=recipient)
    _set_subject(msg, subject(b))
    msg["Date"] = format_datetime(date or now())
    domain = sender_addr.rsplit("@", 1)[1]
    msg["Message-ID"] = message_id(b.edition, reader.id, config.title, domain, to=to)
    if d.reply_to:
        name, addr = parseaddr(d.reply_to)
        msg["Reply-To"] = Address(display_name=one_line(name), addr_spec=addr)
    if d.list_id:
        msg["List-Id"] = one_line(d.list_id)
    if d.unsubscribe:
        msg["List-Unsubscribe"] = f"<{one_line(d.unsubscribe)}>"
        if d.unsubscribe.startswith("https:"):
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    text = personalise_text(edition.text, config, reader, recipient)
    html = personalise_html(edition.html, greeting_block(reader),
                            footer_block(config, reader, recipient))
    msg.set_content(text, subtype="plain", cte="quoted-printable")
    # As bytes in base64: the HTML arrives byte for byte as built (the str API would rewrite
    # its line ends), however long its inlined lines are.
    msg.add_alternative(html.encode("utf-8"), maintype="text", subtype="html", cte="base64",
                        params={"charset": "utf-8"})
    if edition.pdf is not None:
        msg.add_attachment(edition.pdf, maintype="application", subtype="pdf",
                           filename=f"{reader.id}-{b.edition}.pdf")
    return msg


# --- SMTP -----------------------------------------------------------------------------------

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
                  ca_file: Path | None = None) -> SmtpSettings | None:
    """The SMTP settings from ``url`` (``--smtp``) or ``BRIEFING_SMTP_URL``, with the password
    from ``BRIEFING_SMTP_PASSWORD`` only; None when no server is configured. A URL carrying a
    password is refused (without repeating it): passwords belong in the environment alone."""
    raw = (url or env.get("BRIEFING_SMTP_URL") or "").strip()
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise DeliveryError("BRIEFING_SMTP_URL / --smtp: not a URL such as "
                            "smtp+starttls://user@mail.example.org:587") from None
    if parts.password is not None:
        raise DeliveryError("BRIEFING_SMTP_URL / --smtp must not contain a password; set "
                            "BRIEFING_SMTP_PASSWORD instead")
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not host:
        raise DeliveryError(f"BRIEFING_SMTP_URL / --smtp: expected smtp://, smtp+starttls:// or "
                            f"smtps://HOST[:PORT], got scheme {scheme or 'none'!r}")
    user = unquote(parts.username) if parts.username else None
    password = env.get("BRIEFING_SMTP_PASSWORD") or None
    if user and password is None:
        raise DeliveryError(f"the SMTP URL names the user {user!r} but BRIEFING_SMTP_PASSWORD "
                            "is not set")
    return SmtpSettings(scheme, host, port or SCHEMES[scheme], user, password, ca_file)


@dataclass
class SendFailure(Exception):
    """Why a message was not accepted. ``transient``: worth retrying (a dropped connection, a
    4xx); ``fatal``: every other message would fail the same way (bad login, bad certificate)."""

    message: str
    transient: bool = False
    fatal: bool = False

    def __str__(self) -> str:
        return self.message


def _by_code(code: int, what: str, response: bytes | str) -> SendFailure:
    text = response.decode("utf-8", "replace") if isinstance(response, bytes) else str(response)
    return SendFailure(f"{what}: {code} {one_line(text)}".strip(), transient=400 <= code < 500)


class SmtpTransport:
    """One SMTP connection, opened on first use and reopened after it drops."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
        if s.scheme == "smtps":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                  context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
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

    def send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        """Hand ``msg`` to the server for ``recipient``; return once it is accepted, else raise
        :class:`SendFailure`. Server replies are quoted; the password never is."""
        where = self.settings.display()
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(msg, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, response = next(iter(exc.recipients.values()), (550, b"refused"))
            raise _by_code(code, f"{recipient} refused", response) from None
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            failure = _by_code(exc.smtp_code, f"{where}: login refused", exc.smtp_error)
            raise replace(failure, transient=False, fatal=True) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise _by_code(exc.smtp_code, "message refused", exc.smtp_error) from None
        except smtplib.SMTPServerDisconnected:
            self._drop()
            raise SendFailure(f"{where}: the server closed the connection",
                              transient=True) from None
        except smtplib.SMTPResponseException as exc:
            self._drop()
            raise _by_code(exc.smtp_code, f"{where}", exc.smtp_error) from None
        except ssl.SSLError as exc:
            self._drop()
            raise SendFailure(f"{where}: TLS failed: {exc.reason or type(exc).__name__} (for a "
                              "private CA, set delivery.ca_file)", fatal=True) from None
        except smtplib.SMTPNotSupportedError as exc:
            self._drop()
            raise SendFailure(f"{where}: {exc}", fatal=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else \
                type(exc).__name__
            if isinstance(exc, (socket.timeout, TimeoutError)):
                reason = "timed out"
            raise SendFailure(f"{where}: {reason}", transient=True) from None

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


# --- Building the editions ------------------------------------------------------------------


class EditionMaker:
    """Builds reader editions from one reading of the corpus. Readers who share a theme
    selection and a window share one ranked Briefing (only its ``reader`` and what is new for
    that reader differ), which is what makes a thousand editions cheap; each is still compared
    with that reader's previous edition, rendered, written and archived for its reader."""

    def __init__(self, config: Config, options: BuildOptions, *, ledger: Ledger | None,
                 warn: Callable[[str], None]) -> None:
        from . import render

        self.config, self.options, self.ledger, self.warn = config, options, ledger, warn
        self.edition = options.edition or now().date()
        self.corpus: Corpus = read_corpus(config, options.corpus, warn=warn)
        self.env = render.template_env(workspace_templates(config), lang=config.language)
        self.archive_root = archive_root(config, options)
        self.archived: list[str] = []
        self._cache: dict[tuple[object, ...], tuple[Briefing, list[str]]] = {}
        self._texts: dict[tuple[object, ...], bytes] = {}

    def make(self, reader: Reader) -> Edition:
        """Build, render and write ``reader``'s edition into ``out/readers/<id>/``."""
        from . import render

        window = edition_window(self.config, reader, self.edition, since=self.options.since,
                                undated=self.options.undated, ledger=self.ledger)
        key = (reader.themes, window)
        if key in self._cache:
            shared, articles = self._cache[key]
            shared = replace(shared, reader=reader.id)
        else:
            corpus, notes = select_since(self.corpus, window)
            shared = build_briefing(self.config, corpus, reader=reader,
                                    options=replace(self.options, edition=self.edition),
                                    notes=notes)
            articles = [r.sha256 for r in corpus.refs]
            self._cache[key] = (shared, articles)
        briefing = compare_with_previous(shared, self.archive_root, articles, self.warn)
        # The text edition does not name its reader, so readers who share a selection and
        # what is new to them share it too (textwrap makes it the dearest part to render).
        marks = (key, briefing.previous,
                 tuple(i.new for s in briefing.sections for i in s.items))
        text = self._texts.get(marks)
        if text is None:
            text = self._texts[marks] = render.render_text(briefing).encode()
        web_url = self.config.delivery.web_url
        files = {"email": render.render_email(briefing, self.env, web_url=web_url).encode(),
                 "txt": text}
        others = [f for f in with_json(edition_formats(reader, None)) if f not in files]
        files.update(render_formats(briefing, self.config, others))
        folder = out_dir(self.config, self.options, reader)
        named = {FILENAMES[f]: data for f, data in files.items()}
        write_atomically(folder, named)
        try:
            archive_edition(self.archive_root, briefing, named, articles)
            archive_indexes(self.config, self.archive_root, readers=[reader.id], main=False,
                            env=self.env)
            self.archived.append(reader.id)
        except ArchiveError as exc:  # the message still goes: the archive is not the delivery
            self.warn(str(exc))
        return Edition(reader, briefing, files["email"].decode(), files["txt"].decode(),
                       files.get("pdf"), folder)

    def finish(self) -> None:
        """Rewrite the archive's own index and feed once, after the editions of a run."""
        if self.archived:
            try:
                archive_indexes(self.config, self.archive_root, main=True, env=self.env)
            except ArchiveError as exc:
                self.warn(str(exc))


# --- The send loop --------------------------------------------------------------------------


@dataclass
class SendReport:
    """What a send did, reader by reader."""

    edition: str
    delivered: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    not_sent: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """True when every reader got (or already had) the edition."""
        return not self.failed and not self.not_sent

    def lines(self) -> list[str]:
        """The summary a person reads at the end of a run."""
        verb = "would send" if self.dry_run else "delivered"
        out = [f"edition {self.edition}: {len(self.delivered)} {verb}, {len(self.already)} "
               f"already sent, {len(self.failed) + len(self.not_sent)} failed"]
        for label, ids in ((verb, self.delivered), ("already sent", self.already),
                           ("not sent", self.not_sent)):
            if ids:
                out.append(f"  {label}: {', '.join(ids)}")
        out += [f"  failed: {rid}: {why}" for rid, why in self.failed.items()]
        return out

    def check(self) -> None:
        """Raise :class:`DeliveryError` naming the readers who did not get the edition."""
        if self.ok:
            return
        lines = [f"{rid}: not delivered: {why}" for rid, why in self.failed.items()]
        if self.not_sent:
            lines.append("not attempted after the failure above: " + ", ".join(self.not_sent))
        lines.append("run `briefing send` again to deliver only the missing ones")
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
                  max_backoff: float = 30.0, progress: Progress | None = None,
                  warn: Callable[[str], None] = lambda _: None,
                  sleep: Callable[[float], None] = time.sleep,
                  clock: Callable[[], float] = time.monotonic) -> SendReport:
    """Email each reader's edition (or ``reader_id``'s) at most once, and report how it went.

    ``dry_run`` writes ``out/readers/<id>/briefing.eml`` instead of sending; ``to`` sends one
    reader's edition to a test address; neither ever writes the ledger. ``force`` resends
    editions the ledger already has. Retries wait ``backoff`` seconds, doubling, at most
    ``max_backoff``. The returned report's :meth:`SendReport.check` raises when any failed.
    """
    readers = _selected(config, reader_id, to)
    settings = None if dry_run else smtp_settings(smtp_url, env=env,
                                                  ca_file=config.delivery.ca_file)
    if not dry_run and settings is None:
        raise DeliveryError("no SMTP server: set BRIEFING_SMTP_URL (e.g. "
                            "smtp+starttls://user@mail.example.org:587) or pass --smtp URL, or "
                            "use --dry-run to write .eml files")
    if to is not None and not valid_address(to):
        raise UsageError(f"--to: not a plain email address: {to!r}")
    edition = (options.edition or now().date()).isoformat()
    report = SendReport(edition, dry_run=dry_run)
    if dry_run or to is not None:
        ledger = read_ledger(config.store)
        try:
            _loop(config, options, readers, report, ledger=ledger, writable=False, to=to,
                  force=force or to is not None, transport=None if dry_run else SmtpTransport(
                      settings), retries=retries, backoff=backoff, max_backoff=max_backoff,
                  progress=progress, warn=warn, sleep=sleep, clock=clock)
        finally:
            if ledger is not None:
                ledger.close()
        return report
    with send_lock(config.store), open_ledger(config.store) as ledger:
        _loop(config, options, readers, report, ledger=ledger, writable=True, to=None,
              force=force, transport=SmtpTransport(settings), retries=retries, backoff=backoff,
              max_backoff=max_backoff, progress=progress, warn=warn, sleep=sleep, clock=clock)
    return report


def _selected(config: Config, reader_id: str | None, to: str | None) -> list[Reader]:
    if not config.readers:
        raise ConfigError(f"{config.path}: no readers are configured (readers: is empty)")
    if reader_id is not None:
        return [config.reader(reader_id)]
    if to is not None and len(config.readers) > 1:
        raise UsageError("--to sends one reader's edition: name the reader with --reader ID")
    return list(config.readers)


def _loop(config: Config, options: BuildOptions, readers: Sequence[Reader], report: SendReport,
          *, ledger: Ledger | None, writable: bool, to: str | None, force: bool,
          transport: SmtpTransport | None, retries: int, backoff: float, max_backoff: float,
          progress: Progress | None, warn: Callable[[str], None],
          sleep: Callable[[float], None], clock: Callable[[], float]) -> None:
    maker: EditionMaker | None = None
    pacer = Pacer(config.delivery.rate_per_minute, clock, sleep)
    sender = parseaddr(config.delivery.sender or "")[1]
    total = len(readers)
    try:
        for done, reader in enumerate(readers, 1):
            if not force and ledger is not None and ledger.has(report.edition, config.title,
                                                               reader.id):
                report.already.append(reader.id)
                _tell(progress, done, total, reader.id, "already sent")
                continue
            if not valid_address(to or reader.email):
                report.failed[reader.id] = f"not a plain email address: {to or reader.email!r}"
                _tell(progress, done, total, reader.id, "failed")
                continue
            maker = maker or EditionMaker(config, options, ledger=ledger, warn=warn)
            edition = maker.make(reader)
            msg = build_message(edition, config, to=to)
            if transport is None:
                report.written += write_atomically(edition.folder, {EML_NAME: msg.as_bytes()})
                report.delivered.append(reader.id)
                _tell(progress, done, total, reader.id, "written")
                continue
            pacer.wait()
            failure = _send_with_retries(transport, msg, sender, to or reader.email,
                                         retries=retries, backoff=backoff,
                                         max_backoff=max_backoff, sleep=sleep)
            if failure is None:
                if writable and ledger is not None:
                    ledger.record(report.edition, config.title, reader.id,
                                  recipient=reader.email, message_id=str(msg["Message-ID"]))
                report.delivered.append(reader.id)
                _tell(progress, done, total, reader.id, "delivered")
                continue
            report.failed[reader.id] = failure.message
            _tell(progress, done, total, reader.id, "failed")
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


def _send_with_retries(transport: SmtpTransport, msg: EmailMessage, sender: str,
                       recipient: str, *, retries: int, backoff: float, max_backoff: float,
                       sleep: Callable[[float], None]) -> SendFailure | None:
    for attempt in range(retries + 1):
        try:
            transport.send(msg, sender, recipient)
            return None
        except SendFailure as failure:
            if failure.fatal or not failure.transient or attempt == retries:
                if failure.transient and attempt == retries:
                    return replace(failure, message=f"{failure.message} "
                                                    f"(gave up after {retries + 1} attempts)")
                return failure
            sleep(min(backoff * 2 ** attempt, max_backoff))
    return None  # pragma: no cover - the loop always returns


def _tell(progress: Progress | None, done: int, total: int, reader_id: str, what: str) -> None:
    if progress is not None:
        progress(done, total, reader_id, what)
