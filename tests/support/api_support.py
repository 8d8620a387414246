"""Shared by the API tests: a config for the test Redis, articles, signed posts, content
published by calling the pipeline steps directly (no worker), and partners."""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning

from syndicate.api.app import create_app
from syndicate.api.credentials import (
    SIGNATURE_HEADER,
    key_digest,
    sign_status_read,
    sign_timestamped,
)
from syndicate.clock import Clock, system_now
from syndicate.config import Settings, load_settings
from syndicate.feeds.edition import FeedSite, make_provider
from syndicate.models.engine import Engine
from syndicate.news.article import parse_article
from syndicate.store import partners
from syndicate.store.partners import Partner
from syndicate.translation.glossary import parse_glossary
from syndicate.worker import intake, items, rendering, translating
from syndicate.worker.app import create_app as create_celery_app
from syndicate.worker.routing import DEFAULT_QUEUE

with warnings.catch_warnings():  # Starlette 1.10 prefers httpx2; httpx is what we have
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

SECRET = "newsroom-test-secret"
TOKEN = "operator-test-token"
WIRE_KEY = "syn_wire-partner-key"  # en and ar, rss and newsml
ALL_KEY = "syn_every-language-key"  # "*" and "*"
BASE = "http://api.test"


def api_settings(url: str, **changes: Any) -> Settings:
    """The API's settings for a test Redis: the defaults, without the project's file."""
    values: dict[str, Any] = {
        "redis_url": url,
        "newsroom_secret": SECRET,
        "operator_token": TOKEN,
        "default_targets": ("ar", "tr"),
        "public_base_url": BASE,
        "provider_name": "Test News",
        "provider_domain": "news.test",
        **changes,
    }
    return replace(load_settings({"SYNDICATE_CONFIG": "/nonexistent.toml"}), **values)


def api_app(settings: Settings, clock: Clock = system_now) -> Starlette:
    """The ASGI app on ``settings``, enqueueing through its own Celery app."""
    return create_app(settings, create_celery_app(settings), clock)


def signed(body: bytes, at: int | None = None, secret: str = SECRET) -> dict[str, str]:
    """X-Syndicate-Signature in the timestamped form, at ``at`` (default: now)."""
    stamp = int(time.time()) if at is None else at
    return {SIGNATURE_HEADER: sign_timestamped(body, secret, stamp)}


def status_signed(article_id: str, at: int | None = None) -> dict[str, str]:
    """X-Syndicate-Signature of a status read of ``article_id`` at ``at`` (default: now)."""
    stamp = int(time.time()) if at is None else at
    return {SIGNATURE_HEADER: sign_status_read(article_id, SECRET, stamp)}


def article_data(**changes: Any) -> dict[str, Any]:
    return {
        "id": "api-erbil-1",
        "version": 1,
        "language": "en",
        "published_at": "2026-05-01T10:00:00Z",
        "headline": "Floods hit Erbil",
        "summary": "Heavy rain flooded roads in the city.",
        "body_html": "<p>Heavy rain flooded roads in the city on Monday.</p>",
        "targets": ["ar"],
        **changes,
    }


def post(
    api: TestClient, payload: dict[str, Any] | bytes, headers: Mapping[str, str] | None = None
) -> Any:
    """POST the article signed in the timestamped form (``headers`` may replace it)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    sent = {"Content-Type": "application/json", **signed(body)}
    return api.post("/v1/articles", content=body, headers={**sent, **(headers or {})})


def queued_messages(redis: Redis) -> int:
    return int(redis.llen(DEFAULT_QUEUE))


def feed_site() -> FeedSite:
    provider = make_provider("Test News", "news.test", "", BASE)
    return FeedSite(provider, BASE, ttl=5, size=50)


def publish_article(
    redis: Redis, data: dict[str, Any], engine: Engine | None = None, lang: str = "ar"
) -> None:
    """Accept, publish the source, translate ``lang`` when given an engine, render feeds."""
    article, now = parse_article(data), datetime.now(UTC)
    intake.accept(redis, article, ["ar"], now)
    items.publish_source(redis, article.id, article.version, now, site=feed_site())
    rendering.render_language(redis, article.language, feed_site(), now)
    if engine is not None:
        ids = (article.id, article.version, lang)
        translating.translate_language(
            redis, engine, parse_glossary({}), ids, now, site=feed_site()
        )
        rendering.render_language(redis, lang, feed_site(), now)


def add_partners(redis: Redis) -> None:
    now = datetime.now(UTC)
    wire = Partner("wire", key_digest(WIRE_KEY), ("en", "ar"), ("rss", "newsml"), now)
    every = Partner("every", key_digest(ALL_KEY), ("*",), ("*",), now)
    assert partners.add_partner(redis, wire) and partners.add_partner(redis, every)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def nothing_stored(redis: Redis) -> bool:
    return not redis.keys("syn:*") and queued_messages(redis) == 0
