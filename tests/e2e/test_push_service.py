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
from collections.abc import Callable, Iterator
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
from push_receivers import (
    Received,
    Receiver,
    always,
    fails_first,
    hangs_after,
    hangs_first,
    holds,
    receivers,
)
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
    redis_dir: Path
    client: Redis
    env: dict[str, str]
    settings: Settings
    processes: Processes
    worker: Any
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
    redis = start_redis_server(directory)  # AOF, fsync always: as the service requires
    env = service_env(redis.url, partial_models_dir, **PUSH_ENV)
    settings = load_settings({**env, "SYNDICATE_CONFIG": "/nonexistent.toml"})
    processes, port = Processes(directory), free_port()
    stack = Stack(redis, directory, connect(redis.url), env, settings, processes, None, None, "")
    stack.base = f"http://127.0.0.1:{port}"
    try:
        stack.worker = processes.worker(env)
        stack.push_worker = processes.push_worker(env)
        processes.server(env | {"SYNDICATE_PUBLIC_BASE_URL": f"http://x:{port}"}, port)
        yield stack
    finally:
        stack.client.close()
        processes.stop_all()
        stack.redis.stop()  # the one running now (a test may have restarted it)


def _article(index: int) -> Article:
    base = parse_article(json.loads(SAMPLE.read_text("utf-8")))
    return replace(base, id=f"push-{index}", targets=("ar",))


def _published(client: Redis, article: Article) -> bool:
    states = articles.get_status(client, article.id)[1]
    done = {"published", "withdrawn"}
    return all(s.version == article.version and str(s.state) in done for s in states.values())


def _by_item(got: list[Received]) -> dict[str, list[int]]:
    """The versions of each item a receiver accepted, by "article:language", in the order
    accepted, each delivery once (a repeat of one is checked apart)."""
    versions: dict[str, list[int]] = defaultdict(list)
    for delivery in dict.fromkeys(r.delivery for r in got):
        guid, version = delivery.rsplit(":", 1)
        versions[":".join(guid.split(":")[-2:])].append(int(version))
    return dict(versions)


def _repeated(got: list[Received]) -> set[str]:
    """The deliveries a receiver accepted more than once."""
    seen = [r.delivery for r in got]
    return {d for d in seen if seen.count(d) > 1}


def _restart_push_worker(stack: Stack) -> None:
    """SIGKILL to the whole push worker (mid-request), and a new one."""
    Processes.kill(stack.push_worker)
    stack.push_worker = stack.processes.push_worker(stack.env)


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
        _post_in_turn(stack, update, kill, after=first)
        wait_for(lambda: _published(stack.client, kill), 60, "the kill published")
        for name, receiver in (("ok", ok), ("flaky", flaky), ("hangs", hangs)):
            wait_for(lambda r=receiver: len({a.delivery for a in r.accepted()}) == 6, 90, name)
            got = receiver.accepted()
            assert _by_item(got) == {"push-1:en": [1, 2, 3], "push-1:ar": [1, 2, 3]}, name
            assert all(r.signed_with(secrets[name], time.time()) for r in got), name
            assert _repeated(got) <= unrecorded[name], name  # a 2xx the kill left unrecorded
        held = [r for r in hangs.received if r.answered == 0]
        assert len(held) == 1 and held[0].delivery in {r.delivery for r in hangs.accepted()}
        wait_for(lambda: _states(stack, "gone") == {"dead": 6}, 60, "each delivery to 410 dead")
        assert len({r.delivery for r in gone.received}) == 6
        assert _repeated(gone.received) <= unrecorded["gone"]  # a 410 is never retried
        _replayed_once_fixed(stack, gone, len(unrecorded["flaky"]))


def _replayed_once_fixed(stack: Stack, gone: Receiver, flaky_unrecorded: int) -> None:
    """The dead letters, read over HTTP with the operator token, sent again by
    ``syndicate deliveries replay`` once the receiver takes them: in version order."""
    dead = _dead_letters(stack, "gone")
    assert len(dead) == 6 and {d["response"]["status"] for d in dead} == {410}
    _metrics_and_logs_tell(stack, flaky_unrecorded)
    gone.script = always(200)
    _run_cli(["deliveries", "replay", "gone"], stack.settings)
    wait_for(lambda: len({a.delivery for a in gone.accepted()}) == 6, 60, "the replay")
    assert _by_item(gone.accepted()) == {"push-1:en": [1, 2, 3], "push-1:ar": [1, 2, 3]}


