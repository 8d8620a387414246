"""The API under uvicorn, with a deadline for the request line and headers (issue 9).

uvicorn bounds header size (h11's 16 KiB incomplete-event limit) and idle keep-alive time,
but not the time a client takes to send its headers: a client that sends one byte every
few seconds holds a connection, and a thousand of them hold the server (slow loris). Its
keep-alive timer restarts on every byte, so it does not help. ``GuardedH11`` is uvicorn's
own h11 protocol with one timer more: armed when a connection opens and whenever it waits
for a new request, it is not restarted by data, and it is cancelled once a request's
headers are complete and handed to the app. When it fires the client gets 408 and the
connection is closed. The body has its own deadline in the app (``http.ReadDeadline``),
so it holds under any ASGI server; this one needs uvicorn's h11 protocol, which ``run``
always selects (httptools is not used even where installed). Behind a reverse proxy
(nginx ``client_header_timeout``, HAProxy ``timeout http-request``) the proxy's limit
applies first; docs/operations.md says so.

``syndicate serve --workers N`` runs N such processes under uvicorn's supervisor, which
shares one listening socket between them, restarts a process that dies and stops them all
on SIGTERM; each builds its own app (``served_app``): its own Redis connections, its own
partner-key cache (api/readers.py), its own shared poll reads (api/coalesce.py).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final

import h11
from starlette.applications import Starlette
from uvicorn.protocols.http.h11_impl import H11Protocol

from syndicate import logs
from syndicate.clock import system_now
from syndicate.config import settings

log = logging.getLogger("syndicate.api")
_BODY: Final = b'{"error": "request headers not received in time"}'
_TIMEOUT_ANSWER: Final = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_BODY), _BODY)
)


class GuardedH11(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request line and headers take
    longer than ``header_timeout`` seconds (set by ``guarded_protocol``)."""

    header_timeout: float = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._serving():
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self._serving():
            self._arm()  # the next request on this connection gets the same deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _serving(self) -> bool:
        """A request whose headers are complete is with the app, under its own deadline."""
        return self.cycle is not None and not self.cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _expired(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or self._serving():
            return
        if self.conn.their_state is h11.IDLE:  # no complete request line and headers yet
            self.transport.write(_TIMEOUT_ANSWER)
            client = f"{self.client[0]}:{self.client[1]}" if self.client else "-"
            log.info("request headers not received in time", extra={"client": client})
        self.transport.close()


def guarded_protocol(header_timeout: float) -> type[GuardedH11]:
    """A ``GuardedH11`` with this deadline (uvicorn builds protocols from a class)."""
    return type("GuardedH11", (GuardedH11,), {"header_timeout": float(header_timeout)})


def server_options(header_timeout: float, workers: int = 1) -> dict[str, Any]:
    """The uvicorn.run options every ``syndicate serve`` uses (and so ``make run``). With
    several ``workers`` each process is started afresh (spawned) and builds its app from the
    process settings (``served_app``), which set its header deadline: a class made here
    would not reach it."""
    return {
        "http": guarded_protocol(header_timeout) if workers == 1 else GuardedH11,
        "log_config": None,
        "access_log": False,  # http.AccessLog logs requests, without query strings (keys)
    }


def served_app() -> Starlette:
    """The app of one process of ``syndicate serve --workers N`` (uvicorn's factory, run in
    each process it spawns): logs, header deadline and app from the process settings, which
    ``serve`` passed on in the environment."""
    from syndicate.api.app import create_app
    from syndicate.worker.app import create_app as create_celery_app

    s = settings()
    logs.configure(s.log_format, s.log_level)
    GuardedH11.header_timeout = float(s.header_timeout)
    return create_app(s, create_celery_app(s, system_now), system_now)
