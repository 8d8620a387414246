"""Messages held by a dead worker (orphans.py), on a real redis-server through kombu's own
Redis transport: delivered and never acknowledged, then handed back by tag."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from kombu import Connection
from redis import Redis

from syndicate.worker import orphans

if TYPE_CHECKING:
    from redis_servers import RedisServer

NOW = 1_800_000_000.0
GRACE = orphans.GRACE_SECONDS


@pytest.fixture
def channel(redis: Redis, redis_server: RedisServer) -> Iterator[Any]:
    """A kombu channel on the flushed test Redis."""
    with Connection(redis_server.url) as connection:
        yield connection.default_channel


def _deliver(channel: Any, body: str) -> str:
    """Publish ``body`` and take it off the queue without acknowledging it, as a worker
    killed mid-task leaves it; returns its delivery tag."""
    queue = channel.connection.client.SimpleQueue("translate.zz")
    queue.put(body)
    message = queue.get(timeout=5)
    return str(message.delivery_tag)


def _queued(channel: Any) -> list[Any]:
    """Everything waiting on the queue, taken off and acknowledged."""
    queue = channel.connection.client.SimpleQueue("translate.zz")
    bodies = []
    while True:
        try:
            message = queue.get_nowait()
        except queue.Empty:
            return bodies
        bodies.append(message.payload)
        message.ack()
    return bodies


def test_message_of_a_silent_consumer_is_handed_back_once(redis: Redis, channel: Any) -> None:
    dead, alive = "celery@host#100", "celery@host#200"
    lost = _deliver(channel, "article-1 ar")
    held = _deliver(channel, "article-2 ar")
    orphans.note_delivery(redis, lost, dead, NOW - GRACE - 5)
    orphans.note_delivery(redis, held, alive, NOW - GRACE - 5)
    orphans.beat(redis, alive, NOW - 1)
    tags = orphans.orphaned(redis, channel.unacked_key, NOW)
    assert tags == [lost]  # the live consumer keeps its message
    orphans.forget(redis, tags)
    channel.qos.restore_by_tag(lost, leftmost=True)
    channel.qos.restore_by_tag(lost, leftmost=True)  # a second reaper at once: no copy
    assert _queued(channel) == ["article-1 ar"]
    assert orphans.orphaned(redis, channel.unacked_key, NOW) == []


def test_records_of_acknowledged_messages_are_dropped(redis: Redis, channel: Any) -> None:
    tag = _deliver(channel, "article-3 tr")
    orphans.note_delivery(redis, tag, "celery@host#300", NOW - GRACE - 5)
    channel.qos.ack(tag)
    assert orphans.orphaned(redis, channel.unacked_key, NOW) == []
    assert redis.hlen(orphans.DELIVERIES) == 0


def test_unrecorded_message_waits_for_the_visibility_timeout(redis: Redis, channel: Any) -> None:
    _deliver(channel, "article-4 ckb")
    assert orphans.orphaned(redis, channel.unacked_key, NOW) == []


def _beats(watch: orphans.Watch, start: float, seconds: float) -> list[bool]:
    """Beat every 2 s (Celery's heartbeat) from ``start`` for ``seconds``."""
    return [watch.may_reap(start + 2 * n) for n in range(int(seconds // 2) + 1)]


def test_watch_judges_only_after_beating_without_a_gap_for_the_grace_period() -> None:
    watch = orphans.Watch()
    first = _beats(watch, NOW, GRACE)
    assert first == [False] * (len(first) - 1) + [True]
    later = _beats(watch, NOW + GRACE + 2, orphans.REAP_EVERY_SECONDS - 2)
    assert later == [False] * (len(later) - 1) + [True]  # at most every 10 s
    after_outage = NOW + 10 * GRACE  # no beat went through meanwhile: every beat is old
    again = _beats(watch, after_outage, GRACE)
    assert again == [False] * (len(again) - 1) + [True]


def test_a_process_records_deliveries_only_while_it_beats() -> None:
    watch = orphans.Watch()
    assert not watch.beating(NOW)  # started --without-heartbeat: never records
    watch.may_reap(NOW)
    assert watch.beating(NOW + orphans.GAP_SECONDS)
    assert not watch.beating(NOW + orphans.GAP_SECONDS + 1)
