"""A real HTTP server on 127.0.0.1 for the fetch tests and benchmark: routes set per test.

Each route answers with a status, headers and a body, and may wait before answering
(``delay``), drip its body a few bytes at a time (``drip``), answer a conditional GET with 304
(``etag``/``last_modified``), or stream a body of any size without holding it (``stream``).
Every request is logged (path, headers, time), so a test can check what briefing sent and
when. The server runs in a thread and stops at the end of the test; it only ever listens on
the loopback address.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What the server answers for one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    drip: float = 0.0  # seconds between pieces of the body (then sent 16 bytes at a time)
    etag: str | None = None  # answer 304 to If-None-Match with this
    last_modified: str | None = None  # answer 304 to this If-Modified-Since
    stream: Callable[[], Iterator[bytes]] | None = None  # a body made as it is sent
    length: bool = True  # send Content-Length (not for a stream)


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    at: float
    host: str = ""


class Server:
    """``with Server() as web: web.route("/feed.xml", Route(...)); web.url("/feed.xml")``."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.active = self.most_active = 0  # requests being answered now, and at most
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                return None

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                with server._lock:
                    server.hits.append(Hit(self.path, headers, time.monotonic(),
                                           headers.get("host", "")))
                route = server.routes.get(self.path.split("#")[0]) or server.routes.get(
                    self.path.split("?")[0])
                if route is None:
                    route = Route(b"not found", 404, {"Content-Type": "text/plain"})
                with server._lock:
                    server.active += 1
                    server.most_active = max(server.most_active, server.active)
                try:
                    self._answer(route, headers)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with server._lock:
                        server.active -= 1

            def _answer(self, route: Route, headers: dict[str, str]) -> None:
                if route.delay:
                    time.sleep(route.delay)
                if (route.etag and headers.get("if-none-match") == route.etag) or (
                        route.last_modified
                        and headers.get("if-modified-since") == route.last_modified):
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                if route.stream is not None:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for piece in route.stream():
                        self.wfile.write(piece)
                    return
                if route.length:
                    self.send_header("Content-Length", str(len(route.body)))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                if route.drip:
                    for i in range(0, len(route.body), 16):
                        self.wfile.write(route.body[i:i + 16])
                        self.wfile.flush()
                        time.sleep(route.drip)
                else:
                    self.wfile.write(route.body)

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.host = host
        self.port = self.httpd.server_address[1]
        # a short poll: stopping the server (every test does) waits for it
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,),
                                        daemon=True)

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, path: str, route: Route | bytes | str, **kwargs: object) -> str:
        """Serve ``route`` (a body: HTML unless ``headers`` say otherwise) at ``path``;
        returns its URL."""
        if not isinstance(route, Route):
            body = route.encode() if isinstance(route, str) else route
            kwargs.setdefault("headers", {"Content-Type": "text/html; charset=utf-8"})
            route = Route(body, **kwargs)  # type: ignore[arg-type]
        self.routes[path] = route
        return self.url(path)

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzip-compressed (about a thousandth of that on the wire)."""
    return gzip.compress(b"\0" * size, compresslevel=9)
