"""A polite and safe HTTP client: every request goes through it (and its DNS lookups through
``addresses.system_resolver``, which it calls).

Nothing calls it unless the user asked for a fetch (``briefing fetch``, ``build --fetch``);
rendering never does. It is built on urllib3 (already trafilatura's dependency), because urllib3
lets each of these be enforced where it belongs rather than around it:

- **Only http and https**, no credentials in URLs, at most ``max_redirects`` redirects, and
  every hop checked again as if it were the first (scheme, address, robots.txt).
- **No request to a private address.** The host is resolved once, each address is checked
  (loopback, private, link-local, shared, reserved, multicast, and IPv4 addresses inside IPv6
  ones), and the connection is opened to the address that passed: a name that resolves to
  127.0.0.1, or a DNS answer that changes between check and connect, cannot get through. Hosts
  named in ``allow_private`` (tests, an intranet) are the exception. The check lives in the
  connection class (``_new_conn``), so no code path can connect without it.
- **robots.txt** honoured for the ``briefing`` token (RFC 9309: a 4xx means no rules, a 5xx or
  no answer means stay out), and its Crawl-delay when longer than ours (up to ``CRAWL_DELAY_MAX``).
- **A delay per host** between one request's end and the next one's start, **at most
  ``concurrency`` requests at once** over all hosts, and a User-Agent naming briefing and the
  user's contact.
- **Bounded**: a connect timeout, a read timeout per wait, and a deadline for the whole answer
  (a watchdog closes a connection that drips); at most ``max_bytes`` received and at most
  ``max_bytes`` after decompression (gzip and deflate only, inflated here in bounded steps: a
  gzip bomb stops at the cap).

Each connection serves one request (``Connection: close``): requests to one host are seconds
apart anyway, and a fresh connection is one more address check.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error

from briefing import __version__
from briefing.fetch.addresses import IP, Resolver, kind, literal, public_address, system_resolver
from briefing.fetch.body import read_body
from briefing.fetch.response import REDIRECTS, FetchError, Refused, Response
from briefing.fetch.robots import ROBOTS_MAX_BYTES, Robots

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
               "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, application/pdf;q=0.8, */*;q=0.5"


@dataclass
class Settings:
    """How the client behaves (the config's ``fetch:`` section gives these)."""

    contact: str | None = None  # an email address or URL for the User-Agent
    delay: float = 1.0  # seconds between the end of a request to a host and the next one
    concurrency: int = 4  # requests in flight at once, over all hosts
    timeout: float = 30.0  # seconds for a whole answer (connect timeout: the lesser of this and 10)
    max_bytes: int = 10_000_000  # received, and again after decompression
    max_redirects: int = 5
    allow_private: tuple[str, ...] = ()  # hosts that may be at private or loopback addresses
    robots: bool = True


def user_agent(contact: str | None) -> str:
    """``briefing/0.1.0 (+mailto:me@example.org)``: who is asking and how to reach them."""
    if not contact:
        return f"briefing/{__version__}"
    link = contact if "://" in contact or contact.startswith("mailto:") else f"mailto:{contact}"
    return f"briefing/{__version__} (+{link})"


# --- The deadline of one answer -------------------------------------------------------------

_current = threading.local()  # the _Watch of the request this thread is making


class _Watch:
    """A request's deadline: when it passes, the request's socket is shut down, which ends
    any wait on it (a server dripping its headers or body a byte at a time)."""

    def __init__(self, seconds: float) -> None:
        self.sock: socket.socket | None = None
        self.expired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.expired = True
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> _Watch:
        _current.watch = self
        self._timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._timer.cancel()
        _current.watch = None


# --- The client ------------------------------------------------------------------------------


class Client:
    """Fetches URLs under :class:`Settings` (see the module docstring). Thread-safe: a caller
    may run ``get`` from many threads; the client still keeps to its bounds."""

    def __init__(self, settings: Settings, *, resolver: Resolver | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.agent = user_agent(settings.contact)
        self._resolve = resolver or system_resolver
        self._sleep = sleep
        self._allow = frozenset(h.lower().strip("[]") for h in settings.allow_private)
        self._slots = threading.BoundedSemaphore(max(1, settings.concurrency))
        self._lock = threading.Lock()
        self._hosts: dict[str, _Host] = {}
        self._robots = Robots(self._get_robots, settings.max_redirects, self._crawl_delay)
        self._pools = self._pool_manager()
        self.requests = 0  # made so far (robots.txt included), for reports and tests

    def close(self) -> None:
        self._pools.clear()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the public call -----------------------------------------------------------------------

    def get(self, url: str, *, accept: str = PAGE_ACCEPT, etag: str | None = None,
            last_modified: str | None = None) -> Response:
        """GET ``url``, following redirects, with a conditional GET when ``etag`` or
        ``last_modified`` is given. Returns a 200 (body decompressed) or a 304; raises
        :class:`Refused` or :class:`FetchError` with the reason otherwise."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen: list[str] = []
        current = url
        for _ in range(self.settings.max_redirects + 1):
            self._check(current)
            if self.settings.robots:
                self._robots.obey(current)
            status, head, body = self._request(current, headers)
            if status in REDIRECTS and head.get("location"):
                seen.append(current)
                current = urljoin(current, head["location"].strip())
                if status == 303:
                    headers.pop("If-None-Match", None)
                    headers.pop("If-Modified-Since", None)
                continue
            if status in (200, 304):
                return Response(current, status, head, body if status == 200 else b"",
                                tuple(seen))
            reason = f"HTTP {status}"
            if status in (429, 503) and head.get("retry-after"):
                reason += f" (the server asks to wait {head['retry-after'].strip()})"
            raise FetchError(current, reason, status=status)
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects")

    # -- checks --------------------------------------------------------------------------------

    def _check(self, url: str) -> None:
        """Refuse what is never fetched, before any connection: another scheme, a URL with
        credentials or without a host, a private address written as the host."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise Refused(url, "not a valid URL") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise Refused(url, "only http and https URLs are fetched")
        if not parts.hostname:
            raise Refused(url, "a URL without a host")
        if parts.username is not None or parts.password is not None:
            raise Refused(url, "a URL with a user name or password is not fetched")
        if port == 0:
            raise Refused(url, "port 0")
        ip = literal(parts.hostname)
        if ip is not None and not self.permits(parts.hostname, ip):
            raise Refused(url, f"{ip} is a {kind(ip)} address (fetch.allow_private names the "
                          "hosts that may be)")

    def permits(self, host: str, ip: IP) -> bool:
        """Whether a connection to ``ip`` for ``host`` is allowed."""
        return public_address(ip) or host.lower().strip("[]").rstrip(".") in self._allow

    def connect(self, conn: HTTPConnection) -> socket.socket:
        """Open the socket of ``conn``: resolve its host, keep the addresses :meth:`permits`,
        connect to the first that answers, and check the peer again."""
        host = conn.host
        try:
            addresses = self._resolve(conn._dns_host, conn.port)
        except OSError as exc:
            raise FetchError(host, f"cannot resolve {host}: {exc}") from None
        refused = None
        last: OSError | None = None
        timeout = conn.timeout if isinstance(conn.timeout, (int, float)) else None
        for family, addr in addresses:
            ip = literal(str(addr[0]))
            if ip is None or not self.permits(host, ip):
                refused = refused or ip
                continue
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.settimeout(timeout)
                sock.connect(addr)
                peer = literal(str(sock.getpeername()[0]))
                if peer is None or not self.permits(host, peer):
                    raise OSError("connected to an address that is not allowed")
            except OSError as exc:
                sock.close()
                last = exc
                continue
            watch = getattr(_current, "watch", None)
            if watch is not None:
                watch.sock = sock
            return sock
        if refused is not None and last is None:
            raise Refused(host, f"{host} resolves to {refused}, a {kind(refused)} address "
                          "(fetch.allow_private names the hosts that may be)")
        raise FetchError(host, f"cannot connect to {host}: {last or 'no address'}")

    # -- robots.txt ----------------------------------------------------------------------------

    def _get_robots(self, url: str) -> tuple[int, dict[str, str], bytes]:
        """One GET of a robots.txt for :class:`~briefing.fetch.robots.Robots`: checked like any
        request, its body cut at ``ROBOTS_MAX_BYTES``."""
        self._check(url)
        return self._request(url, {"Accept": "text/plain"}, limit=ROBOTS_MAX_BYTES,
                             truncate=True)

    def _crawl_delay(self, netloc: str, seconds: float) -> None:
        """A robots.txt's Crawl-delay for ``netloc``: kept when longer than the delay."""
        host = self._host(netloc)
        host.delay = max(host.delay, seconds)

    # -- one request ---------------------------------------------------------------------------

    def _host(self, netloc: str) -> _Host:
        with self._lock:
            host = self._hosts.get(netloc)
            if host is None:
                host = self._hosts[netloc] = _Host(self.settings.delay)
            return host

    def _request(self, url: str, headers: Mapping[str, str], *, limit: int | None = None,
                 truncate: bool = False) -> tuple[int, dict[str, str], bytes]:
        """One GET, no redirect followed: (status, headers, body). One at a time per host,
        ``delay`` after the last one there ended; at most ``concurrency`` over all hosts."""
        parts = urlsplit(url)
        host = self._host(parts.netloc.lower())
        limit = limit or self.settings.max_bytes
        with host.lock:
            wait = host.next_at - time.monotonic()
            if wait > 0:
                self._sleep(wait)
            try:
                with self._slots:
                    with self._lock:
                        self.requests += 1
                    return self._exchange(url, headers, limit, truncate)
            finally:
                host.next_at = time.monotonic() + host.delay

    def _exchange(self, url: str, headers: Mapping[str, str], limit: int,
                  truncate: bool) -> tuple[int, dict[str, str], bytes]:
        s = self.settings
        timeout = urllib3.Timeout(connect=min(10.0, s.timeout), read=s.timeout)
        sent = {"User-Agent": self.agent, "Accept-Encoding": "gzip, deflate",
                "Connection": "close", **headers}
        with _Watch(s.timeout) as watch:
            try:
                resp = self._pools.urlopen("GET", url, headers=sent, redirect=False,
                                           retries=False, preload_content=False,
                                           decode_content=False, timeout=timeout)
                # taken now: reading a body to its end hands the connection back to the pool
                # (and clears resp.connection), still open
                conn = resp.connection
                try:
                    head = {k.lower(): v for k, v in resp.headers.items()}
                    body = b""
                    if resp.status == 200:
                        body = read_body(resp, head, limit, truncate, url)
                    return resp.status, head, body
                finally:
                    # never back into the pool open: the next request to this host connects
                    # afresh (and is checked afresh), and a socket the server closed after
                    # its answer is never reused
                    resp.close()
                    if conn is not None:
                        conn.close()
                    resp.release_conn()
            except FetchError:
                raise
            except (Urllib3Error, OSError, ValueError) as exc:
                if watch.expired:
                    raise FetchError(url, f"no complete answer within {s.timeout:g} s") from None
                raise FetchError(url, _describe(exc)) from None

    def _pool_manager(self) -> urllib3.PoolManager:
        client = self

        class SafeHTTPConnection(HTTPConnection):
            def _new_conn(self) -> socket.socket:
                return client.connect(self)

        class SafeHTTPSConnection(HTTPSConnection):
            def _new_conn(self) -> socket.socket:
                return client.connect(self)

        class SafeHTTPPool(HTTPConnectionPool):
            ConnectionCls = SafeHTTPConnection

        class SafeHTTPSPool(HTTPSConnectionPool):
            ConnectionCls = SafeHTTPSConnection

        manager = urllib3.PoolManager(num_pools=64, maxsize=max(1, self.settings.concurrency))
        manager.pool_classes_by_scheme = {"http": SafeHTTPPool, "https": SafeHTTPSPool}
        return manager


@dataclass
class _Host:
    """One host's turn: a lock held while a request to it runs, and when the next may start."""

    delay: float
    next_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _describe(exc: BaseException) -> str:
    """A urllib3 or socket error as one line a user can read."""
    name = type(exc).__name__
    text = str(exc)
    if "timed out" in text.lower() or "Timeout" in name:
        return "timed out"
    if "Connection refused" in text:
        return "connection refused"
    if name == "SSLError" or "CERTIFICATE" in text.upper():
        return f"TLS error: {text.split(': ')[-1][:120]}"
    return f"{name}: {text[:160]}" if text else name
