"""The Redis half of the recovery sweep after a Redis restart (worker/recovery.py has the
policy): unfinished versions, the broker's messages, and the one claim per server run.

Every read is bounded: unfinished versions come from the work index the Lua scripts keep
(``syn:unfinished``, scripts.INDEX), read a page at a time with ZSCAN, so the sweep's cost
follows the work in flight, not the articles stored; the broker's lists and kombu's
``unacked`` hash are read ``PAGE`` entries a command (LRANGE, HSCAN). The only keyspace
scan left is ``index_absent``: once per store, for the articles stored before the index
existed. Keys are in keys.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar, cast

from syndicate.news.states import LanguageState
from syndicate.store import keys, scripts
from syndicate.store.articles import LanguageStatus, decode_status
from syndicate.store.client import Client, decode_text, decode_time, guarded, run_script

UNFINISHED: Final = frozenset({LanguageState.QUEUED, LanguageState.TRANSLATING})
PAGE: Final = 500  # entries one command of the sweep reads at most
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Unfinished:
    """The latest version of an article, in source language ``source``, with languages
    still queued or translating."""

    article_id: str
    version: int
    source: str
    languages: tuple[str, ...]


@guarded
def claim_sweep(client: Client, run_id: str, ttl_seconds: int) -> bool:
    """True for the first worker to sweep after the server run ``run_id`` began."""
    return bool(client.set(keys.recovery_key(run_id), 1, nx=True, ex=ttl_seconds))


@guarded
def release_sweep(client: Client, run_id: str) -> None:
    """Give the claim back (a sweep that failed half-way): the next worker sweeps."""
    client.delete(keys.recovery_key(run_id))


@guarded
def unfinished_ids(client: Client, before: float) -> list[str]:
    """The articles whose latest version got a language queued before ``before`` (epoch
    s) and still has one queued or translating, from the work index, a page at a time."""
    found = client.zscan_iter(keys.unfinished_key(), count=PAGE)
    return [
        decode_text(m) for m, score in cast(Iterator[tuple[bytes, float]], found) if score < before
    ]


@guarded
def unfinished_versions(client: Client, article_ids: Sequence[str]) -> list[Unfinished]:
    """What ``article_ids``' latest versions still have queued or translating, read now
    (``PAGE`` articles a round trip); those finished meanwhile are left out."""
    found: list[Unfinished] = []
    for start in range(0, len(article_ids), PAGE):
        found += _unfinished_page(client, article_ids[start : start + PAGE])
    return found


def _unfinished_page(client: Client, article_ids: Sequence[str]) -> list[Unfinished]:
    pipe = client.pipeline(transaction=False)
    for article_id in article_ids:
        pipe.hgetall(keys.state_key(article_id))
        pipe.hmget(keys.article_key(article_id), "version", "article")
    answers = pipe.execute()
    found = []
    for article_id, states, (version, article) in zip(
        article_ids, answers[::2], answers[1::2], strict=True
    ):
        if version is None or article is None:
            continue
        langs = _unfinished(cast(dict[bytes, bytes], states), int(version))
        if langs:
            source = str(json.loads(article)["language"])
            found.append(Unfinished(article_id, int(version), source, langs))
    return found


def _unfinished(states: dict[bytes, bytes], version: int) -> tuple[str, ...]:
    statuses: dict[str, LanguageStatus] = {
        decode_text(k): decode_status(v) for k, v in states.items()
    }
    return tuple(
        sorted(
            lang
            for lang, st in statuses.items()
            if st.version == version and st.state in UNFINISHED
        )
    )


@guarded
def index_absent(client: Client) -> int:
    """Put the articles stored before the work index existed into it, once per store (then
    ``syn:indexed`` is set and this returns at once): one SCAN over the state hashes, a
    page at a time, each page indexed by one script that leaves alone whatever a state
    change indexed meanwhile. Their retention counts from when their latest version was
    received. Returns the articles looked at."""
    if client.exists(keys.indexed_key()):
        return 0
    seen = 0
    for page in _pages(client, keys.state_key("*")):
        ids = [keys.article_id_of_state(key) for key in page]
        pipe = client.pipeline(transaction=False)
        for article_id in ids:
            pipe.hget(keys.article_key(article_id), "received_at")
        received = pipe.execute()
        known = [(a, decode_time(r).timestamp()) for a, r in zip(ids, received, strict=True) if r]
        keys_of = [k for a, _ in known for k in (keys.article_key(a), keys.state_key(a))]
        args = [v for a, at in known for v in (a, repr(at))]
        run_script(client, scripts.INDEX_ABSENT, [*keys.work_index_keys(), *keys_of], args)
        seen += len(ids)
    client.set(keys.indexed_key(), 1)
    return seen


def _pages(client: Client, pattern: str) -> Iterator[list[str]]:
    cursor = 0
    while True:
        cursor, page = client.scan(cursor, match=pattern, count=PAGE)
        if page:
            yield [decode_text(k) for k in page]
        if cursor == 0:
            return


@dataclass(frozen=True, slots=True)
class BrokerMessages(Generic[T]):
    """What the caller kept of the broker's messages (``read`` of kombu's JSON envelope):
    ``live`` ones wait in a queue or were delivered in this server run; ``stale`` ones (by
    delivery tag) were delivered before it began."""

    live: list[T]
    stale: dict[str, T | None]


@guarded
def broker_messages(
    client: Client,
    queues: Sequence[str],
    unacked: tuple[str, str],
    delivered_since: float,
    read: Callable[[dict[str, Any]], T | None],
) -> BrokerMessages[T]:
    """Every message in ``queues`` (kombu's lists) and in kombu's ``unacked`` hash (its
    ``unacked`` and ``unacked_index`` keys), as ``read`` keeps it (None: skipped), read a
    page at a time. The hash is read before and after the lists: a message a worker takes
    from a list meanwhile is found in it. One delivered before ``delivered_since`` (its
    index score) went to a connection a restart closed: no worker will ever acknowledge
    it, and kombu would hand it back only after its visibility timeout (an hour)."""
    held = _delivered(client, unacked[0], read)
    waiting = [kept for queue in queues for kept in _queued(client, queue, read)]
    held |= _delivered(client, unacked[0], read)
    scores = cast(Iterator[tuple[bytes, float]], client.zscan_iter(unacked[1], count=PAGE))
    stale = {decode_text(tag) for tag, score in scores if score < delivered_since}
    live = [*waiting, *(v for tag, v in held.items() if tag not in stale and v is not None)]
    return BrokerMessages(live, {tag: held[tag] for tag in sorted(stale & set(held))})


def _queued(client: Client, queue: str, read: Callable[[dict[str, Any]], T | None]) -> Iterable[T]:
    """A list from its head, where kombu pushes: a message pushed meanwhile shifts the
    rest (read twice, never missed); one taken from the tail shows in ``unacked``."""
    start = 0
    while True:
        page = cast(list[bytes], client.lrange(queue, start, start + PAGE - 1))
        yield from (kept for raw in page if (kept := read(json.loads(raw))) is not None)
        if len(page) < PAGE:
            return
        start += PAGE


def _delivered(
    client: Client, key: str, read: Callable[[dict[str, Any]], T | None]
) -> dict[str, T | None]:
    """Kombu's ``unacked`` hash (tag -> [envelope, exchange, routing key]), by HSCAN."""
    found = cast(Iterator[tuple[bytes, bytes]], client.hscan_iter(key, count=PAGE))
    return {decode_text(tag): read(json.loads(raw)[0]) for tag, raw in found}
