"""The heartbeat stays constant work whatever Redis holds (issue 16, item 2): the sweep after
a Redis restart, the hand-back of dead workers' messages and retention run on the upkeep
thread (worker/upkeep.py), reading the work index rather than scanning the keyspace.

A real worker (in-process, solo) on its own non-persistent redis-server loaded with 100,000
finished articles as the store writes them; the heartbeat signal is sent with a real
``Heart`` whose beat starts the first sweep of this server run."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from celery import Celery, signals
from celery.contrib.testing.worker import start_worker
from celery.worker.heartbeat import Heart
from redis import Redis

from syndicate.config import load_settings
from syndicate.feeds.edition import BODIES
from syndicate.news.article import parse_article
from syndicate.news.article_json import article_to_dict
from syndicate.news.states import LanguageState
from syndicate.store import articles, keys
from syndicate.store.client import connect
from syndicate.worker.app import create_app
from syndicate.worker.submit import submit

from e2e_processes import wait_for
from redis_servers import start_redis_server

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
FINISHED = 100_000
CHUNK = 10_000
TICK_SECONDS = 1.0  # the orphan window is 20 s; a beat must never come near it

# Writes ``n`` finished articles the way the store keeps them (article, states, languages,
# items in two feeds, the finished index), in one script: 100,000 POSTs would take minutes.
_LOAD = """
local first, n = tonumber(ARGV[15]), tonumber(ARGV[1])
for i = first, first + n - 1 do
  local id = 'finished-' .. i
  local article = string.gsub(ARGV[10], '@ID@', id)
  local item = '{"first_created":"' .. ARGV[13] .. '","version_created":"' .. ARGV[13]
               .. '","article":' .. article .. '}'
  redis.call('HSET', ARGV[2] .. id, 'version', 1, 'article', article,
             'first_created', ARGV[13], 'received_at', ARGV[13], 'dispatched', 1)
  redis.call('HSET', ARGV[3] .. id, 'en', ARGV[11], 'ar', ARGV[12])
  redis.call('SADD', ARGV[4] .. id, 'en', 'ar')
  redis.call('ZADD', ARGV[5], ARGV[14], id)
  for _, k in ipairs({6, 7}) do redis.call('HSET', ARGV[k], id, item) end
  for _, k in ipairs({8, 9}) do redis.call('ZADD', ARGV[k], ARGV[14], id) end
end
return n
"""


def _load_finished(client: Redis, n: int) -> None:
    sample = parse_article(json.loads(SAMPLE.read_text("utf-8")))
    small = replace(sample, id="@ID@", body_html=None, credits=(), media=(), targets=("ar",))
    template = json.dumps(article_to_dict(small), separators=(",", ":"))
    at = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    done = [articles.status_json(1, LanguageState.PUBLISHED, at, None)] * 2
    prefixes = [keys.article_key(""), keys.state_key(""), keys.langs_key("")]
    feed = [keys.items_key("en"), keys.items_key("ar"), keys.live_key("en"), keys.live_key("ar")]
    args = [CHUNK, *prefixes, keys.finished_key(), *feed, template, *done, at.isoformat()]
    for first in range(1, n + 1, CHUNK):  # a script each: a reply within the read timeout
        assert client.eval(_LOAD, 0, *args, repr(time.time()), first) == CHUNK
    for lang in ("en", "ar"):  # rendered: nothing for a starting worker to render
        for body in BODIES:
            client.hset(keys.feed_key(lang, body), mapping={"body": b"<x/>", "generation": 1})
    client.set(keys.indexed_key(), 1)  # the index is whole, as the store keeps it


@pytest.fixture
def crowded(tmp_path: Path) -> Iterator[Redis]:
    """A redis-server of its own (no append-only file) holding 100,000 finished articles."""
    server = start_redis_server(tmp_path, persistent=False)
    client = connect(server.url)
    try:
        _load_finished(client, FINISHED)
        yield client
    finally:
        client.close()
        server.stop()


@pytest.fixture
def app(crowded: Redis) -> Iterator[Celery]:
    """A worker on that Redis, reading a queue nothing is sent to (the test holds the
    messages itself); it beats only when the test sends its heartbeat."""
    url = f"redis://127.0.0.1:{crowded.connection_pool.connection_kwargs['port']}/0"
    env = {"SYNDICATE_CONFIG": "/nonexistent.toml", "SYNDICATE_REDIS_URL": url}
    celery_app = create_app(load_settings(env | {"SYNDICATE_DEFAULT_TARGETS": "ar"}))
    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues="idle"):
        yield celery_app
    celery_app.close()


def test_a_heartbeat_stays_short_with_100k_finished_articles_and_hands_nothing_back(
    app: Celery, crowded: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="syndicate.worker")
    article = replace(parse_article(json.loads(SAMPLE.read_text("utf-8"))), id="live")
    submit(crowded, app, article, ("ar",), datetime.now(UTC))
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        held = connection.SimpleQueue("syndicate").get(timeout=5)  # a worker holds it now
        heart = Heart(None, app.events.Dispatcher(connection, "celery@tick", enabled=False))
        ticks = []
        for _ in range(3):  # the first starts this server run's sweep
            started = time.perf_counter()
            signals.heartbeat_sent.send(sender=heart)
            ticks.append(time.perf_counter() - started)
        assert max(ticks) < TICK_SECONDS, ticks
        swept = lambda: any("recovery sweep" in r.getMessage() for r in caplog.records)  # noqa: E731
        wait_for(swept, 60, "the sweep on the upkeep thread")
        assert crowded.hexists(channel.unacked_key, held.delivery_tag)  # not handed back
        assert crowded.llen("syndicate") == 0  # no ingest sent again
    assert crowded.zcard(keys.finished_key()) == FINISHED + 0  # none pruned: all recent
