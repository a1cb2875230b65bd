"""The archive of editions (out/editions/) and what is new since the previous edition: real
builds into temporary workspaces over copies of the seeds, the archive's files read back, the
feed parsed with feedparser (as feed readers parse it) and with a strict XML parser."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest
from briefing_fixture import seed_briefing, seed_text
from conftest import REPO
from typer.testing import CliRunner

from briefing.cli import app
from briefing.config.load import load_config
from briefing.config.model import Config
from briefing.deliver.send import send_editions
from briefing.errors import ArchiveError
from briefing.pipeline import BuildOptions, build
from briefing.publish import archive, output
from briefing.publish.archive import Archived, Shown, compare
from briefing.publish.archive_index import FEED_ENTRIES, INDEX_ENTRIES, write_indexes
from briefing.publish.render import render_email, render_html, render_text, template_env
from briefing.publish.verify import verify_file

SEEDS = sorted((REPO / "seeds").glob("*.txt"))
ATOM = "{http://www.w3.org/2005/Atom}"
READERS = """\
readers:
  - id: editor
    name: "Desk Editor"
    email: editor@example.org
    formats: [email, html]
  - id: borders
    name: "Borders Desk"
    email: borders@example.org
    themes: [central-asia-borders]
"""


def workspace(tmp_path: Path, *, title: str = "Russia and the Taliban", readers: str = "",
              delivery: str = "", seeds: list[Path] = SEEDS[:3]) -> Config:
    """A workspace in ``tmp_path``: the default themes over a copy of some seeds (the corpus
    folder is ``tmp_path/corpus``: add files to it for the next edition)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    for seed in seeds:
        shutil.copy(seed, corpus / seed.name)
    config = tmp_path / "config" / "briefing.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    themes = (REPO / "config" / "briefing.yaml").read_text(encoding="utf-8")
    body = themes[themes.index("themes:"):themes.index("# --- What you know about the articles")]
    config.write_text(f"title: {json.dumps(title)}\ncorpus: ../corpus\nout: ../out\n"
                      f"store: ../store\n{body}{readers}{delivery}", encoding="utf-8")
    return load_config(config)


def edition(cfg: Config, date: str, *, formats: tuple[str, ...] | None = ("json", "txt", "html"),
            readers: tuple[object, ...] = (None,), warnings: list[str] | None = None):
    result = build(cfg, BuildOptions(edition=_date(date), formats=formats), readers=readers,
                   warn=(warnings if warnings is not None else []).append)
    return result.briefings


def _date(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)


def _new_shown(doc: dict, name: str) -> int:
    """The items marked new that an edition file shows: all of them, but in an email of a long
    edition (a newsletter) only those among each theme's top items."""
    from briefing.publish.render import EMAIL_TOP_ITEMS

    sections = [s["items"] for s in doc["sections"]]
    if name == "briefing.email.html" and max(map(len, sections), default=0) > EMAIL_TOP_ITEMS:
        sections = [s[:EMAIL_TOP_ITEMS] for s in sections]
    return sum(i["new"] for s in sections for i in s)


def items(briefing):
    return [i for s in briefing.sections for i in s.items]


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


# --- New since the previous edition ---------------------------------------------------------


def test_the_first_edition_marks_nothing_new_and_says_it_is_the_first(tmp_path: Path,
                                                                       fixed_clock: str) -> None:
    cfg = workspace(tmp_path)
    (b,) = edition(cfg, "2026-11-15")
    assert items(b) and all(i.new is False for i in items(b))
    assert b.previous is not None and b.previous.edition is None
    out = tmp_path / "out"
    doc = json.loads((out / "briefing.json").read_text(encoding="utf-8"))
    assert doc["previous"] is None
    shown = [i for s in doc["sections"] for i in s["items"]]
    assert all(i["new"] is False for i in shown)
    assert all(i["new"] is False for v in doc["voices"] for i in v["quotes"])
    assert "The first edition" in (out / "briefing.txt").read_text(encoding="utf-8")
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert ('class="since">The first edition' in html
            and "badge-new" not in html.split("</style>")[1])
    # archived in every format written, with the JSON record, the manifest and the entry
    day = out / "editions" / "2026-11-15"
    assert {p.name for p in day.iterdir()} == {"briefing.json", "briefing.txt", "briefing.html",
                                               "articles.txt", "entry.json"}
    assert (day / "briefing.json").read_bytes() == (out / "briefing.json").read_bytes()
    lines = (day / "articles.txt").read_text(encoding="ascii").splitlines()
    assert lines[0] == f"# briefing articles/1 corpus={doc['corpus']['sha256']}"
    assert len(lines) == 1 + 3 and all(len(x) == 16 for x in lines[1:])
    assert verify_file(day / "briefing.json").ok


