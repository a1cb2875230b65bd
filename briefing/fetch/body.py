"""An answer's body, bounded: at most ``limit`` bytes received and at most ``limit`` once
decompressed.

Content-Encoding is undone here, in bounded steps (gzip and deflate only; a raw deflate stream
without its zlib header too, an old server habit), so a gzip bomb stops at the cap instead of
filling memory; robots.txt is read the same way but cut at its limit rather than refused.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import urllib3

from briefing.fetch.response import FetchError

CHUNK = 65536  # bytes read, and inflated, at a time


def read_body(resp: urllib3.BaseHTTPResponse, head: Mapping[str, str], limit: int,
              truncate: bool, url: str) -> bytes:
    """The body, at most ``limit`` bytes received and ``limit`` after decompression (or cut
    there with ``truncate``, for robots.txt)."""
    length = head.get("content-length", "").strip()
    if length.isdigit() and int(length) > limit and not truncate:
        raise FetchError(url, f"larger than {limit:,} bytes ({int(length):,} announced)")
    inflate = _Inflater(head.get("content-encoding", ""), limit, url)
    received = 0
    out: list[bytes] = []
    while True:
        chunk = resp.read1(CHUNK, decode_content=False)
        if not chunk:
            break
        received += len(chunk)
        if received > limit:
            if truncate:
                break
            raise FetchError(url, f"larger than {limit:,} bytes")
        try:
            out.append(inflate.feed(chunk))
        except _Full:
            if truncate:
                break
            raise FetchError(url, f"more than {limit:,} bytes once decompressed") from None
        except zlib.error:
            raise FetchError(url, "the compressed body is damaged") from None
    try:
        out.append(inflate.flush())
    except _Full:
        if not truncate:
            raise FetchError(url, f"more than {limit:,} bytes once decompressed") from None
    except zlib.error:
        raise FetchError(url, "the compressed body is damaged") from None
    body = b"".join(out)
    return body[:limit] if truncate else body


class _Full(Exception):
    pass


class _Inflater:
    """Content-Encoding undone in bounded steps: never more than ``limit`` bytes out."""

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        self.limit, self.total = limit, 0
        self.z: zlib._Decompress | None = None
        self.deflate = False
        if not codings:
            return
        if codings in (["gzip"], ["x-gzip"]):
            self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif codings == ["deflate"]:
            self.z, self.deflate = zlib.decompressobj(), True
        else:
            raise FetchError(url, f"unsupported content encoding {encoding!r}")

    def feed(self, data: bytes) -> bytes:
        if self.z is None:
            self.total += len(data)
            if self.total > self.limit:
                raise _Full()
            return data
        out = []
        try:
            while data:
                piece = self.z.decompress(data, CHUNK)
                self.total += len(piece)
                if self.total > self.limit:
                    raise _Full()
                out.append(piece)
                data = self.z.unconsumed_tail
        except zlib.error:
            if self.deflate and self.total == 0 and not out:
                # "deflate" sent as a raw stream without the zlib header (an old server habit)
                self.z, self.deflate = zlib.decompressobj(-zlib.MAX_WBITS), False
                return self.feed(data)
            raise
        return b"".join(out)

    def flush(self) -> bytes:
        if self.z is None:
            return b""
        rest = self.z.flush()
        self.total += len(rest)
        if self.total > self.limit:
            raise _Full()
        return rest
