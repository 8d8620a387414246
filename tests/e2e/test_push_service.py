"""Push syndication end to end: a real redis-server, a worker, a push worker and the API as
subprocesses, partners added with the CLI, and real HTTP receivers on loopback that answer
2xx, 500 then 2xx, 410, or hang. Every item version reaches every healthy receiver, in
version order, signed; the push worker is killed with SIGKILL in the middle of a delivery,
nothing is lost, and a receiver gets a delivery it answered 2xx again only if the kill
came before that answer was recorded (and then with the same X-Syndicate-Delivery)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import Redis

from syndicate.cli import main as cli
from syndicate.config import Settings, load_settings
from syndicate.news.article import Article, ArticleStatus, parse_article
from syndicate.store import articles, pushes, websub
from syndicate.store.client import connect
from syndicate.worker.app import create_app
from syndicate.worker.submit import submit

from e2e_processes import Processes, service_env, wait_for
from push_receivers import Received, Receiver, always, fails_first, hangs_first, receivers
from redis_servers import RedisServer, free_port, start_redis_server

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
PUSH_ENV = {
    "SYNDICATE_DEFAULT_TARGETS": "ar",
    "SYNDICATE_PUSH_ALLOW_NETWORKS": "127.0.0.0/8",
    "SYNDICATE_PUSH_TIMEOUT": "3",
    "SYNDICATE_PUSH_RETRY_WINDOW": "60",
    "SYNDICATE_PUSH_BACKOFF_MAX": "2",
    "SYNDICATE_OPERATOR_TOKEN": "operator-test-token",
}


@dataclass
class Stack:
    redis: RedisServer
    client: Redis
    env: dict[str, str]
    settings: Settings
    processes: Processes
    push_worker: Any
    base: str

    def post(self, article: Article) -> None:
        celery_app = create_app(self.settings)
        try:
            submit(self.client, celery_app, article, ("ar",), datetime.now(UTC))
        finally:
            celery_app.close()

    def add_partner(self, name: str, url: str, fmt: str) -> str:
        argv = ["partners", "add", name, "--languages", "en,ar", "--push-url", url]
        out = _run_cli([*argv, "--push-format", fmt, "--json"], self.settings)
        secret: str = json.loads(out)["push_secret"]
        return secret


def _run_cli(argv: list[str], settings: Settings) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert cli.main(argv, settings) == 0
    return buffer.getvalue()


@pytest.fixture(scope="module")
def stack(partial_models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    directory = tmp_path_factory.mktemp("push")
    redis = start_redis_server(directory)
    env = service_env(redis.url, partial_models_dir, **PUSH_ENV)
    settings = load_settings({**env, "SYNDICATE_CONFIG": "/nonexistent.toml"})
    processes = Processes(directory)
    port = free_port()
    try:
        processes.worker(env)
        push_worker = processes.push_worker(env)
        processes.server(env | {"SYNDICATE_PUBLIC_BASE_URL": f"http://x:{port}"}, port)
        client = connect(redis.url)
        yield Stack(
            redis, client, env, settings, processes, push_worker, f"http://127.0.0.1:{port}"
        )
        client.close()
    finally:
        processes.stop_all()
        redis.stop()


def _article(index: int) -> Article:
    base = parse_article(json.loads(SAMPLE.read_text("utf-8")))
    return replace(base, id=f"push-{index}", targets=("ar",))


def _published(client: Redis, article: Article) -> bool:
    states = articles.get_status(client, article.id)[1]
    done = {"published", "withdrawn"}
    return all(s.version == article.version and str(s.state) in done for s in states.values())


def _by_item(got: list[Received]) -> dict[str, list[int]]:
    """The versions of each item a receiver accepted, by language, in the order accepted,
    each delivery once (a repeat of one is checked apart)."""
    versions: dict[str, list[int]] = defaultdict(list)
    for delivery in dict.fromkeys(r.delivery for r in got):
        guid, version = delivery.rsplit(":", 1)
        versions[guid.rsplit(":", 1)[1]].append(int(version))
    return dict(versions)


def _in_flight(client: Redis, names: list[str]) -> dict[str, set[str]]:
    """Each partner's deliveries not yet recorded as final: the only ones a receiver may
    get again after a kill (a 2xx it answered that the killed worker did not record)."""
    return {
        name: {
            d.ref.delivery_id
            for d in pushes.list_deliveries(client, name, 50)
            if d.state == "delivering"
        }
        for name in names
    }


def test_every_version_reaches_every_healthy_receiver_once_in_order_through_a_kill(
    stack: Stack,
) -> None:
    with receivers(always(200), fails_first(1), always(410), hangs_first()) as found:
        ok, flaky, gone, hangs = found
        scripts: list[tuple[str, Receiver, str]] = [
            ("ok", ok, "ninjs"),
            ("flaky", flaky, "newsml"),
            ("gone", gone, "ninjs"),
            ("hangs", hangs, "rss-item"),
        ]
        secrets = {name: stack.add_partner(name, r.url, fmt) for name, r, fmt in scripts}
        first = _article(1)
        stack.post(first)
        wait_for(lambda: hangs.hanging() == 1, 60, "a delivery to hang")
        Processes.kill(stack.push_worker)  # SIGKILL to the whole push worker mid-request
        unrecorded = _in_flight(stack.client, [name for name, _, _ in scripts])
        stack.push_worker = stack.processes.push_worker(stack.env)
        update = replace(first, version=2, headline="Floods: the road reopens")
        kill = replace(first, version=3, status=ArticleStatus.WITHDRAWN)
        for before, article in ((first, update), (update, kill)):
            wait_for(lambda b=before: _published(stack.client, b), 60, "the version before")
            stack.post(article)
        wait_for(lambda: _published(stack.client, kill), 60, "the kill published")
        for name, receiver in (("ok", ok), ("flaky", flaky), ("hangs", hangs)):
            wait_for(lambda r=receiver: len({a.delivery for a in r.accepted()}) == 6, 90, name)
            got = receiver.accepted()
            assert _by_item(got) == {"en": [1, 2, 3], "ar": [1, 2, 3]}, name
            assert all(r.signed_with(secrets[name], time.time()) for r in got), name
            again = {r.delivery for r in got if [a.delivery for a in got].count(r.delivery) > 1}
            assert again <= unrecorded[name], name  # only a 2xx the kill left unrecorded
        held = [r for r in hangs.received if r.answered == 0]
        assert len(held) == 1 and held[0].delivery in {r.delivery for r in hangs.accepted()}
        wait_for(
            lambda: {d.state for d in pushes.list_deliveries(stack.client, "gone", 10)} == {"dead"},
            60,
            "every delivery to the 410 receiver dead",
        )
        sent = [r.delivery for r in gone.received]  # a 410 is never retried
        assert len(set(sent)) == 6
        assert {d for d in sent if sent.count(d) > 1} <= unrecorded["gone"]
        _replayed_once_fixed(stack, gone)


def _replayed_once_fixed(stack: Stack, gone: Receiver) -> None:
    """The dead letters, read over HTTP with the operator token, sent again by
    ``syndicate deliveries replay`` once the receiver takes them: in version order."""
    operator = {"Authorization": f"Bearer {PUSH_ENV['SYNDICATE_OPERATOR_TOKEN']}"}
    url = f"{stack.base}/v1/partners/gone/deliveries?state=dead"
    dead = httpx.get(url, headers=operator, timeout=10).json()["deliveries"]
    assert len(dead) == 6 and {d["response"]["status"] for d in dead} == {410}
    gone.script = always(200)
    _run_cli(["deliveries", "replay", "gone"], stack.settings)
    wait_for(lambda: len({a.delivery for a in gone.accepted()}) == 6, 60, "the replay")
    assert _by_item(gone.accepted()) == {"en": [1, 2, 3], "ar": [1, 2, 3]}


def test_websub_verifies_the_intent_then_pushes_the_changed_feed_signed(stack: Stack) -> None:
    key = json.loads(
        _run_cli(["partners", "add", "reader", "--languages", "en", "--json"], stack.settings)
    )["key"]
    topic = stack.base.replace("127.0.0.1", "x") + "/v1/feeds/en.rss"
    with receivers(always(204)) as (callback,):
        form = {"hub.mode": "subscribe", "hub.topic": topic, "hub.callback": callback.url}
        form["hub.secret"] = "reader-secret"
        headers = {"Authorization": f"Bearer {key}"}
        answer = httpx.post(f"{stack.base}/v1/websub", data=form, headers=headers, timeout=10)
        assert answer.status_code == 202, answer.text
        wait_for(lambda: websub.subscribers(stack.client, "en", "rss", time.time()), 60, "verified")
        assert callback.verified[0]["hub.mode"] == "subscribe"
        stack.post(_article(2))
        wait_for(lambda: any(b"push-2" in r.body for r in callback.received), 60, "the feed")
        got = next(r for r in callback.received if b"push-2" in r.body)
        expected = hmac.new(b"reader-secret", got.body, hashlib.sha256).hexdigest()
        assert got.headers["x-hub-signature"] == f"sha256={expected}"
        assert f'<{topic}>; rel="self"' in got.headers["link"]
