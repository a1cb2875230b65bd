"""The send ledger's contract (``briefing.store.ledger.Ledger``), run against every
implementation through the interface alone: records, reads, claims between senders, expiry,
renewal, release, the one-at-a-time hold, and many senders claiming at once.

An implementation joins by adding a backend to ``BACKENDS`` (and to ``make``): a class that
opens ledgers on one fresh storage (``open``: writable, a new connection each call, as another
process would have; ``read``: read-only). What SQLite alone does (its file, its schema
version, the lock dying with its process) is in test_ledger.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.errors import BusyError, DeliveryError
from briefing.store.ledger import Claimed, Ledger, open_ledger, read_ledger

if TYPE_CHECKING:
    from postgres import Cluster

pytest_plugins = ["postgres"]

EDITION = "2026-11-22"
TITLE = "Russia and the Taliban"
LONG = 600.0  # an expiry no test outlives


class SqliteBackend:
    """SQLite ledgers on one store folder."""

    def __init__(self, tmp: Path) -> None:
        self.store = tmp / "store"

    def open(self) -> Ledger:
        return open_ledger(self.store)

    def read(self) -> Ledger | None:
        return read_ledger(self.store)


class PostgresBackend:
    """PostgreSQL ledgers in one new database of the session's throwaway cluster."""

    def __init__(self, tmp: Path, cluster: Cluster) -> None:
        self.url = cluster.database("ledger")

    def open(self) -> Ledger:
        from briefing.store.ledger.postgres import open_postgres_ledger  # psycopg: the fixture's

        return open_postgres_ledger(self.url)

    def read(self) -> Ledger | None:
        from briefing.store.ledger.postgres import read_postgres_ledger

        return read_postgres_ledger(self.url)


Backend = SqliteBackend | PostgresBackend
BACKENDS: dict[str, type[Backend]] = {"sqlite": SqliteBackend, "postgres": PostgresBackend}


@pytest.fixture(scope="session", params=sorted(BACKENDS))
def make(request: pytest.FixtureRequest) -> Callable[[Path], Backend]:
    """Makes a backend on fresh storage in a folder (PostgreSQL: skipped with the fixture's
    reason where no cluster can start)."""
    if request.param == "postgres":
        cluster = request.getfixturevalue("postgres")
        return lambda tmp: PostgresBackend(tmp, cluster)
    return SqliteBackend


@pytest.fixture
def backend(make: Callable[[Path], Backend], tmp_path: Path) -> Backend:
    return make(tmp_path)


@pytest.fixture
def two(backend: Backend) -> Iterator[tuple[Ledger, Ledger]]:
    """Two connections to one ledger: two senders."""
    with backend.open() as a, backend.open() as b:
        yield a, b


def record(ledger: Ledger, reader: str, edition: str = EDITION) -> None:
    ledger.record(edition, TITLE, reader, recipient=f"{reader}@example.org",
                  message_id=f"<{edition}.{reader}@example.org>")


def claim(ledger: Ledger, readers: list[str], owner: str, *, limit: int = 8,
          expiry: float = LONG, force: bool = False) -> Claimed:
    return ledger.claim(EDITION, TITLE, readers, owner=owner, expiry=expiry, limit=limit,
                        force=force)


# --- rows -----------------------------------------------------------------------------------


def test_a_record_is_read_back_by_another_connection(backend: Backend) -> None:
    with backend.open() as ledger:
        assert not ledger.has(EDITION, TITLE, "editor")
        assert ledger.get(EDITION, TITLE, "editor") is None
        record(ledger, "editor")
    with backend.open() as again:
        assert again.has(EDITION, TITLE, "editor")
        assert not again.has(EDITION, "Another briefing", "editor")
        assert not again.has("2026-11-23", TITLE, "editor")
        row = again.get(EDITION, TITLE, "editor")
        assert row is not None
        assert (row.edition, row.title, row.reader, row.recipient, row.message_id, row.sends) \
            == (EDITION, TITLE, "editor", "editor@example.org",
                f"<{EDITION}.editor@example.org>", 1)
        assert row.sent_at.endswith("+00:00")


def test_a_second_record_counts_the_send(backend: Backend) -> None:
    with backend.open() as ledger:
        record(ledger, "editor")
        record(ledger, "editor")
        assert [(r.reader, r.sends) for r in ledger.records()] == [("editor", 2)]


def test_last_edition_is_the_latest_one_before(backend: Backend) -> None:
    with backend.open() as ledger:
        for edition in ("2026-11-08", "2026-11-22", "2026-11-15"):
            record(ledger, "editor", edition)
        record(ledger, "analyst", "2026-11-01")
        assert ledger.last_edition(TITLE, "editor") == "2026-11-22"
        assert ledger.last_edition(TITLE, "editor", before="2026-11-22") == "2026-11-15"
        assert ledger.last_edition(TITLE, "editor", before="2026-11-08") is None
        assert ledger.last_edition("Another briefing", "editor") is None
        assert [(r.edition, r.reader) for r in ledger.records()] == [
            ("2026-11-01", "analyst"), ("2026-11-08", "editor"), ("2026-11-15", "editor"),
            ("2026-11-22", "editor")]


