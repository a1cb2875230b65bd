"""``briefing serve``: a real server on 127.0.0.1 over a copy of the seed workspace, real file
changes seen by the real watcher, and (where Chromium is installed) a real headless browser.

Every test starts its own server on a free port in its own workspace and stops it, checking
that its threads ended. Nothing waits a fixed time: a test polls for the condition it wants
with a generous deadline, since the machine is shared (timings are for the report, not here).
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from chromium import CHROMIUM, Browser
from typer.testing import CliRunner

from briefing.cli import app
from briefing.config import load_config
from briefing.serve import ServeOptions, Server, start
from briefing.serve.files import segments
from briefing.serve.inject import Additions, add
from briefing.serve.server import is_loopback

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
DEADLINE = 90.0  # seconds a condition may take on a busy machine before a test fails
HOSTILE = ("Security forces said the <script>window.__pwned = 1</script> terrorist groups, "
           "notably the Islamic State and al-Qaida <img src=x onerror=\"window.__pwned=2\">, "
           "are trying to take advantage of the instability, mounting bloody attacks and "
           "spreading drugs and terrorism across the border.")

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not "
                                    "installed (scripts/setup --dev installs Debian's chromium)")


# --- the workspace, the server, requests ----------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's workspace (config, seeds, an empty templates folder), as the
    working directory: the paths the editions name are ``seeds/...``."""
    ws = tmp_path / "ws"
    shutil.copytree(REPO / "seeds", ws / "seeds")
    shutil.copytree(REPO / "config", ws / "config")
    (ws / "templates").mkdir()
    monkeypatch.chdir(ws)
    return ws


Serving = Callable[..., Server]


@pytest.fixture
def serving(workspace: Path) -> Iterator[Serving]:
    """Start servers in the workspace (``serving(reader=...)``); each is stopped at the end,
    and its threads must have ended."""
    started: list[Server] = []

    def go(**options: object) -> Server:
        server = start(ServeOptions(config=Path("config/briefing.yaml"), port=0,
                                    **options))  # type: ignore[arg-type]
        started.append(server)
        return server

    yield go
    for server in started:
        server.stop()
    deadline = time.monotonic() + 30
    while any(t.name.startswith("briefing-serve") for t in threading.enumerate()):
        assert time.monotonic() < deadline, [t.name for t in threading.enumerate()]
        time.sleep(0.05)


def request(server: Server, target: str, *, host: str | None = None,
            method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Send ``target`` exactly as written (no client normalises it) and read the answer."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=DEADLINE)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host or parts.netloc)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def page(server: Server, target: str = "/") -> str:
    status, _, body = request(server, target)
    assert status == 200, (status, body[:2000])
    return body.decode("utf-8")


def status(server: Server) -> dict:
    return json.loads(request(server, "/_serve/status")[2])


def after(server: Server, generation: int, until: Callable[[dict], bool] = lambda _: True,
          timeout: float = DEADLINE) -> dict:
    """The status once a rebuild after ``generation`` is in (the watcher saw the change) and
    ``until`` holds of it: a save may arrive as more than one change, each rebuilt."""
    deadline = time.monotonic() + timeout
    while True:
        now = status(server)
        if now["generation"] > generation and until(now):
            return now
        assert time.monotonic() < deadline, f"not after generation {generation}: {now}"
        time.sleep(0.05)


def ok(now: dict) -> bool:
    return bool(now["ok"])


def failed(now: dict) -> bool:
    return not now["ok"]


def write(path: Path, text: str) -> None:
    """Save as an editor does: a new file renamed over the old one (one change to see). The
    new file is written beside the workspace (the working directory), where nothing watches."""
    scratch = Path.cwd().parent / f".scratch-{path.name}"
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    write(path, text.replace(old, new, 1))


CONFIG = Path("config/briefing.yaml")


# --- the edition page ------------------------------------------------------------------------


def test_the_served_edition_is_the_built_page_with_the_bar_and_links_put_in(
        serving: Serving, fixed_clock: str) -> None:
    server = serving()
    served = page(server)
    edition = server.builder.snapshot.editions[None]
    result = CliRunner().invoke(app, ["build", "--format", "html", "--out", "built"])
    assert result.exit_code == 0, result.output
    assert edition.page == Path("built/briefing.html").read_text(encoding="utf-8")
    # the additions, and nothing else: take them out and the built page is left
    stripped = re.sub(r'<style>\n/\* briefing serve.*?</nav>\n', "", served, count=1,
                      flags=re.DOTALL)
    stripped = re.sub(r'<script nonce="[^"]+">.*?</script>\n', "", stripped, flags=re.DOTALL)
    stripped = re.sub(r'<p class="bs-(explain|source)">.*?</p>|'
                      r' <a class="bs-source-inline".*?</a>', "", stripped)
    assert stripped == edition.page
    b = edition.briefing
    for section in b.sections:
        heading = re.search(rf'id="title-{section.theme}">.*?</h2><p class="bs-explain">'
                            rf'<a href="/explain/{section.theme}">', served)
        assert heading, section.theme
    items = [i for s in b.sections for i in s.items]
    assert served.count('<p class="bs-source"><a href="/source?path=') == (
        len(items) + len(b.summary) + len(b.sources))
    # nothing but the reading texts is written: no edition file, no archive
    assert not Path("out/briefing.html").exists() and not Path("out/editions").exists()


def test_the_page_runs_only_its_own_script(serving: Serving) -> None:
    server = serving()
    _, headers, body = request(server, "/")
    policy = headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)[1]
    scripts = re.findall(r"<script([^>]*)>", body.decode())
    assert scripts == [f' nonce="{nonce}"']
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert request(server, "/")[1]["content-security-policy"] != policy  # a nonce per answer


