"""What a request gives: a complete :class:`Response`, or the reason there is none.

:class:`FetchError` is a request that did not give a usable answer (an HTTP error, a timeout,
a body over the limit); :class:`Refused` one that briefing will not make (the scheme, the
address or robots.txt says no). Each carries one line for the report of ``briefing fetch``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

REDIRECTS = (301, 302, 303, 307, 308)  # the statuses whose Location is followed


class FetchError(Exception):
    """A request that did not give a usable answer; ``reason`` is one line for the report."""

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.status = url, reason, status


class Refused(FetchError):
    """A request briefing will not make: the scheme, the address or robots.txt says no."""


@dataclass(frozen=True)
class Response:
    """A complete answer: 200 with its body (decompressed), or 304 Not Modified."""

    url: str  # after redirects
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes = b""
    redirects: tuple[str, ...] = ()  # the URLs redirected from, in order

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                return value.strip().strip('"\'')
        return None
