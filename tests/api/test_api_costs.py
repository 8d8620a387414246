"""What a request costs the Redis that holds broker and store, counted by the server itself
(``CONFIG RESETSTAT``, then ``INFO commandstats``): a scrape of /metrics is O(queues),
never a SCAN of the keyspace (issue 16), and a feed poll is what docs/architecture.md says
it is. A worker notes the queues it consumes, so the scrape still shows a queue outside
the API's configured targets."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pytest
from celery.contrib.testing.worker import start_worker
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis

from syndicate.config import load_settings
from syndicate.store import ops
from syndicate.worker.app import create_app as create_celery_app
from syndicate.worker.routing import consumed_queues

from api_support import (
    TOKEN,
    WIRE_KEY,
    TestClient,
    add_partners,
    api_app,
    api_settings,
    article_data,
    bearer,
    publish_article,
)
from e2e_processes import wait_for
from redis_servers import RedisServer

ARCHITECTURE: Final = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
UNRELATED_KEYS: Final = 20_000
# What a connection says about itself, and the counting itself: not the request's cost.
_BOOKKEEPING: Final = ("info", "config", "client", "hello", "select", "ping")


def _commands_during(redis: Redis, action: Callable[[], Any]) -> Counter[str]:
    """Calls per command (lower case, ``|subcommand`` kept) the server ran during ``action``."""
    redis.config_resetstat()
    action()
    stats = redis.info("commandstats")
    calls = Counter({name.removeprefix("cmdstat_"): int(s["calls"]) for name, s in stats.items()})
    return Counter({n: c for n, c in calls.items() if not n.startswith(_BOOKKEEPING)})


def _depths(text: str) -> dict[str, float]:
    return {
        s.labels["queue"]: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "syndicate_queue_depth"
    }


@pytest.fixture
def api(redis: Redis, redis_server: RedisServer) -> Iterator[TestClient]:
    with TestClient(api_app(api_settings(redis_server.url))) as client:
        client.get("/healthz")  # the pool's first connection is made outside the counts
        yield client


def test_a_scrape_costs_o_of_queues_whatever_else_redis_holds(
    api: TestClient, redis: Redis
) -> None:
    redis.mset({f"unrelated:{n}": 1 for n in range(UNRELATED_KEYS)})
    ops.note_worker(redis, "celery@a", datetime.now(UTC), ["syndicate", "translate.fa"])
    answers = []
    used = _commands_during(
        redis, lambda: answers.append(api.get("/metrics", headers=bearer(TOKEN)))
    )
    assert answers[0].status_code == 200
    shown = _depths(answers[0].text)
    assert set(shown) == {"syndicate", "translate.ar", "translate.tr", "translate.fa"}
    assert "scan" not in used and "keys" not in used
    # the second SMEMBERS: the languages of the review desk's queues (issue 18), none here;
    # the third: the partners, whose push deliveries are counted (issue 19), none here
    assert used == Counter({"hgetall": 1, "smembers": 3, "llen": len(shown)})


def test_a_refused_scrape_costs_nothing(api: TestClient, redis: Redis) -> None:
    answers = []
    used = _commands_during(redis, lambda: answers.append(api.get("/metrics")))
    assert answers[0].status_code == 401
    assert used == Counter()


def _documented_poll() -> Counter[str]:
    """The commands docs/architecture.md names in its sentence on what a poll is."""
    text = " ".join(ARCHITECTURE.read_text("utf-8").split())
    sentence = re.search(r"A poll is [^.]*\.", text)
    assert sentence is not None, "docs/architecture.md no longer says what a poll is"
    return Counter(name.lower() for name in re.findall(r"`([A-Z]+)`", sentence.group()))


def test_a_poll_costs_what_the_architecture_says(api: TestClient, redis: Redis) -> None:
    add_partners(redis)
    publish_article(redis, article_data())
    answers = []
    used = _commands_during(
        redis, lambda: answers.append(api.get("/v1/feeds/en.rss", headers=bearer(WIRE_KEY)))
    )
    assert answers[0].status_code == 200 and b"Floods hit Erbil" in answers[0].content
    assert used == _documented_poll()


def test_a_worker_notes_the_queues_it_consumes(
    redis: Redis, redis_server: RedisServer, tmp_path: Path
) -> None:
    env = {"SYNDICATE_CONFIG": "/nonexistent.toml", "SYNDICATE_REDIS_URL": redis_server.url}
    env["SYNDICATE_MODELS_DIR"] = str(tmp_path)  # no model: only the beat matters here
    app = create_celery_app(load_settings(env))
    queues = consumed_queues(["fa"])
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=",".join(queues), without_heartbeat=False
    ):
        wait_for(lambda: ops.broker_queues(redis) == sorted(queues), 30, "the queues noted")
    app.close()
    with TestClient(api_app(api_settings(redis_server.url))) as api:
        shown = _depths(api.get("/metrics", headers=bearer(TOKEN)).text)
    assert set(shown) == {"syndicate", "translate.ar", "translate.tr", "translate.fa"}
