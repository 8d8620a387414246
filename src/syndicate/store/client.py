"""The store's Redis client: connecting, the outage guard, and the value codecs shared by
every store module.

The store's Redis is named by one URL: ``redis://host:port/db`` for one server, or
``sentinel://h1:26379;sentinel://h2:26379;...`` for a master that Redis Sentinel watches
(the master's name given beside it, ``redis_master``): then every connection asks the
sentinels where the master is, and after a failover a client finds the promoted replica
by itself (redis-py's Sentinel client; a connection to a demoted master fails with
READONLY and is dropped). Celery reads the same URL through kombu's ``sentinel://``
transport (worker/app.py). A client also carries how many replicas a write must reach
before it counts (``min_replicas``, store/server.py ``confirm_replicated``).

Every store function takes the client explicitly (``connect``: bytes responses), and is
``guarded``: a connection error or timeout leaves as ``StoreUnavailable``, which the API
maps to 503, the tasks to a retry and the CLI to exit code 1. Modules outside store/
never import redis (tests/test_layers.py); what they need of it is here.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, ParamSpec, TypeVar, cast
from urllib.parse import unquote, urlsplit

import redis
import redis.asyncio
import redis.asyncio.sentinel
import redis.sentinel

# Any other refusal (READONLY, OOM) passes ``guarded`` as it is: callers outside store/
# catch it under this name, so that only the store imports redis.
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError as RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from syndicate.errors import SettingsInvalid, StoreUnavailable
from syndicate.feeds.xml import aware

AsyncClient = redis.asyncio.Redis
DEFAULT_MASTER: Final = "mymaster"  # Sentinel's own example name, and kombu's docs'
SENTINEL_PORT: Final = 26379
CONNECT_SECONDS: Final = 2.0
READ_SECONDS: Final = 5.0
# Asking a sentinel where the master is: one that does not answer fast is skipped.
_SENTINEL_TIMEOUTS: Final = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


class Client(redis.Redis):
    """A store client: redis-py's, with the replicas a write must reach before the store
    reports it done (0: the master's answer suffices)."""

    min_replicas: int = 0
    wait_ms: int = 1000


_P = ParamSpec("_P")
_R = TypeVar("_R")


def guarded(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Callers handle one error for Redis away, whatever the command."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return fn(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            raise StoreUnavailable(f"Redis unavailable: {exc}") from exc

    return wrapper


def guarded_async(fn: Callable[_P, Awaitable[_R]]) -> Callable[_P, Awaitable[_R]]:
    """``guarded`` for the event loop's client (the API's poll path)."""

    @functools.wraps(fn)
    async def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return await fn(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            raise StoreUnavailable(f"Redis unavailable: {exc}") from exc

    return wrapper


@dataclass(frozen=True, slots=True)
class Sentinels:
    """A ``sentinel://`` URL read: the sentinels' addresses, the database and password
    of the master they watch (the first ``/db`` and password given)."""

    hosts: tuple[tuple[str, int], ...]
    db: int = 0
    password: str | None = None


def is_sentinel(url: str) -> bool:
    return url.strip().lower().startswith("sentinel://")


def read_sentinels(url: str) -> Sentinels:
    """``sentinel://[:password@]host:port[/db];sentinel://host:port;...`` as kombu reads
    it; ``SettingsInvalid`` naming the part that is not one."""
    hosts, db, password = [], 0, None
    for part in filter(None, (p.strip() for p in url.split(";"))):
        try:
            parts = urlsplit(part)
            port = parts.port or SENTINEL_PORT
        except ValueError as exc:
            raise SettingsInvalid(f"redis_url: {part!r}: {exc}") from None
        if parts.scheme.lower() != "sentinel" or not parts.hostname:
            raise SettingsInvalid(f"redis_url: {part!r} is not sentinel://host:port")
        hosts.append((parts.hostname, port))
        path = parts.path.strip("/")
        db = int(path) if path.isdigit() and not db else db
        password = password or (unquote(parts.password) if parts.password else None)
    return Sentinels(tuple(hosts), db, password)


def _master(sentinels: Any, url: str, master: str, redis_class: type[Any]) -> Any:
    """A client of ``redis_class`` on the master the sentinels of ``url`` name, through
    ``sentinels`` (redis-py's Sentinel class, blocking or asyncio)."""
    found = read_sentinels(url)
    watch = sentinels(found.hosts, sentinel_kwargs=_SENTINEL_TIMEOUTS)
    return watch.master_for(
        master,
        redis_class=redis_class,
        db=found.db,
        password=found.password,
        socket_connect_timeout=CONNECT_SECONDS,
        socket_timeout=READ_SECONDS,
    )


def connect(
    url: str, master: str = DEFAULT_MASTER, *, min_replicas: int = 0, wait_ms: int = 1000
) -> Client:
    """A client for ``url`` (a ``sentinel://`` URL: for its ``master``) with bytes
    responses and bounded timeouts (fail fast, retry)."""
    if is_sentinel(url):
        client = cast(Client, _master(redis.sentinel.Sentinel, url, master, Client))
    else:
        plain = Client.from_url(
            url, socket_connect_timeout=CONNECT_SECONDS, socket_timeout=READ_SECONDS
        )
        client = cast(Client, plain)  # from_url builds the class it is called on
    client.min_replicas, client.wait_ms = min_replicas, wait_ms
    return client


def connect_async(url: str, master: str = DEFAULT_MASTER) -> AsyncClient:
    """``connect`` for an event loop (the API's poll path reads only)."""
    if is_sentinel(url):
        sentinels = redis.asyncio.sentinel.Sentinel
        return cast(AsyncClient, _master(sentinels, url, master, AsyncClient))
    return AsyncClient.from_url(
        url, socket_connect_timeout=CONNECT_SECONDS, socket_timeout=READ_SECONDS
    )


class LoopClient:
    """An asyncio client for whichever event loop asks: a client's connections belong to
    the loop that opened them, and a test client runs a loop per request. The API's poll
    path reads through it, with no hop through the thread pool."""

    def __init__(self, url: str, master: str = DEFAULT_MASTER) -> None:
        self.url, self.master = url, master
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: AsyncClient | None = None

    def __call__(self) -> AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._loop = loop
            self._client = connect_async(self.url, self.master)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None and self._loop is asyncio.get_running_loop():
            await self._client.aclose()
        self._client = None


@guarded
def is_reachable(client: Client) -> bool:
    """PING for /healthz; raises StoreUnavailable when Redis is away."""
    return bool(client.ping())


def answers_ping(url: str, timeout: float = 0.5, master: str = DEFAULT_MASTER) -> bool:
    """True when a Redis at ``url`` (the master, through Sentinel) answers PING within
    ``timeout`` seconds: the launcher probes a URL that may name no server at all, so
    every failure is just False."""
    try:
        client = connect(url, master)
    except SettingsInvalid:
        return False
    client.connection_pool.connection_kwargs.update(
        socket_connect_timeout=timeout, socket_timeout=timeout
    )
    try:
        return bool(client.ping())
    except (RedisError, OSError, ValueError):
        return False
    finally:
        client.close()


def run_script(client: Client, script: str, keys: Sequence[str], args: Iterable[Any]) -> Any:
    """Run a Lua script of scripts.py, its keys from keys.py passed as ``KEYS``."""
    return client.register_script(script)(keys=keys, args=list(args), client=client)


def encode_time(moment: datetime) -> str:
    """Stored times are ISO 8601 in UTC, so they sort and compare as text."""
    return aware(moment).astimezone(UTC).isoformat()


def decode_time(raw: bytes | str) -> datetime:
    return datetime.fromisoformat(decode_text(raw))


def decode_text(raw: Any) -> str:
    """Replies are bytes (``connect``), script answers may be either."""
    return raw.decode() if isinstance(raw, bytes) else str(raw)
