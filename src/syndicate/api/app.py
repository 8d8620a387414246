"""The HTTP API (brief section 3; issue 4, item 3): a routes list and small handlers.

Each handler authenticates, parses, calls the pipeline or the store (blocking calls in the
thread pool) and answers; a feed poll is one store read of bytes rendered at publish time.
This module alone maps errors to status codes (style guide 7): every error is JSON
(``{"error": ...}``, 422 ``{"errors": [...]}``), Redis away is 503 with Retry-After, and
nothing about a refused request is stored. The mechanics (bounded body, ETag, 304, gzip,
access log) are in api_http.py, credentials in api_auth.py, the document in api_openapi.py.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, cast

from kombu.exceptions import OperationalError
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from syndicate.api import auth as api_auth
from syndicate.api.http import (
    AccessLog,
    Representation,
    conditional_response,
    is_json_media_type,
    read_limited,
    strong_etag,
)
from syndicate.api.metrics import INGESTED, render_metrics
from syndicate.api.openapi import openapi_document
from syndicate.config import Settings
from syndicate.errors import (
    ArticleInvalid,
    Embargoed,
    NoSuchArticle,
    PayloadTooLarge,
    StaleVersion,
    StoreUnavailable,
)
from syndicate.feeds.edition import make_provider
from syndicate.feeds.newsml import render_news_item
from syndicate.feeds.ninjs import render_ninjs_item
from syndicate.feeds.record import Provider, derive_publication
from syndicate.logs import bind
from syndicate.news.article import MAX_PAYLOAD_BYTES, Article, parse_article
from syndicate.news.languages import is_language_tag
from syndicate.news.payload import decode_json
from syndicate.news.states import Outcome
from syndicate.store import articles, feeds, ops
from syndicate.store.articles import Item, LanguageStatus
from syndicate.store.client import Client, RedisError, connect, is_reachable
from syndicate.store.feeds import FeedFormat
from syndicate.store.partners import Partner
from syndicate.worker import pipeline, tasks
from syndicate.worker.app import DEFAULT_QUEUE, translate_queue

Endpoint = Callable[[Request], Awaitable[Response]]
_MEDIA: Final = {
    FeedFormat.RSS: "application/rss+xml; charset=utf-8",
    FeedFormat.NEWSML: "application/xml; charset=utf-8",
    FeedFormat.NINJS: "application/json",
}
_BEARER: Final = {"WWW-Authenticate": "Bearer"}
_SIGNED: Final = {"WWW-Authenticate": 'Signature header="X-Syndicate-Signature"'}


@dataclass(frozen=True, slots=True)
class ApiConfig:
    """The settings the API needs (style guide 9); tests build one for their Redis."""

    redis_url: str
    source_language: str = "en"
    default_targets: tuple[str, ...] = ("ar", "tr", "ckb", "kmr")
    newsroom_secret: str | None = None
    operator_token: str | None = None
    feed_ttl: int = 5  # minutes: Cache-Control max-age of feeds and items
    public_base_url: str = "http://127.0.0.1:8000"
    provider_name: str = ""
    provider_domain: str = ""
    provider_uri: str = ""
    worker_window: int = 30  # seconds a worker heartbeat counts for /healthz
    retry_after: int = 5  # seconds, on 503


def config_from(s: Settings) -> ApiConfig:
    return ApiConfig(
        redis_url=s.redis_url,
        source_language=s.source_language,
        default_targets=s.default_targets,
        newsroom_secret=s.newsroom_secret,
        operator_token=s.operator_token,
        feed_ttl=s.feed_ttl,
        public_base_url=s.public_base_url,
        provider_name=s.provider_name,
        provider_domain=s.provider_domain,
        provider_uri=s.provider_uri,
    )


@dataclass(frozen=True, slots=True)
class _Context:
    config: ApiConfig
    client: Client
    provider: Provider  # the same one the workers build (celery_app.runtime)
    queues: tuple[str, ...]  # always shown in /metrics, even before Celery declares them


class _Refused(Exception):
    """An answer other than success, raised by a handler and rendered as JSON."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, dict(headers or {})


def _ctx(request: Request) -> _Context:
    return cast(_Context, request.app.state.ctx)


def _now() -> datetime:
    return datetime.now(UTC)


def _require_signature(config: ApiConfig, headers: Headers, body: bytes) -> None:
    if not config.newsroom_secret:
        message = "the server has no newsroom secret configured (SYNDICATE_NEWSROOM_SECRET)"
        raise _Refused(401, message, _SIGNED)
    if not api_auth.is_newsroom(headers, body, config.newsroom_secret):
        raise _Refused(401, "missing or bad X-Syndicate-Signature", _SIGNED)


def _decoded(body: bytes) -> Any:
    try:
        return decode_json(body, MAX_PAYLOAD_BYTES)
    except ArticleInvalid as exc:
        raise _Refused(400, f"body {exc.errors[0].message}") from None


