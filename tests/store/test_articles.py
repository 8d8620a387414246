"""Articles in the store (store/articles.py) on a real redis-server: versions, per-language
states, published items and the languages holding them."""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis

from syndicate.errors import NoSuchArticle, StaleVersion
from syndicate.feeds.record import select_entries
from syndicate.news.article import Article, ArticleStatus, ModelInfo, Translation
from syndicate.news.states import LanguageState, Outcome
from syndicate.store import articles, feeds

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TARGETS = ("ar", "tr")


def _translated(article: Article, lang: str) -> Article:
    model = ModelInfo(f"en-{lang}", f"translate-en_{lang}", "1.0+demo.tiny", True)
    provenance = Translation(article.language, article.version, (model,))
    headline = f"[{lang}] {article.headline}"
    return replace(article, language=lang, headline=headline, targets=None, translation=provenance)


def _later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


# --- versions ------------------------------------------------------------------------------


def test_first_version_is_stored_and_its_languages_queued(redis: Redis, source: Article) -> None:
    assert articles.save_version(redis, source, TARGETS, NOW).outcome is Outcome.WRITTEN
    record, states = articles.get_status(redis, source.id)
    assert record.article == source
    assert record.first_created == source.published_at
    assert record.version_created == NOW
    assert set(states) == set(TARGETS)
    assert all(s.state is LanguageState.QUEUED and s.version == 1 for s in states.values())
    assert articles.get_article(redis, source.id) == record


def test_same_version_again_is_a_replay_that_changes_nothing(redis: Redis, source: Article) -> None:
    articles.save_version(redis, source, TARGETS, NOW)
    articles.set_state(redis, source.id, 1, "ar", LanguageState.TRANSLATING, NOW)
    edited = replace(source, headline="Something else")
    assert articles.save_version(redis, edited, TARGETS, _later(5)).outcome is Outcome.ALREADY_DONE
    record, states = articles.get_status(redis, source.id)
    assert record.article == source and record.version_created == NOW
    assert states["ar"].state is LanguageState.TRANSLATING


def test_newer_version_wins_and_keeps_the_first_creation_date(
    redis: Redis, source: Article
) -> None:
    articles.save_version(redis, source, TARGETS, NOW)
    articles.set_state(redis, source.id, 1, "ar", LanguageState.FAILED, NOW, "boom")
    v2 = replace(source, version=2, published_at=_later(60), headline="Update")
    assert articles.save_version(redis, v2, ("ar", "kmr"), _later(60)).outcome is Outcome.WRITTEN
    record, states = articles.get_status(redis, source.id)
    assert record.article == v2
    assert record.first_created == source.published_at
    assert set(states) == {"ar", "kmr"}
    assert {s.version for s in states.values()} == {2}
    assert states["ar"].state is LanguageState.QUEUED


def test_older_version_arriving_late_is_refused_and_changes_nothing(
    redis: Redis, source: Article
) -> None:
    v3 = replace(source, version=3)
    articles.save_version(redis, v3, TARGETS, NOW)
    with pytest.raises(StaleVersion) as caught:
        articles.save_version(redis, replace(source, version=2), ("kmr",), _later(1))
    assert (caught.value.version, caught.value.stored) == (2, 3)
    record, states = articles.get_status(redis, source.id)
    assert record.article == v3 and set(states) == set(TARGETS)


