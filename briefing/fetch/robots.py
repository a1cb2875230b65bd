"""robots.txt, honoured for the ``briefing`` token as RFC 9309 says, read once per origin.

A 4xx means no rules; a 5xx, no answer or a redirect to an address briefing does not fetch
means stay out (RFC 9309 §2.3.1); a refusal of the address itself holds for every page there
and is raised. A Crawl-delay longer than the client's delay is kept for that host (up to
``CRAWL_DELAY_MAX``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from briefing.fetch.response import REDIRECTS, FetchError, Refused

ROBOTS_TOKEN = "briefing"
ROBOTS_MAX_BYTES = 500_000  # RFC 9309 asks crawlers to read at least 500 KiB
CRAWL_DELAY_MAX = 60.0  # a robots.txt asking for more gets this much

#: one GET of a robots.txt (checked like any request, at most ROBOTS_MAX_BYTES), no redirect
#: followed: (status, headers, body)
Get = Callable[[str], tuple[int, Mapping[str, str], bytes]]


class Robots:
    """The rules of every origin asked about, each read once: the first thread to ask for an
    origin reads its robots.txt while the others asking for it wait. ``get`` makes the
    request; ``crawl_delay(netloc, seconds)`` is told of a Crawl-delay."""

    def __init__(self, get: Get, max_redirects: int,
                 crawl_delay: Callable[[str, float], None]) -> None:
        self._get = get
        self._max_redirects = max_redirects
        self._crawl_delay = crawl_delay
        self._lock = threading.Lock()
        self._rules: dict[str, RobotFileParser | bool | str] = {}
        self._locks: dict[str, threading.Lock] = {}

    def obey(self, url: str) -> None:
        """Raise :class:`Refused` unless the site's robots.txt lets briefing fetch ``url``."""
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        with self._lock:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            rules = self._rules.get(origin)
            if rules is None:
                rules = self._rules[origin] = self._read(origin)
        if isinstance(rules, str):
            raise Refused(url, f"robots.txt could not be read ({rules}), which means stay out "
                          "(RFC 9309)")
        if isinstance(rules, RobotFileParser) and not rules.can_fetch(ROBOTS_TOKEN, url):
            raise Refused(url, "robots.txt asks briefing not to fetch it")

    def _read(self, origin: str) -> RobotFileParser | bool | str:
        """The rules at ``origin``/robots.txt: True (no rules) when it answers 4xx, or the
        reason to stay out when it answers 5xx or not at all (RFC 9309 §2.3.1). A refusal
        of the address itself is raised: it holds for every page there."""
        url = origin + "/robots.txt"
        current = url
        for _ in range(self._max_redirects + 1):
            try:
                status, head, body = self._get(current)
            except Refused:
                if current == url:
                    raise
                return "it redirects to an address briefing does not fetch"
            except FetchError as exc:
                return exc.reason
            if status in REDIRECTS and head.get("location"):
                current = urljoin(current, head["location"].strip())
                continue
            break
        else:
            return "too many redirects"
        if 400 <= status < 500:
            return True
        if status != 200:
            return f"HTTP {status}"
        rules = RobotFileParser(url)
        rules.parse(body.decode("utf-8", errors="replace").splitlines())
        delay = rules.crawl_delay(ROBOTS_TOKEN)
        if delay:
            self._crawl_delay(urlsplit(origin).netloc.lower(), min(float(delay), CRAWL_DELAY_MAX))
        return rules
