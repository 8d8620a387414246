"""Start, watch and stop the service's processes: Redis, a worker, a push worker and the API.

``syndicate run`` (make run), ``benchmarks/service.py`` and the tests share these steps:
reuse the Redis at the configured URL if it answers PING, else start a private
``redis-server`` on loopback that fsyncs every write (the API requires it); start
``syndicate worker`` and ``syndicate serve``; wait for ``/healthz``; post through the
signed webhook; wait for final states.

Every wait polls with a deadline and notices a child that died, so a broken start fails
in seconds with the child's last log lines instead of hanging. Children run in their own
process group: a Ctrl-C in the terminal reaches only the launcher, which then stops them in
reverse order (API, workers, Redis): SIGTERM, then SIGKILL to the whole group after a
timeout, so no prefork child outlives its worker. A Redis that was merely reused is never
stopped. On Linux each child also gets SIGTERM if the launcher itself dies (even by
SIGKILL), so a killed ``syndicate run`` leaves no server behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from syndicate.api.credentials import SIGNATURE_HEADER, sign_timestamped
from syndicate.clock import system_now
from syndicate.errors import LaunchError
from syndicate.store.client import answers_ping

# in_review waits for an editor (issue 18): final as far as the machine's work goes.
FINAL_STATES: Final = frozenset(
    {"published", "failed", "no_model", "withdrawn", "in_review", "rejected"}
)
POLL_SECONDS: Final = 0.05  # polling interval of every wait; each wait has its own deadline
STOP_SECONDS: Final = 15.0
REDIS_START_SECONDS: Final = 15.0
REDIS_HINT: Final = "apt-get install redis-server, or brew install redis"
_LOOPBACK: Final = ("127.0.0.1", "localhost", "::1")
_PR_SET_PDEATHSIG: Final = 1


class PostRejected(LaunchError):
    """The API refused an article (``status`` is the HTTP status, e.g. 409)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _death_signal() -> Callable[[], None] | None:
    """Linux: a hook for the forked child asking for SIGTERM when its parent dies."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    return arm


@dataclass
class Child:
    """A process the launcher started, with the file its output goes to."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path | None

    def tail(self, lines: int = 2) -> str:
        """Why it died: the last error lines of its log (JSON lines: their events), else
        its last lines."""
        if self.log is None or not self.log.exists():
            return ""
        text = self.log.read_text("utf-8", errors="replace").strip().splitlines()
        shown = [_readable(line) for line in text[-30:] if line.strip()]
        errors = [message for level, message in shown if level in ("error", "critical")]
        return " | ".join(errors[-lines:] or [message for _, message in shown[-lines:]])


def _readable(line: str) -> tuple[str, str]:
    """(level, message) of a log line; a JSON line (logs.py) gives its level and event."""
    with contextlib.suppress(ValueError):
        record = json.loads(line)
        if isinstance(record, dict) and "event" in record:
            return str(record.get("level", "")).lower(), str(record["event"])
    return "", line.strip()


@dataclass
class RedisHandle:
    """The Redis the service uses; ``child`` is None when an existing one was reused."""

    url: str
    child: Child | None = None

    @property
    def started(self) -> bool:
        return self.child is not None


@dataclass
class Stack:
    """Everything one launcher run started, stopped in reverse order by ``stop``."""

    children: list[Child] = field(default_factory=list)
    stop_seconds: float = STOP_SECONDS

    def spawn(
        self, name: str, command: Sequence[str], env: Mapping[str, str], log: Path | None
    ) -> Child:
        """Start ``command`` in its own process group, output to ``log`` (or discarded)."""
        if log is not None:
            log.parent.mkdir(parents=True, exist_ok=True)
        with open(log or os.devnull, "wb") as out:
            process = subprocess.Popen(
                list(command),
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                process_group=0,
                preexec_fn=_death_signal(),
            )
        child = Child(name, process, log)
        self.children.append(child)
        return child

    def check_alive(self) -> None:
        """Raise ``LaunchError`` naming the first child that exited, with its last lines."""
        for child in self.children:
            code = child.process.poll()
            if code is not None:
                tail = child.tail()
                where = f" (log {child.log})" if child.log else ""
                detail = f": {tail}" if tail else ""
                raise LaunchError(f"{child.name} exited with code {code}{where}{detail}")

    def wait_any(self, poll: float = 0.5) -> None:
        """Block until a child exits (``LaunchError``) or the caller is interrupted."""
        while True:
            self.check_alive()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.children[-1].process.wait(timeout=poll)

    def stop(self, say: Callable[[str], None] | None = None) -> None:
        """Stop every child, newest first; a second call does nothing."""
        while self.children:
            child = self.children.pop()
            code = stop_process(child.process, self.stop_seconds)
            if say is not None:
                say(f"stopped {child.name} (pid {child.process.pid}, exit {code})")


