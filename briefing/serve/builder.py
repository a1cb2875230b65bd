"""The generations of editions the server shows: rebuilt on a change, waited on by the page.

Every rebuild (one per batch of changes the watcher reports) makes a new :class:`Snapshot`
with the next generation number: the editions on view rebuilt from one warm reading of the
corpus (the main edition or ``--reader``'s, and those of the readers asked for since), or the
:class:`Failure` that stopped them, the last good editions kept beside it. An open page asks
:meth:`Builder.wait` whether its generation is still the latest, and reloads when it is not. A
reader's edition asked for the first time is built then, into the current generation.

One build runs at a time (the store allows one writer); the HTTP threads only read snapshots,
which are never changed once made.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from briefing.config import Config, load_config
from briefing.pipeline import BuildOptions, read_corpus
from briefing.serve.editions import Edition, Failure, failure_of, make_served

Warn = Callable[[str], None]
Key = str | None  # a reader's id; None for the main edition
ACTIVE_MAX = 4  # editions kept current on each rebuild (the default and the latest asked for)


def _ignore(_: str) -> None:
    return None


@dataclass(frozen=True)
class Snapshot:
    """What the server shows, as of one generation; never changed once made."""

    generation: int
    token: str  # this server's: a page from another run of it reloads
    editions: Mapping[Key, Edition] = field(default_factory=dict)
    failure: Failure | None = None
    last_good: Mapping[Key, Edition] = field(default_factory=dict)
    config: Config | None = None  # the last config that loaded (what the watcher follows)
    seconds: float = 0.0  # how long the rebuild took
    reason: str = ""

    def status(self) -> dict[str, object]:
        """The snapshot as JSON for the page and for tools (``/_serve/status``)."""
        return {"generation": self.generation, "token": self.token, "ok": self.failure is None,
                "problem": None if self.failure is None else
                {"kind": self.failure.kind, "lines": list(self.failure.lines)},
                "seconds": round(self.seconds, 4), "reason": self.reason,
                "editions": sorted(k or "" for k in self.editions)}


class Builder:
    """Builds the editions on view and keeps the latest :class:`Snapshot`."""

    def __init__(self, config_path: Path, default: Key = None, *,
                 options: BuildOptions | None = None, warn: Warn = _ignore,
                 say: Warn = _ignore, report: Warn = _ignore) -> None:
        self.config_path = Path(config_path)
        self.default = default
        self.options = options or BuildOptions()
        # warnings of a build (said once), what happened (a rebuild), and a failure's lines
        self._warn, self._say, self._report = warn, say, report
        self._said: set[str] = set()
        self._build_lock = threading.Lock()  # one build at a time
        self._changed = threading.Condition()  # guards _snap; notified on each new generation
        self._snap = Snapshot(0, secrets.token_hex(8))
        self._active: list[Key] = [default]
        self._closing = False

    @property
    def snapshot(self) -> Snapshot:
        with self._changed:
            return self._snap

    def rebuild(self, reason: str = "start") -> Snapshot:
        """Load the config again and rebuild every edition on view: the next generation."""
        with self._build_lock:
            t0 = time.perf_counter()
            config: Config | None = None
            try:
                config = load_config(self.config_path)
                keys = self._keys(config)
                editions = self._build(config, keys)
            except Exception as exc:
                failure = failure_of(exc)
                snap = self._publish(lambda s: replace(
                    s, editions={}, failure=failure, config=config or s.config,
                    seconds=time.perf_counter() - t0, reason=reason))
                for line in failure.lines:
                    self._report(line)
                return snap
            snap = self._publish(lambda s: replace(
                s, editions=editions, failure=None, last_good=editions, config=config,
                seconds=time.perf_counter() - t0, reason=reason))
            self._say(f"built in {snap.seconds:.2f} s" if reason == "start" else
                      f"rebuilt in {snap.seconds:.2f} s ({reason})")
            return snap

    def edition(self, key: Key) -> Edition | Failure | None:
        """``key``'s edition in the current generation, built now when it is asked for the
        first time; the current failure when there is one; None for a reader the config does
        not have."""
        snap = self.snapshot
        if snap.failure is not None or key in snap.editions:
            return snap.failure or snap.editions[key]
        with self._build_lock:
            snap = self.snapshot
            if snap.failure is not None or key in snap.editions:
                return snap.failure or snap.editions[key]
            config = snap.config
            if config is None or (key is not None and key not in _reader_ids(config)):
                return None
            try:
                built = self._build(config, [key])
            except Exception as exc:
                return failure_of(exc)
            self._activate(key)
            self._publish(lambda s: replace(s, editions={**s.editions, **built},
                                            last_good={**s.last_good, **built}), bump=False)
            return built[key]

    def wait(self, generation: int, timeout: float) -> Snapshot:
        """The snapshot once its generation is not ``generation``, or after ``timeout`` seconds
        (or at once when the server is closing): the open page's long poll."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._snap.generation == generation and not self._closing:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return self._snap

    def close(self) -> None:
        """Wake every waiting page: the server is stopping."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()

    def _publish(self, change: Callable[[Snapshot], Snapshot], *, bump: bool = True) -> Snapshot:
        """Make the next snapshot from the current one: a new generation (``bump``: every
        open page reloads), or the same one with an edition added."""
        with self._changed:
            new = change(self._snap)
            if bump:
                new = replace(new, generation=self._snap.generation + 1)
            self._snap = new
            self._changed.notify_all()
            return new

    def _keys(self, config: Config) -> list[Key]:
        """The editions to rebuild: the default one (whose reader, when gone from the config,
        is the failure to show) and the others asked for that the config still has."""
        known = _reader_ids(config)
        self._active = [k for k in self._active if k == self.default or k is None or k in known]
        return list(self._active)

    def _activate(self, key: Key) -> None:
        if key == self.default:
            return
        rest = [k for k in self._active if k not in (key, self.default)]
        self._active = [self.default, *rest[-(ACTIVE_MAX - 2):], key]

    def _build(self, config: Config, keys: Sequence[Key]) -> dict[Key, Edition]:
        """``keys``' editions from one reading of the corpus (the store's warm path). Another
        build holding the store is waited for as the store waits (``BRIEFING_LOCK_TIMEOUT``),
        then the failure to show until the next change."""
        readers = {k: config.reader(k) if k is not None else None for k in keys}
        corpus = read_corpus(config, None, warn=self._warn_once)
        try:
            return {k: make_served(config, corpus, r, self.options, self._warn_once)
                    for k, r in readers.items()}
        finally:
            corpus.close()

    def _warn_once(self, message: str) -> None:
        """A build's warning (a skipped article...), said the first time only: every rebuild
        would repeat it."""
        if message not in self._said:
            self._said.add(message)
            self._warn(message)


def _reader_ids(config: Config) -> set[str]:
    return {r.id for r in config.readers}
