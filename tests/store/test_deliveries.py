"""Delivery records (store/deliveries.py) on a real redis-server, through kombu's own Redis
transport: messages delivered and never acknowledged, found as orphans, handed back by tag."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from kombu import Connection
from redis import Redis

from syndicate.store import deliveries, keys

if TYPE_CHECKING:
    from redis_servers import RedisServer

NOW = 1_800_000_000.0
SILENT_SINCE = NOW - 20.0


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
    deliveries.note_delivery(redis, lost, dead, SILENT_SINCE - 5)
    deliveries.note_delivery(redis, held, alive, SILENT_SINCE - 5)
    deliveries.beat(redis, alive, NOW - 1, NOW - 3600)
    tags = deliveries.orphaned(redis, channel.unacked_key, SILENT_SINCE)
    assert tags == [lost]  # the live consumer keeps its message
    deliveries.forget(redis, tags)
    channel.qos.restore_by_tag(lost, leftmost=True)
    channel.qos.restore_by_tag(lost, leftmost=True)  # a second reaper at once: no copy
    assert _queued(channel) == ["article-1 ar"]
    assert deliveries.orphaned(redis, channel.unacked_key, SILENT_SINCE) == []


def test_records_of_acknowledged_messages_are_dropped(redis: Redis, channel: Any) -> None:
    tag = _deliver(channel, "article-3 tr")
    deliveries.note_delivery(redis, tag, "celery@host#300", SILENT_SINCE - 5)
    channel.qos.ack(tag)
    assert deliveries.orphaned(redis, channel.unacked_key, SILENT_SINCE) == []
    assert redis.hlen(keys.deliveries_key()) == 0


def test_unrecorded_message_waits_for_the_visibility_timeout(redis: Redis, channel: Any) -> None:
    _deliver(channel, "article-4 ckb")
    assert deliveries.orphaned(redis, channel.unacked_key, SILENT_SINCE) == []


def test_beat_forgets_consumers_silent_too_long(redis: Redis) -> None:
    deliveries.beat(redis, "celery@host#1", NOW - 100, NOW - 200)
    deliveries.beat(redis, "celery@host#2", NOW, NOW - 50)
    assert redis.zrange(keys.consumers_key(), 0, -1) == [b"celery@host#2"]