def test_explain_view_is_what_briefing_explain_says(serving: Serving) -> None:
    server = serving()
    result = CliRunner().invoke(app, ["explain", "security", "--json", "--limit", "100000"])
    assert result.exit_code == 0, result.output
    expected = json.loads(result.stdout)
    assert json.loads(request(server, "/explain/security.json")[2]) == expected
    view = page(server, "/explain/security")
    fates = re.findall(r'<p class="bs-fate"><span class="bs-rank">(\d+)\.</span> '
                       r'<span class="bs-score">([\d.]+)</span> · (.*?)</p>', view)
    assert [(int(r), s, html.unescape(f)) for r, s, f in fates] == [
        (row["rank"], f"{row['score']:.2f}", row["status"]) for row in expected]
    assert any(f.startswith("left out: ") for _, _, f in fates)
    for row in expected:  # each candidate links to its place in its source
        assert (f'/source?path={row["path"]}&amp;start={row["start"]}&amp;end={row["end"]}'
                f'#cited') in view
    assert request(server, "/explain/nonesuch")[0] == 404


def test_each_item_links_to_its_span_marked_in_its_source(serving: Serving) -> None:
    server = serving()
    served = page(server)
    links = re.findall(r'<p class="bs-source"><a href="(/source\?path=[^"]+&amp;start=[^"]+)"',
                       served)
    assert links
    for link in links:
        view = page(server, html.unescape(link))
        query = {k: v[0] for k, v in parse_qs(urlsplit(html.unescape(link)).query).items()}
        with open(query["path"], encoding="utf-8", newline="") as handle:
            text = handle.read()
        start, end = int(query["start"]), int(query["end"])
        marked = re.search(r'<mark id="cited">(.*?)</mark>', view, re.DOTALL)
        assert marked and html.unescape(marked[1]) == text[start:end]
        assert html.unescape(view).count(text[max(0, start - 40):start]) >= 1
    # a span outside the text, or not a span, is not found
    path = "seeds/001_30d30edba93f37e1.txt"
    assert request(server, f"/source?path={path}&start=5&end=99999999")[0] == 404
    assert request(server, f"/source?path={path}&start=9&end=2")[0] == 404
    assert request(server, f"/source?path={path}&start=-1&end=2")[0] == 404
    assert request(server, f"/source?path={path}")[0] == 200  # the whole text, nothing marked


