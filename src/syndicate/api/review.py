"""The review desk's JSON API (issue 18): the queue, a held translation's segments, and an
editor's edit, approve, reject and retranslate. ``app.py`` includes ``ROUTES``.

A bearer editor token (``syndicate editors add``) or the operator token; an editor acts
only on their languages (403 otherwise, before any store read about the article). The
actions are worker/reviewing.py's, shared with the desk's pages; errors become answers in
answers.py: 404 nothing held, 409 the version moved on, 422 an edit breaking a tag or
protected text (naming the segment and the tag).
"""

from __future__ import annotations

from functools import partial
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from syndicate.api.answers import Refused
from syndicate.api.auth import bearer_token
from syndicate.api.http import read_limited
from syndicate.desk import views
from syndicate.desk.access import Actor, actor_for
from syndicate.desk.context import desk_context, feed_site, retry_checks
from syndicate.errors import ArticleInvalid
from syndicate.news.languages import is_language_tag
from syndicate.news.payload import decode_json
from syndicate.review.policy import covers
from syndicate.store import review as store_review
from syndicate.worker import reviewing

MAX_BODY_BYTES: Final = 256 * 1024  # one segment's edit (review.placeholders.MAX_EDIT_CHARS)
QUEUE_LIMIT: Final = 500
_BEARER: Final = {"WWW-Authenticate": 'Bearer realm="review"'}


async def _actor(request: Request) -> Actor:
    ctx = desk_context(request)
    token = bearer_token(request.headers)
    found = await run_in_threadpool(actor_for, ctx.client, token, ctx.settings.operator_token)
    if found is None:
        message = "an editor token or the operator token is required (Authorization: Bearer)"
        raise Refused(401, message, _BEARER)
    return found


def _lang(actor: Actor, lang: str) -> str:
    if not is_language_tag(lang):
        raise Refused(404, f"unknown language {lang!r}")
    if not actor.may_review(lang):
        raise Refused(403, f"editor {actor.name!r} does not review {lang}")
    return lang


async def _body(request: Request) -> dict[str, Any]:
    raw = await read_limited(request, MAX_BODY_BYTES)
    if not raw.strip():
        return {}
    try:
        value = decode_json(raw, MAX_BODY_BYTES)
    except ArticleInvalid as exc:
        raise Refused(400, f"body {exc.errors[0].message}") from None
    if not isinstance(value, dict):
        raise Refused(400, "body must be a JSON object")
    return value


def _version(body: dict[str, Any]) -> int | None:
    """The version the editor saw, if the body says (``ReviewConflict`` on a mismatch)."""
    version = body.get("version")
    if version is None:
        return None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise Refused(422, "version: must be a positive integer")
    return version


def _text(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise Refused(422, f"{field}: a non-empty string is required")
    return value


async def get_queue(request: Request) -> Response:
    """The held translations, oldest first: of ``?lang=``, else of every language the
    caller reviews."""
    ctx, actor = desk_context(request), await _actor(request)
    wanted = request.query_params.get("lang")
    if wanted is not None:
        langs = [_lang(actor, wanted)]
    else:
        held = await run_in_threadpool(store_review.held_languages, ctx.client)
        langs = [lang for lang in held if covers(actor.languages, lang)]
    found = []
    for lang in langs:
        found += await run_in_threadpool(store_review.queue, ctx.client, lang, QUEUE_LIMIT)
    found.sort(key=lambda q: (q.held_since, q.article_id))
    return JSONResponse({"items": [views.queued_json(q) for q in found]})


def _held(request: Request) -> tuple[str, str]:
    return str(request.path_params["id"]), str(request.path_params["lang"])


async def get_held(request: Request) -> Response:
    """A held (or rejected) translation: its segments in order, and its history."""
    ctx, actor = desk_context(request), await _actor(request)
    article_id, lang = _held(request)
    _lang(actor, lang)
    found = await run_in_threadpool(store_review.get_held, ctx.client, article_id, lang)
    if found is None:
        raise Refused(404, f"no translation of {article_id} is held in {lang}")
    log = await run_in_threadpool(store_review.read_log, ctx.client, article_id, lang)
    return JSONResponse(views.held_json(found.held, log))


async def put_segment(request: Request) -> Response:
    """``{"translation": "..."}`` (placeholders kept; optional ``version``): the segment."""
    ctx, actor = desk_context(request), await _actor(request)
    article_id, lang = _held(request)
    _lang(actor, lang)
    n = _segment_number(request)
    body = await _body(request)
    text, version = _text(body, "translation"), _version(body)
    ids, now = (article_id, lang, n), ctx.clock()
    held = await run_in_threadpool(
        reviewing.edit_segment, ctx.client, ids, text, actor.name, version, now
    )
    again = await run_in_threadpool(store_review.get_held, ctx.client, article_id, lang)
    current = again.held if again else held
    return JSONResponse(views.segment_json(current, current.segments[n]))


def _segment_number(request: Request) -> int:
    raw = str(request.path_params["n"])
    if not raw.isdigit() or len(raw) > 6:
        raise Refused(404, f"no segment {raw!r}")
    return int(raw)


async def approve(request: Request) -> Response:
    """Publish the held translation with its edits (optional ``{"version": N}``)."""
    ctx, actor = desk_context(request), await _actor(request)
    article_id, lang = _held(request)
    _lang(actor, lang)
    version = _version(await _body(request))
    site, now = feed_site(ctx), ctx.clock()
    article = await run_in_threadpool(
        reviewing.approve,
        ctx.client,
        ctx.celery_app,
        (article_id, lang),
        actor.name,
        version,
        site,
        now,
    )
    answer = {"id": article.id, "version": article.version, "lang": lang, "status": "approved"}
    return JSONResponse(answer | {"editor": actor.name})


async def reject(request: Request) -> Response:
    """``{"reason": "..."}``: state ``rejected``, nothing published."""
    ctx, actor = desk_context(request), await _actor(request)
    article_id, lang = _held(request)
    _lang(actor, lang)
    body = await _body(request)
    reason, version = _text(body, "reason"), _version(body)
    held = await run_in_threadpool(
        reviewing.reject, ctx.client, (article_id, lang), actor.name, reason, version, ctx.clock()
    )
    answer = {"id": article_id, "version": held.version, "lang": lang, "state": "rejected"}
    return JSONResponse(answer | {"reason": reason})


async def retranslate(request: Request) -> Response:
    """Translate the language again; the edits carry over to the new translation (202)."""
    ctx, actor = desk_context(request), await _actor(request)
    article_id, lang = _held(request)
    _lang(actor, lang)
    ids, now = (article_id, lang), ctx.clock()
    engine, configured = retry_checks(ctx)
    version = await run_in_threadpool(
        partial(reviewing.retranslate, engine=engine, configured=configured),
        *(ctx.client, ctx.celery_app, ids, actor.name, now),
    )
    answer = {"id": article_id, "version": version, "lang": lang, "state": "queued"}
    return JSONResponse(answer, status_code=202)


_HELD: Final = "/v1/review/{id}/{lang}"
ROUTES: Final = [
    Route("/v1/review", get_queue, methods=["GET"]),
    Route(_HELD, get_held, methods=["GET"]),
    Route(f"{_HELD}/segments/{{n}}", put_segment, methods=["PUT"]),
    Route(f"{_HELD}/approve", approve, methods=["POST"]),
    Route(f"{_HELD}/reject", reject, methods=["POST"]),
    Route(f"{_HELD}/retranslate", retranslate, methods=["POST"]),
]
