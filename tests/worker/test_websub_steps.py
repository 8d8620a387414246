"""The WebSub hub's steps (worker/websub.py) on a real redis-server against real HTTP
callbacks on loopback: the intent verified by its challenge, each change of a feed sent
to its subscribers signed with their secret, superseded while waiting, and nothing after
an unsubscription or the lease's end."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis

from syndicate.feeds.edition import FeedSite, make_provider
from syndicate.news.article import Article, parse_article
from syndicate.push.address import parse_networks
from syndicate.push.rules import RetryPolicy
from syndicate.push.websub import Intent
from syndicate.store import feeds, pushes
from syndicate.store import websub as store
from syndicate.worker import intake, items, rendering, websub
from syndicate.worker.push import PushSettings, attempt

from push_receivers import Receiver, always, receivers

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
BASE = "https://feeds.example.org"
SITE = FeedSite(make_provider("Example News", "example.org", "", BASE), BASE, 5, 50)
SETTINGS = PushSettings(
    parse_networks(["127.0.0.0/8"]), 1.0, RetryPolicy(60, 1, 2), 2, timedelta(days=1)
)
TOPIC = f"{BASE}/v1/feeds/en.rss"
NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def source() -> Article:
    return replace(parse_article(json.loads(SAMPLE.read_text("utf-8"))), targets=())


def _subscribe(redis: Redis, receiver: Receiver, mode: str = "subscribe", lease: int = 600) -> bool:
    intent = Intent(mode, TOPIC, receiver.url, lease, "hub-secret")
    return websub.verify(redis, intent, ("agency", "en", "rss"), SETTINGS, NOW)


def _publish(redis: Redis, article: Article, now: datetime = NOW) -> None:
    """Publish the source item, render the feeds, announce them, send what is due."""
    intake.accept(redis, article, [], now)
    items.publish_source(redis, article.id, article.version, now, site=SITE)
    rendering.render_language(redis, "en", SITE, now)
    for target, delivery_id in websub.announce(redis, "en", SETTINGS, now):
        attempt(redis, target, delivery_id, SETTINGS, lambda: now, websub.send_to_subscriber)


def test_the_intent_is_verified_and_each_change_is_sent_signed(
    redis: Redis, source: Article
) -> None:
    with receivers(always(204)) as (callback,):
        assert _subscribe(redis, callback)
        (asked,) = callback.verified
        assert (asked["hub.mode"], asked["hub.topic"], asked["hub.lease_seconds"]) == (
            "subscribe",
            TOPIC,
            "600",
        )
        _publish(redis, source)
        _publish(redis, replace(source, id="second"))
        assert len(callback.received) == 2
        for got in callback.received:
            signature = hmac.new(b"hub-secret", got.body, hashlib.sha256).hexdigest()
            assert got.headers["x-hub-signature"] == f"sha256={signature}"
            assert got.headers["link"] == f'<{BASE}/v1/websub>; rel="hub", <{TOPIC}>; rel="self"'
            assert got.headers["content-type"].startswith("application/rss+xml")
        assert b"second" in callback.received[1].body
        assert b'rel="hub"' in callback.received[1].body  # the feed names its hub


def test_a_callback_that_does_not_echo_the_challenge_is_not_subscribed(
    redis: Redis, source: Article
) -> None:
    with receivers(always(204)) as (callback,):
        callback.echo = False
        assert not _subscribe(redis, callback)
        _publish(redis, source)
        assert callback.received == []


def test_an_unsubscription_or_a_lease_that_ends_stops_the_pushes(
    redis: Redis, source: Article
) -> None:
    with receivers(always(204), always(204)) as (leaving, short):
        assert _subscribe(redis, leaving) and _subscribe(redis, short, lease=30)
        assert _subscribe(redis, leaving, mode="unsubscribe")
        websub.sweep(redis, SETTINGS, NOW + timedelta(seconds=31))
        assert store.subscribers(redis, "en", "rss", NOW.timestamp()) == []
        _publish(redis, source, NOW + timedelta(seconds=32))
        assert leaving.received == [] and short.received == []


def test_a_change_waiting_behind_a_failing_callback_is_superseded(
    redis: Redis, source: Article
) -> None:
    with receivers(always(503)) as (callback,):
        assert _subscribe(redis, callback)
        _publish(redis, source)
        _publish(redis, replace(source, id="second"), NOW + timedelta(seconds=1))
        target = store.TARGET_PREFIX + store.subscribers(redis, "en", "rss", NOW.timestamp())[0].id
        (waiting,) = pushes.list_deliveries(redis, target, 10)  # the retrying one gave way
        assert (waiting.state, waiting.attempts) == ("retrying", 1)
        assert len(callback.received) == 2 and b"second" in callback.received[1].body


def test_callbacks_obey_the_push_address_rules_when_verified_and_when_sent(
    redis: Redis, source: Article
) -> None:
    closed = replace(SETTINGS, allowed=())  # the default: no private network allowed
    with receivers(always(204), always(302)) as (callback, moved):
        intent = Intent("subscribe", TOPIC, callback.url, 600, "hub-secret")
        assert not websub.verify(redis, intent, ("agency", "en", "rss"), closed, NOW)
        assert callback.verified == []  # refused before connecting: no GET
        assert _subscribe(redis, callback) and _subscribe(redis, moved)
        subs = {s.target: s for s in store.subscribers(redis, "en", "rss", NOW.timestamp())}
        intake.accept(redis, source, [], NOW)
        items.publish_source(redis, source.id, source.version, NOW, site=SITE)
        rendering.render_language(redis, "en", SITE, NOW)
        for target, delivery_id in websub.announce(redis, "en", SETTINGS, NOW):
            rules = closed if subs[target].callback == callback.url else SETTINGS
            attempt(redis, target, delivery_id, rules, lambda: NOW, websub.send_to_subscriber)
        ends = {s.callback: pushes.list_deliveries(redis, t, 10)[0] for t, s in subs.items()}
        assert callback.received == []  # its address checked again when sending: refused
        refused = ends[callback.url]
        assert refused.state == "dead" and "127.0.0.1 is a loopback address" in (
            refused.reason or ""
        )
        assert len(moved.received) == 1  # a redirect is an answer, not followed
        assert (ends[moved.url].state, ends[moved.url].status) == ("dead", 302)


def test_a_change_announced_by_a_worker_killed_before_recording_it_is_announced_again(
    redis: Redis, source: Article
) -> None:
    with receivers(always(204)) as (callback,):
        assert _subscribe(redis, callback)
        (sub,) = store.subscribers(redis, "en", "rss", NOW.timestamp())
        intake.accept(redis, source, [], NOW)
        items.publish_source(redis, source.id, source.version, NOW, site=SITE)
        rendering.render_language(redis, "en", SITE, NOW)
        feed = feeds.read_feed(redis, "en", "rss")
        assert feed is not None
        reserved = store.announced(redis, sub.id, feed.etag)  # then the worker died
        assert reserved == 1 and pushes.list_deliveries(redis, sub.target, 10) == []
        (nudge,) = websub.announce(redis, "en", SETTINGS, NOW)  # the publish step again
        attempt(redis, *nudge, SETTINGS, lambda: NOW, websub.send_to_subscriber)
        assert [r.delivery for r in callback.accepted()] == [f"{TOPIC}:1"]
        assert websub.announce(redis, "en", SETTINGS, NOW) == []  # recorded: once only