def test_a_read_only_ledger_reads_and_never_writes(backend: Backend) -> None:
    assert backend.read() is None  # nothing yet, and nothing made by looking
    with backend.open() as ledger:
        record(ledger, "editor")
    readonly = backend.read()
    assert readonly is not None
    with readonly:
        assert readonly.has(EDITION, TITLE, "editor")
        for write in (lambda: record(readonly, "analyst"),
                      lambda: claim(readonly, ["analyst"], "a"),
                      lambda: readonly.renew(EDITION, TITLE, owner="a", expiry=LONG),
                      lambda: readonly.release(EDITION, TITLE, ["editor"], owner="a")):
            with pytest.raises(DeliveryError, match="cannot write"):
                write()
    with backend.open() as ledger:
        assert [r.reader for r in ledger.records()] == ["editor"] and ledger.claims() == []


# --- claims ---------------------------------------------------------------------------------


def test_two_senders_claim_disjoint_batches_in_order(two: tuple[Ledger, Ledger]) -> None:
    a, b = two
    readers = [f"r{i:02d}" for i in range(20)]
    first = claim(a, readers, "A")
    assert first == Claimed(mine=tuple(readers[:8]))
    second = claim(b, readers, "B")
    assert second.mine == tuple(readers[8:16]) and second.held == tuple(readers[:8])
    assert 0 < second.wait <= LONG
    third = claim(a, readers[8:], "A")
    assert third.mine == tuple(readers[16:]) and third.held == tuple(readers[8:16])
    owners = {c.reader: c.owner for c in a.claims()}
    assert owners == {r: "A" if i < 8 or i >= 16 else "B" for i, r in enumerate(readers)}


def test_a_claim_walks_only_as_far_as_its_limit(two: tuple[Ledger, Ledger]) -> None:
    a, b = two
    record(a, "r0")
    claim(b, ["r1"], "B")
    got = claim(a, ["r0", "r1", "r2", "r3", "r4"], "A", limit=2)
    assert got.mine == ("r2", "r3") and got.sent == ("r0",) and got.held == ("r1",)
    assert {c.reader for c in a.claims()} == {"r1", "r2", "r3"}  # r4 was not looked at


def test_a_sender_may_claim_its_own_readers_again(two: tuple[Ledger, Ledger]) -> None:
    a, _ = two
    claim(a, ["r0"], "A", expiry=0.5)
    assert claim(a, ["r0"], "A").mine == ("r0",)
    time.sleep(0.6)
    assert [c.reader for c in a.claims() if c.expires_at > time.time()] == ["r0"]


def test_an_expired_claim_is_taken_over_and_lost_by_its_sender(
        two: tuple[Ledger, Ledger]) -> None:
    a, b = two
    claim(b, ["r0", "r1"], "B", expiry=0.3)
    assert claim(a, ["r0", "r1"], "A").held == ("r0", "r1")
    time.sleep(0.4)
    assert claim(a, ["r0"], "A").mine == ("r0",)
    # B was stalled past its claims: it holds only what nobody took over, renewed.
    assert b.renew(EDITION, TITLE, owner="B", expiry=LONG) == frozenset({"r1"})
    assert claim(a, ["r1"], "A").held == ("r1",)


def test_a_renewed_claim_outlasts_its_first_expiry(two: tuple[Ledger, Ledger]) -> None:
    a, b = two
    claim(b, ["r0"], "B", expiry=0.4)
    assert b.renew(EDITION, TITLE, owner="B", expiry=LONG) == frozenset({"r0"})
    time.sleep(0.5)
    assert claim(a, ["r0"], "A").held == ("r0",)


def test_a_record_drops_every_claim_on_its_reader(two: tuple[Ledger, Ledger]) -> None:
    a, b = two
    claim(b, ["r0"], "B", expiry=0.2)
    time.sleep(0.3)
    assert claim(a, ["r0"], "A").mine == ("r0",)
    record(a, "r0")
    assert a.claims() == []
    assert b.renew(EDITION, TITLE, owner="B", expiry=LONG) == frozenset()
    assert claim(b, ["r0"], "B").sent == ("r0",)


def test_a_released_reader_is_free_at_once(two: tuple[Ledger, Ledger]) -> None:
    a, b = two
    claim(a, ["r0", "r1"], "A")
    b.release(EDITION, TITLE, ["r0", "r1"], owner="B")  # not B's: nothing happens
    assert claim(b, ["r0", "r1"], "B").held == ("r0", "r1")
    a.release(EDITION, TITLE, ["r0"], owner="A")
    assert claim(b, ["r0", "r1"], "B").mine == ("r0",)