def _metrics_and_logs_tell(stack: Stack, flaky_unrecorded: int) -> None:
    """What the attempts wrote: per partner in ``/metrics`` (counts by state, latency,
    dead letters, lag) and one ``push`` log line each, a dead one as a warning. A first
    500 the kill left unrecorded is not counted: its retry was the delivery's 2xx."""
    operator = {"Authorization": f"Bearer {PUSH_ENV['SYNDICATE_OPERATOR_TOKEN']}"}
    text = httpx.get(f"{stack.base}/metrics", headers=operator, timeout=10).text
    series = dict(line.rsplit(" ", 1) for line in text.splitlines() if line[:1] != "#")
    total = 'syndicate_push_deliveries_total{partner="%s",state="%s"}'
    assert float(series[total % ("ok", "delivered")]) >= 6
    retried = float(series[total % ("flaky", "retrying")])  # each version's first 500
    assert retried >= 6 - flaky_unrecorded
    assert float(series['syndicate_push_latency_seconds_count{partner="ok"}']) >= 6
    assert float(series['syndicate_push_dead_letters{partner="gone"}']) == 6
    assert float(series['syndicate_push_deliveries{partner="gone",state="dead"}']) == 6
    assert 'syndicate_push_lag_seconds{partner="ok"}' in series
    logs = [stack.processes.log_of(p) for p in stack.processes.started]
    whole = [x for log in logs for x in log.splitlines() if x[:1] == "{" and x[-1:] == "}"]
    lines = [json.loads(x) for x in whole]  # a line the kill cut short is left out
    dead = [x for x in lines if x.get("event") == "push" and x.get("partner") == "gone"]
    assert dead and {(x["level"], x["state"]) for x in dead} == {("warning", "dead")}


def _subscribe(stack: Stack, callback: Receiver) -> str:
    """A partner's key subscribes ``callback`` to the English RSS feed; the push target of
    its distributions once a push worker verified the intent."""
    added = _run_cli(["partners", "add", "reader", "--languages", "en", "--json"], stack.settings)
    topic = stack.base.replace("127.0.0.1", "x") + "/v1/feeds/en.rss"
    form = {"hub.mode": "subscribe", "hub.topic": topic, "hub.callback": callback.url}
    form["hub.secret"] = "reader-secret"
    headers = {"Authorization": f"Bearer {json.loads(added)['key']}"}
    answer = httpx.post(f"{stack.base}/v1/websub", data=form, headers=headers, timeout=10)
    assert answer.status_code == 202, answer.text
    subs = wait_for(lambda: websub.subscribers(stack.client, "en", "rss", time.time()), 60, "sub")
    assert callback.verified[0]["hub.mode"] == "subscribe"
    return subs[0].target


def _dead_letters(stack: Stack, partner: str) -> list[dict[str, Any]]:
    """The partner's dead deliveries, read over HTTP with the operator token."""
    operator = {"Authorization": f"Bearer {PUSH_ENV['SYNDICATE_OPERATOR_TOKEN']}"}
    url = f"{stack.base}/v1/partners/{partner}/deliveries?state=dead"
    dead: list[dict[str, Any]] = httpx.get(url, headers=operator, timeout=10).json()["deliveries"]
    return dead


def test_websub_and_a_replay_reach_their_receivers_through_push_worker_kills(
    stack: Stack,
) -> None:
    with receivers(hangs_first(), always(410)) as (callback, refused):
        target = _subscribe(stack, callback)
        secret = stack.add_partner("refused", refused.url, "ninjs")
        stack.post(_article(2))
        wait_for(lambda: callback.hanging() == 1, 60, "a distribution to hang")
        unrecorded = _in_flight(stack.client, [target, "refused"])
        _restart_push_worker(stack)  # mid-distribution
        wait_for(lambda: len(_dead_letters(stack, "refused")) == 2, 60, "both dead")
        assert {d["response"]["status"] for d in _dead_letters(stack, "refused")} == {410}
        refused.script = hangs_after(len(refused.received))  # the replay's first POST hangs
        _run_cli(["deliveries", "replay", "refused"], stack.settings)
        wait_for(lambda: refused.hanging() == 1, 60, "a replayed delivery to hang")
        again = _in_flight(stack.client, ["refused"])
        _restart_push_worker(stack)  # mid-replay
        wait_for(lambda: len({a.delivery for a in refused.accepted()}) == 2, 90, "the replay")
        got = refused.accepted()
        assert _by_item(got) == {"push-2:en": [1], "push-2:ar": [1]}
        assert all(r.signed_with(secret, time.time()) for r in got)
        assert _repeated(got) <= unrecorded["refused"] | again["refused"]
        wait_for(lambda: any(b"push-2" in r.body for r in callback.accepted()), 90, "the feed")
        (hung,) = [r.delivery for r in callback.received if r.answered == 0]
        assert hung in {r.delivery for r in callback.accepted()} and hung in unrecorded[target]
        for got_feed in callback.accepted():
            expected = hmac.new(b"reader-secret", got_feed.body, hashlib.sha256).hexdigest()
            assert got_feed.headers["x-hub-signature"] == f"sha256={expected}"
            assert '; rel="self"' in got_feed.headers["link"]


