"""launcher.py and `syndicate run`: Redis reuse or a private redis-server (the real one),
stopping children (SIGTERM, then SIGKILL to the whole group), failing fast when a child
dies, and one real `syndicate run` (Redis, worker, API, signed POST, Ctrl-C)."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from redis import Redis

from syndicate.cli import launcher
from syndicate.cli.launcher import Stack
from syndicate.cli.run import _Input, needed_pairs
from syndicate.cli.run_models import ensure_models
from syndicate.config import Settings
from syndicate.errors import LaunchError
from syndicate.models.catalogue import Catalogue
from syndicate.news.article import parse_article_json
from syndicate.store.client import answers_ping

from redis_servers import RedisServer

REPO = Path(__file__).resolve().parents[2]
ARTICLE = REPO / "tests" / "data" / "erbil-floods.json"


def _wait_for(check: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.02)  # polling interval, bounded by the deadline


@pytest.fixture
def stack() -> Iterator[Stack]:
    s = Stack(stop_seconds=5.0)
    yield s
    s.stop()


def _config(client: Redis, name: str) -> str:
    answer = client.config_get(name)
    return str(answer[name])


def test_a_redis_that_answers_ping_is_reused_not_started(
    redis_server: RedisServer, stack: Stack, tmp_path: Path
) -> None:
    handle = launcher.find_or_start_redis(stack, redis_server.url, tmp_path)
    assert handle.url == redis_server.url
    assert not handle.started
    assert stack.children == []


def test_a_private_redis_starts_on_the_configured_free_port_fsyncing_every_write(
    stack: Stack, tmp_path: Path
) -> None:
    port = launcher.free_port()
    url = f"redis://127.0.0.1:{port}/3"
    assert not answers_ping(url)
    handle = launcher.find_or_start_redis(stack, url, tmp_path)
    assert handle.started and handle.url == url
    client = Redis.from_url(url)
    try:
        assert _config(client, "appendonly") == "yes"  # the API requires a durable store
        assert _config(client, "appendfsync") == "always"
        assert _config(client, "save") == ""
        assert _config(client, "dir") == str(tmp_path.resolve())
    finally:
        client.close()
    stack.stop()
    assert handle.child is not None and handle.child.process.returncode == 0
    assert not answers_ping(url)


def test_a_taken_port_gives_the_private_redis_another_one(stack: Stack, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        handle = launcher.find_or_start_redis(stack, f"redis://127.0.0.1:{busy}/0", tmp_path)
    assert handle.started
    assert not handle.url.startswith(f"redis://127.0.0.1:{busy}/")
    assert answers_ping(handle.url)


def test_no_redis_server_on_path_is_one_line_saying_how_to_get_it(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    url = f"redis://127.0.0.1:{launcher.free_port()}/0"
    with pytest.raises(LaunchError, match=r"redis-server is not on PATH.*apt-get install"):
        launcher.find_or_start_redis(stack, url, tmp_path)


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def _started(stack: Stack, name: str, code: str, log: Path) -> launcher.Child:
    child = stack.spawn(name, _python(code), os.environ, log)
    _wait_for(lambda: "ready" in log.read_text(), 10, f"{name} to start")
    return child


_SLEEPER = "import time; print('ready', flush=True); time.sleep(120)"
_STUBBORN = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
print("ready", grandchild.pid, flush=True)
time.sleep(120)
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def test_stop_kills_a_child_that_ignores_sigterm_and_its_whole_group(
    tmp_path: Path,
) -> None:
    stack = Stack(stop_seconds=0.5)
    log = tmp_path / "stubborn.log"
    child = _started(stack, "stubborn", _STUBBORN, log)
    grandchild = int(log.read_text().split()[1])
    stack.stop()
    assert child.process.returncode == -signal.SIGKILL
    _wait_for(lambda: _gone(grandchild), 5, "the grandchild to die with the group")
    assert stack.children == []


def test_stop_lets_a_child_exit_on_sigterm_newest_first(stack: Stack, tmp_path: Path) -> None:
    first = _started(stack, "first", _SLEEPER, tmp_path / "a.log")
    second = _started(stack, "second", _SLEEPER, tmp_path / "b.log")
    said: list[str] = []
    stack.stop(said.append)
    assert [line.split()[1] for line in said] == ["second", "first"]
    assert first.process.returncode == second.process.returncode == -signal.SIGTERM


_LAUNCHER = """
import os, sys, time
from syndicate.cli.launcher import Stack
child = Stack().spawn("sleeper", [sys.executable, "-c", "import time; time.sleep(120)"],
                      os.environ, None)