def test_claims_are_per_edition_and_title(two: tuple[Ledger, Ledger]) -> None:
    a, b = two
    claim(a, ["r0"], "A")
    assert b.claim("2026-11-23", TITLE, ["r0"], owner="B", expiry=LONG, limit=8).mine == ("r0",)
    assert b.claim(EDITION, "Another briefing", ["r0"], owner="B", expiry=LONG,
                   limit=8).mine == ("r0",)
    assert a.renew(EDITION, TITLE, owner="A", expiry=LONG) == frozenset({"r0"})


def test_force_claims_sent_and_held_readers(two: tuple[Ledger, Ledger]) -> None:
    a, b = two
    record(a, "r0")
    claim(b, ["r1"], "B")
    assert claim(a, ["r0", "r1", "r2"], "A", force=True).mine == ("r0", "r1", "r2")
    assert b.renew(EDITION, TITLE, owner="B", expiry=LONG) == frozenset()


def test_many_senders_claiming_at_once_each_get_a_reader_once(backend: Backend) -> None:
    readers = [f"r{i:03d}" for i in range(120)]
    got: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def sender(owner: str) -> None:
        try:
            with backend.open() as ledger:
                pending = list(readers)
                while pending:
                    batch = claim(ledger, pending, owner, limit=3)
                    for reader in batch.mine:
                        record(ledger, reader)
                    got[owner] = got.get(owner, []) + list(batch.mine)
                    done = set(batch.mine) | set(batch.sent)
                    pending = [r for r in pending if r not in done]
                    if not batch.mine and not batch.sent:
                        time.sleep(0.005)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(f"S{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    claimed = sorted(r for rs in got.values() for r in rs)
    assert claimed == readers  # each exactly once between them
    with backend.open() as ledger:
        assert [(r.reader, r.sends) for r in ledger.records()] == [(r, 1) for r in readers]
        assert ledger.claims() == []


# A model of claims without time (every claim outlasts the test): random operations by two
# senders on two connections give what the model says.
_OPS = st.lists(st.tuples(st.sampled_from(["claim", "record", "release", "renew"]),
                          st.sampled_from(["A", "B"]),
                          st.lists(st.sampled_from(["r0", "r1", "r2", "r3"]), min_size=1,
                                   max_size=4, unique=True),
                          st.integers(1, 3)), max_size=25)


@settings(max_examples=40, deadline=None)
@given(ops=_OPS)
def test_claims_follow_the_model(tmp_path_factory: pytest.TempPathFactory,
                                 make: Callable[[Path], Backend],
                                 ops: list[tuple[str, str, list[str], int]]) -> None:
    backend = make(tmp_path_factory.mktemp("ledger"))
    sent: set[str] = set()
    owner_of: dict[str, str] = {}
    with backend.open() as a, backend.open() as b:
        by = {"A": a, "B": b}
        for op, who, readers, limit in ops:
            ledger = by[who]
            if op == "claim":
                mine, was_sent, held = [], [], []
                for r in readers:
                    if len(mine) >= limit:
                        break
                    if r in sent:
                        was_sent.append(r)
                    elif owner_of.get(r, who) != who:
                        held.append(r)
                    else:
                        mine.append(r)
                        owner_of[r] = who
                got = claim(ledger, readers, who, limit=limit)
                assert (got.mine, got.sent, got.held) == \
                    (tuple(mine), tuple(was_sent), tuple(held))
            elif op == "record":
                record(ledger, readers[0])
                sent.add(readers[0])
                owner_of.pop(readers[0], None)
            elif op == "release":
                ledger.release(EDITION, TITLE, readers, owner=who)
                for r in readers:
                    if owner_of.get(r) == who:
                        del owner_of[r]
            else:
                assert ledger.renew(EDITION, TITLE, owner=who, expiry=LONG) == \
                    frozenset(r for r, o in owner_of.items() if o == who)
            assert {c.reader: c.owner for c in a.claims()} == owner_of
        assert {r.reader for r in a.records()} == sent


# --- the one-at-a-time hold -----------------------------------------------------------------


def test_sends_share_the_hold_and_a_forced_one_holds_it_alone(
        two: tuple[Ledger, Ledger]) -> None:
    a, b = two
    with a.sending(exclusive=False), b.sending(exclusive=False):
        with pytest.raises(BusyError, match="another `briefing send`"):
            with b.sending(exclusive=True):
                pass
    with a.sending(exclusive=True):
        for exclusive in (False, True):
            with pytest.raises(BusyError, match="another `briefing send`"):
                with b.sending(exclusive=exclusive):
                    pass
    with b.sending(exclusive=True):  # released on exit
        pass
