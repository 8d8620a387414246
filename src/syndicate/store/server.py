"""What the store knows about its Redis server: whether it keeps a write on disk before
answering, and which run of the server it is talking to.

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


@dataclass(frozen=True, slots=True)
class ServerRun:
    """One run of redis-server: its ``run_id`` and when it started (epoch s, its clock; up
    to a second late, as INFO counts uptime in whole seconds: a version received in that
    second is swept too, which at worst sends its ingest twice)."""

    run_id: str
    started: float


@guarded
def server_run(client: Client) -> ServerRun:
    """The run the client talks to (INFO server: allowed while the AOF is still loading)."""
    info = client.info("server")
    now = int(info["server_time_usec"]) / 1e6
    return ServerRun(str(info["run_id"]), now - int(info["uptime_in_seconds"]))


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)
