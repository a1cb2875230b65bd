"""A throwaway PostgreSQL cluster for the tests (and the benchmarks): ``initdb`` into a
temporary folder, ``postgres`` listening on a Unix socket in that folder only (no TCP port to
collide with anything), stopped and deleted at the end.

The server binaries come from the Debian ``postgresql`` package that ``scripts/setup --dev``
installs (``/usr/lib/postgresql/<version>/bin``; ``BRIEFING_PG_BIN`` names another folder,
``initdb`` on PATH is used too). PostgreSQL refuses to run as root: as root, the cluster is run
as ``nobody`` (any user without a login: ``BRIEFING_PG_USER`` names another), which owns the
folder; otherwise as the current user. Connections use the role ``briefing`` with ``trust``
authentication, which only the socket's folder (mode 0700 but for the server's user) reaches.

``postgres`` is the session fixture; ``Cluster`` works without pytest (the benchmarks). Where
no cluster can start (no binaries, no psycopg, a failed initdb), the fixture skips with the
reason.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROLE = "briefing"
PORT = 5432  # only in the socket's name (.s.PGSQL.5432): the server listens on no TCP port


class Unavailable(Exception):
    """No cluster can be started here; the message says why."""


def binaries() -> Path:
    """The folder holding initdb and postgres."""
    named = os.environ.get("BRIEFING_PG_BIN")
    candidates = [Path(named)] if named else [
        *sorted((Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
                key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
                reverse=True)]
    on_path = shutil.which("initdb")
    if on_path and not named:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder
    raise Unavailable("PostgreSQL's server is not installed (initdb, postgres): "
                      "scripts/setup --dev installs it (Debian package postgresql)")


class Cluster:
    """A running throwaway cluster; :meth:`url` names a database in it."""

    def __init__(self, **settings: str) -> None:
        """Start it; ``settings`` are server parameters (``fsync="off"`` ...)."""
        try:
            import psycopg  # noqa: F401  (the tests talk to it with psycopg)
        except ImportError:
            raise Unavailable("psycopg is not installed: scripts/setup --dev installs it") \
                from None
        bin_dir = binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="briefing-pg-"))
        self.data = self.folder / "data"
        self._user = _server_user()
        self._names = itertools.count(1)
        self.process: subprocess.Popen[bytes] | None = None
        try:
            if self._user is not None:
                os.chown(self.folder, self._user.pw_uid, self._user.pw_gid)
            log = self.folder / "initdb.log"
            done = self._run([str(bin_dir / "initdb"), "-D", str(self.data), "-U", ROLE,
                              "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"],
                             log)
            if done.returncode != 0:
                raise Unavailable(f"initdb failed: {_tail(log)}")
            options = {"listen_addresses": "", "unix_socket_directories": str(self.folder),
                       "port": str(PORT), **settings}
            args = [str(bin_dir / "postgres"), "-D", str(self.data)]
            for key, value in options.items():
                args += ["-c", f"{key}={value}"]
            self.log = self.folder / "server.log"
            with open(self.log, "wb") as out:
                self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                                preexec_fn=_die_with_parent, **self._as_user())
            self._wait()
        except BaseException:
            self.stop()
            raise

    def _as_user(self) -> dict[str, object]:
        if self._user is None:
            return {}
        return {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}

    def _run(self, args: list[str], log: Path) -> subprocess.CompletedProcess[bytes]:
        with open(log, "wb") as out:
            return subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, cwd=self.folder,
                                  **self._as_user())  # type: ignore[call-overload]

    def _wait(self) -> None:
        import psycopg

        deadline = time.monotonic() + 60
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise Unavailable(f"postgres exited at once: {_tail(self.log)}")
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise Unavailable(f"postgres did not start in 60 s: {_tail(self.log)}") \
                        from None
                time.sleep(0.1)

    def url(self, database: str) -> str:
        """A libpq URL of ``database`` in this cluster (over its socket)."""
        return f"postgresql://{ROLE}@/{database}?host={self.folder}&port={PORT}"

    def database(self, prefix: str = "test") -> str:
        """A new, empty database; returns its URL."""
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast shutdown: clients are disconnected) and delete the folder."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _die_with_parent() -> None:
    """In the server's process, before it starts: a fast shutdown when the process that
    started it dies, however it dies (a killed test run leaves no server behind; Linux's
    PR_SET_PDEATHSIG, set after the change of user, which would clear it)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGINT, 0, 0, 0)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None for the current user, unless that is root."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get("BRIEFING_PG_USER", "nobody")
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise Unavailable(f"running as root, and there is no user {name!r} to run PostgreSQL "
                          "as (BRIEFING_PG_USER names one)") from None


def _tail(log: Path) -> str:
    try:
        lines = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    return " / ".join(lines[-3:]) or "(empty log)"


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """One throwaway cluster for the whole session (skipped with the reason where it cannot
    start); each test makes its own database in it (``Cluster.database``)."""
    try:
        cluster = Cluster(fsync="off", full_page_writes="off", synchronous_commit="off")
    except Unavailable as exc:
        pytest.skip(f"no PostgreSQL cluster: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()
