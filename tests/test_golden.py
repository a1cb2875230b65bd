"""The seed briefing, built with a fixed clock, equals the reviewed golden files.

It is built in a workspace of its own (a copy of the seeds and the config, its store empty),
as on a clean checkout: never over the repository's own ``.briefing/``, whose kept results a
change could be served from. Refresh after an intended change with `scripts/refresh-golden`
and review the diff.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
from conftest import FIXED_EDITION, GOLDEN, REPO
from typer.testing import CliRunner

from briefing.cli import app

FILES = ["briefing.json", "briefing.txt", "briefing.html", "briefing.email.html"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("golden-workspace")
    for folder in ("seeds", "config"):  # the same layout: JSON paths read seeds/...
        shutil.copytree(REPO / folder, ws / folder)
    out = tmp_path_factory.mktemp("golden")
    mp = pytest.MonkeyPatch()
    mp.chdir(ws)
    mp.setenv("SOURCE_DATE_EPOCH", "1795348800")
    try:
        result = CliRunner().invoke(app, ["--quiet", "build", "--edition-date", FIXED_EDITION,
                                          "--out", str(out), "-f", "json", "-f", "txt",
                                          "-f", "html", "-f", "email"])
        assert result.exit_code == 0, result.output
    finally:
        mp.undo()
    assert (ws / ".briefing" / "store.sqlite").is_file()  # its own store, made by this build
    return out


@pytest.mark.parametrize("name", FILES)
def test_seed_briefing_matches_golden(built: Path, name: str) -> None:
    golden = GOLDEN / name
    assert golden.exists(), f"{golden} missing: run scripts/refresh-golden"
    want = golden.read_text(encoding="utf-8")
    got = (built / name).read_text(encoding="utf-8")
    if got != want:
        diff = "".join(list(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                 f"golden/{name}", f"built/{name}"))[:80])
        pytest.fail(f"{name} differs from the golden file (scripts/refresh-golden if intended):"
                    f"\n{diff}")
