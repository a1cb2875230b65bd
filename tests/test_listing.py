"""The warm path: ``find``'s listing finds what the Python walk finds, and a corpus read from
the last full reading plus what changed since equals the corpus read the long way, whatever
happens to the files in between."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.config.load import load_config
from briefing.pipeline import Timings
from briefing.read import listing as listing_module
from briefing.read.files import scan_articles
from briefing.read.ingest import read_corpus
from briefing.read.listing import Listing

pytestmark = pytest.mark.skipif(listing_module.shutil.which("find") is None,
                                reason="no find on this machine: the warm path is not taken")

# --- The listing and the Python walk agree ---------------------------------------------------

name = st.sampled_from(["a", "B", "notes", "Ünal", "space name", ".hidden", "x.y", "日本"])
suffix = st.sampled_from([".txt", ".md", ".TXT", ".Md", ".pdf", "", ".txt.bak"])
entry = st.tuples(st.lists(name, max_size=3), name, suffix, st.booleans())


def make_tree(root: Path, entries: list[tuple[list[str], str, str, bool]]) -> None:
    for folders, stem, ext, empty in entries:
        parent = root.joinpath(*folders)
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            continue  # a file stands where a folder would go
        target = parent / (stem + ext)
        if target.is_dir():
            continue
        target.write_text("" if empty else f"{stem}\n\nBody of {stem}.\n", encoding="utf-8")


@settings(max_examples=40, deadline=None)
@given(entries=st.lists(entry, max_size=12), also_sub=st.booleans(), also_file=st.booleans())
def test_the_listing_finds_what_the_python_walk_finds(
        entries: list[tuple[list[str], str, str, bool]], also_sub: bool, also_file: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "corpus")
        root.mkdir()
        make_tree(root, entries)
        paths = [root]
        subs = [p for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".")]
        if also_sub and subs:
            paths.append(subs[0])  # a folder inside another: its files are found once
        files = sorted(root.rglob("*.txt"))
        if also_file and files:
            paths.append(files[0])  # a file named as well as found under its folder
        listing = Listing(paths)
        assert listing.outputs() is not None
        assert listing.found() == scan_articles(paths)


def test_a_symlink_in_a_folder_is_not_vouched_for(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A\n\nBody.\n", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    listing = Listing([tmp_path])
    assert listing.outputs() is None and listing.found() is None


def test_a_missing_path_or_no_find_is_not_vouched_for(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text("A\n\nBody.\n", encoding="utf-8")
    assert Listing([tmp_path / "missing"]).outputs() is None
    assert Listing([tmp_path, tmp_path / "missing.txt"]).found() is None
    monkeypatch.setattr(listing_module.shutil, "which", lambda _: None)
    assert Listing([tmp_path]).outputs() is None


def test_an_mtime_before_1970_is_not_vouched_for(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("Old\n\nBody.\n", encoding="utf-8")
    os.utime(tmp_path / "old.txt", ns=(0, -1_500_000_000))
    listing = Listing([tmp_path])
    assert listing.outputs() is not None  # a regular file, but its record is not understood
    assert listing.found() is None


# --- Reading from the last full reading equals reading the long way ------------------------

CONFIG = """\
title: Listing test
corpus: [corpus]
out: out
store: store
themes:
  drills:
    title: Drills
    terms: [drills]