def test_a_web_page_is_shown_in_its_reading_text(serving: Serving, workspace: Path) -> None:
    articles = workspace / "articles"
    articles.mkdir()
    for name in ("wire-story.html", "hostile.html", "regional.html"):
        shutil.copy(TESTS / "data" / "web" / name, articles / name)
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    config["corpus"] = ["../articles", "../seeds"]
    CONFIG.write_text(yaml.safe_dump(config), encoding="utf-8")
    server = serving()
    b = server.builder.snapshot.editions[None].briefing
    derived = {s.path: s for s in b.sources if s.text_path}
    assert derived, "no web page is cited"
    item = next(i for s in b.sections for i in s.items if i.path in derived)
    view = page(server, f"/source?path={item.path}&start={item.start}&end={item.end}")
    assert "The reading text briefing made of this web page" in view
    text_href = re.search(r'<a href="(/out/texts/[0-9a-f]+\.txt)">the reading text</a>', view)[1]
    status_code, headers, reading = request(server, text_href)
    assert status_code == 200 and headers["content-type"] == "text/plain; charset=utf-8"
    marked = re.search(r'<mark id="cited">(.*?)</mark>', view, re.DOTALL)[1]
    assert html.unescape(marked) == reading.decode("utf-8")[item.start:item.end] == item.text
    # the page itself is served only as an inert document: no script, nothing fetched
    status_code, headers, raw = request(server, f"/corpus/{item.path}")
    assert status_code == 200 and raw == Path(item.path).read_bytes()
    assert headers["content-security-policy"].startswith("sandbox; default-src 'none'")


def test_hostile_article_text_is_shown_as_text(serving: Serving, workspace: Path) -> None:
    (workspace / "seeds" / "hostile.txt").write_text(
        "Hostile wire\n\n" + HOSTILE + "\n", encoding="utf-8")
    server = serving()
    edition = server.builder.snapshot.editions[None]
    assert "seeds/hostile.txt" in edition.texts
    for target in ("/source?path=seeds/hostile.txt", "/explain/security", "/"):
        body = page(server, target)
        assert "<script>window.__pwned" not in body and "<img src=x" not in body
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page(
        server, "/source?path=seeds/hostile.txt")


# --- what may be served -------------------------------------------------------------------


