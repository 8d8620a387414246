"""The review desk's hold in the translate step, on a real redis-server with the tiny gloss
models (issue 18): a held translation is stored nowhere partners read; an edit keeps its
tags; approving publishes the edit and teaches the memory, so a v2 that changes one
paragraph is held again with only that paragraph machine-new; a newer version gets 409 on
approve and keeps the edits; reject and withdrawal leave the queue; no push partner gets a
held translation before it is approved."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery import Celery
from redis import Redis

from syndicate.config import load_settings
from syndicate.errors import EditInvalid, ReviewConflict
from syndicate.feeds.edition import FeedSite, make_provider
from syndicate.models.engine import Engine
from syndicate.news.article import Article, ArticleStatus, parse_article
from syndicate.news.states import LanguageState
from syndicate.push.rules import RetryPolicy
from syndicate.review.placeholders import write
from syndicate.review.policy import ReviewPolicy
from syndicate.review.segments import Origin
from syndicate.store import articles, feeds, partners, pushes
from syndicate.store import review as store_review
from syndicate.store.feeds import FeedFormat
from syndicate.store.partners import Partner, Push
from syndicate.translation.glossary import parse_glossary
from syndicate.worker import intake, rendering, reviewing, translating
from syndicate.worker.app import create_app
from syndicate.worker.push import PushSettings, announce

from redis_servers import RedisServer

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BASE = "https://feeds.example.org"
SITE = FeedSite(make_provider("Example News", "example.org", "", BASE), BASE, 5, 50)
GLOSSARY = parse_glossary({})
HOLD = ReviewPolicy(hold=("ckb",))


@pytest.fixture(scope="module")
def engine(demo_models_dir: Path) -> Engine:
    return Engine(demo_models_dir)


@pytest.fixture
def celery_app(redis: Redis, redis_server: RedisServer) -> Iterator[Celery]:
    settings = replace(
        load_settings({"SYNDICATE_CONFIG": "/nonexistent.toml"}), redis_url=redis_server.url
    )
    app = create_app(settings)
    yield app
    app.close()


def _article(version: int = 1, **changes: object) -> Article:
    data = json.loads(SAMPLE.read_text("utf-8"))
    data.update(version=version, targets=["ckb"], **changes)
    return parse_article(data)


def _translate(
    redis: Redis, engine: Engine, article: Article, now: datetime = NOW
) -> translating.Translated:
    intake.accept(redis, article, [], now)
    ids = (article.id, article.version, "ckb")
    return translating.translate_language(redis, engine, GLOSSARY, ids, now, site=SITE, policy=HOLD)


def _state(redis: Redis, article_id: str) -> LanguageState:
    return articles.get_status(redis, article_id)[1]["ckb"].state


def _feed(redis: Redis) -> bytes:
    rendering.render_language(redis, "ckb", SITE, NOW + timedelta(hours=1))
    feed = feeds.read_feed(redis, "ckb", FeedFormat.NINJS)
    return feed.body if feed else b""


def test_a_held_translation_is_stored_nowhere_partners_read(redis: Redis, engine: Engine) -> None:
    article = _article()
    done = _translate(redis, engine, article)
    assert done.outcome is LanguageState.IN_REVIEW
    assert _state(redis, article.id) is LanguageState.IN_REVIEW
    assert articles.get_item(redis, article.id, "ckb") is None
    assert article.id.encode() not in _feed(redis)
    (queued,) = store_review.queue(redis, "ckb", 10)
    assert (queued.article_id, queued.version) == (article.id, 1)
    found = store_review.get_held(redis, article.id, "ckb")
    assert found is not None and len(found.held.segments) == queued.segments > 3
    again = _translate(redis, engine, article)  # redelivered: nothing changes
    assert again.outcome is LanguageState.IN_REVIEW and again.segments == 0


def test_an_edit_keeps_its_tags_and_approval_publishes_it(
    redis: Redis, engine: Engine, celery_app: Celery
) -> None:
    article = _article()
    _translate(redis, engine, article)
    held = store_review.get_held(redis, article.id, "ckb")
    assert held is not None
    tagged = next(s for s in held.held.segments if s.tags)
    with pytest.raises(EditInvalid, match=rf"segment {tagged.n}: tag <1"):
        reviewing.edit_segment(redis, (article.id, "ckb", tagged.n), "no tags", "dilan", 1, NOW)
    text = write(tagged.machine, tagged.tags).replace("<1>", "<1>EDITED ", 1)
    reviewing.edit_segment(redis, (article.id, "ckb", tagged.n), text, "dilan", 1, NOW)
    published = reviewing.approve(redis, celery_app, (article.id, "ckb"), "dilan", 1, SITE, NOW)
    assert "EDITED" in published.body_html or "EDITED" in published.headline
    assert published.translation is not None and published.translation.review is not None
    assert store_review.queue(redis, "ckb", 10) == []
    rendering.publish_language(redis, (article.id, 1, "ckb"), SITE, NOW)
    assert _state(redis, article.id) is LanguageState.PUBLISHED
    assert "EDITED" in _feed(redis).decode()
    assert [e["action"] for e in store_review.read_log(redis, article.id, "ckb")] == [
        "held",
        "edited",
        "approved",
    ]


def test_a_v2_changing_one_paragraph_reuses_the_approved_work(
    redis: Redis, engine: Engine, celery_app: Celery
) -> None:
    article = _article()
    _translate(redis, engine, article)
    reviewing.approve(redis, celery_app, (article.id, "ckb"), "dilan", 1, SITE, NOW)
    changed = article.body_html.replace("</p>", " Rescue teams arrived at night.</p>", 1)
    done = _translate(redis, engine, replace(article, version=2, body_html=changed))
    assert done.outcome is LanguageState.IN_REVIEW and done.found.get("human", 0) > 0
    found = store_review.get_held(redis, article.id, "ckb")
    assert found is not None
    new = [s for s in found.held.segments if s.new]
    assert new and all(s.origin is Origin.MACHINE for s in new)
    assert all("Rescue" in write(s.source, s.tags) for s in new)
    assert sum(s.origin is Origin.HUMAN for s in found.held.segments) >= len(
        found.held.segments
    ) - len(new)


def test_a_newer_version_gets_409_on_approve_and_keeps_the_edits(
    redis: Redis, engine: Engine, celery_app: Celery
) -> None:
    article = _article()
    _translate(redis, engine, article)
    held = store_review.get_held(redis, article.id, "ckb")
    assert held is not None
    keys = [s.key for s in held.held.segments]
    last = next(s for s in reversed(held.held.segments) if keys.count(s.key) == 1)
    text = write(last.machine, last.tags) + " KEPT"
    reviewing.edit_segment(redis, (article.id, "ckb", last.n), text, "dilan", None, NOW)
    intake.accept(redis, _article(2, headline="Floods hit Erbil again"), [], NOW)
    with pytest.raises(ReviewConflict, match="version 2"):
        reviewing.approve(redis, celery_app, (article.id, "ckb"), "dilan", None, SITE, NOW)
    _translate(redis, engine, _article(2, headline="Floods hit Erbil again"))
    found = store_review.get_held(redis, article.id, "ckb")
    assert found is not None and found.held.version == 2
    ((n, kept),) = found.held.edits.items()
    assert kept.version == 1 and kept.editor == "dilan"
    assert found.held.segments[n].key == last.key
    assert write(kept.pieces, found.held.segments[n].tags).endswith("KEPT")


def test_reject_publishes_nothing_and_a_kill_empties_the_queue(
    redis: Redis, engine: Engine
) -> None:
    article = _article()
    _translate(redis, engine, article)
    reviewing.reject(redis, (article.id, "ckb"), "dilan", "names wrong", 1, NOW)
    assert _state(redis, article.id) is LanguageState.REJECTED
    assert articles.get_item(redis, article.id, "ckb") is None
    assert store_review.queue(redis, "ckb", 10) == []
    other = _article(id="erbil-2")
    _translate(redis, engine, other)
    kill = replace(other, version=2, status=ArticleStatus.WITHDRAWN)
    intake.accept(redis, kill, [], NOW)
    translating.translate_language(redis, engine, GLOSSARY, (other.id, 2, "ckb"), NOW, site=SITE)
    assert store_review.queue(redis, "ckb", 10) == []
    assert _state(redis, other.id) is LanguageState.WITHDRAWN


def test_a_hold_read_before_an_edit_is_made_again(redis: Redis, engine: Engine) -> None:
    article = _article()
    _translate(redis, engine, article)
    found = store_review.get_held(redis, article.id, "ckb")
    assert found is not None
    first = found.held.segments[0]
    reviewing.edit_segment(
        redis, (article.id, "ckb", 0), write(first.machine, first.tags) + "!", "d", 1, NOW
    )
    with pytest.raises(store_review.Retry):
        store_review.hold(redis, found.held, found.rev, NOW)


def test_an_approved_item_waits_for_its_embargo_and_an_update_keeps_its_guid(
    redis: Redis, engine: Engine, celery_app: Celery
) -> None:
    until = NOW + timedelta(hours=2)
    article = _article(embargo_until=until.isoformat())
    _translate(redis, engine, article)
    reviewing.approve(redis, celery_app, (article.id, "ckb"), "dilan", 1, SITE, NOW)
    rendering.publish_language(redis, (article.id, 1, "ckb"), SITE, NOW)
    assert article.id.encode() not in _feed_at(redis, NOW)
    assert article.id.encode() in _feed_at(redis, until + timedelta(minutes=1))
    first = articles.get_item(redis, article.id, "ckb")
    update = _article(2, embargo_until=until.isoformat(), headline="Floods hit Erbil again")
    _translate(redis, engine, update)
    reviewing.approve(redis, celery_app, (article.id, "ckb"), "dilan", 2, SITE, NOW)
    second = articles.get_item(redis, article.id, "ckb")
    assert first is not None and second is not None
    assert second.article.version == 2 and second.first_created == first.first_created


def _feed_at(redis: Redis, when: datetime) -> bytes:
    rendering.render_language(redis, "ckb", SITE, when)
    feed = feeds.read_feed(redis, "ckb", FeedFormat.NINJS)
    return feed.body if feed else b""


def test_a_held_translation_is_pushed_to_no_partner_until_approved(
    redis: Redis, engine: Engine, celery_app: Celery
) -> None:
    push = Push("https://wire.example.com/in", "ninjs", "whsec_x")
    partners.add_partner(redis, Partner("wire", "w" * 64, ("ckb",), ("ninjs",), NOW, push))
    settings = PushSettings((), 1.0, RetryPolicy(60), 2, timedelta(days=1))
    article = _article()
    _translate(redis, engine, article)
    ids = (article.id, 1, "ckb")
    assert announce(redis, ids, SITE, settings, NOW) == []  # the publish step's last act
    assert pushes.list_deliveries(redis, "wire", 10) == []
    reviewing.approve(redis, celery_app, (article.id, "ckb"), "dilan", 1, SITE, NOW)
    rendering.publish_language(redis, ids, SITE, NOW)
    (pushed,) = announce(redis, ids, SITE, settings, NOW)
    (pending,) = pushes.list_deliveries(redis, "wire", 10)
    assert pushed == ("wire", pending.ref.delivery_id) and pending.ref.lang == "ckb"