"""


def workspace(root: Path) -> Path:
    (root / "corpus" / "sub").mkdir(parents=True)
    (root / "briefing.yaml").write_text(CONFIG, encoding="utf-8")
    return root / "briefing.yaml"


def read(config_path: Path, *, long_way: bool = False) -> tuple[list[tuple], list[str], set[str]]:
    """(refs, warnings, stages timed) of one reading; ``long_way``: with no listing, so
    every file is walked and compared with the store (and no base is kept)."""
    config = load_config(config_path)
    warnings: list[str] = []
    timings = Timings()
    saved = listing_module.shutil.which
    if long_way:
        listing_module.shutil.which = lambda _: None  # type: ignore[assignment]
    try:
        corpus = read_corpus(config, None, warn=warnings.append, timings=timings)
    finally:
        listing_module.shutil.which = saved  # type: ignore[assignment]
    corpus.close()
    return [tuple(r) for r in corpus.refs], warnings, set(timings.stages)


operation = st.tuples(
    st.sampled_from(["add", "edit", "touch", "delete", "restore", "empty", "binary", "hidden",
                     "front-matter"]),
    st.sampled_from(["a.txt", "b.md", "sub/c.txt", "sub/d.txt", "e.txt"]),
    st.sampled_from(["drills at the border", "talks in Moscow", "more drills"]))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=8))
def test_the_warm_path_equals_the_long_way(ops: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config_path = workspace(root)
        corpus = root / "corpus"
        cwd = os.getcwd()
        os.chdir(root)  # paths are kept as given: relative to the working directory
        try:
            (corpus / "a.txt").write_text("Alpha\n\nDrills and talks.\n", encoding="utf-8")
            (corpus / "sub" / "c.txt").write_text("Gamma\n\nMore drills.\n", encoding="utf-8")
            read(config_path)  # cold: keeps the base
            previous: dict[str, tuple[bytes, int]] = {}
            for op, name, text in ops:
                apply(corpus / name, op, text, previous)
                fast = read(config_path)
                slow = read(config_path, long_way=True)
                assert fast[:2] == slow[:2], (op, name)
        finally:
            os.chdir(cwd)


def apply(path: Path, op: str, text: str, previous: dict[str, tuple[bytes, int]]) -> None:
    """One thing a user (or a tool) does to a corpus file."""
    if op == "restore":
        # the content and mtime the file had before its last change: its record comes back
        if path.name in previous and path.exists():
            data, mtime = previous[path.name]
            path.write_bytes(data)
            os.utime(path, ns=(mtime, mtime))
        return
    if path.exists():
        previous[path.name] = (path.read_bytes(), path.stat().st_mtime_ns)
    if op == "delete":
        path.unlink(missing_ok=True)
    elif op == "touch":
        if path.exists():
            st_ = path.stat()
            os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns + 1_000_000_000))
    elif op == "empty":
        path.write_bytes(b"")
    elif op == "binary":
        path.write_bytes(b"\x00\x01binary")
    elif op == "hidden":
        (path.parent / ("." + path.name)).write_text(text, encoding="utf-8")
    elif op == "front-matter":
        path.write_text("---\ntitle: [unclosed\n---\nHeadline\n\nBody.\n", encoding="utf-8")
    else:  # add, edit
        old = path.read_text(encoding="utf-8", errors="replace") if path.exists() else "Headline\n"
        path.write_text(f"{old}\n{text.capitalize()}.\n", encoding="utf-8")
        if path.exists() and path.name in previous:  # an edit within the same second still shows
            os.utime(path, ns=(previous[path.name][1] + 2_000_000_000,) * 2)


def test_a_warm_build_reads_nothing_the_long_way(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing changed: the last reading is the corpus; one file added or deleted: only it is
    looked at (no walk in Python, no comparison of every row: no "refs" stage)."""
    config_path = workspace(tmp_path)
    monkeypatch.chdir(tmp_path)
    for i in range(5):
        (tmp_path / "corpus" / f"{i}.txt").write_text(f"Headline {i}\n\nDrills.\n",
                                                       encoding="utf-8")
    cold = read(config_path)
    assert "refs" in cold[2]
    warm = read(config_path)
    assert warm[:2] == cold[:2] and "refs" not in warm[2]
    (tmp_path / "corpus" / "new.txt").write_text("New\n\nMore drills.\n", encoding="utf-8")
    plus = read(config_path)
    assert "refs" not in plus[2] and len(plus[0]) == 6
    (tmp_path / "corpus" / "0.txt").unlink()
    minus = read(config_path)
    assert "refs" not in minus[2] and len(minus[0]) == 5
    assert minus[:2] == read(config_path, long_way=True)[:2]


def test_the_seed_build_goes_the_warm_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default config over the seeds, cold then warm: the warm reading is the base's."""
    import shutil

    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    shutil.copytree(REPO / "config", tmp_path / "config")
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path / "config" / "briefing.yaml")
    config = dataclasses.replace(config, store=tmp_path / "store")
    timings = Timings()
    read_corpus(config, None).close()
    warm = read_corpus(config, None, timings=timings)
    warm.close()
    assert len(warm.refs) == 5 and "refs" not in timings.stages


def test_a_hard_link_or_a_folder_inside_another_goes_the_long_way(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file reached by two names is kept once, under the name scan_articles keeps: after a
    hard link is made, or with a folder given inside another, the warm reading says the same."""
    config_path = workspace(tmp_path)
    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "corpus"
    (corpus / "a.txt").write_text("Alpha\n\nDrills.\n", encoding="utf-8")
    (corpus / "sub" / "c.txt").write_text("Gamma\n\nMore drills.\n", encoding="utf-8")
    read(config_path)
    os.link(corpus / "a.txt", corpus / "sub" / "b.txt")
    fast = read(config_path)
    assert fast[:2] == read(config_path, long_way=True)[:2]
    assert len(fast[0]) == 2  # a.txt and b.txt are one file
    config_path.write_text(CONFIG.replace("corpus: [corpus]", "corpus: [corpus, corpus/sub]"),
                           encoding="utf-8")
    read(config_path)
    (corpus / "sub" / "d.txt").write_text("Delta\n\nDrills again.\n", encoding="utf-8")
    fast = read(config_path)
    assert fast[:2] == read(config_path, long_way=True)[:2]
    assert Listing([corpus, corpus / "sub"]).nested and not Listing([corpus]).nested
