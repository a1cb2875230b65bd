"""How the ``briefing`` command runs: its process-wide speed-ups, in one place, and the switch
that turns them off.

Two tricks make a warm build over 100,000 articles faster, and both reach beyond any one
function, so they live here and only the entry point (``cli.main``) turns them on; the library
itself never changes process-wide state (a program embedding it keeps its own collector and
exits its own way):

- The cyclic garbage collector is off for the run. A warm build holds a few hundred thousand
  tuples (the scan, the store's rows, the refs) that are acyclic and live to the end, and the
  collector walked them again and again (measured: 0.55 s of a 3 s build). Work that makes
  many short-lived objects, ingesting many files (in this process and in the workers forked
  from it), turns it back on while it runs: :func:`collecting`.
- A successful run ends with ``os._exit(0)`` once stdout and stderr are flushed: every file is
  already written and the store closed (its lock released), and an ordinary exit would spend
  half a second of that build freeing objects one by one (measured: 0.5-0.7 s; ``gc.freeze``
  only skips collections, not that teardown). A failure exits the ordinary way, so nothing
  can hide an error's traceback or a handler's output; a stream that cannot be flushed (a
  closed or broken stdout) makes it an ordinary exit with code 1 too.

A third changes a library for the whole process and lives beside the one use of it: the PDF's
layout gives WeasyPrint's cffi a fast path for the type names it parses (``pdf.py``: a third
of a second per edition).

``BRIEFING_NO_SPEEDUPS=1`` turns all three off: the collector stays on, every run exits the
ordinary way (``atexit`` handlers run) and cffi parses as it always does, for a profiler, a
coverage run or a debugger.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import NoReturn

SWITCH = "BRIEFING_NO_SPEEDUPS"


def speedups_on(env: Mapping[str, str] = os.environ) -> bool:
    """Whether the speed-ups are on: unless ``BRIEFING_NO_SPEEDUPS`` is set (to anything but
    an empty string or ``0``)."""
    return env.get(SWITCH, "").strip() in ("", "0")


def run(main: Callable[[], object], env: Mapping[str, str] = os.environ) -> NoReturn:
    """Run ``main`` (the command line) with the speed-ups on (unless switched off) and exit the
    process with its exit code: ``os._exit(0)`` after a success once the output streams are
    flushed, an ordinary exit otherwise (``SystemExit`` and exceptions go on as raised, the
    collector as it was)."""
    fast = speedups_on(env)
    paused = fast and gc.isenabled()
    if paused:
        gc.disable()
    try:
        main()
    except SystemExit as exc:
        if exc.code not in (0, None):
            _restore(paused)
            raise
    except BaseException:
        _restore(paused)
        raise
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        _restore(paused)
        sys.exit(1)  # a closed or broken stdout: an ordinary exit reports it
    if fast:
        # the collector is not turned back on: its first pass would walk all the run made
        os._exit(0)
    sys.exit(0)


def _restore(paused: bool) -> None:
    if paused:
        gc.enable()


@contextmanager
def collecting() -> Iterator[None]:
    """The cyclic collector on while the block runs, when the run turned it off: for work that
    makes enough short-lived objects to want it (a long ingestion)."""
    paused = not gc.isenabled()
    if paused:
        gc.enable()
    try:
        yield
    finally:
        if paused:
            gc.disable()
