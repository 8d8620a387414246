"""Shell fixtures: one private redis-server for the suite (one per xdist worker), flushed
before each test that asks for the ``redis`` client."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from syndicate.store import connect

START_SECONDS = 15.0


@dataclass
class RedisServer:
    """A redis-server child process listening on loopback."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers_ping(server: RedisServer) -> bool:
    client = Redis(port=server.port, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        return bool(client.ping())
    except RedisConnectionError:
        return False
    finally:
        client.close()


def start_redis_server(directory: Path) -> RedisServer:
    """Start ``redis-server`` without persistence on a free port; return once it PINGs.

    A port taken between choosing and binding makes the server exit: try another one.
    """
    for _ in range(3):
        port = _free_port()
        command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(directory)]
        process = subprocess.Popen(
            command, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        server = RedisServer(process, port)
        deadline = time.monotonic() + START_SECONDS
        while process.poll() is None and time.monotonic() < deadline:
            if _answers_ping(server):
                return server
            time.sleep(0.02)  # polling interval, bounded by the deadline
        server.stop()
    raise RuntimeError("redis-server did not answer PING (is it on PATH?)")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = start_redis_server(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def redis(redis_server: RedisServer) -> Iterator[Redis]:
    """A store client on the suite's server, with an empty database."""
    client = connect(redis_server.url)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def throwaway_redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A second server a test may stop (outages); stopped at teardown if still running."""
    server = start_redis_server(tmp_path)
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture(scope="session")
def broker(redis_server: RedisServer) -> RedisServer:
    """Point the Celery app's broker at the suite's redis-server, so code that enqueues
    (api.py, cli.py, tasks.dispatch) sends real messages there; tests may read the queues."""
    from syndicate.celery_app import app

    app.conf.broker_url = redis_server.url
    return redis_server
