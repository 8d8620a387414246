"""Hosts as Linux network namespaces joined by one bridge (issue 20): each host has one
address on the bridge's subnet and its own loopback, so nothing between hosts goes over
loopback. The harness itself (the newsroom posting, the partners polling) is the bridge's
own address in the root namespace.

Addresses come from 198.18.0.0/15 (RFC 2544, set aside for benchmarking networks), on a
subnet drawn per run, and every name carries the run's tag (``s<tag>...``), so a run can
find and remove what an earlier run that was killed left behind (``sweep``). ``Network``
removes its namespaces (their veth ends go with them, and the root ends with those) and its
bridge on ``close``, also when a start fails half-way.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

PREFIX: Final = "syc"  # every namespace and link a cluster run makes starts with this
GONE_SECONDS: Final = 10.0


class Unavailable(RuntimeError):
    """Network namespaces cannot be made here (not root, no ``ip``, no permission)."""


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``ip ARGS``; a failure raises with ip's own message."""
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")
    return done


def unavailable_reason() -> str | None:
    """Why namespaces cannot be made here, or None (tried, then removed)."""
    if shutil.which("ip") is None:
        return "the ip command (iproute2) is not installed"
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = f"{PREFIX}probe{secrets.token_hex(2)}"
    made = ip("netns", "add", probe, check=False)
    if made.returncode != 0:
        return f"ip netns add failed: {made.stderr.strip()}"
    ip("netns", "del", probe, check=False)
    return None


@dataclass
class Network:
    """A bridge in the root namespace and one namespace per host, each with an address."""

    tag: str
    subnet: str  # the first three octets, "198.18.42"
    hosts: dict[str, str] = field(default_factory=dict)  # host -> address

    @property
    def bridge(self) -> str:
        return f"{PREFIX}{self.tag}br"

    @property
    def gateway(self) -> str:
        """The harness's own address (the root namespace, on the bridge)."""
        return f"{self.subnet}.1"

    def namespace(self, host: str) -> str:
        return f"{PREFIX}{self.tag}-{host}"

    def exec(self, host: str) -> list[str]:
        """The command prefix that runs a command on ``host``."""
        return ["ip", "netns", "exec", self.namespace(host)]

    def add_host(self, host: str) -> str:
        number = len(self.hosts) + 2
        address = f"{self.subnet}.{number}"
        ns, outside = self.namespace(host), f"{PREFIX}{self.tag}v{number}"
        ip("netns", "add", ns)
        self.hosts[host] = address  # from here on close() removes it
        ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns)
        ip("link", "set", outside, "master", self.bridge, "up")
        ip("-n", ns, "addr", "add", f"{address}/24", "dev", "eth0")
        ip("-n", ns, "link", "set", "eth0", "up")
        ip("-n", ns, "link", "set", "lo", "up")
        return address

    def link(self, host: str, up: bool) -> None:
        """Cut (or restore) ``host``'s one link, from inside its namespace."""
        ip("-n", self.namespace(host), "link", "set", "eth0", "up" if up else "down")

    def close(self) -> None:
        """Remove the namespaces and the bridge. A namespace goes once its last process
        has, and the kernel takes its veth pair with it a moment later: wait for that,
        then delete any root end still there."""
        for host in list(self.hosts):
            ip("netns", "del", self.namespace(host), check=False)
        ip("link", "del", self.bridge, check=False)
        self.hosts.clear()
        mine = f"{PREFIX}{self.tag}"
        deadline = time.monotonic() + GONE_SECONDS
        while any(n.startswith(mine) for n in leftovers()) and time.monotonic() < deadline:
            time.sleep(0.1)  # polling interval, bounded by the deadline
        for name in leftovers():
            if name.startswith(mine):
                ip("link", "del", name, check=False)


def open_network(hosts: Sequence[str]) -> Network:
    """The bridge and every host, or nothing (what was made is removed on failure)."""
    tag = secrets.token_hex(2)
    net = Network(tag, f"198.18.{random.randrange(1, 255)}")
    ip("link", "add", net.bridge, "type", "bridge")
    try:
        ip("addr", "add", f"{net.gateway}/24", "dev", net.bridge)
        ip("link", "set", net.bridge, "up")
        for host in hosts:
            net.add_host(host)
    except BaseException:
        net.close()
        raise
    return net


def leftovers() -> list[str]:
    """Every namespace and link a cluster run made that still exists."""
    spaces = ip("netns", "list", check=False).stdout.split()
    links = [
        line.split(":")[1].strip().split("@")[0]
        for line in ip("-o", "link", "show", check=False).stdout.splitlines()
        if len(line.split(":")) > 1
    ]
    return sorted({n for n in [*spaces, *links] if n.startswith(PREFIX)})


def sweep() -> list[str]:
    """Remove what killed runs left behind (namespaces first: their links go with them)."""
    found = leftovers()
    for name in found:
        if "-" in name:
            ip("netns", "del", name, check=False)
    for name in leftovers():
        ip("link", "del", name, check=False)
    return found
