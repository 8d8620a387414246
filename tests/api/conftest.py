"""API fixtures: the ASGI app and its own Celery app on the suite's redis-server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from api_support import TestClient, api_app, api_settings
from redis_servers import RedisServer


@pytest.fixture
def api(redis: Redis, redis_server: RedisServer) -> Iterator[TestClient]:
    """The ASGI app and its Celery app on the suite's Redis (store and broker)."""
    with TestClient(api_app(api_settings(redis_server.url))) as client:
        yield client
