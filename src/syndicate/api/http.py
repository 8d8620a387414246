"""HTTP mechanics of the API: bounded body reading and its deadline, conditional GET,
gzip, access logs.

Partners poll every minute or so (brief section 3): a repeat poll with the ETag it holds
must cost a Redis read and a 304, and a gzip answer must not be confused with the plain
one by a cache, so each representation has its own strong ETag (``"<sha256>-gzip"`` for
the compressed bytes) and every answer says ``Vary: Accept-Encoding``. Nothing here maps
errors to status codes: it raises, and answers.py answers (style guide 7).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from typing import Final

import anyio
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from syndicate import logs
from syndicate.errors import BodyTimeout, PayloadTooLarge
from syndicate.feeds.encoding import gzipped

log = logging.getLogger("syndicate.api")
_ETAG: Final = re.compile(r'(?:W/)?"([^"]*)"')
_JSON_MEDIA: Final = "application/json"
_UTF8: Final = frozenset({"utf-8", "utf8"})
_PRINTABLE: Final = re.compile(rb"[\x21-\x7e]*")


@dataclass(frozen=True, slots=True)
class Representation:
    """Bytes to serve with their validators: ``etag`` is strong and quoted; ``vary`` names
    the request headers besides Accept-Encoding that chose these bytes (Accept, for the
    ninjs version)."""

    body: bytes
    etag: str
    last_modified: datetime
    media_type: str
    vary: tuple[str, ...] = ()


def is_json_media_type(content_type: str | None) -> bool:
    """``application/json``, with at most a UTF-8 ``charset`` (JSON is UTF-8, RFC 8259)."""
    if not content_type:
        return False
    media, *params = (part.strip() for part in content_type.split(";"))
    if media.lower() != _JSON_MEDIA:
        return False
    for param in filter(None, params):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in _UTF8:
            return False
    return True


def _declared_length(headers: Headers) -> int | None:
    raw = headers.get("content-length")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refused (``PayloadTooLarge``) by its Content-Length before reading
    and, for a body without one, as soon as the bytes received pass ``limit``: an endless
    chunked body costs at most ``limit`` bytes of memory."""
    declared = _declared_length(request.headers)
    if declared is not None and declared > limit:
        raise PayloadTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def strong_etag(digest: str) -> str:
    return f'"{digest}"'


def gzip_etag(etag: str) -> str:
    """The gzip representation's own strong ETag: ``"abc"`` -> ``"abc-gzip"``."""
    return f'"{etag.strip().strip(chr(34))}-gzip"'


def _coding_quality(part: str) -> tuple[str, float]:
    coding, *params = (p.strip() for p in part.split(";"))
    quality = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
    return coding.lower(), quality


@lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: str | None) -> bool:
    """True when gzip is acceptable (``gzip`` or ``*`` with q > 0; ``gzip;q=0`` refuses)."""
    if not accept_encoding:
        return False
    codings = dict(_coding_quality(p) for p in accept_encoding.split(",") if p.strip())
    for name in ("gzip", "x-gzip"):
        if name in codings:
            return codings[name] > 0
    return codings.get("*", 0.0) > 0


def _matches_etag(if_none_match: str, etags: tuple[str, ...]) -> bool:
    """Weak comparison (RFC 9110 13.1.2): ``*`` matches, ``W/`` prefixes are ignored."""
    if if_none_match.strip() == "*":
        return True
    wanted = {etag.strip().removeprefix("W/").strip('"') for etag in etags}
    return any(tag in wanted for tag in _ETAG.findall(if_none_match))


def _not_modified_since(if_modified_since: str, last_modified: datetime) -> bool:
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= since


def is_not_modified(
    if_none_match: str | None,
    if_modified_since: str | None,
    etags: tuple[str, ...],
    last_modified: datetime,
) -> bool:
    """If-None-Match decides when present, matching any of ``etags``; If-Modified-Since
    only without it (RFC 9110)."""
    if if_none_match is not None:
        return _matches_etag(if_none_match, etags)
    return if_modified_since is not None and _not_modified_since(if_modified_since, last_modified)


@lru_cache(maxsize=32)
def _gzipped(body: bytes) -> bytes:
    """An item rendered per request, compressed once per distinct render."""
    return gzipped(body)


def is_conditional(headers: Mapping[str, str]) -> bool:
    """The request carries a validator: the answer may be a 304 without the body."""
    return "if-none-match" in headers or "if-modified-since" in headers


@dataclass(frozen=True, slots=True)
class Answer:
    """A 200 or 304 as it is sent: status, header lines, body. The poll fast path
    (fastpoll.py) sends it as ASGI messages, a route as a Response (``response``)."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes = b""

    def response(self) -> Response:
        answer = Response(self.body, status_code=self.status)
        answer.raw_headers = list(self.headers)
        return answer


@lru_cache(maxsize=1024)
def answer_headers(
    etag: str,
    last_modified: datetime,
    vary: tuple[str, ...],
    compressed: bool,
    max_age: int,
    body: tuple[str, int] | None = None,
) -> tuple[tuple[bytes, bytes], ...]:
    """The header lines of an answer with these validators: ETag (the gzip one when
    ``compressed``), Last-Modified, Cache-Control, Vary, and for a body (media type,
    length) Content-Encoding, Content-Length and Content-Type. Made once per render, not
    per poll: a feed's validators change only when it does."""
    lines = [
        (b"etag", (gzip_etag(etag) if compressed else etag).encode("latin-1")),
        (b"last-modified", format_datetime(last_modified.astimezone(UTC), usegmt=True).encode()),
        (b"cache-control", f"private, max-age={max_age}".encode()),
        (b"vary", ", ".join((*vary, "Accept-Encoding")).encode("latin-1")),
    ]
    if body is not None:
        media_type, length = body
        lines += [(b"content-encoding", b"gzip")] if compressed else []
        lines += [(b"content-length", str(length).encode())]
        lines += [(b"content-type", media_type.encode("latin-1"))]
    return tuple(lines)


