"""The HTTP API (brief section 3; issue 4, item 3): a routes list and small handlers.

Each handler authenticates, parses (off the event loop), calls the pipeline or the store
(blocking calls in the thread pool) and answers; a feed poll (polls.py) reads the bytes
rendered at publish time on the event loop, its partner's key cached for a second, and a
plain one is answered in front of all this (fastpoll.py, the app's ``PollingApp``). Errors
become status codes in answers.py alone (style guide 7), and nothing about a refused
request is stored. The mechanics (bounded body, ETag, 304, gzip, access log, read
deadlines) are in http.py, credentials in auth.py and newsroom.py, /healthz and /metrics in
monitoring.py, the document in openapi.py; the one submit-and-dispatch path, shared with
the CLI, in worker/submit.py. ``POST /v1/ingest/superdesk`` reads foreign formats through
the pure ingest/ package and then takes that same path, with the same answers.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, Final, TypeVar, cast

from celery import Celery
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from syndicate.api import auth as api_auth
from syndicate.api import catchup, deliveries, monitoring, newsroom, polls, readers, review, websub
from syndicate.api.answers import HANDLED, Refused, answer
from syndicate.api.credentials import Verdict
from syndicate.api.durability import check_store
from syndicate.api.fastpoll import PollingApp
from syndicate.api.http import (
    AccessLog,
    ReadDeadline,
    Representation,
    conditional_response,
    is_json_media_type,
    read_limited,
    strong_etag,
)
from syndicate.api.metrics import INGESTED
from syndicate.api.openapi import openapi_document
from syndicate.api.tally import NotModifiedTally
from syndicate.clock import Clock
from syndicate.config import Settings, guid_domain_problem
from syndicate.desk import routes as desk_routes
from syndicate.errors import ArticleInvalid
from syndicate.feeds.edition import FeedSite, make_provider
from syndicate.feeds.newsml import render_news_item
from syndicate.feeds.ninjs import render_ninjs_item
from syndicate.feeds.record import Provider, derive_publication
from syndicate.ingest import formats as foreign
from syndicate.logs import bind
from syndicate.news.article import MAX_PAYLOAD_BYTES, Article, parse_article
from syndicate.news.payload import decode_json
from syndicate.news.states import Outcome
from syndicate.store import articles as store
from syndicate.store import ops as store_ops
from syndicate.store.articles import Item, LanguageStatus
from syndicate.store.client import Client, LoopClient
from syndicate.store.feeds import FeedFormat
from syndicate.translation.admission import admit
from syndicate.worker.intake import Accepted
from syndicate.worker.routing import consumed_queues
from syndicate.worker.store_client import store_client
from syndicate.worker.submit import submit

Endpoint = Callable[[Request], Awaitable[Response]]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class _Context:
    settings: Settings
    client: Client
    celery_app: Celery  # what the webhook enqueues through
    clock: Clock
    policy: newsroom.Policy  # who may post and read status (signatures, operator token)
    provider: Provider  # the same one the workers build (worker/runtime.py)
    queues: tuple[str, ...]  # always shown in /metrics, even before a worker notes them
    redis: LoopClient  # the event loop's client: partner keys and feeds (polls.py)
    polls: polls.Polls  # partner keys seen, feed reads shared (also the fast path's)


def _ctx(request: Request) -> _Context:
    return cast(_Context, request.app.state.ctx)


def _read_article(decode: Callable[[], _T], build: Callable[[_T], Article]) -> Article:
    """The article a body holds: ``decode`` it (400 when it is not JSON, or XML, at all),
    then ``build`` and check the article (422 naming the fields)."""
    try:
        decoded = decode()
    except ArticleInvalid as exc:
        raise Refused(400, f"body {exc.errors[0].message}") from None
    return build(decoded)


async def _article(decode: Callable[[], _T], build: Callable[[_T], Article]) -> Article:
    """``_read_article`` in one thread-pool call, for both webhooks: reading 2 MB is CPU
    work that would stall every other request on the event loop (issue 16)."""
    return await run_in_threadpool(_read_article, decode, build)


def _checked(data: Any) -> Article:
    return admit(parse_article(data))


def _submit(ctx: _Context, article: Article, legacy: bool) -> Accepted:
    """Count a plain signature, store, count a new version, then enqueue (worker/submit.py)."""
    if legacy:
        newsroom.count_legacy(ctx.client)

    def count(_: Accepted) -> None:
        store_ops.count(ctx.client, INGESTED, {})

    targets = ctx.settings.default_targets
    return submit(ctx.client, ctx.celery_app, article, targets, ctx.clock(), count).accepted


async def post_article(request: Request) -> Response:
    """415, 413 (while reading), 401, 400, 422, then 202 new / 200 replay / 409 stale."""
    ctx = _ctx(request)
    if not is_json_media_type(request.headers.get("content-type")):
        raise Refused(415, "Content-Type must be application/json")
    body = await read_limited(request, MAX_PAYLOAD_BYTES)
    verdict = newsroom.check_webhook(ctx.policy, request.headers, body, ctx.clock())
    article = await _article(partial(decode_json, body, MAX_PAYLOAD_BYTES), _checked)
    return await _accept(ctx, article, legacy=verdict is Verdict.LEGACY)


async def _accept(ctx: _Context, article: Article, legacy: bool) -> Response:
    """The one submit and its answer: 202 new, 200 replay, 409 stale (answers.py)."""
    bind(article_id=article.id, version=article.version)
    accepted = await run_in_threadpool(_submit, ctx, article, legacy)
    written = accepted.outcome is Outcome.WRITTEN
    answer = {"id": accepted.article_id, "version": accepted.version}
    answer |= {"status": "queued" if written else "known", "targets": list(accepted.targets)}
    return JSONResponse(answer, status_code=202 if written else 200)


async def post_superdesk(request: Request) -> Response:
    """A Superdesk push, a ninjs document or a NewsML-G2 newsItem, by Content-Type
    (ingest/formats.py): 415, 413 (while reading), 503 unconfigured, 401, 400, 422 naming
    the sender's field, then exactly as ``POST /v1/articles``."""
    ctx = _ctx(request)
    content_type = request.headers.get("content-type")
    fmt = foreign.choose_format(content_type)
    if fmt is None:
        raise Refused(415, f"Content-Type must be one of: {', '.join(foreign.MEDIA_TYPES)}")
    body = await read_limited(request, MAX_PAYLOAD_BYTES)
    newsroom.check_superdesk(ctx.policy, request.headers, body)
    article = await _article(partial(foreign.decode, fmt, body, content_type), foreign.read)
    return await _accept(ctx, article, legacy=False)


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
    """The latest version and per-language states: the operator token, or the newsroom's
    timestamped signature of ``GET /v1/articles/<id>`` (newsroom.py)."""
    ctx = _ctx(request)
    article_id = str(request.path_params["id"])
    newsroom.check_status_reader(ctx.policy, request.headers, article_id, ctx.clock())
    found = await run_in_threadpool(store.get_status, ctx.client, article_id)
    return JSONResponse(_status_body(*found))


