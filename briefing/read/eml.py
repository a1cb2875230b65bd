"""An email newsletter saved as ``.eml`` -> its reading text and what its headers say.

The message is parsed by the standard library's ``email`` package (``policy.default``: encoded
words and charsets decoded as the RFCs say). Its body is the part a mail program would show:
the HTML part, read by the same extractor as a web page (``webpage.extract_html``), else the
plain-text part, its lines kept as written (a hard-wrapped paragraph stays one paragraph for
``segment``) and its signature (after the ``-- `` line) left out. Attachments are not read.

Metadata comes from the headers, as given: Subject the title, the sender's display name (else
the List-Id's description) the outlet, Date the published date (its own day, in the sender's
time zone), Archived-At (RFC 5064) the URL, Content-Language the language.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from email.message import EmailMessage, MIMEPart

from briefing.read.documents import Extracted, Unreadable, clean_field, reading_text, web_url
from briefing.read.webpage import extract_html

_SIGNATURE = re.compile(r"^-- ?$", re.M)
_LIST_NAME = re.compile(r'^\s*"?([^"<]*?)"?\s*<[^>]*>\s*$')


def extract_message(data: bytes) -> Extracted:
    """The reading text and header metadata of a saved email. Raises Unreadable for a file
    that is not a message or shows no text."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(msg, EmailMessage) or not msg.keys():
        raise Unreadable("not an email message (no headers)")
    notes: list[str] = []
    text = None
    charset = None
    left_out = 0
    html = msg.get_body(preferencelist=("html",))
    if html is not None:
        content = _content(html)
        if content is not None:
            try:
                read = extract_html(content, charset=html.get_content_charset() or "utf-8")
                text, charset, left_out = read.text, read.charset, read.left_out
                notes.append("the HTML part, read as a web page")
            except Unreadable:
                pass
    if text is None:
        plain = msg.get_body(preferencelist=("plain",))
        content = _content(plain) if plain is not None else None
        if plain is not None and content is not None:
            body = content.replace("\r\n", "\n").replace("\r", "\n")
            cut = _SIGNATURE.search(body)
            if cut:
                body, left_out = body[: cut.start()], 1
            text = reading_text(re.split(r"\n[^\S\n]*\n", body))
            charset = plain.get_content_charset() or "us-ascii"
            notes.append("the plain-text part")
    if not text:
        raise Unreadable("no text in the message")
    return Extracted("eml", text, _meta(msg), charset, left_out=left_out, notes=tuple(notes))


def _content(part: MIMEPart) -> str | None:
    """A text part's content decoded, with undecodable bytes replaced rather than failing."""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        raw = part.get_payload(decode=True) or b""
        content = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else None
    return content if isinstance(content, str) else None


def _meta(msg: EmailMessage) -> dict[str, str]:
    out: dict[str, str | None] = {"title": clean_field(msg.get("subject"))}
    sender = msg.get("from")
    name = email.utils.parseaddr(str(sender))[0] if sender else ""
    if not name and msg.get("list-id"):
        m = _LIST_NAME.match(str(msg.get("list-id")))
        name = m.group(1) if m else ""
    out["outlet"] = clean_field(name)
    try:
        when = email.utils.parsedate_to_datetime(str(msg.get("date"))) if msg.get("date") else None
    except (TypeError, ValueError, IndexError):
        when = None
    out["published"] = when.date().isoformat() if when is not None else None
    archived = str(msg.get("archived-at") or "").strip().strip("<>")
    out["url"] = web_url(archived)
    lang = clean_field(msg.get("content-language"))
    out["language"] = lang.split(",")[0].strip() if lang else None
    return {k: v for k, v in out.items() if v}