def test_traversal_and_every_other_path_outside_get_404(serving: Serving, workspace: Path,
                                                        tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("TOPSECRET", encoding="utf-8")
    server = serving()
    out = workspace / "out"
    out.mkdir(exist_ok=True)
    (out / "link-out.txt").symlink_to(secret)
    (out / "dir-link").symlink_to(tmp_path / "outside")
    (out / "fine.txt").write_text("an output", encoding="utf-8")
    config = workspace / "config" / "briefing.yaml"
    cited = server.builder.snapshot.editions[None].briefing.sources[0].path
    attempts = [
        "/../config/briefing.yaml", "/%2e%2e/config/briefing.yaml", "//etc/passwd",
        "/out/../config/briefing.yaml", "/out/%2e%2e/config/briefing.yaml",
        "/out/%2E%2E%2Fconfig%2Fbriefing.yaml", "/out/..%2fconfig%2fbriefing.yaml",
        "/out/..%2Fconfig/briefing.yaml", "/out/.%2e/config/briefing.yaml",
        "/out/..\\config\\briefing.yaml", "/out/..%5cconfig%5cbriefing.yaml",
        "/out//etc/passwd", "/out/%2fetc%2fpasswd", f"/out/{secret}", f"/out/%2F{secret}",
        "/out/texts/../../config/briefing.yaml", "/out/./fine.txt", "/out/fine.txt/",
        "/out/%00", "/out/fine.txt%00.txt", "/out/%ff%fe", "/out/%252e%252e/config/briefing.yaml",
        "/out/link-out.txt", "/out/dir-link/secret.txt", "/out/dir-link/../fine.txt",
        "/out/C:/Windows/win.ini", "/out/", "/out",
        "/corpus/../config/briefing.yaml", f"/corpus/{cited}/../../config/briefing.yaml",
        "/corpus/seeds/../config/briefing.yaml", "/corpus/%2e%2e/config/briefing.yaml",
        "/corpus//etc/passwd", f"/corpus/{config}", f"/corpus/{secret}",
        f"/corpus/{cited.replace('/', '%5c')}", f"/corpus/./{cited}",
        "/corpus/config/briefing.yaml",
        "/explain/../../config/briefing.yaml", "/explain/%2e%2e%2f%2e%2e%2fconfig",
        "/source?path=../config/briefing.yaml", f"/source?path={config}",
        f"/source?path={secret}", "/source?path=config/briefing.yaml",
        "/static/../../etc/passwd", "/favicon.ico", "/config/briefing.yaml",
        "http://127.0.0.1/out/../config/briefing.yaml", "*",
    ]
    for target in attempts:
        code, _, body = request(server, target)
        assert code == 404, (target, code)
        assert b"TOPSECRET" not in body and b"themes:" not in body, target
    assert request(server, "/out/fine.txt")[2] == b"an output"  # what is inside is served
    assert request(server, f"/corpus/{cited}")[0] == 200


def test_a_corpus_file_that_is_not_cited_is_not_served(serving: Serving, workspace: Path,
                                                       tmp_path: Path) -> None:
    (workspace / "seeds" / "recipes.txt").write_text(
        "Plum jam\n\nBoil the plums with sugar for an hour, then jar them while hot.\n",
        encoding="utf-8")
    # a cited article that is a link to a file outside the corpus: its text is in the
    # edition, its file is not served
    name = "004_0a2e121bb2eab9c8.txt"
    (tmp_path / "elsewhere").mkdir()
    shutil.move(workspace / "seeds" / name, tmp_path / "elsewhere" / name)
    (workspace / "seeds" / name).symlink_to(tmp_path / "elsewhere" / name)
    server = serving()
    edition = server.builder.snapshot.editions[None]
    paths = {s.path for s in edition.briefing.sources}
    (linked,) = [p for p in paths if p.endswith(name)]
    assert "seeds/recipes.txt" not in paths
    assert request(server, "/corpus/seeds/recipes.txt")[0] == 404
    assert request(server, f"/corpus/seeds/{name}")[0] == 404
    assert request(server, f"/corpus/{linked}")[0] == 404
    other = min(p for p in paths if p != linked)
    code, headers, body = request(server, f"/corpus/{other}")
    assert code == 200 and body == Path(other).read_bytes()
    assert headers["content-type"] == "text/plain; charset=utf-8"


def test_huge_and_malformed_requests_are_refused_and_the_server_goes_on(
        serving: Serving) -> None:
    server = serving()
    parts = urlsplit(server.url)

    def raw(data: bytes) -> bytes:
        with socket.create_connection((parts.hostname, parts.port), timeout=DEADLINE) as sock:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks)

    host = f"Host: {parts.netloc}\r\n".encode()
    assert raw(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n" + host + b"\r\n").startswith(
        b"HTTP/1.0 414")
    # a request line of one word is answered the HTTP/0.9 way: the error page alone
    assert b"Error code: 400" in raw(b"GARBAGE\r\n\r\n")
    assert b"Error code: 505" in raw(b"GET / HTTP/9.9\r\n\r\n")
    assert b"Error code: 400" in raw(b"\x00\xff\xfe junk \x80\r\n\r\n")
    flood = b"".join(b"X-%d: y\r\n" % i for i in range(200))
    assert raw(b"GET / HTTP/1.1\r\n" + host + flood + b"\r\n").startswith(b"HTTP/1.0 431")
    assert raw(b"GET /?" + b"&".join(b"a%d=1" % i for i in range(100)) + b" HTTP/1.1\r\n"
               + host + b"\r\n").startswith(b"HTTP/1.0 400")
    assert raw(b"POST / HTTP/1.1\r\n" + host + b"\r\n").startswith(b"HTTP/1.0 501")
    assert raw(b"") == b"" and b"Error code: 400" in raw(b"GET")
    # another name for this address is not this server (a DNS name rebound to 127.0.0.1)
    assert request(server, "/", host="evil.example:80")[0] == 400
    assert request(server, "/", host=f"localhost:{parts.port}")[0] == 200
    assert request(server, "/", method="HEAD")[2] == b""
    assert page(server).startswith("<!doctype html>")  # still serving


def test_loopback_addresses() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.168.1.4", "::", "example.org"]))
    assert segments("a/b%20c") == ["a", "b c"]
    assert segments("a/%2e%2e") is None and segments("a//b") is None and segments("%5c") is None


# --- rebuilding ----------------------------------------------------------------------------


def test_a_config_change_is_rebuilt_and_shown(serving: Serving) -> None:
    server = serving()
    generation = status(server)["generation"]
    edit(CONFIG, 'title: "Security"', 'title: "Security, retuned"')
    now = after(server, generation, ok)
    assert now["reason"] == "config/briefing.yaml changed"
    assert '<h2 class="theme-title" id="title-security">Security, retuned</h2>' in page(server)


