"""The rules for text that becomes an email header: addresses, one-line text, RFC 2047 encoded
words. One place, used by both sides: the config check (``validate``) refuses what delivery
would refuse, and delivery (``message.build_message``) applies the same rules again to values
that did not come through the config (``--to``, a Config built in code).

No I/O and no imports from the rest of briefing, so the config loader can use it cheaply.
"""

from __future__ import annotations

import binascii
import re

__all__ = ["ADDRESS_MAX", "HOST_LABEL", "hidden_control", "list_id_parts", "mailbox", "one_line",
           "valid_address"]

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"  # RFC 5322's atom
HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"  # one label of a host name
# A pragmatic address check (RFC 5322 allows more; nobody mails a briefing to those).
_ADDR_RE = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@(?:{HOST_LABEL}\.)+[A-Za-z0-9-]{{2,63}}$")
ADDRESS_MAX = 254  # RFC 5321's limit on a forward path
# 'Name <addr>' or '"Name, quoted" <addr>': one mailbox, nothing before the name or after '>'.
_NAMED_RE = re.compile(r'(?P<name>"(?:[^"\\]|\\.)*"|[^<>]*?)\s*<(?P<addr>[^<>]*)>')
_LIST_ID_RE = re.compile(r"(?P<description>[^<>]*)<(?P<id>[^<>\s]+)>|(?P<bare>[^<>\s]+)")
_LIST_ID_DOTS = re.compile(rf"^{_ATOM}(?:\.{_ATOM})+$")  # RFC 2919: dot-atom with a dot
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Liberal on purpose (no whitespace needed around it, any case): the email package decodes
# words it finds inside other text and inside quoted strings too.
_ENCODED_WORD = re.compile(r"=\?(?P<charset>[^?\s]*)\?(?P<cte>[qQbB])\?(?P<text>[^?]*)\?=")


def one_line(value: str) -> str:
    """``value`` with every line break and control character made a single space: a header
    built from it cannot be split into two."""
    return " ".join(CONTROL_RE.sub(" ", value).split())


def valid_address(value: str) -> bool:
    """Whether ``value`` is a plain address a message may be sent to (no name, no CR/LF)."""
    return bool(_ADDR_RE.match(value)) and len(value) <= ADDRESS_MAX


def mailbox(value: str, *, named: bool) -> tuple[str, str]:
    """``(display name, address)`` of a configured sender or recipient; ``ValueError`` with
    the reason a person reads when it is not one. A plain address is always accepted; with
    ``named``, so is 'Name <address>' (the name may be quoted). Nothing else: a second address,
    text after the '>' or a comment would be dropped or misread by a lenient parser, and the
    message would go somewhere the config does not say."""
    text = value.strip()
    if valid_address(text):
        return "", text
    m = _NAMED_RE.fullmatch(text)
    if m is None or not valid_address(m.group("addr").strip()):
        raise ValueError(f"bad email address: {value!r}")
    if not named:
        hint = "put the name under 'name'" if m.group("name").strip() else \
            "write the address alone, without '<>'"
        raise ValueError(f"bad email address: {value!r} ({hint})")
    name = m.group("name").strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    return name, m.group("addr").strip()


def list_id_parts(value: str) -> tuple[str, str] | None:
    """``(description, id)`` of an RFC 2919 List-Id (``News <news.example.org>`` or the bare
    id); None when it is not one."""
    m = _LIST_ID_RE.fullmatch(value.strip())
    if m is None:
        return None
    ident = m.group("id") or m.group("bare")
    if not _LIST_ID_DOTS.match(ident):
        return None
    return (m.group("description") or "").strip(), ident


def hidden_control(value: str, depth: int = 4) -> str | None:
    """The first RFC 2047 encoded word in ``value`` that decodes to a control character (a
    line break above all), or None. ``=?utf-8?q?Eve=0D=0ABcc:_x@y?=`` is such a word: the
    email package of Python < 3.11.10 / 3.12.5 decodes it while building a header and writes
    the line break to the wire, and any reader's client decodes it too. Words are looked for
    in what they decode to as well (``depth`` levels), since a word can encode another."""
    for m in _ENCODED_WORD.finditer(value):
        decoded = _decode_word(m.group("charset"), m.group("cte"), m.group("text"))
        if decoded is None:
            continue
        if CONTROL_RE.search(decoded) or (depth > 1 and hidden_control(decoded, depth - 1)):
            return m.group()
    return None


def _decode_word(charset: str, cte: str, text: str) -> str | None:
    """What a mail client shows for one encoded word; None when it cannot be decoded (then
    a client shows it as it is)."""
    try:
        if cte in "qQ":
            raw = binascii.a2b_qp(text.replace("_", " ").encode("ascii"))
        else:
            raw = binascii.a2b_base64(text.encode("ascii") + b"==")
    except (binascii.Error, UnicodeEncodeError):
        return None
    name = charset.split("*", 1)[0] or "ascii"
    try:
        return raw.decode(name, "replace")
    except LookupError:  # an unknown charset: the email package falls back to ASCII
        return raw.decode("latin-1")
