"""The Redis store on a real redis-server: versions, states, items, feeds, partners, memory."""

from __future__ import annotations

import hashlib
import json
import random
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from redis import Redis

from syndicate.errors import NoSuchArticle, StaleVersion, StoreUnavailable
from syndicate.feeds.record import select_entries
from syndicate.markup.alignment import AlignedTranslation, copy_translation
from syndicate.news.article import Article, ArticleStatus, ModelInfo, Translation, parse_article
from syndicate.news.states import LanguageState, Outcome
from syndicate.store import articles as store
from syndicate.store import memory as store_memory
from syndicate.store.articles import FeedFormat, Partner

if TYPE_CHECKING:
    from redis_servers import RedisServer

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TARGETS = ("ar", "tr")


@pytest.fixture(scope="module")
def source() -> Article:
    return parse_article(json.loads(SAMPLE.read_text("utf-8")))


def _translated(article: Article, lang: str) -> Article:
    model = ModelInfo(f"en-{lang}", f"translate-en_{lang}", "1.0+demo.tiny", True)
    provenance = Translation(article.language, article.version, (model,))
    headline = f"[{lang}] {article.headline}"
    return replace(article, language=lang, headline=headline, targets=None, translation=provenance)


def _later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


# --- versions ------------------------------------------------------------------------------


def test_first_version_is_stored_and_its_languages_queued(redis: Redis, source: Article) -> None:
    assert store.save_version(redis, source, TARGETS, NOW) is Outcome.WRITTEN
    record, states = store.get_status(redis, source.id)
    assert record.article == source
    assert record.first_created == source.published_at
    assert record.version_created == NOW
    assert set(states) == set(TARGETS)
    assert all(s.state is LanguageState.QUEUED and s.version == 1 for s in states.values())
    assert store.get_article(redis, source.id) == record


def test_same_version_again_is_a_replay_that_changes_nothing(redis: Redis, source: Article) -> None:
    store.save_version(redis, source, TARGETS, NOW)
    store.set_state(redis, source.id, 1, "ar", LanguageState.TRANSLATING, NOW)
    edited = replace(source, headline="Something else")
    assert store.save_version(redis, edited, TARGETS, _later(5)) is Outcome.ALREADY_DONE
    record, states = store.get_status(redis, source.id)
    assert record.article == source and record.version_created == NOW
    assert states["ar"].state is LanguageState.TRANSLATING


def test_newer_version_wins_and_keeps_the_first_creation_date(
    redis: Redis, source: Article
) -> None:
    store.save_version(redis, source, TARGETS, NOW)
    store.set_state(redis, source.id, 1, "ar", LanguageState.FAILED, NOW, "boom")
    v2 = replace(source, version=2, published_at=_later(60), headline="Update")
    assert store.save_version(redis, v2, ("ar", "kmr"), _later(60)) is Outcome.WRITTEN
    record, states = store.get_status(redis, source.id)
    assert record.article == v2
    assert record.first_created == source.published_at
    assert set(states) == {"ar", "kmr"}
    assert {s.version for s in states.values()} == {2}
    assert states["ar"].state is LanguageState.QUEUED


def test_older_version_arriving_late_is_refused_and_changes_nothing(
    redis: Redis, source: Article
) -> None:
    v3 = replace(source, version=3)
    store.save_version(redis, v3, TARGETS, NOW)
    with pytest.raises(StaleVersion) as caught:
        store.save_version(redis, replace(source, version=2), ("kmr",), _later(1))
    assert (caught.value.version, caught.value.stored) == (2, 3)
    record, states = store.get_status(redis, source.id)
    assert record.article == v3 and set(states) == set(TARGETS)


