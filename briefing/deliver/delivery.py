"""Reader editions -> email messages -> ``.eml`` files or an SMTP server, each sent at most once.

    readers -> edition (pipeline) -> message (this module) -> SMTP -> ledger row

The send loop, :func:`send_editions`, holds the store's send lock, skips every (edition, reader)
the ledger already has, builds the rest (one Briefing per distinct theme selection and window,
reused by every reader who shares it), sends each over one SMTP connection, and writes the
ledger row only once the server has accepted the message. Transient failures (a dropped
connection, a 4xx reply) are retried with exponential backoff, each attempt on a live
connection (``SmtpTransport`` owns that state). What a failure stops depends on whom it is
about: a 4xx for one recipient defers that reader, a 5xx for one fails that reader, and a
failing server stops the run. SMTP settings come from the environment (``smtp_settings``); the
password never appears in a message, a log or a repr.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.policy
import hashlib
import html as htmlmod
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from briefing.config.model import Config, Reader
from briefing.deliver.headers import hidden_control, list_id_parts, mailbox, one_line, valid_address
from briefing.errors import ArchiveError, ConfigError, DeliveryError, Problem, UsageError
from briefing.models import Briefing
from briefing.pipeline import (
    FILENAMES,
    BuildOptions,
    Corpus,
    EditionBuild,
    archive_indexes,
    archive_root,
    compare_with_previous,
    edition_formats,
    make_edition,
    now,
    out_dir,
    read_corpus,
    render_formats,
    window_of,
    with_json,
    workspace_templates,
)
from briefing.publish.archive import archive_edition
from briefing.publish.output import write_atomically
from briefing.store.ledger import Ledger, open_ledger, read_ledger, send_lock

__all__ = ["Edition", "SendReport", "build_message", "message_id", "personalise_html",
           "personalise_text", "send_editions", "smtp_settings", "subject", "SmtpSettings"]

EML_NAME = "briefing.read.eml"
#: After this many readers in a row are deferred, each later one gets a single attempt.
DEFER_STREAK = 3
#: Progress callback: (readers done, readers in total, reader id, outcome).
Progress = Callable[[int, int, str, str], None]
# The SMTP policy, except that a value set raw (set_raw: text this module encoded itself) is
# written as it is, never re-parsed to be refolded: re-parsing decodes encoded words, and on
# Python < 3.11.10 / 3.12.5 writes a decoded line break to the wire (see _set_text).
POLICY = email.policy.SMTP.clone(refold_source="none")
_FOLD = 78  # the policy's line length, kept by the values built here
# What may stand in a URL inside a header's <...>: printable ASCII but space, quotes and <>.
_URI_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '<>"\\')
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


def message_id(edition: str, reader_id: str, title: str, domain: str, *,
               to: str | None = None) -> str:
    """``<hash@domain>`` from (edition, reader, title): the same on every run, so a message
    resent after a crash carries the ID of the first and mail systems see it is the same one.
    A test send (``--to``) gets its own ID, lest a client file it as a copy of the real one."""
    key = "\x1f".join([title, edition, reader_id] + ([f"to:{to}"] if to else []))
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _plain(text: str) -> bool:
    """Whether the email package may be given ``text`` for a header: ASCII with no '=?', so
    there is no encoded word in it for the package to decode, and nothing for it to encode
    but what it is given."""
    return text.isascii() and "=?" not in text


def _encoded(name: str, text: str) -> str:
    """``text`` as RFC 2047 encoded words of this module's own making, folded to the line
    length: they decode to exactly ``text``, whatever it holds (an '=?...?=' in it is encoded
    as text, not passed on as a word). Each word carries its own spaces: the email package's
    folder (3.11) can leave a space between two encoded words, where RFC 2047 says it is
    dropped ("Bcc: x" came back as "Bcc:x", found by hypothesis)."""
    return Header(text, "utf-8", header_name=name).encode(linesep="\n")


def _set_text(msg: EmailMessage, name: str, text: str) -> None:
    """Set an unstructured header so that every client reads back exactly ``text`` (one line).

    The email package decodes any encoded word in text it is given while it builds the header,
    and Python < 3.11.10 / 3.12.5 then writes what it decoded as it is: a name written
    ``=?utf-8?q?Eve=0D=0ABcc:_x@y?=`` became a real Bcc header. So only plain text is given to
    it; anything else is encoded here and set raw, which :data:`POLICY` writes unchanged."""
    text = one_line(text)
    if _plain(text):
        msg[name] = text
    else:
        msg.set_raw(name, _encoded(name, text))


def _set_address(msg: EmailMessage, name: str, display: str, addr: str) -> None:
    """Set From, To or Reply-To to one mailbox, its display name handled as :func:`_set_text`
    handles text (``addr`` is a checked plain address)."""
    display = one_line(display)
    if _plain(display):
        msg[name] = Address(display_name=display, addr_spec=addr)
        return
    words = _encoded(name, display)
    gap = " " if len(words.rsplit("\n", 1)[-1]) + len(addr) + 3 <= _FOLD else "\n "
    msg.set_raw(name, f"{words}{gap}<{addr}>")


def _check_headers(msg: EmailMessage) -> None:
    """Refuse a message whose headers, as they will be written, are not each one header: a
    line that does not continue the one before, or an encoded word that decodes to a line
    break. The construction above already makes this impossible; this is the last look before
    the bytes leave, and it does not depend on the Python patch level either."""
    for part in msg.walk():
        for name, value in part.raw_items():
            folded = part.policy.fold_binary(name, value).decode("ascii")
            lines = folded.split("\r\n")
            broken = (not lines[0].startswith(f"{name}:") or lines[-1] != ""
                      or any(not line.startswith((" ", "\t")) for line in lines[1:-1])
                      or any("\r" in line or "\n" in line for line in lines))
            if broken or hidden_control(folded, depth=1):
                raise DeliveryError(f"refusing to send a message whose {name} header would "
                                    "not be one header line (please report this as a bug)")


def subject(briefing: Briefing) -> str:
    """'Russia and the Taliban, 22 November 2026: Security, Recognition': the title, the
    edition's date and the themes with something to show (all of them when none has)."""
    from briefing.publish.render import longdate

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
    sender_name, sender_addr = _configured(config, "from", d.sender)
    recipient = to or reader.email
    if not valid_address(recipient):
        raise DeliveryError(f"not a plain email address: {recipient!r}")
    msg = EmailMessage(policy=POLICY)
    _set_address(msg, "From", sender_name, sender_addr)
    _set_address(msg, "To", reader.name, recipient)
    _set_text(msg, "Subject", subject(b))
    msg["Date"] = format_datetime(date or now())
    domain = sender_addr.rsplit("@", 1)[1]
    msg["Message-ID"] = message_id(b.edition, reader.id, config.title, domain, to=to)
    if d.reply_to:
        _set_address(msg, "Reply-To", *_configured(config, "reply_to", d.reply_to))
    if d.list_id:
        list_id = one_line(d.list_id)
        parts = list_id_parts(list_id)
        if parts is None:
            raise _config_problem(config, "list_id", f"not a List-Id: {d.list_id!r}")
        description, ident = parts
        if _plain(list_id):
            msg["List-Id"] = list_id
        else:
            msg.set_raw("List-Id", f"{_encoded('List-Id', description)}\n <{ident}>")
    if d.unsubscribe:
        if hidden_control(d.unsubscribe):
            raise _config_problem(config, "unsubscribe", "the URL holds an RFC 2047 encoded "
                                  "word that decodes to a line break or control character")
        # Raw: a URL is not text to encode, and the package would decode a '=?...?=' in it.
        msg.set_raw("List-Unsubscribe", f"<{quote(one_line(d.unsubscribe), safe=_URI_SAFE)}>")
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
                           filename=re.sub(r"[^A-Za-z0-9._-]", "-", f"{reader.id}-{b.edition}")
                           + ".pdf")
    _check_headers(msg)
    return msg


