"""Starting and stopping it all: the first build, the HTTP server, the file watcher.

:func:`start` builds the editions once, starts the HTTP server (the standard library's
``ThreadingHTTPServer``, one thread a request: a page's open long poll holds one) and the
watcher, each on a thread of its own, and returns a :class:`Server` to stop them with; a test
or a program uses it. :func:`serve` is the command: it starts, says where, and runs until
Ctrl-C, with the cyclic garbage collector on (the command line turns it off for a build,
which ends in seconds: a server runs for hours and rebuilds again and again).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Self

from briefing.config import load_config
from briefing.errors import ConfigError, UsageError
from briefing.runtime import collecting
from briefing.serve.builder import Builder
from briefing.serve.handler import App, Handler
from briefing.serve.pages import Pages
from briefing.serve.watch import Watched, Watcher

Warn = Callable[[str], None]
READY_SECONDS = 30.0  # how long start() waits for the watcher to be in place (a busy machine)


def _ignore(_: str) -> None:
    return None


@dataclass(frozen=True)
class ServeOptions:
    """What ``briefing serve`` is given."""

    config: Path = Path("config/briefing.yaml")
    reader: str | None = None  # the edition ``/`` shows (None: the main edition)
    host: str = "127.0.0.1"
    port: int = 8000  # 0: any free port (the address says which)
    force_polling: bool | None = None  # watchfiles' polling instead of inotify (None: its choice)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address only this machine can reach."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # an open long poll never keeps the process alive
    app: App


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class Server:
    """A running server: its address, and :meth:`stop` (also on leaving a ``with``)."""

    def __init__(self, builder: Builder, httpd: _HTTPServer, watcher: Watcher) -> None:
        self.builder = builder
        self._httpd = httpd
        self._watcher = watcher
        self._stopped = False
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="briefing-serve-http", daemon=True)
        self._thread.start()

    @property
    def app(self) -> App:
        """What answers the requests (its ``pages`` draw every page)."""
        return self._httpd.app

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}/"

    def stop(self) -> None:
        """Wake the open polls, stop answering, stop watching; returns once all have (again:
        nothing)."""
        if self._stopped:
            return
        self._stopped = True
        self.builder.close()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(10)
        self._watcher.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _hosts(host: str, port: int) -> frozenset[str] | None:
    """The Host headers a loopback server answers (None: any, for another address)."""
    if not is_loopback(host):
        return None
    literal = f"[{host.strip('[]')}]" if ":" in host else host
    names = {"127.0.0.1", "localhost", "[::1]", literal.lower()}
    return frozenset({f"{n}:{port}" for n in names} | (names if port == 80 else set()))


def start(options: ServeOptions, *, warn: Warn = _ignore, say: Warn = _ignore,
          report: Warn = _ignore) -> Server:
    """Listen, build the editions, then serve and watch them (see the module docstring). A
    config file that cannot be read, a ``--reader`` that a config which loads does not have,
    or an address that cannot be listened on stops it here; a config with problems does not:
    the page shows them until they are fixed. ``warn`` hears a build's warnings, ``say`` each
    build and rebuild, ``report`` each line of a failure."""
    try:
        config = load_config(options.config)
    except ConfigError:
        config = None  # the page says what is wrong with it
    if config is not None and options.reader is not None:
        config.reader(options.reader)
    kind = _HTTPServer6 if ":" in options.host else _HTTPServer
    try:
        httpd = kind((options.host.strip("[]"), options.port), Handler)
    except OSError as exc:
        raise UsageError(f"--host {options.host} --port {options.port}: cannot listen there: "
                         f"{exc.strerror or exc} (--port 0 takes any free port)") from None
    try:
        builder = Builder(options.config, options.reader, warn=warn, say=say, report=report)
        builder.rebuild("start")
        httpd.app = App(builder, Pages(options.reader),
                        _hosts(options.host, httpd.server_address[1]))
        watcher = Watcher(lambda: Watched(options.config, builder.snapshot.config),
                          builder.rebuild, force_polling=options.force_polling, failed=warn)
        watcher.start()
    except BaseException:
        httpd.server_close()
        raise
    watcher.ready.wait(READY_SECONDS)
    return Server(builder, httpd, watcher)


def serve(options: ServeOptions, *, warn: Warn = _ignore, say: Warn = _ignore,
          report: Warn = _ignore) -> None:
    """``briefing serve``: start, say where, serve until Ctrl-C."""
    if not is_loopback(options.host):
        warn(f"serving on {options.host}, not a loopback address: anyone who can reach this "
             "machine can read the edition and the articles it cites")
    with collecting():
        server = start(options, warn=warn, say=say, report=report)
        say(f"serving {server.url} (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            say("stopped")
        finally:
            server.stop()
