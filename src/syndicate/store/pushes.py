"""Push deliveries in Redis: one record per partner and item version, and the indexes that
say which are due, in flight, and in what order (issue 19). Not ``deliveries.py``: that
module holds Celery's delivery tags.

Every state change is one Lua script (push_scripts.py), so a delivery is claimed by one
attempt at a time, a count never disagrees with the records, and an update or a kill waits
for the partner's earlier version of the item to be final. The records are the truth;
Celery messages only say "look at this one now", and a sweep sends them again for whatever
is due (worker/push.py), so a message lost with a worker or a Redis restart loses nothing.
Keys are in keys.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from syndicate.news.states import Outcome
from syndicate.push.payload import ItemRef
from syndicate.push.rules import DeliveryState
from syndicate.store import keys, push_scripts
from syndicate.store.client import (
    Client,
    decode_text,
    decode_time,
    encode_time,
    guarded,
    run_script,
)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One item version on its way to one partner, as operators read it."""

    partner: str
    ref: ItemRef
    format: str
    state: DeliveryState
    attempts: int
    created: datetime
    published: datetime  # when the item showed: latency is measured from here
    at: datetime  # the last change
    next_at: datetime | None = None  # the next attempt (retrying, or pending under embargo)
    window_from: float | None = None  # when the retry window opened (its first attempt)
    reason: str | None = None  # why it is retrying or dead
    status: int | None = None  # the last HTTP status received
    answer: str | None = None  # the start of a refusing answer's body, for the dead letter
    delivered_at: datetime | None = None
    claim: str | None = None


def _epoch_time(raw: Any) -> datetime | None:
    return None if raw is None else datetime.fromtimestamp(float(raw), UTC)


def decode_delivery(partner: str, raw: bytes | str) -> Delivery:
    d = json.loads(raw)
    ref = ItemRef(d["article_id"], int(d["version"]), d["lang"], d["guid"], bool(d["withdrawn"]))
    delivered = d.get("delivered_at")
    return Delivery(
        partner=partner,
        ref=ref,
        format=d["format"],
        state=DeliveryState(d["state"]),
        attempts=int(d.get("attempts", 0)),
        created=decode_time(d["created"]),
        published=decode_time(d["published"]),
        at=decode_time(d["at"]),
        next_at=_epoch_time(d.get("not_before")),
        window_from=float(d["window_from"]) if "window_from" in d else None,
        reason=d.get("reason"),
        status=d.get("status"),
        answer=d.get("answer"),
        delivered_at=decode_time(delivered) if delivered else None,
        claim=d.get("claim"),
    )


def _score(moment: datetime) -> str:
    return repr(moment.timestamp())


@guarded
def put_body(client: Client, ref: ItemRef, fmt: str, body: bytes, ttl_seconds: int) -> None:
    """Keep an item version's body in one push format for as long as a delivery may need it."""
    client.set(keys.push_body_key(ref.guid, ref.version, fmt), body, ex=max(1, ttl_seconds))


@guarded
def get_body(client: Client, ref: ItemRef, fmt: str) -> bytes | None:
    return cast(bytes | None, client.get(keys.push_body_key(ref.guid, ref.version, fmt)))


@guarded
def create(
    client: Client,
    partner: str,
    ref: ItemRef,
    fmt: str,
    published: datetime,
    now: datetime,
    *,
    supersede: bool = False,
) -> Outcome:
    """Record a pending delivery of ``ref`` to ``partner``, due when the item shows
    (``published``: its publication, or its embargo's end). WRITTEN, ALREADY_DONE (a
    redelivered publish) or STALE (the partner already has a later version on its way).
    ``supersede`` drops the previous version while it still waits (a feed's)."""
    record: dict[str, Any] = {
        "article_id": ref.article_id,
        "version": ref.version,
        "lang": ref.lang,
        "guid": ref.guid,
        "withdrawn": ref.withdrawn,
        "format": fmt,
        "state": str(DeliveryState.PENDING),
        "attempts": 0,
        "created": encode_time(now),
        "published": encode_time(published),
        "at": encode_time(now),
    }
    due = max(published, now)
    if published > now:
        record["not_before"] = _score(published)
    args = [ref.delivery_id, ref.guid, ref.version, json.dumps(record), _score(due), _score(now)]
    args.append("1" if supersede else "0")
    answer = run_script(client, push_scripts.CREATE, keys.push_keys(partner), args)
    return Outcome(decode_text(answer))


@dataclass(frozen=True, slots=True)
class Claim:
    """What ``claim`` answered: ``claimed`` with the record, or why not."""

    outcome: str
    delivery: Delivery | None = None


@guarded
def claim(
    client: Client,
    partner: str,
    delivery_id: str,
    now: datetime,
    lease_until: datetime,
    token: str,
    cap: int,
) -> Claim:
    """Take one delivery for an attempt, atomically (push_scripts.CLAIM says when not)."""
    args = [delivery_id, _score(now), _score(lease_until), token, cap, encode_time(now)]
    answer = run_script(client, push_scripts.CLAIM, keys.push_keys(partner), args)
    outcome = decode_text(answer[0])
    if outcome != "claimed":
        return Claim(outcome)
    return Claim(outcome, decode_delivery(partner, answer[1]))