def _feed_endpoint(fmt: FeedFormat) -> Endpoint:
    async def get_feed(request: Request) -> Response:
        """401, 404 unknown language, 403, 400/406 (ninjs version), then one read: the
        stored render, or 404 (polls.py; fastpoll.py answers most polls before this)."""
        ctx, query, headers = _ctx(request), request.query_params, request.headers
        key = api_auth.partner_key(headers, query)
        lang = str(request.path_params["lang"])
        read = await ctx.polls.feed_read(key, lang, fmt, query, headers.get("accept"))
        ask = catchup.asked(query)  # ?since=, ?before=, ?wait= (issue 19)
        if ask is not None:
            return await catchup.serve(_reader(ctx), headers, read, ask)
        return await ctx.polls.serve(headers, read)

    return get_feed


def _reader(ctx: _Context) -> catchup.Reader:
    s = ctx.settings
    site = FeedSite(ctx.provider, s.public_base_url, s.feed_ttl, s.feed_size)
    return catchup.Reader(ctx.client, ctx.redis(), ctx.clock, site, ctx.polls)


def _item_representation(ctx: _Context, item: Item, v: readers.Variant) -> Representation:
    """One item rendered now (``Embargoed`` before its time); ETag from its bytes."""
    a = item.article
    pub = derive_publication(
        a,
        ctx.provider,
        ctx.settings.public_base_url,
        first_created=item.first_created,
        version_created=item.version_created,
    )
    now = ctx.clock()
    if v.version is None:
        body = render_news_item(a, pub, now=now)
    else:
        body = render_ninjs_item(a, pub, now=now, version=v.version)
    shown = max(item.version_created, a.embargo_until or item.version_created)
    etag = strong_etag(hashlib.sha256(body).hexdigest())
    return Representation(body, etag, shown, v.media_type, v.vary)


