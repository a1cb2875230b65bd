"""The command line's progress bar: shown only on a terminal and never under --quiet, updated in
the shapes fetch and send report progress in (``briefing/console.py``). The CLI tests run
without a terminal, so the bar is tried here on a real pseudo-terminal, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from briefing.console import Bar, progress

SCRIPT = """
import sys
from briefing.console import progress
with progress("fetching", quiet=sys.argv[1] == "quiet") as bar:
    sys.__stdout__.write("bar" if bar is not None else "none")  # rich takes over sys.stdout
    if bar is not None:
        bar.step(1, 0, "https://example.org/" + "x" * 200)  # a total not known yet, a long URL
        bar.step(2, 3, "feed")
        bar.sent(3, 3, "editor", "delivered")
"""


def test_the_bar_is_updated_as_fetch_and_send_report() -> None:
    calls: list[dict[str, object]] = []
    bar = Bar(lambda **fields: calls.append(fields))
    bar.step(1, 0, "u" * 100)
    bar.step(2, 5, "feed")
    bar.sent(3, 4, "editor", "deferred: 451 greylisted")
    assert calls == [
        {"completed": 1, "total": None, "description": "u" * 60},  # 0: not known yet
        {"completed": 2, "total": 5, "description": "feed"},
        {"completed": 3, "total": 4, "description": "editor: deferred: 451 greylisted"},
    ]


def test_no_bar_without_a_terminal_or_under_quiet() -> None:
    with progress("fetching", quiet=False) as bar:  # pytest's stderr is not a terminal
        assert bar is None or sys.stderr.isatty()
    with progress("fetching", quiet=True) as bar:
        assert bar is None


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("mode", "expected"), [("loud", "bar"), ("quiet", "none")])
def test_a_bar_on_a_terminal_unless_quiet(tmp_path: Path, mode: str, expected: str) -> None:
    leader, follower = os.openpty()
    shown = bytearray()

    def drain() -> None:  # the terminal's side, read as it is written (a full pty blocks)
        try:
            while chunk := os.read(leader, 4096):
                shown.extend(chunk)
        except OSError:  # the last writer is gone
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        done = subprocess.run([sys.executable, "-c", SCRIPT, mode], stderr=follower,
                              stdout=subprocess.PIPE, text=True, timeout=60, cwd=tmp_path)
    finally:
        os.close(follower)
        reader.join(timeout=10)
        os.close(leader)
    assert done.returncode == 0
    assert done.stdout == expected
    screen = shown.decode("utf-8", "replace")
    if expected == "bar":
        assert "fetching" in screen and "editor: delivered" in screen  # the first, the last
    else:
        assert screen == ""
