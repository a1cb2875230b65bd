"""fetch: feeds and web pages the user asked for -> new article files in the corpus.

Takes the config's ``feeds:`` and ``fetch:`` settings or URLs on the command line; gives files
written into the corpus folder (and the originals kept), so a build reads them like any other.

    client.py     the polite, SSRF-safe HTTP client: every request goes through it
    addresses.py  which addresses may be connected to (public ones, and allow_private)
    robots.py     robots.txt per origin (RFC 9309), read once
    body.py       an answer's body, bounded as received and once decompressed
    response.py   what a request gives: Response, or FetchError / Refused and why
    feeds.py      a feed's bytes -> its entries (RSS, Atom, JSON Feed)
    harvest.py    ``briefing fetch``: feeds or URLs -> new articles

Nothing here runs unless the user asked for a fetch (``briefing fetch``, ``build --fetch``).
Must not touch: the store's tables (the fetch state is ``store.fetchstate``), themes, outputs.
"""
