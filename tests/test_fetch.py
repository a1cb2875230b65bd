"""The HTTP client against a real server on loopback: politeness (robots.txt, delays, the
concurrency bound, the User-Agent) and safety (schemes, redirects, private addresses checked
at connect time, timeouts, size and decompression caps) (briefing/fetch.py)."""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Iterator

import pytest
from loopback import Route, Server, gzip_bomb

from briefing.fetch.addresses import public_address
from briefing.fetch.client import Client, Settings
from briefing.fetch.response import FetchError, Refused

PAGE = "<html><body><p>Hello from the loopback server.</p></body></html>"


@pytest.fixture
def web() -> Iterator[Server]:
    with Server() as server:
        yield server


def client(**kwargs: object) -> Client:
    settings = dict(contact="tests@example.org", delay=0.0, timeout=5.0,
                    allow_private=("127.0.0.1",))
    settings.update(kwargs)
    return Client(Settings(**settings))  # type: ignore[arg-type]


def names(*hosts: str):
    """A resolver that answers 127.0.0.1 for ``hosts`` (names that look public) and fails
    for anything else: no test resolves a real name."""
    def resolve(host: str, port: int) -> list[tuple[int, tuple]]:
        if host in hosts:
            import socket
            return [(socket.AF_INET, ("127.0.0.1", port))]
        raise OSError(f"no such host in this test: {host}")
    return resolve


def test_a_page_is_fetched_with_a_user_agent_naming_briefing_and_the_contact(web: Server) -> None:
    url = web.route("/a.html", PAGE)
    with client() as c:
        r = c.get(url)
    assert r.status == 200 and r.body == PAGE.encode() and r.content_type == "text/html"
    assert r.charset == "utf-8"
    agent = web.hits[-1].headers["user-agent"]
    assert agent.startswith("briefing/") and "mailto:tests@example.org" in agent
    assert [h.path for h in web.hits] == ["/robots.txt", "/a.html"]


def test_redirects_are_followed_and_each_hop_is_checked(web: Server) -> None:
    web.route("/old", Route(status=301, headers={"Location": "/middle"}))
    web.route("/middle", Route(status=302, headers={"Location": web.url("/new")}))
    web.route("/new", PAGE)
    with client() as c:
        r = c.get(web.url("/old"))
    assert r.url == web.url("/new") and r.redirects == (web.url("/old"), web.url("/middle"))


def test_a_redirect_to_a_name_that_resolves_to_loopback_is_refused_at_connect_time(
        web: Server) -> None:
    # localhost is not an address in the URL: only the connect-time check can see it
    target = web.url("/secret", host="localhost")
    web.route("/secret", "the admin page")
    web.route("/go", Route(status=302, headers={"Location": target}))
    with client() as c, pytest.raises(Refused, match="localhost resolves to 127.0.0.1, a "
                                                     "loopback address"):
        c.get(web.url("/go"))
    assert "/secret" not in web.paths()


def test_a_public_looking_name_resolving_to_loopback_is_refused_unless_allowed(
        web: Server) -> None:
    web.route("/a.html", PAGE)
    url = web.url("/a.html", host="news.example")
    c = Client(Settings(delay=0, timeout=5), resolver=names("news.example"))
    with pytest.raises(Refused, match="news.example resolves to 127.0.0.1"):
        c.get(url)
    assert web.hits == []  # not even robots.txt
    allowed = Client(Settings(delay=0, timeout=5, allow_private=("News.Example",)),
                     resolver=names("news.example"))
    assert allowed.get(url).body == PAGE.encode()


@pytest.mark.parametrize("location", ["http://10.20.30.40/internal", "http://169.254.169.254/latest",
                                      "http://[::ffff:127.0.0.1]:1/", "http://[::1]/",
                                      "http://0.0.0.0/", "http://192.168.1.1/admin"])
def test_redirects_to_private_addresses_are_refused_before_any_connection(
        web: Server, location: str) -> None:
    web.route("/go", Route(status=302, headers={"Location": location}))
    with client() as c, pytest.raises(Refused, match="address"):
        c.get(web.url("/go"))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)",
                                 "gopher://example.org/", "http:///nohost",
                                 "http://user:secret@127.0.0.1/"])
def test_only_http_and_https_urls_without_credentials_are_fetched(url: str) -> None:
    with client() as c, pytest.raises(Refused):
        c.get(url)


