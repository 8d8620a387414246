"""Operational records in Redis: whether a version was dispatched, worker heartbeats,
metrics, queue depths.

The keys, Celery's queues and bindings too, are in keys.py. Metrics live in Redis, not in process
memory, because they are written by every worker child and read by every API process:
``/metrics`` shows the whole system, whichever process answers.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, cast

from syndicate.news.states import LanguageState
from syndicate.store import keys
from syndicate.store.client import Client, decode_text, guarded

FAILURES_KEPT: Final = 100  # the newest failures `syndicate status` can show


def _series(name: str, labels: Mapping[str, str]) -> str:
    """A Prometheus series name, the field of ``syn:metrics`` that holds its value."""
    if not labels:
        return name
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


@guarded
def is_dispatched(client: Client, article_id: str, version: int) -> bool:
    """False when a version was stored but its ingest task never reached the broker (the
    process died or Redis went away in between): a replay of the request dispatches it."""
    raw = cast(bytes | None, client.hget(keys.article_key(article_id), "dispatched"))
    return raw is not None and int(raw) >= version


@guarded
def note_worker(client: Client, hostname: str, now: datetime, queues: Collection[str] = ()) -> None:
    """A worker's heartbeat, for /healthz, with the queues it consumes (``broker_queues``),
    in one round trip: noted at every beat, so the list comes back after a Redis that lost
    its data."""
    pipe = client.pipeline(transaction=True)
    pipe.zadd(keys.workers_key(), {hostname: now.timestamp()})
    if queues:
        pipe.sadd(keys.queues_key(), *queues)
    pipe.execute()


@guarded
def seen_workers(client: Client, since: datetime) -> list[str]:
    """Workers whose last heartbeat is at or after ``since``."""
    names = cast(list[bytes], client.zrangebyscore(keys.workers_key(), since.timestamp(), "+inf"))
    return sorted(n.decode() for n in names)


Increments = list[tuple[str, float]]  # series of the metrics hash, amount to add


def counter_increments(name: str, labels: Mapping[str, str], amount: float = 1.0) -> Increments:
    """What ``count`` adds, for a script that counts in the same step as its write."""
    return [(_series(name, labels), amount)]


def histogram_increments(
    name: str, labels: Mapping[str, str], value: float, buckets: Sequence[float]
) -> Increments:
    """What one observation adds to a histogram (Prometheus layout: cumulative buckets,
    ``_sum`` and ``_count``). Every bucket is written, the ones below ``value`` with 0, so
    a scrape shows the whole histogram from the first observation."""
    out: Increments = []
    for bound in [*buckets, float("inf")]:
        le = "+Inf" if bound == float("inf") else repr(float(bound))
        out.append((_series(f"{name}_bucket", {**labels, "le": le}), 1 if value <= bound else 0))
    out.append((_series(f"{name}_sum", labels), value))
    out.append((_series(f"{name}_count", labels), 1))
    return out


@guarded
def count(client: Client, name: str, labels: Mapping[str, str], amount: float = 1.0) -> None:
    """Add ``amount`` to a counter series."""
    client.hincrbyfloat(keys.metrics_key(), _series(name, labels), amount)


@guarded
def observe(
    client: Client,
    name: str,
    labels: Mapping[str, str],
    value: float,
    buckets: Sequence[float],
) -> None:
    """Record one observation of a histogram in one round trip (``histogram_increments``)."""
    pipe = client.pipeline(transaction=True)
    for series, amount in histogram_increments(name, labels, value, buckets):
        pipe.hincrbyfloat(keys.metrics_key(), series, amount)
    pipe.execute()


@guarded
def read_metrics(client: Client) -> dict[str, float]:
    """Every series written by ``count`` and ``observe``: series name -> value."""
    raw = cast(dict[bytes, bytes], client.hgetall(keys.metrics_key()))
    return {k.decode(): float(v) for k, v in raw.items()}


@guarded
def queue_depths(client: Client, queues: Iterable[str]) -> dict[str, int]:
    """Messages waiting in each broker queue (Celery's Redis transport: one list per
    queue, named as the queue)."""
    names = list(queues)
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.llen(name)
    return dict(zip(names, (int(n) for n in pipe.execute()), strict=True))


@guarded
def broker_queues(client: Client) -> list[str]:
    """The work queues some worker consumes, as their heartbeats noted them (``note_worker``):
    one SMEMBERS, whatever else the database holds. Kombu's ``_kombu.binding.*`` sets would
    name them too, but only a SCAN of the whole keyspace finds those, and ``/metrics`` read
    them at every scrape (issue 16)."""
    return sorted(decode_text(q) for q in cast(set[bytes], client.smembers(keys.queues_key())))


@guarded
def claim_rerender(client: Client, lang: str, at: datetime, ttl_seconds: int) -> bool:
    """True for the first caller to schedule ``lang``'s re-render at ``at`` (an embargo
    ending): every publish in a language sees the same embargo, one render suffices."""
    key = keys.rerender_key(lang, int(at.timestamp()))
    return bool(client.set(key, 1, nx=True, ex=max(1, ttl_seconds)))


@dataclass(frozen=True, slots=True)
class Failure:
    """A language that ended ``failed`` or ``no_model``, as ``syndicate status`` lists it."""

    article_id: str
    version: int
    lang: str
    state: LanguageState
    reason: str | None
    at: datetime


@guarded
def note_failure(
    client: Client,
    article_id: str,
    version: int,
    lang: str,
    state: LanguageState,
    reason: str | None,
    now: datetime,
) -> None:
    """Remember a failed or no_model language among the newest ``FAILURES_KEPT``: the
    states hold only the latest version per article, operators want the recent history."""
    record = {"id": article_id, "version": version, "lang": lang, "state": str(state)}
    member = json.dumps({**record, "reason": reason}, ensure_ascii=False, sort_keys=True)
    pipe = client.pipeline(transaction=True)
    pipe.zadd(keys.failures_key(), {member: now.timestamp()})
    pipe.zremrangebyrank(keys.failures_key(), 0, -FAILURES_KEPT - 1)
    pipe.execute()


@guarded
def recent_failures(client: Client, limit: int) -> list[Failure]:
    """The newest ``limit`` failures, newest first."""
    if limit <= 0:
        return []
    raw = cast(
        list[tuple[bytes, float]],
        client.zrevrange(keys.failures_key(), 0, limit - 1, withscores=True),
    )
    return [_failure(member, score) for member, score in raw]


def _failure(member: bytes, score: float) -> Failure:
    d = json.loads(member)
    at = datetime.fromtimestamp(score, UTC)
    return Failure(d["id"], d["version"], d["lang"], LanguageState(d["state"]), d["reason"], at)
