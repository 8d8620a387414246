"""Real Celery workers (subprocesses) on a real redis-server: nothing accepted is lost or
published twice when a worker is killed with SIGKILL mid-translation or Redis goes away."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from lxml import etree
from redis import Redis

from syndicate.config import load_settings
from syndicate.news.article import Article, parse_article
from syndicate.news.states import LanguageState
from syndicate.store import articles as store
from syndicate.store import feeds as store_feeds
from syndicate.store.client import connect
from syndicate.store.feeds import FeedFormat
from syndicate.worker.app import create_app
from syndicate.worker.submit import submit

from e2e_processes import Processes, becomes_idle, service_env, wait_for
from redis_servers import RedisServer, free_port, start_redis_server

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
TARGETS = ("ar", "tr", "ckb", "kmr")
EXPECTED = {"en": "published", "ar": "published", "tr": "published"}
EXPECTED |= {"ckb": "no_model", "kmr": "no_model"}


def long_article(index: int, paragraphs: int = 300) -> Article:
    """An article long enough (distinct sentences: no memory hits) to be caught mid-way."""
    base = parse_article(json.loads(SAMPLE.read_text("utf-8")))
    body = "".join(
        f"<p>Officials in district {index * 1000 + n} said the road would reopen on day {n}.</p>"
        for n in range(paragraphs)
    )
    return replace(base, id=f"e2e-long-{index}", body_html=body, media=())


def enqueue(client: Redis, broker_url: str, article: Article) -> None:
    celery_app = create_app(load_settings({"SYNDICATE_REDIS_URL": broker_url}))
    submit(client, celery_app, article, TARGETS, datetime.now(UTC))
    celery_app.close()


def states(client: Redis, article_id: str) -> dict[str, str]:
    return {lang: str(s.state) for lang, s in store.get_status(client, article_id)[1].items()}


def feed_guids(client: Redis, lang: str) -> list[str]:
    feed = store_feeds.read_feed(client, lang, FeedFormat.RSS)
    return [] if feed is None else [g.text or "" for g in etree.fromstring(feed.body).iter("guid")]


def newsml_guids(client: Redis, lang: str) -> list[str]:
    feed = store_feeds.read_feed(client, lang, FeedFormat.NEWSML)
    if feed is None or not feed.body:
        return []
    ns = "{http://iptc.org/std/nar/2006-10-01/}"
    return [el.get("guid", "") for el in etree.fromstring(feed.body).iter(f"{ns}newsItem")]


def translating(client: Redis, article_id: str) -> str | None:
    found = [lang for lang, s in states(client, article_id).items() if s == "translating"]
    return found[0] if found else None


def _any_translating(client: Redis, articles: list[Article]) -> bool:
    return any(translating(client, a.id) for a in articles)


def assert_published_once(client: Redis, ids: list[str]) -> None:
    for article_id in ids:
        wait_for(lambda a=article_id: states(client, a) == EXPECTED, 300, f"{article_id} done")
    for lang in ("en", "ar", "tr"):
        expected = sorted(f"urn:newsml:example.org:20261120:{i}:{lang}" for i in ids)
        wait_for(lambda lg=lang, e=expected: sorted(feed_guids(client, lg)) == e, 30, lang)
        assert sorted(newsml_guids(client, lang)) == expected


@pytest.fixture
def outage_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A server with an append-only file, so stopping and starting it keeps its data."""
    server = start_redis_server(tmp_path, persistent=True)
    yield server
    if server.process.poll() is None:
        server.stop()


def test_worker_killed_mid_translation_loses_and_duplicates_nothing(
    throwaway_redis_server: RedisServer, partial_models_dir: Path, processes: Processes
) -> None:
    url = throwaway_redis_server.url
    client = connect(url)
    env = service_env(url, partial_models_dir)  # visibility timeout: the default hour
    first = processes.worker(env)
    article = long_article(1)
    enqueue(client, url, article)
    lang = wait_for(lambda: translating(client, article.id), 60, "a translation to start")
    assert store.get_item(client, article.id, lang) is None  # caught in the middle
    Processes.kill(first)
    assert states(client, article.id)[lang] == str(LanguageState.TRANSLATING)
    processes.worker(env)
    assert_published_once(client, [article.id])
    assert len(client.hkeys(f"syn:items:{lang}")) == 1
    client.close()


def _api_answers(base: str, path: str) -> httpx.Response | None:
    try:
        return httpx.get(f"{base}{path}?key=syn_any", timeout=10)
    except httpx.TransportError:
        return None


def test_redis_outage_mid_run_retries_and_finishes(
    outage_redis: RedisServer, partial_models_dir: Path, processes: Processes, tmp_path: Path
) -> None:
    url, port = outage_redis.url, free_port()
    client = connect(url)
    worker = processes.worker(service_env(url, partial_models_dir))
    processes.server(service_env(url, partial_models_dir), port)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _api_answers(base, "/healthz"), 60, "the API to answer")
    articles = [long_article(i, paragraphs=150) for i in range(2, 5)]
    for article in articles:
        enqueue(client, url, article)
    # Stop Redis while a translation is in flight, once a first one has gone all the way.
    wait_for(lambda: "published" in states(client, articles[0].id).values(), 180, "one done")
    wait_for(lambda: _any_translating(client, articles[1:]), 120, "the next translation")
    outage_redis.stop()
    for path in ("/healthz", "/v1/feeds/ar.rss", "/v1/items/e2e-long-2/ar.xml"):
        answer = _api_answers(base, path)
        assert answer is not None and answer.status_code == 503, path
        assert answer.headers["content-type"].startswith("application/json"), path
    # Redis stays down until the worker has stopped computing: the translation in flight
    # has finished with the model and met the outage at its store write. Measured in the
    # worker's CPU time, so a busy machine only makes the outage longer.
    wait_for(becomes_idle(worker.pid), 300, "the worker to block on the outage")
    restarted = start_redis_server(tmp_path, port=outage_redis.port, persistent=True)
    try:
        assert_published_once(client, [a.id for a in articles])
        assert "retry: Retry in" in processes.log_of(worker)  # StoreUnavailable was retried
    finally:
        client.close()
        restarted.stop()
