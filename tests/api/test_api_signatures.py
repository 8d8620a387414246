"""Replay-proof newsroom signatures (issue 9): ``t=<unix>,v1=<hex>`` within the tolerance
of the API's clock (a fixed clock here, so the edges are exact), the brief's plain
``sha256=`` form accepted but counted and logged, or refused when required; the status
read no longer accepts the plain signature of the empty body, which never expires, and
signs its method and path, so a captured header reads no other article (issue 16)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from redis import Redis

from syndicate.api.credentials import SIGNATURE_HEADER, sign, sign_timestamped
from syndicate.store import ops

from api_support import (
    SECRET,
    TOKEN,
    TestClient,
    api_app,
    api_settings,
    article_data,
    bearer,
    nothing_stored,
    post,
    signed,
    status_signed,
)
from redis_servers import RedisServer

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
T = int(NOW.timestamp())


def _client(server: RedisServer, **changes: Any) -> TestClient:
    return TestClient(api_app(api_settings(server.url, **changes), clock=lambda: NOW))


@pytest.fixture
def fixed(redis: Redis, redis_server: RedisServer) -> Iterator[TestClient]:
    """The API whose clock always reads NOW, on the default tolerance (300 s)."""
    with _client(redis_server) as client:
        yield client


def _body(**changes: Any) -> bytes:
    return json.dumps(article_data(**changes)).encode()


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_timestamp_within_the_tolerance_is_accepted(fixed: TestClient, offset: int) -> None:
    body = _body()
    assert post(fixed, body, signed(body, T + offset)).status_code == 202


@pytest.mark.parametrize(
    ("offset", "reason"), [(-301, "more than 300 s old"), (301, "more than 300 s ahead")]
)
def test_timestamp_past_the_tolerance_is_401_with_the_reason(
    fixed: TestClient, redis: Redis, offset: int, reason: str
) -> None:
    body = _body()
    answer = post(fixed, body, signed(body, T + offset))
    assert answer.status_code == 401
    assert reason in answer.json()["error"] and SIGNATURE_HEADER in answer.json()["error"]
    assert "Signature" in answer.headers["www-authenticate"]
    assert nothing_stored(redis)


def test_tolerance_is_a_setting(redis: Redis, redis_server: RedisServer) -> None:
    body = _body()
    with _client(redis_server, signature_tolerance=10) as client:
        assert post(client, body, signed(body, T - 11)).status_code == 401
        assert post(client, body, signed(body, T - 10)).status_code == 202


def test_signature_binds_the_timestamp_and_the_body(fixed: TestClient, redis: Redis) -> None:
    body = _body()
    header = sign_timestamped(body, SECRET, T - 1000)  # an old capture, re-dated
    moved = header.replace(f"t={T - 1000}", f"t={T}")
    other = _body(headline="Something else")
    for sent, headers in ((body, {SIGNATURE_HEADER: moved}), (other, signed(body, T))):
        answer = post(fixed, sent, headers)
        assert answer.status_code == 401 and "does not match" in answer.json()["error"]
    assert nothing_stored(redis)


@pytest.mark.parametrize(
    "header", ["t=abc,v1=00", "v1=00", f"t={T}", f"t={T},t={T},v1=00", "t=" + "9" * 5000 + ",v1=0"]
)
def test_malformed_timestamped_header_is_401(fixed: TestClient, redis: Redis, header: str) -> None:
    answer = post(fixed, _body(), {SIGNATURE_HEADER: header})
    assert answer.status_code == 401 and "must be t=<unix>" in answer.json()["error"]
    assert nothing_stored(redis)


def test_several_v1_values_let_a_sender_rotate_its_secret(fixed: TestClient) -> None:
    body = _body()
    old = sign_timestamped(body, "retired-secret", T)
    new = sign_timestamped(body, SECRET, T).split(",")[1]
    assert post(fixed, body, {SIGNATURE_HEADER: f"{old},{new}"}).status_code == 202


def test_plain_form_is_accepted_counted_and_logged(
    fixed: TestClient, redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    body = _body()
    with caplog.at_level(logging.WARNING, logger="syndicate.api"):
        assert post(fixed, body, {SIGNATURE_HEADER: sign(body, SECRET)}).status_code == 202
        assert post(fixed, body, signed(body, T)).status_code == 200  # a replay, not plain
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "sha256=" in warnings[0].getMessage()
    assert ops.read_metrics(redis)["syndicate_legacy_signatures_total"] == 1
    assert (
        "syndicate_legacy_signatures_total 1.0" in fixed.get("/metrics", headers=bearer(TOKEN)).text
    )


def test_plain_form_is_refused_when_timestamps_are_required(
    redis: Redis, redis_server: RedisServer
) -> None:
    body = _body()
    with _client(redis_server, require_signature_timestamp=True) as client:
        answer = post(client, body, {SIGNATURE_HEADER: sign(body, SECRET)})
        assert answer.status_code == 401
        assert "require_signature_timestamp" in answer.json()["error"]
        assert nothing_stored(redis)
        assert post(client, body, signed(body, T)).status_code == 202


def test_status_read_refuses_the_plain_signature_of_the_empty_body(fixed: TestClient) -> None:
    body = _body()
    assert post(fixed, body, signed(body, T)).status_code == 202
    path = "/v1/articles/api-erbil-1"
    plain = fixed.get(path, headers={SIGNATURE_HEADER: sign(b"", SECRET)})
    assert plain.status_code == 401 and "never expires" in plain.json()["error"]
    stale = fixed.get(path, headers=status_signed("api-erbil-1", T - 301))
    assert stale.status_code == 401 and "old" in stale.json()["error"]
    for headers in (status_signed("api-erbil-1", T + 300), bearer(TOKEN)):
        assert fixed.get(path, headers=headers).status_code == 200


def _as_documented(article_id: str, at: int) -> dict[str, str]:
    """What a CMS computes from docs/security.md: HMAC-SHA256, keyed with the newsroom
    secret, of ``"<t>.GET /v1/articles/<id>"``; hex, in ``t=<t>,v1=<hex>``."""
    message = f"{at}.GET /v1/articles/{article_id}".encode()
    digest = hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
    return {SIGNATURE_HEADER: f"t={at},v1={digest}"}


def test_a_status_signature_reads_its_own_article_and_no_other(fixed: TestClient) -> None:
    for article_id in ("api-erbil-1", "api-erbil-2"):
        body = _body(id=article_id)
        assert post(fixed, body, signed(body, T)).status_code == 202
    for_a = _as_documented("api-erbil-1", T)
    assert for_a == status_signed("api-erbil-1", T)  # the suite's helper signs the same
    assert fixed.get("/v1/articles/api-erbil-1", headers=for_a).status_code == 200
    replayed = fixed.get("/v1/articles/api-erbil-2", headers=for_a)
    assert replayed.status_code == 401
    assert '"<t>.GET /v1/articles/<id>"' in replayed.json()["error"]
    assert "Signature" in replayed.headers["www-authenticate"]
    for_b = _as_documented("api-erbil-2", T)
    assert fixed.get("/v1/articles/api-erbil-2", headers=for_b).status_code == 200


def test_the_old_unbound_form_is_refused_unless_switched_on(
    fixed: TestClient, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    body = _body()
    assert post(fixed, body, signed(body, T)).status_code == 202
    path, unbound = "/v1/articles/api-erbil-1", signed(b"", T)  # "<t>." alone
    refused = fixed.get(path, headers=unbound)
    assert refused.status_code == 401
    assert "empty body" in refused.json()["error"]
    assert "accept_unbound_status_signature" in refused.json()["error"]
    with (
        _client(redis_server, accept_unbound_status_signature=True) as migrating,
        caplog.at_level(logging.WARNING, logger="syndicate.api"),
    ):
        assert migrating.get(path, headers=unbound).status_code == 200
        stale = migrating.get(path, headers=signed(b"", T - 301))
        assert stale.status_code == 401 and "old" in stale.json()["error"]
        assert migrating.get(path, headers=status_signed("api-erbil-1", T)).status_code == 200
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len([w for w in warnings if "status read signed over the empty body" in w]) == 1
