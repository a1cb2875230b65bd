"""Accessibility: axe-core (npm, pinned in package.json) run in headless Chromium finds no
serious or critical violation in the web page, the email edition (both with "New" badges),
the archive's index page or the pages ``briefing serve`` draws (the edition with its bar, the
explain, source and email views, a failed build, not found), at phone and desktop widths and
in dark mode.

axe is injected into a copy of the page with a few lines that write its results into the DOM;
Chromium's --dump-dom prints them. No network, no DevTools client needed. Skipped with a reason
when Chromium or node_modules/axe-core is absent (``scripts/setup --dev`` installs both; CI has
them).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from briefing_fixture import REPO, seed_briefing

from briefing.models import Briefing
from briefing.publish.archive import Archived, Shown, compare
from briefing.publish.archive_index import Listed, index_html
from briefing.publish.render import render_email, render_html, template_env

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BLOCKING = {"serious", "critical"}

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                       "(scripts/setup --dev installs Debian's chromium)"),
    pytest.mark.skipif(not AXE.is_file(), reason="node_modules/axe-core is missing "
                       "(scripts/setup --dev runs npm ci)"),
]

_RUNNER = """<script>%s</script><script>
axe.run(document, {resultTypes: ['violations']}).then(function (result) {
  var out = document.createElement('pre');
  out.id = 'axe-results';
  out.textContent = JSON.stringify(result.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(function (n) { return n.target.join(' '); })};
  }));
  document.body.appendChild(out);
});
</script>"""


def axe(page: str, width: int, *, dark: bool = False) -> list[dict[str, object]]:
    """The violations axe-core reports for ``page`` in a ``width`` px wide window."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.html"
        path.write_text(page.replace("</body>", _RUNNER % AXE.read_text(encoding="utf-8")
                                     + "</body>"), encoding="utf-8")
        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tmp}/profile", f"--window-size={width},1000",
                "--virtual-time-budget=30000", "--dump-dom", path.as_uri()]
        if dark:
            args.insert(1, "--blink-settings=preferredColorScheme=0")
        proc = subprocess.run(args, capture_output=True, text=True, timeout=180)
    found = re.search(r'<pre id="axe-results">(.*?)</pre>', proc.stdout, re.S)
    assert found, f"axe produced no result:\n{proc.stderr[-2000:]}"
    return json.loads(html.unescape(found[1]))


ENV = template_env()


def marked_briefing() -> Briefing:
    """The seed briefing compared with an edition that showed its first section: the other
    items carry the "New" badge and the masthead its since line."""
    b = seed_briefing()
    shown = tuple(Shown(i.path, i.start, i.end, i.text, None) for i in b.sections[0].items)
    return compare(b, Archived("2026-11-15", shown, frozenset(), None), [])


def archive_index() -> str:
    """The archive's index page over two editions, one with every format."""
    folder = Path(tempfile.gettempdir())
    files = frozenset(["briefing.html", "briefing.pdf", "briefing.email.html", "briefing.txt",
                       "briefing.json"])
    entry = {"items": 9, "since": "Since the edition of 15 November 2026: 2 new articles, 5 "
             "new items."}
    editions = [Listed("2026-11-22", None, folder, files, entry),
                Listed("2026-11-22", "editor", folder, frozenset(["briefing.json"]), None)]
    return index_html(editions, "2026-11-15", title="Russia and the Taliban", reader=None,
                      env=ENV, depth=0, web_url=None, generator="briefing 0.1.0")


def long_briefing() -> Briefing:
    """The marked briefing with a theme of seven items: long enough that the email is sent as a
    newsletter (top items, "more in the full edition", the full-edition box and button)."""
    b = marked_briefing()
    first = b.sections[0]
    return replace(b, sections=(replace(first, items=first.items * 3),) + b.sections[1:])


EDITIONS = {"web": lambda: render_html(marked_briefing(), ENV),
            "email": lambda: render_email(marked_briefing(), ENV),
            "email-newsletter": lambda: render_email(
                long_briefing(), ENV, web_url="https://briefing.example.org/"),
            "archive-index": archive_index}


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", [375, 600, 1280])
@pytest.mark.parametrize("edition", ["web", "email", "email-newsletter"])
def test_no_serious_or_critical_violation(edition: str, width: int, dark: bool) -> None:
    violations = axe(EDITIONS[edition](), width, dark=dark)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, json.dumps(blocking, indent=1)


@pytest.mark.parametrize("width,dark", [(375, False), (1280, False), (600, True)])
def test_no_serious_or_critical_violation_in_the_archive_index(width: int, dark: bool) -> None:
    violations = axe(EDITIONS["archive-index"](), width, dark=dark)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, json.dumps(blocking, indent=1)


def test_axe_does_find_a_violation_when_there_is_one() -> None:
    """The harness itself works: an image without alt text is a critical violation."""
    page = render_html(seed_briefing(), ENV).replace("</main>", '<img src="data:,x"></main>')
    assert any(v["id"] == "image-alt" and v["impact"] == "critical" for v in axe(page, 600))


# --- briefing serve's pages --------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The pages ``briefing serve`` draws, from a real server over a copy of the seed
    workspace: the edition with its bar and links, an explain view, a source view, the email
    view, and (drawn by the same code) a failed build's page and a 404."""
    from briefing.serve import ServeOptions, start
    from briefing.serve.editions import Failure

    ws = tmp_path_factory.mktemp("serve")
    shutil.copytree(REPO / "seeds", ws / "seeds")
    shutil.copytree(REPO / "config", ws / "config")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ws)
        server = start(ServeOptions(config=Path("config/briefing.yaml"), port=0))
        try:
            edition = server.builder.snapshot.editions[None]
            item = edition.briefing.sections[0].items[0]
            pages = {name: urllib.request.urlopen(server.url + target, timeout=120).read()
                     .decode("utf-8") for name, target in {
                         "edition": "", "explain": "explain/security", "email": "email",
                         "source": f"source?path={item.path}&start={item.start}&end={item.end}",
                     }.items()}
            drawn = server.app.pages  # the pages a browser sees only on a failure or a 404
            snap = server.builder.snapshot
            line = "config/briefing.yaml:12:7: themes.security.terms: expected a list of strings"
            pages["failure"] = drawn.failure(Failure("config", (line,)), snap, None, "n")
            pages["missing"] = drawn.missing(snap, None, "n", "Nothing is served here.")
            yield pages
        finally:
            server.stop()


@pytest.mark.parametrize("width,dark", [(375, False), (1280, False), (600, True)])
@pytest.mark.parametrize("name", ["edition", "explain", "source", "email", "failure", "missing"])
def test_no_serious_or_critical_violation_in_the_served_pages(
        served: dict[str, str], name: str, width: int, dark: bool) -> None:
    violations = axe(served[name], width, dark=dark)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, json.dumps(blocking, indent=1)
