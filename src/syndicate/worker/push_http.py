"""One push over HTTP, to an address checked as it is connected to (issue 19).

A push URL is someone else's input: ``push_target`` refuses what is not a plain http(s)
URL, ``pinned_address`` resolves its host and refuses every answer that is not a public
address (push/address.py) unless the operator allowed its network, and ``post`` connects
to that very address (the URL's host name goes in ``Host`` and, over TLS, in SNI and the
certificate check), so a name that resolves to something else a moment later (DNS
rebinding) changes nothing. No redirect is followed, and proxies from the environment are
ignored (a proxy would connect on its own terms). The name is resolved again for every
attempt: an address refused now may be refused later, and a move is followed.

httpx's timeouts bound each read, not the request: a receiver sending a byte now and then
would hold a push thread for ever, past the attempt's lease, so that further attempts to
it took more threads. So a watchdog cuts the connection once the whole request has taken
twice the timeout (``DEADLINE_TIMEOUTS``; the lease, worker/push.py, is longer).
"""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from syndicate.push.address import Network, address_problem
from syndicate.push.payload import USER_AGENT
from syndicate.push.rules import ANSWER_KEPT_CHARS, Answer

MAX_URL_CHARS: Final = 2000
DEADLINE_TIMEOUTS: Final = 2.0  # a whole request may take this many timeouts
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


class Forbidden(Exception):
    """A push URL or address a push may not reach."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked push URL in pieces: the host is connected to by address, named in Host."""

    scheme: str
    host: str  # without brackets
    port: int
    path: str  # path and query, at least "/"

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    def url_at(self, ip: str) -> str:
        """The URL with the host replaced by ``ip``."""
        at = f"[{ip}]" if ":" in ip else ip
        return f"{self.scheme}://{at}:{self.port}{self.path}"


def _pieces(split: SplitResult) -> Target:
    if split.scheme not in _DEFAULT_PORTS:
        raise Forbidden("must be an http:// or https:// URL")
    if not split.hostname:
        raise Forbidden("has no host")
    if split.username is not None or split.password is not None:
        raise Forbidden("must not carry credentials (the signature authenticates a push)")
    try:
        port = split.port or _DEFAULT_PORTS[split.scheme]
    except ValueError:
        raise Forbidden("has a port that is not a number from 1 to 65535") from None
    path = (split.path or "/") + (f"?{split.query}" if split.query else "")
    return Target(split.scheme, split.hostname, port, path)


def push_target(url: str) -> Target:
    """The pieces of a push URL; ``Forbidden`` says what is wrong with it."""
    if len(url) > MAX_URL_CHARS or not url.isascii() or any(c.isspace() for c in url):
        raise Forbidden(f"must be at most {MAX_URL_CHARS} ASCII characters without spaces")
    try:
        return _pieces(urlsplit(url))
    except ValueError as exc:  # urlsplit refuses a malformed IPv6 host
        raise Forbidden(f"is not a URL: {exc}") from None


def pinned_address(target: Target, allowed: Sequence[Network]) -> str:
    """The address to connect to: the first the host resolves to, once every one of them
    is allowed (``Forbidden`` otherwise); ``OSError`` when the name does not resolve."""
    found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    for address in addresses:
        problem = address_problem(address, allowed)
        if problem is not None:
            raise Forbidden(f"{target.host}: {problem}")
    if not addresses:
        raise OSError(f"{target.host} resolves to no address")
    return addresses[0]


def url_problem(url: str, allowed: Sequence[Network]) -> str | None:
    """Why ``url`` cannot be a push URL now, or None (the CLI asks before saving one)."""
    try:
        pinned_address(push_target(url), allowed)
    except Forbidden as exc:
        return f"{url!r}: {exc}"
    except OSError as exc:
        return f"{url!r}: cannot resolve its host ({exc})"
    return None


@functools.lru_cache(maxsize=4)
def _client(pid: int) -> httpx.Client:
    """One client per process (thread-safe), no connection kept: every attempt connects
    to the address it has just checked."""
    limits = httpx.Limits(max_keepalive_connections=0)
    return httpx.Client(follow_redirects=False, trust_env=False, limits=limits)


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[dict[str, Any]]:
    """Request extensions that note the connection made (httpcore's trace), and a timer
    that shuts its socket down after ``seconds``: whatever read or write is under way then
    fails, and the request with it."""
    sockets: list[socket.socket] = []

    def trace(event: str, info: dict[str, Any]) -> None:
        if event == "connection.connect_tcp.complete":
            sockets.append(info["return_value"].get_extra_info("socket"))

    def cut() -> None:
        for sock in sockets:
            with contextlib.suppress(OSError):  # closed meanwhile
                sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(seconds, cut)
    timer.daemon = True
    timer.start()
    try:
        yield {"trace": trace}
    finally:
        timer.cancel()


def _kept(response: httpx.Response) -> str:
    """The start of an answer's body (decoded leniently), for a dead letter."""
    read = b""
    try:
        for chunk in response.iter_raw():
            read += chunk
            if len(read) >= ANSWER_KEPT_CHARS:
                break
    except httpx.HTTPError:  # the status is what counts; keep what came
        pass
    return read[:ANSWER_KEPT_CHARS].decode("utf-8", errors="replace")


def _request(
    method: str,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    at: tuple[Sequence[Network], float],
    keep_body: bool,
) -> Answer:
    """One request to ``url`` at the address checked now; the answer (its body's start
    when refused, or when ``keep_body``), or why none came."""
    allowed, timeout = at
    try:
        target = push_target(url)
        address = pinned_address(target, allowed)
    except Forbidden as exc:
        return Answer(None, f"push URL {exc}", forbidden=True)
    except OSError as exc:
        return Answer(None, f"cannot resolve the push URL's host: {exc}")
    sent = {**headers, "Host": target.host_header}
    sni = {"sni_hostname": target.host} if target.scheme == "https" else {}
    client = _client(os.getpid())
    with _deadline(DEADLINE_TIMEOUTS * timeout) as watched:
        request = client.build_request(
            method,
            target.url_at(address),
            content=body,
            headers=sent,
            timeout=timeout,
            extensions={**sni, **watched},
        )
        return _send(client, request, keep_body, timeout)


def _send(client: httpx.Client, request: httpx.Request, keep_body: bool, timeout: float) -> Answer:
    """Send ``request``; its answer (its body's start when refused, or when ``keep_body``),
    or why none came."""
    try:
        response = client.send(request, stream=True)
        try:
            kept = _kept(response) if keep_body or not response.is_success else ""
        finally:
            response.close()
        return Answer(response.status_code, None, response.headers.get("retry-after"), kept)
    except httpx.TimeoutException:
        return Answer(None, f"no answer within {timeout:g} s")
    except httpx.HTTPError as exc:
        return Answer(None, f"{type(exc).__name__}: {exc}")


def post(
    url: str, body: bytes, headers: Mapping[str, str], allowed: Sequence[Network], timeout: float
) -> Answer:
    """POST ``body`` to ``url`` at the address checked now."""
    return _request("POST", url, body, headers, (allowed, timeout), keep_body=False)


def get(url: str, query: Mapping[str, str], allowed: Sequence[Network], timeout: float) -> Answer:
    """GET ``url`` with ``query`` added to its own, keeping the answer's body (a WebSub
    verification reads the challenge back)."""
    split = urlsplit(url)
    pairs = [*parse_qsl(split.query, keep_blank_values=True), *query.items()]
    asked = urlunsplit(split._replace(query=urlencode(pairs)))
    return _request("GET", asked, b"", {"User-Agent": USER_AGENT}, (allowed, timeout), True)
