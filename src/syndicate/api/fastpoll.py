"""A partner's plain feed poll answered before Starlette's middleware and routing
(issue 20).

A poll is the API's most frequent request, and most of what it cost was the framework
around a few dictionary lookups: the middleware layers, routing through every route, the
exception layers, a Request and a Response built per poll. ``PollingApp`` is the API's
Starlette app with ``FastPolls`` in front: ``GET /v1/feeds/<lang>.<rss|xml|json>`` with no
query string and a partner key in ``Authorization: Bearer`` is answered through the same
``Polls`` as the route (polls.py): the same checks in the same order, the same reads, the
same 200 or 304 byte for byte, and the same access line (http.py's ``log_request``), but
for a 304, which is counted with the others of its path unless ``access_log_304`` is
``each`` (tally.py).

It answers only when the answer is a 200 or a 304. Anything else is handed on untouched
to Starlette, which answers as it always has: no key or ``?key=``, any query (``?since=``,
``?before=``, ``?wait=``, ``?version=``), a refused key (401), a language or format
outside the entitlement (403/404), a ninjs version refused (400/406), no feed stored
(404), Redis away (503), any other method, a mounted app (``root_path``), an error of its
own. Nothing has been sent nor read from the client by then; the partner key is cached,
so handing on repeats a lookup in memory (and, for a 404 or a 503, the store read).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final

from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from syndicate.api.answers import Refused
from syndicate.api.auth import bearer_token
from syndicate.api.http import Answer, log_request
from syndicate.api.polls import Polls
from syndicate.api.tally import NotModifiedTally
from syndicate.errors import StoreUnavailable
from syndicate.store.client import RedisError
from syndicate.store.feeds import FeedFormat

# The feed routes' paths (app.py's ROUTES: ``{lang}`` is Starlette's ``[^/]+``).
_FEED: Final = re.compile(r"/v1/feeds/([^/]+)\.(rss|xml|json)")
_FORMATS: Final = {"rss": FeedFormat.RSS, "xml": FeedFormat.NEWSML, "json": FeedFormat.NINJS}
_NO_QUERY: Final[Mapping[str, str]] = MappingProxyType({})
_READ: Final = frozenset(
    {b"authorization", b"accept", b"accept-encoding", b"if-none-match", b"if-modified-since"}
)
_HANDED_ON: Final = (Refused, StoreUnavailable, RedisError)


class FastPolls:
    """Plain feed polls answered here when the answer is a 200 or a 304 (``answered``);
    the 304s counted in ``tally`` (None: each logged on its own line)."""

    def __init__(self, polls: Polls, tally: NotModifiedTally | None = None) -> None:
        self.polls, self.tally = polls, tally

    async def answered(self, scope: Scope, send: Send) -> bool:
        """True when this request was a plain poll and is answered, its line logged or
        its 304 counted; False when the app must answer it (nothing was sent). Any request
        writes the counts whose window has ended."""
        if self.tally is not None:
            self.tally.write_due()
        if not _is_plain_poll(scope):
            return False
        started = time.perf_counter()
        try:
            answer = await self._answer(scope)
        except Exception:  # whatever went wrong here, the route answers as it always has
            return False
        if answer is None:
            return False
        try:
            await send(
                {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
            )
            await send({"type": "http.response.body", "body": answer.body})
        finally:
            if answer.status == 304 and self.tally is not None:
                self.tally.add(scope, started)
            else:
                log_request(scope, answer.status, started)
        return True

    def write_counted(self) -> None:
        """Write the 304s counted since their last line (the app is stopping)."""
        if self.tally is not None:
            self.tally.write_all()

    async def _answer(self, scope: Scope) -> Answer | None:
        """The 200 or 304 of this poll, or None to hand it on (module docstring)."""
        match = _FEED.fullmatch(scope["path"])
        if match is None:
            return None
        headers = _headers(scope["headers"])
        key = bearer_token(headers)
        if key is None:
            return None
        fmt = _FORMATS[match[2]]
        try:
            read = await self.polls.feed_read(key, match[1], fmt, _NO_QUERY, headers.get("accept"))
            return await self.polls.answer(headers, read)
        except _HANDED_ON:
            return None


class PollingApp(Starlette):
    """Starlette, with the plain polls answered before its middleware stack and routing
    (``FastPolls``, their 304s counted in ``tally`` unless it is None); every other
    request goes through them as before."""

    def __init__(self, polls: Polls, tally: NotModifiedTally | None, **starlette: Any) -> None:
        super().__init__(**starlette)
        self.fast = FastPolls(polls, tally)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not await self.fast.answered(scope, send):
            await super().__call__(scope, receive, send)


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """The request headers a poll reads, each its first value (as Starlette's ``Headers``
    gives it), in one pass over the request's: a poll asks for each more than once."""
    found: dict[str, str] = {}
    for name, value in raw:
        if name in _READ and (key := name.decode("latin-1")) not in found:
            found[key] = value.decode("latin-1")
    return found


def _is_plain_poll(scope: Scope) -> bool:
    """A GET without a query string, on the app's own root."""
    return (
        scope["type"] == "http"
        and scope["method"] == "GET"
        and not scope["query_string"]
        and not scope.get("root_path")
    )
