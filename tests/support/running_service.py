"""The whole service as the e2e tests run it: a private redis-server, a worker and the API
under uvicorn as subprocesses, one partner allowed in, and an HTTP client once the API
answers /healthz."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from syndicate.api.credentials import key_digest, new_partner_key
from syndicate.store import partners
from syndicate.store.client import connect
from syndicate.store.partners import Partner

from e2e_processes import Processes, service_env, wait_for
from redis_servers import RedisServer, free_port, start_redis_server

OPERATOR_TOKEN = "operator-test-token"


@dataclass(frozen=True)
class Running:
    base: str
    redis: RedisServer
    partner_key: str
    http: httpx.Client


@contextmanager
def running_service(
    directory: Path,
    models_dir: Path,
    langs: Sequence[str] = ("*",),
    formats: Sequence[str] = ("*",),
    **env: str,
) -> Iterator[Running]:
    """Everything up, with the partner ``agency`` allowed ``langs`` and ``formats``;
    ``env`` adds settings (secrets) to both processes."""
    redis = start_redis_server(directory)
    port = free_port()
    settings = service_env(redis.url, models_dir, **env)
    settings |= {
        "SYNDICATE_OPERATOR_TOKEN": OPERATOR_TOKEN,
        "SYNDICATE_PUBLIC_BASE_URL": f"http://x:{port}",
    }
    processes = Processes(directory)
    try:
        processes.worker(settings)
        processes.server(settings, port)
        key = new_partner_key()
        client = connect(redis.url)
        partner = Partner(
            "agency", key_digest(key), tuple(langs), tuple(formats), datetime.now(UTC)
        )
        partners.add_partner(client, partner)
        client.close()
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(timeout=10) as http:
            wait_for(lambda: _healthy(http, base), 60, "the API and a worker to be up")
            yield Running(base, redis, key, http)
    finally:
        processes.stop_all()
        redis.stop()


def _healthy(http: httpx.Client, base: str) -> bool:
    try:
        return http.get(f"{base}/healthz").status_code == 200
    except httpx.TransportError:
        return False