def test_a_redirect_to_another_scheme_is_refused(web: Server) -> None:
    web.route("/go", Route(status=301, headers={"Location": "file:///etc/passwd"}))
    with client() as c, pytest.raises(Refused, match="only http and https"):
        c.get(web.url("/go"))


def test_redirects_are_bounded(web: Server) -> None:
    web.route("/loop", Route(status=302, headers={"Location": "/loop"}))
    with client(max_redirects=3) as c, pytest.raises(FetchError, match="more than 3 redirects"):
        c.get(web.url("/loop"))
    assert web.paths().count("/loop") == 4


def test_a_conditional_get_is_answered_304(web: Server) -> None:
    url = web.route("/feed", Route(b"<rss/>", etag='"v1"',
                                   last_modified="Mon, 01 Jan 2024 00:00:00 GMT"))
    with client() as c:
        first = c.get(url)
        assert first.status == 200 and first.headers["etag"] == '"v1"'
        again = c.get(url, etag='"v1"')
        assert again.status == 304 and again.body == b""
        by_date = c.get(url, last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
        assert by_date.status == 304
    assert web.hits[-2].headers["if-none-match"] == '"v1"'


def test_robots_txt_is_honoured(web: Server) -> None:
    web.route("/robots.txt", Route(b"User-agent: *\nDisallow: /private/\n\nUser-agent: briefing\n"
                                   b"Disallow: /no-briefing/\n",
                                   headers={"Content-Type": "text/plain"}))
    web.route("/private/a.html", PAGE)
    web.route("/no-briefing/a.html", PAGE)
    web.route("/open.html", PAGE)
    with client() as c:
        assert c.get(web.url("/open.html")).status == 200
        with pytest.raises(Refused, match="robots.txt"):
            c.get(web.url("/no-briefing/a.html"))
    # the briefing group replaces the * group for briefing (RFC 9309), so /private/ is open
    assert web.paths().count("/robots.txt") == 1
    assert "/no-briefing/a.html" not in web.paths()


@pytest.mark.parametrize("status,fetched", [(404, True), (403, True), (500, False), (503, False)])
def test_robots_txt_errors_follow_rfc_9309(web: Server, status: int, fetched: bool) -> None:
    web.route("/robots.txt", Route(b"", status=status))
    url = web.route("/a.html", PAGE)
    with client() as c:
        if fetched:
            assert c.get(url).status == 200
        else:
            with pytest.raises(Refused):
                c.get(url)


def test_crawl_delay_and_the_per_host_delay_space_requests(web: Server) -> None:
    web.route("/robots.txt", Route(b"User-agent: *\nCrawl-delay: 1\n",
                                   headers={"Content-Type": "text/plain"}))
    for i in range(3):
        web.route(f"/{i}.html", PAGE)
    with client(delay=0.1) as c:
        for i in range(3):
            c.get(web.url(f"/{i}.html"))
    times = [h.at for h in web.hits if h.path != "/robots.txt"]
    assert all(b - a >= 0.95 for a, b in zip(times, times[1:]))  # the longer of the two


def test_the_global_concurrency_bound_holds_across_hosts(web: Server) -> None:
    hosts = [f"h{i}.example" for i in range(6)]
    web.route("/slow.html", Route(PAGE.encode(), delay=0.3, headers={"Content-Type": "text/html"}))
    c = Client(Settings(delay=0, timeout=5, concurrency=2, robots=False,
                        allow_private=tuple(hosts)), resolver=names(*hosts))
    threads = [threading.Thread(target=c.get, args=(web.url("/slow.html", host=h),))
               for h in hosts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(web.hits) == 6 and web.most_active == 2


def test_a_slow_server_times_out(web: Server) -> None:
    url = web.route("/slow", Route(b"late", delay=3))
    with (client(timeout=0.5, robots=False) as c,
          pytest.raises(FetchError, match="timed out|within")):
        c.get(url)


def test_a_dripping_server_meets_the_deadline_of_the_whole_answer(web: Server) -> None:
    # every piece arrives well within the read timeout; the whole would take 10 s
    url = web.route("/drip", Route(b"x" * 1600, drip=0.1))
    start = time.monotonic()
    with client(timeout=1.0, robots=False) as c, pytest.raises(FetchError, match="within 1 s"):
        c.get(url)
    assert time.monotonic() - start < 3


def test_an_announced_oversized_body_is_refused_before_it_is_read(web: Server) -> None:
    url = web.route("/big", Route(b"x" * 50_000))
    with client(max_bytes=10_000, robots=False) as c, pytest.raises(
            FetchError, match="larger than 10,000 bytes \\(50,000 announced\\)"):
        c.get(url)


def test_an_unannounced_oversized_body_stops_at_the_cap(web: Server) -> None:
    sent = []

    def endless() -> Iterator[bytes]:
        for _ in range(10_000):  # 640 MB if nothing stopped it
            sent.append(1)
            yield b"y" * 65536

    url = web.route("/endless", Route(stream=endless))
    with client(max_bytes=1_000_000, robots=False) as c, pytest.raises(
            FetchError, match="larger than 1,000,000 bytes"):
        c.get(url)
    assert len(sent) < 200


def test_a_gzip_bomb_stops_at_the_decompression_cap(web: Server) -> None:
    bomb = gzip_bomb(200_000_000)  # 200 MB of zeros in ~200 KB
    assert len(bomb) < 300_000
    url = web.route("/bomb", Route(bomb, headers={"Content-Encoding": "gzip"}))
    with client(max_bytes=5_000_000, robots=False) as c, pytest.raises(
            FetchError, match="more than 5,000,000 bytes once decompressed"):
        c.get(url)


@pytest.mark.parametrize("encoding,encode", [
    ("gzip", gzip.compress), ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, no zlib header
])
def test_compressed_bodies_are_decoded(web: Server, encoding: str, encode) -> None:
    url = web.route("/z", Route(encode(PAGE.encode() * 100),
                                headers={"Content-Encoding": encoding}))
    with client(robots=False) as c:
        assert c.get(url).body == PAGE.encode() * 100
    assert web.hits[-1].headers["accept-encoding"] == "gzip, deflate"


def test_an_unknown_or_damaged_encoding_is_an_error(web: Server) -> None:
    web.route("/br", Route(b"\x1b\x00", headers={"Content-Encoding": "br"}))
    web.route("/bad", Route(b"\x1f\x8b\x08\x00garbage-not-gzip",
                            headers={"Content-Encoding": "gzip"}))
    with client(robots=False) as c:
        with pytest.raises(FetchError, match="unsupported content encoding"):
            c.get(web.url("/br"))
        with pytest.raises(FetchError, match="damaged"):
            c.get(web.url("/bad"))


@pytest.mark.parametrize("status,match", [(404, "HTTP 404"), (500, "HTTP 500"),
                                          (429, "asks to wait 120")])
def test_error_statuses_are_reported(web: Server, status: int, match: str) -> None:
    url = web.route("/x", Route(b"no", status=status, headers={"Retry-After": "120"}))
    with client(robots=False) as c, pytest.raises(FetchError, match=match) as err:
        c.get(url)
    assert err.value.status == status


def test_a_refused_connection_is_an_error_not_a_crash() -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with client(robots=False) as c, pytest.raises(FetchError, match="refused|cannot connect"):
        c.get(f"http://127.0.0.1:{port}/")


@pytest.mark.parametrize("address,public", [
    ("8.8.8.8", True), ("2001:4860:4860::8888", True), ("127.0.0.1", False), ("10.0.0.1", False),
    ("172.16.5.4", False), ("192.168.0.1", False), ("169.254.169.254", False),
    ("100.64.0.1", False),
    ("::1", False), ("fe80::1", False), ("fc00::1", False), ("::ffff:10.0.0.1", False),
    ("64:ff9b::7f00:1", False), ("2002:7f00:1::", False), ("224.0.0.1", False), ("0.0.0.0", False),
])
def test_public_addresses(address: str, public: bool) -> None:
    import ipaddress

    assert public_address(ipaddress.ip_address(address)) is public


def test_a_connection_is_never_reused_after_a_body_read_to_its_end() -> None:
    """robots.txt read whole, then the page: reading a body to its end hands the connection back
    to the pool still open, and the server (told Connection: close) has closed it; reusing it
    failed about one time in twenty with 'closed connection without response'. Every request now
    connects afresh, so none fails."""
    failures = []
    for _ in range(200):  # a fresh server each time: the race showed against a new one
        with Server() as web:
            web.route("/robots.txt", Route(b"User-agent: *\nDisallow: /private/\n",
                                           headers={"Content-Type": "text/plain"}))
            url = web.route("/feed.xml", Route(b"<rss/>"))
            with Client(Settings(contact="t@example.org", delay=0, timeout=5,
                                 allow_private=("127.0.0.1",))) as client:
                try:
                    client.get(url)
                except FetchError as exc:
                    failures.append(str(exc))
    assert not failures, failures