def test_items_from_new_articles_are_new_and_the_masthead_counts_new_articles(
        tmp_path: Path, fixed_clock: str) -> None:
    cfg = workspace(tmp_path)
    (first,) = edition(cfg, "2026-11-15")
    for seed in SEEDS[3:]:
        shutil.copy(seed, tmp_path / "corpus" / seed.name)
    (second,) = edition(cfg, "2026-11-22", formats=None)  # every format, the PDF too
    before = {(i.path, i.start, i.end) for i in items(first)}
    paths = {s.id: s.path for s in second.sources}
    fresh = {str(tmp_path / "corpus" / s.name) for s in SEEDS[3:]}
    marked = items(second)
    assert any(i.new for i in marked) and not all(i.new for i in marked)
    for item in marked:
        if (item.path, item.start, item.end) in before:
            assert item.new is False, item.text[:60]
        if paths[item.source] in fresh:
            assert item.new is True, item.text[:60]
    new = sum(1 for i in marked if i.new)
    assert second.previous is not None
    assert (second.previous.edition, second.previous.new_articles, second.previous.new_items) \
        == ("2026-11-15", 2, new)
    out = tmp_path / "out"
    doc = json.loads((out / "briefing.json").read_text(encoding="utf-8"))
    assert doc["previous"] == {"edition": "2026-11-15", "new_articles": 2, "new_items": new,
                               "problem": None}
    assert [i["new"] for s in doc["sections"] for i in s["items"]] == [i.new for i in marked]
    line = f"Since the edition of 15 November 2026: 2 new articles, {new} new items."
    text = (out / "briefing.txt").read_text(encoding="utf-8")
    assert line in " ".join(text.split()) and text.count("[new] ") == new
    for name in ("briefing.html", "briefing.email.html"):
        page = (out / name).read_text(encoding="utf-8")
        assert line in page, name
        assert page.count('<span class="badge-new"') == _new_shown(doc, name), name
    import pdfplumber

    with pdfplumber.open(out / "briefing.pdf") as pdf:
        words = " ".join(page.extract_text() or "" for page in pdf.pages)
    assert "Since the edition of 15 November 2026" in " ".join(words.split())
    assert words.split().count("NEW") == new
    assert verify_file(out / "briefing.json").ok
    assert verify_file(out / "editions" / "2026-11-22" / "briefing.json").ok


def test_a_rebuild_of_the_same_date_replaces_it_and_compares_with_the_date_before(
        tmp_path: Path, fixed_clock: str) -> None:
    cfg = workspace(tmp_path)
    edition(cfg, "2026-11-15")
    shutil.copy(SEEDS[3], tmp_path / "corpus" / SEEDS[3].name)
    (a,) = edition(cfg, "2026-11-22", formats=("json", "txt", "html", "email"))
    (b,) = edition(cfg, "2026-11-22", formats=("txt",))
    assert a.previous == b.previous and a.previous is not None
    assert a.previous.edition == "2026-11-15"
    assert [i.new for i in items(a)] == [i.new for i in items(b)]
    day = tmp_path / "out" / "editions" / "2026-11-22"
    # the formats the rebuild did not write are gone: the folder is one build's edition
    assert {p.name for p in day.iterdir()} == {"briefing.json", "briefing.txt", "articles.txt",
                                               "entry.json"}
    assert not list(day.parent.rglob("*.tmp"))
    # an edition dated before every archived one is compared with none: the first
    (c,) = edition(cfg, "2026-11-01")
    assert c.previous is not None and c.previous.edition is None


