"""Messages held by a dead worker, handed back in seconds instead of after an hour.

Kombu's Redis transport keeps every delivered message in its ``unacked`` hash until the
ack. A worker killed outright never acks, and kombu hands such a message to another worker
only after ``visibility_timeout`` (an hour here: it must stay above the longest task, or a
slow task would run twice at once). So each worker process also records which messages it
received (``syn:deliveries``: delivery tag -> consumer) and beats a heartbeat
(``syn:consumers``: consumer -> last beat). A consumer is one worker process
(``hostname#pid``): a worker restarted under the same name is a new consumer, and its
predecessor's messages are recognised as orphans.

A worker restores, with kombu's own ``restore_by_tag``, every unacknowledged message whose
consumer has not beaten for ``GRACE_SECONDS`` (``Watch`` says when it may judge: only after
beating without a gap for that long itself, because after a Redis outage every beat is
old). Restoring is atomic in kombu (WATCH on the unacked hash), so two workers reaping at
once hand a message back once. Hosts' clocks must agree within a few seconds (NTP).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, cast

from syndicate.store import keys
from syndicate.store.client import Client, guarded

DELIVERIES: Final = keys.deliveries_key()
CONSUMERS: Final = keys.consumers_key()
GRACE_SECONDS: Final = 20.0  # silence (ten missed heartbeats) after which a consumer is dead
REAP_EVERY_SECONDS: Final = 10.0
GAP_SECONDS: Final = 10.0  # a longer pause between own beats restarts the watch
FORGET_SECONDS: Final = 7 * 24 * 3600  # consumers silent this long are dropped


def consumer_id(hostname: str) -> str:
    """This worker process as a consumer: its node name and the main process id."""
    return f"{hostname}#{os.getpid()}"


@guarded
def note_delivery(client: Client, tag: str, consumer: str, now: float) -> None:
    """``consumer`` received the message ``tag`` (and is alive)."""
    pipe = client.pipeline(transaction=False)
    pipe.hset(DELIVERIES, tag, consumer)
    pipe.zadd(CONSUMERS, {consumer: now})
    pipe.execute()


@guarded
def beat(client: Client, consumer: str, now: float) -> None:
    """``consumer`` is alive; consumers silent for a week are forgotten."""
    pipe = client.pipeline(transaction=False)
    pipe.zadd(CONSUMERS, {consumer: now})
    pipe.zremrangebyscore(CONSUMERS, "-inf", now - FORGET_SECONDS)
    pipe.execute()


@guarded
def orphaned(client: Client, unacked_key: str, now: float) -> list[str]:
    """Tags of unacknowledged messages whose consumer has been silent for the grace period.

    Records of messages already acknowledged are dropped on the way. A message with no
    record (its worker died between delivery and the record) waits for kombu's
    visibility timeout."""
    pipe = client.pipeline(transaction=False)
    pipe.hgetall(DELIVERIES)
    pipe.hkeys(unacked_key)
    pipe.zrange(CONSUMERS, 0, -1, withscores=True)
    raw_deliveries, raw_unacked, raw_beats = pipe.execute()
    deliveries = {
        k.decode(): v.decode() for k, v in cast(dict[bytes, bytes], raw_deliveries).items()
    }
    unacked = {k.decode() for k in cast(list[bytes], raw_unacked)}
    beats = {k.decode(): s for k, s in cast(list[tuple[bytes, float]], raw_beats)}
    acked = [tag for tag in deliveries if tag not in unacked]
    if acked:
        client.hdel(DELIVERIES, *acked)
    silent_since = now - GRACE_SECONDS
    return sorted(
        tag
        for tag, owner in deliveries.items()
        if tag in unacked and beats.get(owner, 0.0) < silent_since
    )


@guarded
def forget(client: Client, tags: Sequence[str]) -> None:
    """Drop the records of ``tags`` (before they are restored: a new delivery records anew)."""
    if tags:
        client.hdel(DELIVERIES, *tags)


@dataclass(slots=True)
class Watch:
    """When this process may judge other consumers dead: after it has beaten without a gap
    for the grace period, and at most every ``REAP_EVERY_SECONDS``."""

    since: float = 0.0
    last_beat: float = float("-inf")
    last_reap: float = float("-inf")

    def beating(self, now: float) -> bool:
        """Whether this process beats: only then may it record deliveries, or a worker
        started ``--without-heartbeat`` would see its messages taken as orphans."""
        return now - self.last_beat <= GAP_SECONDS

    def may_reap(self, now: float) -> bool:
        """Record a successful beat at ``now``; True when a reap is due."""
        if now - self.last_beat > GAP_SECONDS:
            self.since = now
        self.last_beat = now
        if now - self.since < GRACE_SECONDS or now - self.last_reap < REAP_EVERY_SECONDS:
            return False
        self.last_reap = now
        return True
