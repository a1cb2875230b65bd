"""Reading articles: finding files, exact decoding, front matter, manifest and inferred metadata."""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import pytest

from briefing.errors import InputError
from briefing.read.corpus import load_corpus, read_article
from briefing.read.files import find_articles
from briefing.read.segment import segment

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
ARTICLES = Path(__file__).resolve().parent / "data" / "articles"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _read(path: Path, manifest: dict | None = None) -> tuple[object, list[str]]:
    warnings: list[str] = []
    return read_article(path, path.parent, manifest, warnings.append), warnings


def _checker_text(path: Path, encoding: str) -> str:
    """The text exactly as check_citations.py reads it."""
    with open(path, encoding=encoding, newline="") as fh:
        return fh.read()


# --- Finding files --------------------------------------------------------------------------


def test_find_articles_recursive_sorted_deduplicated(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("b/2.txt", "a.md", "b/1.TXT", "c.html", "d.docx", "e.PDF", ".secret.txt",
                 ".hidden/x.txt"):
        (tmp_path / name).write_text("Text.\n", encoding="utf-8")
    found = find_articles([tmp_path, tmp_path / "a.md", tmp_path / "b"])
    # web pages, emails and PDFs are articles too (briefing/formats.py); other files are not
    assert [f.relative_to(tmp_path).as_posix() for f, _ in found] == [
        "a.md", "b/1.TXT", "b/2.txt", "c.html", "e.PDF"]
    assert all(root == tmp_path for _, root in found)


def test_find_articles_file_given_directly_is_rooted_at_its_folder(tmp_path: Path) -> None:
    f = tmp_path / "one.txt"
    f.write_text("Text.\n", encoding="utf-8")
    assert find_articles([f]) == [(f, tmp_path)]


def test_missing_paths_are_an_input_error_naming_each(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        find_articles([tmp_path / "nope", SEEDS, tmp_path / "gone.txt"])
    lines = err.value.lines()
    assert len(lines) == 2
    assert "nope" in lines[0] and "gone.txt" in lines[1]


# --- Decoding -------------------------------------------------------------------------------


def test_empty_and_binary_files_are_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    (tmp_path / "bin.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    (tmp_path / "ok.txt").write_text("Headline\n\nBody.\n", encoding="utf-8")
    warnings: list[str] = []
    articles = load_corpus([tmp_path], None, warnings.append)
    assert [a.id for a in articles] == ["ok.txt"]
    assert any(w.startswith("skipped ") and w.endswith("empty.txt: empty file") for w in warnings)
    assert any("bin.txt: binary or undecodable file" in w for w in warnings)


def test_bom_and_crlf_keep_offsets_the_checker_sees(tmp_path: Path) -> None:
    f = tmp_path / "bom.txt"
    f.write_bytes(codecs.BOM_UTF8 + "Moscow talks\r\n\r\nLavrov said “yes”.\r\n".encode())
    a, _ = _read(f)
    assert a.encoding == "utf-8-sig"
    assert a.text == _checker_text(f, a.encoding)
    assert "\r\n" in a.text and not a.text.startswith("\ufeff")
    assert a.meta.title == "Moscow talks"


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Transfer fee for Mutu, a £15.8m signing, café owners say.\n", "latin-1"),
        ("“Smart quotes” and a dash – from Windows.\n", "cp1252"),
        ("Москва приняла делегацию талибов. Переговоры продолжатся завтра в столице.\n" * 3,
         "cp1251"),
    ],
)
def test_legacy_encodings_are_detected_and_named(tmp_path: Path, text: str, codec: str) -> None:
    f = tmp_path / "legacy.txt"
    f.write_bytes(text.encode(codec))
    a, warnings = _read(f)
    assert a is not None, warnings
    assert codecs.lookup(a.encoding)  # a name Python understands
    assert a.text == _checker_text(f, a.encoding) == text


@pytest.mark.shared
def test_bbc_latin1_article() -> None:
    path = SHARED / "corpora" / "bbc-news" / "sport" / "199.txt"
    if not path.exists():
        pytest.skip(f"shared corpus not found at {path}")
    a, _ = _read(path)
    assert a.encoding in {"cp1252", "iso8859-1", "latin-1"}
    assert "£15.8m" in a.text
    assert a.text == _checker_text(path, a.encoding)


# --- Metadata -------------------------------------------------------------------------------

SEED_META = {
    "000": dict(title="Russian Foreign Ministry Explained the purpose of Moscow’s talks with the "
                "Taliban", outlet=None, byline=None, inferred=("title",)),
    "001": dict(title="Russia hosts talks aimed at stabilising Afghanistan under the Taliban",
                outlet="Associated Press", byline="Vladimir Isachenkov",
                inferred=("title", "outlet", "byline")),
    "002": dict(title="Moscow developing ties with the Taliban: Russian foreign ministry",
                outlet=None, byline=None, inferred=("title",)),
    "003": dict(title="Taliban coming to Moscow", outlet="WHAT REALLY HAPPENED", byline=None,
                inferred=("title", "outlet")),
    # an opinion column with no headline: a title is never guessed from its first sentence
    "004": dict(title=None, outlet=None, byline=None, inferred=()),
}


@pytest.mark.parametrize("prefix", sorted(SEED_META))
def test_seed_metadata(prefix: str) -> None:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    a, warnings = _read(path)
    assert not warnings
    assert a.id == path.name and a.encoding == "utf-8" and a.body_start == 0
    meta = a.meta
    want = SEED_META[prefix]
    assert (meta.title, meta.outlet, meta.byline, meta.inferred) == (
        want["title"], want["outlet"], want["byline"], want["inferred"])
    # no seed dates itself; 001's "© 2022" footer is not a publication date
    assert meta.published is None


def test_front_matter_is_parsed_and_manifest_overrides_it() -> None:
    path = ARTICLES / "opinion.md"
    a, _ = _read(path)
    assert a.text[a.body_start :].lstrip().startswith("# Why Moscow")
    assert (a.meta.title, a.meta.outlet, a.meta.published) == (
        "Why Moscow talks to the Taliban", "The Example Review", "2021-07-20")
    assert a.meta.inferred == ()
    manifest = {path.resolve(): {"title": None, "outlet": "Override Weekly", "byline": "A. Writer",
                                 "published": "2021-07-21", "url": "https://example.org/x"}}
    b, _ = _read(path, manifest)
    assert (b.meta.title, b.meta.outlet, b.meta.byline, b.meta.published, b.meta.url) == (
        "Why Moscow talks to the Taliban", "Override Weekly", "A. Writer", "2021-07-21",
        "https://example.org/x")
    assert b.meta.inferred == ()


def test_bad_front_matter_warns_and_is_ignored(tmp_path: Path) -> None:
    f = tmp_path / "bad.md"
    f.write_text("---\ntitle: [unclosed\n---\nHeadline here\n\nBody.\n", encoding="utf-8")
    a, warnings = _read(f)
    assert a is not None and a.meta.title == "Headline here"
    assert warnings and "front matter" in warnings[0]


def test_wire_story_byline_and_dateline() -> None:
    a, _ = _read(ARTICLES / "wire_story.txt")
    assert a.meta.title == "Taliban envoys hold talks in Ashgabat on pipeline security"
    assert (a.meta.byline, a.meta.outlet) == ("Jane Doe and John Roe", "Reuters")
    assert a.meta.published == "2021-07-14"
    assert set(a.meta.inferred) == {"title", "byline", "outlet", "published"}


def test_date_at_the_top_of_the_body_dates_the_article() -> None:
    a, _ = _read(ARTICLES / "dated_top.txt")
    assert a.meta.published == "2021-03-12"
    assert "published" in a.meta.inferred


def test_no_title_is_guessed_from_the_opening_when_there_is_no_headline() -> None:
    a, _ = _read(ARTICLES / "no_headline.txt")
    assert a.meta.title is None and "title" not in a.meta.inferred
    assert a.meta.published is None


def test_one_paragraph_file_is_body_and_untitled(tmp_path: Path) -> None:
    f = tmp_path / "note.txt"
    f.write_text('Some words first. Burton said, "I love cats and dogs."\n', encoding="utf-8")
    a, _ = _read(f)
    assert a.meta.title is None and a.meta.inferred == ()
    assert [p.kind for p in segment(a).paragraphs] == ["body"]


def test_sha256_is_of_the_bytes() -> None:
    import hashlib

    path = next(SEEDS.glob("000_*.txt"))
    a, _ = _read(path)
    assert a.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_load_corpus_ids_are_relative_to_root_with_forward_slashes(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "deeper" / "x.txt").write_text("Headline\n\nBody.\n", encoding="utf-8")
    articles = load_corpus([tmp_path], None, lambda _: None)
    assert [a.id for a in articles] == ["sub/deeper/x.txt"]


def test_load_corpus_is_fast(tmp_path: Path) -> None:
    """A thousand short articles load without a pathological slowdown. Speed itself is
    measured by benchmarks/bench_scale.py, not asserted here: a timing bound in a test fails on
    a loaded machine (3.8 s once against 3 s), so this one only catches something quadratic."""
    text = (next(SEEDS.glob("001_*.txt"))).read_bytes()
    for i in range(1000):
        (tmp_path / f"{i:04d}.txt").write_bytes(text)
    start = time.perf_counter()
    articles = load_corpus([tmp_path], None, lambda _: None)
    elapsed = time.perf_counter() - start
    assert len(articles) == 1000
    assert elapsed < 30.0, f"{elapsed:.2f}s for 1000 files (about 0.5 s normally)"


# --- Hostile files: nothing one file holds can sink a run -----------------------------------


def _bomb(levels: int = 9) -> str:
    """The 'billion laughs': nine lists of nine aliases, 9**9 strings once expanded."""
    lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghij"
    for prev, name in zip(names, names[1:levels]):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines += [f"title: *{names[levels - 1]}", "---", "", "Troops and the border, in a body."]
    return "\n".join(lines) + "\n"


def test_a_yaml_anchor_bomb_skips_its_file_at_once(tmp_path: Path) -> None:
    """The bomb made the whole build die of MemoryError after 42 s (str() of the title
    expanded it): aliases are refused before anything is built, the file is skipped with its
    line, and the others are read."""
    (tmp_path / "bomb.md").write_text(_bomb(), encoding="utf-8")
    (tmp_path / "ok.txt").write_text("Headline\n\nBody.\n", encoding="utf-8")
    warnings: list[str] = []
    start = time.perf_counter()
    articles = load_corpus([tmp_path], None, warnings.append)
    assert time.perf_counter() - start < 10
    assert [a.id for a in articles] == ["ok.txt"]
    assert warnings == [f"skipped {tmp_path.as_posix()}/bomb.md:3: front matter uses a YAML "
                        "alias (*a); aliases are not allowed"]


@pytest.mark.parametrize(("front", "read", "warning"), [
    ("title: x\ndeep: " + "[" * 5000, False, "bad.md:3: front matter is nested more than 16 "
     "levels deep"),
    ("title: x\nbig: '" + "y" * 70_000 + "'", False, "bad.md: front matter over 65,536 "
     "characters"),
    ("title: x\nn: " + "1" * 6000, True, None),  # more digits than int() takes: kept as text
    ("title: x\nwhen: 2021-02-30 10:00:00", True, None),  # a timestamp that is no date
    ("title: x\npublished: 2021-13-45", True, "bad.md:3: published: expected a date "
     "(YYYY-MM-DD), got '2021-13-45'; ignored"),
    ("title: [a, b]\nbyline: {x: 1}", True, "bad.md:2: title: expected a single value, got a "
     "list; ignored"),
    ("title: x\n? [1, 2]\n: 3", True, "bad.md: front matter is not valid YAML: while "
     "constructing a mapping; front matter ignored"),
    ("title: !!python/object:os.system x", True, "bad.md: front matter is not valid YAML: "
     "could not determine a constructor for the tag "
     "'tag:yaml.org,2002:python/object:os.system'; front matter ignored"),
    ("title: x\x07", True, "bad.md: front matter is not valid YAML: unacceptable character "
     "#x0007: special characters are not allowed; front matter ignored"),
], ids=["deep", "large", "long-int", "bad-timestamp", "bad-date", "not-one-value",
        "unhashable-key", "python-tag", "control-character"])
def test_hostile_front_matter_never_fails_the_run(tmp_path: Path, front: str, read: bool,
                                                  warning: str | None) -> None:
    """Each of these ended the build with an internal error (RecursionError, ValueError) or
    was read whole; now each is skipped, or read with the bad part left out, and said so."""
    f = tmp_path / "bad.md"
    f.write_text(f"---\n{front}\n---\n\nTroops and the border, in a body.\n", encoding="utf-8")
    a, warnings = _read(f)
    assert (a is not None) == read
    if warning is None:
        assert warnings == []
    else:
        assert [w.replace(f"{tmp_path.as_posix()}/", "") for w in warnings][0].endswith(warning)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd",
                                 "data:text/html,<script>x</script>", "JavaScript:alert(1)",
                                 "java\tscript:alert(1)", "//example.org/x", "https://",
                                 "http://[::1", "mailto:x@example.org"])