def stop_process(process: subprocess.Popen[bytes], timeout: float = STOP_SECONDS) -> int:
    """SIGTERM, wait up to ``timeout`` s, then SIGKILL its process group (which reaches
    Celery's prefork children: every child is a group leader); the exit code."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process.pid)
            process.wait()
    _kill_group(process.pid)  # leftovers of a leader that exited on its own
    return process.returncode


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def free_port(port: int = 0) -> int:
    """A loopback port nothing listens on right now (``port``, or any with 0; OSError if
    ``port`` is taken). It may still be taken before it is used."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))
        found: int = sock.getsockname()[1]
        return found


def _loopback_port(url: str) -> int | None:
    """The port of a loopback ``url`` when it is free, so the configured URL works as is."""
    try:
        parts = urlsplit(url)
        port = parts.port or 6379
    except ValueError:
        return None
    if parts.scheme != "redis" or parts.hostname not in _LOOPBACK or parts.password:
        return None
    with contextlib.suppress(OSError):
        return free_port(port)
    return None


def _database(url: str) -> str:
    path = urlsplit(url).path.strip("/")
    return path if path.isdigit() else "0"


def start_redis(
    stack: Stack, directory: Path, port: int | None = None, database: str = "0"
) -> RedisHandle:
    """A private ``redis-server`` on 127.0.0.1 (no RDB; AOF fsynced before every answer, as
    the API requires; files in ``directory``); a
    port taken between choosing and binding makes the server exit: try another one."""
    if shutil.which("redis-server") is None:
        raise LaunchError(f"redis-server is not on PATH ({REDIS_HINT})")
    directory.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):
        chosen = port if port is not None and attempt == 0 else free_port()
        command = ["redis-server", "--port", str(chosen), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "yes", "--appendfsync", "always"]
        command += ["--dir", str(directory)]
        child = stack.spawn("redis-server", command, os.environ, directory / "redis.log")
        url = f"redis://127.0.0.1:{chosen}/{database}"
        deadline = time.monotonic() + REDIS_START_SECONDS
        while child.process.poll() is None and time.monotonic() < deadline:
            if answers_ping(url):
                return RedisHandle(url, child)
            time.sleep(POLL_SECONDS)
        stack.children.remove(child)
        stop_process(child.process, 2.0)
    raise LaunchError(f"redis-server did not answer PING (see {directory / 'redis.log'})")


def find_or_start_redis(stack: Stack, url: str, directory: Path) -> RedisHandle:
    """Reuse the Redis at ``url`` if it answers PING, else start a private one (on the
    same loopback port when it is free, so the configured URL keeps working)."""
    if answers_ping(url):
        return RedisHandle(url)
    return start_redis(stack, directory, _loopback_port(url), _database(url))


def syndicate_command() -> list[str]:
    """The ``syndicate`` script of this interpreter's environment (the venv's)."""
    script = Path(sys.executable).with_name("syndicate")
    return [str(script)] if script.exists() else [sys.executable, "-m", "syndicate.cli"]