@dataclass(frozen=True, slots=True)
class Ending:
    """How an attempt ended, for ``finish``: the new state and what the record keeps."""

    state: DeliveryState
    next_at: datetime | None = None
    reason: str | None = None
    status: int | None = None
    answer: str | None = None
    # Metrics series and amounts added in the same step as the record (store/ops.py's
    # increments), so a worker killed between the two never leaves them apart.
    counted: tuple[tuple[str, float], ...] = ()


@guarded
def finish(
    client: Client, partner: str, delivery_id: str, token: str, ending: Ending, now: datetime
) -> str:
    """Record an attempt's ending: ``written``, ``already_done``, ``superseded`` or
    ``missing``. A final ending makes the partner's next version of the item due now."""
    fields: dict[str, Any] = {"at": encode_time(now)}
    if ending.state is DeliveryState.DELIVERED:
        fields["delivered_at"] = encode_time(now)
    for name in ("reason", "status", "answer"):
        value = getattr(ending, name)
        if value is not None:
            fields[name] = value
    retry = _score(ending.next_at) if ending.next_at is not None else ""
    args: list[Any] = [delivery_id, token, str(ending.state), json.dumps(fields), retry]
    args += [_score(now), *(part for pair in ending.counted for part in (pair[0], repr(pair[1])))]
    ids = [*keys.push_keys(partner), keys.metrics_key()]
    return decode_text(run_script(client, push_scripts.FINISH, ids, args))


@guarded
def take_due(
    client: Client, partner: str, now: datetime, cap: int, grace_until: datetime, limit: int
) -> list[str]:
    """The partner's deliveries due now, at most its free slots (push_scripts.TAKE_DUE)."""
    args = [_score(now), cap, _score(grace_until), limit]
    answer = run_script(client, push_scripts.TAKE_DUE, keys.push_keys(partner), args)
    return [decode_text(a) for a in answer]


@guarded
def replay(client: Client, partner: str, delivery_id: str, now: datetime) -> str:
    """Make a dead delivery pending again: ``written``, ``missing``, ``not_dead`` or
    ``superseded`` (a later version of the item reached the partner)."""
    args = [delivery_id, _score(now), encode_time(now)]
    return decode_text(run_script(client, push_scripts.REPLAY, keys.push_keys(partner), args))


@guarded
def trim(client: Client, partner: str, before: datetime, limit: int) -> int:
    """Drop up to ``limit`` final deliveries created before ``before``."""
    args = [_score(before), limit]
    return int(run_script(client, push_scripts.TRIM, keys.push_keys(partner), args))


@guarded
def list_deliveries(client: Client, partner: str, limit: int) -> list[Delivery]:
    """The partner's newest ``limit`` deliveries, newest first."""
    records, _, _, _, log, _ = keys.push_keys(partner)
    ids = cast(list[bytes], client.zrevrange(log, 0, max(0, limit) - 1)) if limit > 0 else []
    if not ids:
        return []
    raw = cast(list[bytes | None], client.hmget(records, ids))
    return [decode_delivery(partner, r) for r in raw if r is not None]


@guarded
def get_delivery(client: Client, partner: str, delivery_id: str) -> Delivery | None:
    raw = cast(bytes | None, client.hget(keys.push_keys(partner)[0], delivery_id))
    return None if raw is None else decode_delivery(partner, raw)


@dataclass(frozen=True, slots=True)
class PartnerQueue:
    """A partner's deliveries by state, and the oldest one overdue (the queue's lag)."""

    states: Mapping[str, int]
    oldest_due: datetime | None


@guarded
def queue_of(client: Client, partner: str, now: datetime) -> PartnerQueue:
    """Counts by state and the oldest delivery due but not yet taken, in one round trip."""
    _, due, _, _, _, count = keys.push_keys(partner)
    pipe = client.pipeline(transaction=False)
    pipe.hgetall(count)
    pipe.zrangebyscore(due, "-inf", now.timestamp(), start=0, num=1, withscores=True)
    raw_counts, oldest = pipe.execute()
    states = {decode_text(k): int(v) for k, v in cast(dict[bytes, bytes], raw_counts).items()}
    first = cast(list[tuple[bytes, float]], oldest)
    return PartnerQueue(states, datetime.fromtimestamp(first[0][1], UTC) if first else None)


@guarded
def recipients(client: Client, partners: Iterable[str], guid: str) -> list[str]:
    """Which of ``partners`` have a delivery of the item ``guid`` (any version, any state):
    a kill of it goes to every one of them."""
    names = list(partners)
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.hexists(keys.push_keys(name)[3], guid)
    return [name for name, found in zip(names, pipe.execute(), strict=True) if found]


@guarded
def forget_partner(client: Client, partner: str) -> None:
    """Delete every push record of a partner (it was revoked)."""
    client.delete(*keys.push_keys(partner))
