"""A reader's ``since`` window: which articles are new enough for that reader's edition.

A profile's ``since`` is ``"last-edition"`` (new since the last edition this reader was sent,
according to the send ledger), a number of days (``"7d"``: the week before the edition date) or
an ISO date. The config has already checked its form; this module turns it into a date.
"""

from __future__ import annotations

import datetime as dt
import re

from .config import Config, Reader
from .ledger import Ledger, read_ledger

LAST_EDITION = "last-edition"
_DAYS_RE = re.compile(r"^(?P<n>\d{1,5})d$")


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
    m = _DAYS_RE.match(text)
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
            opened = read_ledger(config.store)
            if opened is not None:
                with opened:
                    last = opened.last_edition(config.title, reader.id,
                                               before=edition.isoformat())
    return window_start(reader.since, edition, last)


def narrowest(*starts: dt.date | None) -> dt.date | None:
    """The latest of several window starts (``--since`` and a profile's ``since`` both apply),
    or None when none is set."""
    given = [s for s in starts if s is not None]
    return max(given) if given else None
