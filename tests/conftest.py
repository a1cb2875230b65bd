"""Shared fixtures: the repository, ../shared (skipped with a reason if absent), a fixed clock."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
GOLDEN = REPO / "tests" / "golden"
# 2026-11-22T12:00:00Z: the golden files are built with this clock.
FIXED_EPOCH = "1795348800"
FIXED_EDITION = "2026-11-22"


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"needs ../shared beside the repository ({SHARED} is absent; CI always has it)")
    return SHARED


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    return FIXED_EDITION


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the repository as the working directory (JSON paths are relative to it)."""
    monkeypatch.chdir(REPO)
    return REPO


def pytest_report_header() -> str:
    return f"briefing: shared data {'at ' + str(SHARED) if SHARED.is_dir() else 'ABSENT'}"


os.environ.setdefault("BRIEFING_TEST", "1")
