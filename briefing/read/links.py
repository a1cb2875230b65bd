"""Which addresses may become links: absolute http and https URLs, nothing else.

An article's ``url`` (from its front matter or the config's sources manifest) ends up in
``<a href>`` in the web page and the email, and as a URI action in the PDF; a ``javascript:``,
``data:`` or ``file:`` address there runs script or opens a local file when a reader clicks it.
One rule, :func:`http_url`, decides wherever such an address is taken or shown: the corpus
reader (front matter), the config checker (the manifest and the config's web addresses) and the
renderers (whatever reaches a template), so ``briefing check`` refuses exactly what a build
drops and no edition can link elsewhere.
"""

from __future__ import annotations

from urllib.parse import urlsplit

SCHEMES = ("http", "https")


def http_url(value: object) -> str | None:
    """``value`` when it is an absolute http(s) URL with a host, else None.

    Whitespace and control characters anywhere refuse it: browsers drop tabs and line breaks
    inside a URL and trim control characters around it before they read the scheme, so
    ``"java\\tscript:..."`` would be ``javascript:`` to them whatever it looks like here."""
    if not isinstance(value, str) or not value:
        return None
    if any(c.isspace() or c < " " or "\x7f" <= c <= "\x9f" for c in value):
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # a malformed host ("http://[::1")
        return None
    if parts.scheme not in SCHEMES or not host:
        return None
    return value
