"""The HTTP routes: what each URL answers, with the headers that keep the browser to them.

===============================  =========================================================
``/``                            the edition (``?reader=ID``; ``?reader=`` the main one)
``/last-good``                   the last edition built before the current failure
``/explain/THEME`` (``.json``)   every candidate for a theme and its fate
``/source?path=&start=&end=``    an article's text as its citations index it, span marked
``/pdf``, ``/email``             the PDF; the email at 375 and 600 px (``/email.html``)
``/out/PATH``                    a file of the workspace's ``out/`` folder
``/corpus/PATH``                 a corpus file an edition on view cites
``/_serve/wait?generation=N``    the long poll: the status once generation N is not the last
``/_serve/status``               the status now (JSON)
===============================  =========================================================

Everything else, and every path ``files`` refuses, is a 404. Pages carry a Content Security
Policy that lets the browser fetch nothing but this server and run no script but the reload
script (a nonce per response): an article's markup, if any ever got through, could not run.
A server on a loopback address answers only requests that name it (a ``Host`` of 127.0.0.1,
localhost or [::1] and its port), so a web page elsewhere cannot read it through a DNS name
rebound to 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote

from briefing.serve.builder import Builder, Key, Snapshot
from briefing.serve.editions import Edition, Failure, failure_of
from briefing.serve.files import cited_file, content_type, output_file
from briefing.serve.pages import Pages

WAIT_SECONDS = 25.0  # the long poll's answer at the latest (the page asks again)
MAX_FIELDS = 16  # query fields a request may have
_INT = re.compile(r"^[0-9]{1,12}$")
PAGE_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
               "script-src 'nonce-{nonce}'; connect-src 'self'; frame-src 'self'; "
               "form-action 'self'; base-uri 'none'; frame-ancestors 'self'")
STATIC_POLICY = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                 "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")


@dataclass
class Response:
    status: int
    body: bytes
    type: str
    headers: dict[str, str] = field(default_factory=dict)


class App:
    """Answers a request target (``/path?query``) from the builder's current snapshot."""

    def __init__(self, builder: Builder, pages: Pages, hosts: frozenset[str] | None) -> None:
        self.builder = builder
        self.pages = pages
        self.hosts = hosts  # the Host headers accepted; None: any (not a loopback address)

    def answer(self, target: str, host: str | None) -> Response:
        nonce = secrets.token_urlsafe(12)
        if self.hosts is not None and (host or "").lower() not in self.hosts:
            return _text(400, "This server answers only for " + ", ".join(sorted(self.hosts)))
        if not target.startswith("/"):
            return self._missing(nonce, None)
        raw, _, query = target.split("#", 1)[0].partition("?")  # a fragment is the browser's
        try:
            params = parse_qs(query, keep_blank_values=True, max_num_fields=MAX_FIELDS,
                              errors="strict")
        except (ValueError, UnicodeDecodeError):
            return _text(400, "Bad query")
        key = self.pages.default
        if "reader" in params:
            key = params["reader"][0] or None
        route = self._route(raw)
        if route is None:
            return self._missing(nonce, key)
        return route(raw, params, key, nonce)

    def _route(self, raw: str) -> Callable[[str, dict[str, list[str]], Key, str],
                                           Response] | None:
        exact = {"/": self._edition, "/last-good": self._last_good, "/source": self._source,
                 "/pdf": self._pdf, "/email": self._email, "/email.html": self._email_html,
                 "/_serve/wait": self._wait, "/_serve/status": self._status}
        if raw in exact:
            return exact[raw]
        for prefix, route in (("/explain/", self._explain), ("/out/", self._output),
                              ("/corpus/", self._corpus)):
            if raw.startswith(prefix) and len(raw) > len(prefix):
                return route
        return None

    # --- the edition and its views -----------------------------------------------------------

    def _got(self, key: Key, nonce: str) -> tuple[Edition | None, Response | None]:
        """``key``'s edition, or the response to give instead (its failure, or not found)."""
        got = self.builder.edition(key)
        snap = self.builder.snapshot
        if isinstance(got, Failure):
            return None, _html(503, self.pages.failure(got, snap, key, nonce), nonce)
        if got is None:
            what = f"The config has no reader {key!r}." if key else "There is no edition yet."
            return None, self._missing(nonce, key, what)
        return got, None

    def _edition(self, raw: str, params: dict[str, list[str]], key: Key, nonce: str) -> Response:
        edition, refused = self._got(key, nonce)
        if edition is None:
            return refused  # type: ignore[return-value]
        return _html(200, self.pages.edition(edition, self.builder.snapshot, key, nonce), nonce)

    def _last_good(self, raw: str, params: dict[str, list[str]], key: Key,
                   nonce: str) -> Response:
        snap = self.builder.snapshot
        edition = snap.last_good.get(key)
        if edition is None:
            return self._missing(nonce, key, "No edition of this reader was built yet.")
        return _html(200, self.pages.edition(edition, snap, key, nonce), nonce)

    def _explain(self, raw: str, params: dict[str, list[str]], key: Key, nonce: str) -> Response:
        name = unquote(raw[len("/explain/"):])
        as_json = name.endswith(".json")
        theme = name.removesuffix(".json") if as_json else name
        edition, refused = self._got(key, nonce)
        if edition is None:
            return refused  # type: ignore[return-value]
        if as_json and theme in edition.explain:
            rows = [r.as_dict() for r in edition.explain[theme]]
            return Response(200, json.dumps(rows, indent=2, ensure_ascii=False).encode(),
                            "application/json; charset=utf-8")
        page = None if as_json else self.pages.explain(edition, self.builder.snapshot, key,
                                                      theme, nonce)
        if page is None:
            return self._missing(nonce, key, f"This edition has no theme {theme!r}.")
        return _html(200, page, nonce)

    def _source(self, raw: str, params: dict[str, list[str]], key: Key, nonce: str) -> Response:
        path = params.get("path", [""])[0]
        start, end = params.get("start", [None])[0], params.get("end", [None])[0]
        span = None
        if start is not None or end is not None:
            if not (start and end and _INT.match(start) and _INT.match(end)):
                return self._missing(nonce, key, "That is not a span of characters.")
            span = (int(start), int(end))
        edition, refused = self._got(key, nonce)
        if edition is None:
            return refused  # type: ignore[return-value]
        page = self.pages.source(edition, self.builder.snapshot, key, path, span, nonce)
        if page is None:
            return self._missing(nonce, key, "This edition points into no such text.")
        return _html(200, page, nonce)

    def _pdf(self, raw: str, params: dict[str, list[str]], key: Key, nonce: str) -> Response:
        return self._rendered(key, nonce, "pdf", "application/pdf")

    def _email_html(self, raw: str, params: dict[str, list[str]], key: Key,
                    nonce: str) -> Response:
        return self._rendered(key, nonce, "email", "text/html; charset=utf-8")

    def _rendered(self, key: Key, nonce: str, fmt: str, kind: str) -> Response:
        edition, refused = self._got(key, nonce)
        if edition is None:
            return refused  # type: ignore[return-value]
        try:
            body = edition.rendered(fmt)
        except Exception as exc:
            failure = failure_of(exc)
            return _html(500, self.pages.failure(failure, self.builder.snapshot, key, nonce),
                         nonce)
        headers = {"Content-Disposition": "inline; filename=briefing.pdf"} if fmt == "pdf" else {}
        if fmt != "pdf":
            headers["Content-Security-Policy"] = STATIC_POLICY.replace("sandbox; ", "")
        return Response(200, body, kind, headers)

    def _email(self, raw: str, params: dict[str, list[str]], key: Key, nonce: str) -> Response:
        edition, refused = self._got(key, nonce)
        if edition is None:
            return refused  # type: ignore[return-value]
        return _html(200, self.pages.email(edition, self.builder.snapshot, key, nonce), nonce)

    # --- the long poll -----------------------------------------------------------------------

    def _wait(self, raw: str, params: dict[str, list[str]], key: Key, nonce: str) -> Response:
        given = params.get("generation", [""])[0]
        if not _INT.match(given):
            return _text(400, "generation: expected a number")
        snap = self.builder.wait(int(given), WAIT_SECONDS)
        return _json(snap)

    def _status(self, raw: str, params: dict[str, list[str]], key: Key, nonce: str) -> Response:
        return _json(self.builder.snapshot)

    # --- files -------------------------------------------------------------------------------

    def _output(self, raw: str, params: dict[str, list[str]], key: Key, nonce: str) -> Response:
        snap = self.builder.snapshot
        file = output_file(snap.config.out, raw[len("/out/"):]) if snap.config else None
        if file is None:
            return self._missing(nonce, key)
        return _file(file, content_type(file))

    def _corpus(self, raw: str, params: dict[str, list[str]], key: Key, nonce: str) -> Response:
        snap = self.builder.snapshot
        rest = raw[len("/corpus/"):]
        for edition in (*snap.editions.values(), *snap.last_good.values()):
            file = cited_file(rest, edition.cited_files(), edition.config.corpus)
            if file is not None:
                text = edition.texts[unquote(rest)]
                return _file(file, content_type(file, text.encoding))
        return self._missing(nonce, key)

    def _missing(self, nonce: str, key: Key, what: str = "Nothing is served at this address.",
                 ) -> Response:
        return _html(404, self.pages.missing(self.builder.snapshot, key, nonce, what), nonce)


