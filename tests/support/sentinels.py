"""A replicated Redis on loopback for tests: a master, a replica and Redis Sentinel watching
them (``redis-server --sentinel``), each a child process on a free port, each stopped by
``SentinelSet.stop``. Failover is quick on purpose (the master is down after 500 ms)."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from redis import Redis

from redis_servers import RedisServer, free_port, start_redis_server

MASTER = "mymaster"
DOWN_AFTER_MS = 500
START_SECONDS = 30.0


def _wait(what: str, check: object, seconds: float = START_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if callable(check) and check():
                return
        except OSError:
            pass
        time.sleep(0.05)  # polling interval, bounded by the deadline
    raise RuntimeError(f"not within {seconds:.0f} s: {what}")


def _replicating(port: int) -> bool:
    info = Redis(port=port, socket_timeout=1).info("replication")
    return info.get("master_link_status") == "up"


@dataclass
class SentinelSet:
    master: RedisServer
    replica: RedisServer
    sentinels: list[subprocess.Popen[bytes]]
    sentinel_ports: list[int]
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return ";".join(f"sentinel://127.0.0.1:{port}" for port in self.sentinel_ports)

    def master_port(self) -> int:
        """Where the sentinels say the master is now."""
        sentinel = Redis(port=self.sentinel_ports[0], socket_timeout=1)
        _, port = sentinel.sentinel_get_master_addr_by_name(MASTER)
        return int(port)

    def stop(self) -> None:
        for process in [*self.sentinels, *self.others]:
            if process.poll() is None:
                process.kill()
                process.wait()
        for server in (self.master, self.replica):
            if server.process.poll() is None:
                server.stop()


def start_replica(directory: Path, master: RedisServer) -> RedisServer:
    directory.mkdir(parents=True, exist_ok=True)
    replica = start_redis_server(directory)
    Redis(port=master.port).config_set("repl-diskless-sync-delay", 0)  # no 5 s wait for more
    Redis(port=replica.port).replicaof("127.0.0.1", master.port)
    _wait("the replica in sync", lambda: _replicating(replica.port))
    return replica


def start_sentinel_set(directory: Path, sentinels: int = 1) -> SentinelSet:
    """A master and its replica (both fsyncing every write), and ``sentinels`` sentinels
    with a quorum of one."""
    (directory / "master").mkdir(parents=True, exist_ok=True)
    master = start_redis_server(directory / "master")
    replica = start_replica(directory / "replica", master)
    processes, ports = [], []
    for n in range(sentinels):
        port = free_port()
        conf = directory / f"sentinel-{n}.conf"
        conf.write_text(
            f"port {port}\nbind 127.0.0.1\ndir {directory}\n"
            f"sentinel monitor {MASTER} 127.0.0.1 {master.port} 1\n"
            f"sentinel down-after-milliseconds {MASTER} {DOWN_AFTER_MS}\n"
            f"sentinel failover-timeout {MASTER} 10000\n",
            "utf-8",
        )
        processes.append(
            subprocess.Popen(
                ["redis-server", str(conf), "--sentinel"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        ports.append(port)
    found = SentinelSet(master, replica, processes, ports)
    try:
        for port in ports:
            sentinel = Redis(port=port, socket_timeout=1)
            _wait("a sentinel sees the replica", lambda s=sentinel: bool(s.sentinel_slaves(MASTER)))
    except BaseException:
        found.stop()
        raise
    return found
