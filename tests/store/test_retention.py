"""The work index and retention (store/recovery.py, store/retention.py) on a real
redis-server: every script that changes a state keeps the unfinished and finished zsets in
the same step, and an article is forgotten a retention after it finished, unless a feed
still shows it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from redis import Redis

from syndicate.news.article import Article
from syndicate.news.states import LanguageState
from syndicate.store import articles, keys, recovery, retention, review

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY = 24 * 3600.0
LANGS = ("en", "ar")


def _at(days: float) -> datetime:
    return NOW + timedelta(days=days)


def _where(redis: Redis, article_id: str) -> tuple[float | None, float | None]:
    """The article's scores in the unfinished and the finished zset."""
    return (
        redis.zscore(keys.unfinished_key(), article_id),
        redis.zscore(keys.finished_key(), article_id),
    )


def _in(article: Article, lang: str) -> Article:
    return replace(article, language=lang, targets=None)


def _finish(redis: Redis, article: Article, when: datetime) -> None:
    """Store ``article`` in both languages and end both published at ``when``."""
    articles.save_version(redis, article, LANGS, when)
    for lang in LANGS:
        articles.publish_item(redis, _in(article, lang), when)
        articles.set_state(redis, article.id, article.version, lang, LanguageState.PUBLISHED, when)


def test_the_state_scripts_keep_the_work_index(redis: Redis, source: Article) -> None:
    articles.save_version(redis, source, LANGS, NOW)
    assert _where(redis, source.id) == (NOW.timestamp(), None)
    articles.set_state(redis, source.id, 1, "en", LanguageState.PUBLISHED, _at(1))
    assert _where(redis, source.id) == (NOW.timestamp(), None)  # ar is still queued
    articles.set_state(redis, source.id, 1, "ar", LanguageState.IN_REVIEW, _at(2))
    assert _where(redis, source.id) == (None, None)  # held for an editor: neither
    articles.set_state(redis, source.id, 1, "ar", LanguageState.NO_MODEL, _at(3), "none")
    assert _where(redis, source.id) == (None, _at(3).timestamp())
    articles.set_state(redis, source.id, 1, "ar", LanguageState.QUEUED, _at(4))  # a retry
    assert _where(redis, source.id) == (_at(4).timestamp(), None)
    articles.publish_item(redis, _in(source, "ar"), _at(5), mark_done=True)
    assert _where(redis, source.id) == (None, _at(5).timestamp())
    articles.save_version(redis, replace(source, version=2), LANGS, _at(6))
    assert _where(redis, source.id) == (_at(6).timestamp(), None)


def test_articles_from_before_the_index_are_indexed_once(redis: Redis, source: Article) -> None:
    _finish(redis, source, NOW)
    open_one = replace(source, id="still-open")
    articles.save_version(redis, open_one, LANGS, NOW)
    redis.delete(keys.unfinished_key(), keys.finished_key())  # as a store from before
    assert recovery.index_absent(redis) == 2
    assert _where(redis, source.id) == (None, NOW.timestamp())  # from its received time
    assert _where(redis, "still-open") == (NOW.timestamp(), None)
    assert recovery.index_absent(redis) == 0  # done once: syn:indexed


def test_a_finished_article_nobody_shows_is_forgotten_after_the_retention(
    redis: Redis, source: Article
) -> None:
    old, recent = replace(source, id="old"), replace(source, id="recent")
    _finish(redis, old, NOW)
    _finish(redis, recent, _at(20))
    for article_id in ("old", "recent"):
        review.log(redis, article_id, "ar", {"action": "approved", "who": "dilan"})
    now = _at(31).timestamp()
    done = retention.prune(redis, now - 30 * DAY, 0, now, 10)  # a feed of 0: nothing shown
    assert done == {"pruned": 1}
    assert articles.held_languages(redis, "old") == []
    assert redis.exists(keys.article_key("old"), keys.state_key("old")) == 0
    assert review.read_log(redis, "old", "ar") == []  # the desk's audit trail goes with it
    assert [e["action"] for e in review.read_log(redis, "recent", "ar")] == ["approved"]
    for lang in LANGS:
        assert articles.get_item(redis, "old", lang) is None
        assert redis.zscore(keys.live_key(lang), "old") is None
        assert articles.get_item(redis, "recent", lang) is not None
    assert _where(redis, "recent") == (None, _at(20).timestamp())


def test_what_a_feed_shows_and_what_was_updated_is_kept(redis: Redis, source: Article) -> None:
    shown, updated = replace(source, id="shown"), replace(source, id="updated")
    _finish(redis, shown, NOW)
    _finish(redis, updated, NOW)
    articles.save_version(redis, replace(updated, version=2), LANGS, _at(29))  # reopened
    for n in range(3):  # newer items, above "updated" and "shown" in both feeds
        _finish(redis, replace(source, id=f"newer-{n}"), _at(0.5 + n / 10))
    now = _at(31).timestamp()
    assert retention.prune(redis, now - 30 * DAY, 5, now, 10) == {"shown": 4}
    assert _where(redis, "shown") == (None, now)  # looked at again a retention later
    assert retention.prune(redis, now - 30 * DAY, 5, now, 10) == {}
    later = now + 30 * DAY + 1
    assert retention.prune(redis, later - 30 * DAY, 3, later, 10) == {"shown": 3, "pruned": 1}
    assert articles.get_item(redis, "shown", "en") is None  # fifth: out of a feed of 3
    assert articles.get_item(redis, "newer-0", "en") is not None
    assert articles.get_article(redis, "updated").first_created == source.published_at
