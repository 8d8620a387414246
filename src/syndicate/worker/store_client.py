"""The store's client as every process builds it from the settings: the configured Redis
(a Sentinel master too) and the replicas a write must reach before it is reported done.
Kept apart from runtime.py so the CLI builds one without loading the models' engine."""

from __future__ import annotations

from syndicate.config import Settings
from syndicate.store.client import Client, connect


def store_client(s: Settings) -> Client:
    """A client on ``s.redis_url`` (``redis_master`` through Sentinel), requiring
    ``redis_min_replicas`` within ``redis_wait_ms`` (store/server.py)."""
    return connect(
        s.redis_url, s.redis_master, min_replicas=s.redis_min_replicas, wait_ms=s.redis_wait_ms
    )
