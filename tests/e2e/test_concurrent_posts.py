"""Accept-and-enqueue is one step (issue 16, item 3): twenty identical signed POSTs fired
at once over real HTTP at the real API, with a real worker behind it, store one version
(one 202, nineteen 200s) and send one ingest, so each language is translated once."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from redis import Redis

from syndicate.api.credentials import SIGNATURE_HEADER, sign
from syndicate.store import ops
from syndicate.store.articles import get_status
from syndicate.store.client import connect
from syndicate.worker.routing import INGEST, TRANSLATE

from e2e_processes import Processes, becomes_idle, free_port, service_env, wait_for
from redis_servers import start_redis_server

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
SECRET = "newsroom-test-secret"
POSTS = 20
TARGETS = ("ar", "tr")


def _body() -> bytes:
    article: dict[str, Any] = json.loads(SAMPLE.read_text("utf-8"))
    article |= {"id": "at-once", "targets": list(TARGETS), "media": []}
    return json.dumps(article).encode()


def _post_together(base: str, body: bytes) -> list[int]:
    """``POSTS`` requests, each on its own connection, released at the same instant."""
    start = threading.Barrier(POSTS)
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, SECRET)}

    def post(_: int) -> int:
        with httpx.Client(timeout=30) as http:
            start.wait()
            return http.post(f"{base}/v1/articles", content=body, headers=headers).status_code

    with ThreadPoolExecutor(POSTS) as pool:
        return sorted(pool.map(post, range(POSTS)))


def _tasks(client: Redis, task: str) -> float:
    return ops.read_metrics(client).get(
        f'syndicate_tasks_total{{state="success",task="{task}"}}', 0
    )


def _settled(client: Redis) -> bool:
    queues = ("syndicate", *(f"translate.{lang}" for lang in TARGETS))
    return not any(client.llen(q) for q in queues) and not client.hlen("unacked")


def test_twenty_identical_posts_at_once_make_one_translation_per_language(
    partial_models_dir: Path, processes: Processes, tmp_path: Path
) -> None:
    redis = start_redis_server(tmp_path)
    client = connect(redis.url)
    port = free_port()
    env = service_env(redis.url, partial_models_dir, SYNDICATE_NEWSROOM_SECRET=SECRET)
    env |= {"SYNDICATE_DEFAULT_TARGETS": ",".join(TARGETS)}
    worker = processes.worker(env)
    processes.server(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=10) as http:
            wait_for(lambda: _up(http, base), 60, "the API and a worker to be up")
        statuses = _post_together(base, _body())
        assert statuses == [200] * (POSTS - 1) + [202]
        done = {"en": "published", **dict.fromkeys(TARGETS, "published")}
        wait_for(lambda: _states(client) == done, 90, "the article published")
        wait_for(lambda: _settled(client), 60, "the queues to drain")
        wait_for(becomes_idle(worker.pid), 60, "the worker to go idle")
        assert _tasks(client, INGEST) == 1
        assert _tasks(client, TRANSLATE) == len(TARGETS)  # one translation per language
        log = [
            json.loads(line) for line in processes.log_of(worker).splitlines() if line[:1] == "{"
        ]
        translated = sorted(r["lang"] for r in log if r.get("event") == "translated")
        assert translated == sorted(TARGETS)
    finally:
        client.close()
        processes.stop_all()
        redis.stop()


def _up(http: httpx.Client, base: str) -> bool:
    try:
        return http.get(f"{base}/healthz").status_code == 200
    except httpx.TransportError:
        return False


def _states(client: Redis) -> dict[str, str]:
    return {lang: str(s.state) for lang, s in get_status(client, "at-once")[1].items()}
