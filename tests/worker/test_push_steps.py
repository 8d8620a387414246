"""Push steps (worker/push.py) called directly, on a real redis-server, against real HTTP
receivers on loopback: who gets an item, in which format, signed, in version order, once;
retries, dead letters and replay; request forgery refused. The Celery tasks around these
steps, and a worker killed mid-delivery, are in tests/e2e/test_push_service.py."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis

from syndicate.feeds.edition import FeedSite, make_provider
from syndicate.news.article import Article, ArticleStatus, parse_article
from syndicate.push.address import parse_networks
from syndicate.push.rules import DeliveryState, RetryPolicy
from syndicate.store import partners, pushes
from syndicate.store.partners import Partner, Push
from syndicate.worker import intake, items, rendering
from syndicate.worker.push import PushSettings, announce, attempt, sweep

from push_receivers import always, fails_first, hangs_first, receivers, trickles_first

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
START = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BASE = "https://feeds.example.org"
SITE = FeedSite(make_provider("Example News", "example.org", "", BASE), BASE, 5, 50)
LOOPBACK = parse_networks(["127.0.0.0/8"])
SETTINGS = PushSettings(LOOPBACK, 1.0, RetryPolicy(120, 1, 4), 2, timedelta(days=7))


@dataclass
class Clock:
    """The store's time, moved by the test (an attempt's wait is real, its records' are
    this clock's)."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def source() -> Article:
    return replace(parse_article(json.loads(SAMPLE.read_text("utf-8"))), targets=())


def _partner(redis: Redis, name: str, url: str, fmt: str = "ninjs", langs: str = "en") -> str:
    secret = f"whsec_{name}"
    push = Push(url, fmt, secret)
    partner = Partner(name, name * 8, (langs,), ("rss", "newsml", "ninjs"), START, push)
    assert partners.add_partner(redis, partner)
    return secret


def _publish(redis: Redis, article: Article, clock: Clock) -> None:
    """Store and publish the source-language item of ``article``, then announce it."""
    intake.accept(redis, article, [], clock())
    items.publish_source(redis, article.id, article.version, clock(), site=SITE)
    ids = (article.id, article.version, article.language)
    rendering.publish_language(redis, ids, SITE, clock())
    _run(redis, announce(redis, ids, SITE, SETTINGS, clock()), clock)


def _run(redis: Redis, nudges: list[tuple[str, str]], clock: Clock) -> None:
    for partner, delivery_id in nudges:
        attempt(redis, partner, delivery_id, SETTINGS, clock)


def _drain(redis: Redis, clock: Clock, rounds: int = 30) -> None:
    """Sweep and attempt until nothing is due, moving the clock a second at a time (the
    retries' backoff is at most four seconds here)."""
    for _ in range(rounds):
        _run(redis, sweep(redis, SETTINGS, clock()), clock)
        clock.now += timedelta(seconds=1)


def _states(redis: Redis, partner: str) -> dict[int, DeliveryState]:
    return {d.ref.version: d.state for d in pushes.list_deliveries(redis, partner, 50)}


def test_each_version_reaches_each_healthy_receiver_once_in_order_signed(
    redis: Redis, source: Article
) -> None:
    clock = Clock()
    with receivers(always(200), fails_first(2), always(202)) as (ok, flaky, rss):
        secrets = {
            "ok": _partner(redis, "ok", ok.url),
            "flaky": _partner(redis, "flaky", flaky.url, "newsml"),
            "rss": _partner(redis, "rss", rss.url, "rss-item"),
        }
        _partner(redis, "other", ok.url, langs="ar")  # not entitled to English
        _publish(redis, source, clock)
        _publish(redis, replace(source, version=2, headline="Update"), clock)
        clock.now += timedelta(seconds=1)
        _publish(redis, replace(source, version=3, status=ArticleStatus.WITHDRAWN), clock)
        _drain(redis, clock)
        by_name = {"ok": ok, "flaky": flaky, "rss": rss}
        for name, receiver in by_name.items():
            got = receiver.accepted()
            assert [r.version for r in got] == [1, 2, 3], name
            assert all(r.signed_with(secrets[name], clock().timestamp()) for r in got), name
            assert len({r.delivery for r in got}) == 3, name
        assert [r.answered for r in flaky.received][:2] == [500, 500]
        assert ok.received[2].headers["x-syndicate-status"] == "canceled"
        assert rss.received[0].headers["content-type"].startswith("application/rss+xml")
        assert flaky.received[0].body.startswith(b"<?xml") and b"newsItem" in flaky.received[0].body
        assert set(_states(redis, "flaky").values()) == {DeliveryState.DELIVERED}
        assert pushes.list_deliveries(redis, "other", 10) == []


def test_an_update_never_overtakes_an_earlier_version_still_retrying(
    redis: Redis, source: Article
) -> None:
    clock = Clock()
    with receivers(fails_first(3)) as (receiver,):
        _partner(redis, "slow", receiver.url)
        _publish(redis, source, clock)
        _publish(redis, replace(source, version=2), clock)
        assert _states(redis, "slow") == {1: DeliveryState.RETRYING, 2: DeliveryState.PENDING}
        assert [r.version for r in receiver.received] == [1]
        _drain(redis, clock)
        assert [r.version for r in receiver.received] == [1, 1, 1, 1, 2, 2, 2, 2]
        assert [r.version for r in receiver.accepted()] == [1, 2]