def test_concurrent_versions_leave_the_newest(redis: Redis, source: Article) -> None:
    versions = list(range(1, 41))
    random.Random(4).shuffle(versions)
    outcomes: list[str] = []

    def save(version: int) -> None:
        try:
            outcomes.append(store.save_version(redis, replace(source, version=version), (), NOW))
        except StaleVersion:
            outcomes.append("stale")

    threads = [threading.Thread(target=save, args=(v,)) for v in versions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(outcomes) == len(versions)
    assert store.get_article(redis, source.id).article.version == 40


def test_unknown_article_raises_no_such_article(redis: Redis) -> None:
    with pytest.raises(NoSuchArticle):
        store.get_article(redis, "nope")
    with pytest.raises(NoSuchArticle):
        store.get_status(redis, "nope")
    with pytest.raises(NoSuchArticle):
        store.set_state(redis, "nope", 1, "ar", LanguageState.TRANSLATING, NOW)


# --- per-language state ----------------------------------------------------------------------


def test_state_carries_reason_and_time(redis: Redis, source: Article) -> None:
    store.save_version(redis, source, TARGETS, NOW)
    outcome = store.set_state(redis, source.id, 1, "tr", LanguageState.NO_MODEL, _later(1), "x")
    assert outcome is Outcome.WRITTEN
    state = store.get_status(redis, source.id)[1]["tr"]
    assert (state.state, state.reason, state.at, state.version) == (
        LanguageState.NO_MODEL, "x", _later(1), 1
    )  # fmt: skip


def test_stale_task_cannot_overwrite_a_newer_versions_state(redis: Redis, source: Article) -> None:
    store.save_version(redis, source, TARGETS, NOW)
    store.save_version(redis, replace(source, version=2), TARGETS, NOW)
    outcome = store.set_state(redis, source.id, 1, "ar", LanguageState.FAILED, NOW, "old")
    assert outcome is Outcome.STALE
    assert store.get_status(redis, source.id)[1]["ar"].state is LanguageState.QUEUED
    with pytest.raises(NoSuchArticle):
        store.set_state(redis, source.id, 3, "ar", LanguageState.TRANSLATING, NOW)


def test_published_language_does_not_move_back(redis: Redis, source: Article) -> None:
    store.save_version(redis, source, TARGETS, NOW)
    store.publish_item(redis, _translated(source, "ar"), NOW)
    late = store.set_state(redis, source.id, 1, "ar", LanguageState.TRANSLATING, _later(1))
    assert late is Outcome.ALREADY_DONE
    assert store.get_status(redis, source.id)[1]["ar"].state is LanguageState.PUBLISHED


# --- published items -------------------------------------------------------------------------


def test_publish_stores_item_and_marks_the_language_published(
    redis: Redis, source: Article
) -> None:
    store.save_version(redis, source, TARGETS, NOW)
    ar = _translated(source, "ar")
    assert store.publish_item(redis, ar, _later(2)) is Outcome.WRITTEN
    item = store.get_item(redis, source.id, "ar")
    assert item is not None
    assert (item.article, item.first_created, item.version_created) == (
        ar, source.published_at, _later(2)
    )  # fmt: skip
    state = store.get_status(redis, source.id)[1]["ar"]
    assert (state.state, state.version) == (LanguageState.PUBLISHED, 1)
    assert store.get_item(redis, source.id, "tr") is None


def test_redelivered_publish_changes_nothing(redis: Redis, source: Article) -> None:
    store.save_version(redis, source, TARGETS, NOW)
    ar = _translated(source, "ar")
    store.publish_item(redis, ar, NOW)
    before = store.read_items(redis, "ar", NOW, 50)
    again = replace(ar, headline="a second translation of the same version")
    assert store.publish_item(redis, again, _later(3)) is Outcome.ALREADY_DONE
    assert store.read_items(redis, "ar", NOW, 50) == before
    assert before.generation == 1 and [i.article for i in before.items] == [ar]


def test_publish_for_a_superseded_version_is_stale(redis: Redis, source: Article) -> None:
    store.save_version(redis, source, TARGETS, NOW)
    store.publish_item(redis, _translated(source, "ar"), NOW)
    store.save_version(redis, replace(source, version=2), TARGETS, _later(5))
    assert store.publish_item(redis, _translated(source, "tr"), _later(6)) is Outcome.STALE
    assert store.get_item(redis, source.id, "tr") is None
    assert store.read_items(redis, "tr", _later(6), 50).generation == 0
    v2 = _translated(replace(source, version=2, headline="v2"), "ar")
    assert store.publish_item(redis, v2, _later(7)) is Outcome.WRITTEN
    item = store.get_item(redis, source.id, "ar")
    assert item is not None and item.article.version == 2
    assert item.first_created == source.published_at


def test_publish_of_an_unsaved_version_raises(redis: Redis, source: Article) -> None:
    with pytest.raises(NoSuchArticle):
        store.publish_item(redis, source, NOW)


def test_withdrawal_moves_the_item_out_of_live_feeds(redis: Redis, source: Article) -> None:
    store.save_version(redis, source, TARGETS, NOW)
    store.publish_item(redis, _translated(source, "ar"), NOW)
    killed = replace(source, version=2, status=ArticleStatus.WITHDRAWN)
    store.save_version(redis, killed, TARGETS, _later(10))
    assert store.publish_item(redis, _translated(killed, "ar"), _later(11)) is Outcome.WRITTEN
    state = store.get_status(redis, source.id)[1]["ar"]
    assert (state.state, state.version) == (LanguageState.WITHDRAWN, 2)
    items = store.read_items(redis, "ar", _later(12), 50)
    assert [i.article.status for i in items.items] == [ArticleStatus.WITHDRAWN]
    entries = [(i.article, i) for i in items.items]
    assert select_entries(entries, "ar", _later(12), 50, include_withdrawn=False) == []


def test_held_languages_outlive_the_versions_that_dropped_them(
    redis: Redis, source: Article
) -> None:
    assert store.held_languages(redis, source.id) == []
    store.save_version(redis, source, TARGETS, NOW)
    store.publish_item(redis, source, NOW)
    store.publish_item(redis, _translated(source, "tr"), NOW)
    store.save_version(redis, replace(source, version=2), ["ar"], _later(1))  # tr dropped
    assert store.held_languages(redis, source.id) == ["en", "tr"]
    assert set(store.get_status(redis, source.id)[1]) == {"ar"}


def _publish_many(redis: Redis, source: Article, count: int) -> list[str]:
    ids = []
    for n in range(count):
        article = replace(source, id=f"story-{n:02d}")
        store.save_version(redis, article, (), NOW)
        store.publish_item(redis, article, _later(n))
        ids.append(article.id)
    return ids


def test_read_items_is_the_newest_n_plus_embargoed_ones(redis: Redis, source: Article) -> None:
    ids = _publish_many(redis, source, 6)
    embargoed = replace(source, id="embargoed", embargo_until=_later(600))
    store.save_version(redis, embargoed, (), NOW)
    store.publish_item(redis, embargoed, NOW)
    items = store.read_items(redis, "en", _later(30), 3)
    assert items.generation == 7
    assert [i.article.id for i in items.items] == ["embargoed", *reversed(ids[-3:])]
    assert store.read_items(redis, "en", _later(30), 0).items[0].article.id == "embargoed"


def test_read_items_of_an_empty_language(redis: Redis) -> None:
    assert store.read_items(redis, "ckb", NOW, 50) == store.ItemSet(0, ())


# --- rendered feeds --------------------------------------------------------------------------


def _etag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()}"'


