"""An article's bytes -> its text, exactly: the codec recorded is the one that reads it back.

Offsets everywhere in the pipeline index ``Article.text``, so the text must be exactly what the
contract's checkers see when they open the file with ``Article.encoding`` and ``newline=""``:
bytes are decoded with ``bytes.decode`` (no newline translation, CRLF stays), a UTF-8 byte order
mark selects ``"utf-8-sig"`` (which drops the mark in both places), and anything that is not
UTF-8 is detected with charset-normalizer and recorded under the codec name Python knows.
"""

from __future__ import annotations

import codecs
import re


def decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) for an article's bytes, or None when they are not text. The text is
    exactly ``open(path, encoding=encoding, newline="").read()``."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            return None
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    western = _western(data)
    if western is not None:
        return western, "cp1252"
    from charset_normalizer import from_bytes  # only paid for files that are not UTF-8

    # best() ranks by chaos alone, so one stray byte (a Latin-1 "£") can come out as cp932 with
    # zero coherence; weigh the language coherence in as well.
    results = list(from_bytes(data))
    if not results:
        return None
    best = max(results, key=lambda r: r.coherence - r.chaos)
    enc = codecs.lookup(best.encoding).name
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None
    if any(ch < " " and ch not in "\t\n\r\f\v" for ch in text[:4096]):
        return None  # control characters: a binary file that happened to decode
    return text, enc


_HIGH = re.compile(rb"[\x80-\xff]")
_PLAUSIBLE = re.compile(r"[\u00a0-\u024f\u2010-\u2027\u2030-\u203a\u20ac\u2122]")


def _western(data: bytes) -> str | None:
    """The text as Windows-1252 when it is mostly ASCII with a few accented letters or
    typographic marks (a "£", "café", curly quotes): on such short evidence charset-normalizer
    guesses wildly (cp932 for one "£"), while cp1252 (a superset of Latin-1's printable range)
    is what such files almost always are. Text in another script has far more high bytes."""
    high = len(_HIGH.findall(data))
    if high * 8 > len(data):
        return None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if any(ord(c) > 127 and not _PLAUSIBLE.match(c) for c in text):
        return None
    return text

