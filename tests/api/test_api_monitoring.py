"""Who reads /metrics and /healthz (issue 16): /metrics only with SYNDICATE_METRICS_TOKEN or
SYNDICATE_OPERATOR_TOKEN as a bearer token, and with neither configured nobody; /healthz
open, counting workers, naming their hosts to the operator token alone. Settings come
from the environment variables an operator sets, through load_settings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from redis import Redis

from syndicate.config import Settings, load_settings
from syndicate.store import ops

from api_support import TestClient, api_app, api_settings, bearer
from redis_servers import RedisServer

METRICS = "metrics-scraper-token"
OPERATOR = "operator-token-for-monitoring"
HOSTS = ("celery@worker-a.internal", "celery@worker-k.internal")


def _settings(url: str, env: dict[str, str]) -> Settings:
    """The test API's settings with the secrets read from ``env``, as a server reads them."""
    loaded = load_settings({"SYNDICATE_CONFIG": "/nonexistent.toml", **env})
    tokens = {"metrics_token": loaded.metrics_token, "operator_token": loaded.operator_token}
    return replace(api_settings(url), **tokens)


@pytest.fixture
def monitored(redis: Redis, redis_server: RedisServer) -> Iterator[TestClient]:
    """The API with both tokens set, and two workers seen."""
    env = {"SYNDICATE_METRICS_TOKEN": METRICS, "SYNDICATE_OPERATOR_TOKEN": OPERATOR}
    for host in HOSTS:
        ops.note_worker(redis, host, datetime.now(UTC), ["syndicate"])
    with TestClient(api_app(_settings(redis_server.url, env))) as client:
        yield client


def test_metrics_need_the_metrics_or_the_operator_token(monitored: TestClient) -> None:
    for headers in ({}, bearer("wrong"), {"Authorization": f"Basic {METRICS}"}):
        answer = monitored.get("/metrics", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert "SYNDICATE_METRICS_TOKEN" in answer.json()["error"]
        assert "syndicate_" not in answer.text
    for token in (METRICS, OPERATOR):
        answer = monitored.get("/metrics", headers=bearer(token))
        assert answer.status_code == 200
        assert "syndicate_queue_depth" in answer.text


@pytest.mark.parametrize(
    ("env", "works"),
    [
        ({}, None),
        ({"SYNDICATE_METRICS_TOKEN": METRICS}, METRICS),
        ({"SYNDICATE_OPERATOR_TOKEN": OPERATOR}, OPERATOR),
    ],
    ids=["neither", "metrics-only", "operator-only"],
)
def test_metrics_never_fall_open(
    redis: Redis, redis_server: RedisServer, env: dict[str, str], works: str | None
) -> None:
    with TestClient(api_app(_settings(redis_server.url, env))) as client:
        refused = [client.get("/metrics", headers=h) for h in ({}, bearer(""), bearer("x"))]
        other = OPERATOR if works == METRICS else METRICS
        refused.append(client.get("/metrics", headers=bearer(other)))
        accepted = None if works is None else client.get("/metrics", headers=bearer(works))
    assert {answer.status_code for answer in refused} == {401}
    if works is None:
        assert "has no token" in refused[0].json()["error"]
    else:
        assert accepted is not None and accepted.status_code == 200


def test_healthz_counts_workers_and_names_them_to_the_operator_only(
    monitored: TestClient,
) -> None:
    for headers in ({}, bearer("wrong"), bearer(METRICS)):
        answer = monitored.get("/healthz", headers=headers)
        assert answer.status_code == 200
        assert answer.json() == {"status": "ok", "redis": "ok", "workers": 2}
        assert not any(host.split("@")[1] in answer.text for host in HOSTS)
    answer = monitored.get("/healthz", headers=bearer(OPERATOR))
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "redis": "ok", "workers": 2, "hosts": list(HOSTS)}
