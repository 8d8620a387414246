"""The one place errors become HTTP answers (style guide 7): every error is JSON
(``{"error": ...}``, 422 ``{"errors": [...]}``), Redis away is 503 with Retry-After.

Handlers raise (``Refused`` for an answer of their own, the domain errors of errors.py
otherwise) and ``answer`` renders; create_app registers it for every kind in ``HANDLED``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from kombu.exceptions import OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from syndicate.errors import (
    ArticleInvalid,
    BodyTimeout,
    EditInvalid,
    Embargoed,
    NoSuchArticle,
    NotHeld,
    NotReplicated,
    PayloadTooLarge,
    ReviewConflict,
    StaleVersion,
    StoreUnavailable,
)
from syndicate.store.client import RedisError

RETRY_AFTER_SECONDS: Final = 5  # on 503
CLIENT_CLOSED: Final = 499  # nginx's "client closed request": logged, never sent
_CLOSE: Final = {"Connection": "close"}


class Refused(Exception):
    """An answer other than success, raised by a handler and rendered as JSON."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, dict(headers or {})


def error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=dict(headers or {}))


def unavailable(body: Mapping[str, Any] | None = None) -> Response:
    answer = {**(body or {}), "error": "store unavailable"}
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return JSONResponse(answer, status_code=503, headers=retry)


def _domain_answer(request: Request, exc: Exception) -> Response | None:
    """The answer to one of our own errors (errors.py), or None."""
    if isinstance(exc, ArticleInvalid):
        return JSONResponse({"errors": [e.to_dict() for e in exc.errors]}, status_code=422)
    if isinstance(exc, StaleVersion):
        answer = {"error": str(exc), "stored_version": exc.stored}
        return JSONResponse(answer, status_code=409)
    if isinstance(exc, NoSuchArticle):
        return error(404, f"unknown article {request.path_params.get('id', exc)!s}")
    if isinstance(exc, Embargoed):
        path = request.path_params
        return error(404, f"no item {path.get('id')} in {path.get('lang')}")
    if isinstance(exc, PayloadTooLarge):
        return error(413, str(exc))
    if isinstance(exc, BodyTimeout):  # the rest of the body may never come: close
        return error(408, str(exc), _CLOSE)
    if isinstance(exc, NotReplicated):
        return unavailable({"reason": str(exc)})
    if isinstance(exc, StoreUnavailable):
        return unavailable()
    return _review_answer(exc)


def _review_answer(exc: Exception) -> Response | None:
    """The review desk's refusals (issue 18): nothing held 404, moved on 409, an edit
    that breaks a tag or protected text 422 naming the segment and the tag."""
    if isinstance(exc, EditInvalid):
        return JSONResponse({"errors": [e.to_dict() for e in exc.errors]}, status_code=422)
    if isinstance(exc, ReviewConflict):
        return JSONResponse({"error": str(exc), "version": exc.version}, status_code=409)
    if isinstance(exc, NotHeld):
        return error(404, str(exc))
    return None


async def answer(request: Request, exc: Exception) -> Response:
    """The exception handler of every kind in ``HANDLED``."""
    if isinstance(exc, Refused):
        return error(exc.status, exc.message, exc.headers)
    if (found := _domain_answer(request, exc)) is not None:
        return found
    if isinstance(exc, OperationalError | RedisError):
        return unavailable()
    if isinstance(exc, ClientDisconnect):  # nobody to answer: AccessLog logs one line
        return error(CLIENT_CLOSED, "client disconnected before the body was read")
    if isinstance(exc, HTTPException):
        return error(exc.status_code, exc.detail, exc.headers)
    return error(500, "internal server error")


HANDLED: Final = (
    Refused,
    ArticleInvalid,
    StaleVersion,
    NoSuchArticle,
    Embargoed,
    PayloadTooLarge,
    BodyTimeout,
    StoreUnavailable,
    EditInvalid,
    ReviewConflict,
    NotHeld,
    OperationalError,
    RedisError,
    ClientDisconnect,
    HTTPException,
    Exception,
)
