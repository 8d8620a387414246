"""The real tasks in-process: a solo worker (celery.contrib.testing) on the suite's
redis-server with the tiny demo models, fed through the one submit path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from redis import Redis

from syndicate.config import load_settings
from syndicate.feeds.edition import BODIES
from syndicate.news.article import Article, parse_article
from syndicate.store import articles as store
from syndicate.store import feeds as store_feeds
from syndicate.store import keys
from syndicate.store.feeds import FeedFormat
from syndicate.worker.app import create_app
from syndicate.worker.routing import TRANSLATE, consumed_queues
from syndicate.worker.submit import submit

from e2e_processes import wait_for

if TYPE_CHECKING:
    from redis_servers import RedisServer

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
DEADLINE_SECONDS = 90.0  # a busy, shared machine


@contextmanager
def running_worker(
    redis_server: RedisServer, demo_models_dir: Path, *, beats: bool = False
) -> Iterator[Celery]:
    """A solo worker thread on its own app, stopped and closed on the way out; ``beats``
    sends event heartbeats, which a command-line worker always does (hooks.py)."""
    env = {"SYNDICATE_CONFIG": "/nonexistent.toml", "SYNDICATE_REDIS_URL": redis_server.url}
    env |= {"SYNDICATE_MODELS_DIR": str(demo_models_dir), "SYNDICATE_DEFAULT_TARGETS": "ar,tr"}
    settings = load_settings(env)
    app = create_app(settings)
    queues = ",".join(consumed_queues(["ar", "tr"]))
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=queues, without_heartbeat=not beats
    ):
        yield app
    app.close()


@pytest.fixture
def celery_app(redis: Redis, redis_server: RedisServer, demo_models_dir: Path) -> Iterator[Celery]:
    with running_worker(redis_server, demo_models_dir) as app:
        yield app


def _article(**changes: object) -> Article:
    return replace(parse_article(json.loads(SAMPLE.read_text("utf-8"))), **changes)


def _states(redis: Redis, article_id: str) -> dict[str, str]:
    return {lang: str(s.state) for lang, s in store.get_status(redis, article_id)[1].items()}


def test_submitted_article_is_published_in_each_language_with_its_feed_item(
    celery_app: Celery, redis: Redis
) -> None:
    article = _article(targets=("ar", "tr"))
    submit(redis, celery_app, article, ("ar", "tr"), datetime.now(UTC))
    expected = {"en": "published", "ar": "published", "tr": "published"}
    wait_for(lambda: _states(redis, article.id) == expected, DEADLINE_SECONDS, "published")
    for lang in ("ar", "tr"):
        feed = store_feeds.read_feed(redis, lang, FeedFormat.RSS)
        assert feed is not None and f":{article.id}:{lang}".encode() in feed.body


def test_target_without_a_model_ends_no_model(celery_app: Celery, redis: Redis) -> None:
    article = _article(targets=("ar", "fa"))
    submit(redis, celery_app, article, ("ar",), datetime.now(UTC))
    expected = {"en": "published", "ar": "published", "fa": "no_model"}
    wait_for(lambda: _states(redis, article.id) == expected, DEADLINE_SECONDS, "no_model")
    assert "en->fa" in (store.get_status(redis, article.id)[1]["fa"].reason or "")


def test_redelivered_translation_changes_nothing(celery_app: Celery, redis: Redis) -> None:
    article = _article(targets=("ar",))
    submit(redis, celery_app, article, ("ar",), datetime.now(UTC))
    done = {"en": "published", "ar": "published"}
    wait_for(lambda: _states(redis, article.id) == done, DEADLINE_SECONDS, "published")
    before = store_feeds.read_feed(redis, "ar", FeedFormat.RSS)
    ids = (article.id, article.version, "ar")
    celery_app.tasks[TRANSLATE].apply_async(ids, queue="translate.ar")
    wait_for(lambda: redis.llen("translate.ar") == 0, DEADLINE_SECONDS, "the redelivery to run")
    wait_for(lambda: not redis.hlen("unacked"), DEADLINE_SECONDS, "the redelivery to finish")
    after = store_feeds.read_feed(redis, "ar", FeedFormat.RSS)
    assert _states(redis, article.id) == done
    assert before is not None and after is not None and after.etag == before.etag
    assert len(redis.hkeys("syn:items:ar")) == 1


def test_a_starting_worker_renders_the_bodies_a_release_added(
    redis: Redis, redis_server: RedisServer, demo_models_dir: Path
) -> None:
    article = _article(targets=("ar",))
    with running_worker(redis_server, demo_models_dir) as app:
        submit(redis, app, article, ("ar",), datetime.now(UTC))
        done = {"en": "published", "ar": "published"}
        wait_for(lambda: _states(redis, article.id) == done, DEADLINE_SECONDS, "published")
    assert store_feeds.languages_lacking(redis, BODIES) == []
    redis.delete(keys.feed_key("ar", "ninjs-1.6"), keys.feed_key("en", "ninjs-2.2"))
    assert store_feeds.languages_lacking(redis, BODIES) == ["ar", "en"]
    with running_worker(redis_server, demo_models_dir, beats=True):
        wait_for(
            lambda: not store_feeds.languages_lacking(redis, BODIES), DEADLINE_SECONDS, "render"
        )
    feed = store_feeds.read_feed(redis, "ar", "ninjs-1.6")
    assert feed is not None and f":{article.id}:ar".encode() in feed.body