def test_feed_is_read_with_its_etag_and_last_modified(redis: Redis) -> None:
    assert store.read_feed(redis, "ar", FeedFormat.RSS) is None
    body = "<rss>عربي</rss>".encode()
    assert store.write_feed(redis, "ar", FeedFormat.RSS, body, 1, NOW) is Outcome.WRITTEN
    assert store.read_feed(redis, "ar", FeedFormat.RSS) == store.RenderedFeed(
        body, _etag(body), NOW
    )
    assert store.read_feed(redis, "ar", FeedFormat.NEWSML) is None


def test_same_bytes_keep_their_last_modified(redis: Redis) -> None:
    store.write_feed(redis, "tr", FeedFormat.NEWSML, b"<x/>", 1, NOW)
    again = store.write_feed(redis, "tr", FeedFormat.NEWSML, b"<x/>", 2, _later(5))
    assert again is Outcome.ALREADY_DONE
    feed = store.read_feed(redis, "tr", FeedFormat.NEWSML)
    assert feed is not None and feed.last_modified == NOW


def test_render_of_an_older_item_set_is_refused(redis: Redis) -> None:
    store.write_feed(redis, "tr", FeedFormat.RSS, b"<new/>", 5, NOW)
    assert store.write_feed(redis, "tr", FeedFormat.RSS, b"<old/>", 4, _later(1)) is Outcome.STALE
    feed = store.read_feed(redis, "tr", FeedFormat.RSS)
    assert feed is not None and feed.body == b"<new/>" and feed.etag == _etag(b"<new/>")


def test_polls_never_see_bytes_of_one_render_with_the_etag_of_another(redis: Redis) -> None:
    bodies = [f"<rss>{n}</rss>".encode() * (n + 1) for n in range(20)]
    done = threading.Event()

    def render() -> None:
        for generation in range(300):
            body = bodies[generation % len(bodies)]
            store.write_feed(redis, "ar", FeedFormat.RSS, body, generation, NOW)
        done.set()

    writer = threading.Thread(target=render)
    writer.start()
    polls = 0
    while not done.is_set() or polls == 0:
        feed = store.read_feed(redis, "ar", FeedFormat.RSS)
        if feed is not None:
            assert feed.etag == _etag(feed.body)
            polls += 1
    writer.join(timeout=30)
    assert polls > 0


