"""The orphan policy (worker/orphans.py): consumer ids and when a process may judge others
dead. The Redis records themselves are tested in tests/store/test_deliveries.py."""

from __future__ import annotations

import os

from redis import Redis

from syndicate.store import keys
from syndicate.worker import orphans

NOW = 1_800_000_000.0
GRACE = orphans.GRACE_SECONDS


def test_consumer_is_the_host_and_this_process() -> None:
    assert orphans.consumer_id("celery@host") == f"celery@host#{os.getpid()}"


def test_a_consumer_is_an_orphan_holder_only_after_the_grace_period(redis: Redis) -> None:
    redis.hset(keys.deliveries_key(), "tag-1", "celery@host#1")
    redis.hset("unacked", "tag-1", "message")
    orphans.beat(redis, "celery@host#1", NOW - GRACE + 1)
    assert orphans.orphaned(redis, "unacked", NOW) == []
    assert orphans.orphaned(redis, "unacked", NOW + 2) == ["tag-1"]


def test_beat_forgets_consumers_silent_for_a_week(redis: Redis) -> None:
    orphans.beat(redis, "celery@host#1", NOW - orphans.FORGET_SECONDS - 1)
    orphans.beat(redis, "celery@host#2", NOW)
    assert redis.zrange(keys.consumers_key(), 0, -1) == [b"celery@host#2"]


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
