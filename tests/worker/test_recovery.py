"""The sweep after a Redis restart (worker/recovery.py) on a real redis-server and kombu's
own Redis transport: what a crash took from the broker is sent again, once per server run;
what is still in the broker is left alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from celery import Celery
from redis import Redis

from syndicate.config import load_settings
from syndicate.news.article import Article, parse_article
from syndicate.news.states import LanguageState
from syndicate.store import articles as store
from syndicate.store import ops, server
from syndicate.store.recovery import PAGE, Unfinished
from syndicate.worker import intake, recovery
from syndicate.worker.app import create_app
from syndicate.worker.routing import INGEST, TRANSLATE
from syndicate.worker.submit import submit
from syndicate.worker.tasks import enqueue_translation

if TYPE_CHECKING:
    from redis_servers import RedisServer

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
BEFORE_THE_RUN = datetime(2026, 1, 1, tzinfo=UTC)  # received before the suite's server started


@pytest.fixture
def celery_app(redis: Redis, redis_server: RedisServer) -> Iterator[Celery]:
    env = {"SYNDICATE_CONFIG": "/nonexistent.toml", "SYNDICATE_REDIS_URL": redis_server.url}
    app = create_app(load_settings(env))
    yield app
    app.close()


@pytest.fixture
def channel(celery_app: Celery) -> Iterator[Any]:
    with celery_app.connection_for_write() as connection:
        yield connection.default_channel


def _article(article_id: str) -> Article:
    base = parse_article(json.loads(SAMPLE.read_text("utf-8")))
    return replace(base, id=article_id, targets=("ar", "tr"))


def _queued(redis: Redis, queue: str) -> list[tuple[str, recovery.Ids]]:
    found = [recovery.message_ids(json.loads(raw)) for raw in redis.lrange(queue, 0, -1)]
    return [ids for ids in found if ids is not None]


def _sweep(redis: Redis, app: Celery, channel: Any) -> recovery.Swept | None:
    return recovery.sweep_once(redis, app, channel, server.server_run(redis))


def test_a_stored_version_whose_message_was_lost_gets_its_ingest_again(
    redis: Redis, celery_app: Celery, channel: Any
) -> None:
    intake.accept(redis, _article("lost"), ("ar", "tr"), BEFORE_THE_RUN)  # never sent
    submit(redis, celery_app, _article("kept"), ("ar", "tr"), BEFORE_THE_RUN)
    swept = _sweep(redis, celery_app, channel)
    assert swept is not None and swept.plan.ingest == [("lost", 1, "en")]
    assert sorted(_queued(redis, "syndicate")) == [
        (INGEST, ("kept", 1, "en")),
        (INGEST, ("lost", 1, "en")),
    ]
    assert ops.is_dispatched(redis, "lost", 1)


def test_one_sweep_per_server_run(redis: Redis, celery_app: Celery, channel: Any) -> None:
    intake.accept(redis, _article("lost"), ("ar", "tr"), BEFORE_THE_RUN)
    assert _sweep(redis, celery_app, channel) is not None
    assert _sweep(redis, celery_app, channel) is None
    assert len(_queued(redis, "syndicate")) == 1


def test_a_version_received_in_this_run_is_left_to_its_sender(
    redis: Redis, celery_app: Celery, channel: Any
) -> None:
    # the start is known to the second (INFO's uptime): a second later is surely in the run
    received = datetime.now(UTC) + timedelta(seconds=2)
    intake.accept(redis, _article("fresh"), ("ar", "tr"), received)
    swept = _sweep(redis, celery_app, channel)
    assert swept is not None and swept.plan == recovery.Plan()
    assert _queued(redis, "syndicate") == []


def test_a_message_delivered_before_the_restart_is_handed_back(
    redis: Redis, celery_app: Celery, channel: Any
) -> None:
    submit(redis, celery_app, _article("held"), ("ar", "tr"), BEFORE_THE_RUN)
    message = channel.connection.client.SimpleQueue("syndicate").get(timeout=5)
    assert _queued(redis, "syndicate") == []  # delivered: only kombu's unacked hash has it
    redis.zadd(channel.unacked_index_key, {message.delivery_tag: BEFORE_THE_RUN.timestamp()})
    swept = _sweep(redis, celery_app, channel)
    assert swept is not None and swept.restored == 1 and swept.plan == recovery.Plan()
    assert _queued(redis, "syndicate") == [(INGEST, ("held", 1, "en"))]


def test_a_target_without_a_message_gets_its_translation(
    redis: Redis, celery_app: Celery, channel: Any
) -> None:
    accepted = intake.accept(redis, _article("half"), ("ar", "tr"), BEFORE_THE_RUN)
    store.set_state(redis, "half", 1, "en", LanguageState.PUBLISHED, BEFORE_THE_RUN)
    enqueue_translation(celery_app, ("half", 1, "ar"))  # tr's message was lost
    swept = _sweep(redis, celery_app, channel)
    assert accepted.targets == ("ar", "tr")
    assert swept is not None and swept.plan == recovery.Plan(translate=[("half", 1, "tr")])
    assert _queued(redis, "translate.tr") == [(TRANSLATE, ("half", 1, "tr"))]


def test_plan_sends_ingest_while_the_source_is_unfinished() -> None:
    pending = [Unfinished("a", 2, "en", ("ar", "en"))]
    live = [(TRANSLATE, ("a", 2, "ar"))]
    assert recovery.plan(pending, live) == recovery.Plan(ingest=[("a", 2, "en")])
    assert recovery.plan(pending, [(INGEST, ("a", 2, "en"))]) == recovery.Plan()
    assert recovery.plan(pending, [(INGEST, ("a", 1, "en"))]).ingest == [("a", 2, "en")]


def test_anything_but_a_celery_message_has_no_ids() -> None:
    assert recovery.message_ids({"body": "e30=", "properties": {"body_encoding": "base64"}}) is None
    assert recovery.message_ids({"headers": {"task": INGEST}, "body": "[[1]]"}) is None


def test_a_message_pages_deep_in_a_queue_is_found(
    redis: Redis, celery_app: Celery, channel: Any
) -> None:
    """The sweep reads the lists a page at a time (store/recovery.py PAGE): a message two
    pages down still covers its version."""
    intake.accept(redis, _article("deep"), ("ar", "tr"), BEFORE_THE_RUN)
    store.set_state(redis, "deep", 1, "en", LanguageState.PUBLISHED, BEFORE_THE_RUN)
    for lang in ("ar", "tr"):
        enqueue_translation(celery_app, ("deep", 1, lang))  # the oldest: read last
    enqueue_translation(celery_app, ("other", 1, "ar"))
    other = redis.lindex("translate.ar", 0)
    assert other is not None
    redis.lpush("translate.ar", *[other] * (2 * PAGE + 1))
    swept = _sweep(redis, celery_app, channel)
    assert swept is not None and swept.plan == recovery.Plan()
    assert redis.llen("translate.ar") == 2 * PAGE + 3 and redis.llen("translate.tr") == 1