def test_a_url_that_is_not_http_is_dropped_at_its_line(tmp_path: Path, url: str) -> None:
    f = tmp_path / "link.md"
    f.write_text(f'---\ntitle: Linked\nurl: "{url.replace(chr(9), chr(92) + "t")}"\n---\n\n'
                 "Troops and the border, in a body.\n", encoding="utf-8")
    a, warnings = _read(f)
    assert a is not None and a.meta.title == "Linked" and a.meta.url is None
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{tmp_path.as_posix()}/link.md:3: url: expected an http: or "
                                  "https: address, got ")
    assert warnings[0].endswith("; url dropped")


def test_an_http_url_is_kept_from_front_matter_and_manifest(tmp_path: Path) -> None:
    f = tmp_path / "link.md"
    f.write_text("---\nurl: HTTPS://example.org/a?b=c#d\n---\n\nBody.\n", encoding="utf-8")
    a, warnings = _read(f)
    assert (a.meta.url, warnings) == ("HTTPS://example.org/a?b=c#d", [])
    b, warnings = _read(f, {f.resolve(): {"url": "javascript:alert(1)"}})
    assert b.meta.url == "HTTPS://example.org/a?b=c#d"  # the manifest's bad one is not taken
    assert warnings == [f"{tmp_path.as_posix()}/link.md: url: expected an http: or https: "
                        "address, got 'javascript:alert(1)'; url dropped"]


