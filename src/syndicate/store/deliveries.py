"""Delivery records in Redis: which consumer holds which unacknowledged message.

The Redis half of worker/orphans.py (the policy: who is a consumer, when one is dead). A
worker process records each message it receives and beats; messages still in kombu's
``unacked`` hash whose consumer fell silent are orphans. Keys are in keys.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from syndicate.store import keys
from syndicate.store.client import Client, guarded


@guarded
def note_delivery(client: Client, tag: str, consumer: str, now: float) -> None:
    """``consumer`` received the message ``tag`` (and is alive)."""
    pipe = client.pipeline(transaction=False)
    pipe.hset(keys.deliveries_key(), tag, consumer)
    pipe.zadd(keys.consumers_key(), {consumer: now})
    pipe.execute()


@guarded
def beat(client: Client, consumer: str, now: float, forget_before: float) -> None:
    """``consumer`` is alive; consumers silent since before ``forget_before`` are dropped."""
    pipe = client.pipeline(transaction=False)
    pipe.zadd(keys.consumers_key(), {consumer: now})
    pipe.zremrangebyscore(keys.consumers_key(), "-inf", forget_before)
    pipe.execute()


@guarded
def orphaned(client: Client, unacked_key: str, silent_since: float) -> list[str]:
    """Tags of unacknowledged messages (kombu's ``unacked_key`` hash) whose consumer has
    not beaten since ``silent_since``.

    Records of messages already acknowledged are dropped on the way. A message with no
    record (its worker died between delivery and the record) waits for kombu's
    visibility timeout."""
    pipe = client.pipeline(transaction=False)
    pipe.hgetall(keys.deliveries_key())
    pipe.hkeys(unacked_key)
    pipe.zrange(keys.consumers_key(), 0, -1, withscores=True)
    raw_deliveries, raw_unacked, raw_beats = pipe.execute()
    deliveries = {
        k.decode(): v.decode() for k, v in cast(dict[bytes, bytes], raw_deliveries).items()
    }
    unacked = {k.decode() for k in cast(list[bytes], raw_unacked)}
    beats = {k.decode(): s for k, s in cast(list[tuple[bytes, float]], raw_beats)}
    forget(client, [tag for tag in deliveries if tag not in unacked])
    return sorted(
        tag
        for tag, owner in deliveries.items()
        if tag in unacked and beats.get(owner, 0.0) < silent_since
    )


@guarded
def forget(client: Client, tags: Sequence[str]) -> None:
    """Drop the records of ``tags`` (before they are restored: a new delivery records anew)."""
    if tags:
        client.hdel(keys.deliveries_key(), *tags)
