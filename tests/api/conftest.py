"""API fixtures: the ASGI app on the suite's redis-server and broker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from syndicate.api.app import create_app

from api_support import TestClient, api_config
from redis_servers import RedisServer


@pytest.fixture
def api(redis: Redis, broker: RedisServer) -> Iterator[TestClient]:
    with TestClient(create_app(api_config(broker.url))) as client:
        yield client