def _configured(config: Config, key: str, value: str) -> tuple[str, str]:
    """(name, address) of ``delivery.<key>`` by the config check's own rule."""
    try:
        return mailbox(value, named=True)
    except ValueError as exc:
        raise _config_problem(config, key, str(exc)) from None


def _config_problem(config: Config, key: str, message: str) -> ConfigError:
    return ConfigError(f"{config.path}: delivery.{key}: {message}",
                       [Problem(str(config.path), None, None, f"delivery.{key}", message)])


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


class SmtpTransport:
    """One SMTP connection, opened on first use, checked before it is reused, and reopened
    whenever it is gone: dropped by the server, or closed by smtplib itself (after a 421)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._secrets = _secret_forms(settings)

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

    def _connection(self) -> smtplib.SMTP:
        """The open connection, or a new one. One kept from the last message is asked NOOP
        first: a server may have closed it while idle, and finding that out by sending would
        spend one of this message's attempts on a line the server was no longer on."""
        if self._smtp is not None:
            try:
                if self._smtp.noop()[0] == 250:
                    return self._smtp
            except (OSError, smtplib.SMTPException):
                pass
            self._drop()
        self._smtp = self._connect()
        return self._smtp

    def send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        """Hand ``msg`` to the server for ``recipient``; return once it is accepted, else raise
        :class:`SendFailure`. Server replies are quoted with the password masked."""
        try:
            self._send(msg, sender, recipient)
        except SendFailure as failure:
            raise replace(failure, message=self.mask(failure.message)) from None
        finally:
            # smtplib closes the socket itself on a 421 and on a line it cannot read, but
            # keeps the object: that connection is gone, and the next attempt opens a new one
            # (it used to fail on the closed one first, two attempts spent per 421).
            if self._smtp is not None and self._smtp.sock is None:
                self._smtp = None

    def _send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        where = self.settings.display()
        try:
            self._connection().send_message(msg, from_addr=sender, to_addrs=[recipient])
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