def test_a_config_that_becomes_invalid_yaml_mid_edit_shows_its_message_then_the_edition(
        serving: Serving) -> None:
    server = serving()
    good = CONFIG.read_text(encoding="utf-8")
    generation = status(server)["generation"]
    CONFIG.write_text(good[: good.index("    require:")] + '    require: "border* OR\n',
                      encoding="utf-8")  # written in place, as a save halfway through a line
    now = after(server, generation, lambda s: failed(s) and "YAML" in s["problem"]["lines"][0])
    assert now["problem"]["kind"] == "config"
    checked = CliRunner().invoke(app, ["check"])
    assert checked.exit_code == 3
    expected = checked.stderr.strip().splitlines()
    assert now["problem"]["lines"] == expected and re.match(r"config/briefing.yaml:\d+:\d+: ",
                                                            expected[0])
    code, _, body = request(server, "/")
    shown = [html.unescape(m) for m in re.findall(r"<li><code>(.*?)</code></li>", body.decode())]
    assert code == 503 and shown == expected
    assert "the last good edition" in body.decode()
    assert 'class="theme-title"' in page(server, "/last-good")
    CONFIG.write_text(good, encoding="utf-8")
    after(server, now["generation"], ok)
    assert 'id="title-security">Security</h2>' in page(server)


def test_a_config_problem_is_located_as_check_locates_it(serving: Serving) -> None:
    server = serving()
    generation = status(server)["generation"]
    edit(CONFIG, "    max_items: 8", "    max_items: many")
    now = after(server, generation, failed)
    checked = CliRunner().invoke(app, ["check"])
    assert now["problem"]["lines"] == checked.stderr.strip().splitlines()
    assert any(": themes.security.max_items: " in line for line in now["problem"]["lines"])


def test_a_template_syntax_error_is_shown_at_its_line(serving: Serving, workspace: Path) -> None:
    partial = workspace / "templates" / "partials" / "item.html"
    partial.parent.mkdir()
    server = serving()
    generation = status(server)["generation"]
    write(partial, "<li>\n{% if item.kind %}\n{{ item.text }\n</li>\n")
    now = after(server, generation, failed)
    assert now["problem"]["kind"] == "template"
    (line,) = now["problem"]["lines"]
    assert line.startswith("templates/partials/item.html:3: "), line
    shown = re.findall(r"<li><code>(.*?)</code></li>", request(server, "/")[2].decode())
    assert [html.unescape(m) for m in shown] == [line]
    partial.unlink()
    after(server, now["generation"], ok)


def test_an_article_deleted_while_serving_is_no_longer_cited_or_served(
        serving: Serving, workspace: Path) -> None:
    gone = "seeds/extra.txt"  # not in the config's sources manifest, which names the seeds
    (workspace / gone).write_text("Border wire\n\n" + html.unescape(re.sub(r"<[^>]+>", "",
                                                                           HOSTILE)) + "\n",
                                  encoding="utf-8")
    server = serving()
    snap = server.builder.snapshot
    assert gone in {s.path for s in snap.editions[None].briefing.sources}
    assert request(server, f"/corpus/{gone}")[0] == 200
    (workspace / gone).unlink()
    after(server, snap.generation, ok)
    edition = server.builder.snapshot.editions[None]
    assert gone not in {s.path for s in edition.briefing.sources}
    assert request(server, f"/corpus/{gone}")[0] == 404
    assert request(server, f"/source?path={gone}")[0] == 404
    served = page(server)
    assert f'<code class="source-path">{gone}</code>' not in served
    assert "(seeds/extra.txt deleted)" in served  # the bar says why it was rebuilt


HOLD = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


