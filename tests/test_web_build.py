"""A build over saved web pages, an email and a PDF beside plain text: citations exact in the
reading texts written beside the edition (``text_path``), checked by ``briefing verify`` and by
``../shared/tools/check_citations.py``; nothing of a hostile page reaches an edition as markup."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_documents import make_pdf

from briefing.config.load import load_config
from briefing.pipeline import BuildOptions, build
from briefing.publish.verify import verify_file

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    articles = tmp_path / "articles"
    articles.mkdir()
    for page in (TESTS / "data" / "web").glob("*.html"):
        shutil.copy(page, articles / page.name)
    for mail in (TESTS / "data" / "documents").glob("*.eml"):
        shutil.copy(mail, articles / mail.name)
    (articles / "report.pdf").write_bytes(make_pdf(TESTS / "data" / "documents" / "report.html"))
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    config = yaml.safe_load((REPO / "config" / "briefing.yaml").read_text(encoding="utf-8"))
    config["corpus"] = ["../articles", "../seeds"]
    config["themes"]["water"] = {"title": "Water", "terms": ["Amu Darya^2", "canal^2", "water"],
                                 "max_items": 4}
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "briefing.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_citations_of_pages_emails_and_pdfs_are_exact_in_their_reading_texts(
        workspace: Path, fixed_clock: str) -> None:
    config = load_config(Path("config/briefing.yaml"))
    build(config, BuildOptions(formats=("json", "html", "email", "txt")))
    doc = json.loads(Path("out/briefing.json").read_text(encoding="utf-8"))
    derived = [s for s in doc["sources"] if not s["path"].endswith((".txt", ".md"))]
    assert {Path(s["path"]).suffix for s in derived} >= {".html", ".eml", ".pdf"}
    for s in derived:
        assert s["text_path"].startswith("out/texts/") and Path(s["text_path"]).is_file()
        assert s["encoding"] == "utf-8" and s["path"].startswith("articles/")
    assert all("text_path" not in s for s in doc["sources"] if s not in derived)
    cited = {s["id"] for s in derived}
    items = [i for sec in doc["sections"] for i in sec["items"] if i["source"] in cited]
    assert items  # the pages are cited, not merely read
    report = verify_file(Path("out/briefing.json"))
    assert report.ok and report.total > 20, report.failures
    # the archived copy of the edition names the same texts, and verifies too
    (archived,) = Path("out/editions").glob("*/briefing.json")
    assert verify_file(archived).ok


def test_the_shared_checker_passes_on_it(workspace: Path, fixed_clock: str, shared: Path) -> None:
    build(load_config(Path("config/briefing.yaml")), BuildOptions(formats=("json",)))
    result = subprocess.run([sys.executable, str(shared / "tools" / "check_citations.py"),
                             "out/briefing.json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("fidelity ")


def test_verify_refuses_a_page_cited_without_its_reading_text(workspace: Path,
                                                              fixed_clock: str) -> None:
    build(load_config(Path("config/briefing.yaml")), BuildOptions(formats=("json",)))
    doc = json.loads(Path("out/briefing.json").read_text(encoding="utf-8"))
    for s in doc["sources"]:
        s.pop("text_path", None)
    Path("bad.json").write_text(json.dumps(doc), encoding="utf-8")
    report = verify_file(Path("bad.json"))
    assert not report.ok
    assert any("is cited in its reading text, and no text_path names it" in f
               for f in report.failures)


def test_reading_texts_are_written_once_and_kept_for_the_archive(workspace: Path,
                                                                 fixed_clock: str) -> None:
    config = load_config(Path("config/briefing.yaml"))
    build(config, BuildOptions(formats=("json",)))
    texts = {p.name: p.stat().st_mtime_ns for p in Path("out/texts").iterdir()}
    build(config, BuildOptions(formats=("json",)))
    assert {p.name: p.stat().st_mtime_ns for p in Path("out/texts").iterdir()} == texts


def test_a_hostile_page_reaches_no_edition_as_markup(workspace: Path, fixed_clock: str) -> None:
    config = load_config(Path("config/briefing.yaml"))
    config = type(config)(**{**config.__dict__, "corpus": (workspace / "articles" / "hostile.html",
                                                            workspace / "seeds")})
    build(config, BuildOptions(formats=("json", "html", "email", "txt")))
    doc = json.loads(Path("out/briefing.json").read_text(encoding="utf-8"))
    (page,) = [s for s in doc["sources"] if s["path"].endswith("hostile.html")]
    assert page["title"] == "Taliban envoy meets Russian officials" and page["url"] is None
    for name in ("briefing.html", "briefing.email.html"):
        html = Path("out", name).read_text(encoding="utf-8")
        for never in ("javascript:", "onerror", "onload", "onclick", "<iframe", "<object",
                      "<embed", "evil.example", "alert(", "<svg onload"):
            assert never not in html, (name, never)