# --- Building the editions ------------------------------------------------------------------


class EditionMaker:
    """Builds reader editions from one reading of the corpus. Readers who share a theme
    selection and a window share one ranked Briefing (only its ``reader`` and what is new for
    that reader differ), which is what makes a thousand editions cheap; each is still compared
    with that reader's previous edition, rendered, written and archived for its reader."""

    def __init__(self, config: Config, options: BuildOptions, *, ledger: Ledger | None,
                 warn: Callable[[str], None]) -> None:
        from briefing.publish import render

        self.config, self.ledger, self.warn = config, ledger, warn
        self.options = replace(options, edition=options.edition or now().date())
        self.corpus: Corpus = read_corpus(config, options.corpus, warn=warn)
        self.env = render.template_env(workspace_templates(config), lang=config.language)
        self.archive_root = archive_root(config, options)
        self.archived: list[str] = []
        # one edition per theme selection and window, its reading texts written
        self._cache: dict[tuple[object, ...], tuple[EditionBuild, Briefing]] = {}
        self._texts: dict[tuple[object, ...], bytes] = {}

    def make(self, reader: Reader) -> Edition:
        """Build, render and write ``reader``'s edition into ``out/readers/<id>/``."""
        from briefing.publish import render

        key = (reader.themes, window_of(self.config, reader, self.options, ledger=self.ledger))
        if key not in self._cache:
            made = make_edition(self.config, self.corpus, reader, self.options,
                                ledger=self.ledger)
            self._cache[key] = (made, made.with_texts(self.options.out or self.config.out))
        made, shared = self._cache[key]
        articles = made.digests()
        briefing = compare_with_previous(replace(shared, reader=reader.id), self.archive_root,
                                         articles, self.warn)
        # The text edition does not name its reader, so readers who share a selection and
        # what is new to them share it too (textwrap makes it the dearest part to render).
        marks = (key, briefing.previous,
                 tuple(i.new for s in briefing.sections for i in s.items))
        text = self._texts.get(marks)
        if text is None:
            text = self._texts[marks] = render.render_text(briefing).encode()
        formats = ("email", "txt", *(f for f in with_json(edition_formats(reader, None))
                                     if f not in ("email", "txt")))
        files = render_formats(briefing, self.config, formats, env=self.env,
                               given={"txt": text})
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
        """Rewrite the archive's own index and feed once, after the editions of a run, and
        release the store."""
        try:
            if self.archived:
                try:
                    archive_indexes(self.config, self.archive_root, main=True, env=self.env)
                except ArchiveError as exc:
                    self.warn(str(exc))
        finally:
            self.corpus.close()


