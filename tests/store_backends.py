"""The store's implementations, as the contract suite (``test_store_contract.py``) and the
build-level tests that run on every backend meet them: one entry each in :data:`BACKENDS`.

A backend gives, for one test, a :class:`Place`: a config naming a fresh, empty store of that
backend, and the one thing the interface cannot do by itself, damaging a stored payload the way
a disk or a server would (raw SQL: tests may use a driver, the package may not outside store/).
Everything else goes through ``briefing.store.backends`` and the ``Store`` interface.
PostgreSQL's places are databases in one throwaway cluster per session (``postgres.py``),
skipped with the reason where none can start.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO

from briefing.config.load import load_config
from briefing.config.model import Config
from briefing.store import backends
from briefing.store.fetchstate import FetchState
from briefing.store.interface import Store


@dataclass
class Place:
    """Where one test keeps its store: ``config`` names it; ``damage(key)`` makes the stored
    article ``key`` fail its check, as a damaged disk or server would."""

    config: Config
    damage: Callable[[int], None]

    def open(self, *, fingerprint: str = "contract", warn: Callable[[str], None] | None = None,
             timeout: float | None = None) -> Store:
        return backends.open_store(self.config, fingerprint=fingerprint, warn=warn,
                                   timeout=timeout)

    def fetch_state(self) -> AbstractContextManager[FetchState]:
        return backends.fetch_state(self.config)


def base_config(root: Path) -> Config:
    """The repository's config with its store under ``root``."""
    config = load_config(REPO / "config" / "briefing.yaml")
    return dataclasses.replace(config, store=root / "store")


def sqlite_place(request: pytest.FixtureRequest, root: Path) -> Iterator[Place]:
    config = base_config(root)

    def damage(key: int) -> None:
        with sqlite3.connect(config.store / "store.sqlite") as db:
            db.execute("UPDATE articles SET text = text || 'x' WHERE file = ?", (key,))

    yield Place(config, damage)


def postgres_place(request: pytest.FixtureRequest, root: Path) -> Iterator[Place]:
    """A new database in the session's throwaway cluster (``postgres.py``)."""
    import psycopg

    cluster = request.getfixturevalue("postgres")
    url = cluster.database()
    config = dataclasses.replace(base_config(root), store_url=url)

    def damage(key: int) -> None:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("UPDATE briefing.articles SET text = text || 'x' WHERE file = %s",
                       (key,))

    yield Place(config, damage)


#: every implementation of the store's interfaces: (id, a generator of a fresh Place)
BACKENDS: list[tuple[str, Callable[[pytest.FixtureRequest, Path], Iterator[Place]]]] = [
    ("sqlite", sqlite_place),
    ("postgresql", postgres_place),
]


@pytest.fixture(params=[name for name, _ in BACKENDS])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Place]:
    """A fresh store of each backend in turn."""
    make = dict(BACKENDS)[request.param]
    yield from make(request, tmp_path)