def not_modified_answer(
    headers: Mapping[str, str],
    etag: str,
    last_modified: datetime,
    vary: tuple[str, ...],
    max_age: int,
) -> Answer | None:
    """The 304 for a request holding either representation of this render, else None.

    A tag of either representation gives 304: both are the same render, so a client that
    cached the plain bytes and now accepts gzip (or the other way round) holds what is
    current and keeps it, instead of downloading it again (the trap of Apache's ``-gzip``
    tags, which never matched again)."""
    asked = (headers.get(name) for name in _CONDITIONS)
    return _not_modified(*asked, etag, last_modified, vary, max_age)


_CONDITIONS: Final = ("if-none-match", "if-modified-since", "accept-encoding")


@lru_cache(maxsize=256)  # partners poll with the tags they hold: the same few, again and again
def _not_modified(
    if_none_match: str | None,
    if_modified_since: str | None,
    accept_encoding: str | None,
    etag: str,
    last_modified: datetime,
    vary: tuple[str, ...],
    max_age: int,
) -> Answer | None:
    etags = (etag, gzip_etag(etag))
    if not is_not_modified(if_none_match, if_modified_since, etags, last_modified):
        return None
    compressed = accepts_gzip(accept_encoding)
    return Answer(304, answer_headers(etag, last_modified, vary, compressed, max_age))


def full_answer(
    rep: Representation, compressed: bool, max_age: int, packed: bytes | None = None
) -> Answer:
    """200 with the body, gzipped when ``compressed`` (``packed``: the gzip bytes already
    made, else compressed here)."""
    body = rep.body if not compressed else _gzipped(rep.body) if packed is None else packed
    shown = (rep.media_type, len(body))
    lines = answer_headers(rep.etag, rep.last_modified, rep.vary, compressed, max_age, shown)
    return Answer(200, lines, body)


def full_response(
    rep: Representation, compressed: bool, max_age: int, packed: bytes | None = None
) -> Response:
    """``full_answer`` as a Response."""
    return full_answer(rep, compressed, max_age, packed).response()


def conditional_response(headers: Mapping[str, str], rep: Representation, max_age: int) -> Response:
    """304 with the validators and no body (``not_modified_answer``), or 200 with the
    (possibly gzipped) body."""
    unchanged = not_modified_answer(headers, rep.etag, rep.last_modified, rep.vary, max_age)
    if unchanged is not None:
        return unchanged.response()
    return full_response(rep, accepts_gzip(headers.get("accept-encoding")), max_age)


class ReadDeadline:
    """The whole request body within ``seconds`` of the request reaching the app, or
    ``BodyTimeout`` (408) from the read that waited too long: a client dribbling its body
    cannot hold a handler (issue 9). Only body reads are bounded: once the body is in,
    ``receive`` is the server's again (it reports a disconnect during a long answer)."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app, self.seconds = app, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = anyio.current_time() + self.seconds
        body_done = False

        async def receive_in_time() -> Message:
            nonlocal body_done
            if body_done:
                return await receive()
            try:
                with anyio.fail_after(max(deadline - anyio.current_time(), 0.0)):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout(self.seconds) from None
            body_done = message["type"] != "http.request" or not message.get("more_body")
            return message

        await self.app(scope, receive_in_time, send)


def logged_path(scope: Scope) -> str:
    """The path as the client sent it (percent-encoded, without the query), with any byte
    outside printable ASCII percent-encoded too: ``/x%0aFAKE`` stays ``/x%0aFAKE``, never
    a line break, in every log format (issue 9)."""
    raw = bytes(scope.get("raw_path") or str(scope["path"]).encode("utf-8", "surrogateescape"))
    if _PRINTABLE.fullmatch(raw):  # as nearly every path is: nothing to encode
        return raw.decode("ascii")
    return "".join(chr(b) if 0x21 <= b <= 0x7E else f"%{b:02X}" for b in raw)


def log_request(scope: Scope, status: int, started: float) -> None:
    """The access line of one request: method, path (never the query, which may hold a
    partner key), status and duration_ms since ``started`` (``time.perf_counter``),
    written as cheaply as logs.py can (``write_event``): a poll's line cost about as much
    as the rest of a 304."""
    duration_ms = round((time.perf_counter() - started) * 1000, 2)
    fields = {"method": scope["method"], "path": logged_path(scope), "status": status}
    logs.write_event(log, "request", {**fields, "duration_ms": duration_ms})


class AccessLog:
    """One log line per request (``log_request``); an exception that escapes is logged
    as status 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        with logs.bound():  # what a handler binds (article id) stays in this request
            try:
                await self.app(scope, receive, sending)
            finally:
                log_request(scope, status, started)
