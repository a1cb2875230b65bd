"""Fetch and ingest 1,000 feed entries from servers on loopback.

Run: ``.venv/bin/python benchmarks/bench_fetch.py [--entries 1000] [--hosts 10]``.

Ten HTTP servers, each on its own loopback address (127.0.0.2, 127.0.0.3, ...: ten hosts, so
the per-host turn and the global bound both matter), each serve one RSS feed of 100 entries and
the entries' pages: news pages shaped like ``tests/data/web/wire-story.html`` (navigation,
cookie banner, comments, JSON-LD), each with its own headline, canonical URL and text. Then:

1. ``briefing.fetch.harvest.fetch`` over the ten feeds (delay 0, concurrency 4): every page fetched,
   extracted and written into the corpus as ``.md``;
2. the same again: every feed answers 304 (nothing fetched);
3. ``briefing build -f json`` in a fresh process (a cold store: the 1,000 articles and the
   seeds ingested), then once more (warm).

Times are wall-clock seconds on this machine (2 cores shared with other work: noisy).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import yaml
from loopback import Route, Server

from briefing.config.load import load_config
from briefing.fetch.harvest import fetch

TEMPLATE = (ROOT / "tests" / "data" / "web" / "wire-story.html").read_text(encoding="utf-8")
WORDS = ("border", "talks", "trade", "water", "security", "delegation", "pipeline", "bridge",
         "reservists", "envoy", "embassy", "aid", "canal", "railway", "customs", "drills")


def page(host: str, n: int) -> bytes:
    """A distinct news page: its own headline, canonical URL, date and paragraphs."""
    a, b = WORDS[n % len(WORDS)], WORDS[(n * 7 + 3) % len(WORDS)]
    title = f"Story {n}: officials discuss {a} and {b}"
    html = TEMPLATE.replace("Tajikistan calls up reservists as border tension grows", title)
    html = html.replace("https://www.steppecourier.example/world/asia/2023/05/14/"
                        "tajikistan-reservists-border", f"http://{host}/story/{n}")
    html = html.replace("2023-05-14", f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d}")
    html = re.sub(r"(<div class=\"story-body\">)",
                  rf"\1<p>In the {n}th report of the series, officials met to discuss {a} and "
                  rf"{b} at length, according to people present at talks number {n}.</p>", html)
    return html.encode()


def rss(host: str, ids: range) -> bytes:
    items = "".join(f"<item><title>Story {n}</title><link>http://{host}/story/{n}</link>"
                    f"<guid>{host}/{n}</guid></item>" for n in ids)
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Feed at {host}</title>"
            f"{items}</channel></rss>").encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    per_host = args.entries // args.hosts
    servers = [Server(f"127.0.0.{i + 2}") for i in range(args.hosts)]
    figures: dict[str, float | int] = {}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        feeds = []
        for i, server in enumerate(servers):
            server.__enter__()
            host = f"{server.host}:{server.port}"
            ids = range(i * per_host, (i + 1) * per_host)
            for n in ids:
                server.route(f"/story/{n}", page(host, n))
            server.route("/robots.txt", Route(b"User-agent: *\nAllow: /\n",
                                              headers={"Content-Type": "text/plain"}))
            feeds.append(server.route(
                "/feed.xml", Route(rss(host, ids), etag=f'"{i}"',
                                   headers={"Content-Type": "application/rss+xml"})))
        (tmp / "config").mkdir()
        config = yaml.safe_load((ROOT / "config" / "briefing.yaml").read_text(encoding="utf-8"))
        config.pop("sources", None)
        config.update(corpus="../corpus", feeds=feeds, fetch={
            "contact": "bench@example.org", "delay": 0, "concurrency": 4, "timeout": 30,
            "allow_private": [s.host for s in servers]})
        (tmp / "corpus").mkdir()
        (tmp / "config" / "briefing.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        cfg = load_config(tmp / "config" / "briefing.yaml")
        try:
            t0 = time.perf_counter()
            report = fetch(cfg)
            figures["fetch_s"] = round(time.perf_counter() - t0, 2)
            figures["written"] = len(report.written)
            figures["failed"] = len(report.failed)
            figures["requests"] = sum(len(s.hits) for s in servers)
            t0 = time.perf_counter()
            again = fetch(cfg)
            figures["refetch_s"] = round(time.perf_counter() - t0, 2)
            figures["refetch_written"] = len(again.written)
        finally:
            for server in servers:
                server.__exit__()
        env = dict(os.environ, BRIEFING_LOCK_TIMEOUT="60")
        for name in ("build_cold_s", "build_warm_s"):
            t0 = time.perf_counter()
            subprocess.run([str(Path(sys.executable).with_name("briefing")), "build", "-f", "json",
                            "-q"], cwd=tmp, env=env, check=True)
            figures[name] = round(time.perf_counter() - t0, 2)
        doc = json.loads((tmp / "out" / "briefing.json").read_text(encoding="utf-8"))
        figures["articles_built"] = doc["corpus"]["articles"]
    figures["pages_per_s"] = round(figures["written"] / figures["fetch_s"], 1)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>16}: {value}")
    return 0 if not figures["failed"] else 1


if __name__ == "__main__":
    sys.exit(main())