def test_a_build_holding_the_store_is_waited_for_then_said(
        serving: Serving, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_LOCK_TIMEOUT", "0.5")
    server = serving()
    lock = load_config(CONFIG).store / "store.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(lock)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        generation = status(server)["generation"]
        edit(CONFIG, 'title: "Security"', 'title: "Security, busy"')
        now = after(server, generation, failed)
        assert now["problem"]["kind"] == "busy"
        assert "another briefing build is using the store" in now["problem"]["lines"][0]
        assert "Security, busy" not in page(server, "/last-good")  # the edition before
    finally:
        holder.stdin.close()
        holder.wait(DEADLINE)
    edit(CONFIG, 'title: "Security, busy"', 'title: "Security, free"')
    after(server, now["generation"], ok)
    assert "Security, free" in page(server)


def test_the_long_poll_answers_on_a_change_and_when_the_server_stops(serving: Serving) -> None:
    server = serving()
    generation = status(server)["generation"]
    answers: list[object] = []

    def poll(at: int) -> None:
        try:
            answers.append(json.loads(request(server, f"/_serve/wait?generation={at}")[2]))
        except OSError as exc:  # the server stopped before the poll got in
            answers.append(exc)

    first = threading.Thread(target=poll, args=(generation,))
    first.start()
    edit(CONFIG, 'title: "Security"', 'title: "Security again"')
    first.join(DEADLINE)
    (answer,) = answers
    assert isinstance(answer, dict) and answer["generation"] > generation
    waiting = threading.Thread(target=poll, args=(answer["generation"],))
    waiting.start()
    time.sleep(0.2)  # not a margin: only so that the poll is likely open when the server stops
    t0 = time.monotonic()
    server.stop()
    waiting.join(DEADLINE)
    assert not waiting.is_alive() and time.monotonic() - t0 < DEADLINE


# --- readers, the PDF, the email --------------------------------------------------------------


def test_readers_and_the_pdf_and_email_on_demand(serving: Serving) -> None:
    server = serving()
    assert list(status(server)["editions"]) == [""]
    editor = page(server, "/?reader=editor")
    assert "Briefing · for editor" in editor
    assert '<option value="editor" selected>Desk Editor (editor)</option>' in editor
    assert 'href="/explain/security?reader=editor"' in editor
    assert status(server)["editions"] == ["", "editor"]
    code, headers, pdf = request(server, "/pdf?reader=editor")
    assert code == 200 and headers["content-type"] == "application/pdf"
    assert pdf.startswith(b"%PDF-")
    email_view = page(server, "/email?reader=editor")
    assert re.findall(r'<iframe src="/email.html\?reader=editor" width="(\d+)"', email_view) == [
        "375", "600"]
    email = page(server, "/email.html?reader=editor")
    assert "<table" in email and "<script" not in email
    assert request(server, "/?reader=nobody")[0] == 404
    # a change rebuilds every edition on view
    generation = status(server)["generation"]
    edit(CONFIG, 'title: "Security"', 'title: "Security for all"')
    assert after(server, generation, ok)["editions"] == ["", "editor"]
    assert "Security for all" in page(server, "/?reader=editor")


def test_the_default_reader_is_the_one_given(serving: Serving) -> None:
    server = serving(reader="editor")
    assert "Briefing · for editor" in page(server)
    assert "Briefing · for" not in page(server, "/?reader=")
    assert 'href="/explain/security"' in page(server)


# --- the command -------------------------------------------------------------------------------


def test_the_command_serves_until_interrupted(workspace: Path) -> None:
    script = Path(sys.executable).with_name("briefing")
    proc = subprocess.Popen([str(script), "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not lines or not lines[-1].startswith("serving"):
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            lines.append(line.strip())
        url = re.match(r"serving (http://127\.0\.0\.1:\d+/) \(Ctrl-C to stop\)$", lines[-1])[1]
        assert lines[0].startswith("built in ")
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=DEADLINE)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=DEADLINE)
        assert proc.returncode == 0, err
        assert out.strip().endswith("stopped")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(DEADLINE)


def test_the_command_refuses_a_missing_config_an_unknown_reader_and_a_busy_port(
        workspace: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["serve", "--config", "nope.yaml", "--port", "0"])
    assert result.exit_code == 4 and "nope.yaml: config file not found" in result.stderr
    result = runner.invoke(app, ["serve", "--reader", "nobody", "--port", "0"])
    assert result.exit_code == 2 and "unknown reader 'nobody'" in result.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 2 and "cannot listen there" in result.stderr


def test_a_host_that_is_not_loopback_is_warned_about(workspace: Path) -> None:
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the warning, then the refusal,
    # without ever listening where others could connect
    result = CliRunner().invoke(app, ["serve", "--host", "192.0.2.1", "--port", "0"])
    assert "warning: serving on 192.0.2.1, not a loopback address" in result.stderr
    assert result.exit_code == 2


# --- the additions, alone --------------------------------------------------------------------


def test_additions_go_where_their_ids_are_whatever_the_markup() -> None:
    page_text = ('<!doctype html><html><BODY class=x>\n<section id="s"><h2 id="t">T <b>b</b>'
                 '</h2><ol><li id="i1"><ol><li>nested</li></ol><p>x</p></li>\n<li id=\'i2\'>'
                 '<br>y</li></ol></section></body></html>')
    out = add(page_text, Additions(top="[TOP]", bottom="[BOTTOM]", after={"t": "[AFTER-T]"},
                                   inside={"i1": "[IN-1]", "i2": "[IN-2]", "missing": "[NO]"}))
    assert out == ('<!doctype html><html><BODY class=x>[TOP]\n<section id="s"><h2 id="t">T '
                   '<b>b</b></h2>[AFTER-T]<ol><li id="i1"><ol><li>nested</li></ol><p>x</p>'
                   '[IN-1]</li>\n<li id=\'i2\'><br>y[IN-2]</li></ol></section>[BOTTOM]</body>'
                   '</html>')


# --- a real browser ----------------------------------------------------------------------------


@needs_chromium
def test_browser_loads_the_page_and_a_change_appears_without_a_reload(
        serving: Serving) -> None:
    server = serving()
    with Browser() as browser:
        tab = browser.open(server.url)
        tab.wait_for("document.querySelector('#title-security') !== null")
        assert tab.evaluate("document.querySelectorAll('.bs-explain a').length") == 3
        tab.evaluate("window.untouched = true")  # gone once the page has reloaded itself
        edit(CONFIG, 'title: "Security"', 'title: "Security, live"')
        tab.wait_for("document.querySelector('#title-security').textContent === "
                     "'Security, live' && window.untouched === undefined", DEADLINE)


@needs_chromium
def test_browser_shows_a_broken_config_then_the_edition_again(serving: Serving) -> None:
    server = serving()
    good = CONFIG.read_text(encoding="utf-8")
    with Browser() as browser:
        tab = browser.open(server.url)
        tab.wait_for("document.querySelector('#title-security') !== null")
        edit(CONFIG, "    max_items: 8", "    max_items: many")
        shown = tab.wait_for("document.querySelector('.bs-problems') && "
                             "document.querySelector('.bs-problems').innerText", DEADLINE)
        assert re.search(r"config/briefing.yaml:\d+:\d+: themes.security.max_items: ", shown)
        CONFIG.write_text(good, encoding="utf-8")
        tab.wait_for("document.querySelector('#title-security') !== null", DEADLINE)


@needs_chromium
def test_browser_switches_readers_and_runs_no_article_script(serving: Serving,
                                                            workspace: Path) -> None:
    (workspace / "seeds" / "hostile.txt").write_text("Hostile wire\n\n" + HOSTILE + "\n",
                                                     encoding="utf-8")
    server = serving()
    with Browser() as browser:
        tab = browser.open(server.url)
        tab.wait_for("document.querySelector('#bs-reader') !== null")
        tab.evaluate("document.querySelector('#bs-reader').value = 'editor';"
                     "document.querySelector('.bs-bar button').click()")
        tab.wait_for("document.querySelector('.kicker') && "
                     "document.querySelector('.kicker').textContent.includes('for editor')",
                     DEADLINE)
        tab.navigate(server.url + "source?path=seeds/hostile.txt")
        tab.wait_for("document.querySelector('.bs-text') !== null", DEADLINE)
        assert tab.evaluate("document.querySelector('.bs-text').textContent.includes("
                            "'<script>window.__pwned = 1</script>')")
        assert tab.evaluate("typeof window.__pwned") == "undefined"
        assert tab.evaluate("document.querySelectorAll('.bs-text *').length") == 0


def test_no_serve_thread_is_left_by_a_stopped_server(workspace: Path) -> None:
    server = start(ServeOptions(config=CONFIG, port=0))
    server.stop()
    deadline = time.monotonic() + 30
    while any(t.name.startswith("briefing-serve") for t in threading.enumerate()):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert os.path.isdir("seeds")
