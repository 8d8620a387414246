"""Which addresses a push may reach (request forgery, issue 19).

A partner's push URL and a WebSub subscriber's callback are chosen by someone else: left
alone, a push could be pointed at the service's own Redis, a cloud metadata endpoint or
anything else on the private network. So every address a push would connect to must be a
public one, unless it lies in a network the operator allowed (``push_allow_networks``, for
receivers on a private network). The shell resolves the name, asks here for every address,
and connects to the address it checked (never resolving again), following no redirect.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(raw: Sequence[str]) -> tuple[Network, ...]:
    """CIDR blocks (``10.0.0.0/8``, ``127.0.0.1``, ``fd00::/8``); ``ValueError`` names the
    first one that is not."""
    networks = []
    for text in raw:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{text!r} is not an IP network (CIDR, e.g. 10.0.0.0/8)") from None
    return tuple(networks)


def _kind(address: Address) -> str | None:
    """What makes ``address`` non-public, or None for a public one."""
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    )
    for name, hit in checks:
        if hit:
            return name
    return None if address.is_global else "not public"


def address_problem(ip: str, allowed: Sequence[Network]) -> str | None:
    """Why a push may not connect to ``ip``, or None: it is public, or in ``allowed``. An
    IPv4-mapped IPv6 address is judged as the IPv4 address it carries."""
    try:
        address: Address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return f"{ip!r} is not an IP address"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed):
        return None
    kind = _kind(address)
    if kind is None:
        return None
    return f"{address} is a {kind} address (allow its network in push_allow_networks to reach it)"
