"""The send ledger, the send lock and the readers' ``since`` windows."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_delivery import workspace

from briefing.config.model import Reader
from briefing.errors import BusyError, DeliveryError
from briefing.judge.readers import Window, edition_window, reader_since, window_start
from briefing.pipeline import BuildOptions, build
from briefing.store.ledger import ledger_path, open_ledger, read_ledger, send_lock

TITLE = "Russia and the Taliban"


def test_record_has_get_and_last_edition(tmp_path: Path) -> None:
    with open_ledger(tmp_path) as ledger:
        assert not ledger.has("2026-11-22", TITLE, "editor")
        ledger.record("2026-11-20", TITLE, "editor", recipient="e@example.org",
                      message_id="<a@example.org>")
        ledger.record("2026-11-22", TITLE, "editor", recipient="e@example.org",
                      message_id="<b@example.org>")
        assert ledger.has("2026-11-22", TITLE, "editor")
        assert not ledger.has("2026-11-22", "Another briefing", "editor")
        assert not ledger.has("2026-11-22", TITLE, "analyst")
        row = ledger.get("2026-11-22", TITLE, "editor")
        assert row is not None and row.message_id == "<b@example.org>" and row.sends == 1
        assert ledger.last_edition(TITLE, "editor") == "2026-11-22"
        assert ledger.last_edition(TITLE, "editor", before="2026-11-22") == "2026-11-20"
        assert ledger.last_edition(TITLE, "analyst") is None
    assert ledger_path(tmp_path).is_file()
    # Reopened: the rows were committed, one transaction each.
    with open_ledger(tmp_path) as again:
        assert [r.edition for r in again.records()] == ["2026-11-20", "2026-11-22"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["2026-11-20", "2026-11-21", "2026-11-22"]),
                          st.sampled_from(["a", "b", "c-d"])), max_size=15))
def test_the_ledger_holds_each_pair_once_and_counts_resends(
        pairs: list[tuple[str, str]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, open_ledger(Path(tmp)) as ledger:
        for edition, reader in pairs:
            ledger.record(edition, TITLE, reader, recipient=f"{reader}@example.org",
                          message_id=f"<{edition}.{reader}@example.org>")
        counts = Counter(pairs)
        assert {(r.edition, r.reader): r.sends for r in ledger.records()} == dict(counts)
        for edition in ("2026-11-20", "2026-11-21", "2026-11-22"):
            for reader in ("a", "b", "c-d"):
                assert ledger.has(edition, TITLE, reader) == ((edition, reader) in counts)


def test_read_ledger_never_creates_or_writes(tmp_path: Path) -> None:
    assert read_ledger(tmp_path / "store") is None
    assert not (tmp_path / "store").exists()
    with open_ledger(tmp_path / "store") as ledger:
        ledger.record("2026-11-22", TITLE, "a", recipient="a@example.org", message_id="<x@y>")
    readonly = read_ledger(tmp_path / "store")
    assert readonly is not None
    with readonly, pytest.raises(DeliveryError, match="cannot write"):
        readonly.record("2026-11-23", TITLE, "a", recipient="a@example.org", message_id="<z@y>")


def test_an_unreadable_ledger_is_an_error_and_is_left_as_it_is(tmp_path: Path) -> None:
    path = ledger_path(tmp_path)
    path.write_bytes(b"this is not a database, but it is the only record we have" * 100)
    before = path.read_bytes()
    with pytest.raises(DeliveryError, match="unreadable"):
        open_ledger(tmp_path)
    with pytest.raises(DeliveryError):
        read_ledger(tmp_path)
    assert path.read_bytes() == before


def test_a_ledger_from_a_newer_briefing_is_refused(tmp_path: Path) -> None:
    import sqlite3

    with open_ledger(tmp_path):
        pass
    conn = sqlite3.connect(ledger_path(tmp_path))
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(DeliveryError, match="newer"):
        open_ledger(tmp_path)


def test_the_send_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    with send_lock(tmp_path):
        with pytest.raises(BusyError, match="another `briefing send`"):
            with send_lock(tmp_path):
                pass
    with send_lock(tmp_path):  # released on exit
        pass


def test_the_send_lock_dies_with_a_killed_process(tmp_path: Path) -> None:
    code = ("import sys, time; from pathlib import Path; "
            "from briefing.store.ledger import send_lock\n"
            "with send_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with pytest.raises(BusyError):
            with send_lock(tmp_path):
                pass
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    with send_lock(tmp_path):  # no stale lock after a crash
        pass


# --- since windows --------------------------------------------------------------------------

EDITION = dt.date(2026, 11, 22)


@pytest.mark.parametrize("since, last, expected", [
    ("7d", None, dt.date(2026, 11, 15)),
    ("1d", "2026-11-01", dt.date(2026, 11, 21)),
    ("2026-10-01", None, dt.date(2026, 10, 1)),
    ("last-edition", None, None),  # a new reader gets everything
    ("last-edition", "2026-11-15", dt.date(2026, 11, 15)),  # that day included
])
def test_window_start(since: str, last: str | None, expected: dt.date | None) -> None:
    assert window_start(since, EDITION, last) == expected


def test_reader_since_reads_the_ledger_before_this_edition(tmp_path: Path) -> None:
    cfg = workspace(tmp_path)
    reader = Reader(id="r", name="R", email="r@example.org", since="last-edition")
    assert reader_since(cfg, reader, EDITION) is None
    assert reader_since(cfg, None, EDITION) is None
    assert reader_since(cfg, Reader(id="r", name="R", email="r@example.org"), EDITION) is None
    with open_ledger(cfg.store) as ledger:
        ledger.record("2026-11-15", cfg.title, "r", recipient="r@example.org", message_id="<a@b>")
        ledger.record("2026-11-22", cfg.title, "r", recipient="r@example.org", message_id="<c@b>")
        assert reader_since(cfg, reader, EDITION, ledger=ledger) == dt.date(2026, 11, 15)
    # Without a ledger given, the store's is opened read-only.
    assert reader_since(cfg, reader, EDITION) == dt.date(2026, 11, 15)


def test_an_editions_window_is_the_narrower_of_since_and_the_profiles(tmp_path: Path) -> None:
    cfg = workspace(tmp_path)
    weekly = Reader(id="w", name="W", email="w@example.org", since="7d")
    keeps = Reader(id="k", name="K", email="k@example.org", since="7d", undated="include")
    week = EDITION - dt.timedelta(days=7)
    assert edition_window(cfg, None, EDITION) is None
    assert edition_window(cfg, Reader(id="r", name="R", email="r@example.org"), EDITION) is None
    assert edition_window(cfg, weekly, EDITION) == Window(week, "the profile's since: 7d", False)
    assert edition_window(cfg, keeps, EDITION) == Window(week, "the profile's since: 7d", True)
    assert edition_window(cfg, keeps, EDITION, undated=False).undated is False  # the CLI's wins
    later = EDITION - dt.timedelta(days=2)
    assert edition_window(cfg, weekly, EDITION, since=later) == \
        Window(later, f"--since {later.isoformat()}", False)
    assert edition_window(cfg, weekly, EDITION, since=dt.date(2020, 1, 1)).start == week
    assert edition_window(cfg, None, EDITION, since=later, undated=True).undated


def test_build_applies_each_readers_window(tmp_path: Path) -> None:
    readers = ("readers:\n"
               "  - {id: everything, name: E, email: e@example.org}\n"
               "  - {id: recent, name: R, email: r@example.org, since: 2021-10-01}\n"
               "  - {id: keeps, name: K, email: k@example.org, since: 2021-10-01, "
               "undated: include}\n")
    cfg = workspace(tmp_path, readers=readers)
    result = build(cfg, BuildOptions(edition=EDITION, formats=("json",)),
                   readers=list(cfg.readers))
    everything, recent, keeps = result.briefings
    assert not everything.notes
    undated = [s for s in everything.sources if s.published is None]
    assert undated  # the seeds without the sources manifest are mostly undated
    # A window leaves undated articles out (it cannot show they are new) and says how many.
    assert all(s.published is not None for s in recent.sources)
    n = everything.corpus["articles"]
    assert recent.corpus["articles"] == 0
    [note] = recent.notes
    assert note.startswith("This edition covers articles published from 2021-10-01 (the "
                           f"profile's since: 2021-10-01). Left out: {n} with no known "
                           "publication date (“")
    assert note.endswith("”; undated: include keeps them).") and note.count("“") == n
    # undated: include keeps them, and the note says so.
    assert keeps.corpus["articles"] == n
    [note] = keeps.notes
    assert f"2021-10-01). Kept {n} with no known publication date (“" in note


def test_a_window_counts_what_it_left_out(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, date in (("old", "2021-09-01"), ("new", "2021-10-05"), ("none", None)):
        front = f"---\ntitle: {name.title()} story\npublished: {date}\n---\n" if date else ""
        (corpus / f"{name}.md").write_text(f"{front}A headline\n\nThe Taliban met Russian "
                                           "envoys in Moscow to discuss border security.\n",
                                           encoding="utf-8")
    cfg = workspace(tmp_path, corpus=corpus, readers="")
    since = dt.date(2021, 10, 1)
    [main] = build(cfg, BuildOptions(edition=EDITION, since=since, formats=("json",))).briefings
    assert main.corpus["articles"] == 1
    assert main.notes == ("This edition covers articles published from 2021-10-01 (--since "
                          "2021-10-01). Left out: 1 published earlier, 1 with no known "
                          "publication date (“A headline”; undated: include keeps them).",)
    [kept] = build(cfg, BuildOptions(edition=EDITION, since=since, undated=True,
                                     formats=("json",))).briefings
    assert kept.corpus["articles"] == 2
    assert kept.notes == ("This edition covers articles published from 2021-10-01 (--since "
                          "2021-10-01). Kept 1 with no known publication date (“A headline”). "
                          "Left out: 1 published earlier.",)


def test_a_readers_formats_decide_what_build_writes(tmp_path: Path) -> None:
    readers = "readers:\n  - {id: mail, name: M, email: m@example.org, formats: [email, txt]}\n"
    cfg = workspace(tmp_path, readers=readers)
    [reader] = cfg.readers
    result = build(cfg, BuildOptions(edition=EDITION), readers=[reader])
    assert sorted(p.name for p in result.written) == \
        ["briefing.email.html", "briefing.json", "briefing.txt"]
    asked = build(cfg, BuildOptions(edition=EDITION, formats=("html",)), readers=[reader])
    assert [p.name for p in asked.written] == ["briefing.html"]  # --format says otherwise


def _open_at(store: str, start: float, results: Any) -> None:
    import time

    while time.time() < start:
        pass
    try:
        open_ledger(Path(store)).close()
        results.put("ok")
    except Exception as exc:  # what the parent reports
        results.put(repr(exc)[:200])


def test_many_runs_opening_a_new_ledger_at_the_same_moment_all_open_it(tmp_path: Path) -> None:
    """Two senders started together on a new store both create the ledger: SQLite can find it
    busy in ways its own wait does not cover (switching to WAL, recovering the WAL's index);
    before the opening retried, 8 of 320 such openings failed with "database is locked"."""
    import multiprocessing
    import time

    ctx = multiprocessing.get_context("fork")
    for trial in range(6):
        store = tmp_path / f"store-{trial}"
        results = ctx.Queue()
        start = time.time() + 0.3
        procs = [ctx.Process(target=_open_at, args=(str(store), start, results))
                 for _ in range(12)]
        for proc in procs:
            proc.start()
        got = [results.get(timeout=60) for _ in procs]
        for proc in procs:
            proc.join(60)
        assert got == ["ok"] * len(procs), [g for g in got if g != "ok"]
        ledger = read_ledger(store)
        assert ledger is not None
        with ledger:
            assert ledger.records() == []


def test_a_ledger_being_created_this_moment_reads_as_none_yet(tmp_path: Path) -> None:
    """A build reading the ledger in the instant a send has made its file but written nothing
    (SQLite creates it empty) finds no ledger yet, not an unreadable one."""
    store = tmp_path / "store"
    store.mkdir()
    ledger_path(store).touch()
    assert read_ledger(store) is None
    assert ledger_path(store).stat().st_size == 0  # left for its creator
    with open_ledger(store) as ledger:  # which then creates it
        ledger.record("2026-11-22", TITLE, "a", recipient="a@example.org", message_id="<x@y>")
    readonly = read_ledger(store)
    assert readonly is not None
    with readonly:
        assert [r.reader for r in readonly.records()] == ["a"]
