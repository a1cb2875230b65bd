"""The file watcher: what a change to rebuild on is, and the thread that waits for one.

It watches the config's folder (only the config file itself counts: an editor that saves by
renaming a new file over the old one is still seen), the workspace's templates and the shipped
ones, and the corpus paths of the last config that loaded, with watchfiles (inotify on Linux).
What the build writes itself (``out/``, the store) is never a change, so a rebuild cannot
start another. When a rebuild changes what is to be watched (the config names another
corpus), the watch starts again over the new paths.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

from briefing.config import Config
from briefing.pipeline import workspace_templates
from briefing.publish.render import default_templates_dir
from briefing.read.corpus import display_path

STEP_MS = 50  # a batch of changes is yielded once nothing changed for this long
DEBOUNCE_MS = 1600  # at most this long (a large copy into the corpus arrives in batches)
TIMEOUT_MS = 500  # how often the watch stops to see whether it should end or move


def _under(path: str, folders: Iterable[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


class Watched:
    """What one config makes worth a rebuild: the folders to watch and the test of a path."""

    def __init__(self, config_path: Path, config: Config | None) -> None:
        self.config_file = os.path.realpath(config_path)
        content = {os.path.realpath(default_templates_dir())}  # what the editions are made of
        ignored: set[str] = set()
        if config is not None:
            templates = workspace_templates(config)
            if templates is not None:
                content.add(os.path.realpath(templates))
            content.update(os.path.realpath(p) for p in config.corpus)
            ignored = {os.path.realpath(config.out), os.path.realpath(config.store)}
        else:
            guess = Path(self.config_file).parent.parent / "templates"
            if guess.is_dir():
                content.add(os.path.realpath(guess))
        self.content = tuple(sorted(p for p in content if os.path.exists(p)))
        # a file is watched through its folder, so that a save by rename is seen
        folders = {p if os.path.isdir(p) else os.path.dirname(p) for p in self.content}
        folders.add(os.path.dirname(self.config_file))
        self.paths = tuple(sorted(folders))
        self.ignored = tuple(sorted(ignored))
        self._default = DefaultFilter()

    def relevant(self, change: Change, path: str) -> bool:
        """Whether a change to ``path`` can change an edition: the config file, or a file in a
        corpus or template folder that the build does not write itself."""
        if not self._default(change, path):
            return False
        # a deleted file has no real path of its own: its folder's, then its name
        real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
        if _under(real, self.ignored):
            return False
        return real == self.config_file or _under(real, self.content)


class Watcher:
    """A thread calling ``rebuild(reason)`` after each batch of relevant changes; ``watched``
    says, after each rebuild, what to watch now."""

    def __init__(self, watched: Callable[[], Watched], rebuild: Callable[[str], object], *,
                 force_polling: bool | None = None,
                 failed: Callable[[str], object] = lambda _: None) -> None:
        self._watched = watched
        self._rebuild = rebuild
        self._failed = failed
        self._stop = threading.Event()
        self._polling = force_polling
        self._thread = threading.Thread(target=self._run, name="briefing-serve-watch",
                                        daemon=True)
        self.ready = threading.Event()  # set once the first watch is in place

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            current = self._watched()
            try:
                self._watch(current)
            except Exception as exc:
                self._failed(f"watching {', '.join(current.paths)}: {exc}; trying again")
                self._stop.wait(TIMEOUT_MS / 1000)

    def _watch(self, current: Watched) -> None:
        """Rebuild on each batch of changes under ``current`` until it is no longer what to
        watch (then return, to watch the new paths) or the watcher is stopped."""
        for changes in watch(*current.paths, watch_filter=current.relevant,
                             debounce=DEBOUNCE_MS, step=STEP_MS, stop_event=self._stop,
                             rust_timeout=TIMEOUT_MS, yield_on_timeout=True,
                             raise_interrupt=False, force_polling=self._polling,
                             ignore_permission_denied=True):
            self.ready.set()
            if changes:
                self._rebuild(_reason(changes))
            after = self._watched()
            if (after.paths, after.content, after.ignored) != (current.paths, current.content,
                                                                current.ignored):
                return


def _reason(changes: set[tuple[Change, str]]) -> str:
    """'config/briefing.yaml changed', 'seeds/x.txt deleted', '3 files changed'. A save by
    rename is seen as the file added: it is named changed, unless it is gone."""
    paths = {path for _, path in changes}
    if len(paths) == 1:
        (path,) = paths
        return f"{display_path(Path(path))} {'changed' if os.path.exists(path) else 'deleted'}"
    return f"{len(paths)} files changed"