# --- partners --------------------------------------------------------------------------------


def _partner(name: str, key: str) -> Partner:
    digest = hashlib.sha256(key.encode()).hexdigest()
    return Partner(name, digest, ("ar", "tr"), ("rss", "newsml"), NOW)


def test_partner_is_found_by_key_digest_and_listed(redis: Redis) -> None:
    agency = _partner("agency", "secret-1")
    assert store.add_partner(redis, agency) is True
    assert store.find_partner(redis, agency.key_sha256) == agency
    assert store.find_partner(redis, hashlib.sha256(b"wrong").hexdigest()) is None
    assert store.list_partners(redis) == [agency]


def test_partner_name_and_key_are_unique(redis: Redis) -> None:
    store.add_partner(redis, _partner("agency", "secret-1"))
    assert store.add_partner(redis, _partner("agency", "secret-2")) is False
    assert store.add_partner(redis, _partner("other", "secret-1")) is False
    assert [p.name for p in store.list_partners(redis)] == ["agency"]


def test_revoked_partner_key_stops_working(redis: Redis) -> None:
    agency, other = _partner("agency", "k1"), _partner("other", "k2")
    store.add_partner(redis, agency)
    store.add_partner(redis, other)
    assert store.revoke_partner(redis, "agency") is True
    assert store.find_partner(redis, agency.key_sha256) is None
    assert store.list_partners(redis) == [other]
    assert store.revoke_partner(redis, "agency") is False
    assert store.add_partner(redis, agency) is True


# --- translation memory ----------------------------------------------------------------------


def _aligned(text: str) -> AlignedTranslation:
    return replace(copy_translation(text), complete=False)


def test_translation_memory_round_trip_per_model(redis: Redis) -> None:
    texts = ["Floods hit Erbil.", "Rain continues.", "Floods hit Erbil."]
    assert store_memory.get_tm(redis, "translate-en_ar@1.0", texts) == {}
    entries = {t: _aligned(t) for t in texts[:2]}
    store_memory.put_tm(redis, "translate-en_ar@1.0", entries)
    assert store_memory.get_tm(redis, "translate-en_ar@1.0", [*texts, "New."]) == entries
    assert store_memory.get_tm(redis, "translate-en_ar@1.1", texts) == {}
    assert store_memory.get_tm(redis, "translate-en_ar@1.0", []) == {}
    assert all(0 < redis.ttl(k) <= store_memory.TM_TTL_SECONDS for k in redis.keys("syn:tm:*"))


# --- connection ------------------------------------------------------------------------------


def test_every_key_has_the_prefix(redis: Redis, source: Article) -> None:
    store.save_version(redis, source, TARGETS, NOW)
    store.publish_item(redis, source, NOW)
    store.write_feed(redis, "en", FeedFormat.RSS, b"<rss/>", 1, NOW)
    store.add_partner(redis, _partner("agency", "k"))
    store_memory.put_tm(redis, "m@1", {"a": _aligned("a")})
    keys = [k.decode() for k in redis.keys("*")]
    assert len(keys) == 11 and all(k.startswith("syn:") for k in keys)


def test_stopped_server_raises_store_unavailable(
    throwaway_redis_server: RedisServer, redis: Redis, source: Article
) -> None:
    server = throwaway_redis_server
    client = store.connect(server.url)
    try:
        assert store.is_reachable(client)
        store.save_version(client, source, TARGETS, NOW)
    finally:
        server.stop()
    request_during_outage = [
        lambda: store.get_article(client, source.id),
        lambda: store.save_version(client, replace(source, version=2), TARGETS, NOW),
        lambda: store.read_feed(client, "en", FeedFormat.RSS),
        lambda: store.is_reachable(client),
        lambda: store.get_status(client, source.id),
        lambda: store.publish_item(client, source, NOW),
        lambda: store.read_items(client, "en", NOW, 50),
        lambda: store.find_partner(client, "0" * 64),
        lambda: store.revoke_partner(client, "agency"),
        lambda: store_memory.put_tm(client, "m@1", {"a": _aligned("a")}),
    ]
    for call in request_during_outage:
        with pytest.raises(StoreUnavailable):
            call()
    client.close()
    assert store.is_reachable(redis)