def test_each_reader_is_compared_with_their_own_previous_edition(tmp_path: Path,
                                                                fixed_clock: str) -> None:
    cfg = workspace(tmp_path, readers=READERS)
    edition(cfg, "2026-11-15")  # the main edition only
    editor = cfg.reader("editor")
    (b,) = edition(cfg, "2026-11-22", readers=(editor,), formats=None)  # the profile's
    assert b.previous is not None and b.previous.edition is None  # the editor's first
    shutil.copy(SEEDS[3], tmp_path / "corpus" / SEEDS[3].name)
    (c, d) = edition(cfg, "2026-11-29", readers=(editor, cfg.reader("borders")), formats=None)
    assert c.previous is not None and c.previous.edition == "2026-11-22"
    assert d.previous is not None and d.previous.edition is None
    root = tmp_path / "out" / "editions"
    assert (root / "2026-11-29" / "editor" / "briefing.email.html").is_file()
    assert (root / "2026-11-29" / "borders" / "briefing.json").is_file()
    feed = feedparser.parse((root / "editor" / "feed.atom").read_bytes())
    assert [e.title for e in feed.entries] == ["Russia and the Taliban, 29 November 2026",
                                               "Russia and the Taliban, 22 November 2026"]
    assert feed.entries[0].link == "../2026-11-29/editor/briefing.html"
    main = feedparser.parse((root / "feed.atom").read_bytes())
    assert [e.title for e in main.entries] == [
        "Russia and the Taliban, 29 November 2026 (for borders)",
        "Russia and the Taliban, 29 November 2026 (for editor)",
        "Russia and the Taliban, 22 November 2026 (for editor)",
        "Russia and the Taliban, 15 November 2026"]
    index = (root / "index.html").read_text(encoding="utf-8")
    assert index.count("<li>") == 4
    assert 'href="2026-11-29/editor/briefing.email.html"' in index


def test_send_archives_each_reader_edition_and_marks_what_is_new(tmp_path: Path,
                                                                 fixed_clock: str) -> None:
    delivery = 'delivery:\n  from: "Briefing <briefing@example.org>"\n'
    cfg = workspace(tmp_path, readers=READERS, delivery=delivery)
    send_editions(cfg, BuildOptions(edition=_date("2026-11-15")), dry_run=True)
    for seed in SEEDS[3:]:
        shutil.copy(seed, tmp_path / "corpus" / seed.name)
    warnings: list[str] = []
    report = send_editions(cfg, BuildOptions(edition=_date("2026-11-22")), dry_run=True,
                           warn=warnings.append)
    assert report.ok and not warnings
    root = tmp_path / "out" / "editions"
    for rid in ("editor", "borders"):
        doc = json.loads((root / "2026-11-22" / rid / "briefing.json").read_text("utf-8"))
        assert doc["reader"] == rid and doc["previous"]["edition"] == "2026-11-15"
        new = sum(i["new"] for s in doc["sections"] for i in s["items"])
        assert new == doc["previous"]["new_items"] > 0
        sent = (tmp_path / "out" / "readers" / rid / "briefing.email.html").read_text("utf-8")
        assert sent.count('<span class="badge-new"') == _new_shown(doc, "briefing.email.html")
        assert (root / rid / "feed.atom").is_file()
    assert len(feedparser.parse((root / "feed.atom").read_bytes()).entries) == 4


def test_send_still_delivers_when_the_archive_cannot_be_written(tmp_path: Path,
                                                                fixed_clock: str) -> None:
    delivery = 'delivery:\n  from: "Briefing <briefing@example.org>"\n'
    cfg = workspace(tmp_path, readers=READERS, delivery=delivery)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "editions").write_text("a file where the archive's folder goes")
    warnings: list[str] = []
    report = send_editions(cfg, BuildOptions(edition=_date("2026-11-22")), dry_run=True,
                           warn=warnings.append)
    assert report.ok and report.delivered == ["editor", "borders"]
    assert (tmp_path / "out" / "readers" / "editor" / "briefing.eml").is_file()
    assert sum("could not archive the edition" in w for w in warnings) == 2, warnings
    # a build, by contrast, fails: it did not do all it was asked
    with pytest.raises(ArchiveError):
        edition(cfg, "2026-11-22")


