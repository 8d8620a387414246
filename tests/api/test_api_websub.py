"""``POST /v1/websub`` through the ASGI app on a real redis-server (issue 19): a partner's
key subscribes to a feed it is entitled to, a form naming its fields; the intent goes to a
push worker to verify."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis

from api_support import (
    ALL_KEY,
    BASE,
    WIRE_KEY,
    TestClient,
    add_partners,
    api_app,
    api_settings,
    bearer,
)
from redis_servers import RedisServer

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def hub(redis: Redis, redis_server: RedisServer) -> Iterator[TestClient]:
    add_partners(redis)
    settings = api_settings(redis_server.url, push_allow_networks=("127.0.0.0/8",))
    with TestClient(api_app(settings)) as client:
        yield client


def _ask(hub: TestClient, key: str | None, **fields: str) -> Any:
    form = {"hub.mode": "subscribe", "hub.topic": f"{BASE}/v1/feeds/ar.rss"}
    form |= {"hub.callback": "http://127.0.0.1:9/cb", **fields}
    headers = {"Content-Type": FORM, **(bearer(key) if key else {})}
    return hub.post(
        "/v1/websub", content="&".join(f"{k}={v}" for k, v in form.items()), headers=headers
    )


def test_a_partner_subscribes_to_a_feed_it_may_read_and_a_worker_verifies(
    hub: TestClient, redis: Redis
) -> None:
    answer = _ask(hub, WIRE_KEY, **{"hub.lease_seconds": "3600", "hub.secret": "s"})
    assert answer.status_code == 202, answer.text
    assert redis.llen("push") == 1  # the verification, for a push worker
    nf = _ask(hub, ALL_KEY, **{"hub.topic": f"{BASE}/v1/feeds/tr.xml", "hub.mode": "unsubscribe"})
    assert nf.status_code == 202


@pytest.mark.parametrize(
    ("key", "fields", "status", "word"),
    [
        (None, {}, 401, "partner key"),
        (WIRE_KEY, {"hub.mode": "publish"}, 400, "hub.mode"),
        (WIRE_KEY, {"hub.topic": f"{BASE}/v1/feeds/ar.json"}, 400, "hub.topic"),
        (WIRE_KEY, {"hub.topic": "https://elsewhere.example/v1/feeds/ar.rss"}, 400, "hub.topic"),
        (WIRE_KEY, {"hub.topic": f"{BASE}/v1/feeds/tr.rss"}, 403, "not entitled"),
        (WIRE_KEY, {"hub.callback": "http://169.254.169.254/latest"}, 400, "link-local"),
        (WIRE_KEY, {"hub.callback": "ftp://127.0.0.1/x"}, 400, "hub.callback"),
        (WIRE_KEY, {"hub.lease_seconds": "soon"}, 400, "hub.lease_seconds"),
    ],
)
def test_refusals_name_the_reason_and_queue_nothing(
    hub: TestClient, redis: Redis, key: str | None, fields: dict[str, str], status: int, word: str
) -> None:
    answer = _ask(hub, key, **fields)
    assert answer.status_code == status and word in answer.json()["error"]
    assert redis.llen("push") == 0


def test_a_websub_request_is_a_form(hub: TestClient) -> None:
    answer = hub.post("/v1/websub", json={"hub.mode": "subscribe"}, headers=bearer(WIRE_KEY))
    assert answer.status_code == 415