print(child.process.pid, flush=True)
time.sleep(120)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_children_stop_when_the_launcher_is_killed_outright() -> None:
    launcher_process = subprocess.Popen(_python(_LAUNCHER), stdout=subprocess.PIPE)
    try:
        assert launcher_process.stdout is not None
        child = int(launcher_process.stdout.readline())
        assert not _gone(child)
    finally:
        launcher_process.kill()
        launcher_process.communicate()
    _wait_for(lambda: _gone(child), 10, "the orphaned child to get SIGTERM")


def test_waiting_for_health_fails_fast_with_the_tail_of_a_dead_childs_log(
    stack: Stack, tmp_path: Path
) -> None:
    dead = _python("print('port already in use'); raise SystemExit(3)")
    stack.spawn("api", dead, os.environ, tmp_path / "api.log")
    started = time.monotonic()
    base = f"http://127.0.0.1:{launcher.free_port()}"
    with pytest.raises(LaunchError, match=r"api exited with code 3 .*port already in use"):
        launcher.wait_healthy(base, stack, 60)
    assert time.monotonic() - started < 30


def test_waiting_for_health_gives_up_at_the_deadline_naming_the_last_answer(
    stack: Stack,
) -> None:
    base = f"http://127.0.0.1:{launcher.free_port()}"
    with pytest.raises(LaunchError, match=r"/healthz not ok after 0 s \(last: .+\)"):
        launcher.wait_healthy(base, stack, 0.3)


def _input(language: str, targets: list[str]) -> _Input:
    raw = ARTICLE.read_bytes()
    article = replace(parse_article_json(raw), language=language, targets=tuple(targets))
    return _Input(ARTICLE, raw, article)


def test_pairs_are_the_configured_ones_and_each_articles_with_pivots_split() -> None:
    s = Settings(source_language="en", default_targets=("ar", "tr"))
    pairs = needed_pairs([_input("en", ["ckb"]), _input("ar", ["tr", "en"])], s)
    assert pairs == ["en-ar", "en-tr", "en-ckb", "ar-en"]


def test_models_say_which_pairs_are_demo_and_which_have_none(demo_models_dir: Path) -> None:
    kinds = ensure_models(demo_models_dir, ["en-ar", "en-kmr", "en-fr"], offline=True)
    assert kinds == {"en-ar": "demo (tiny)", "en-kmr": "demo (tiny)", "en-fr": "none"}


def test_models_multilingual_serves_the_four_targets_with_one_model(tmp_path: Path) -> None:
    """``make run MODELS=multilingual``: one NLLB-shaped model for en -> ar, tr, ckb, kmr;
    other pairs still get bilingual demo models."""
    models = tmp_path / "models"
    pairs = ["en-ar", "en-tr", "en-ckb", "en-kmr", "ckb-en"]
    kinds = ensure_models(models, pairs, offline=True, kind="multilingual", preset="tiny")
    multilingual = "demo (tiny, multilingual nllb)"
    assert kinds == dict.fromkeys(pairs[:4], multilingual) | {"ckb-en": "demo (tiny)"}
    assert len(Catalogue.scan(models).shared()) == 1


def _read_until(process: subprocess.Popen[bytes], marker: str, seconds: float) -> str:
    """stdout up to ``marker`` (fails at the deadline or at exit). Reads the pipe's file
    descriptor directly: a buffered reader could hold the marker while select() waits."""
    assert process.stdout is not None
    fd, seen, deadline = process.stdout.fileno(), b"", time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while marker.encode() not in seen:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(timeout=left):
                raise AssertionError(f"no {marker!r} after {seconds} s; output:\n{seen.decode()}")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError(f"exited {process.wait()} before {marker!r}:\n{seen.decode()}")
            seen += chunk
    return seen.decode()