# --- What counts as the same passage --------------------------------------------------------


def _shown(item, start: int | None = None, end: int | None = None,
           path: str | None = None, sha: str | None = "x" * 64, text: str | None = None) -> Shown:
    start = item.start if start is None else start
    end = item.end if end is None else end
    source = seed_text(Path(item.path).name)
    return Shown(path or item.path, start, end, source[start:end] if text is None else text, sha)


def _with_sha(briefing):
    return replace(briefing, sources=tuple(replace(s, sha256="x" * 64) for s in briefing.sources))


def _marks(briefing, shown: list[Shown]) -> list[bool | None]:
    b = compare(briefing, Archived("2026-11-15", tuple(shown), frozenset(), None), [])
    return [i.new for i in items(b)]


def test_a_passage_trimmed_or_extended_a_little_is_not_new_one_mostly_unseen_is() -> None:
    b = _with_sha(seed_briefing())
    first = items(b)[1]  # "Another sweeping military exercise in Tajikistan ..." (S1)
    n = len(first.text)
    cases = {
        "the same span": (_shown(first), False),
        "trimmed: its opening words cut": (_shown(first, start=first.start + 8), False),
        "extended by the sentence before": (_shown(first, start=first.start - 150), False),
        "the item was the half shown before": (_shown(first, end=first.start + n // 2 + 1), False),
        "a third of it shown before": (_shown(first, end=first.start + n // 3), True),
        "another file at those offsets": (_shown(first, path="seeds/other.txt", sha="y" * 64,
                                                 text="z" * n), True),
    }
    for name, (shown, new) in cases.items():
        assert _marks(b, [shown])[1] is new, name


def test_the_same_words_elsewhere_are_not_new_a_changed_text_at_the_offsets_is() -> None:
    b = _with_sha(seed_briefing())
    first = items(b)[1]
    # the same paragraph in a syndicated copy (another file, other offsets, other line breaks)
    copy = Shown("seeds/copy.txt", 40, 40 + len(first.text), first.text.replace(" ", "\n", 3),
                 "y" * 64)
    assert _marks(b, [copy])[1] is False
    # the article was corrected: the old edition's text at these offsets is not this one's
    changed = replace(_shown(first), text="Another quiet week in Tajikistan, nothing to report "
                      + "." * (len(first.text) - 51))
    assert _marks(b, [changed])[1] is True
    # words of the item inside a word of the previous text do not count ("ban" in "Taliban")
    part = Shown("seeds/copy.txt", 0, 9, first.text[1:10], "y" * 64)
    assert _marks(b, [part])[1] is True
    # a record without sha256 (older briefing/1) is compared by path and agreeing text
    old = _shown(first, sha=None)
    assert _marks(seed_briefing(), [old])[1] is False


def test_an_unreadable_previous_edition_marks_nothing_new_and_says_why(tmp_path: Path,
                                                                       fixed_clock: str) -> None:
    cfg = workspace(tmp_path)
    edition(cfg, "2026-11-15")
    shutil.copy(SEEDS[3], tmp_path / "corpus" / SEEDS[3].name)
    record = tmp_path / "out" / "editions" / "2026-11-15" / "briefing.json"
    good = record.read_text(encoding="utf-8")
    damaged = {
        "truncated": good[:len(good) // 2],
        "not UTF-8": "\udcff",
        "another schema": good.replace('"schema": "briefing/1"', '"schema": "briefing/0"'),
        "a list": "[]",
        "sections of the wrong shape": json.dumps({**json.loads(good), "sections": "none"}),
        "an item without offsets": good.replace('"start": ', '"begin": ', 1),
    }
    for name, text in damaged.items():
        record.write_bytes(text.encode("utf-8", "surrogateescape"))
        warnings: list[str] = []
        (b,) = edition(cfg, "2026-11-22", warnings=warnings)
        assert b.previous is not None and b.previous.problem, name
        assert all(i.new is False for i in items(b)), name
        assert any(str(record) in w and "nothing in this edition is marked new" in w
                   for w in warnings), (name, warnings)
        text_edition = (tmp_path / "out" / "briefing.txt").read_text(encoding="utf-8")
        assert "The previous edition of 15 November 2026 could not be read" in text_edition
        doc = json.loads((tmp_path / "out" / "briefing.json").read_text(encoding="utf-8"))
        assert doc["previous"]["problem"] and doc["previous"]["new_items"] == 0, name


def test_a_manifest_from_another_build_leaves_the_article_count_unknown(
        tmp_path: Path, fixed_clock: str) -> None:
    cfg = workspace(tmp_path)
    edition(cfg, "2026-11-15")
    manifest = tmp_path / "out" / "editions" / "2026-11-15" / "articles.txt"
    manifest.write_text("# briefing articles/1 corpus=" + "0" * 64 + "\n", encoding="ascii")
    warnings: list[str] = []
    (b,) = edition(cfg, "2026-11-22", warnings=warnings)
    assert b.previous is not None and b.previous.new_articles is None
    assert b.previous.problem is None and b.previous.edition == "2026-11-15"
    assert any("does not belong" in w for w in warnings)
    line = " ".join((tmp_path / "out" / "briefing.txt").read_text(encoding="utf-8").split())
    assert "Since the edition of 15 November 2026: no new items." in line


# --- Atomic: a failure while archiving ------------------------------------------------------


def test_a_failure_while_archiving_leaves_the_previous_archive_intact(
        tmp_path: Path, fixed_clock: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = workspace(tmp_path)
    edition(cfg, "2026-11-22")
    root = tmp_path / "out" / "editions"
    before = tree(root)
    shutil.copy(SEEDS[3], tmp_path / "corpus" / SEEDS[3].name)
    real = os.chmod
    for fail_at in (1, 3, 6):  # the first file of the edition, one in the middle, the JSON
        calls = {"n": 0}

        def flaky(path: str, mode: int, _at: int = fail_at) -> None:  # once per file staged
            if "/editions/" in str(path):
                calls["n"] += 1  # noqa: B023 (called within its own iteration)
                if calls["n"] == _at:  # noqa: B023
                    raise OSError(28, "No space left on device")
            real(path, mode)

        monkeypatch.setattr(output.os, "chmod", flaky)
        with pytest.raises(ArchiveError, match="No space left on device"):
            edition(cfg, "2026-11-22", formats=("json", "txt", "html", "email"))
        assert tree(root) == before, fail_at  # byte for byte, and no temporary file
    # out/ has the new edition: the build wrote it before archiving
    assert (tmp_path / "out" / "briefing.email.html").is_file()
    # the CLI says what happened, with a non-zero code, not as an internal error
    calls = {"n": 0}
    monkeypatch.setattr(output.os, "chmod", lambda path, mode: flaky(path, mode, 2))
    result = CliRunner().invoke(app, ["build", "--config", str(cfg.path), "--edition-date",
                                      "2026-11-22", "-f", "json"])
    assert result.exit_code == 1 and "could not archive the edition" in result.output
    assert "internal error" not in result.output
    assert tree(root) == before


def test_a_failure_writing_the_index_leaves_index_and_feed_as_they_were(
        tmp_path: Path, fixed_clock: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = workspace(tmp_path)
    edition(cfg, "2026-11-15")
    root = tmp_path / "out" / "editions"
    index, feed = (root / "index.html").read_bytes(), (root / "feed.atom").read_bytes()
    real, refused = os.replace, []

    def refuse(src: str, dst: object) -> None:
        if str(dst).endswith("feed.atom") and not refused:
            refused.append(dst)
            raise OSError(13, "Permission denied")
        real(src, dst)

    monkeypatch.setattr(output.os, "replace", refuse)
    with pytest.raises(ArchiveError, match="index and feed"):
        edition(cfg, "2026-11-22")
    # the index, renamed before the feed failed, has its old content back: the pair changes
    # together or not at all, and no temporary file or kept copy is left behind
    assert (root / "feed.atom").read_bytes() == feed
    assert (root / "index.html").read_bytes() == index
    assert sorted(p.name for p in root.iterdir()) == ["2026-11-15", "2026-11-22", "feed.atom",
                                                      "index.html"]
    monkeypatch.undo()
    edition(cfg, "2026-11-22")
    assert len(feedparser.parse((root / "feed.atom").read_bytes()).entries) == 2


# --- The index page and the feed ------------------------------------------------------------


def _strict_atom(data: bytes) -> ET.Element:
    """The feed parsed by a strict XML parser, with RFC 4287's required elements checked."""
    feed = ET.fromstring(data)
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{tag}")) == 1, tag
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in feed.findall(f"{ATOM}entry"):
        for tag in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{tag}")) == 1, tag
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
        assert entry.findtext(f"{ATOM}id", "").startswith("urn:uuid:")
    return feed


def test_the_feed_is_valid_atom_with_stable_ids(tmp_path: Path, fixed_clock: str) -> None:
    cfg = workspace(tmp_path)
    edition(cfg, "2026-11-15", formats=None)
    shutil.copy(SEEDS[3], tmp_path / "corpus" / SEEDS[3].name)
    edition(cfg, "2026-11-22")
    data = (tmp_path / "out" / "editions" / "feed.atom").read_bytes()
    _strict_atom(data)
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Russia and the Taliban: editions"
    assert parsed.feed.author == "Russia and the Taliban"
    newest, oldest = parsed.entries
    assert newest.title == "Russia and the Taliban, 22 November 2026"
    assert newest.link == "2026-11-22/briefing.html"
    assert newest.updated == "2026-11-22T12:00:00+00:00"
    assert newest.summary.startswith("Since the edition of 15 November 2026: 1 new article")
    assert "The essentials:\n- " in newest.summary
    pdf = [link for link in oldest.links if link.rel == "enclosure"]
    assert pdf and pdf[0].type == "application/pdf" and int(pdf[0].length) > 1000
    ids = [e.id for e in parsed.entries]
    edition(cfg, "2026-11-22", formats=("json",))  # rebuilt: the same entry, not a new one
    again = feedparser.parse((tmp_path / "out" / "editions" / "feed.atom").read_bytes())
    assert [e.id for e in again.entries] == ids and len(set(ids)) == 2
    assert [link.href for link in again.entries[0].links if link.rel == "alternate"] == \
        ["2026-11-22/briefing.json"]  # the edition's only format then


def test_with_a_web_url_the_feed_links_are_absolute_and_name_the_feed(
        tmp_path: Path, fixed_clock: str) -> None:
    delivery = ('delivery:\n  from: "Briefing <briefing@example.org>"\n'
                '  web_url: "https://briefing.example.org/latest/"\n')
    cfg = workspace(tmp_path, readers=READERS, delivery=delivery)
    edition(cfg, "2026-11-22", readers=(None, cfg.reader("editor")))
    root = tmp_path / "out" / "editions"
    parsed = feedparser.parse((root / "feed.atom").read_bytes())
    base = "https://briefing.example.org/latest/editions/"
    assert [e.link for e in parsed.entries] == [f"{base}2026-11-22/briefing.html",
                                               f"{base}2026-11-22/editor/briefing.html"]
    selfs = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert selfs == [f"{base}feed.atom"]
    reader = feedparser.parse((root / "editor" / "feed.atom").read_bytes())
    assert [link.href for link in reader.feed.links if link.rel == "self"] == \
        [f"{base}editor/feed.atom"]


def test_markup_and_control_characters_are_escaped_in_the_index_and_the_feed(
        tmp_path: Path, fixed_clock: str) -> None:
    title = 'Russia <script>alert("x")</script> & the "Taliban"'
    cfg = workspace(tmp_path, title=title)
    edition(cfg, "2026-11-22")
    root = tmp_path / "out" / "editions"
    index = (root / "index.html").read_text(encoding="utf-8")
    assert ("<script>" not in index
            and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp;" in index)
    data = (root / "feed.atom").read_bytes()
    assert b"<script>" not in data
    _strict_atom(data)
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    assert parsed.feed.title == 'Russia <script>alert("x")</script> & the "Taliban": editions'
    # characters XML 1.0 forbids (a form feed, a vertical tab in an article) are left out
    entry = root / "2026-11-22" / "entry.json"
    record = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps({**record, "essentials": ["Talks\x0b in\x0c Moscow\x01."]}),
                     encoding="utf-8")
    write_indexes(root, title=title, web_url=None, env=template_env())
    data = (root / "feed.atom").read_bytes()
    _strict_atom(data)
    parsed = feedparser.parse(data)
    assert not parsed.bozo and parsed.entries[0].summary.endswith("- Talks in Moscow.")


def _fake_edition(root: Path, date: str, reader: str | None = None) -> None:
    folder = archive.edition_folder(root, date, reader)
    folder.mkdir(parents=True)
    (folder / "briefing.json").write_text('{"schema": "briefing/1"}', encoding="utf-8")
    (folder / "briefing.html").write_text("<p>edition</p>", encoding="utf-8")
    entry = {"schema": archive.ENTRY_SCHEMA, "title": "T", "edition": date, "reader": reader,
             "generated_at": f"{date}T06:00:00+00:00", "items": 9, "sources": 3, "new_items": 2,
             "since": "Since the edition before: 1 new article, 2 new items.",
             "essentials": ["A point " * 30], "files": ["briefing.html", "briefing.json"]}
    (folder / "entry.json").write_text(json.dumps(entry), encoding="utf-8")


def test_a_huge_archive_keeps_the_index_and_the_feed_bounded(tmp_path: Path) -> None:
    import datetime as dt

    root = tmp_path / "editions"
    first = dt.date(2020, 1, 1)
    dates = [(first + dt.timedelta(days=n)).isoformat() for n in range(1000)]
    for date in dates:
        _fake_edition(root, date)
    _fake_edition(root, dates[-1], "editor")
    write_indexes(root, title="T", web_url=None, env=template_env(), readers=["editor"])
    parsed = feedparser.parse((root / "feed.atom").read_bytes())
    assert not parsed.bozo and len(parsed.entries) == FEED_ENTRIES
    assert parsed.entries[0].title == "T, 26 September 2022"  # a date's main edition first
    assert parsed.entries[1].title == "T, 26 September 2022 (for editor)"
    index = (root / "index.html").read_text(encoding="utf-8")
    assert index.count("<li>") == INDEX_ENTRIES
    oldest_listed = dt.date.fromisoformat(dates[-1]) - dt.timedelta(days=INDEX_ENTRIES - 2)
    older = (oldest_listed - dt.timedelta(days=1))
    assert f"older ones, from {older.day} " in index
    assert len(index) < 400_000 and (root / "feed.atom").stat().st_size < 200_000
    reader = feedparser.parse((root / "editor" / "feed.atom").read_bytes())
    assert [e.link for e in reader.entries] == ["../2022-09-26/editor/briefing.html"]


def test_an_edition_with_a_damaged_entry_is_still_listed(tmp_path: Path) -> None:
    root = tmp_path / "editions"
    _fake_edition(root, "2026-11-22")
    (root / "2026-11-22" / "entry.json").write_text("{not json", encoding="utf-8")
    (root / "not-a-date").mkdir()
    (root / "2026-02-30").mkdir()  # shaped like a date, but none
    write_indexes(root, title="T", web_url=None, env=template_env())
    parsed = feedparser.parse((root / "feed.atom").read_bytes())
    assert not parsed.bozo and [e.title for e in parsed.entries] == ["T, 22 November 2026"]
    assert parsed.entries[0].summary == "T, 22 November 2026"
    assert 'href="2026-11-22/briefing.html"' in (root / "index.html").read_text("utf-8")


# --- The mark in every format ---------------------------------------------------------------


def test_the_mark_is_a_word_in_every_format() -> None:
    b = seed_briefing()
    marked = compare(b, Archived("2026-11-15", (), frozenset(), None), [])
    n = sum(1 for i in items(marked) if i.new)
    assert n == len(items(b))
    env = template_env()
    for page in (render_html(marked, env), render_email(marked, env)):
        assert page.count(">New</span>") == n
    assert render_text(marked).count("[new] ") == n
    # nothing marked in a briefing built without the archive, nor any since line
    assert ">New</span>" not in render_html(b, env) and 'class="since"' not in render_html(b, env)
