"""POST /v1/ingest/superdesk through the real ASGI app on the suite's Redis: Superdesk's
signed push, generic ninjs and NewsML-G2 by Content-Type, the webhook's answers (202,
200 replay, 409 stale, 401, 415, 400, 413, 422) and nothing stored for a refusal."""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis

from syndicate.api.credentials import SUPERDESK_HEADER
from syndicate.feeds.newsml import render_news_item
from syndicate.feeds.ninjs import render_ninjs_item
from syndicate.store import articles

from api_support import TestClient, api_app, api_settings, nothing_stored, signed
from feed_samples import NOW, entry, kobani_en
from foreign_samples import (
    ROUTE,
    SUPERDESK_SECRET,
    ninjs_document,
    ninjs_headers,
    superdesk_headers,
    superdesk_push,
    transmitted,
)
from redis_servers import RedisServer

SENT_HEADER = SUPERDESK_HEADER.lower()  # as Superdesk spells it; headers match either way


@pytest.fixture
def api(redis: Redis, redis_server: RedisServer) -> Iterator[TestClient]:
    settings = api_settings(redis_server.url, superdesk_secret=SUPERDESK_SECRET)
    with TestClient(api_app(settings)) as client:
        yield client


def _push(api: TestClient, item: dict[str, Any], **headers: str) -> Any:
    body = transmitted(item)
    return api.post(ROUTE, content=body, headers={**superdesk_headers(body), **headers})


def test_the_signature_is_the_one_superdesks_transmitter_computes() -> None:
    body = transmitted(superdesk_push())
    # HTTPPushService._get_data_hash: hmac.new(str.encode(token), msg=data, digestmod="sha1")
    theirs = (
        "sha1=" + hmac.new(str.encode(SUPERDESK_SECRET), msg=body, digestmod="sha1").hexdigest()
    )
    assert superdesk_headers(body)[SENT_HEADER] == theirs


def test_a_signed_push_is_queued_then_a_replay_is_known(api: TestClient, redis: Redis) -> None:
    item = superdesk_push()
    first = _push(api, item)
    assert first.status_code == 202, first.text
    assert first.json() == {
        "id": item["guid"],
        "version": 1,
        "status": "queued",
        "targets": ["ar", "tr"],
    }
    stored, _ = articles.get_status(redis, item["guid"])
    assert stored.article.headline == item["headline"] and len(stored.article.credits) == 3
    again = _push(api, item)
    assert (again.status_code, again.json()["status"]) == (200, "known")


def test_a_second_version_updates_and_an_older_one_is_409(api: TestClient) -> None:
    assert _push(api, superdesk_push()).status_code == 202
    assert (
        _push(api, superdesk_push(version="2", headline="Erbil floods: schools shut")).status_code
        == 202
    )
    stale = _push(api, superdesk_push())
    assert stale.status_code == 409 and stale.json()["stored_version"] == 2


def test_a_canceled_push_is_stored_as_a_withdrawal(api: TestClient, redis: Redis) -> None:
    item = superdesk_push()
    assert _push(api, item).status_code == 202
    assert _push(api, superdesk_push(version="2", pubstatus="canceled")).status_code == 202
    stored, _ = articles.get_status(redis, item["guid"])
    assert str(stored.article.status) == "withdrawn"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({SENT_HEADER: ""}, "missing"),
        ({SENT_HEADER: "sha1=" + "0" * 40}, "does not match"),
        ({SENT_HEADER: "sha256=abc"}, "must be sha1="),
    ],
)
def test_a_bad_signature_is_401_and_stores_nothing(
    api: TestClient, redis: Redis, headers: dict[str, str], reason: str
) -> None:
    answer = _push(api, superdesk_push(), **headers)
    assert answer.status_code == 401 and reason in answer.json()["error"]
    assert answer.headers["www-authenticate"] == f'Signature header="{SUPERDESK_HEADER}"'
    assert nothing_stored(redis)


def test_the_newsroom_secret_or_signature_does_not_open_this_route(
    api: TestClient, redis: Redis
) -> None:
    body = transmitted(superdesk_push())
    ours = api.post(
        ROUTE, content=body, headers={"Content-Type": "application/json", **signed(body)}
    )
    other = api.post(ROUTE, content=body, headers=superdesk_headers(body, "newsroom-test-secret"))
    assert ours.status_code == 401 and other.status_code == 401 and nothing_stored(redis)


def test_without_a_superdesk_secret_the_route_is_503(
    redis: Redis, redis_server: RedisServer
) -> None:
    with TestClient(api_app(api_settings(redis_server.url))) as client:
        answer = _push(client, superdesk_push())
    assert answer.status_code == 503 and "SYNDICATE_SUPERDESK_SECRET" in answer.json()["error"]
    assert nothing_stored(redis)


def test_an_unknown_field_is_422_naming_it(api: TestClient, redis: Redis) -> None:
    item = superdesk_push(headline=None, word_count=3)
    answer = _push(api, item)
    assert answer.status_code == 422
    errors = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert errors["word_count"].startswith("unknown field") and errors["headline"] == "is required"
    assert nothing_stored(redis)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[" * 100_000, "application/json", 400),
        (b'{"guid": "a", "guid": "b"}', "application/json", 400),
        (
            b'<!DOCTYPE n [<!ENTITY e SYSTEM "file:///etc/passwd">]><n>&e;</n>',
            "application/xml",
            400,
        ),
        (b"<newsItem", "text/xml", 400),
        (b"guid=a", "text/plain", 415),
        (b"{}", "", 415),
        (
            json.dumps({"guid": ["a"], "version": {}, "headline": 5}).encode(),
            "application/json",
            422,
        ),
    ],
)
def test_hostile_bodies_get_a_clear_4xx(
    api: TestClient, redis: Redis, body: bytes, content_type: str, status: int
) -> None:
    headers = {**superdesk_headers(body), "Content-type": content_type}
    answer = api.post(ROUTE, content=body, headers=headers)
    assert answer.status_code == status and answer.json()
    assert nothing_stored(redis)


def test_a_body_over_2_mb_is_413(api: TestClient, redis: Redis) -> None:
    body = transmitted(superdesk_push(body_html="<p>" + "x" * (2 * 1024 * 1024) + "</p>"))
    assert api.post(ROUTE, content=body, headers=superdesk_headers(body)).status_code == 413
    assert nothing_stored(redis)


@pytest.mark.parametrize(
    ("make", "media"),
    [
        (lambda: json.dumps(ninjs_document("1.6")).encode(), "application/ninjs+json; version=1.6"),
        (lambda: json.dumps(ninjs_document("2.2")).encode(), "application/ninjs+json"),
        (lambda: render_ninjs_item(*entry(kobani_en()), now=NOW), "application/ninjs+json"),
        (lambda: render_ninjs_item(*entry(kobani_en()), now=NOW), "application/json"),
        (
            lambda: render_news_item(*entry(kobani_en()), now=NOW),
            "application/vnd.iptc.g2.newsitem+xml",
        ),
        (lambda: render_news_item(*entry(kobani_en()), now=NOW), "application/xml; charset=utf-8"),
    ],
)
def test_ninjs_and_newsml_documents_are_accepted(api: TestClient, make: Any, media: str) -> None:
    body = make()
    answer = api.post(ROUTE, content=body, headers=ninjs_headers(body, media))
    assert answer.status_code == 202, answer.text
