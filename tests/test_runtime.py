"""The command's process-wide speed-ups (briefing/runtime.py), run through the real entry point:
a success ends with os._exit once its output is flushed, the collector off; a failure exits the
ordinary way with its code and message; BRIEFING_NO_SPEEDUPS=1 turns both tricks off."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from briefing import runtime

# Imported by Python at start-up when its folder is on PYTHONPATH: it reports how the process
# ends (os._exit, with the collector's state; or an ordinary exit, through atexit).
SITECUSTOMIZE = """\
import atexit, gc, os, sys

_exit = os._exit


def _reporting_exit(code):
    sys.stderr.write(f"os._exit({code}) with the collector {'on' if gc.isenabled() else 'off'}\\n")
    sys.stderr.flush()
    _exit(code)


os._exit = _reporting_exit
atexit.register(lambda: sys.stderr.write(
    f"ordinary exit with the collector {'on' if gc.isenabled() else 'off'}\\n"))
"""


def entry_point() -> str:
    script = Path(sys.executable).with_name("briefing")
    if not script.exists():
        pytest.skip(f"no {script}: the package is not installed in this interpreter's venv")
    return str(script)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    shutil.copytree(REPO / "config", tmp_path / "config")
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    return tmp_path


def briefing(ws: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", runtime.SWITCH)}
    environ.update(PYTHONPATH=str(ws / "hooks"), **env)
    return subprocess.run([entry_point(), *args], cwd=ws, env=environ, capture_output=True,
                          text=True, timeout=300)


def test_a_successful_run_ends_with_os_exit_once_its_output_is_flushed(ws: Path) -> None:
    done = briefing(ws, "build", "-f", "json", "-f", "txt")
    assert done.returncode == 0, done.stderr
    # every line written before the exit reached the pipe, and the files are in place
    lines = done.stdout.splitlines()
    assert sorted(lines[:2]) == ["wrote out/briefing.json", "wrote out/briefing.txt"]
    assert len(lines) == 3 and lines[2].startswith("archived out/editions/")
    assert (ws / "out" / "briefing.json").stat().st_size > 0
    assert done.stderr.splitlines() == ["os._exit(0) with the collector off"]
    # the store's lock went with the process: a second build does not wait for it
    again = briefing(ws, "build", "-f", "json", BRIEFING_LOCK_TIMEOUT="0")
    assert again.returncode == 0, again.stderr


def test_a_failing_run_exits_the_ordinary_way_with_its_code_and_message(ws: Path) -> None:
    done = briefing(ws, "build", "--config", "missing.yaml")
    assert done.returncode == 4
    assert "missing.yaml" in done.stderr and "os._exit" not in done.stderr
    assert done.stderr.splitlines()[-1] == "ordinary exit with the collector on"
    usage = briefing(ws, "build", "--format", "docx")
    assert usage.returncode == 2 and "docx" in usage.stderr and "os._exit" not in usage.stderr


def test_the_switch_turns_the_speedups_off(ws: Path) -> None:
    done = briefing(ws, "build", "-f", "json", **{runtime.SWITCH: "1"})
    assert done.returncode == 0, done.stderr
    assert "wrote out/briefing.json" in done.stdout
    assert done.stderr.splitlines() == ["ordinary exit with the collector on"]
    assert runtime.speedups_on({runtime.SWITCH: "0"}) and runtime.speedups_on({})
    assert not runtime.speedups_on({runtime.SWITCH: "yes"})


def test_a_long_ingestion_runs_with_the_collector_on() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with runtime.collecting():
            assert gc.isenabled()
        assert not gc.isenabled()  # as the run had it
        gc.enable()
        with runtime.collecting():
            assert gc.isenabled()
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def test_the_switch_leaves_cffi_as_it_is(tmp_path: Path) -> None:
    """The PDF's fast path for cffi's type names is a change to a library for the whole
    process: with the switch on, a PDF is laid out by cffi's own parser."""
    script = ("import os, sys; from briefing.publish import pdf, render\n"
              "from weasyprint.text.ffi import ffi\n"
              "pdf.html_to_pdf('<p>x</p>', assets=render.assets_dir())\n"
              "print(hasattr(ffi._parser.parse_type_and_quals, 'original'))\n")
    env = {k: v for k, v in os.environ.items() if k != runtime.SWITCH}
    fast = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    plain = subprocess.run([sys.executable, "-c", script], env={**env, runtime.SWITCH: "1"},
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (fast.stdout.strip(), plain.stdout.strip()) == ("True", "False"), (fast.stderr,
                                                                               plain.stderr)
