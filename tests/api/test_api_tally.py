"""The 304s of plain polls counted instead of logged one by one (api/tally.py, issue 20):
one ``requests`` line per path once its window has passed or at shutdown, one line per
304 with ``access_log_304 = "each"``, and every other answer its own line as before."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis

from syndicate.api.fastpoll import PollingApp
from syndicate.api.tally import NotModifiedTally

import api_support as support
from api_support import WIRE_KEY, TestClient, bearer
from redis_servers import RedisServer

FEED = "/v1/feeds/en.rss"
POLLS = 5


class Clock:
    """The tally's clock, moved by the test: a window passes without waiting for it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def capture(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.INFO, logger="syndicate.api"):
        yield caplog


def _lines(caplog: pytest.LogCaptureFixture, event: str) -> list[dict[str, Any]]:
    """The fields of the API's lines of ``event`` (``request`` or ``requests``)."""
    found = [r for r in caplog.records if r.name == "syndicate.api" and r.getMessage() == event]
    return [vars(r) for r in found]


def _poll(client: TestClient, etag: str | None = None) -> int:
    held = {"If-None-Match": etag} if etag else {}
    return client.get(FEED, headers={**bearer(WIRE_KEY), **held}).status_code


def _published(client: TestClient, redis: Redis) -> str:
    support.add_partners(redis)
    support.publish_article(redis, support.article_data())
    return str(client.get(FEED, headers=bearer(WIRE_KEY)).headers["etag"])


def _tally(client: TestClient) -> NotModifiedTally:
    app = client.app
    assert isinstance(app, PollingApp) and app.fast.tally is not None
    return app.fast.tally


def test_304s_are_one_requests_line_once_the_window_has_passed(
    api: TestClient, redis: Redis, capture: pytest.LogCaptureFixture
) -> None:
    etag = _published(api, redis)
    clock = _tally(api).clock = Clock()
    capture.clear()
    assert [_poll(api, etag) for _ in range(POLLS)] == [304] * POLLS
    clock.now += 9.9
    assert _poll(api) == 200  # before the window's end: counted, not written
    assert _lines(capture, "requests") == []
    assert [line["status"] for line in _lines(capture, "request")] == [200]
    clock.now += 0.1
    health = api.get("/healthz").status_code  # any request writes what is due
    (line,) = _lines(capture, "requests")
    assert (line["method"], line["path"], line["status"]) == ("GET", FEED, 304)
    assert (line["count"], line["window_s"]) == (POLLS, 10.0)
    assert 0 <= line["duration_ms_avg"] <= line["duration_ms_max"]
    assert [line["status"] for line in _lines(capture, "request")] == [200, health]
    assert _poll(api, etag) == 304 and len(_lines(capture, "requests")) == 1  # a new window


def test_shutdown_writes_the_counts_still_waiting(
    redis: Redis, redis_server: RedisServer, capture: pytest.LogCaptureFixture
) -> None:
    with TestClient(support.api_app(support.api_settings(redis_server.url))) as client:
        etag = _published(client, redis)
        assert [_poll(client, etag) for _ in range(POLLS)] == [304] * POLLS
        assert _lines(capture, "requests") == []
    (line,) = _lines(capture, "requests")
    assert (line["path"], line["status"], line["count"]) == (FEED, 304, POLLS)


def test_each_gives_every_304_its_own_line(
    redis: Redis, redis_server: RedisServer, capture: pytest.LogCaptureFixture
) -> None:
    settings = support.api_settings(redis_server.url, access_log_304="each")
    with TestClient(support.api_app(settings)) as client:
        etag = _published(client, redis)
        capture.clear()
        assert [_poll(client, etag) for _ in range(POLLS)] == [304] * POLLS
        assert _poll(client) == 200
    statuses = [(line["path"], line["status"]) for line in _lines(capture, "request")]
    assert statuses == [(FEED, 304)] * POLLS + [(FEED, 200)]
    assert _lines(capture, "requests") == []