def _html(status: int, page: str, nonce: str) -> Response:
    return Response(status, page.encode("utf-8"), "text/html; charset=utf-8",
                    {"Content-Security-Policy": PAGE_POLICY.format(nonce=nonce)})


def _text(status: int, message: str) -> Response:
    return Response(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")


def _json(snap: Snapshot) -> Response:
    return Response(200, json.dumps(snap.status()).encode(), "application/json; charset=utf-8")


def _file(path: Path, kind: str) -> Response:
    try:
        body = path.read_bytes()
    except OSError:  # deleted or made unreadable since it was found
        return _text(404, "Not found")
    headers = {} if kind == "application/pdf" else {"Content-Security-Policy": STATIC_POLICY}
    return Response(200, body, kind, headers)


class Handler(BaseHTTPRequestHandler):
    """The socket side: GET and HEAD answered by the server's :class:`App`; quiet."""

    server_version = "briefing-serve"
    sys_version = ""
    timeout = 60  # seconds a connection may sit idle before it is closed

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, *, body: bool) -> None:
        app: App = self.server.app  # type: ignore[attr-defined]
        try:
            response = app.answer(self.path, self.headers.get("Host"))
        except Exception as exc:
            response = _text(500, f"internal error: {type(exc).__name__}: {exc}")
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.type)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if body:
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away (a reload while the poll was open)

    def log_message(self, format: str, *args: object) -> None:
        return None
