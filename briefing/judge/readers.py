"""An edition's window: which articles are new enough for it.

A profile's ``since`` is ``"last-edition"`` (new since the last edition this reader was sent,
according to the send ledger), a number of days (``"7d"``: the week before the edition date) or
an ISO date; ``--since DATE`` on the command line narrows any edition further. The config has
already checked their form; this module turns them into one :class:`Window`.

An article with no known publication date cannot be shown to fall inside a window, so a
windowed edition leaves it out (a 2021 column has no place in a December 2026 weekly) and says
how many it left out; a profile's ``undated: include`` (or ``--undated include``) keeps them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from briefing.config.model import LAST_EDITION, WINDOW_DAYS_RE, Config, Reader
from briefing.store import backends
from briefing.store.ledger import Ledger

__all__ = ["LAST_EDITION", "Window", "edition_window", "reader_since", "window_start"]


def window_start(since: str, edition: dt.date, last_edition: str | None) -> dt.date | None:
    """The first publication date a window admits, for an edition dated ``edition``.

    ``last_edition`` is the date of the reader's previous edition (None when there was none:
    then "last-edition" admits everything, so a new reader's first edition is complete). The
    previous edition's own day is included: an article published that day may have come out
    after the edition was sent, and repeating one beats losing one.
    """
    text = since.strip()
    if text == LAST_EDITION:
        return dt.date.fromisoformat(last_edition) if last_edition else None
    m = WINDOW_DAYS_RE.match(text)
    if m:
        return edition - dt.timedelta(days=int(m.group("n")))
    return dt.date.fromisoformat(text)


def reader_since(config: Config, reader: Reader | None, edition: dt.date, *,
                 ledger: Ledger | None = None) -> dt.date | None:
    """The start of ``reader``'s window for the edition dated ``edition``, or None for no window
    (the main edition, or a profile without ``since``).

    "last-edition" looks the reader up in ``ledger``, or in the store's ledger opened read-only
    when none is given (a build never creates or changes the ledger). Only editions before this
    one count, so resending an edition (``--force``) builds the same edition again.
    """
    if reader is None or not reader.since:
        return None
    last = None
    if reader.since.strip() == LAST_EDITION:
        if ledger is not None:
            last = ledger.last_edition(config.title, reader.id, before=edition.isoformat())
        else:
            opened = backends.read_ledger(config)
            if opened is not None:
                with opened:
                    last = opened.last_edition(config.title, reader.id,
                                               before=edition.isoformat())
    return window_start(reader.since, edition, last)


@dataclass(frozen=True)
class Window:
    """The articles an edition admits: those published on or after ``start``; undated ones only
    when ``undated`` is True. ``label`` says where the window came from, for the edition's note;
    it names no reader, so readers with one window share one edition (``deliver.editions``)."""

    start: dt.date
    label: str
    undated: bool = False


def edition_window(config: Config, reader: Reader | None, edition: dt.date, *,
                   since: dt.date | None = None, undated: bool | None = None,
                   ledger: Ledger | None = None) -> Window | None:
    """The window of ``reader``'s edition (None: the main edition) dated ``edition``: the later
    of ``since`` (the command line's) and the profile's own, or None when neither is set.
    ``undated`` (the command line's) overrides the profile's ``undated``."""
    profile = reader_since(config, reader, edition, ledger=ledger)
    if since is None and profile is None:
        return None
    if profile is not None and reader is not None and (since is None or profile > since):
        start, label = profile, f"the profile's since: {reader.since}"
    else:
        assert since is not None
        start, label = since, f"--since {since.isoformat()}"
    keep = undated if undated is not None else reader is not None and reader.undated == "include"
    return Window(start, label, keep)
