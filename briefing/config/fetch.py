"""The checker of ``feeds:`` and ``fetch:``: the feeds to poll (each URL once, with the outlet
its articles are from), and how ``briefing fetch`` behaves: where fetched articles go (inside
a corpus folder, or they would never be read), the contact sent in the User-Agent, its limits
(``model.FETCH_LIMITS``, a table: a new limit is a line there) and the private hosts it may
reach.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node

from briefing.config.checker import Checker
from briefing.config.model import FETCH_LIMITS, FeedConfig, FetchConfig
from briefing.config.nodes import is_null
from briefing.deliver.headers import HOST_LABEL, valid_address

_HOST_RE = re.compile(rf"^(?=.{{1,253}}$){HOST_LABEL}(?:\.{HOST_LABEL})*\.?$")


def check_feeds(check: Checker, node: Node) -> tuple[FeedConfig, ...] | None:
    """``feeds:``: URLs, or ``{url: ..., outlet: ...}`` mappings; each URL once."""
    items = check.sequence(node, "feeds", "a list of feed URLs (or {url: ..., outlet: ...})")
    if items is None:
        return None
    out: list[FeedConfig | None] = []
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        where = f"feeds[{i}]"
        url_node, outlet = item, None
        if isinstance(item, MappingNode):
            f = check.mapping(item, where, "feed")
            if f is None or "url" not in f:
                out.append(None)
                continue
            url_node, where = f["url"][1], f"{where}.url"
            outlet = _outlet(check, f, f"feeds[{i}].outlet")
        url = check.url(url_node, where, ("https", "http"))
        if url is not None and url in first:
            check.problem(url_node, where, f"feed {url!r} is listed twice "
                          f"(also feeds[{first[url]}])")
            url = None
        elif url is not None:
            first[url] = i
        out.append(FeedConfig(url, outlet) if url is not None else None)
    return None if None in out else tuple(x for x in out if x is not None)


def check_fetch(check: Checker, pair: tuple[Node, Node] | None, corpus: tuple[Path, ...] | None
          ) -> FetchConfig:
    """``fetch:``, with ``into`` (where fetched articles go) inside a corpus folder: the
    first one's ``fetched/`` unless it says otherwise."""
    folders = [p for p in corpus or () if p.suffix == "" or p.is_dir()]
    default_into = folders[0] / "fetched" if folders else None
    if pair is None or is_null(pair[1]):
        return FetchConfig(into=default_into)
    f = check.mapping(pair[1], "fetch", "fetch")
    if f is None:
        return FetchConfig(into=default_into)
    defaults = FetchConfig()
    into = check.optional(f, "into", lambda v: check.path(v, "fetch.into"), default_into)
    if "into" in f and into is not None and corpus is not None and not any(
            into == p or p in into.parents for p in corpus):
        check.problem(f["into"][1], "fetch.into", f"{into} is not inside a corpus folder, so "
                      "the articles fetched there would never be read; put it under "
                      + " or ".join(str(p) for p in corpus))
    # int or float, as the limits and the field are: FETCH_LIMITS is the one list of them
    numbers: dict[str, Any] = {key: _limit(check, f, key, getattr(defaults, key))
                               for key in FETCH_LIMITS}
    return FetchConfig(
        into=into, contact=check.optional(f, "contact", lambda v: _contact(check, v), None),
        allow_private=check.optional(f, "allow_private", lambda v: _hosts(check, v), ()),
        **numbers)


def _outlet(check: Checker, f: dict[str, tuple[Node, Node]], where: str) -> str | None:
    """A feed's ``outlet``: the name its articles are credited to."""
    return check.optional(f, "outlet", lambda v: check.line(v, where, "an outlet name"), None)


def _limit(check: Checker, f: dict[str, tuple[Node, Node]], key: str, default: float) -> float:
    """``fetch.<key>`` within ``FETCH_LIMITS[key]`` (a whole number where the limits are, else
    a number of seconds), or ``default``."""
    lo, hi = FETCH_LIMITS[key]
    where = f"fetch.{key}"
    if isinstance(lo, int) and isinstance(hi, int):
        return check.optional(f, key, lambda v: check.integer(v, where, lo, hi), default)
    return check.optional(f, key, lambda v: check.bounded(v, where, lo, hi), default)


def _contact(check: Checker, node: Node) -> str | None:
    """``fetch.contact``: where site owners reach whoever runs briefing (User-Agent)."""
    what = "an email address or an https URL where site owners can reach you"
    value = check.line(node, "fetch.contact", what)
    if value is None:
        return None
    if value.startswith(("https://", "http://")):
        return check.url(node, "fetch.contact", ("https", "http"))
    address = value[7:] if value.startswith("mailto:") else value
    if not valid_address(address) or any(c in address for c in "()<>\";"):
        check.problem(node, "fetch.contact", f"expected {what}, got {value!r}")
        return None
    return address


def _hosts(check: Checker, node: Node) -> tuple[str, ...] | None:
    """``fetch.allow_private``: host names or IP addresses."""
    raw = check.strings(node, "fetch.allow_private")
    if raw is None:
        return None
    ok = True
    for i, (item, host) in enumerate(zip(node.value, raw)):
        if not _HOST_RE.match(host) and not _is_ip(host):
            check.problem(item, f"fetch.allow_private[{i}]",
                          f"expected a host name or an IP address, got {host!r}")
            ok = False
    return raw if ok else None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True
