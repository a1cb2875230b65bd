"""``briefing read``, ``briefing fetch`` and ``build --fetch`` through the command line, with a
real server on loopback for the fetches."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from loopback import Route, Server
from test_documents import make_pdf
from test_harvest import rss
from typer.testing import CliRunner

from briefing.cli import app

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Articles of every format briefing reads, in a folder without a config."""
    monkeypatch.chdir(tmp_path)
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(TESTS / "data" / "web" / "wire-story.html", docs)
    shutil.copy(TESTS / "data" / "web" / "hostile.html", docs)
    shutil.copy(TESTS / "data" / "documents" / "newsletter.eml", docs)
    (docs / "report.pdf").write_bytes(make_pdf(TESTS / "data" / "documents" / "report.html"))
    shutil.copy(REPO / "seeds" / "001_30d30edba93f37e1.txt", docs / "seed.txt")
    (docs / "note.md").write_text("---\ntitle: A note\nurl: javascript:alert(1)\n---\n"
                                  "By Jane Roe, Steppe Notes\n\nThe border crossing reopened on "
                                  "Monday, officials said.\n", encoding="utf-8")
    (docs / "empty.html").write_bytes(b"<html><body><nav>Home</nav></body></html>")
    return docs


def test_read_json_shows_every_format_with_origins_offsets_and_furniture(files: Path) -> None:
    result = invoke("read", "--format", "json", str(files))
    assert result.exit_code == 0, result.output
    reads = {Path(r["path"]).name: r for r in json.loads(result.stdout)}
    assert set(reads) == {"wire-story.html", "hostile.html", "newsletter.eml", "report.pdf",
                          "seed.txt", "note.md"}
    assert "skipped docs/empty.html: no article text found in the page" in result.stderr
    page = reads["wire-story.html"]
    assert page["format"] == "html" and page["metadata"]["outlet"] == {
        "value": "The Steppe Courier", "from": "page"}
    assert page["metadata"]["language"] == {"value": "en-GB", "from": "page"}
    assert reads["newsletter.eml"]["metadata"]["title"]["from"] == "email headers"
    assert reads["report.pdf"]["metadata"]["byline"] == {"value": "Regional Policy Institute",
                                                         "from": "PDF properties"}
    note = reads["note.md"]["metadata"]
    assert note["title"] == {"value": "A note", "from": "front matter"}
    assert note["byline"] == {"value": "Jane Roe", "from": "inferred"}
    assert note["url"] == {"value": None, "from": None}  # a javascript: URL is never kept
    for r in reads.values():
        text = r.get("reading_text")
        if text is None:
            with open(files / Path(r["path"]).name, encoding=r["encoding"], newline="") as fh:
                text = fh.read()
        for p in r["paragraphs"]:
            assert text[p["start"]:p["end"]] == p["text"]
            assert p["furniture"] == (p["kind"] == "furniture")
    kinds = {p["furniture_kind"] for p in reads["seed.txt"]["paragraphs"] if p["furniture"]}
    assert {"share", "byline", "caption"} <= kinds


def test_read_text_lists_metadata_sources_and_paragraphs(files: Path) -> None:
    result = invoke("read", str(files / "wire-story.html"), str(files / "seed.txt"))
    assert result.exit_code == 0
    out = result.stdout
    assert "docs/wire-story.html  (web page, read as utf-8; reading text" in out
    assert "[page]" in out and "furniture (section-label)" in out and "headline" in out
    assert "furniture (share)" in out  # the seed's "Share this article"


def test_read_a_hostile_page_prints_its_text_never_its_script(files: Path) -> None:
    out = invoke("read", str(files / "hostile.html")).stdout
    assert "Injected paragraph" not in out and "onerror" not in out and "javascript" not in out


def test_read_uses_the_configs_manifest_when_there_is_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = invoke("read", "--format", "json", "seeds/001_30d30edba93f37e1.txt")
    (record,) = json.loads(result.stdout)
    assert record["metadata"]["outlet"] == {"value": "Associated Press", "from": "manifest"}


def test_read_with_a_bad_format_is_a_usage_error(files: Path) -> None:
    assert runner.invoke(app, ["read", "--format", "xml", str(files)]).exit_code == 2