def service_env(
    redis_url: str, secret: str, token: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """This process's environment plus what the worker and the API must share."""
    shared = {"SYNDICATE_REDIS_URL": redis_url, "SYNDICATE_NEWSROOM_SECRET": secret}
    shared |= {"SYNDICATE_OPERATOR_TOKEN": token, "PYTHONUNBUFFERED": "1"}
    return {**os.environ, **shared, **(extra or {})}


def start_worker(
    stack: Stack, env: Mapping[str, str], log: Path | None, args: Sequence[str] = ()
) -> Child:
    return stack.spawn("worker", [*syndicate_command(), "worker", *args], env, log)


def start_push_worker(stack: Stack, env: Mapping[str, str], log: Path | None) -> Child:
    """``syndicate worker --push``: the push queue on its own threads (issue 19)."""
    return stack.spawn("push-worker", [*syndicate_command(), "worker", "--push"], env, log)


def start_api(
    stack: Stack, env: Mapping[str, str], host: str, port: int, log: Path | None
) -> Child:
    command = [*syndicate_command(), "serve", "--host", host, "--port", str(port)]
    return stack.spawn("api", command, env, log)


def wait_healthy(base_url: str, stack: Stack, seconds: float) -> dict[str, Any]:
    """Poll ``/healthz`` until it says ok (Redis reachable, a worker seen); its JSON."""
    deadline, last = time.monotonic() + seconds, "no answer"
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            stack.check_alive()
            try:
                answer = client.get(f"{base_url}/healthz")
                if answer.status_code == 200:
                    health: dict[str, Any] = answer.json()
                    return health
                last = f"{answer.status_code} {answer.text.strip()[:200]}"
            except httpx.HTTPError as exc:
                last = str(exc) or type(exc).__name__
            time.sleep(POLL_SECONDS)
    raise LaunchError(f"{base_url}/healthz not ok after {seconds:.0f} s (last: {last})")


@dataclass(frozen=True, slots=True)
class Posted:
    """An article the API accepted: its answer and when the POST started (monotonic)."""

    article_id: str
    version: int
    status_code: int  # 202 new work, 200 a replay of a known version
    answer: dict[str, Any]
    at: float


def post_article(client: httpx.Client, base_url: str, body: bytes, secret: str) -> Posted:
    """POST ``body`` through the signed webhook (the timestamped, replay-proof form);
    ``PostRejected`` unless 200 or 202."""
    signature = sign_timestamped(body, secret, int(system_now().timestamp()))
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature}
    started = time.monotonic()
    try:
        answer = client.post(f"{base_url}/v1/articles", content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise LaunchError(f"POST {base_url}/v1/articles failed: {exc}") from exc
    if answer.status_code not in (200, 202):
        text = answer.text.strip().replace("\n", " ")[:300]
        raise PostRejected(
            f"POST /v1/articles answered {answer.status_code}: {text}", answer.status_code
        )
    data: dict[str, Any] = answer.json()
    return Posted(str(data["id"]), int(data["version"]), answer.status_code, data, started)


def get_status(client: httpx.Client, base_url: str, article_id: str, token: str) -> dict[str, Any]:
    """``GET /v1/articles/{id}`` with the operator token."""
    url = f"{base_url}/v1/articles/{article_id}"
    try:
        answer = client.get(url, headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        raise LaunchError(f"GET {url} failed: {exc}") from exc
    if answer.status_code != 200:
        raise LaunchError(f"GET /v1/articles/{article_id} answered {answer.status_code}")
    status: dict[str, Any] = answer.json()
    return status


@dataclass(frozen=True, slots=True)
class LanguageOutcome:
    """Where one language ended and how long after the POST it was first seen there."""

    state: str
    seconds: float
    reason: str | None = None


def _final_now(
    status: Mapping[str, Any], version: int, seen_at: float, posted_at: float
) -> dict[str, LanguageOutcome]:
    found = {}
    for lang, st in (status.get("languages") or {}).items():
        if int(st.get("version", -1)) == version and st.get("state") in FINAL_STATES:
            found[lang] = LanguageOutcome(st["state"], seen_at - posted_at, st.get("reason"))
    return found


def wait_final(
    client: httpx.Client,
    base_url: str,
    posted: Posted,
    token: str,
    seconds: float,
    *,
    stack: Stack | None = None,
    on_final: Callable[[str, LanguageOutcome], None] | None = None,
) -> dict[str, LanguageOutcome]:
    """Poll the article until every language of its version is final (``FINAL_STATES``).
    Each time runs from the POST to the first poll that saw the language final: exact to
    one polling interval (``POLL_SECONDS``) plus one request."""
    deadline, done = time.monotonic() + seconds, dict[str, LanguageOutcome]()
    while True:
        status = get_status(client, base_url, posted.article_id, token)
        seen = _final_now(status, posted.version, time.monotonic(), posted.at)
        for lang, outcome in seen.items():
            if lang not in done:
                done[lang] = outcome
                if on_final is not None:
                    on_final(lang, outcome)
        languages = set(status.get("languages") or {})
        if languages and languages <= set(done):
            return done
        if time.monotonic() > deadline:
            pending = ", ".join(sorted(languages - set(done)))
            raise LaunchError(f"{posted.article_id}: not final after {seconds:.0f} s: {pending}")
        if stack is not None:
            stack.check_alive()
        time.sleep(POLL_SECONDS)
