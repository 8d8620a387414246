"""The API's start-up check of its store (api/durability.py): a 202 must survive a Redis
crash, so a Redis that does not fsync every write stops the start where the operator
requires it (``require_durable_store``), and is one loud warning otherwise (the default)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from redis import Redis

from syndicate.api.durability import UNCHECKED
from syndicate.errors import StoreNotDurable

from api_support import TestClient, api_app, api_settings
from redis_servers import RedisServer, start_redis_server


def test_the_api_refuses_to_start_on_a_redis_without_fsync_always(tmp_path: Path) -> None:
    server = start_redis_server(tmp_path, persistent=False)
    try:
        app = api_app(api_settings(server.url, require_durable_store=True))
        with pytest.raises(StoreNotDurable, match="appendonly no"), TestClient(app):
            pass
    finally:
        server.stop()


def test_without_the_requirement_it_starts_and_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = start_redis_server(tmp_path, persistent=False)
    try:
        settings = api_settings(server.url, require_durable_store=False)
        with (
            caplog.at_level(logging.WARNING, "syndicate.api"),
            TestClient(api_app(settings)) as api,
        ):
            assert api.get("/healthz").json()["redis"] == "ok"
    finally:
        server.stop()
    assert any("would not survive a Redis crash" in r.getMessage() for r in caplog.records)


def test_a_durable_store_starts_quietly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    server = start_redis_server(tmp_path)
    try:
        with (
            caplog.at_level(logging.WARNING, "syndicate.api"),
            TestClient(api_app(api_settings(server.url, provider_domain="rudaw.net"))) as api,
        ):
            assert api.get("/healthz").json()["redis"] == "ok"
    finally:
        server.stop()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_redis_that_refuses_config_starts_with_one_warning_saying_what_it_needs(
    redis: Redis, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """As on a managed Redis: a user that may not run CONFIG. Nothing can be checked, the
    operator's word is taken, and the one line names the settings a 202 needs."""
    allowed = {"keys": ["*"], "channels": ["*"], "commands": ["+@all", "-config"]}
    redis.acl_setuser("managed", enabled=True, passwords=["+pw"], **allowed)
    url = redis_server.url.replace("redis://", "redis://managed:pw@")
    try:
        settings = api_settings(url, require_durable_store=True)
        with (
            caplog.at_level(logging.WARNING, "syndicate.api"),
            TestClient(api_app(settings)) as api,
        ):
            assert api.get("/healthz").json()["redis"] == "ok"
    finally:
        redis.acl_deluser("managed")
    lines = [r.getMessage() for r in caplog.records if "durability" in r.getMessage()]
    assert lines == [UNCHECKED]
    assert "appendonly yes, appendfsync always" in UNCHECKED and "refuses CONFIG" in UNCHECKED
