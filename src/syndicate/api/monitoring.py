"""``/healthz`` and ``/metrics``: what the service says about itself, and to whom (issue 16).

``/healthz`` stays open, because load balancers and orchestrators probe it without
credentials. It says whether Redis answers and how many workers beat lately; it names
their hosts only to the operator token, since host names map the network behind the API.

``/metrics`` shows the whole system's counters and queue depths. Only a bearer of
``metrics_token`` (the Prometheus scraper's, so the scraper need not hold the operator's
token) or of ``operator_token`` reads it. While neither is set, nobody does: an unset
token must not mean an open door, and the 401 says which variable to set. A refusal comes
before any Redis read, so a caller without a token costs Redis nothing. An authorised
scrape reads the series, the queues the workers noted and their depths: O(queues), never a
keyspace scan (store/ops.py ``broker_queues``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Final

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response

from syndicate.api.answers import Refused, unavailable
from syndicate.api.auth import holds_token
from syndicate.api.metrics import render_metrics
from syndicate.api.push_metrics import PushCollector, push_families
from syndicate.api.review_metrics import ReviewCollector, memory_families
from syndicate.clock import system_now
from syndicate.errors import StoreUnavailable
from syndicate.store import ops as store_ops
from syndicate.store.client import Client, is_reachable

WORKER_WINDOW_SECONDS: Final = 30  # a worker heartbeat counts this long for /healthz
_TOKENS: Final = "SYNDICATE_METRICS_TOKEN or SYNDICATE_OPERATOR_TOKEN"
_BEARER: Final = {"WWW-Authenticate": 'Bearer realm="metrics"'}


def check_scraper(headers: Headers, metrics_token: str | None, operator_token: str | None) -> None:
    """Nothing for ``Authorization: Bearer`` with either token; else ``Refused`` 401."""
    if not metrics_token and not operator_token:
        message = f"/metrics is closed: the server has no token for it ({_TOKENS})"
        raise Refused(401, message, _BEARER)
    if not holds_token(headers, metrics_token, operator_token):
        raise Refused(401, f"/metrics needs Authorization: Bearer <{_TOKENS}>", _BEARER)


async def metrics(client: Client, queues: Iterable[str]) -> Response:
    """One scrape: Prometheus text (503 while Redis is away, answers.py)."""
    review = ReviewCollector(client, system_now)  # the review desk's queues, the memories
    push = PushCollector(client, system_now)  # each push partner's deliveries (issue 19)
    readers = [memory_families, push_families]
    text = await run_in_threadpool(
        partial(render_metrics, readers=readers), client, queues, review, push
    )
    return Response(text, media_type=CONTENT_TYPE_LATEST)


def _seen_workers(client: Client, since: datetime) -> list[str]:
    is_reachable(client)
    return store_ops.seen_workers(client, since)


async def health(client: Client, now: datetime, operator: bool) -> Response:
    """200 when Redis answers and a worker beat in the last ``WORKER_WINDOW_SECONDS``, 503
    otherwise; ``workers`` counts them, ``hosts`` names them to the ``operator`` only."""
    since = now - timedelta(seconds=WORKER_WINDOW_SECONDS)
    try:
        hosts = await run_in_threadpool(_seen_workers, client, since)
    except StoreUnavailable:
        return unavailable({"status": "unavailable", "redis": "unavailable", "workers": 0})
    answer: dict[str, Any] = {"status": "ok", "redis": "ok", "workers": len(hosts)}
    if operator:
        answer["hosts"] = hosts
    if hosts:
        return JSONResponse(answer)
    window = WORKER_WINDOW_SECONDS
    answer |= {"status": "unavailable", "error": f"no worker seen in the last {window} s"}
    return JSONResponse(answer, status_code=503)
