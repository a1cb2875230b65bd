"""Which addresses briefing connects to: public ones, and the hosts the user allows.

A name is resolved once and every address it gives is checked (loopback, private, link-local,
shared, reserved, multicast, and IPv4 addresses inside IPv6 ones: mapped, NAT64, 6to4); the
client then connects to an address that passed, so a DNS answer cannot change between the
check and the connection (``client.Client.connect``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence

Resolver = Callable[[str, int], Sequence[tuple[int, tuple]]]  # (family, sockaddr) per address
IP = ipaddress.IPv4Address | ipaddress.IPv6Address


def public_address(ip: IP) -> bool:
    """Whether an address is on the public internet, looking inside IPv6 forms that carry an
    IPv4 address (mapped, NAT64, 6to4) so ``::ffff:127.0.0.1`` counts as loopback."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or (ip.sixtofour if ip.sixtofour is not None else None)
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None:
            return public_address(inner)
    return ip.is_global and not ip.is_multicast


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def literal(host: str) -> IP | None:
    """The address a host is written as (``127.0.0.1``, ``[::1]``), None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def kind(ip: IP) -> str:
    """What sort of address a non-public one is, for the refusal's message."""
    for attr, name in (("is_loopback", "loopback"), ("is_link_local", "link-local"),
                       ("is_private", "private"), ("is_multicast", "multicast")):
        if getattr(ip, attr):
            return name
    return "non-public"


def system_resolver(host: str, port: int) -> list[tuple[int, tuple]]:
    """The system's answer for ``host``: (family, sockaddr) of each stream address."""
    return [(family, addr) for family, _, _, _, addr in
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
