"""CLI fixtures: the process settings on the suite's redis-server and broker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from syndicate.config import settings

from redis_servers import RedisServer


@pytest.fixture
def service(
    redis: Redis, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Redis]:
    """The process settings on the suite's Redis (store and broker) with the four default
    targets, for code that reads ``settings()`` (the CLI builds its Celery app from them);
    yields the flushed store client."""
    monkeypatch.setenv("SYNDICATE_REDIS_URL", redis_server.url)
    monkeypatch.setenv("SYNDICATE_DEFAULT_TARGETS", "ar,tr,ckb,kmr")
    settings.cache_clear()
    yield redis
    settings.cache_clear()
