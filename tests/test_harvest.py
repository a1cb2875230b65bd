"""``briefing fetch`` against a real server on loopback: feeds polled with conditional GET,
each new entry's page read and written into the corpus once, failures reported while the rest
go on (briefing/harvest.py, briefing/fetchstate.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from loopback import Route, Server

from briefing.config.load import load_config
from briefing.errors import BusyError, ConfigError
from briefing.fetch.harvest import fetch
from briefing.read.corpus import load_corpus
from briefing.read.frontmatter import front_matter
from briefing.store.fetchstate import normal_url
from briefing.store.sqlite_fetch import lock, open_state

PAGES = Path(__file__).resolve().parent / "data" / "web"


def rss(web: Server, *items: tuple[str, str], title: str = "Loopback News") -> bytes:
    """An RSS 2.0 feed listing (guid, path) items on ``web``."""
    body = "".join(f"<item><title>Item {guid}</title><link>{web.url(path)}</link>"
                   f"<guid isPermaLink='false'>{guid}</guid>"
                   "<pubDate>Sun, 14 May 2023 08:30:00 +0500</pubDate></item>"
                   for guid, path in items)
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>{title}</title>"
            f"{body}</channel></rss>").encode()


def workspace(tmp: Path, feeds: list[str | dict], **fetch: object) -> Path:
    (tmp / "config").mkdir()
    (tmp / "articles").mkdir()
    settings = {"contact": "tests@example.org", "delay": 0, "timeout": 5,
                "allow_private": ["127.0.0.1"], **fetch}
    (tmp / "config" / "briefing.yaml").write_text(yaml.safe_dump({
        "title": "Fetch test", "corpus": "../articles", "store": "../.briefing",
        "themes": {"borders": {"terms": ["border"]}}, "feeds": feeds, "fetch": settings}),
        encoding="utf-8")
    return tmp / "config" / "briefing.yaml"


@pytest.fixture
def web() -> Iterator[Server]:
    with Server() as server:
        server.route("/robots.txt", Route(b"User-agent: *\nDisallow: /private/\n",
                                          headers={"Content-Type": "text/plain"}))
        for name in ("wire-story", "column", "portal", "regional"):
            server.route(f"/news/{name}.html", (PAGES / f"{name}.html").read_bytes())
        yield server


def test_new_entries_are_written_once_as_articles_with_front_matter(
        tmp_path: Path, web: Server) -> None:
    feed = web.route("/rss.xml", Route(rss(web, ("1", "/news/wire-story.html"),
                                           ("2", "/news/column.html")),
                                       headers={"Content-Type": "application/rss+xml"},
                                       etag='"feed-v1"'))
    config = load_config(workspace(tmp_path, [feed]))
    report = fetch(config)
    assert report.ok and len(report.written) == 2, report.lines()
    wire = next(p for p in report.written if "tajikistan" in p.name)
    assert wire.parent == tmp_path / "articles" / "fetched"
    assert wire.name.startswith(
        "2023-05-14-tajikistan-calls-up-reservists-as-border-tension-grows-")
    text = wire.read_text(encoding="utf-8")
    fm, body_start, error = front_matter(text)[:3]
    assert error is None and fm is not None
    assert fm["title"] == "Tajikistan calls up reservists as border tension grows"
    assert fm["outlet"] == "The Steppe Courier" and fm["byline"] == "Dilnoza Rakhimova"
    assert fm["published"] == "2023-05-14" and fm["language"] == "en-GB"
    assert fm["url"] == "https://www.steppecourier.example/world/asia/2023/05/14/tajikistan-reservists-border"
    assert fm["fetched"]  # when
    assert "Tajikistan has ordered several thousand reservists" in text[body_start:]
    assert "We use cookies" not in text and "steppe_watcher" not in text
    # the corpus reads it as an article, its front matter as given
    (article,) = [a for a in load_corpus([tmp_path / "articles"], None, print) if a.path == wire]
    assert article.meta.outlet == "The Steppe Courier" and article.meta.inferred == ()
    # the original is kept in the state
    with open_state(config.store) as state:
        kind, original = state.original(str(wire))  # type: ignore[misc]
    assert kind == "text/html" and original == (PAGES / "wire-story.html").read_bytes()

    # the next poll asks with the feed's ETag, gets a 304, and fetches nothing
    before = len(web.hits)
    again = fetch(config)
    assert again.written == [] and [o.status for o in again.outcomes] == ["not modified"]
    assert web.hits[-1].headers["if-none-match"] == '"feed-v1"'
    assert [h.path for h in web.hits[before:]] == ["/robots.txt", "/rss.xml"]


def test_an_entry_is_never_fetched_twice_under_another_url_feed_or_copy(
        tmp_path: Path, web: Server) -> None:
    web.route("/copy/wire.html", (PAGES / "wire-story.html").read_bytes())  # same canonical URL
    web.route("/mirror/column.html",  # same text, another canonical URL: the same story
              (PAGES / "column.html").read_bytes().replace(b"eurasiaweekly.example",
                                                           b"mirror.example"))
    one = web.route("/one.xml", Route(rss(web, ("a", "/news/wire-story.html"),
                                          ("b", "/news/column.html"))))
    two = web.route("/two.xml", Route(rss(web, ("z", "/copy/wire.html"),
                                          ("y", "/mirror/column.html"),
                                          ("a", "/news/wire-story.html?utm_source=feed"))))
    config = load_config(workspace(tmp_path, [one]))
    assert len(fetch(config).written) == 2
    config = load_config(workspace(tmp_path / "x", [one, two])) if False else config
    report = fetch(load_config(_with_feeds(config.path, [one, two])))
    assert report.written == []
    known = [o for o in report.outcomes if o.status == "known"]
    assert len(known) == 2  # the copy and the mirror, fetched and found to be known
    # the tracked link of an entry already known was not even requested
    assert not any("utm_source" in p for p in web.paths())
    assert len(list((tmp_path / "articles" / "fetched").glob("*.md"))) == 2


def _with_feeds(path: Path, feeds: list[str]) -> Path:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["feeds"] = feeds
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_one_failure_is_reported_and_the_rest_go_on(tmp_path: Path, web: Server) -> None:
    good = web.route("/good.xml", Route(rss(web, ("1", "/news/wire-story.html"),
                                            ("2", "/news/gone.html"),
                                            ("3", "/private/secret.html"),
                                            ("4", "/news/portal.html")), etag='"g1"'))
    down = web.route("/down.xml", Route(b"busy", status=503))
    broken = web.route("/broken.xml", Route(b"<html><body>not a feed</body></html>"))
    config = load_config(workspace(tmp_path, [good, down, broken]))
    report = fetch(config)
    status = {o.url: (o.status, o.detail) for o in report.outcomes}
    assert status[down] == ("failed", "HTTP 503")
    assert status[broken][0] == "failed" and "not a feed" in status[broken][1]
    assert status[web.url("/news/gone.html")] == ("failed", "HTTP 404")
    assert status[web.url("/private/secret.html")] == ("refused",
                                                       "robots.txt asks briefing not to fetch it")
    assert len(report.written) == 2 and not report.ok
    assert report.summary() == ("fetched 2 new articles from 3 feeds; 2 feeds and 2 pages failed "
                                "(see above; the rest were fetched)")
    # an entry of the good feed failed, so its ETag is not kept: the next poll gets the whole
    # feed and tries the failed entries again (and only those)
    web.route("/news/gone.html", (PAGES / "regional.html").read_bytes())
    before = len(web.hits)
    again = fetch(config)
    assert "if-none-match" not in next(
        h for h in web.hits[before:] if h.path == "/good.xml").headers
    assert [p.name for p in again.written] == [next(p.name for p in again.written)]
    assert sorted(h.path for h in web.hits[before:]
                  if h.path.startswith("/news/")) == ["/news/gone.html"]


def test_a_feed_with_the_full_text_is_not_followed_to_its_pages(
        tmp_path: Path, web: Server) -> None:
    story = "".join(f"<p>Paragraph {i} of the article about the border talks, told in full "
                    f"in the feed itself, so there is no need to fetch its page.</p>"
                    for i in range(6))
    atom = (f"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>Full Text</title>"
            f"<entry><id>tag:x,1</id><title>Talks in full</title>"
            f"<link href='{web.url('/never.html')}'/>"
            f"<author><name>Ann Lee</name></author><published>2024-03-01T10:00:00Z</published>"
            f"<content type='html'><![CDATA[{story}]]></content></entry></feed>").encode()
    feed = web.route("/atom.xml", Route(atom, headers={"Content-Type": "application/atom+xml"}))
    config = load_config(workspace(tmp_path, [{"url": feed, "outlet": "Configured Outlet"}]))
    (path,) = fetch(config).written
    fm = front_matter(path.read_text(encoding="utf-8")).data
    assert fm["title"] == "Talks in full" and fm["byline"] == "Ann Lee"  # type: ignore[index]
    assert fm["outlet"] == "Configured Outlet" and fm["published"] == "2024-03-01"  # type: ignore[index]
    assert "/never.html" not in web.paths()


def test_fetch_urls_only_fetches_those_and_a_feed_url_is_polled(
        tmp_path: Path, web: Server) -> None:
    feed = web.route("/rss.xml", Route(rss(web, ("1", "/news/column.html")),
                                       headers={"Content-Type": "application/rss+xml"}))
    config = load_config(workspace(tmp_path, [feed]))
    report = fetch(config, [web.url("/news/regional.html")])
    assert [p.name[:30] for p in report.written] == ["2021-09-27-uzbekistan-reopens-"], \
        report.lines()
    assert "/rss.xml" not in web.paths()
    report = fetch(config, [feed, web.url("/news/regional.html")])
    assert len(report.written) == 1 and "wager-on-patience" in report.written[0].name
    assert [o.status for o in report.outcomes if o.kind == "page"] == ["known", "new"]


def test_fetching_needs_a_contact(tmp_path: Path) -> None:
    config = load_config(workspace(tmp_path, [], contact=None))
    with pytest.raises(ConfigError) as err:
        fetch(config, ["http://127.0.0.1:9/"])
    assert "fetch.contact: needed to fetch" in err.value.lines()[0]


def test_two_fetches_at_once_are_refused(tmp_path: Path) -> None:
    config = load_config(workspace(tmp_path, []))
    with lock(config.store), pytest.raises(BusyError, match="another `briefing fetch`"):
        fetch(config, ["http://127.0.0.1:9/"])


def test_articles_written_before_the_state_was_lost_are_not_fetched_again(
        tmp_path: Path, web: Server) -> None:
    feed = web.route("/rss.xml", Route(rss(web, ("1", "/news/wire-story.html"))))
    config = load_config(workspace(tmp_path, [feed]))
    assert len(fetch(config).written) == 1
    (config.store / "fetch.sqlite").unlink()
    assert fetch(config).written == []


@pytest.mark.parametrize("url,same", [
    ("HTTPS://News.Example:443/a?b=2&a=1#top", "https://news.example/a?a=1&b=2"),
    ("http://news.example:80", "http://news.example/"),
    ("https://news.example/a?utm_source=x&utm_medium=y&id=3&fbclid=z", "https://news.example/a?id=3"),
    ("https://news.example:8443/a", "https://news.example:8443/a"),
])
def test_urls_are_normalised_for_the_seen_check(url: str, same: str) -> None:
    assert normal_url(url) == same
