"""The store client (store/client.py) on real redis-servers: an outage surfaces as
``StoreUnavailable`` from every store module, and reachability is one PING."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from redis import Redis

from syndicate.errors import StoreUnavailable
from syndicate.markup.alignment import copy_translation
from syndicate.news.article import Article
from syndicate.store import articles, feeds, memory, ops, partners
from syndicate.store.client import answers_ping, connect, is_reachable
from syndicate.store.feeds import FeedFormat

if TYPE_CHECKING:
    from redis_servers import RedisServer

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TARGETS = ("ar", "tr")


def test_stopped_server_raises_store_unavailable(
    throwaway_redis_server: RedisServer, redis: Redis, source: Article
) -> None:
    server = throwaway_redis_server
    client = connect(server.url)
    try:
        assert is_reachable(client)
        articles.save_version(client, source, TARGETS, NOW)
    finally:
        server.stop()
    request_during_outage = [
        lambda: articles.get_article(client, source.id),
        lambda: articles.save_version(client, replace(source, version=2), TARGETS, NOW),
        lambda: feeds.read_feed(client, "en", FeedFormat.RSS),
        lambda: is_reachable(client),
        lambda: articles.get_status(client, source.id),
        lambda: articles.publish_item(client, source, NOW),
        lambda: feeds.read_items(client, "en", NOW, 50),
        lambda: partners.find_partner(client, "0" * 64),
        lambda: partners.revoke_partner(client, "agency"),
        lambda: memory.put_tm(client, "m@1", {"a": copy_translation("a")}),
        lambda: ops.count(client, "syndicate_tasks_total", {}),
    ]
    for call in request_during_outage:
        with pytest.raises(StoreUnavailable):
            call()
    client.close()
    assert is_reachable(redis)


def test_answers_ping_is_false_for_a_url_without_a_server(
    throwaway_redis_server: RedisServer,
) -> None:
    assert answers_ping(throwaway_redis_server.url)
    throwaway_redis_server.stop()
    assert not answers_ping(throwaway_redis_server.url, timeout=0.2)
