"""One reader's message: the edition's email HTML and text, personalised, as a MIME message
whose every header is exactly one header.

    Edition (built by ``editions``) -> build_message -> EmailMessage (sent by ``smtp``,
    or written by ``eml``)

The HTML is the built ``briefing.email.html`` byte for byte plus the reader's greeting row and
footer row; the text part carries the same greeting and footer. Header text goes through the
rules of ``headers`` (shared with the config check), and anything that is not plain ASCII is
RFC 2047-encoded here, never by the email package, whatever the Python patch level.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import html as htmlmod
import re
from dataclasses import dataclass
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

from briefing.config.model import Config, Reader
from briefing.deliver.headers import hidden_control, list_id_parts, mailbox, one_line, valid_address
from briefing.errors import ConfigError, DeliveryError, Problem
from briefing.models import Briefing
from briefing.pipeline import now

__all__ = ["Edition", "POLICY", "build_message", "footer_block", "greeting_block", "message_id",
           "personalise_html", "personalise_text", "sender_address", "subject"]

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



def sender_address(config: Config) -> str:
    """The address of ``delivery.from`` (what MAIL FROM gives), '' when it is not set."""
    return _configured(config, "from", config.delivery.sender)[1] if config.delivery.sender \
        else ""


def _configured(config: Config, key: str, value: str) -> tuple[str, str]:
    """(name, address) of ``delivery.<key>`` by the config check's own rule."""
    try:
        return mailbox(value, named=True)
    except ValueError as exc:
        raise _config_problem(config, key, str(exc)) from None


def _config_problem(config: Config, key: str, message: str) -> ConfigError:
    return ConfigError(f"{config.path}: delivery.{key}: {message}",
                       [Problem(str(config.path), None, None, f"delivery.{key}", message)])

