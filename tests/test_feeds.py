"""Feeds of every kind people subscribe to, and feeds that are broken (briefing/feeds.py)."""

from __future__ import annotations

import json
import time

import pytest

from briefing.fetch.feeds import FeedError, parse_feed

BASE = "https://news.example/world/feed"

RSS2 = (b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Example News - World</title><link>https://news.example/</link>
<item><title>Talks resume in Tashkent</title><link>/world/2024/talks</link>
<guid isPermaLink="false">urn:example:1001</guid><dc:creator>Ann Lee</dc:creator>
<pubDate>Tue, 14 Nov 2023 01:30:00 +0500</pubDate>
<description>Short summary only.</description>
<content:encoded><![CDATA[<p>The full text of the story.</p><p>Second paragraph.</p>]]>"""
        b"""</content:encoded></item>
<item><title>Border &amp; trade</title><link>https://news.example/world/2024/border</link>
<pubDate>Wed, 15 Nov 2023 10:00:00 GMT</pubDate>"""
        b"""<description>A summary, not the text.</description></item>
</channel></rss>""")

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://news.example/"><title>RDF News</title><link>https://news.example/</link></channel>
<item rdf:about="https://news.example/a"><title>RDF item</title><link>https://news.example/a</link>
<dc:date>2022-03-02T09:00:00+03:00</dc:date></item>
</rdf:RDF>"""

RSS091 = (b"""<?xml version="1.0"?>"""
          b"""<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
"http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old News</title><link>http://old.example/</link>
<item><title>An old item</title><link>http://old.example/1.html</link></item></channel></rss>""")

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">Atom &lt;b&gt;News&lt;/b&gt;</title>
<id>urn:uuid:feed</id><updated>2024-01-02T00:00:00Z</updated>
<entry><title>Atom entry</title><id>tag:atom.example,2024:1</id>
<link rel="alternate" href="https://atom.example/2024/01/entry"/>
<author><name>Bea Oz</name></author><published>2024-01-01T23:30:00-05:00</published>
<updated>2024-01-02T00:00:00Z</updated>
<summary>The summary.</summary>
<content type="html">&lt;p&gt;The whole article, in the feed.&lt;/p&gt;</content></entry>
</feed>"""

JSONFEED = json.dumps({
    "version": "https://jsonfeed.org/version/1.1", "title": "JSON News",
    "authors": [{"name": "The Desk"}],
    "items": [
        {"id": "j1", "url": "https://json.example/j1", "title": "First",
         "content_html": "<p>Full.</p>", "date_published": "2024-02-03T01:00:00+06:00"},
        {"id": "j2", "external_url": "https://elsewhere.example/j2", "title": "Second",
         "summary": "only a summary", "authors": [{"name": "Cy Dee"}]},
        {"title": "no id and no url: skipped"},
    ]}).encode()


def test_rss2_entries_with_full_content_and_without() -> None:
    feed = parse_feed(RSS2, BASE, {"Content-Type": "application/rss+xml"})
    assert feed.kind == "rss" and feed.title == "Example News - World"
    first, second = feed.entries
    assert first.link == "https://news.example/world/2024/talks"  # relative link resolved
    assert first.id == "urn:example:1001" and first.author == "Ann Lee"
    assert first.published == "2023-11-14"  # the feed's own day, not UTC's (13 Nov)
    assert first.content == "<p>The full text of the story.</p><p>Second paragraph.</p>"
    assert second.title == "Border & trade" and second.content is None  # a summary is not content
    assert second.id == second.link


def test_rss1_rss091_atom_and_json_feed() -> None:
    rdf = parse_feed(RSS1, BASE)
    assert (rdf.entries[0].link == "https://news.example/a"
            and rdf.entries[0].published == "2022-03-02")
    old = parse_feed(RSS091, BASE)
    assert old.entries[0].link == "http://old.example/1.html"
    atom = parse_feed(ATOM, BASE)
    assert atom.kind == "atom" and atom.title == "Atom News"  # markup in a title is not kept
    entry = atom.entries[0]
    assert (entry.id, entry.author, entry.published) == (
        "tag:atom.example,2024:1", "Bea Oz", "2024-01-01")
    assert entry.content == "<p>The whole article, in the feed.</p>"
    js = parse_feed(JSONFEED, BASE, {"content-type": "application/feed+json"})
    assert js.kind == "json" and [e.id for e in js.entries] == ["j1", "j2"]
    assert js.entries[0].content == "<p>Full.</p>" and js.entries[0].published == "2024-02-03"
    assert js.entries[0].author == "The Desk" and js.entries[1].author == "Cy Dee"
    assert js.entries[1].content is None and js.entries[1].link == "https://elsewhere.example/j2"


def test_malformed_xml_is_read_loosely() -> None:
    broken = RSS2.replace(b"</item>", b"", 1).replace(b"</channel></rss>", b"")
    feed = parse_feed(broken, BASE)
    assert feed.entries and feed.entries[0].title == "Talks resume in Tashkent"


@pytest.mark.parametrize("data,why", [
    (b"<html><body><p>not a feed</p></body></html>", "not a feed"),
    (b"", "not a feed"),
    (b"\x00\x01\x02\x03", "not a feed"),
    (b'{"version": "1", "items": []}', "jsonfeed.org"),
    (b'{"version": "https://jsonfeed.org/version/1", "items": 3}', "without items"),
    (b"{not json", "invalid JSON"),
])
def test_what_is_not_a_feed_is_an_error_saying_so(data: bytes, why: str) -> None:
    with pytest.raises(FeedError, match=why):
        parse_feed(data, BASE)


def test_entity_expansion_is_bounded() -> None:
    # a billion laughs: expat refuses the amplification; it must end fast either way
    lol = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
           + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10)
                      for i in range(8))
           + b']><rss version="2.0"><channel><title>&i;</title><item><title>x</title>'
             b"<link>https://x.example/</link></item></channel></rss>")
    start = time.monotonic()
    try:
        feed = parse_feed(lol, BASE)
        assert len(feed.title or "") < 100_000
    except FeedError:
        pass
    assert time.monotonic() - start < 5


def test_javascript_links_are_not_entry_links() -> None:
    data = RSS2.replace(b"/world/2024/talks", b"javascript:alert(1)")
    assert parse_feed(data, BASE).entries[0].link is None
