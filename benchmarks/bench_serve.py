"""Time `briefing serve` on the seeds: the first build, and a config edit until it shows.

    .venv/bin/python benchmarks/bench_serve.py [--repeat 9] [--no-browser]

Serves a copy of the seed workspace (a cold store: its first build reads every article) in
this process, then saves the config again and again as an editor does (a new file renamed over
the old one), each time with another title for the security theme, and measures from the save
to (a) the server's new generation, as ``/_serve/status`` reports it, and (b) the new title in
the page that headless Chromium holds open, reloaded by its own long poll (skipped with
``--no-browser`` or without Chromium). Prints the median of each figure, and the rebuild's own
time as the server measured it. The machine is shared: the figures are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from briefing.serve import ServeOptions, start


def status(url: str) -> dict:
    with urllib.request.urlopen(url + "_serve/status", timeout=60) as response:
        return json.loads(response.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    from chromium import CHROMIUM, Browser

    browser = None if args.no_browser or CHROMIUM is None else Browser()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        shutil.copytree(REPO / "seeds", ws / "seeds")
        shutil.copytree(REPO / "config", ws / "config")
        os.chdir(ws)
        config = Path("config/briefing.yaml")
        t0 = time.perf_counter()
        server = start(ServeOptions(config=config, port=0))
        first = time.perf_counter() - t0
        tab = browser.open(server.url) if browser else None
        if tab:
            tab.wait_for("document.querySelector('#title-security') !== null")
        original = config.read_text(encoding="utf-8")
        to_status, to_page, rebuilds = [], [], []
        try:
            for n in range(args.repeat):
                generation = status(server.url)["generation"]
                title = f"Security {n}"
                scratch = Path(tmp) / "scratch.yaml"
                scratch.write_text(original.replace('title: "Security"', f'title: "{title}"', 1),
                                   encoding="utf-8")
                t = time.perf_counter()
                os.replace(scratch, config)
                while (now := status(server.url))["generation"] == generation:
                    time.sleep(0.005)
                to_status.append(time.perf_counter() - t)
                rebuilds.append(now["seconds"])
                if tab:
                    tab.wait_for(f"document.querySelector('#title-security').textContent === "
                                 f"{json.dumps(title)}", poll=0.01)
                    to_page.append(time.perf_counter() - t)
                time.sleep(0.3)  # let the page's next poll open before the next save
        finally:
            server.stop()
            if browser:
                browser.close()
    print(f"first build (cold store, in-process): {first:.2f} s")
    print(f"config saved -> new generation: median {statistics.median(to_status):.3f} s "
          f"(min {min(to_status):.3f}, max {max(to_status):.3f}, n={len(to_status)})")
    print(f"  the rebuild itself: median {statistics.median(rebuilds):.3f} s")
    if to_page:
        print(f"config saved -> new title in the open page (Chromium): median "
              f"{statistics.median(to_page):.3f} s (min {min(to_page):.3f}, "
              f"max {max(to_page):.3f})")


if __name__ == "__main__":
    main()