def test_a_refusal_is_a_dead_letter_kept_with_the_answer_and_replayed(
    redis: Redis, source: Article
) -> None:
    clock = Clock()
    with receivers(always(410)) as (gone,):
        _partner(redis, "gone", gone.url)
        _publish(redis, source, clock)
        _drain(redis, clock, rounds=3)
        (dead,) = pushes.list_deliveries(redis, "gone", 10)
        assert (dead.state, dead.status, dead.answer, dead.attempts) == ("dead", 410, "ok", 1)
        assert len(gone.received) == 1  # a 4xx is not retried
        gone.script = always(200)
        assert pushes.replay(redis, "gone", dead.ref.delivery_id, clock()) == "written"
        _drain(redis, clock, rounds=3)
        assert [r.delivery for r in gone.accepted()] == [dead.ref.delivery_id]
        assert _states(redis, "gone") == {1: DeliveryState.DELIVERED}


def test_a_kill_reaches_a_partner_that_had_the_item_but_lost_the_language(
    redis: Redis, source: Article
) -> None:
    clock = Clock()
    with receivers(always(200)) as (receiver,):
        _partner(redis, "agency", receiver.url)
        _publish(redis, source, clock)
        old = partners.get_partner(redis, "agency")
        assert old is not None
        partners.update_partner(redis, replace(old, languages=("ar",)))
        _publish(redis, replace(source, version=2, headline="Not for them"), clock)
        _publish(redis, replace(source, version=3, status=ArticleStatus.WITHDRAWN), clock)
        _drain(redis, clock, rounds=2)
        assert [r.version for r in receiver.accepted()] == [1, 3]


def test_a_hanging_receiver_times_out_and_is_retried(redis: Redis, source: Article) -> None:
    clock = Clock()
    with receivers(hangs_first()) as (receiver,):
        _partner(redis, "hangs", receiver.url)
        started = time.monotonic()
        _publish(redis, source, clock)
        assert time.monotonic() - started >= SETTINGS.timeout
        (first,) = pushes.list_deliveries(redis, "hangs", 10)
        assert first.state is DeliveryState.RETRYING
        assert first.reason == "no answer within 1 s"
        _drain(redis, clock, rounds=3)
        assert [r.version for r in receiver.accepted()] == [1]


def test_a_receiver_trickling_its_answer_is_cut_off_and_retried(
    redis: Redis, source: Article
) -> None:
    clock = Clock()
    with receivers(trickles_first()) as (receiver,):  # each byte within the 1 s timeout
        _partner(redis, "trickles", receiver.url)
        _publish(redis, source, clock)  # returns: the attempt was cut off at its deadline
        (first,) = pushes.list_deliveries(redis, "trickles", 10)
        assert (first.state, first.attempts) == (DeliveryState.RETRYING, 1)
        _drain(redis, clock, rounds=3)
        assert [r.version for r in receiver.accepted()] == [1]


def test_request_forgery_loopback_is_refused_unless_allowed_and_no_redirect_is_followed(
    redis: Redis, source: Article
) -> None:
    clock = Clock()
    with receivers(always(200), always(302)) as (receiver, redirects):
        _partner(redis, "inside", receiver.url)
        _partner(redis, "moved", redirects.url)
        closed = replace(SETTINGS, allowed=())
        intake.accept(redis, source, [], clock())
        items.publish_source(redis, source.id, source.version, clock(), site=SITE)
        ids = (source.id, source.version, source.language)
        rendering.publish_language(redis, ids, SITE, clock())
        for partner, delivery_id in announce(redis, ids, SITE, closed, clock()):
            attempt(redis, partner, delivery_id, closed if partner == "inside" else SETTINGS, clock)
        (refused,) = pushes.list_deliveries(redis, "inside", 10)
        assert refused.state is DeliveryState.DEAD
        assert refused.reason is not None and "127.0.0.1 is a loopback address" in refused.reason
        assert receiver.received == []
        (moved,) = pushes.list_deliveries(redis, "moved", 10)
        assert (moved.state, moved.status) == (DeliveryState.DEAD, 302)
        assert len(redirects.received) == 1


def test_an_embargoed_item_is_pushed_when_the_embargo_ends(redis: Redis, source: Article) -> None:
    clock = Clock()
    with receivers(always(200)) as (receiver,):
        _partner(redis, "agency", receiver.url)
        _publish(redis, replace(source, embargo_until=START + timedelta(minutes=10)), clock)
        _drain(redis, clock, rounds=5)
        assert receiver.received == []
        clock.now = START + timedelta(minutes=10)
        _drain(redis, clock, rounds=2)
        assert [r.version for r in receiver.accepted()] == [1]


def test_a_version_published_then_overtaken_by_the_next_one_before_announcing_is_pushed(
    redis: Redis, source: Article
) -> None:
    """The next version can arrive between the publish step marking a language published
    and its announce (the newsroom updates at once): the version partners could already
    read in the feed is still pushed, and the newer one after it."""
    clock = Clock()
    with receivers(always(200)) as (ok,):
        _partner(redis, "ok", ok.url)
        first = replace(source, id="overtaken")
        intake.accept(redis, first, [], clock())
        items.publish_source(redis, first.id, first.version, clock(), site=SITE)
        ids = (first.id, first.version, first.language)
        rendering.publish_language(redis, ids, SITE, clock())
        update = replace(first, version=2, headline="Floods: the road reopens")
        intake.accept(redis, update, [], clock())  # v2 queued before v1 is announced
        _run(redis, announce(redis, ids, SITE, SETTINGS, clock()), clock)
        _publish(redis, update, clock)
        _drain(redis, clock)
        assert [r.version for r in ok.accepted()] == [1, 2]
