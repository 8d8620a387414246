"""Messages held by a dead worker, handed back in seconds instead of after an hour.

Kombu's Redis transport keeps every delivered message in its ``unacked`` hash until the
ack. A worker killed outright never acks, and kombu hands such a message to another worker
only after ``visibility_timeout`` (an hour here: it must stay above the longest task, or a
slow task would run twice at once). So each worker process also records which messages it
received (delivery tag -> consumer) and beats a heartbeat (consumer -> last beat), in
Redis through store/deliveries.py (keys in store/keys.py). A consumer is one worker process
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
from dataclasses import dataclass
from typing import Final

from syndicate.store import deliveries
from syndicate.store.client import Client

GRACE_SECONDS: Final = 20.0  # silence (ten missed heartbeats) after which a consumer is dead
REAP_EVERY_SECONDS: Final = 10.0
GAP_SECONDS: Final = 10.0  # a longer pause between own beats restarts the watch
FORGET_SECONDS: Final = 7 * 24 * 3600  # consumers silent this long are dropped


def consumer_id(hostname: str) -> str:
    """This worker process as a consumer: its node name and the main process id."""
    return f"{hostname}#{os.getpid()}"


def beat(client: Client, consumer: str, now: float) -> None:
    """``consumer`` is alive; consumers silent for a week are forgotten."""
    deliveries.beat(client, consumer, now, now - FORGET_SECONDS)


def orphaned(client: Client, unacked_key: str, now: float) -> list[str]:
    """Tags of unacknowledged messages whose consumer has been silent for the grace period."""
    return deliveries.orphaned(client, unacked_key, now - GRACE_SECONDS)


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
