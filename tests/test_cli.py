"""The command line, in-process (typer's CliRunner) and once as the installed entry point."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from typer.testing import CliRunner

from briefing import __version__
from briefing.cli import app
from briefing.errors import ExitCode

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"briefing {__version__}"


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert {"build", "check", "verify", "init", "explain"} <= set(commands)
    for name in commands:
        result = invoke(name, "--help")
        assert result.exit_code == 0, name
        assert f"briefing {name}" in readme, f"`briefing {name}` is not in README.md"


def test_build_seeds_writes_json_and_text_that_verify(in_repo: Path, tmp_path: Path,
                                                     fixed_clock: str) -> None:
    result = invoke("build", "--out", str(tmp_path), "-f", "json", "-f", "txt")
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "briefing.json").read_text(encoding="utf-8"))
    assert doc["schema"] == "briefing/1"
    assert [s["theme"] for s in doc["sections"]] == ["security", "recognition",
                                                     "central-asia-borders"]
    assert doc["corpus"]["articles"] == 5
    assert doc["edition"] == fixed_clock
    assert all(s["items"] for s in doc["sections"])
    verified = invoke("verify", str(tmp_path / "briefing.json"))
    assert verified.exit_code == 0, verified.output
    assert re.search(r"fidelity (\d+)/\1 items exact", verified.output)
    text = (tmp_path / "briefing.txt").read_text(encoding="utf-8")
    assert max(len(line) for line in text.splitlines()) <= 72


def test_build_matches_the_shared_citation_checker(in_repo: Path, tmp_path: Path,
                                                   shared: Path) -> None:
    assert invoke("build", "--out", str(tmp_path), "-f", "json").exit_code == 0
    proc = subprocess.run([sys.executable, str(shared / "tools" / "check_citations.py"),
                           str(tmp_path / "briefing.json")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip().splitlines()[-1].startswith("fidelity")


def test_format_selects_outputs(in_repo: Path, tmp_path: Path) -> None:
    assert invoke("build", "--out", str(tmp_path), "--format", "txt").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["briefing.txt"]
    # the archive keeps the edition as written, and its JSON record whatever was asked for
    (day,) = [p for p in (tmp_path / "editions").iterdir() if p.is_dir()]
    assert {"briefing.txt", "briefing.json"} <= {p.name for p in day.iterdir()}
    assert "briefing.html" not in {p.name for p in day.iterdir()}


def test_unknown_format_is_a_clear_error(in_repo: Path, tmp_path: Path) -> None:
    result = invoke("build", "--out", str(tmp_path), "--format", "docx")
    assert result.exit_code != 0
    assert "unknown format" in result.output and "Traceback" not in result.output


def test_bad_config_reports_every_problem_with_location(tmp_path: Path) -> None:
    cfg = tmp_path / "config" / "briefing.yaml"
    cfg.parent.mkdir()
    cfg.write_text("title: 3\ncorpus: ../nowhere\nthemes:\n  security:\n    terms: security\n"
                   "    colour: red\n", encoding="utf-8")
    result = invoke("check", "--config", str(cfg))
    assert result.exit_code == ExitCode.CONFIG
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) >= 3, result.output
    for ln in lines:
        assert re.match(r"^.+briefing\.yaml:\d+:\d+: ", ln), ln
    assert "Traceback" not in result.output
    assert any("themes.security.terms" in ln for ln in lines)
    assert any("colour" in ln for ln in lines)


def test_missing_config_is_a_clear_error(tmp_path: Path) -> None:
    result = invoke("build", "--config", str(tmp_path / "nope.yaml"))
    assert result.exit_code == ExitCode.INPUT
    assert "nope.yaml" in result.output and "Traceback" not in result.output


def test_missing_corpus_path_on_the_command_line(in_repo: Path, tmp_path: Path) -> None:
    result = invoke("build", "--out", str(tmp_path), "--corpus", str(tmp_path / "missing"))
    assert result.exit_code != 0
    assert "missing" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args", [
    ("build", "--since", "last tuesday"), ("build", "--since", "2026-13-01"),
    ("build", "--edition-date", "x"), ("build", "--format", "docx"),
    ("build", "-f", "pdf", "-f", "odt"),
    ("build", "--reader", "nobody"), ("send", "--reader", "nobody", "--dry-run"),
    ("quotes", "--format", "xml", "seeds"), ("explain", "weather"),
    ("explain", "security", "--limit", "0"),
    ("build", "--no-such-option"),
])
def test_bad_usage_exits_2_with_one_clear_line(in_repo: Path, tmp_path: Path,
                                               args: tuple[str, ...]) -> None:
    result = invoke(*args, "--out", str(tmp_path)) if args[0] == "build" else invoke(*args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "Traceback" not in result.output
    if "--no-such-option" not in args and "--limit" not in args:  # typer's own message otherwise
        [line] = [ln for ln in result.output.splitlines() if ln.strip()]
        assert line.startswith("briefing: "), line
    assert (tmp_path / "briefing.json").exists() is False


def test_since_leaves_undated_articles_out_unless_asked_and_says_so(in_repo: Path,
                                                                    tmp_path: Path) -> None:
    # Of the seeds only 001 (2021-10-20) has a known date.
    args = ("build", "--out", str(tmp_path), "-f", "json", "--since")
    assert invoke(*args, "2021-10-01").exit_code == 0
    doc = json.loads((tmp_path / "briefing.json").read_text(encoding="utf-8"))
    assert doc["corpus"]["articles"] == 1
    assert {s["path"] for s in doc["sources"]} == {"seeds/001_30d30edba93f37e1.txt"}
    [note] = doc["notes"]
    assert "Left out: 4 with no known publication date" in note
    # --undated include keeps them: 001 goes (published before 2022), the undated four stay
    assert invoke(*args, "2022-01-01", "--undated", "include").exit_code == 0
    doc = json.loads((tmp_path / "briefing.json").read_text(encoding="utf-8"))
    assert doc["corpus"]["articles"] == 4
    assert all(s["published"] is None for s in doc["sources"])
    [note] = doc["notes"]
    assert "Kept 4 with no known publication date" in note and "1 published earlier" in note
    assert invoke(*args, "2022-01-01", "--undated", "maybe").exit_code == ExitCode.USAGE


def test_bad_and_empty_files_are_skipped_with_a_warning(tmp_path: Path, in_repo: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REPO / "seeds" / "003_7509f5164e7ba3cf.txt", corpus / "good.txt")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    out = tmp_path / "out"
    result = invoke("build", "--out", str(out), "--corpus", str(corpus), "-f", "json")
    assert result.exit_code == 0, result.output
    assert "empty.txt" in result.output and "binary.txt" in result.output
    checked = invoke("check", "--corpus", str(corpus))  # what build skips, check warns of
    assert checked.exit_code == 0, checked.output
    assert "empty.txt" in checked.output and "binary.txt" in checked.output
    assert "1 article, 2 warnings (see above; build goes on past them)" in checked.output
    assert invoke("check", "--strict", "--corpus", str(corpus)).exit_code == ExitCode.INPUT


def test_verify_catches_a_tampered_item(in_repo: Path, tmp_path: Path) -> None:
    assert invoke("build", "--out", str(tmp_path), "-f", "json").exit_code == 0
    path = tmp_path / "briefing.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    item = doc["sections"][0]["items"][0]
    cut = len(item["text"]) - 10
    item["text"] = item["text"][:cut] + "X" + item["text"][cut + 1:]  # one letter near the end
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = invoke("verify", str(path))
    assert result.exit_code == ExitCode.VERIFY
    [failure] = [ln for ln in result.output.splitlines() if "differs" in ln]
    assert f"at offset {item['start'] + cut} (line " in failure
    assert "X" in failure.split("item ", 1)[1]  # the context shown reaches the changed letter


@pytest.mark.parametrize(("cited", "said"), [
    ("The quick brown fox", None),
    ("The quick brown cat", "the item differs from the source at offset 29 (line 3, column 20): "
                            "source 'The quick brown fox', item 'The quick brown cat'"),
    ("The quick brown fox jumps", "the item goes on past its end offset at offset 32 (line 3, "
                                  "column 23)"),
    ("The quick", "the item stops before its end offset at offset 22 (line 3, column 13)"),
])
def test_verify_says_where_the_item_departs_from_its_source(cited: str, said: str | None) -> None:
    from briefing.publish.verify import difference
    source = "Headline\n\n   The quick brown fox\n"
    start = source.index("The")
    if said is None:
        assert source[start:start + len(cited)] == cited
        return
    assert difference(source, start, start + 19, cited).startswith(said)


def test_init_creates_a_workspace_that_builds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = tmp_path / "ws"
    assert invoke("init", str(ws)).exit_code == 0
    assert (ws / "config" / "briefing.yaml").exists() and (ws / "templates").is_dir()
    monkeypatch.chdir(ws)
    assert invoke("check").exit_code == 0
    result = invoke("build", "-f", "json", "-f", "txt")
    assert result.exit_code == 0, result.output
    assert invoke("verify", "out/briefing.json").exit_code == 0
    again = invoke("init", str(ws))
    assert again.exit_code == ExitCode.INPUT and "already exists" in again.output


def test_init_tells_how_to_run_briefing_and_its_comments_name_real_themes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = tmp_path / "ws"
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # the venv not activated
    made = invoke("init", str(ws))
    command = str(Path(sys.executable).with_name("briefing").absolute())
    assert f"next: cd {ws} && {command} build" in made.output
    text = (ws / "config" / "briefing.yaml").read_text(encoding="utf-8")
    named = re.findall(r"briefing explain (\S+)", text)
    assert named
    monkeypatch.chdir(ws)
    for theme in named:
        assert invoke("explain", theme).exit_code == 0, theme


def test_explain_lists_candidates_and_reasons(in_repo: Path) -> None:
    result = invoke("explain", "security", "--limit", "100")
    assert result.exit_code == 0, result.output
    assert "shown" in result.output and "left out:" in result.output
    # Lavrov's two quotations in 001 are shown as pull quotes, and explain says so
    assert result.output.count("shown as a quotation of Sergey Lavrov") >= 1
    assert "left out: shown as a quotation" not in result.output
    assert invoke("explain", "weather").exit_code == ExitCode.USAGE


def test_installed_entry_point_runs(in_repo: Path, tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "briefing"
    if not exe.exists():
        pytest.skip("the briefing entry point is not installed in this environment")
    proc = subprocess.run([str(exe), "--quiet", "build", "--out", str(tmp_path), "-f", "json"],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "briefing.json").exists()


def test_quotes_json_on_paths_without_a_config(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no config here
    result = invoke("quotes", "--format", "json", str(REPO / "seeds" / "002_aa65c57779faa29c.txt"))
    assert result.exit_code == 0, result.output
    quotes = json.loads(result.output)
    assert [q["speaker"] for q in quotes] == ["Timofey Boikov", "Timofey Boikov", "Wahid Faqiri",
                                              "Azizullah Ma’arij"]
    assert {"path", "start", "end", "text", "speaker", "cue", "kind",
            "confidence"} <= quotes[0].keys()
    out = tmp_path / "q.json"
    out.write_text(result.output, encoding="utf-8")
    assert invoke("verify", str(out)).exit_code == 0


def test_quotes_json_of_one_paragraph_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12's texts, each a file of its own, as a user runs them: all found, verifiable."""
    monkeypatch.chdir(tmp_path)
    texts = ['Burton said, "I love cats!"',
             'Some words first. Burton said, "I love cats and dogs."',
             'Mr. Burton walked in. "Some people say otherwise," he conceded.',
             '"We love cats!" reply Burton and Nick.']
    for n, text in enumerate(texts):
        (tmp_path / f"{n}.txt").write_text(text + "\n", encoding="utf-8")
    result = invoke("quotes", "--format", "json", *(f"{n}.txt" for n in range(len(texts))))
    assert result.exit_code == 0, result.output
    quotes = json.loads(result.output)
    assert [(q["text"], q["speaker"]) for q in quotes] == [
        ("I love cats!", "Burton"), ("I love cats and dogs.", "Burton"),
        # the article names him only 'Mr. Burton': that is his name, title and all (issue 13)
        ("Some people say otherwise", "Mr. Burton"), ("We love cats!", "Burton and Nick")]
    (tmp_path / "q.json").write_text(result.output, encoding="utf-8")
    assert invoke("verify", "q.json").exit_code == 0


