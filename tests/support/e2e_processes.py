"""Subprocesses for end-to-end tests: workers and servers started with their own Redis,
models and secrets, killed as whole process trees, and polling with a deadline."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def free_port() -> int:
    """A port free on 127.0.0.1 right now (the server binds it soon after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(check: Callable[[], T | None], seconds: float, what: str) -> T:
    """Poll ``check`` until it returns something truthy, or fail naming ``what``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)  # polling interval, bounded by the deadline
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def tree_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process and all its descendants (Linux ``/proc``)."""
    total, tick, pending = 0.0, os.sysconf("SC_CLK_TCK"), [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for thread in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (thread / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue  # exited meanwhile
    return total


def becomes_idle(pid: int, window: float = 3.0, cpu: float = 0.15) -> Callable[[], bool]:
    """A check for ``wait_for``: true once the process tree used less than ``cpu`` seconds of
    CPU over the last ``window`` seconds: every task in it is blocked, not computing. CPU
    time, unlike wall time, does not stretch when the machine is busy."""
    samples: list[tuple[float, float]] = []

    def check() -> bool:
        now, used = time.monotonic(), tree_cpu_seconds(pid)
        samples.append((now, used))
        while len(samples) > 1 and now - samples[1][0] >= window:
            samples.pop(0)
        start, before = samples[0]
        return now - start >= window and used - before < cpu

    return check


def service_env(redis_url: str, models_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a worker or server under test: its Redis, models and secrets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE_")}
    env |= {
        "SYNDICATE_REDIS_URL": redis_url,
        "SYNDICATE_MODELS_DIR": str(models_dir),
        "SYNDICATE_PROVIDER_DOMAIN": "example.org",
        "SYNDICATE_PROVIDER_NAME": "Example News",
        "SYNDICATE_LOG_FORMAT": "json",
    }
    return env | extra


class Processes:
    """Subprocesses started by a test, each in its own session so a SIGKILL reaches the
    whole tree (a prefork worker's children too); all stopped at teardown."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []
        self.log_files: dict[int, Path] = {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        path = self.logs / f"{name}-{len(self.started)}.log"
        log = path.open("wb")
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.started.append(process)
        self.log_files[process.pid] = path
        return process

    def log_of(self, process: subprocess.Popen[bytes]) -> str:
        return self.log_files[process.pid].read_text("utf-8", errors="replace")

    def worker(self, env: dict[str, str], concurrency: int = 2) -> subprocess.Popen[bytes]:
        """The brief's ``celery -A worker worker``, without ``-Q``: it must consume the
        translate queues of the configured targets by itself."""
        command = [sys.executable, "-m", "celery", "-A", "worker", "worker"]
        command += ["-c", str(concurrency), "-E", "--without-gossip", "--without-mingle"]
        return self.start("worker", command, env)

    def push_worker(self, env: dict[str, str], threads: int = 8) -> subprocess.Popen[bytes]:
        """What ``syndicate worker --push`` runs: the push queue on a pool of threads."""
        command = [sys.executable, "-m", "celery", "-A", "worker", "worker", "-Q", "push"]
        command += ["-P", "threads", "-c", str(threads), "-n", "push@%h", "-E"]
        command += ["--without-gossip", "--without-mingle"]
        return self.start("push-worker", command, env)

    def server(self, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "syndicate.cli", "serve", "--host", "127.0.0.1"]
        return self.start("server", [*command, "--port", str(port)], env)

    @staticmethod
    def kill(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        if process.poll() is None:
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill(process)
