"""Which addresses of a Dask scheduler a build sends work to: ``tcp://HOST:PORT``, nothing else.

One rule, :func:`scheduler_problem`, for ``build --scheduler`` (a usage error) and the config's
``compute.scheduler`` (a config error at its line and column), checked before anything is
read. Dask's ``tcp://`` protocol authenticates nobody (its ``tls://`` needs certificates briefing
does not manage), so only an address on a network the team trusts belongs here; a scheduler's
other forms (``inproc://``, ``ucx://``, a scheduler file) are not ones a team types.
"""

from __future__ import annotations

from urllib.parse import urlsplit

FORM = "tcp://HOST:PORT"


def scheduler_problem(address: object) -> str | None:
    """Why ``address`` is not the address of a Dask scheduler briefing sends work to, or None:
    it must be ``tcp://HOST:PORT`` (what ``dask scheduler`` prints), nothing more. The one rule
    for ``--scheduler`` and the config's ``compute.scheduler`` alike."""
    if not isinstance(address, str) or any(c.isspace() or not c.isprintable() for c in address):
        return f"expected {FORM}, got {address!r}"
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:  # a port that is not a number or over 65535, a broken [IPv6] host
        return f"expected {FORM}, got {address!r}"
    if parts.scheme != "tcp":
        return (f"expected {FORM} (the address `dask scheduler` prints; Dask's other "
                f"protocols are not supported), got {address!r}")
    if not parts.hostname or not port or parts.username is not None \
            or parts.password is not None or parts.path not in ("", "/") or parts.query \
            or parts.fragment or address.endswith(("?", "#")):
        return f"expected {FORM}, got {address!r}"
    return None
