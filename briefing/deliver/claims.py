"""Which readers a send run mails: claimed in the ledger a few at a time, so that two
``briefing send`` runs on one ledger share the readers and mail each once between them.

    ledger.claim (a batch, one transaction) -> for each reader: build, and just before the
    message's DATA, ``holds`` (renewing the batch's claims when a third of their expiry has
    passed) -> SMTP -> ledger.record (drops the claim) or ``give_back`` (not delivered)

A reader another run holds is passed over and looked at again until that run records it
(then it is "already sent" here), gives it back (then this run tries it) or lets its claim
expire (a killed or stalled run: then this run takes it over). A claim lasts
:data:`CLAIM_EXPIRY` seconds from its last renewal (``BRIEFING_CLAIM_EXPIRY``). A run renews
its claims while it works, so a live run keeps them however long a message takes, as long as
no single step (one SMTP command, the edition of one reader) takes two thirds of the expiry.

A dry run and a test copy (``--to``) claim nothing: :class:`Unclaimed` hands them every
reader the ledger does not have yet, in order.
"""

from __future__ import annotations

import math
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from briefing.errors import ConfigError
from briefing.store.ledger import Ledger

__all__ = ["CLAIM_BATCH", "CLAIM_EXPIRY", "Batch", "Claims", "Unclaimed", "claim_expiry"]

#: Seconds a claim on a reader lasts after its sender last renewed it: how long a reader of a
#: killed (or stalled) sender waits before another run takes it over.
CLAIM_EXPIRY = 120.0
EXPIRY_VARIABLE = "BRIEFING_CLAIM_EXPIRY"
#: Readers claimed in one transaction: few enough that two runs interleave finely, enough
#: that claiming is a small part of a reader's cost.
CLAIM_BATCH = 8
#: Seconds between two looks at readers another run holds.
POLL = 0.5


def claim_expiry(env: Mapping[str, str] = os.environ) -> float:
    """The claim expiry from ``BRIEFING_CLAIM_EXPIRY`` (seconds), else :data:`CLAIM_EXPIRY`;
    anything but a positive number is a :class:`ConfigError`."""
    raw = env.get(EXPIRY_VARIABLE, "").strip()
    if not raw:
        return CLAIM_EXPIRY
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{EXPIRY_VARIABLE}: expected a number of seconds above 0 (the "
                          f"default is {CLAIM_EXPIRY:g}), got {raw!r}")
    return value


@dataclass
class Batch:
    """The readers a run is handed at once: ``mine`` to send now, ``sent`` found already
    sent (by an earlier run or by another run at the same time)."""

    mine: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)


class Claims:
    """The readers of one run, claimed in ``ledger`` for ``edition`` of ``title`` a batch at a
    time. ``force``: the run holds the ledger alone and claims every reader, sent or not."""

    def __init__(self, ledger: Ledger, edition: str, title: str, readers: Sequence[str], *,
                 expiry: float, force: bool = False,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 waiting: Callable[[str], None] = lambda _: None) -> None:
        self.ledger, self.edition, self.title = ledger, edition, title
        self.expiry, self.force = expiry, force
        self.clock, self.sleep, self.waiting = clock, sleep, waiting
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self.pending = list(readers)  # not yet sent, nor handed to this run
        self.held: set[str] = set()  # claimed by this run, not yet recorded or given back
        self._renew_at = math.inf

    def batches(self) -> Iterator[Batch]:
        """The next readers to send, until none is left: when every reader left is held by
        another run, waits (polling) for that run to record them, give them back, or let
        their claims expire."""
        while self.pending:
            started = self.clock()
            got = self.ledger.claim(self.edition, self.title, self.pending, owner=self.owner,
                                    expiry=self.expiry, limit=CLAIM_BATCH, force=self.force)
            if got.mine:
                self.held.update(got.mine)
                self._renew_at = min(self._renew_at, started + self.expiry / 3)
            done = set(got.mine) | set(got.sent)
            self.pending = [r for r in self.pending if r not in done]
            if got.mine or got.sent:
                yield Batch(list(got.mine), list(got.sent))
            elif got.held:
                self.waiting(got.held[0])
                self.sleep(min(POLL, max(got.wait, 0.01)))

    def holds(self, reader: str) -> bool:
        """Whether this run still holds ``reader``, asked just before its message goes: the
        claims are renewed first when a third of their expiry has passed since (so at least
        two thirds of it are left for the message). False when another run took the reader
        over after its claim expired (this run was stalled), or recorded it: then this run
        must not send it, and it goes back among the readers to look at."""
        if self.clock() >= self._renew_at:
            started = self.clock()
            self.held &= self.ledger.renew(self.edition, self.title, owner=self.owner,
                                           expiry=self.expiry)
            self._renew_at = started + self.expiry / 3
        if reader in self.held:
            return True
        self.pending.insert(0, reader)
        return False

    def recorded(self, reader: str) -> None:
        """``reader``'s message was recorded (which dropped its claim)."""
        self.held.discard(reader)

    def give_back(self, readers: Sequence[str]) -> None:
        """Release this run's claims on ``readers``, not delivered: another run, or the next
        one, may try them at once."""
        mine = [r for r in readers if r in self.held]
        if mine:
            self.ledger.release(self.edition, self.title, mine, owner=self.owner)
            self.held.difference_update(mine)

    def left(self) -> list[str]:
        """The readers not handed to this run yet (the run stopped early)."""
        return list(self.pending)

    def close(self) -> None:
        """Give back every claim still held (a run that stops early)."""
        self.give_back(sorted(self.held))


class Unclaimed:
    """The readers of a dry run or a test copy, which never write the ledger: each in turn,
    passed over when ``ledger`` has it already (unless ``force``)."""

    def __init__(self, ledger: Ledger | None, edition: str, title: str,
                 readers: Sequence[str], *, force: bool) -> None:
        self.ledger, self.edition, self.title, self.force = ledger, edition, title, force
        self.pending = list(readers)

    def batches(self) -> Iterator[Batch]:
        """One reader at a time, in order."""
        while self.pending:
            reader = self.pending.pop(0)
            if not self.force and self.ledger is not None \
                    and self.ledger.has(self.edition, self.title, reader):
                yield Batch(sent=[reader])
            else:
                yield Batch(mine=[reader])

    def holds(self, reader: str) -> bool:
        """Always: nobody else sends a dry run's messages."""
        return True

    def recorded(self, reader: str) -> None:
        """Nothing to do: nothing was claimed."""

    def give_back(self, readers: Sequence[str]) -> None:
        """Nothing to do: nothing was claimed."""

    def left(self) -> list[str]:
        """The readers not handed out yet."""
        return list(self.pending)

    def close(self) -> None:
        """Nothing to do: nothing was claimed."""
