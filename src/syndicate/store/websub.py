"""WebSub subscriptions in Redis (issue 19): who gets each RSS and NewsML feed pushed when
it changes (push/websub.py has the hub's rules). A subscription is stored once its
subscriber confirmed the intent, and goes when its lease ends or it is unsubscribed; its
content distributions are push deliveries (store/pushes.py) under the target
``websub~<id>``. Keys are in keys.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, cast

from syndicate.store import keys, pushes
from syndicate.store.client import Client, decode_text, guarded, run_script

TARGET_PREFIX: Final = (
    "websub~"  # push deliveries' target of a subscription (no partner name has ~)
)

# KEYS: subscription hash. ARGV: the feed's ETag. A change of the feed (an ETag other than
# the one last distributed) gets the next number of changes (the distribution's version),
# reserved until ``_CONFIRMED`` says its delivery is recorded: asked again for the same
# ETag before that (the worker died in between, the publish step runs again), the same
# number. 0 when the feed did not change.
_ANNOUNCED: Final = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HGET', KEYS[1], 'etag') == ARGV[1] then return 0 end
if redis.call('HGET', KEYS[1], 'announcing') == ARGV[1] then
  return tonumber(redis.call('HGET', KEYS[1], 'changes'))
end
redis.call('HSET', KEYS[1], 'announcing', ARGV[1])
return redis.call('HINCRBY', KEYS[1], 'changes', 1)
"""

# KEYS: subscription hash. ARGV: the ETag whose distribution is recorded (unless a later
# change was reserved meanwhile: that one confirms itself).
_CONFIRMED: Final = """
if redis.call('HGET', KEYS[1], 'announcing') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'etag', ARGV[1])
  redis.call('HDEL', KEYS[1], 'announcing')
end
return 0
"""


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    topic: str
    callback: str
    secret: str | None
    partner: str
    lang: str
    format: str
    expires: float  # epoch s

    @property
    def target(self) -> str:
        """Its name as a push deliveries' target."""
        return TARGET_PREFIX + self.id


def _decode(fields: Mapping[bytes, bytes]) -> Subscription:
    f = {decode_text(k): decode_text(v) for k, v in fields.items()}
    where = (f["partner"], f["lang"], f["format"], float(f["expires"]))
    return Subscription(f["id"], f["topic"], f["callback"], f.get("secret") or None, *where)


@guarded
def subscribe(client: Client, sub: Subscription) -> None:
    """Store a verified subscription (renewing one of the same topic and callback)."""
    record = {"id": sub.id, "topic": sub.topic}
    record |= {"callback": sub.callback, "secret": sub.secret or "", "partner": sub.partner}
    record |= {"lang": sub.lang, "format": sub.format, "expires": repr(sub.expires)}
    pipe = client.pipeline(transaction=True)
    pipe.hset(keys.websub_key(sub.id), items=[part for pair in record.items() for part in pair])
    pipe.sadd(keys.websub_topic_key(sub.lang, sub.format), sub.id)
    pipe.zadd(keys.websub_subs_key(), {sub.id: sub.expires})
    pipe.execute()


@guarded
def get_subscription(client: Client, subscription: str) -> Subscription | None:
    fields = cast(dict[bytes, bytes], client.hgetall(keys.websub_key(subscription)))
    return _decode(fields) if fields else None


@guarded
def unsubscribe(client: Client, sub: Subscription) -> None:
    """Remove a subscription with its push deliveries."""
    pipe = client.pipeline(transaction=True)
    pipe.delete(keys.websub_key(sub.id))
    pipe.srem(keys.websub_topic_key(sub.lang, sub.format), sub.id)
    pipe.zrem(keys.websub_subs_key(), sub.id)
    pipe.execute()
    pushes.forget_partner(client, sub.target)


@guarded
def subscribers(client: Client, lang: str, fmt: str, now: float) -> list[Subscription]:
    """The live subscriptions of one feed."""
    ids = sorted(
        decode_text(i) for i in cast(set[bytes], client.smembers(keys.websub_topic_key(lang, fmt)))
    )
    found = [get_subscription(client, i) for i in ids]
    return [s for s in found if s is not None and s.expires > now]


@guarded
def live(client: Client, now: float) -> list[str]:
    """Every subscription whose lease runs (the sweep looks at their deliveries)."""
    return [
        decode_text(i)
        for i in cast(
            list[bytes], client.zrangebyscore(keys.websub_subs_key(), f"({now!r}", "+inf")
        )
    ]


@guarded
def expired(client: Client, now: float, limit: int) -> list[Subscription]:
    """Up to ``limit`` subscriptions whose lease ended."""
    ids = cast(list[bytes], client.zrangebyscore(keys.websub_subs_key(), "-inf", now, 0, limit))
    found = [get_subscription(client, decode_text(i)) for i in ids]
    for raw, sub in zip(ids, found, strict=True):
        if sub is None:
            client.zrem(keys.websub_subs_key(), raw)
    return [s for s in found if s is not None]


@guarded
def announced(client: Client, subscription: str, etag: str) -> int:
    """For a change of the feed (its ETag) not yet distributed to this subscription: the
    distribution's version (the same until ``confirm`` is called for it); 0 when the feed
    did not change."""
    return int(run_script(client, _ANNOUNCED, [keys.websub_key(subscription)], [etag]))


@guarded
def confirm(client: Client, subscription: str, etag: str) -> None:
    """The distribution of this ETag is recorded: asking ``announced`` again gives 0."""
    run_script(client, _CONFIRMED, [keys.websub_key(subscription)], [etag])
