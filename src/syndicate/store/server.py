"""What the store knows about its Redis server: whether it keeps a write on disk before
answering, whether a write reached the replicas it must, and which run of the server it is
talking to.

A 202 promises the article survives a kill -9 of redis-server (docs/operations.md,
"Durability"). With Redis 7.0 (no WAITAOF) the promise rests on the server's own settings:
``appendonly yes`` with ``appendfsync always`` makes Redis fsync the append-only file
before it sends the reply, so a reply the API saw is on disk. ``persistence`` reads them
(CONFIG GET; managed services often disable CONFIG: then None, unknown). ``server_run``
tells a restart from an outage: a restarted server has a new ``run_id``, and everything a
worker held in memory at the crash is gone (worker/recovery.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from redis.exceptions import ResponseError
from redis.sentinel import SentinelConnectionPool

from syndicate.errors import NotReplicated
from syndicate.store import keys
from syndicate.store.client import Client, guarded


@dataclass(frozen=True, slots=True)
class Persistence:
    """The server's append-only file settings, as CONFIG GET spells them."""

    appendonly: str
    appendfsync: str

    @property
    def durable(self) -> bool:
        """Every acknowledged write is on disk: a crash loses nothing answered."""
        return self.appendonly == "yes" and self.appendfsync == "always"

    def describe(self) -> str:
        return f"appendonly {self.appendonly}, appendfsync {self.appendfsync}"


@guarded
def persistence(client: Client) -> Persistence | None:
    """The server's AOF settings; None when CONFIG is refused (disabled or renamed)."""
    try:
        found = cast(dict[Any, Any], client.config_get("append*"))
    except ResponseError:
        return None
    values = {_text(k): _text(v) for k, v in found.items()}
    return Persistence(values.get("appendonly", "no"), values.get("appendfsync", "everysec"))


@guarded
def confirm_replicated(client: Client) -> None:
    """Return once every write made before this call is on ``client.min_replicas``
    replicas, or raise ``NotReplicated`` after ``client.wait_ms``.

    Redis's WAIT counts the replicas that acknowledged the replication offset of this
    connection's last write, so it follows a write of its own on the same connection (one
    pipeline): that offset lies beyond every write answered before it, whichever
    connection or process made them (the article's Lua script, kombu's message). WAIT
    confirms receipt in the replicas' memory; each replica's own ``appendfsync`` decides
    when it is on their disk (Redis 7.0 has no WAITAOF)."""
    wanted = _wanted(client)
    if wanted <= 0:
        return
    pipe = client.pipeline(transaction=False)
    pipe.incr(keys.replication_probe_key())
    pipe.wait(wanted, client.wait_ms)
    _, acked = pipe.execute()
    if int(acked) < wanted:
        raise NotReplicated(
            f"the write reached {int(acked)} of {wanted} replicas in {client.wait_ms} ms"
        )


def _wanted(client: Client) -> int:
    """The replicas a write must reach: none for a plain redis-py client (tests, tools)."""
    return int(getattr(client, "min_replicas", 0))


@dataclass(frozen=True, slots=True)
class Topology:
    """Where the store writes, for ``syndicate status``: the master's address, its
    connected replicas, the Sentinel set that named it (None for a plain URL) and the
    replicas a write must reach."""

    master: str
    role: str
    replicas: int
    sentinels: tuple[str, ...] | None
    master_name: str | None
    min_replicas: int

    def describe(self) -> str:
        via = ""
        if self.sentinels is not None:
            via = f" (Sentinel master {self.master_name!r} via {', '.join(self.sentinels)})"
        wait = f", writes wait for {self.min_replicas}" if self.min_replicas else ""
        return f"{self.master}{via}, {self.role}, {self.replicas} replicas connected{wait}"


@guarded
def topology(client: Client) -> Topology:
    """The master the client talks to now (asked of the sentinels, for a Sentinel URL)."""
    info = client.info("replication")
    role, replicas = str(info.get("role", "?")), int(info.get("connected_slaves", 0))
    pool = client.connection_pool
    if isinstance(pool, SentinelConnectionPool):
        host, port = pool.sentinel_manager.discover_master(pool.service_name)
        sentinels = tuple(_address(s.connection_pool) for s in pool.sentinel_manager.sentinels)
        return Topology(
            f"{host}:{port}", role, replicas, sentinels, pool.service_name, _wanted(client)
        )
    return Topology(_address(pool), role, replicas, None, None, _wanted(client))


def _address(pool: Any) -> str:
    found = pool.connection_kwargs
    return f"{found.get('host', '?')}:{found.get('port', '?')}"


@dataclass(frozen=True, slots=True)
class ServerRun:
    """One run of the master: a restart of redis-server (a new ``run_id``) or the promotion
    of a replica by Sentinel (a new replication id) begins a new one. ``started`` is when
    (epoch s, the server's clock): for a restart its start, up to a second late, as INFO
    counts uptime in whole seconds (a version received in that second is swept too, which
    at worst sends its ingest twice); for a promotion, which INFO does not date, the moment
    it is first seen, so everything delivered before it counts as possibly lost with the
    old master (handed back, and run again if it was not lost: idempotent)."""

    run_id: str
    started: float


@guarded
def server_run(client: Client) -> ServerRun:
    """The run the client talks to (INFO: allowed while the AOF is still loading)."""
    info = client.info()
    now = int(info["server_time_usec"]) / 1e6
    # redis-py reads the all-zero "no previous id" as the number 0
    was_replica = str(info.get("master_replid2", 0)).strip("0") != ""
    promoted = info.get("role") == "master" and was_replica
    started = now if promoted else now - int(info["uptime_in_seconds"])
    return ServerRun(f"{info['run_id']}:{info.get('master_replid', '')}", started)


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)
