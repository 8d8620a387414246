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
from running_service import running_service

from syndicate.api.credentials import SIGNATURE_HEADER, sign
from syndicate.store import ops
from syndicate.store.articles import get_status
from syndicate.store.client import connect
from syndicate.worker.routing import INGEST, TRANSLATE

from e2e_processes import wait_for

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


def _states(client: Redis) -> dict[str, str]:
    return {lang: str(s.state) for lang, s in get_status(client, "at-once")[1].items()}


def _quiet(client: Redis) -> bool:
    """No message waiting and none in a worker's hands (acks_late: a running task's
    message stays in ``unacked`` until it ends, after it sent what follows it)."""
    queues = ("syndicate", *(f"translate.{lang}" for lang in TARGETS))
    return not any(client.llen(q) for q in queues) and not client.hlen("unacked")


def _successes(client: Redis, task: str) -> float:
    series = f'syndicate_tasks_total{{state="success",task="{task}"}}'
    return ops.read_metrics(client).get(series, 0.0)


def test_twenty_identical_posts_at_once_make_one_translation_per_language(
    partial_models_dir: Path, tmp_path: Path
) -> None:
    env = {"SYNDICATE_NEWSROOM_SECRET": SECRET, "SYNDICATE_DEFAULT_TARGETS": ",".join(TARGETS)}
    with running_service(tmp_path, partial_models_dir, **env) as up:
        client = connect(up.redis.url)
        try:
            assert _post_together(up.base, _body()) == [200] * (POSTS - 1) + [202]
            done = {"en": "published", **dict.fromkeys(TARGETS, "published")}
            wait_for(lambda: _states(client) == done, 90, "the article published")
            wait_for(lambda: _quiet(client), 60, "every message to be done")
            assert _successes(client, INGEST) == 1
            assert _successes(client, TRANSLATE) == len(TARGETS)  # once per language
        finally:
            client.close()
