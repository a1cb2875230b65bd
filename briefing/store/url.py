"""What ``store:`` in a config may say: a folder (the embedded store) or a server store's URL.

``store: postgresql://user@host/db`` keeps the store in PostgreSQL. The URL follows libpq's
conventions (``postgres://`` too; ``host=/path`` or ``%2Fpath`` for a Unix socket; libpq's
own parameters after ``?``), and the password never goes in it: libpq reads it from
``PGPASSWORD`` or ``~/.pgpass``, so a config can be shared and committed. The config check
calls :func:`url_problem`, the store's own rule, so a bad URL is a config problem at its
line, not an error of the first build.
"""

from __future__ import annotations

import importlib.util
import re
from urllib.parse import parse_qsl, unquote, urlsplit

SCHEMES = ("postgresql", "postgres")
EXAMPLE = "postgresql://user@host/db"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(value: str) -> bool:
    """Whether ``store:`` names a server (``scheme://...``) rather than a folder."""
    return bool(_URL.match(value))


def url_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a server store's URL, or None. The message never
    repeats the URL (it may hold a password)."""
    try:
        parts = urlsplit(value)
        port = parts.port
        query = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError as exc:
        return f"expected a URL such as {EXAMPLE}: {exc}"
    if parts.scheme.lower() not in SCHEMES:
        return f"expected a folder or a PostgreSQL URL such as {EXAMPLE}, not a {parts.scheme}: URL"
    if parts.password is not None or any(k == "password" for k, _ in query):
        return ("a password does not belong in the config: give it in PGPASSWORD or "
                "~/.pgpass (libpq's conventions)")
    database = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
    if not database or "/" in database:
        return f"name the database: {EXAMPLE}"
    if parts.fragment:
        return f"a PostgreSQL URL has no #fragment: {EXAMPLE}"
    if port == 0:
        return "the port must be a number from 1 to 65535"
    if importlib.util.find_spec("psycopg") is None:
        return ("a PostgreSQL store needs psycopg, in briefing's team extra: "
                "scripts/setup --team (or pip install 'briefing[team]')")
    from psycopg import ProgrammingError, conninfo  # libpq's own reading of the URL

    try:
        conninfo.conninfo_to_dict(value)
    except ProgrammingError as exc:
        return f"libpq cannot read it: {str(exc).strip()}"
    return None
