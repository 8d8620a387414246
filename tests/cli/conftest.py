"""CLI fixtures: settings on the suite's redis-server and broker, and its flushed store."""

from __future__ import annotations

import pytest
from redis import Redis

from syndicate.config import Settings, load_settings

from redis_servers import RedisServer


@pytest.fixture
def service_settings(redis_server: RedisServer) -> Settings:
    """What in-process commands run on (``main(argv, service_settings)``): the suite's
    Redis as store and broker, the four default targets, the defaults for the rest (no
    project file, no SYNDICATE_* variable of the machine running the tests)."""
    env = {"SYNDICATE_CONFIG": "/nonexistent.toml", "SYNDICATE_REDIS_URL": redis_server.url}
    return load_settings(env | {"SYNDICATE_DEFAULT_TARGETS": "ar,tr,ckb,kmr"})


@pytest.fixture
def service(redis: Redis) -> Redis:
    """The flushed store client on the Redis ``service_settings`` point at."""
    return redis
