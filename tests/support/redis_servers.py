"""Private redis-server processes for tests: on a free loopback port, by default as the
API requires its store (an append-only file fsynced before every answer), so a server
stopped, or killed, and started again there keeps every answered write."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from syndicate.cli.launcher import free_port
from syndicate.store.client import answers_ping

__all__ = ["RedisServer", "free_port", "start_redis_server"]

START_SECONDS = 15.0


@dataclass
class RedisServer:
    """A redis-server child process listening on loopback."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def crash(self) -> None:
        """kill -9: no AOF rewrite, no final fsync; what is on disk is all that survives."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_redis_server(
    directory: Path, *, port: int | None = None, persistent: bool = True
) -> RedisServer:
    """Start ``redis-server`` on a free port (or ``port``); return once it PINGs.

    ``persistent`` keeps an append-only file in ``directory``, fsynced before each answer,
    so a server stopped or killed and started again there still holds what it answered;
    without it the API warns at start (or refuses, with require_durable_store). A port
    taken between choosing and binding makes the server exit: try another one.
    """
    for _ in range(3):
        chosen = port or free_port()
        command = ["redis-server", "--port", str(chosen), "--bind", "127.0.0.1"]
        command += ["--save", "", "--dir", str(directory)]
        command += (
            ["--appendonly", "yes", "--appendfsync", "always"]
            if persistent
            else ["--appendonly", "no"]
        )
        process = subprocess.Popen(
            command, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        server = RedisServer(process, chosen)
        deadline = time.monotonic() + START_SECONDS
        while process.poll() is None and time.monotonic() < deadline:
            if answers_ping(server.url):
                return server
            time.sleep(0.02)  # polling interval, bounded by the deadline
        server.stop()
    raise RuntimeError("redis-server did not answer PING (is it on PATH?)")
