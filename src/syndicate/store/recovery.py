"""The Redis half of the recovery sweep after a Redis restart (worker/recovery.py has the
policy): unfinished versions, the broker's messages, and the one claim per server run.

Nothing new is stored about articles: the sweep reads the state hashes ``save_version``
writes (``syn:state:{id}``, found by SCAN) and kombu's own lists and ``unacked`` hash.
Keys are in keys.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

from syndicate.news.states import LanguageState
from syndicate.store import keys
from syndicate.store.articles import LanguageStatus, decode_status
from syndicate.store.client import Client, decode_text, decode_time, guarded

UNFINISHED: Final = frozenset({LanguageState.QUEUED, LanguageState.TRANSLATING})
_SCAN_COUNT: Final = 500


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
def unfinished_versions(client: Client, received_before: float) -> list[Unfinished]:
    """Every article whose latest version, received before ``received_before`` (epoch s),
    has a language still queued or translating: what a crash may have left without a
    message. One SCAN over the state hashes, read a page at a time; the article itself is
    read only for those found."""
    found: list[tuple[str, int, tuple[str, ...]]] = []
    for page in _pages(client, keys.state_key("*")):
        pipe = client.pipeline(transaction=False)
        for key in page:
            pipe.hgetall(key)
            pipe.hmget(keys.article_key(keys.article_id_of_state(key)), "version", "received_at")
        answers = pipe.execute()
        for key, states, (version, received) in zip(page, answers[::2], answers[1::2], strict=True):
            if version is None or received is None:
                continue
            if decode_time(received).timestamp() >= received_before:
                continue
            langs = _unfinished(cast(dict[bytes, bytes], states), int(version))
            if langs:
                found.append((keys.article_id_of_state(key), int(version), langs))
    pipe = client.pipeline(transaction=False)
    for article_id, _, _ in found:
        pipe.hget(keys.article_key(article_id), "article")
    sources = [json.loads(raw)["language"] for raw in pipe.execute()]
    return [Unfinished(a, v, src, langs) for (a, v, langs), src in zip(found, sources, strict=True)]


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


def _pages(client: Client, pattern: str) -> Iterator[list[str]]:
    cursor = 0
    while True:
        cursor, page = client.scan(cursor, match=pattern, count=_SCAN_COUNT)
        if page:
            yield [decode_text(k) for k in page]
        if cursor == 0:
            return


@dataclass(frozen=True, slots=True)
class BrokerMessages:
    """The broker's messages as kombu stores them (its JSON envelope, decoded): ``live``
    ones wait in a queue or were delivered in this server run; ``stale`` ones (by delivery
    tag) were delivered before it began."""

    live: list[dict[str, Any]]
    stale: dict[str, dict[str, Any]]


@guarded
def broker_messages(
    client: Client,
    queues: Sequence[str],
    unacked_key: str,
    unacked_index_key: str,
    delivered_since: float,
) -> BrokerMessages:
    """Every message in ``queues`` (kombu's lists) and in kombu's ``unacked`` hash. One
    delivered before ``delivered_since`` (its ``unacked_index`` score) went to a
    connection a restart closed: no worker will ever acknowledge it, and kombu would
    hand it back only after its visibility timeout (an hour)."""
    pipe = client.pipeline(transaction=False)
    for queue in queues:
        pipe.lrange(queue, 0, -1)
    pipe.hgetall(unacked_key)
    pipe.zrangebyscore(unacked_index_key, "-inf", f"({delivered_since!r}")
    *lists, unacked, old = pipe.execute()
    stale = {decode_text(t) for t in cast(list[bytes], old)}
    live = [json.loads(m) for found in lists for m in cast(list[bytes], found)]
    # kombu keeps a delivered message as [envelope, exchange, routing key]
    delivered = cast(dict[bytes, bytes], unacked)
    held = {decode_text(t): json.loads(raw)[0] for t, raw in delivered.items()}
    live += [envelope for tag, envelope in held.items() if tag not in stale]
    return BrokerMessages(live, {tag: held[tag] for tag in sorted(stale & set(held))})
