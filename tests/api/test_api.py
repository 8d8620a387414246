"""The HTTP API in-process (Starlette TestClient) on the suite's real redis-server: the
webhook's every answer code, article status, health, metrics, the OpenAPI document, the
access log, and 503s while Redis is away (partner feeds: test_api_feeds.py)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import anyio
import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis

from syndicate.api.credentials import sign
from syndicate.api.openapi import openapi_document
from syndicate.news.article import MAX_PAYLOAD_BYTES, parse_article
from syndicate.news.states import LanguageState
from syndicate.store import articles, ops
from syndicate.worker.routing import DEFAULT_QUEUE

from api_support import (
    SECRET,
    TOKEN,
    WIRE_KEY,
    TestClient,
    add_partners,
    api_app,
    api_settings,
    article_data,
    bearer,
    nothing_stored,
    post,
    queued_messages,
    signed,
    status_signed,
)

if TYPE_CHECKING:
    from redis_servers import RedisServer


def test_new_article_is_accepted_queued_counted_and_its_ingest_sent(
    api: TestClient, redis: Redis
) -> None:
    answer = post(api, article_data())
    assert answer.status_code == 202
    assert answer.json() == {
        "id": "api-erbil-1",
        "version": 1,
        "status": "queued",
        "targets": ["ar"],
    }
    assert queued_messages(redis) == 1
    message = json.loads(redis.lindex(DEFAULT_QUEUE, 0) or b"{}")
    assert message["headers"]["task"] == "syndicate.ingest"
    assert ops.is_dispatched(redis, "api-erbil-1", 1)
    _, states = articles.get_status(redis, "api-erbil-1")
    assert {lang: s.state for lang, s in states.items()} == {
        "en": LanguageState.QUEUED,
        "ar": LanguageState.QUEUED,
    }
    assert ops.read_metrics(redis)["syndicate_articles_ingested_total"] == 1


def test_replay_of_a_known_version_is_200_without_new_work(api: TestClient, redis: Redis) -> None:
    assert post(api, article_data()).status_code == 202
    answer = post(api, article_data())
    assert answer.status_code == 200
    assert answer.json()["id"] == "api-erbil-1" and answer.json()["version"] == 1
    assert queued_messages(redis) == 1
    assert ops.read_metrics(redis)["syndicate_articles_ingested_total"] == 1


def test_replay_of_a_version_stored_but_never_dispatched_dispatches_it(
    api: TestClient, redis: Redis
) -> None:
    article = parse_article(article_data())  # stored by a sender that died, its claim lapsed
    articles.save_version(redis, article, ["en", "ar"], datetime.now(UTC), claim_seconds=0)
    assert queued_messages(redis) == 0
    assert post(api, article_data()).status_code == 200
    assert queued_messages(redis) == 1
    assert ops.is_dispatched(redis, "api-erbil-1", 1)


def test_older_version_is_409_with_the_stored_version(api: TestClient, redis: Redis) -> None:
    assert post(api, article_data(version=3)).status_code == 202
    answer = post(api, article_data(version=2))
    assert answer.status_code == 409
    assert answer.json()["stored_version"] == 3 and "error" in answer.json()
    assert articles.get_article(redis, "api-erbil-1").article.version == 3
    assert queued_messages(redis) == 1


def _headers(body: bytes, content_type: str = "application/json", secret: str = SECRET) -> Any:
    return {"Content-Type": content_type, "X-Syndicate-Signature": sign(body, secret)}


def _bad_requests() -> list[Any]:
    good = json.dumps(article_data()).encode()
    invalid = json.dumps(article_data(headline="", colour="red")).encode()
    latin = b'{"id": "\xff"}'
    return [
        pytest.param(good, _headers(good, "text/plain"), 415, id="415-text"),
        pytest.param(good, _headers(good, "application/jsonx"), 415, id="415-x"),
        pytest.param(good, _headers(good, "application/json; charset=latin-1"), 415, id="415-cs"),
        pytest.param(good, {"Content-Type": "application/json"}, 401, id="401-unsigned"),
        pytest.param(good, _headers(good, secret="wrong"), 401, id="401-bad"),
        pytest.param(b"{not json", _headers(b"{not json"), 400, id="400-syntax"),
        pytest.param(latin, _headers(latin, "application/json; charset=UTF-8"), 400, id="400-utf8"),
        pytest.param(invalid, _headers(invalid), 422, id="422"),
    ]


@pytest.mark.parametrize(("body", "headers", "status"), _bad_requests())
def test_bad_request_gets_its_status_a_json_error_and_stores_nothing(
    api: TestClient, redis: Redis, body: bytes, headers: dict[str, str], status: int
) -> None:
    answer = api.post("/v1/articles", content=body, headers=headers)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    assert answer.json().get("errors" if status == 422 else "error")
    assert nothing_stored(redis)


def test_invalid_article_lists_every_broken_field(api: TestClient, redis: Redis) -> None:
    answer = post(api, article_data(headline="", colour="red", version=0))
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"headline", "colour", "version"} <= fields
    assert all(e["message"] for e in answer.json()["errors"])


def test_checks_run_in_order_media_type_size_signature_syntax(api: TestClient) -> None:
    huge = b"x" * (MAX_PAYLOAD_BYTES + 1)
    text = {"Content-Type": "text/plain"}
    assert api.post("/v1/articles", content=huge, headers=text).status_code == 415
    json_type = {"Content-Type": "application/json"}
    assert api.post("/v1/articles", content=huge, headers=json_type).status_code == 413
    assert api.post("/v1/articles", content=b"{", headers=json_type).status_code == 401


def test_declared_length_over_the_limit_is_413(api: TestClient, redis: Redis) -> None:
    body = b" " * (MAX_PAYLOAD_BYTES + 1)
    answer = post(api, body)
    assert answer.status_code == 413 and "limit" in answer.json()["error"]
    assert nothing_stored(redis)


def test_streamed_body_without_length_is_413(api: TestClient, redis: Redis) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_PAYLOAD_BYTES // 65536 + 2):
            yield b" " * 65536

    headers = {"Content-Type": "application/json", "X-Syndicate-Signature": "sha256=00"}
    answer = api.post("/v1/articles", content=chunks(), headers=headers)
    assert answer.status_code == 413
    assert nothing_stored(redis)


def test_long_body_is_refused_as_soon_as_it_passes_the_limit(redis_server: RedisServer) -> None:
    """Driven through ASGI directly so the body really arrives chunk by chunk."""
    app = api_app(api_settings(redis_server.url))
    received = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:  # ends at 8 MiB, so a regression fails, not hangs
        nonlocal received
        received += 1
        return {"type": "http.request", "body": b" " * 65536, "more_body": received < 128}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/articles",
        "raw_path": b"/v1/articles",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5000),
        "server": ("test", 80),
    }
    try:
        anyio.run(app, scope, receive, send)
    finally:
        app.state.ctx.client.close()
    assert sent[0]["status"] == 413
    assert received == MAX_PAYLOAD_BYTES // 65536 + 1


def test_without_a_newsroom_secret_every_post_is_401(
    redis: Redis, redis_server: RedisServer
) -> None:
    with TestClient(api_app(api_settings(redis_server.url, newsroom_secret=None))) as client:
        answer = post(client, article_data())
    assert answer.status_code == 401
    assert "no newsroom secret" in answer.json()["error"]
    assert nothing_stored(redis)


def test_article_status_with_signature_or_operator_token(api: TestClient) -> None:
    assert post(api, article_data()).status_code == 202
    for headers in (status_signed("api-erbil-1"), bearer(TOKEN)):
        answer = api.get("/v1/articles/api-erbil-1", headers=headers)
        assert answer.status_code == 200
        body = answer.json()
        assert (body["id"], body["version"], body["status"]) == ("api-erbil-1", 1, "published")
        assert set(body["languages"]) == {"en", "ar"}
        assert body["languages"]["ar"]["state"] == "queued"
        assert body["languages"]["ar"]["version"] == 1 and body["languages"]["ar"]["at"]


def test_article_status_needs_auth_and_a_known_id(api: TestClient) -> None:
    assert post(api, article_data()).status_code == 202
    plain = {"X-Syndicate-Signature": sign(b"", SECRET)}  # never expires: refused (issue 9)
    for headers in ({}, bearer("wrong"), signed(b"x"), signed(b""), plain):
        answer = api.get("/v1/articles/api-erbil-1", headers=headers)
        assert answer.status_code == 401 and answer.json()["error"]
    answer = api.get("/v1/articles/no-such-article", headers=bearer(TOKEN))
    assert answer.status_code == 404 and "no-such-article" in answer.json()["error"]


def test_healthz_is_503_until_a_worker_is_seen(api: TestClient, redis: Redis) -> None:
    answer = api.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["status"] == "unavailable" and answer.json()["redis"] == "ok"
    assert answer.json()["workers"] == 0
    ops.note_worker(redis, "celery@test-host", datetime.now(UTC))
    answer = api.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "redis": "ok", "workers": 1}


def test_metrics_show_every_series(api: TestClient, redis: Redis) -> None:
    assert post(api, article_data()).status_code == 202
    task = {"task": "syndicate.translate", "state": "success"}
    ops.count(redis, "syndicate_tasks_total", task)
    ops.observe(redis, "syndicate_translation_seconds", {"lang": "ar"}, 0.7, (0.5, 1.0))
    ops.count(redis, "syndicate_segments_total", {"lang": "ar"}, 12)
    answer = api.get("/metrics", headers=bearer(TOKEN))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    samples = {
        (s.name, *sorted(s.labels.values())): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }
    assert samples[("syndicate_articles_ingested_total",)] == 1
    assert samples[("syndicate_tasks_total", "success", "syndicate.translate")] == 1
    assert samples[("syndicate_translation_seconds_bucket", "0.5", "ar")] == 0
    assert samples[("syndicate_translation_seconds_bucket", "1.0", "ar")] == 1
    assert samples[("syndicate_translation_seconds_bucket", "+Inf", "ar")] == 1
    assert samples[("syndicate_translation_seconds_count", "ar")] == 1
    assert samples[("syndicate_translation_seconds_sum", "ar")] == pytest.approx(0.7)
    assert samples[("syndicate_segments_total", "ar")] == 12
    assert samples[("syndicate_queue_depth", "syndicate")] == 1
    assert samples[("syndicate_queue_depth", "translate.tr")] == 0


def test_openapi_lists_every_route_method_and_answer(api: TestClient) -> None:
    answer = api.get("/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"].startswith("3.1") and document == openapi_document()
    served = {  # the review desk's pages (/desk/) are HTML, not API
        (route.path, method.lower())
        for route in api.app.routes  # type: ignore[attr-defined]
        if not route.path.startswith("/desk")
        for method in route.methods - {"HEAD"}
    }
    described = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert served == described
    webhook = document["paths"]["/v1/articles"]["post"]["responses"]
    assert set(webhook) == {"200", "202", "400", "401", "408", "409", "413", "415", "422", "503"}
    feed = document["paths"]["/v1/feeds/{lang}.rss"]["get"]
    assert {"200", "304", "401", "403", "404"} <= set(feed["responses"])
    assert {p["name"] for p in feed["parameters"]} >= {"lang", "key", "If-None-Match"}
    schemes = document["components"]["securitySchemes"]
    assert set(schemes) == {
        "newsroomSignature",
        "operatorToken",
        "metricsToken",
        "partnerBearer",
        "partnerKeyQuery",
        "superdeskSignature",
        "editorToken",
    }


def test_unknown_path_and_method_are_json(api: TestClient) -> None:
    missing = api.get("/v1/nothing")
    assert missing.status_code == 404 and missing.json()["error"]
    wrong = api.delete("/v1/articles")
    assert wrong.status_code == 405 and wrong.json()["error"] and "POST" in wrong.headers["allow"]


def test_one_log_line_per_request_without_query_or_key(
    api: TestClient, redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    add_partners(redis)
    with caplog.at_level(logging.INFO, logger="syndicate.api"):
        api.get(f"/v1/feeds/en.rss?key={WIRE_KEY}")
    records = [r for r in caplog.records if r.name == "syndicate.api"]
    assert len(records) == 1
    fields = vars(records[0])
    assert (fields["method"], fields["path"], fields["status"]) == ("GET", "/v1/feeds/en.rss", 404)
    assert fields["duration_ms"] >= 0
    assert WIRE_KEY not in json.dumps({k: str(v) for k, v in fields.items()})


def test_every_endpoint_answers_503_while_redis_is_away(
    throwaway_redis_server: RedisServer,
) -> None:
    settings = api_settings(throwaway_redis_server.url)
    body = json.dumps(article_data()).encode()
    signed = {"Content-Type": "application/json", "X-Syndicate-Signature": sign(body, SECRET)}
    with TestClient(api_app(settings)) as client:
        assert client.get("/healthz").status_code == 503  # reachable, but no worker yet
        throwaway_redis_server.stop()
        answers = [
            client.post("/v1/articles", content=body, headers=signed),
            client.get("/v1/articles/api-erbil-1", headers=bearer(TOKEN)),
            client.get("/v1/feeds/en.rss", headers=bearer(WIRE_KEY)),
            client.get("/v1/items/api-erbil-1/en.xml", headers=bearer(WIRE_KEY)),
            client.get("/metrics", headers=bearer(TOKEN)),
            client.get("/healthz"),
        ]
    for answer in answers:
        assert answer.status_code == 503
        assert answer.json()["error"] == "store unavailable"
        assert int(answer.headers["retry-after"]) > 0
    assert answers[-1].json()["redis"] == "unavailable"


def test_a_placeholder_guid_domain_is_a_warning_at_start(
    redis: Redis, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """news.test mints guids no partner should keep: the API says so when it starts, and
    says nothing for a real domain."""
    with caplog.at_level(logging.WARNING, "syndicate.api"):
        with TestClient(api_app(api_settings(redis_server.url))):
            pass
        with TestClient(api_app(api_settings(redis_server.url, provider_domain="rudaw.net"))):
            pass
    warned = [r.getMessage() for r in caplog.records if "guid domain" in r.getMessage()]
    assert len(warned) == 1 and "'news.test'" in warned[0]
