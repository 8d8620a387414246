"""Hosts as Linux network namespaces joined by one bridge (issue 20): each host has one
address on the bridge's subnet and its own loopback, so nothing between hosts goes over
loopback. The harness itself (the newsroom posting, the partners polling) is the bridge's
own address in the root namespace.

Addresses come from 198.18.0.0/15 (RFC 2544, set aside for benchmarking networks), on a
/24 each run claims for its process (a file under /run/syndicate-cluster), and every name
carries that subnet as the run's tag (``syc<tag>...``), so runs of several checkouts at
once never meet, and a run finds and removes what a run that was killed left behind
(``sweep``) without touching a live one. ``Network``
removes its namespaces (their veth ends go with them, and the root ends with those) and its
bridge on ``close``, also when a start fails half-way.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

PREFIX: Final = "syc"  # every namespace and link a cluster run makes starts with this
GONE_SECONDS: Final = 10.0
# Which live process holds which subnet (one file per subnet, its content the pid).
CLAIMS: Final = Path("/run/syndicate-cluster")
BLACKHOLE_METRIC: Final = "4000"


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
    probe = f"synprobe{os.getpid()}"  # not PREFIX: no run's name
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
    def cidr(self) -> str:
        return f"{self.subnet}.0/24"

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
        """Remove the namespaces, the bridge and the subnet's claim. A namespace goes once
        its last process has, and the kernel takes its veth pair with it a moment later:
        wait for that, then delete any root end still there."""
        for host in list(self.hosts):
            ip("netns", "del", self.namespace(host), check=False)
        ip("link", "del", self.bridge, check=False)
        self.hosts.clear()
        deadline = time.monotonic() + GONE_SECONDS
        while leftovers(self.tag) and time.monotonic() < deadline:
            time.sleep(0.1)  # polling interval, bounded by the deadline
        for name in leftovers(self.tag):
            ip("link", "del", name, check=False)
        ip("route", "del", "blackhole", self.cidr, "metric", BLACKHOLE_METRIC, check=False)
        (CLAIMS / str(int(self.tag, 16))).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner(number: int) -> int | None:
    """The live process that claimed subnet ``number``, or None."""
    try:
        pid = int((CLAIMS / str(number)).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def _claim_subnet() -> int:
    """A subnet no live run holds, claimed for this process (a file created exclusively):
    two runs at once (several checkouts' test suites) never share addresses or names."""
    CLAIMS.mkdir(parents=True, exist_ok=True)
    for number in random.sample(range(1, 255), 254):
        path = CLAIMS / str(number)
        if path.exists() and _owner(number) is None:
            path.unlink(missing_ok=True)  # its run was killed: the sweep removes the rest
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w") as out:
            out.write(str(os.getpid()))
        return number
    raise RuntimeError("every cluster subnet is held by a live run")


def open_network(hosts: Sequence[str]) -> Network:
    """The bridge and every host, or nothing (what was made is removed on failure)."""
    number = _claim_subnet()
    net = Network(f"{number:02x}", f"198.18.{number}")
    try:
        # Below the bridge's own route: should the bridge go while a client still talks,
        # its packets are dropped here, never sent out of this machine.
        ip("route", "add", "blackhole", net.cidr, "metric", BLACKHOLE_METRIC)
        ip("link", "add", net.bridge, "type", "bridge")
        ip("addr", "add", f"{net.gateway}/24", "dev", net.bridge)
        ip("link", "set", net.bridge, "up")
        for host in hosts:
            net.add_host(host)
    except BaseException:
        net.close()
        raise
    return net


def leftovers(tag: str | None = None) -> list[str]:
    """Every namespace and link a cluster run (the run ``tag`` only, if given) made that
    still exists."""
    spaces = ip("netns", "list", check=False).stdout.split()
    links = [
        line.split(":")[1].strip().split("@")[0]
        for line in ip("-o", "link", "show", check=False).stdout.splitlines()
        if len(line.split(":")) > 1
    ]
    mine = PREFIX + (tag or "")
    named = {n for n in [*spaces, *links] if n.startswith(mine)}
    return sorted(named | {route for route in _blackholes() if tag is None or route == _cidr(tag)})


def _cidr(tag: str) -> str:
    return f"198.18.{int(tag, 16)}.0/24"


def _blackholes() -> list[str]:
    """The 198.18.x.0/24 blackhole routes runs added (see ``open_network``)."""
    shown = ip("route", "show", "type", "blackhole", check=False).stdout.split()
    return [word for word in shown if word.startswith("198.18.") and word.endswith(".0/24")]


def _orphaned(name: str) -> bool:
    """A name of a run whose process is gone (its tag, the subnet, right after PREFIX)."""
    try:
        number = int(name[len(PREFIX) : len(PREFIX) + 2], 16)
    except ValueError:
        return False
    return _owner(number) is None


def sweep() -> list[str]:
    """Remove what killed runs left behind (namespaces first: their links go with them);
    a run whose process lives is not touched."""
    found = [n for n in leftovers() if not n.startswith("198.18.") and _orphaned(n)]
    for name in found:
        if "-" in name:
            ip("netns", "del", name, check=False)
    for name in leftovers():
        if name in found:
            ip("link", "del", name, check=False)
    for route in _blackholes():
        if _owner(int(route.split(".")[2])) is None:
            ip("route", "del", "blackhole", route, "metric", BLACKHOLE_METRIC, check=False)
            found.append(route)
    return found
