"""The visibility sequence and feed pages in Redis (store/pages.py, scripts.WRITE_ITEM,
scripts.SHOW_ENDED): ``since`` follows the order items became visible, commits not
clocks; an embargo that ends is sequenced by the next read; ``before`` reads ties whole."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from redis import Redis

from syndicate.news.article import Article, ArticleStatus
from syndicate.store import articles, pages

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _publish(redis: Redis, source: Article, name: str, at: datetime, **changes: object) -> Article:
    article = replace(source, id=name, **changes)
    articles.save_version(redis, article, (), at)
    assert str(articles.publish_item(redis, article, at)) == "written"
    return article


def _since(redis: Redis, after: int, now: datetime = NOW, limit: int = 10) -> list[str]:
    return [item.article.id for _, item in pages.read_since(redis, "en", now, after, limit).items]


def test_since_follows_the_order_of_commits_not_of_clocks(redis: Redis, source: Article) -> None:
    _publish(redis, source, "first", NOW)
    _publish(redis, source, "late-clock", NOW - timedelta(minutes=5))  # its task began early
    _publish(redis, source, "third", NOW + timedelta(seconds=1))
    assert _since(redis, 0) == ["first", "late-clock", "third"]
    page = pages.read_since(redis, "en", NOW, 0, 2)
    following = max(seq for seq, _ in page.items)
    assert _since(redis, following) == ["third"]
    assert _since(redis, pages.newest_seq(redis, "en")) == []


def test_an_update_comes_again_as_its_new_version(redis: Redis, source: Article) -> None:
    first = _publish(redis, source, "story", NOW)
    _publish(redis, source, "other", NOW)
    cursor = pages.newest_seq(redis, "en")
    update = replace(first, version=2, headline="Updated")
    articles.save_version(redis, update, (), NOW)
    articles.publish_item(redis, update, NOW)
    found = pages.read_since(redis, "en", NOW, cursor, 10).items
    assert [(i.article.id, i.article.version) for _, i in found] == [("story", 2)]
    assert _since(redis, 0) == ["other", "story"]  # each item once, at its latest position
    killed = replace(update, version=3, status=ArticleStatus.WITHDRAWN)
    articles.save_version(redis, killed, (), NOW)
    articles.publish_item(redis, killed, NOW)
    assert _since(redis, 0) == ["other", "story"]
    assert pages.read_since(redis, "en", NOW, 0, 10).items[-1][1].article.version == 3


def test_an_embargoed_item_is_sequenced_when_it_shows(redis: Redis, source: Article) -> None:
    ends = NOW + timedelta(minutes=10)
    _publish(redis, source, "embargoed", NOW, embargo_until=ends)
    _publish(redis, source, "plain", NOW)
    assert _since(redis, 0) == ["plain"]
    cursor = pages.newest_seq(redis, "en")
    assert _since(redis, cursor, now=ends - timedelta(seconds=1)) == []
    assert _since(redis, cursor, now=ends) == ["embargoed"]
    _publish(redis, source, "after", ends + timedelta(seconds=1))
    assert _since(redis, cursor, now=ends) == ["embargoed", "after"]


def test_a_write_after_an_embargo_ended_sequences_the_embargoed_item_first(
    redis: Redis, source: Article
) -> None:
    ends = NOW + timedelta(minutes=10)
    _publish(redis, source, "embargoed", NOW, embargo_until=ends)
    _publish(redis, source, "later", ends + timedelta(minutes=1))
    assert _since(redis, 0, now=ends + timedelta(minutes=2)) == ["embargoed", "later"]


def test_before_reads_every_tie_at_the_cursor_and_the_limit_below(
    redis: Redis, source: Article
) -> None:
    for n in range(4):
        _publish(redis, source, f"tied-{n}", NOW)
    for n in range(3):
        _publish(redis, source, f"older-{n}", NOW - timedelta(minutes=n + 1))
    found = pages.read_before(redis, "en", NOW, NOW.timestamp(), 2, withdrawn=False)
    expected = ["older-0", "older-1", *(f"tied-{n}" for n in range(4))]
    assert sorted(i.article.id for i in found) == expected
