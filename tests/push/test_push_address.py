"""Which addresses a push may reach (push/address.py): public ones, and those in the
networks the operator allowed; never loopback, link-local or private ones otherwise."""

from __future__ import annotations

import pytest

from syndicate.push.address import address_problem, parse_networks

REFUSED = {
    "127.0.0.1": "loopback",
    "127.8.9.10": "loopback",
    "::1": "loopback",
    "169.254.169.254": "link-local",  # the cloud metadata endpoint
    "fe80::1%eth0": "link-local",
    "10.1.2.3": "private",
    "172.16.0.1": "private",
    "192.168.1.1": "private",
    "fd00::5": "private",
    "0.0.0.0": "unspecified",
    "224.0.0.1": "multicast",
    "100.64.0.1": "not public",  # carrier-grade NAT
    "::ffff:127.0.0.1": "loopback",  # IPv4-mapped: judged as the IPv4 address
}


@pytest.mark.parametrize(("ip", "kind"), REFUSED.items())
def test_non_public_addresses_are_refused_naming_their_kind(ip: str, kind: str) -> None:
    problem = address_problem(ip, ())
    assert problem is not None and f"a {kind} address" in problem


@pytest.mark.parametrize("ip", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_reached(ip: str) -> None:
    assert address_problem(ip, ()) is None


def test_an_allowed_network_opens_its_addresses_only() -> None:
    allowed = parse_networks(["127.0.0.0/8", "10.0.0.0/16"])
    assert address_problem("127.0.0.1", allowed) is None
    assert address_problem("10.0.200.1", allowed) is None
    assert address_problem("10.1.0.1", allowed) is not None
    assert address_problem("::ffff:10.0.0.9", allowed) is None


def test_a_bad_network_setting_is_named() -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.0/33' is not an IP network"):
        parse_networks(["127.0.0.1", "10.0.0.0/33"])
    assert address_problem("example.org", ()) == "'example.org' is not an IP address"