def test_concurrent_versions_leave_the_newest(redis: Redis, source: Article) -> None:
    versions = list(range(1, 41))
    random.Random(4).shuffle(versions)
    outcomes: list[str] = []

    def save(version: int) -> None:
        try:
            outcomes.append(articles.save_version(redis, replace(source, version=version), (), NOW))
        except StaleVersion:
            outcomes.append("stale")

    threads = [threading.Thread(target=save, args=(v,)) for v in versions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(outcomes) == len(versions)
    assert articles.get_article(redis, source.id).article.version == 40


def test_unknown_article_raises_no_such_article(redis: Redis) -> None:
    with pytest.raises(NoSuchArticle):
        articles.get_article(redis, "nope")
    with pytest.raises(NoSuchArticle):
        articles.get_status(redis, "nope")
    with pytest.raises(NoSuchArticle):
        articles.set_state(redis, "nope", 1, "ar", LanguageState.TRANSLATING, NOW)


# --- per-language state ----------------------------------------------------------------------


def test_state_carries_reason_and_time(redis: Redis, source: Article) -> None:
    articles.save_version(redis, source, TARGETS, NOW)
    outcome = articles.set_state(redis, source.id, 1, "tr", LanguageState.NO_MODEL, _later(1), "x")
    assert outcome is Outcome.WRITTEN
    state = articles.get_status(redis, source.id)[1]["tr"]
    expected = (LanguageState.NO_MODEL, "x", _later(1), 1)
    assert (state.state, state.reason, state.at, state.version) == expected


def test_stale_task_cannot_overwrite_a_newer_versions_state(redis: Redis, source: Article) -> None:
    articles.save_version(redis, source, TARGETS, NOW)
    articles.save_version(redis, replace(source, version=2), TARGETS, NOW)
    outcome = articles.set_state(redis, source.id, 1, "ar", LanguageState.FAILED, NOW, "old")
    assert outcome is Outcome.STALE
    assert articles.get_status(redis, source.id)[1]["ar"].state is LanguageState.QUEUED
    with pytest.raises(NoSuchArticle):
        articles.set_state(redis, source.id, 3, "ar", LanguageState.TRANSLATING, NOW)


def test_one_caller_at_a_time_holds_the_claim_to_dispatch_a_version(
    redis: Redis, source: Article
) -> None:
    saved = articles.save_version(redis, source, TARGETS, NOW)
    assert (saved.outcome, saved.dispatch) == (Outcome.WRITTEN, True)
    assert not articles.save_version(redis, source, TARGETS, NOW).dispatch  # being sent
    articles.end_dispatch(redis, source.id, 1, sent=False)  # the send failed: given back
    assert articles.save_version(redis, source, TARGETS, NOW).dispatch
    articles.end_dispatch(redis, source.id, 1, sent=True)
    replay = articles.save_version(redis, source, TARGETS, NOW)
    assert (replay.outcome, replay.dispatch) == (Outcome.ALREADY_DONE, False)
    v2 = replace(source, version=2)
    assert articles.save_version(redis, v2, TARGETS, NOW, claim_seconds=0).dispatch
    assert articles.save_version(redis, v2, TARGETS, NOW).dispatch  # its sender's claim lapsed
    articles.end_dispatch(redis, source.id, 1, sent=True)  # a late mark of v1 moves nothing
    assert not articles.save_version(redis, v2, TARGETS, NOW).dispatch


def test_published_language_does_not_move_back(redis: Redis, source: Article) -> None:
    articles.save_version(redis, source, TARGETS, NOW)
    articles.publish_item(redis, _translated(source, "ar"), NOW, mark_done=True)
    late = articles.set_state(redis, source.id, 1, "ar", LanguageState.TRANSLATING, _later(1))
    assert late is Outcome.ALREADY_DONE
    assert articles.get_status(redis, source.id)[1]["ar"].state is LanguageState.PUBLISHED


# --- published items -------------------------------------------------------------------------


def test_publish_stores_item_and_marks_the_language_published(
    redis: Redis, source: Article
) -> None:
    articles.save_version(redis, source, TARGETS, NOW)
    ar = _translated(source, "ar")
    assert articles.publish_item(redis, ar, _later(2), mark_done=True) is Outcome.WRITTEN
    item = articles.get_item(redis, source.id, "ar")
    assert item is not None
    expected = (ar, source.published_at, _later(2))
    assert (item.article, item.first_created, item.version_created) == expected
    state = articles.get_status(redis, source.id)[1]["ar"]
    assert (state.state, state.version) == (LanguageState.PUBLISHED, 1)
    assert articles.get_item(redis, source.id, "tr") is None


def test_publish_leaves_the_state_to_the_render_by_default(redis: Redis, source: Article) -> None:
    """The state a client reads never runs ahead of the feeds: an item stored alone leaves
    its language queued until the publish step renders it (issue 16: it marked it)."""
    articles.save_version(redis, source, TARGETS, NOW)
    assert articles.publish_item(redis, _translated(source, "ar"), NOW) is Outcome.WRITTEN
    assert articles.get_status(redis, source.id)[1]["ar"].state is LanguageState.QUEUED


def test_redelivered_publish_changes_nothing(redis: Redis, source: Article) -> None:
    articles.save_version(redis, source, TARGETS, NOW)
    ar = _translated(source, "ar")
    articles.publish_item(redis, ar, NOW, mark_done=True)
    before = feeds.read_items(redis, "ar", NOW, 50)
    again = replace(ar, headline="a second translation of the same version")
    assert articles.publish_item(redis, again, _later(3), mark_done=True) is Outcome.ALREADY_DONE
    assert feeds.read_items(redis, "ar", NOW, 50) == before
    assert before.generation == 1 and [i.article for i in before.items] == [ar]


def test_publish_for_a_superseded_version_is_stale(redis: Redis, source: Article) -> None:
    articles.save_version(redis, source, TARGETS, NOW)
    articles.publish_item(redis, _translated(source, "ar"), NOW)
    articles.save_version(redis, replace(source, version=2), TARGETS, _later(5))
    assert articles.publish_item(redis, _translated(source, "tr"), _later(6)) is Outcome.STALE
    assert articles.get_item(redis, source.id, "tr") is None
    assert feeds.read_items(redis, "tr", _later(6), 50).generation == 0
    v2 = _translated(replace(source, version=2, headline="v2"), "ar")
    assert articles.publish_item(redis, v2, _later(7)) is Outcome.WRITTEN
    item = articles.get_item(redis, source.id, "ar")
    assert item is not None and item.article.version == 2
    assert item.first_created == source.published_at


def test_publish_of_an_unsaved_version_raises(redis: Redis, source: Article) -> None:
    with pytest.raises(NoSuchArticle):
        articles.publish_item(redis, source, NOW)


def test_withdrawal_moves_the_item_out_of_live_feeds(redis: Redis, source: Article) -> None:
    articles.save_version(redis, source, TARGETS, NOW)
    articles.publish_item(redis, _translated(source, "ar"), NOW)
    killed = replace(source, version=2, status=ArticleStatus.WITHDRAWN)
    articles.save_version(redis, killed, TARGETS, _later(10))
    withdrawn = articles.publish_item(redis, _translated(killed, "ar"), _later(11), mark_done=True)
    assert withdrawn is Outcome.WRITTEN
    state = articles.get_status(redis, source.id)[1]["ar"]
    assert (state.state, state.version) == (LanguageState.WITHDRAWN, 2)
    items = feeds.read_items(redis, "ar", _later(12), 50)
    assert [i.article.status for i in items.items] == [ArticleStatus.WITHDRAWN]
    entries = [(i.article, i) for i in items.items]
    assert select_entries(entries, "ar", _later(12), 50, include_withdrawn=False) == []


def test_held_languages_outlive_the_versions_that_dropped_them(
    redis: Redis, source: Article
) -> None:
    assert articles.held_languages(redis, source.id) == []
    articles.save_version(redis, source, TARGETS, NOW)
    articles.publish_item(redis, source, NOW)
    articles.publish_item(redis, _translated(source, "tr"), NOW)
    articles.save_version(redis, replace(source, version=2), ["ar"], _later(1))  # tr dropped
    assert articles.held_languages(redis, source.id) == ["en", "tr"]
    assert set(articles.get_status(redis, source.id)[1]) == {"ar"}