def _states(stack: Stack, partner: str) -> dict[str, int]:
    counts = pushes.queue_of(stack.client, partner, datetime.now(UTC)).states
    return {state: n for state, n in counts.items() if n}


def _revived(stack: Stack) -> None:
    """A worker that exited on the lost connection started again, as a supervisor would
    (Celery 5.7 may exit then: docs/operations.md, "Durability")."""
    if stack.worker.poll() is not None:
        stack.worker = stack.processes.worker(stack.env)
    if stack.push_worker.poll() is not None:
        stack.push_worker = stack.processes.push_worker(stack.env)


def _restart_redis(stack: Stack, meanwhile: Receiver) -> None:
    """kill -9 of redis-server, ``meanwhile`` answering its held POSTs while Redis is
    away, and redis-server started again on its port and directory (its AOF)."""
    stack.redis.crash()
    meanwhile.released.set()
    stack.client.close()
    stack.redis = start_redis_server(stack.redis_dir, port=stack.redis.port)
    stack.client = connect(stack.redis.url)


def _reviving(stack: Stack, check: Callable[[], bool]) -> Callable[[], bool]:
    def poll() -> bool:
        _revived(stack)
        return check()

    return poll


def _post_in_turn(stack: Stack, *articles: Article, after: Article | None = None) -> None:
    """Each version posted once the one before (``after`` before the first) is published
    in every language."""
    for before, article in zip((after, *articles), articles, strict=False):
        if before is not None:
            wait_for(_reviving(stack, lambda b=before: _published(stack.client, b)), 120, "it")
        stack.post(article)


def _all_delivered(stack: Stack, names: list[str], count: int) -> bool:
    """Each partner's deliveries recorded delivered (a receiver counts a 2xx before the
    push worker has recorded it)."""
    return all(_states(stack, name) == {"delivered": count} for name in names)


def _waiting(stack: Stack) -> bool:
    """Every delivery to "steady" done; to "down" and "held" (503 so far), each version 1
    retrying and each version 2 pending behind it."""
    waiting = {"retrying": 2, "pending": 2}
    return (
        _states(stack, "steady") == {"delivered": 4}
        and _states(stack, "down") == waiting
        and _states(stack, "held") == waiting
    )


def test_no_delivery_is_lost_or_sent_again_across_a_redis_restart(stack: Stack) -> None:
    with receivers(always(200), always(503), always(503)) as found:
        names = dict(zip(("steady", "down", "held"), found, strict=True))
        secrets = {name: stack.add_partner(name, r.url, "ninjs") for name, r in names.items()}
        first = _article(3)
        _post_in_turn(stack, first, replace(first, version=2, headline="The road reopens"))
        wait_for(lambda: _waiting(stack), 90, "deliveries delivered, retrying and pending")
        names["held"].script = holds()  # its next attempts stay in flight until released
        wait_for(lambda: names["held"].holding() == 2, 60, "two attempts in flight")
        unrecorded = _in_flight(stack.client, list(names))
        _restart_redis(stack, names["held"])  # the held ones answer 200 while Redis is away
        names["down"].script = always(200)
        _post_in_turn(stack, _article(4))  # and a new item after the restart
        expected = {"push-3:en": [1, 2], "push-3:ar": [1, 2], "push-4:en": [1], "push-4:ar": [1]}
        for name, receiver in names.items():
            done = _reviving(stack, lambda r=receiver: len({a.delivery for a in r.accepted()}) == 6)
            wait_for(done, 120, f"{name}: every delivery")
            got = receiver.accepted()
            assert _by_item(got) == expected, name
            assert all(r.signed_with(secrets[name], time.time()) for r in got), name
            assert _repeated(got) <= unrecorded[name], name
        assert not unrecorded["steady"] and len(unrecorded["held"]) == 2
        wait_for(lambda: _all_delivered(stack, list(names), 6), 60, "each 2xx recorded")
