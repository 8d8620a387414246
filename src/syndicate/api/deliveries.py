"""``GET /v1/partners/{name}/deliveries`` (issue 19): a partner's push deliveries, newest
first, with their states (``pending``, ``delivering``, ``delivered``, ``retrying`` with
the attempt count and the next attempt's time, ``dead`` with the answer that killed it),
the counts by state and the age of the oldest delivery waiting for a push worker. The
operator token only: the records name the partner's endpoint and what it answered.
``app.py`` includes ``ROUTES``.
"""

from __future__ import annotations

from typing import Any, Final, Protocol, cast

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from syndicate.api.answers import Refused
from syndicate.api.auth import is_operator
from syndicate.clock import Clock
from syndicate.config import Settings
from syndicate.push.rules import DeliveryState
from syndicate.store import partners, pushes
from syndicate.store.client import Client
from syndicate.worker.push import delivery_record

DEFAULT_LIMIT: Final = 100
MAX_LIMIT: Final = 1000
_BEARER: Final = {"WWW-Authenticate": 'Bearer realm="operator"'}


class _Context(Protocol):
    @property
    def settings(self) -> Settings: ...
    @property
    def client(self) -> Client: ...
    @property
    def clock(self) -> Clock: ...


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw[:6]) <= MAX_LIMIT:
        raise Refused(400, f"limit: an integer from 1 to {MAX_LIMIT}")
    return int(raw)


def _state(raw: str | None) -> DeliveryState | None:
    if raw is None:
        return None
    try:
        return DeliveryState(raw)
    except ValueError:
        names = ", ".join(str(s) for s in DeliveryState)
        raise Refused(400, f"state: one of {names}") from None


def partner_deliveries(
    client: Client, name: str, limit: int, state: DeliveryState | None, clock: Clock
) -> dict[str, Any] | None:
    """The answer's body, or None for an unknown partner (also what the CLI prints)."""
    partner = partners.get_partner(client, name)
    if partner is None:
        return None
    queue = pushes.queue_of(client, name, clock())
    found = pushes.list_deliveries(client, name, limit if state is None else MAX_LIMIT)
    chosen = [d for d in found if state is None or d.state is state][:limit]
    return {
        "partner": name,
        "push_url": partner.push.url or None,
        "push_format": partner.push.format or None,
        "counts": {str(s): queue.states.get(str(s), 0) for s in DeliveryState},
        "oldest_waiting": None if queue.oldest_due is None else queue.oldest_due.isoformat(),
        "deliveries": [delivery_record(d) for d in chosen],
    }


async def get_deliveries(request: Request) -> Response:
    """401 without the operator token (before any store read), 400 a bad ``limit`` or
    ``state``, 404 an unknown partner."""
    ctx = cast(_Context, request.app.state.ctx)
    if not is_operator(request.headers, ctx.settings.operator_token):
        raise Refused(401, "the operator token is required (Authorization: Bearer)", _BEARER)
    name = str(request.path_params["name"])
    limit, state = (
        _limit(request.query_params.get("limit")),
        _state(request.query_params.get("state")),
    )
    body = await run_in_threadpool(partner_deliveries, ctx.client, name, limit, state, ctx.clock)
    if body is None:
        raise Refused(404, f"no partner {name!r}")
    return JSONResponse(body)


ROUTES: Final = [Route("/v1/partners/{name}/deliveries", get_deliveries, methods=["GET"])]
