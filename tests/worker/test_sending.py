"""A task message sent through a broken pooled broker connection (kombu's AttributeError
after a failover, seen in the cluster test) goes out on a new connection instead of
failing the task for good; a second failure is a transient broker error."""

from __future__ import annotations

from typing import Any

import pytest
from kombu.exceptions import OperationalError
from redis import Redis

from syndicate.config import load_settings
from syndicate.worker.app import create_app
from syndicate.worker.routing import DEFAULT_QUEUE, INGEST
from syndicate.worker.sending import send

from redis_servers import RedisServer


def _broken(*_: Any, **__: Any) -> None:
    raise AttributeError("'NoneType' object has no attribute 'client'")  # kombu's own words


def test_a_broken_pooled_connection_is_replaced(
    redis: Redis, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"SYNDICATE_CONFIG": "/nonexistent.toml", "SYNDICATE_REDIS_URL": redis_server.url}
    app = create_app(load_settings(env))
    try:
        monkeypatch.setattr(app.tasks[INGEST], "apply_async", _broken)
        send(app, INGEST, ("sent-1", 1, "en"))
        assert redis.llen(DEFAULT_QUEUE) == 1
        monkeypatch.setattr(app, "send_task", _broken)
        with pytest.raises(OperationalError, match="broker connection is broken"):
            send(app, INGEST, ("sent-2", 1, "en"))
    finally:
        app.close()