# --- The send loop --------------------------------------------------------------------------


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
    settings = None if dry_run else smtp_settings(smtp_url, env=env,
                                                  ca_file=config.delivery.ca_file,
                                                  timeout=timeout)
    if not dry_run and settings is None:
        raise ConfigError("no SMTP server: set BRIEFING_SMTP_URL (e.g. "
                          "smtp+starttls://user@mail.example.org:587) or pass --smtp URL, or "
                          "use --dry-run to write .eml files")
    if to is not None and not valid_address(to):
        raise UsageError(f"--to: not a plain email address: {to!r}")
    edition = (options.edition or now().date()).isoformat()
    report = SendReport(edition, dry_run=dry_run, to=to, reader=reader_id)
    retrying = Retrying(retries, backoff, max_backoff, sleep)
    pacer = Pacer(config.delivery.rate_per_minute, clock, sleep)
    if dry_run or to is not None:
        ledger = read_ledger(config.store)
        try:
            _loop(_Run(config, options, report, ledger, writable=False, to=to,
                       force=force or to is not None,
                       transport=None if dry_run else SmtpTransport(settings),
                       retrying=retrying, pacer=pacer, progress=progress, warn=warn), readers)
        finally:
            if ledger is not None:
                ledger.close()
        return report
    with send_lock(config.store), open_ledger(config.store) as ledger:
        _loop(_Run(config, options, report, ledger, writable=True, to=None, force=force,
                   transport=SmtpTransport(settings), retrying=retrying, pacer=pacer,
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
class Retrying:
    """How a transient failure is tried again: up to ``retries`` more attempts, waiting
    ``backoff`` seconds, doubling, at most ``max_backoff`` (``sleep`` waits)."""

    retries: int
    backoff: float
    max_backoff: float
    sleep: Callable[[float], None] = time.sleep


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
    retrying: Retrying
    pacer: Pacer
    progress: Progress | None
    warn: Callable[[str], None]


def _loop(run: _Run, readers: Sequence[Reader]) -> None:
    config, report, ledger, to, transport = run.config, run.report, run.ledger, run.to, \
        run.transport
    maker: EditionMaker | None = None
    sender = _configured(config, "from", config.delivery.sender)[1] \
        if config.delivery.sender else ""
    total = len(readers)
    deferred_in_a_row = 0
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
                report.written += write_atomically(edition.folder, {EML_NAME: msg.as_bytes()})
                report.delivered.append(reader.id)
                _tell(run.progress, done, total, reader.id, "written")
                continue
            run.pacer.wait()
            # After DEFER_STREAK readers in a row were told to try later, the server is
            # deferring everyone for now (a rate limit, a full disk): one attempt each, no
            # waiting, until it accepts one, rather than the full backoff for every reader.
            retrying = replace(run.retrying, retries=0) \
                if deferred_in_a_row >= DEFER_STREAK else run.retrying
            failure = _send_with_retries(transport, msg, sender, to or reader.email, retrying)
            if failure is None:
                if run.writable and ledger is not None:
                    ledger.record(report.edition, config.title, reader.id,
                                  recipient=reader.email, message_id=str(msg["Message-ID"]))
                report.delivered.append(reader.id)
                deferred_in_a_row = 0
                _tell(run.progress, done, total, reader.id, "delivered")
                continue
            if failure.transient and failure.recipient:
                # A 4xx to RCPT TO is about this mailbox (greylisting, a full mailbox): the
                # others are still sent, and the next run tries this reader again.
                report.deferred[reader.id] = failure.message
                deferred_in_a_row += 1
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


def _send_with_retries(transport: SmtpTransport, msg: EmailMessage, sender: str,
                       recipient: str, retrying: Retrying) -> SendFailure | None:
    retries = retrying.retries
    for attempt in range(retries + 1):
        try:
            transport.send(msg, sender, recipient)
            return None
        except SendFailure as failure:
            if failure.fatal or not failure.transient or attempt == retries:
                if failure.transient:
                    tries = f"{retries + 1} attempts" if retries else "1 attempt"
                    return replace(failure, message=f"{failure.message} (gave up after {tries})")
                return failure
            retrying.sleep(min(retrying.backoff * 2 ** attempt, retrying.max_backoff))
    return None  # pragma: no cover - the loop always returns


def _tell(progress: Progress | None, done: int, total: int, reader_id: str, what: str) -> None:
    if progress is not None:
        progress(done, total, reader_id, what)
