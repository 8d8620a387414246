"""Durable accepts (issue 9, item 5): a 202 from ``POST /v1/articles`` survives a kill -9
of redis-server straight after the answer. A burst of 50 accepted POSTs to the real API,
Redis killed at once and restarted on its port and directory, and every article ends
published, in the feeds, with no client replaying anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from lxml import etree
from redis import Redis

from syndicate.api.credentials import SIGNATURE_HEADER, sign
from syndicate.store import feeds as store_feeds
from syndicate.store.articles import get_status
from syndicate.store.client import connect
from syndicate.store.feeds import FeedFormat

from e2e_processes import Processes, service_env, wait_for
from redis_servers import free_port, start_redis_server

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
SECRET, TOKEN = "newsroom-test-secret", "operator-test-token"
BURST = 50
DONE = {"en": "published", "ar": "published"}


def _article(index: int) -> bytes:
    article: dict[str, Any] = json.loads(SAMPLE.read_text("utf-8"))
    article |= {"id": f"durable-{index}", "targets": ["ar"], "media": []}
    return json.dumps(article).encode()


def _post(http: httpx.Client, base: str, body: bytes) -> int:
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, SECRET)}
    return http.post(f"{base}/v1/articles", content=body, headers=headers).status_code


def _healthy(http: httpx.Client, base: str) -> bool:
    try:
        return http.get(f"{base}/healthz").status_code == 200
    except httpx.TransportError:
        return False


def _unfinished(client: Redis, ids: list[str]) -> list[str]:
    """The ids not yet published in every language (unknown ones too: lost)."""
    left = []
    for article_id in ids:
        try:
            states = {lang: str(s.state) for lang, s in get_status(client, article_id)[1].items()}
        except Exception:  # a lost article, or Redis still loading its file
            states = {}
        if states != DONE:
            left.append(article_id)
    return left


def _rss_ids(client: Redis, lang: str) -> set[str]:
    feed = store_feeds.read_feed(client, lang, FeedFormat.RSS)
    if feed is None or not feed.body:
        return set()
    return {(g.text or "").split(":")[-2] for g in etree.fromstring(feed.body).iter("guid")}


def test_a_burst_of_accepted_posts_survives_a_redis_kill(
    partial_models_dir: Path, processes: Processes, tmp_path: Path
) -> None:
    redis = start_redis_server(tmp_path, persistent=True)
    port = free_port()
    env = service_env(redis.url, partial_models_dir, SYNDICATE_NEWSROOM_SECRET=SECRET)
    env |= {"SYNDICATE_OPERATOR_TOKEN": TOKEN, "SYNDICATE_FEED_SIZE": str(2 * BURST)}
    env |= {"SYNDICATE_DEFAULT_TARGETS": "ar"}
    worker = processes.worker(env)
    processes.server(env, port)
    base = f"http://127.0.0.1:{port}"
    ids = [f"durable-{i}" for i in range(BURST)]
    with httpx.Client(timeout=10) as http:
        wait_for(lambda: _healthy(http, base), 60, "the API and a worker to be up")
        answers = [_post(http, base, _article(i)) for i in range(BURST)]
    redis.crash()
    assert answers == [202] * BURST
    restarted = start_redis_server(tmp_path, port=redis.port, persistent=True)
    client = connect(restarted.url)
    workers = [worker]

    def published() -> bool:
        # Celery 5.7 / kombu 5.7 may exit on the lost connection (an AttributeError in
        # kombu's channel close; docs/operations.md, "Durability"): a supervisor restarts it.
        if workers[-1].poll() is not None:
            workers.append(processes.worker(env))
        return not _unfinished(client, ids)

    try:
        wait_for(published, 120, "every article published")
        for lang in ("en", "ar"):
            wait_for(lambda lg=lang: _rss_ids(client, lg) >= set(ids), 30, f"{lang} feed")
    finally:
        client.close()
        restarted.stop()
