"""No single article can stop the line (issue 9): poison items planted past the parser, and
a regional target, run through the real tasks in-process (solo worker, the suite's Redis,
the demo models).

Each poison once froze every feed of its language: the item was stored, every later render
of the language failed, the ingest died before fanning out and all later articles stayed
``queued``. The API now refuses them; these tests plant them behind its back, as an older
release or a hand edit in Redis could, and prove the articles after them publish. (A
``published_at`` the store cannot encode never gets that far: ``accept`` raises.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from redis import Redis

from syndicate.config import load_settings
from syndicate.models.engine import Engine
from syndicate.news.article import Article, parse_article
from syndicate.store import articles as store
from syndicate.store import feeds as store_feeds
from syndicate.store.feeds import FeedFormat
from syndicate.worker import failures, intake
from syndicate.worker.app import create_app
from syndicate.worker.routing import consumed_queues
from syndicate.worker.submit import retry, submit

from e2e_processes import wait_for

if TYPE_CHECKING:
    from redis_servers import RedisServer

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
DEADLINE_SECONDS = 90.0  # a busy, shared machine
PLUS_ONE, MINUS_ONE = timezone(timedelta(hours=1)), timezone(timedelta(hours=-1))
LATEST = datetime(9999, 12, 31, 23, 30, tzinfo=MINUS_ONE)  # year 10000 in UTC
EARLIEST = datetime(1, 1, 1, 0, 30, tzinfo=PLUS_ONE)  # year 0 in UTC
POISONS: dict[str, dict[str, Any]] = {
    "updated_at past 9999": {"updated_at": LATEST},
    # &#xFFFE; once was one too; the sanitiser now drops it, and a body nested past the
    # limit is what it refuses to render instead.
    "body nested past the limit": {"body_html": "<div>" * 300 + "Erbil" + "</div>" * 300},
    "embargo_until before year 1": {"embargo_until": EARLIEST},
}


@pytest.fixture(scope="module")
def redis(redis_server: RedisServer) -> Iterator[Redis]:
    """One client for the module, flushed once: the worker runs across the tests, and each
    test uses its own article ids."""
    client = Redis.from_url(redis_server.url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture(scope="module")
def celery_app(redis: Redis, redis_server: RedisServer, demo_models_dir: Path) -> Iterator[Celery]:
    env = {"SYNDICATE_CONFIG": "/nonexistent.toml", "SYNDICATE_REDIS_URL": redis_server.url}
    env |= {"SYNDICATE_MODELS_DIR": str(demo_models_dir), "SYNDICATE_DEFAULT_TARGETS": "ar"}
    app = create_app(load_settings(env))
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=",".join(consumed_queues(["ar"]))
    ):
        yield app
    app.close()


def _article(article_id: str, **changes: Any) -> Article:
    """The sample with a one-paragraph body (the model's time is not the point here)."""
    sample = parse_article(json.loads(SAMPLE.read_text("utf-8")))
    short = {
        "body_html": "<p>Floods hit Erbil.</p>",
        "credits": (),
        "media": (),
        "targets": ("ar",),
    }
    return replace(sample, id=article_id, **(short | changes))


def _states(redis: Redis, article_id: str) -> dict[str, str]:
    return {lang: str(s.state) for lang, s in store.get_status(redis, article_id)[1].items()}


def _in_feeds(redis: Redis, article_id: str, lang: str) -> bool:
    """Whether ``article_id`` is in ``lang``'s stored RSS and NewsML feeds."""
    bodies = [store_feeds.read_feed(redis, lang, f) for f in (FeedFormat.RSS, FeedFormat.NEWSML)]
    guid_end = f":{article_id}:{lang.lower()}".encode()  # guids end in the lower-cased tag
    return all(b is not None and guid_end in b.body for b in bodies)


def _published(redis: Redis, article_id: str) -> bool:
    done = _states(redis, article_id) == {"en": "published", "ar": "published"}
    return done and _in_feeds(redis, article_id, "en") and _in_feeds(redis, article_id, "ar")


@pytest.mark.parametrize("changes", POISONS.values(), ids=POISONS.keys())
def test_a_poison_fails_alone_and_the_next_article_is_published(
    celery_app: Celery, redis: Redis, changes: dict[str, Any]
) -> None:
    name = next(k for k, v in POISONS.items() if v == changes).replace(" ", "-")
    poison, after = _article(f"poison-{name}", **changes), _article(f"after-{name}")
    submit(redis, celery_app, poison, ("ar",), datetime.now(UTC))
    submit(redis, celery_app, after, ("ar",), datetime.now(UTC))
    wait_for(lambda: _published(redis, after.id), DEADLINE_SECONDS, "the next article published")
    failed = {"en": "failed", "ar": "failed"}
    wait_for(lambda: _states(redis, poison.id) == failed, DEADLINE_SECONDS, "the poison failed")
    reason = store.get_status(redis, poison.id)[1]["en"].reason or ""
    assert reason.startswith("cannot be rendered:"), reason


def test_a_stored_poison_is_left_out_and_the_feed_renders_the_rest(
    celery_app: Celery, redis: Redis
) -> None:
    """An unrenderable item already in a feed's item set (stored before the render check):
    the next render leaves it out, reports it and marks it failed; the rest are shown."""
    poison = _article("stored-poison", updated_at=LATEST)
    intake.accept(redis, poison, ("ar",), datetime.now(UTC))
    store.publish_item(redis, poison, datetime.now(UTC))
    after = _article("after-stored-poison")
    submit(redis, celery_app, after, ("ar",), datetime.now(UTC))
    wait_for(lambda: _published(redis, after.id), DEADLINE_SECONDS, "the next article published")
    assert not _in_feeds(redis, poison.id, "en")
    status = store.get_status(redis, poison.id)[1]["en"]
    assert str(status.state) == "failed"
    assert (status.reason or "").startswith("left out of the feeds: OverflowError")


def test_retry_redoes_the_source_language(
    celery_app: Celery, redis: Redis, demo_models_dir: Path
) -> None:
    """A version whose ingest failed for good (every language ``failed``) is redone in full
    by ``syndicate retry``: the source is requeued and ingested again."""
    article = _article("retried-source")
    intake.accept(redis, article, ("ar",), datetime.now(UTC))
    failed = failures.fail_version(redis, article.id, 1, "OSError: disk full", datetime.now(UTC))
    assert sorted(failed) == ["ar", "en"]
    engine = Engine(demo_models_dir)
    done = retry(redis, celery_app, engine, article.id, None, ("ar",), datetime.now(UTC))
    assert (done.version, sorted(done.again)) == (1, ["ar", "en"])
    wait_for(lambda: _published(redis, article.id), DEADLINE_SECONDS, "the retried article")


def test_a_regional_target_is_served_by_its_language_worker(
    celery_app: Celery, redis: Redis
) -> None:
    """``ar-IQ`` goes to ``translate.ar``, which this worker reads: it is translated with the
    ``ar`` package and published under its own tag."""
    article = _article("regional", targets=("ar-IQ",))
    submit(redis, celery_app, article, ("ar",), datetime.now(UTC))
    done = {"en": "published", "ar-IQ": "published"}
    wait_for(lambda: _states(redis, article.id) == done, DEADLINE_SECONDS, "ar-IQ published")
    assert _in_feeds(redis, article.id, "ar-IQ")
    item = store.get_item(redis, article.id, "ar-IQ")
    assert item is not None and item.article.translation is not None
    assert item.article.translation.models[0].pair == "en-ar"
