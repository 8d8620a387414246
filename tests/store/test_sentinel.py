"""Past one Redis (issue 20): the store and Celery on a master named by Redis Sentinel, a
client that finds the promoted replica by itself after the master is killed, and writes
acknowledged only once they reached the required replicas (WAIT)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from syndicate.errors import NotReplicated, SettingsInvalid, StoreUnavailable
from syndicate.news.states import LanguageState
from syndicate.store import articles, server
from syndicate.store.client import connect, read_sentinels
from syndicate.worker.app import create_app
from syndicate.worker.routing import DEFAULT_QUEUE, INGEST

from api_support import TestClient, api_app, api_settings, article_data, post, queued_messages
from redis_servers import start_redis_server
from sentinels import MASTER, SentinelSet, start_replica, start_sentinel_set

FAILOVER_SECONDS = 30.0  # 500 ms to judge the master down, then the election, on a busy machine


@pytest.fixture(scope="module")
def sentinel_set(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SentinelSet]:
    """One set for the module: its last test kills the master."""
    found = start_sentinel_set(tmp_path_factory.mktemp("sentinel"))
    yield found
    found.stop()


def test_a_sentinel_url_is_read_as_kombu_reads_it() -> None:
    found = read_sentinels("sentinel://:s3cret@h1:26380/2;sentinel://h2;sentinel://h3:1")
    assert found.hosts == (("h1", 26380), ("h2", 26379), ("h3", 1))
    assert (found.db, found.password) == (2, "s3cret")
    with pytest.raises(SettingsInvalid, match="'redis://h4' is not sentinel://host:port"):
        read_sentinels("sentinel://h1;redis://h4")


def test_store_and_celery_write_to_the_master_the_sentinels_name(
    sentinel_set: SentinelSet,
) -> None:
    client = connect(sentinel_set.url, MASTER)
    client.set("syn:probe", "1")
    master = Redis(port=sentinel_set.master.port)
    assert master.get("syn:probe") == b"1"
    where = server.topology(client)
    assert where.master == f"127.0.0.1:{sentinel_set.master.port}"
    assert (where.master_name, where.replicas) == (MASTER, 1)
    assert where.sentinels == tuple(f"127.0.0.1:{p}" for p in sentinel_set.sentinel_ports)
    settings = api_settings(sentinel_set.url, redis_master=MASTER)
    app = create_app(settings)
    try:
        app.tasks[INGEST].apply_async(("sentinel-1", 1, "en"))
    finally:
        app.close()
    assert master.llen(DEFAULT_QUEUE) == 1  # kombu's sentinel:// transport, on the master


def test_a_write_waits_for_its_replicas_or_is_not_acknowledged(tmp_path: Path) -> None:
    (tmp_path / "master").mkdir()
    master = start_redis_server(tmp_path / "master")
    replica = start_replica(tmp_path / "replica", master)
    try:
        enough = connect(master.url, min_replicas=1, wait_ms=2000)
        enough.set("syn:probe", "1")
        server.confirm_replicated(enough)
        replica.crash()
        started = time.monotonic()
        with pytest.raises(NotReplicated, match="reached 0 of 1 replicas in 100 ms"):
            server.confirm_replicated(connect(master.url, min_replicas=1, wait_ms=100))
        assert time.monotonic() - started < 5
    finally:
        for process in (replica, master):
            if process.process.poll() is None:
                process.crash()


def test_a_post_not_replicated_is_503_and_whole_and_its_replay_acknowledged(
    tmp_path: Path,
) -> None:
    (tmp_path / "master").mkdir()
    master = start_redis_server(tmp_path / "master")
    replica = start_replica(tmp_path / "replica", master)
    store = connect(master.url)
    try:
        data = article_data(id="replicated-1")
        with TestClient(api_app(api_settings(master.url, redis_min_replicas=2))) as api:
            refused = post(api, data)
        assert refused.status_code == 503 and refused.headers["retry-after"]
        assert "reached 1 of 2 replicas" in refused.json()["reason"]
        item, states = articles.get_status(store, "replicated-1")  # stored whole, or not at all
        assert item.article.version == 1 and set(states) == {"en", "ar"}
        assert {s.state for s in states.values()} == {LanguageState.QUEUED}
        assert queued_messages(store) == 1
        with TestClient(api_app(api_settings(master.url, redis_min_replicas=1))) as api:
            replayed = post(api, data)
        assert replayed.status_code == 200 and replayed.json()["status"] == "known"
        assert queued_messages(store) == 1  # the replay sent nothing twice
        assert Redis(port=replica.port).llen(DEFAULT_QUEUE) == 1
    finally:
        store.close()
        replica.crash()
        master.crash()


def test_after_the_master_is_killed_the_client_writes_to_the_promoted_replica(
    sentinel_set: SentinelSet,
) -> None:
    client = connect(sentinel_set.url, MASTER)
    client.set("syn:probe", "before")
    server.confirm_replicated(connect(sentinel_set.url, MASTER, min_replicas=1))
    before = server.server_run(client)
    sentinel_set.master.crash()
    killed = time.time()
    deadline, written = time.monotonic() + FAILOVER_SECONDS, False
    while not written and time.monotonic() < deadline:
        try:
            written = bool(client.set("syn:probe", "after"))
        except (StoreUnavailable, OSError) as exc:  # the master gone, then READONLY
            assert "READONLY" not in str(exc) or "replica" in str(exc).lower()
            time.sleep(0.1)
        except Exception:
            time.sleep(0.1)  # a connection to the old master fails until Sentinel moves
    assert written, f"no write reached a promoted master within {FAILOVER_SECONDS:.0f} s"
    assert sentinel_set.master_port() == sentinel_set.replica.port
    assert Redis(port=sentinel_set.replica.port).get("syn:probe") == b"after"
    promoted = server.server_run(client)  # a new run: the sweep hands back older deliveries
    assert promoted.run_id != before.run_id and promoted.started >= killed - 1