def test_quotes_table_on_the_configured_corpus(in_repo: Path) -> None:
    result = invoke("quotes")
    assert result.exit_code == 0, result.output
    assert "Sergey Lavrov" in result.output and "a diplomatic source" in result.output
    assert "Afghan curator" not in result.output  # a scare quote is nobody's words


def test_seed_briefing_carries_attributed_quotes_and_voices(in_repo: Path, tmp_path: Path) -> None:
    assert invoke("build", "--out", str(tmp_path), "-f", "json").exit_code == 0
    doc = json.loads((tmp_path / "briefing.json").read_text(encoding="utf-8"))
    quotes = [i for s in doc["sections"] for i in s["items"] if i["kind"] == "quote"]
    assert quotes and all(q["speaker"] and q["cue"] for q in quotes)
    speakers = {v["speaker"] for v in doc["voices"]}
    assert {"Sergey Lavrov", "Zamir Kabulov", "Timofey Boikov"} <= speakers
    shown = [(i["path"], i["start"], i["end"]) for s in doc["sections"] for i in s["items"]]
    assert len(shown) == len(set(shown))


def test_check_warns_of_what_send_would_refuse(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = tmp_path / "ws"
    assert invoke("init", str(ws)).exit_code == 0
    monkeypatch.chdir(ws)
    cfg = ws / "config" / "briefing.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        'delivery:\n  from: "Briefing <briefing@example.org>"\n', ""), encoding="utf-8")
    monkeypatch.setenv("BRIEFING_SMTP_URL", "smtp://user:secret@mail.example.org")
    result = invoke("check")
    assert result.exit_code == 0, result.output
    assert "delivery.from: not set, so briefing send cannot mail the 1 reader" in result.output
    assert "must not contain a password" in result.output and "secret" not in result.output
    assert invoke("check", "--strict").exit_code == ExitCode.INPUT


def test_the_readme_excerpt_is_the_seed_briefing_of_today() -> None:
    """Each run of lines of the README's briefing.txt excerpt (between "..." lines) stands in the
    golden seed edition as written: refresh the excerpt when scripts/refresh-golden changes it."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("An excerpt of `briefing.txt`", 1)[1].split("```text\n", 1)[1]
    block = block.split("\n```", 1)[0]
    golden = (REPO / "tests" / "golden" / "briefing.txt").read_text(encoding="utf-8")
    for chunk in block.split("\n...\n"):
        assert chunk.strip() and chunk in golden, f"README excerpt is stale:\n{chunk}"


def test_the_readme_lists_every_exit_code() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert re.search(rf"^\| {int(code)} \| ", readme, re.M), (
            f"exit code {int(code)} undocumented")