def test_control_characters_never_reach_metadata(tmp_path: Path) -> None:
    """Titles, outlets and bylines, whether from the text, front matter or the manifest, are
    one line with no control character (a terminal escape, a bell, a right-to-left override)."""
    f = tmp_path / "ctl.txt"
    f.write_text("Troops \x1b[31mred\x1b[0m at the\x07 border \u202eevil | SITE\x01X\n\n"
                 "By Jane\x0bDoe\n\nThe body.\n", encoding="utf-8")
    a, _ = _read(f)
    assert (a.meta.title, a.meta.outlet) == ("Troops [31mred [0m at the border evil", "SITE X")
    g = tmp_path / "fm.md"
    g.write_text('---\ntitle: "Bell\\a here\\e[2J"\noutlet: "Out\\u202elet"\n---\n\nBody.\n',
                 encoding="utf-8")
    b, _ = _read(g, {g.resolve(): {"byline": "A\x1b]0;owned\x07 Writer"}})
    assert (b.meta.title, b.meta.outlet, b.meta.byline) == ("Bell here [2J", "Out let",
                                                            "A ]0;owned Writer")
    for meta in (a.meta, b.meta):
        for value in (meta.title, meta.outlet, meta.byline):
            assert value is None or all(c >= " " and not "\x7f" <= c <= "\x9f" for c in value)


