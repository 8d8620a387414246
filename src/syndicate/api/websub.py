"""``POST /v1/websub``: the WebSub hub of the RSS and NewsML feeds (issue 19; the rules are
push/websub.py's, the verification and distributions worker/websub.py's).

Only a partner's key may subscribe, to a feed it is entitled to: the request is a
form (``application/x-www-form-urlencoded``) with ``hub.mode``, ``hub.topic``,
``hub.callback`` and optionally ``hub.lease_seconds`` and ``hub.secret``; the key comes as
``Authorization: Bearer`` or ``?key=``. 401 without a key, 400 naming a field that is
missing or wrong (a topic that is not one of this hub's feeds, a callback a push may not
reach), 403 for a feed outside the partner's entitlement; then 202, and the intent is
verified by a push worker (a GET of the callback with a challenge). ``app.py`` includes
``ROUTES``.
"""

from __future__ import annotations

import dataclasses
from typing import Final, Protocol, cast
from urllib.parse import parse_qsl

from celery import Celery
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from syndicate.api import auth
from syndicate.api.answers import Refused
from syndicate.api.http import read_limited
from syndicate.config import Settings
from syndicate.push import websub
from syndicate.store.client import Client
from syndicate.worker.push import push_settings
from syndicate.worker.push_http import url_problem
from syndicate.worker.routing import PUSH_QUEUE, WEBSUB_VERIFY
from syndicate.worker.sending import send

MAX_BODY_BYTES: Final = 8 * 1024
FORM: Final = "application/x-www-form-urlencoded"
_BEARER: Final = {"WWW-Authenticate": "Bearer"}


class _Context(Protocol):
    @property
    def settings(self) -> Settings: ...
    @property
    def client(self) -> Client: ...
    @property
    def celery_app(self) -> Celery: ...


async def _form(request: Request) -> dict[str, str]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != FORM:
        raise Refused(415, f"Content-Type must be {FORM}")
    raw = await read_limited(request, MAX_BODY_BYTES)
    try:
        pairs = parse_qsl(raw.decode(), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "body: not a form of at most 20 fields") from None
    return dict(reversed(pairs))  # the first of a repeated field


async def post_websub(request: Request) -> Response:
    """401, 415, 413, 400, 403, then 202: the intent is verified by a push worker."""
    ctx = cast(_Context, request.app.state.ctx)
    key = auth.partner_key(request.headers, request.query_params)
    partner = None if key is None else await run_in_threadpool(auth.find_partner, ctx.client, key)
    if partner is None:
        raise Refused(
            401, "a partner key is required (Authorization: Bearer <key> or ?key=)", _BEARER
        )
    try:
        intent = websub.read_intent(await _form(request))
    except ValueError as exc:
        raise Refused(400, str(exc)) from None
    feed = websub.topic_feed(intent.topic, ctx.settings.public_base_url)
    if feed is None:
        raise Refused(400, "hub.topic: not an RSS or NewsML feed of this hub")
    lang, fmt = feed
    if not auth.is_entitled(partner, lang, fmt):
        raise Refused(403, f"partner {partner.name!r} is not entitled to {lang} in {fmt}")
    problem = await run_in_threadpool(
        url_problem, intent.callback, push_settings(ctx.settings).allowed
    )
    if problem is not None:
        raise Refused(400, f"hub.callback: {problem}")
    args = (dataclasses.asdict(intent), [partner.name, lang, fmt])
    await run_in_threadpool(send, ctx.celery_app, WEBSUB_VERIFY, args, queue=PUSH_QUEUE)
    return JSONResponse({"status": "verifying", "hub.mode": intent.mode}, status_code=202)


ROUTES: Final = [Route("/v1/websub", post_websub, methods=["POST"])]
