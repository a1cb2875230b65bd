"""Damage becomes a rebuild: the store's healing, the same for every backend.

A public method of a store marked :func:`heals` survives damage to the data (a backend raises
:class:`~briefing.store.interface.StoreCorrupt` when it meets some): the store is emptied,
the build's articles put back (``refill``) and the call made again, once; damage again is
:class:`~briefing.store.interface.StoreBroken`. The :class:`Healer` keeps what that needs
to know: whether a call is already under way (only the outermost one recovers), how many
rebuilds there were, and the highest generation seen (a rebuilt store goes on from there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from functools import wraps
from typing import Any, Protocol, TypeVar

from briefing.store.interface import StoreCorrupt

M = TypeVar("M", bound=Callable[..., Any])


class Healer:
    """The healing state of one open store; ``warn`` is told, in one line, of each rebuild."""

    def __init__(self, warn: Callable[[str], None] | None) -> None:
        self.warn = warn
        self.depth = 0  # calls of healing methods under way (only the outermost recovers)
        self.rebuilt = 0  # times damage was found and the store rebuilt
        self.high = -1  # the highest generation seen (a rebuild goes on from the next)

    def saw(self, gen: int) -> int:
        """Note a generation read or written; returns it."""
        if gen > self.high:
            self.high = gen
        return gen

    def damaged(self, exc: BaseException, name: str) -> None:
        """Count a rebuild of the store called ``name`` (as a user sees it) and say why."""
        self.rebuilt += 1
        if self.warn is not None:
            self.warn(f"the store {name} is damaged ({exc}); rebuilding it from the articles")


class Healing(Protocol):
    """What :func:`heals` needs of the object whose methods it wraps."""

    healer: Healer

    def _recover(self, exc: StoreCorrupt) -> None: ...


def heals(method: M) -> M:
    """A public method of a store that survives damage: when it meets some, the store is
    rebuilt (``_recover``, which gives up the second time) and the call made again. Only the
    outermost call recovers (one method calling another is made again as a whole), and
    arguments given as one-shot iterators are taken into lists first so the call can be
    repeated."""

    @wraps(method)
    def healing(self: Healing, *args: Any) -> Any:
        healer = self.healer
        if healer.depth:
            return method(self, *args)
        args = tuple(list(a) if isinstance(a, Iterator) else a for a in args)
        while True:
            healer.depth += 1
            try:
                return method(self, *args)
            except StoreCorrupt as exc:
                damage = exc
            finally:
                healer.depth -= 1
            self._recover(damage)

    return healing  # type: ignore[return-value]  # the same signature as ``method``


def guarded_by(guard: Callable[[], AbstractContextManager[None]]) -> Callable[[M], M]:
    """A decorator running a method under ``guard``, a backend's context that turns its
    driver's report of damage into :class:`~briefing.store.interface.StoreCorrupt`."""

    def guarded(method: M) -> M:
        @wraps(method)
        def run(*args: Any) -> Any:
            with guard():
                return method(*args)

        return run  # type: ignore[return-value]  # the same signature as ``method``

    return guarded
