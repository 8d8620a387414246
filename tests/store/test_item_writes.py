"""Each (id, version, lang) item is written once (issue 20): a second run of the same task,
a message handed back while its first run went on, finds it written and changes nothing;
the article counts the writes, which is how the cluster's faults count publications."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis

from syndicate.errors import NotReplicated
from syndicate.news.article import Article, parse_article
from syndicate.news.states import LanguageState, Outcome
from syndicate.store import articles, feeds
from syndicate.store.client import connect

from redis_servers import RedisServer

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "samples"


def _source() -> Article:
    raw = json.loads((SAMPLE / "rudaw-isis-final-moments.json").read_text("utf-8"))
    return parse_article(raw)


def test_a_second_write_of_the_same_item_is_already_done(redis: Redis) -> None:
    source = _source()
    articles.save_version(redis, source, ["en", "ar"], NOW)
    first = articles.publish_item(redis, source, NOW, mark_done=False)
    generation = feeds.read_items(redis, "en", NOW, 50).generation
    later = NOW + timedelta(seconds=5)
    again = articles.publish_item(
        redis, replace(source, headline="a rerun"), later, mark_done=False
    )
    assert (first, again) == (Outcome.WRITTEN, Outcome.ALREADY_DONE)
    item = articles.get_item(redis, source.id, "en")
    assert item is not None and item.article.headline == source.headline
    assert item.version_created == NOW  # the feeds did not see it move
    assert feeds.read_items(redis, "en", later, 50).generation == generation
    assert articles.item_writes(redis, source.id) == {(1, "en"): 1}
    v2 = replace(source, version=2)
    articles.save_version(redis, v2, ["en"], later)
    assert articles.publish_item(redis, v2, later, mark_done=False) is Outcome.WRITTEN
    assert articles.item_writes(redis, source.id) == {(1, "en"): 1, (2, "en"): 1}


def test_published_is_reported_only_once_the_replicas_have_it(
    redis: Redis, redis_server: RedisServer
) -> None:
    source = _source()
    articles.save_version(redis, source, ["en"], NOW)
    articles.publish_item(redis, source, NOW, mark_done=False)
    waiting = connect(redis_server.url, min_replicas=1, wait_ms=50)  # this server has none
    with pytest.raises(NotReplicated):
        articles.set_state(waiting, source.id, 1, "en", LanguageState.PUBLISHED, NOW)
    assert articles.get_status(redis, source.id)[1]["en"].state is LanguageState.QUEUED
