"""The store in PostgreSQL, end to end: real builds (the CLI, in processes of their own) against
a throwaway cluster give the briefing the embedded store gives, two at once never corrupt it
or each other, a killed one leaves no lock, the schema is versioned, and the config checks the
URL. What every backend must do is ``test_store_contract.py``; this is what a team meets.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import FIXED_EPOCH, GOLDEN, REPO

from briefing.config.load import load_config
from briefing.errors import ConfigError

if TYPE_CHECKING:
    from postgres import Cluster

pytest_plugins = ["postgres"]


def workspace(root: Path, store: str, corpus: list[Path] | None = None) -> Path:
    """A copy of the seed workspace under ``root`` whose config keeps the store in ``store``
    (a URL, or a folder) and reads ``corpus`` (default: the seeds)."""
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copytree(REPO / "config", root / "config")
    config = root / "config" / "briefing.yaml"
    text = config.read_text(encoding="utf-8")
    extra = {"store": store}
    if corpus is not None:
        extra["corpus"] = [str(p) for p in corpus]
        text = "\n".join(line for line in text.splitlines() if not line.startswith("corpus:"))
    config.write_text(text + "\n" + yaml.safe_dump(extra), encoding="utf-8")
    return root


def build(ws: Path, *extra: str, env: dict[str, str] | None = None,
          check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "briefing.cli", "build", "-f", "json",
                           "--quiet", *extra], cwd=ws, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO),
                               "SOURCE_DATE_EPOCH": FIXED_EPOCH, **(env or {})})
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def briefing_json(ws: Path, out: str = "out") -> bytes:
    """briefing.json as built, less ``generated_at`` (the clock) and ``config_sha256``,
    checked here to be the digest of the workspace's own config: the only line that differs
    between two workspaces is ``store:``, which names the backend."""
    raw = (ws / out / "briefing.json").read_bytes()
    doc = json.loads(raw)
    config = (ws / "config" / "briefing.yaml").read_bytes()
    assert doc["config_sha256"] == hashlib.sha256(config).hexdigest()
    for key in ("generated_at", "config_sha256"):
        raw = raw.replace(json.dumps(doc[key]).encode(), b'""', 1)
    return raw


def golden() -> bytes:
    doc = json.loads((GOLDEN / "briefing.json").read_bytes())
    raw = (GOLDEN / "briefing.json").read_bytes()
    for key in ("generated_at", "config_sha256"):
        raw = raw.replace(json.dumps(doc[key]).encode(), b'""', 1)
    return raw


def copies(root: Path, n: int) -> Path:
    """``n`` articles made from the seeds (numbered copies), in folders of a hundred."""
    many = root / "many"
    seeds = sorted((REPO / "seeds").glob("*.txt"))
    for i in range(n):
        text = seeds[i % len(seeds)].read_text(encoding="utf-8")
        (many / f"{i // 100:02d}").mkdir(parents=True, exist_ok=True)
        (many / f"{i // 100:02d}" / f"{i:04d}.txt").write_text(f"Copy {i}\n\n{text}",
                                                                encoding="utf-8")
    return many


def test_a_build_against_postgresql_equals_the_embedded_store_build(
        tmp_path: Path, postgres: Cluster) -> None:
    """The seeds: the golden briefing, cold and warm; then 300 articles (read by worker
    processes forked while the store's connections are open), equal to the SQLite build of
    the same corpus byte for byte (but the clock and the config's digest), cold, with a file
    changed, deleted and put back."""
    ws = workspace(tmp_path / "pg", postgres.database())
    build(ws)
    assert briefing_json(ws) == golden()
    assert not (ws / ".briefing" / "store.sqlite").exists()  # kept in PostgreSQL, not here
    build(ws)  # warm
    assert briefing_json(ws) == golden()

    many = copies(tmp_path, 300)
    pg = workspace(tmp_path / "pg-many", postgres.database(), [many])
    embedded = workspace(tmp_path / "sqlite-many", "../.briefing", [many])
    build(pg)
    build(embedded)
    assert briefing_json(pg) == briefing_json(embedded)
    (many / "02" / "0250.txt").write_text("A new story\n\nTroops massed at the border.\n",
                                          encoding="utf-8")
    build(pg)  # warm, one file changed
    build(embedded)
    assert briefing_json(pg) == briefing_json(embedded)
    victim = many / "01" / "0123.txt"
    kept = victim.read_bytes()
    victim.unlink()
    build(pg)  # one deleted
    build(embedded)
    assert briefing_json(pg) == briefing_json(embedded)
    assert json.loads(briefing_json(pg))["corpus"]["articles"] == 299
    victim.write_bytes(kept)
    build(pg)  # and back
    build(embedded)
    assert briefing_json(pg) == briefing_json(embedded)


def test_two_builds_at_once_never_corrupt_the_store_or_each_other(
        tmp_path: Path, postgres: Cluster) -> None:
    """Two `briefing build` processes (standing in for two machines) start together on one
    new database, each with its own output folder: the second waits for the first's lock
    (an advisory lock: the database stays open to everyone else meanwhile), both succeed with
    the briefing a lone build gives, and the store they leave is whole."""
    many = copies(tmp_path, 240)
    url = postgres.database()
    ws = workspace(tmp_path / "ws", url, [many])
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": FIXED_EPOCH,
           "BRIEFING_LOCK_TIMEOUT": "300"}
    procs = [subprocess.Popen([sys.executable, "-m", "briefing.cli", "build", "-f", "json",
                               "--quiet", "--out", f"out-{i}"], cwd=ws, env=env,
                              stderr=subprocess.PIPE, text=True) for i in range(2)]
    import psycopg

    seen_held = False
    with psycopg.connect(url, autocommit=True) as watcher:
        while any(p.poll() is None for p in procs):
            # while a build holds the store's lock, the database answers anyone else
            held = watcher.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND objid = 2").fetchone()
            seen_held |= bool(held and held[0])
            time.sleep(0.05)
    for p in procs:
        assert p.returncode == 0, p.stderr.read() if p.stderr else ""
    assert seen_held
    alone = workspace(tmp_path / "alone", "../.briefing", [many])
    build(alone)
    assert briefing_json(ws, "out-0") == briefing_json(ws, "out-1") == briefing_json(alone)
    build(ws, "--out", "out-2", env={"BRIEFING_LOCK_TIMEOUT": "0"})  # warm, lock free
    assert briefing_json(ws, "out-2") == briefing_json(alone)
    with psycopg.connect(url) as db:
        files = db.execute("SELECT count(*) FROM briefing.files").fetchone()
        orphans = db.execute("SELECT count(*) FROM briefing.passages p WHERE NOT EXISTS "
                             "(SELECT 1 FROM briefing.files f WHERE f.id = p.file)").fetchone()
    assert files == (240,) and orphans == (0,)


def test_a_build_killed_midway_leaves_a_usable_store_and_no_lock(
        tmp_path: Path, postgres: Cluster) -> None:
    """``kill -9`` of a build while its workers read articles: the server drops its session
    and with it the advisory lock, so the next build gets the store at once (no lock wait:
    BRIEFING_LOCK_TIMEOUT=0) and gives the briefing of a build never interrupted."""
    import psycopg

    many = copies(tmp_path, 800)
    url = postgres.database()
    ws = workspace(tmp_path / "ws", url, [many])
    proc = subprocess.Popen([sys.executable, "-m", "briefing.cli", "build", "-f", "json",
                             "--quiet"], cwd=ws, env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None and not stored:
        try:
            with psycopg.connect(url) as db:
                row = db.execute("SELECT count(*) FROM briefing.files").fetchone()
                stored = row[0] if row else 0
        except psycopg.Error:
            pass  # not created yet
        time.sleep(0.05)
    assert proc.poll() is None, "the build finished before it could be killed: use more files"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    build(ws, env={"BRIEFING_LOCK_TIMEOUT": "0"})
    alone = workspace(tmp_path / "alone", "../.briefing", [many])
    build(alone)
    assert briefing_json(ws) == briefing_json(alone)


def test_the_schema_is_versioned_and_migrated_once(postgres: Cluster) -> None:
    import psycopg

    from briefing.errors import InputError
    from briefing.store import postgres_db
    from briefing.store.postgres_tables import MIGRATIONS

    url = postgres.database()
    with psycopg.connect(url, autocommit=True) as conn:
        first = [["CREATE TABLE {s}.probe(a INTEGER)"]]
        postgres_db.migrate(conn, "probe", first, url)
        postgres_db.migrate(conn, "probe", first, url)  # at its version: nothing to do
        second = [*first, ["ALTER TABLE {s}.probe ADD COLUMN b TEXT",
                           "INSERT INTO {s}.probe VALUES (1, 'two')"]]
        postgres_db.migrate(conn, "probe", second, url)
        postgres_db.migrate(conn, "probe", second, url)
        assert conn.execute("SELECT * FROM briefing.probe").fetchall() == [(1, "two")]
        with pytest.raises(InputError, match="written by a newer briefing"):
            postgres_db.migrate(conn, "probe", first, url)
        # the store's own part, made by a build: at its last version
        from briefing.store.postgres import PostgresStore

        PostgresStore(url, fingerprint="x").close()
        assert conn.execute("SELECT version FROM briefing.versions WHERE part = 'store'"
                            ).fetchone() == (len(MIGRATIONS),)
        conn.execute("UPDATE briefing.versions SET version = 99 WHERE part = 'store'")
    with pytest.raises(InputError, match="its store was written by a newer briefing"):
        PostgresStore(url, fingerprint="x")


def test_a_server_that_cannot_be_reached_is_a_clear_error(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws", f"postgresql://nobody@/db?host={tmp_path}/nowhere")
    proc = build(ws, check=False)
    assert proc.returncode == 4, proc.stderr
    assert "cannot connect" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("url,problem", [
    ("postgresql://user:secret@db.example/briefing", "a password does not belong in the config"),
    ("postgresql://user@db.example/briefing?password=secret", "a password does not belong"),
    ("postgresql://user@db.example", "name the database"),
    ("postgresql://user@db.example:99999/briefing", "expected a URL such as"),
    ("mysql://user@db.example/briefing", "expected a folder or a PostgreSQL URL"),
    ("postgresql://user@db.example/briefing?sslmod=require", "libpq cannot read it"),
])
def test_the_config_check_reads_the_store_url(tmp_path: Path, url: str, problem: str) -> None:
    ws = workspace(tmp_path / "ws", url)
    with pytest.raises(ConfigError) as err:
        load_config(ws / "config" / "briefing.yaml")
    lines = err.value.lines()
    assert any("store: " + problem in line for line in lines), lines
    assert "secret" not in "\n".join(lines)


def test_a_good_store_url_keeps_the_local_folder_beside_the_config(tmp_path: Path) -> None:
    url = "postgresql://analyst@db.example:5433/briefing?sslmode=require"
    config = load_config(workspace(tmp_path / "ws", url) / "config" / "briefing.yaml")
    assert config.store_url == url
    assert config.store == tmp_path / "ws" / ".briefing"


def test_a_forked_child_closing_its_copy_of_a_connection_leaves_the_parents(
        postgres: Cluster) -> None:
    """Ingestion forks workers while the store's connections are open. A child that closes
    its copies (as collecting them at exit would) must not end the parent's sessions: libpq
    would send the server a goodbye on the shared socket. The fork hook points the child's
    copies at /dev/null first."""
    from briefing.store import postgres_db
    from briefing.store.postgres import PostgresStore

    url = postgres.database()
    with PostgresStore(url, fingerprint="x") as store:
        store.put_cached("k", 1, b"before the fork")
        lock = postgres_db._HELD[(url, "store")][0]
        child = os.fork()
        if child == 0:  # pragma: no cover - the child closes what it inherited, then exits
            try:
                for conn in (store.tables.db, lock):  # type: ignore[attr-defined]
                    conn.close()
            finally:
                os._exit(0)
        assert os.waitpid(child, 0)[1] == 0
        assert store.cached("k") is not None and store.cached("k").data == b"before the fork"
        assert lock.execute("SELECT 1").fetchone() == (1,)


def test_a_connection_lost_midway_is_one_clear_line(postgres: Cluster) -> None:
    """The server ends the store's session (a restart, an administrator): the next call is an
    InputError naming the cause, not a driver's traceback."""
    import psycopg

    from briefing.errors import InputError
    from briefing.store.postgres import PostgresStore

    url = postgres.database()
    with PostgresStore(url, fingerprint="x") as store:
        pid = store.tables.db.info.backend_pid  # type: ignore[attr-defined]
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(InputError, match="the PostgreSQL store failed: .*terminat"):
            store.generation()


def test_a_role_without_the_right_to_create_uses_a_schema_made_for_it(
        postgres: Cluster) -> None:
    """A team's administrator makes the schema ``briefing`` for a role that may not create
    anything in the database: the store (and the fetch state) open and work there."""
    import psycopg

    from briefing.store.postgres import PostgresStore
    from briefing.store.postgres_fetch import PostgresFetchState

    url = postgres.database()
    name = urlsplit(url).path[1:]
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("DROP ROLE IF EXISTS analyst")
        admin.execute("CREATE ROLE analyst LOGIN")
        admin.execute(f'REVOKE CREATE ON DATABASE "{name}" FROM PUBLIC')
        admin.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        admin.execute("CREATE SCHEMA briefing AUTHORIZATION analyst")
    as_analyst = url.replace("postgresql://briefing@", "postgresql://analyst@")
    with PostgresStore(as_analyst, fingerprint="x") as store:
        store.put_cached("k", 1, b"v")
    with PostgresStore(as_analyst, fingerprint="x") as store:
        assert store.cached("k") is not None
    with PostgresFetchState(as_analyst) as state:
        assert state.paths() == set()


def test_passages_beyond_a_tsvector_are_kept_unindexed_and_still_found(
        postgres: Cluster) -> None:
    """The contract's huge record, in PostgreSQL: its passage, too big for one tsvector, is
    kept unindexed (a candidate of every search, every term looked for); a word over a
    lexeme's 2 KB is indexed by its first characters."""
    import psycopg
    from test_store_contract import LONG_WORDS, article, huge_record, theme

    from briefing.store.postgres import PostgresStore

    url = postgres.database()
    with PostgresStore(url, fingerprint="x") as store:
        keys = store.put([huge_record(), *(article(f"/corpus/{i}.txt", t)[1]
                                           for i, t in enumerate(LONG_WORDS))])
        with psycopg.connect(url) as db:
            unindexed = db.execute("SELECT file FROM briefing.passages WHERE NOT indexed"
                                   ).fetchall()
            longest = db.execute("SELECT max(length(lexeme)) FROM briefing.passages, "
                                 "unnest(roots_index) AS u").fetchone()
        assert unindexed == [(keys["/corpus/huge.txt"],)]
        assert longest == (500,)
        tables = store.tables
        found = tables.search(theme("troops"), set(keys.values()))  # type: ignore[attr-defined]
        assert {(p.file, p.hits) for p in found} == {(keys["/corpus/huge.txt"], None),
                                                     (keys["/corpus/0.txt"], frozenset({"troops"}))}