def test_quotes_json_of_a_web_page_verifies(files: Path) -> None:
    result = invoke("quotes", "--format", "json", str(files / "wire-story.html"))
    records = json.loads(result.stdout)
    assert records and all(r["text_path"].startswith("out/texts/") for r in records)
    Path("q.json").write_text(result.stdout, encoding="utf-8")
    assert invoke("verify", "q.json").exit_code == 0


# --- fetch -------------------------------------------------------------------------------------


@pytest.fixture
def web() -> Iterator[Server]:
    with Server() as server:
        server.route("/news/wire.html", (TESTS / "data" / "web" / "wire-story.html").read_bytes())
        server.route("/news/column.html", (TESTS / "data" / "web" / "column.html").read_bytes())
        yield server


def workspace(tmp: Path, feeds: list[str], **fetch: object) -> Path:
    shutil.copytree(REPO / "seeds", tmp / "seeds")
    config = yaml.safe_load((REPO / "config" / "briefing.yaml").read_text(encoding="utf-8"))
    config["feeds"] = feeds
    config["fetch"] = {"contact": "tests@example.org", "delay": 0, "timeout": 5,
                       "allow_private": ["127.0.0.1"], **fetch}
    (tmp / "config").mkdir()
    (tmp / "config" / "briefing.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return tmp / "config" / "briefing.yaml"


def test_fetch_writes_new_articles_and_exits_0(tmp_path: Path, web: Server,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    feed = web.route("/rss.xml", Route(rss(web, ("1", "/news/wire.html"))))
    workspace(tmp_path, [feed])
    result = invoke("fetch")
    assert result.exit_code == 0, result.output
    assert "new          page" in result.stdout and "seeds/fetched/2023-05-14-" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "fetched 1 new article from 1 feed"
    again = invoke("fetch")
    assert again.stdout.strip().splitlines()[-1] == "fetched 0 new articles from 1 feed"


def test_fetch_with_failures_exits_8_and_says_which(tmp_path: Path, web: Server,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    workspace(tmp_path, [])
    result = runner.invoke(app, ["fetch", web.url("/news/column.html"), web.url("/news/gone.html"),
                                 "http://10.9.8.7/x"])
    assert result.exit_code == 8
    assert "failed       page " + web.url("/news/gone.html") + ": HTTP 404" in result.stderr
    assert "refused      page http://10.9.8.7/x: 10.9.8.7 is a private address" in result.stderr
    assert len(list((tmp_path / "seeds" / "fetched").glob("*.md"))) == 1


def test_fetch_without_feeds_or_contact_says_what_is_missing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = workspace(tmp_path, [])
    assert runner.invoke(app, ["fetch"]).exit_code == 2
    data = yaml.safe_load(cfg.read_text())
    del data["fetch"]["contact"]
    cfg.write_text(yaml.safe_dump(data))
    result = runner.invoke(app, ["fetch", "http://127.0.0.1:9/"])
    assert result.exit_code == 3 and "fetch.contact: needed to fetch" in result.stderr


def test_build_fetches_only_when_asked(tmp_path: Path, web: Server,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    feed = web.route("/rss.xml",
                     Route(rss(web, ("1", "/news/wire.html"), ("2", "/news/column.html"))))
    workspace(tmp_path, [feed])
    assert invoke("build", "-f", "json", "-f", "html").exit_code == 0
    assert web.hits == []  # no fetch during a build without --fetch, nor while rendering
    result = invoke("build", "--fetch", "-f", "json")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "seeds" / "fetched").glob("*.md"))) == 2
    doc = json.loads((tmp_path / "out" / "briefing.json").read_text(encoding="utf-8"))
    assert doc["corpus"]["articles"] == 7
    assert any(s["path"].startswith("seeds/fetched/") for s in doc["sources"])
    assert invoke("verify", "out/briefing.json").exit_code == 0
    # a feed that fails is a warning, and the build goes on
    web.routes["/rss.xml"] = Route(b"down", status=503)
    result = invoke("build", "--fetch", "-f", "json")
    assert result.exit_code == 0 and "warning: fetch: feed " in result.stderr