def _item_endpoint(fmt: FeedFormat) -> Endpoint:
    async def get_item(request: Request) -> Response:
        """401, 404 unknown language, 403, 400/406 (ninjs version), then 404 unknown or
        embargoed item."""
        ctx, query, headers = _ctx(request), request.query_params, request.headers
        key = api_auth.partner_key(headers, query)
        partner = await ctx.polls.partners.require(ctx.redis(), key)
        article_id = str(request.path_params["id"])
        lang, configured = readers.language(str(request.path_params["lang"]), ctx.polls.configured)
        readers.require_entitled(partner, lang, fmt, configured)
        v = readers.variant(fmt, query, headers.get("accept"))
        item = await run_in_threadpool(store.get_item, ctx.client, article_id, lang)
        if item is None:
            raise Refused(404, f"no item {article_id} in {lang}")
        rep = await run_in_threadpool(_item_representation, ctx, item, v)
        return conditional_response(request.headers, rep, ctx.settings.feed_ttl * 60)

    return get_item


async def healthz(request: Request) -> Response:
    """Open; host names for the operator token only (monitoring.py)."""
    ctx = _ctx(request)
    operator = api_auth.is_operator(request.headers, ctx.settings.operator_token)
    return await monitoring.health(ctx.client, ctx.clock(), operator)


async def metrics(request: Request) -> Response:
    """The metrics or operator token, checked before any store read (monitoring.py)."""
    ctx = _ctx(request)
    s = ctx.settings
    monitoring.check_scraper(request.headers, s.metrics_token, s.operator_token)
    return await monitoring.metrics(ctx.client, ctx.queues)


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


ROUTES: Final = [
    Route("/v1/articles", post_article, methods=["POST"]),
    Route("/v1/articles/{id}", get_article, methods=["GET"]),
    Route("/v1/ingest/superdesk", post_superdesk, methods=["POST"]),
    Route("/v1/feeds/{lang}.rss", _feed_endpoint(FeedFormat.RSS), methods=["GET"]),
    Route("/v1/feeds/{lang}.xml", _feed_endpoint(FeedFormat.NEWSML), methods=["GET"]),
    Route("/v1/feeds/{lang}.json", _feed_endpoint(FeedFormat.NINJS), methods=["GET"]),
    Route("/v1/items/{id}/{lang}.xml", _item_endpoint(FeedFormat.NEWSML), methods=["GET"]),
    Route("/v1/items/{id}/{lang}.json", _item_endpoint(FeedFormat.NINJS), methods=["GET"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
]


def create_app(settings: Settings, celery_app: Celery, clock: Clock) -> Starlette:
    """The ASGI app on ``settings``, enqueueing through ``celery_app``, reading the time
    from ``clock``; one Redis client (a thread-safe pool), closed at shutdown."""
    s = settings
    client = store_client(s)
    loop_client = LoopClient(s.redis_url, s.redis_master)
    provider = make_provider(s.provider_name, s.provider_domain, s.provider_uri, s.public_base_url)
    queues = consumed_queues(s.default_targets)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # uvicorn's access line has the query string, where a partner key may be: AccessLog
        # writes the request line without it
        logging.getLogger("uvicorn.access").disabled = True
        if (problem := guid_domain_problem(s)) is not None:
            logging.getLogger("syndicate.api").warning(problem)
        await run_in_threadpool(check_store, client, s.require_durable_store)
        yield
        app.fast.write_counted()
        client.close()
        await loop_client.aclose()

    poll_path = polls.Polls(loop_client, s)
    app = PollingApp(
        poll_path,
        NotModifiedTally() if s.access_log_304 == "summary" else None,
        routes=[*ROUTES, *review.ROUTES, *desk_routes.ROUTES, *deliveries.ROUTES, *websub.ROUTES],
        middleware=[
            Middleware(AccessLog),
            Middleware(ReadDeadline, seconds=s.body_timeout),
        ],
        exception_handlers={kind: answer for kind in HANDLED},
        lifespan=lifespan,
    )
    policy = newsroom.Policy.of(s)
    app.state.ctx = _Context(
        s, client, celery_app, clock, policy, provider, queues, loop_client, poll_path
    )
    return app