def _accept(ctx: _Context, article: Article, now: datetime) -> pipeline.Accepted:
    """Store, count, then enqueue; a replay of a version stored but never enqueued (the
    process died, the broker was away) is enqueued now: nothing accepted is lost."""
    accepted = pipeline.accept(ctx.client, article, ctx.config.default_targets, now)
    if accepted.outcome is Outcome.WRITTEN:
        ops.count(ctx.client, INGESTED, {})
    elif ops.is_dispatched(ctx.client, accepted.article_id, accepted.version):
        return accepted
    tasks.dispatch(ctx.client, accepted)
    return accepted


async def post_article(request: Request) -> Response:
    """415, 413 (while reading), 401, 400, 422, then 202 new / 200 replay / 409 stale."""
    ctx = _ctx(request)
    if not is_json_media_type(request.headers.get("content-type")):
        raise _Refused(415, "Content-Type must be application/json")
    body = await read_limited(request, MAX_PAYLOAD_BYTES)
    _require_signature(ctx.config, request.headers, body)
    article = parse_article(_decoded(body))
    bind(article_id=article.id, version=article.version)
    accepted = await run_in_threadpool(_accept, ctx, article, _now())
    written = accepted.outcome is Outcome.WRITTEN
    answer = {"id": accepted.article_id, "version": accepted.version}
    answer |= {"status": "queued" if written else "known", "targets": list(accepted.targets)}
    return JSONResponse(answer, status_code=202 if written else 200)


def _state(status: LanguageStatus) -> dict[str, Any]:
    at = status.at.isoformat()
    return {
        "state": str(status.state),
        "version": status.version,
        "at": at,
        "reason": status.reason,
    }


def _status_body(item: Item, states: Mapping[str, LanguageStatus]) -> dict[str, Any]:
    a = item.article
    languages = {lang: _state(status) for lang, status in states.items()}
    return {
        "id": a.id,
        "version": a.version,
        "status": str(a.status),
        "language": a.language,
        "languages": languages,
    }


async def get_article(request: Request) -> Response:
    """The latest version and per-language states: newsroom signature over the empty body,
    or the operator token."""
    ctx, headers = _ctx(request), request.headers
    if not (
        api_auth.is_newsroom(headers, b"", ctx.config.newsroom_secret)
        or api_auth.is_operator(headers, ctx.config.operator_token)
    ):
        raise _Refused(401, "sign the empty body or send the operator bearer token", _BEARER)
    found = await run_in_threadpool(articles.get_status, ctx.client, request.path_params["id"])
    return JSONResponse(_status_body(*found))


async def _partner(request: Request, ctx: _Context) -> Partner:
    key = api_auth.partner_key(request.headers, request.query_params)
    found = None if key is None else await run_in_threadpool(api_auth.find_partner, ctx.client, key)
    if found is None:
        message = "a valid partner key is required (Authorization: Bearer <key> or ?key=)"
        raise _Refused(401, message, _BEARER)
    return found


def _language(request: Request, config: ApiConfig) -> tuple[str, bool]:
    """The requested language and whether it is configured (else known only by its feed)."""
    lang = str(request.path_params["lang"])
    if not is_language_tag(lang):
        raise _Refused(404, f"unknown language {lang!r}")
    configured = {config.source_language, *config.default_targets}
    return lang, lang.lower() in {code.lower() for code in configured}


def _require_entitled(partner: Partner, lang: str, fmt: FeedFormat) -> None:
    if not api_auth.is_entitled(partner, lang, str(fmt)):
        raise _Refused(403, f"partner {partner.name!r} is not entitled to {lang} in {fmt}")


def _feed_endpoint(fmt: FeedFormat) -> Endpoint:
    async def get_feed(request: Request) -> Response:
        """401, 404 unknown language, 403, then one read: the stored render, or 404."""
        ctx = _ctx(request)
        partner = await _partner(request, ctx)
        lang, configured = _language(request, ctx.config)
        if configured:
            _require_entitled(partner, lang, fmt)
        feed = await run_in_threadpool(feeds.read_feed, ctx.client, lang, fmt)
        if feed is None and not configured:
            raise _Refused(404, f"unknown language {lang!r}")
        _require_entitled(partner, lang, fmt)
        if feed is None or not feed.body:
            raise _Refused(404, f"no items published in {lang} yet")
        rep = Representation(feed.body, feed.etag, feed.last_modified, _MEDIA[fmt])
        return conditional_response(request.headers, rep, ctx.config.feed_ttl * 60)

    return get_feed


def _item_representation(ctx: _Context, item: Item, fmt: FeedFormat) -> Representation:
    """One item rendered now (``Embargoed`` before its time); ETag from its bytes."""
    a = item.article
    pub = derive_publication(
        a,
        ctx.provider,
        ctx.config.public_base_url,
        first_created=item.first_created,
        version_created=item.version_created,
    )
    render = render_news_item if fmt is FeedFormat.NEWSML else render_ninjs_item
    body = render(a, pub, now=_now())
    shown = max(item.version_created, a.embargo_until or item.version_created)
    return Representation(body, strong_etag(hashlib.sha256(body).hexdigest()), shown, _MEDIA[fmt])