def test_an_article_over_the_size_cap_is_skipped_without_being_read(tmp_path: Path) -> None:
    from briefing.read.corpus import MAX_ARTICLE_BYTES

    big = tmp_path / "big.txt"
    with big.open("w", encoding="utf-8") as fh:
        line = "Troops on the border in a very long article of one million short lines.\n"
        while fh.tell() <= MAX_ARTICLE_BYTES:
            fh.write(line * 1000)
    size = big.stat().st_size
    a, warnings = _read(big)
    assert a is None
    assert warnings == [f"skipped {big.as_posix()}: {size / 2**20:.1f} MiB, over the 4 MiB an "
                        "article may have"]
    big.write_bytes(big.read_bytes()[:MAX_ARTICLE_BYTES])  # at the cap: read
    a, warnings = _read(big)
    assert a is not None and warnings == []


def test_check_and_build_report_a_bad_url_at_the_same_line(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """What ``check`` says of an article's url is what ``build`` says (one reader, one
    warning), and a bad url in the config's sources manifest is a config error at its place."""
    import shutil

    from typer.testing import CliRunner

    from briefing.cli import app

    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "config", tmp_path / "config")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds" / "linked.md").write_text(
        "---\ntitle: Linked\nurl: javascript:alert(1)\n---\n\nTroops at the border.\n",
        encoding="utf-8")
    said = ("warning: seeds/linked.md:3: url: expected an http: or https: address, got "
            "'javascript:alert(1)'; url dropped")
    runner = CliRunner()
    check = runner.invoke(app, ["check"])
    build = runner.invoke(app, ["build", "-f", "json", "--out", str(tmp_path / "out")])
    assert said in check.output.splitlines(), check.output
    assert build.exit_code == 0 and said in build.output.splitlines(), build.output
    config = tmp_path / "config" / "briefing.yaml"
    text = config.read_text(encoding="utf-8")
    first = text.index("  - path: ../seeds/000")
    line = text[:first].count("\n") + 1  # where the url goes
    config.write_text(text[:first] + '  - url: "file:///etc/passwd"\n    path' +
                      text[first + len("  - path"):], encoding="utf-8")
    check = runner.invoke(app, ["check"])
    assert check.exit_code == 3
    assert (f"config/briefing.yaml:{line}:10: sources[0].url: expected a URL (http: or "
            "https:), got 'file:///etc/passwd'") in check.output.splitlines(), check.output


@pytest.mark.parametrize("url", ["https://example.org/a\tb", "https://example.org/\x01",
                                 "https://exa mple.org/", "http://[::1"])
def test_the_config_refuses_the_urls_an_edition_would_not_link(tmp_path: Path, url: str) -> None:
    """The config checker asks the same rule as the reader and the renderers: a manifest url
    the editions would not link is a config error at its place, not a silent drop later."""
    from briefing.config.load import load_config
    from briefing.errors import ConfigError

    article = tmp_path / "a.txt"
    article.write_text("Headline\n\nBody.\n", encoding="utf-8")
    config = tmp_path / "briefing.yaml"
    config.write_text(f'title: T\ncorpus: .\nthemes:\n  t:\n    terms: [body]\nsources:\n'
                      f'  - path: a.txt\n    url: "{url.encode("unicode_escape").decode()}"\n',
                      encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(config)
    assert [f"{p.line}:{p.col}: {p.where}" for p in err.value.problems] == ["8:10: sources[0].url"]
