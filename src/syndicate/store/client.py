"""The store's Redis client: connecting, the outage guard, and the value codecs shared by
every store module.

Every store function takes the client explicitly (``connect``: bytes responses), and is
``guarded``: a connection error or timeout leaves as ``StoreUnavailable``, which the API
maps to 503, the tasks to a retry and the CLI to exit code 1. Modules outside store/
never import redis (tests/test_layers.py); what they need of it is here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

import redis

# Any other refusal (READONLY, OOM) passes ``guarded`` as it is: callers outside store/
# catch it under this name, so that only the store imports redis.
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError as RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from syndicate.errors import StoreUnavailable
from syndicate.feeds.xml import aware

Client = redis.Redis
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


def connect(url: str) -> Client:
    """A client for ``url`` with bytes responses and bounded timeouts (fail fast, retry)."""
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


@guarded
def is_reachable(client: Client) -> bool:
    """PING for /healthz; raises StoreUnavailable when Redis is away."""
    return bool(client.ping())


def answers_ping(url: str, timeout: float = 0.5) -> bool:
    """True when a Redis at ``url`` answers PING within ``timeout`` seconds: the launcher
    probes a URL that may name no server at all, so every failure is just False."""
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
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
