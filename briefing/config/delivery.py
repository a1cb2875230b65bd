"""The checker of ``delivery:``: the mail headers an edition is sent with (From, Reply-To,
List-Id, List-Unsubscribe), its pacing, the CA file for SMTP and the web edition's address.

Each header value is checked by delivery's own rules (``deliver.headers``, through the
Checker's ``address``, ``url`` and ``line``), so a config that passes here is one delivery can
send with. SMTP settings come from the environment, never from the config.
"""

from __future__ import annotations

from yaml.nodes import Node

from briefing.config.checker import Checker
from briefing.config.model import DeliveryConfig, default
from briefing.deliver.headers import list_id_parts


def check_delivery(check: Checker, node: Node) -> DeliveryConfig | None:
    f = check.mapping(node, "delivery", "delivery")
    if f is None:
        return None
    n = len(check.problems)
    d = DeliveryConfig(
        sender=check.optional(f, "from", lambda v: check.address(
            v, "delivery.from", named=True), None),
        reply_to=check.optional(f, "reply_to", lambda v: check.address(
            v, "delivery.reply_to", named=True), None),
        list_id=check.optional(f, "list_id", lambda v: _list_id(check, v), None),
        unsubscribe=check.optional(f, "unsubscribe", lambda v: check.url(
            v, "delivery.unsubscribe", ("mailto", "https")), None),
        rate_per_minute=check.optional(f, "rate_per_minute", lambda v: check.integer(
            v, "delivery.rate_per_minute", 1, None), default(DeliveryConfig, "rate_per_minute")),
        ca_file=check.optional(f, "ca_file", lambda v: check.path(
            v, "delivery.ca_file", "file"), None),
        web_url=check.optional(f, "web_url", lambda v: check.url(
            v, "delivery.web_url", ("https", "http")), None),
    )
    return d if len(check.problems) == n else None


def _list_id(check: Checker, node: Node) -> str | None:
    """RFC 2919: ``Description <id.example.org>`` or the bare id."""
    what = "a List-Id such as 'News <news.example.org>'"
    value = check.line(node, "delivery.list_id", what)
    if value is None:
        return None
    if list_id_parts(value) is None:
        check.problem(node, "delivery.list_id", f"expected {what}, got {value!r}")
        return None
    return value
