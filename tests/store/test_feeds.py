"""Feeds in the store (store/feeds.py) on a real redis-server: the item sets a render
reads and the rendered bodies a poll serves, with their ETags."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from redis import Redis

from syndicate.news.article import Article
from syndicate.news.states import Outcome
from syndicate.store import articles, feeds
from syndicate.store.feeds import FeedFormat

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


# --- item sets -------------------------------------------------------------------------------


def _publish_many(redis: Redis, source: Article, count: int) -> list[str]:
    ids = []
    for n in range(count):
        article = replace(source, id=f"story-{n:02d}")
        articles.save_version(redis, article, (), NOW)
        articles.publish_item(redis, article, _later(n))
        ids.append(article.id)
    return ids


def test_read_items_is_the_newest_n_plus_embargoed_ones(redis: Redis, source: Article) -> None:
    ids = _publish_many(redis, source, 6)
    embargoed = replace(source, id="embargoed", embargo_until=_later(600))
    articles.save_version(redis, embargoed, (), NOW)
    articles.publish_item(redis, embargoed, NOW)
    items = feeds.read_items(redis, "en", _later(30), 3)
    assert items.generation == 7
    assert [i.article.id for i in items.items] == ["embargoed", *reversed(ids[-3:])]
    assert feeds.read_items(redis, "en", _later(30), 0).items[0].article.id == "embargoed"


def test_a_render_from_before_an_embargo_ended_never_replaces_one_from_after(
    redis: Redis, source: Article
) -> None:
    """Two renders of one item set, computed either side of the embargo's end and written
    in the bad order: the later one (the item shown) stays (issue 16: the stale one won)."""
    embargoed = replace(source, embargo_until=_later(60))
    articles.save_version(redis, embargoed, (), NOW)
    articles.publish_item(redis, embargoed, NOW)
    before = feeds.read_items(redis, "en", _later(59), 50)  # computed while embargoed
    after = feeds.read_items(redis, "en", _later(61), 50)  # computed once it ended
    assert after.generation > before.generation
    shown, hidden = b"<rss>the item</rss>", b"<rss/>"
    assert feeds.write_feed(redis, "en", "rss", shown, after.generation, _later(61), "shown")
    stale = feeds.write_feed(redis, "en", "rss", hidden, before.generation, _later(62), "hidden")
    assert stale is Outcome.STALE
    feed = feeds.read_feed(redis, "en", FeedFormat.RSS)
    assert feed is not None and feed.body == shown
    assert feeds.read_items(redis, "en", _later(63), 50).generation == after.generation


def test_read_items_of_an_empty_language(redis: Redis) -> None:
    assert feeds.read_items(redis, "ckb", NOW, 50) == feeds.ItemSet(0, ())


# --- rendered feeds --------------------------------------------------------------------------


def _etag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()}"'


def test_feed_is_read_with_its_etag_and_last_modified(redis: Redis) -> None:
    assert feeds.read_feed(redis, "ar", FeedFormat.RSS) is None
    body = "<rss>عربي</rss>".encode()
    assert feeds.write_feed(redis, "ar", FeedFormat.RSS, body, 1, NOW) is Outcome.WRITTEN
    assert feeds.read_feed(redis, "ar", FeedFormat.RSS) == feeds.RenderedFeed(
        body, _etag(body), NOW
    )
    assert feeds.read_feed(redis, "ar", FeedFormat.NEWSML) is None


def test_same_bytes_keep_their_last_modified(redis: Redis) -> None:
    feeds.write_feed(redis, "tr", FeedFormat.NEWSML, b"<x/>", 1, NOW)
    again = feeds.write_feed(redis, "tr", FeedFormat.NEWSML, b"<x/>", 2, _later(5))
    assert again is Outcome.ALREADY_DONE
    feed = feeds.read_feed(redis, "tr", FeedFormat.NEWSML)
    assert feed is not None and feed.last_modified == NOW


def test_render_of_an_older_item_set_is_refused(redis: Redis) -> None:
    feeds.write_feed(redis, "tr", FeedFormat.RSS, b"<new/>", 5, NOW)
    assert feeds.write_feed(redis, "tr", FeedFormat.RSS, b"<old/>", 4, _later(1)) is Outcome.STALE
    feed = feeds.read_feed(redis, "tr", FeedFormat.RSS)
    assert feed is not None and feed.body == b"<new/>" and feed.etag == _etag(b"<new/>")


def test_polls_never_see_bytes_of_one_render_with_the_etag_of_another(redis: Redis) -> None:
    bodies = [f"<rss>{n}</rss>".encode() * (n + 1) for n in range(20)]
    done = threading.Event()

    def render() -> None:
        for generation in range(300):
            body = bodies[generation % len(bodies)]
            feeds.write_feed(redis, "ar", FeedFormat.RSS, body, generation, NOW)
        done.set()

    writer = threading.Thread(target=render)
    writer.start()
    polls = 0
    while not done.is_set() or polls == 0:
        feed = feeds.read_feed(redis, "ar", FeedFormat.RSS)
        if feed is not None:
            assert feed.etag == _etag(feed.body)
            polls += 1
    writer.join(timeout=30)
    assert polls > 0
