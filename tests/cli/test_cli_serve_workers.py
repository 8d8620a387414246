"""`syndicate serve --workers N` (issue 20): N processes share the port, each builds its own
app from the settings; one killed is replaced; SIGTERM stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from redis_servers import RedisServer, free_port

START_SECONDS = 60.0  # two spawned interpreters importing the app on a busy machine


def _spawned(parent: int) -> set[int]:
    """uvicorn's worker processes under ``parent`` (multiprocessing's spawn children)."""
    found = set()
    for pid in subprocess.run(
        ["pgrep", "-P", str(parent)], capture_output=True, text=True
    ).stdout.split():
        cmdline = (
            Path(f"/proc/{pid}/cmdline").read_bytes() if Path(f"/proc/{pid}").exists() else b""
        )
        if b"spawn_main" in cmdline:
            found.add(int(pid))
    return found


def _started(log: Path) -> int:
    return log.read_text("utf-8", errors="replace").count("Application startup complete")


def _wait(what: str, check: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "syndicate serve exited"
        if check():
            return
        time.sleep(0.1)  # polling interval, bounded by the deadline
    raise AssertionError(f"not within {START_SECONDS:.0f} s: {what}")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2.0).status_code == 200
    except httpx.TransportError:
        return False


def test_workers_share_the_port_and_one_killed_is_replaced(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    port, log = free_port(), tmp_path / "serve.log"
    env = {**os.environ, "SYNDICATE_REDIS_URL": redis_server.url, "SYNDICATE_LOG_FORMAT": "json"}
    command = [sys.executable, "-m", "syndicate.cli", "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}/openapi.json"
    with open(log, "wb") as out:
        process = subprocess.Popen([*command, "--workers", "2"], env=env, stderr=out)
    try:
        _wait("two workers started", lambda: _started(log) >= 2 and _answers(url), process)
        first = _spawned(process.pid)
        assert len(first) == 2
        victim = min(first)
        os.kill(victim, signal.SIGKILL)

        def replaced() -> bool:
            return _started(log) >= 3 and len(_spawned(process.pid) - {victim}) == 2

        _wait("the killed worker replaced", replaced, process)
        assert _answers(url)
        workers = _spawned(process.pid)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
