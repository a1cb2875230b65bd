"""What ``briefing fetch`` has fetched, so nothing is fetched twice and the originals are kept:
the fetch state's interface, and the keys an article is known by.

The fetch state is kept beside the store (SQLite: its own file, ``<store>/fetch.sqlite``;
PostgreSQL: its own tables in the store's database), like the send ledger and for the same
reason: the store is a cache that briefing empties whenever its reading code changes, while
this is the only record of which entries were already fetched, of each feed's validators for
conditional GET, and of the original bytes of every fetched page. It is never emptied or
deleted by briefing; one that cannot be read is an :class:`~briefing.errors.InputError`.

An article is known by several keys: each URL it was reached by or names as canonical
(normalised: see :func:`normal_url`), each feed entry id that listed it (scoped by its feed:
``1001`` in two feeds is two entries), and the digest of its reading text (the same story at
two addresses). A candidate matching any key is not fetched again.

**One fetch at a time.** :func:`briefing.store.backends.fetch_state` opens the state with its
lock held (a lock file, or an advisory lock in PostgreSQL), taken without waiting: a second
fetch on the same store gets :class:`~briefing.errors.BusyError` at once, since two fetches
would fetch the same entries twice. **Transactions:** each writing call (``polled``,
``alias``, ``record``) is one transaction; an article's record, keys and original are stored
together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# query parameters that only say where a reader came from
_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "yclid", "igshid", "_hsenc", "_hsmi")


def now() -> str:
    """The time a fetch records (UTC, to the second): the same form in both backends."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def normal_url(url: str) -> str:
    """A URL as one article's address: scheme and host in lower case, the default port, the
    fragment and tracking parameters dropped, the other parameters sorted."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").rstrip(".")
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or
                     (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not k.lower().startswith(_TRACKING))
    return urlunsplit((parts.scheme.lower(), host.lower(), parts.path or "/", urlencode(query), ""))


def url_key(url: str) -> str:
    return "url:" + normal_url(url)


def entry_key(feed: str, entry_id: str) -> str:
    return f"id:{normal_url(feed)} {entry_id}"


def text_key(text: str) -> str:
    return "text:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Validators:
    """A feed's ETag and Last-Modified from its last 200, for the next conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


class FetchState(Protocol):
    """The open fetch state (see the module docstring)."""

    def validators(self, feed: str) -> Validators:
        """The validators of ``feed``'s last 200 (none when it was never polled)."""
        ...

    def polled(self, feed: str, outcome: str, validators: Validators | None) -> None:
        """Note a poll; ``validators`` None keeps the old ones (a poll whose entries were not
        all handled must ask for the whole feed again next time)."""
        ...

    def known(self, keys: Iterable[str]) -> str | None:
        """The path of the article one of ``keys`` names, if any (the first key that names
        one)."""
        ...

    def alias(self, path: str, keys: Iterable[str]) -> None:
        """More keys for the article written at ``path`` (nothing when none was); a key that
        names an article already keeps naming that one."""
        ...

    def record(self, path: str, url: str, text: str, keys: Iterable[str],
               original: bytes | None, content_type: str) -> None:
        """Note an article written at ``path`` from ``url``, known by ``keys`` and by the
        digest of ``text``, with its original bytes (if any), in one transaction."""
        ...

    def original(self, path: str) -> tuple[str, bytes] | None:
        """(content type, bytes) of the original of the article written at ``path``."""
        ...

    def paths(self) -> set[str]:
        """The path of every article recorded."""
        ...

    def articles(self) -> Iterator[tuple[str, str]]:
        """(path, url) of every article recorded, oldest first."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> FetchState: ...

    def __exit__(self, *_: object) -> None: ...