def _item_endpoint(fmt: FeedFormat) -> Endpoint:
    async def get_item(request: Request) -> Response:
        """401, 403 for a configured language, 404 unknown or embargoed item, 403."""
        ctx = _ctx(request)
        partner = await _partner(request, ctx)
        article_id = str(request.path_params["id"])
        lang, configured = _language(request, ctx.config)
        if configured:
            _require_entitled(partner, lang, fmt)
        item = await run_in_threadpool(articles.get_item, ctx.client, article_id, lang)
        if item is None:
            raise _Refused(404, f"no item {article_id} in {lang}")
        _require_entitled(partner, lang, fmt)
        rep = await run_in_threadpool(_item_representation, ctx, item, fmt)
        return conditional_response(request.headers, rep, ctx.config.feed_ttl * 60)

    return get_item


def _seen_workers(ctx: _Context) -> list[str]:
    is_reachable(ctx.client)
    since = _now() - timedelta(seconds=ctx.config.worker_window)
    return ops.seen_workers(ctx.client, since)


async def healthz(request: Request) -> Response:
    """200 when Redis answers and a worker was seen lately; 503 otherwise (no auth)."""
    ctx = _ctx(request)
    try:
        workers = await run_in_threadpool(_seen_workers, ctx)
    except StoreUnavailable:
        body = {"status": "unavailable", "redis": "unavailable", "workers": []}
        return _unavailable(ctx, body)
    answer: dict[str, Any] = {"status": "ok", "redis": "ok", "workers": workers}
    if workers:
        return JSONResponse(answer)
    window = ctx.config.worker_window
    answer |= {"status": "unavailable", "error": f"no worker seen in the last {window} s"}
    return JSONResponse(answer, status_code=503)


async def metrics(request: Request) -> Response:
    ctx = _ctx(request)
    text = await run_in_threadpool(render_metrics, ctx.client, ctx.queues)
    return Response(text, media_type=CONTENT_TYPE_LATEST)


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


ROUTES: Final = [
    Route("/v1/articles", post_article, methods=["POST"]),
    Route("/v1/articles/{id}", get_article, methods=["GET"]),
    Route("/v1/feeds/{lang}.rss", _feed_endpoint(FeedFormat.RSS), methods=["GET"]),
    Route("/v1/feeds/{lang}.xml", _feed_endpoint(FeedFormat.NEWSML), methods=["GET"]),
    Route("/v1/feeds/{lang}.json", _feed_endpoint(FeedFormat.NINJS), methods=["GET"]),
    Route("/v1/items/{id}/{lang}.xml", _item_endpoint(FeedFormat.NEWSML), methods=["GET"]),
    Route("/v1/items/{id}/{lang}.json", _item_endpoint(FeedFormat.NINJS), methods=["GET"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
]


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=dict(headers or {}))


def _unavailable(ctx: _Context, body: Mapping[str, Any] | None = None) -> Response:
    answer = {**(body or {}), "error": "store unavailable"}
    retry = {"Retry-After": str(ctx.config.retry_after)}
    return JSONResponse(answer, status_code=503, headers=retry)


async def _answer(request: Request, exc: Exception) -> Response:
    """The one place errors become status codes."""
    if isinstance(exc, _Refused):
        return _error(exc.status, exc.message, exc.headers)
    if isinstance(exc, ArticleInvalid):
        return JSONResponse({"errors": [e.to_dict() for e in exc.errors]}, status_code=422)
    if isinstance(exc, StaleVersion):
        answer = {"error": str(exc), "stored_version": exc.stored}
        return JSONResponse(answer, status_code=409)
    if isinstance(exc, NoSuchArticle):
        return _error(404, f"unknown article {request.path_params.get('id', exc)!s}")
    if isinstance(exc, Embargoed):
        path = request.path_params
        return _error(404, f"no item {path.get('id')} in {path.get('lang')}")
    if isinstance(exc, PayloadTooLarge):
        return _error(413, str(exc))
    if isinstance(exc, StoreUnavailable | OperationalError | RedisError):
        return _unavailable(_ctx(request))
    if isinstance(exc, HTTPException):
        return _error(exc.status_code, exc.detail, exc.headers)
    return _error(500, "internal server error")


_HANDLED: Final = (
    _Refused,
    ArticleInvalid,
    StaleVersion,
    NoSuchArticle,
    Embargoed,
    PayloadTooLarge,
    StoreUnavailable,
    OperationalError,
    RedisError,
    HTTPException,
    Exception,
)


def create_app(config: ApiConfig) -> Starlette:
    """The ASGI app; one Redis client (a thread-safe pool), closed at shutdown."""
    client = connect(config.redis_url)
    provider = make_provider(
        config.provider_name, config.provider_domain, config.provider_uri, config.public_base_url
    )
    queues = (DEFAULT_QUEUE, *(translate_queue(t) for t in config.default_targets))

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # uvicorn's access line has the query string, where a partner key may be: AccessLog
        # writes the request line without it
        logging.getLogger("uvicorn.access").disabled = True
        yield
        client.close()

    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(AccessLog)],
        exception_handlers={kind: _answer for kind in _HANDLED},
        lifespan=lifespan,
    )
    app.state.ctx = _Context(config, client, provider, queues)
    return app
