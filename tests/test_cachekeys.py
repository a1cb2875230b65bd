"""Every kept result is keyed by the code computing it (briefing/cachekeys.py): edit a module a
result depends on, in a copy of the package, and a warm build over a store the original code
filled gives exactly what a cold build gives (each build a fresh process running the copy)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXED_EDITION, FIXED_EPOCH, REPO

from briefing.store import cachekeys

# A transcript (quoted turns, ``quotes_turns.py``) on the seed themes, so that the edition
# shows what the quotations module family finds.
TRANSCRIPT = """Lavrov on the Taliban: a transcript

Russia's foreign minister was asked about the Taliban, security and the border with Tajikistan \
in a radio interview on Tuesday.

"HOST: Will Russia recognise the Taliban government this year, minister, given the security \
situation on the border?

"LAVROV: The Taliban must keep the promises it made on security, on the border with \
Tajikistan and on drugs, and we will watch closely before any recognition.

"HOST: And the Russian troops at the base in Tajikistan, will they stay?

"LAVROV: Our troops stay at the base as long as the border is not secure, and the Taliban \
know it."
"""

# module -> (a line it holds, code appended to it): each edit changes what the seed edition
# shows, through a result the store or a cache keeps
EDITS = {
    # the quotations kept per article (annotations): transcript labels are no longer found
    "annotate/turns.py": ("_LABEL = re.compile(", '\n_LABEL = re.compile(r"(?!)")\n'),
    # the store's passages and every theme's evidence: sense rules mask nothing
    "judge/query.py": ("class SenseRule:",
                       "\nSenseRule.masked = lambda self, roots, words: set()\n"),
    # each theme's evidence table kept in the store: every term counts twice
    "judge/ranking.py": ("def table_of(", "\n_table_of = table_of\n\n\n"
                   "def table_of(query, passages, covered):\n"
                   "    t = _table_of(query, passages, covered)\n"
                   "    rows = t.rows.copy()\n"
                   "    rows[:, FIXED:] *= 2\n"
                   "    return Table(rows, t.dfc, t.covered)\n"),
    # the dated sentences kept per article (annotations): the first of each article is gone
    "annotate/timeline.py": ("def article_events(", "\n_article_events = article_events\n\n\n"
                    "def article_events(article, seg):\n"
                    "    return _article_events(article, seg)[1:]\n"),
}


def build(ws: Path, out: Path, package: Path | None = None, *formats: str) -> dict[str, bytes]:
    """``briefing build`` in a fresh process in workspace ``ws`` (its store ``ws/.briefing``),
    running the package copied under ``package`` (None: the one installed); the files it
    wrote into ``out``."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH}
    env.pop("PYTHONPATH", None)
    if package is not None:
        env["PYTHONPATH"] = str(package)
    names = formats or ("json", "txt")
    cmd = [sys.executable, "-m", "briefing.cli", "--quiet", "build", "--edition-date",
           FIXED_EDITION, "--out", str(out), *(a for f in names for a in ("-f", f))]
    done = subprocess.run(cmd, cwd=ws, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return {p.name: p.read_bytes() for p in sorted(out.glob("briefing.*"))}


def copy_package(root: Path, module: str, edit: tuple[str, str]) -> Path:
    """The package (and the shipped templates beside it) copied under ``root``, ``module``
    edited; returns what to put on PYTHONPATH."""
    shutil.copytree(REPO / "briefing", root / "briefing",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "templates", root / "templates")
    path = root / "briefing" / module
    source = path.read_text(encoding="utf-8")
    held, appended = edit
    assert held in source, f"{module} no longer holds {held!r}: update the edit in EDITS"
    path.write_text(source + appended, encoding="utf-8")
    return root


def workspace(root: Path) -> Path:
    """A workspace under ``root``: the seeds, a transcript, the config, no store yet."""
    ws = root / "workspace"
    shutil.copytree(REPO / "seeds", ws / "seeds")
    shutil.copytree(REPO / "config", ws / "config")
    (ws / "seeds" / "100_transcript.txt").write_text(TRANSCRIPT, encoding="utf-8")
    return ws


def store_state(ws: Path) -> list[tuple[str, str]]:
    """The store's fingerprint and generation (``info``): both stay when a build reuses it."""
    with sqlite3.connect(ws / ".briefing" / "store.sqlite") as db:
        return sorted(db.execute("SELECT key, value FROM info"))


@pytest.mark.slow
@pytest.mark.parametrize("module", sorted(EDITS))
def test_an_edited_module_gives_a_warm_build_equal_to_a_cold_one(tmp_path: Path,
                                                                   module: str) -> None:
    package = copy_package(tmp_path / "package", module, EDITS[module])
    probe = subprocess.run([sys.executable, "-c", "import briefing; print(briefing.__file__)"],
                           env={**os.environ, "PYTHONPATH": str(package)}, cwd=tmp_path,
                           capture_output=True, text=True, check=True)
    assert probe.stdout.strip().startswith(str(package))  # the copy runs, not the original
    ws = workspace(tmp_path / "warm")
    original = build(ws, tmp_path / "original-out")  # the installed code fills the store
    before = store_state(ws)
    warm = build(ws, tmp_path / "warm-out", package)  # the edited code, over that store
    # a module the store's contents depend on rebuilds it; any other leaves it as it was, and
    # the result kept in it must be found stale by its own key
    rebuilt = ("briefing." + module[:-3].replace("/", ".")
               in cachekeys.closure("briefing.read.ingest"))
    assert (store_state(ws) != before) == rebuilt
    cold = build(workspace(tmp_path / "cold"), tmp_path / "cold-out", package)
    assert cold != original, f"editing {module} changed nothing: the test would prove nothing"
    assert warm == cold


@pytest.mark.slow
def test_a_kept_pdf_is_rendered_again_when_the_pdf_code_changes(tmp_path: Path) -> None:
    """The PDF cache keys its files by the print HTML and by the code laying it out."""
    ws = workspace(tmp_path / "warm")
    build(ws, tmp_path / "first", None, "pdf")  # the original code keeps its PDF
    assert any((ws / ".briefing" / "pdf").glob("*.pdf"))
    edit = ("def _render(", "\n_render_pdf = _render\n\n\ndef _render(*args, **kwargs):\n"
                            "    return _render_pdf(*args, **kwargs) + b'%edited\\n'\n")
    package = copy_package(tmp_path / "package", "publish/pdf.py", edit)
    warm = build(ws, tmp_path / "warm-out", package, "pdf")
    assert warm["briefing.pdf"].endswith(b"%edited\n")
    assert warm == build(workspace(tmp_path / "cold"), tmp_path / "cold-out", package, "pdf")


def test_the_closure_of_what_computes_quotations_holds_every_quote_module() -> None:
    from briefing.annotate import annotations

    modules = cachekeys.closure(annotations.__name__)
    for name in ("annotate.quotes", "annotate.marks", "annotate.people", "annotate.turns",
                 "annotate.timeline", "models", "read.ingest", "store.sqlite"):
        assert f"briefing.{name}" in modules
    assert "briefing" in modules  # the package's __init__ runs first
    assert "briefing.publish.render" not in modules and "briefing.pipeline" not in modules


def test_the_store_fingerprint_names_the_readers_and_their_libraries() -> None:
    """The store is filled by ingest_file: the readers it calls lazily (web pages, emails,
    PDFs) are in its closure, with the libraries they import and what those require
    (trafilatura brings htmldate and justext; the stemmer makes every root)."""
    modules = cachekeys.closure("briefing.read.ingest")
    for name in ("read.corpus", "read.segment", "judge.textnorm", "read.webpage", "read.eml",
                 "read.pdftext", "read.formats"):
        assert f"briefing.{name}" in modules
    names = {lib.split("==")[0] for lib in cachekeys.libraries(modules)}
    assert {"trafilatura", "htmldate", "justext", "lxml", "pdfminer_six", "pystemmer"} <= names


def test_import_statements_are_read_however_they_are_written() -> None:
    source = b'''"""A docstring mentioning
import of nothing (nothing at all, and: from here on prose.
"""
from . import a, b as c
from .d import (e,
                f)  # a comment (with a parenthesis
import briefing.g as h, os
from briefing.i \\
    import j


def lazy() -> None:
    from ..k import m  # inside a function
    import numpy
'''
    nodes = list(cachekeys._import_nodes(source))
    seen = [(getattr(n, "module", None), getattr(n, "level", 0), [a.name for a in n.names])
            for n in nodes]
    assert seen == [(None, 1, ["a", "b"]), ("d", 1, ["e", "f"]), (None, 0, ["briefing.g", "os"]),
                    ("briefing.i", 0, ["j"]), ("k", 2, ["m"]), (None, 0, ["numpy"])]