def _interrupt(process: subprocess.Popen[bytes]) -> str:
    """Ctrl-C, then the rest of the output; SIGKILL only if it does not stop in time."""
    process.send_signal(signal.SIGINT)
    try:
        # Each of three children may take its full stop grace (15 s) on a busy machine.
        rest, _ = process.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        process.kill()
        rest, _ = process.communicate()
    return rest.decode()


def _the_printed_exports_sign_what_the_api_accepts(shown: str, base: str) -> None:
    """The shell block, pasted as is, holds the run's secrets: the documented openssl
    signature (HMAC-SHA256 of the raw body) is accepted, the operator token reads status."""
    block = "\n".join(line for line in shown.splitlines() if line.startswith("  export "))
    show = 'printf "%s\\0" "$SYNDICATE_NEWSROOM_SECRET" "$SYNDICATE_OPERATOR_TOKEN"'
    shell = subprocess.run(["bash", "--norc", "-c", f"{block}\n{show}"], capture_output=True)
    secret, token = shell.stdout.decode().split("\0")[:2]
    body = ARTICLE.read_bytes()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Syndicate-Signature": signature}
    posted = httpx.post(f"{base}/v1/articles", content=body, headers=headers, timeout=10)
    assert posted.status_code == 200, posted.text  # a replay of the version run posted
    status = httpx.get(
        f"{base}/v1/articles/{posted.json()['id']}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert status.status_code == 200, status.text


def test_run_publishes_every_language_serves_feeds_and_stops_all_it_started_on_ctrl_c(
    demo_models_dir: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE_")}
    redis_url = f"redis://127.0.0.1:{launcher.free_port()}/0"
    env |= {"SYNDICATE_MODELS_DIR": str(demo_models_dir), "SYNDICATE_REDIS_URL": redis_url}
    port = launcher.free_port()
    command = [*launcher.syndicate_command(), "run", "--port", str(port), "--offline"]
    command += ["--article", str(ARTICLE), "--log-dir", str(tmp_path)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        shown = _read_until(process, "until Ctrl-C", 150)
        for lang in ("en", "ar", "tr", "kmr"):
            assert re.search(rf"^  {lang} +published +\d+\.\d\d s after the POST$", shown, re.M)
        # Sorani waits for an editor by default (issue 18): the desk and a token are printed
        assert re.search(r"^  ckb +in_review +\d+\.\d\d s after the POST$", shown, re.M)
        desk = re.search(rf"Review desk: (http://127\.0\.0\.1:{port}/desk/) ", shown)
        token = re.search(r"^  editor make-run-editor: (syned_\S+)$", shown, re.M)
        assert desk is not None and token is not None
        held = httpx.get(
            f"http://127.0.0.1:{port}/v1/review?lang=ckb",
            headers={"Authorization": f"Bearer {token.group(1)}"},
            timeout=10,
        )
        assert [i["lang"] for i in held.json()["items"]] == ["ckb"]
        assert "started a private redis-server" in shown
        feed = re.search(rf"(http://127\.0\.0\.1:{port}/v1/feeds/ar\.json\?key=\S+)", shown)
        assert feed is not None
        answer = httpx.get(feed.group(1), timeout=10)
        assert answer.status_code == 200
        assert ":newsroom-2026-11-erbil-floods:ar" in answer.json()["items"][0]["uri"]
        assert answers_ping(redis_url)
        _the_printed_exports_sign_what_the_api_accepts(shown, f"http://127.0.0.1:{port}")
    finally:
        rest = _interrupt(process)
    assert process.returncode == 0, rest
    stopped = [line.split()[1] for line in rest.splitlines() if "stopped" in line]
    assert stopped == ["api", "push-worker", "worker", "redis-server"]
    assert not answers_ping(redis_url)
