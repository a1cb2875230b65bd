"""How the seed edition lays out in a browser (headless Chromium), measured, not looked at: the
first screen of a phone holds the essentials and the way to each section, running text keeps a
readable measure at 1280 px, nothing scrolls sideways, and the timeline chart gives way to its
text on a narrow screen.

The pages measured are the golden files (tests/golden/, the seed edition built with a fixed
clock), so a layout change shows here and in their diff alike. A few lines of script write the
measurements into the DOM and Chromium's --dump-dom prints them, as tests/test_a11y.py does for
axe. Skipped with a reason when Chromium is absent (``scripts/setup --dev`` installs it).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import GOLDEN

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREEN = 812  # a phone's first screen at 375 px wide (iPhone X to 15), in CSS pixels

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                                "(scripts/setup --dev installs Debian's chromium)")

_MEASURE = r"""<script>
window.addEventListener('load', function () {
  function box(sel) {
    var e = document.querySelector(sel);
    if (!e) return null;
    var r = e.getBoundingClientRect();
    return {top: r.top + scrollY, bottom: r.bottom + scrollY, shown: r.height > 0 &&
            getComputedStyle(e).display !== 'none'};
  }
  function perLine(el) {
    var range = document.createRange(); range.selectNodeContents(el);
    var tops = {};
    Array.prototype.forEach.call(range.getClientRects(), function (c) {
      if (c.width > 2) tops[Math.round(c.top)] = 1; });
    var lines = Object.keys(tops).length;
    return lines > 2 ? el.textContent.replace(/\s+/g, ' ').trim().length / lines : null;
  }
  var text = Array.prototype.map.call(document.querySelectorAll('.passage, .quote p'), perLine)
    .filter(function (n) { return n; });
  var out = {summary: box('.summary'), contents: box('.contents'), chart: box('.timeline-chart'),
             timeline_summary: box('.timeline-summary'), events: box('.events'),
             width: document.documentElement.scrollWidth, viewport: innerWidth,
             chars_per_line: text};
  var pre = document.createElement('pre'); pre.id = 'measured';
  pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});
</script>"""


def measure(page: str, width: int) -> dict[str, Any]:
    """Layout facts of ``page`` in a ``width`` px wide, SCREEN px tall Chromium window."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.html"
        path.write_text(page.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", f"--user-data-dir={tmp}/profile",
             f"--window-size={width},{SCREEN}", "--virtual-time-budget=10000", "--dump-dom",
             path.as_uri()], capture_output=True, text=True, timeout=180)
    found = re.search(r'<pre id="measured">(.*?)</pre>', proc.stdout, re.S)
    assert found, f"no measurement:\n{proc.stderr[-2000:]}"
    return json.loads(html.unescape(found[1]))


def _page(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["briefing.html", "briefing.email.html"])
def test_a_phones_first_screen_holds_the_essentials_and_the_way_to_each_section(
        name: str) -> None:
    got = measure(_page(name), 375)
    assert got["summary"]["bottom"] <= SCREEN, got["summary"]
    assert got["contents"]["bottom"] <= SCREEN, got["contents"]
    assert got["width"] <= got["viewport"], "the page scrolls sideways"


@pytest.mark.parametrize("width", [375, 600, 1280])
def test_nothing_scrolls_sideways(width: int) -> None:
    got = measure(_page("briefing.html"), width)
    assert got["width"] <= got["viewport"], got


def test_a_readable_measure_at_1280_px() -> None:
    """About 60 to 75 characters a line, as book and newspaper typography sets running text."""
    lines = measure(_page("briefing.html"), 1280)["chars_per_line"]
    assert len(lines) >= 10
    assert 60 <= statistics.median(lines) <= 75, sorted(lines)
    assert max(lines) <= 80


def test_on_a_narrow_screen_the_timeline_is_its_text_not_a_strip_to_scroll() -> None:
    narrow, wide = measure(_page("briefing.html"), 375), measure(_page("briefing.html"), 600)
    assert not narrow["chart"]["shown"] and narrow["timeline_summary"]["shown"]
    assert narrow["events"]["shown"]
    assert wide["chart"]["shown"]
