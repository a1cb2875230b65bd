"""A polite and safe HTTP client: the only module that talks to the network.

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

import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error

from briefing import __version__

ROBOTS_TOKEN = "briefing"
ROBOTS_MAX_BYTES = 500_000  # RFC 9309 asks crawlers to read at least 500 KiB
CRAWL_DELAY_MAX = 60.0  # a robots.txt asking for more gets this much
REDIRECTS = (301, 302, 303, 307, 308)
CHUNK = 65536
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
               "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, application/pdf;q=0.8, */*;q=0.5"

Resolver = Callable[[str, int], Sequence[tuple[int, tuple]]]  # (family, sockaddr) per address


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


# --- Addresses ------------------------------------------------------------------------------


def public_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is on the public internet, looking inside IPv6 forms that carry an
    IPv4 address (mapped, NAT64, 6to4) so ``::ffff:127.0.0.1`` counts as loopback."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or (ip.sixtofour if ip.sixtofour is not None else None)
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None:
            return public_address(inner)
    return ip.is_global and not ip.is_multicast


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def _kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    for attr, name in (("is_loopback", "loopback"), ("is_link_local", "link-local"),
                       ("is_private", "private"), ("is_multicast", "multicast")):
        if getattr(ip, attr):
            return name
    return "non-public"


def _system_resolver(host: str, port: int) -> list[tuple[int, tuple]]:
    return [(family, addr) for family, _, _, _, addr in
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


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
        self._resolve = resolver or _system_resolver
        self._sleep = sleep
        self._allow = frozenset(h.lower().strip("[]") for h in settings.allow_private)
        self._slots = threading.BoundedSemaphore(max(1, settings.concurrency))
        self._lock = threading.Lock()
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, RobotFileParser | bool | str] = {}
        self._robot_locks: dict[str, threading.Lock] = {}
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
                self._obey_robots(current)
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
        ip = _literal(parts.hostname)
        if ip is not None and not self.permits(parts.hostname, ip):
            raise Refused(url, f"{ip} is a {_kind(ip)} address (fetch.allow_private names the "
                          "hosts that may be)")

    def permits(self, host: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        """Whether a connection to ``ip`` for ``host`` is allowed."""
        return public_address(ip) or host.lower().strip("[]").rstrip(".") in self._allow

    def connect(self, conn: HTTPConnection) -> socket.socket:
        """Open the socket of ``conn``: resolve its host, keep the addresses :meth:`permits`,
        connect to the first that answers, and check the peer again."""
        host = conn.host
        try:
            addresses = self._resolve(conn._dns_host, conn.port)  # type: ignore[attr-defined]
        except OSError as exc:
            raise FetchError(host, f"cannot resolve {host}: {exc}") from None
        refused = None
        last: OSError | None = None
        timeout = conn.timeout if isinstance(conn.timeout, (int, float)) else None
        for family, addr in addresses:
            ip = _literal(str(addr[0]))
            if ip is None or not self.permits(host, ip):
                refused = refused or ip
                continue
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.settimeout(timeout)
                sock.connect(addr)
                peer = _literal(str(sock.getpeername()[0]))
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
            raise Refused(host, f"{host} resolves to {refused}, a {_kind(refused)} address "
                          "(fetch.allow_private names the hosts that may be)")
        raise FetchError(host, f"cannot connect to {host}: {last or 'no address'}")

    # -- robots.txt ----------------------------------------------------------------------------

    def _obey_robots(self, url: str) -> None:
        """Raise :class:`Refused` unless the site's robots.txt lets briefing fetch ``url``."""
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        with self._lock:
            lock = self._robot_locks.setdefault(origin, threading.Lock())
        with lock:
            rules = self._robots.get(origin)
            if rules is None:
                rules = self._robots[origin] = self._read_robots(origin)
        if isinstance(rules, str):
            raise Refused(url, f"robots.txt could not be read ({rules}), which means stay out "
                          "(RFC 9309)")
        if rules is not True and not rules.can_fetch(ROBOTS_TOKEN, url):
            raise Refused(url, "robots.txt asks briefing not to fetch it")

    def _read_robots(self, origin: str) -> RobotFileParser | bool | str:
        """The rules at ``origin``/robots.txt: True (no rules) when it answers 4xx, or the
        reason to stay out when it answers 5xx or not at all (RFC 9309 §2.3.1). A refusal
        of the address itself is raised: it holds for every page there."""
        url = origin + "/robots.txt"
        current = url
        for _ in range(self.settings.max_redirects + 1):
            try:
                self._check(current)
                status, head, body = self._request(current, {"Accept": "text/plain"},
                                                   limit=ROBOTS_MAX_BYTES, truncate=True)
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
            host = self._host(urlsplit(origin).netloc.lower())
            host.delay = max(host.delay, min(float(delay), CRAWL_DELAY_MAX))
        return rules

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
                        body = _read(resp, head, limit, truncate, url)
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


def _read(resp: urllib3.BaseHTTPResponse, head: Mapping[str, str], limit: int, truncate: bool,
          url: str) -> bytes:
    """The body, at most ``limit`` bytes received and ``limit`` after decompression (or cut
    there with ``truncate``, for robots.txt)."""
    length = head.get("content-length", "").strip()
    if length.isdigit() and int(length) > limit and not truncate:
        raise FetchError(url, f"larger than {limit:,} bytes ({int(length):,} announced)")
    inflate = _Inflater(head.get("content-encoding", ""), limit, url)
    received = 0
    out: list[bytes] = []
    while True:
        chunk = resp.read1(CHUNK, decode_content=False)  # type: ignore[call-arg]
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
        self.z: zlib._Decompress | None = None  # type: ignore[name-defined]
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
