"""`syndicate worker` and `syndicate serve`: the worker's Celery arguments (built, and parsed
by Celery's own worker command, not run: the e2e tests run real workers), and a real
`serve` process answering HTTP and logging JSON lines or text."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from celery.bin.base import CLIContext
from celery.bin.worker import worker as celery_worker_command

from syndicate.cli import main as cli
from syndicate.cli.service import (
    UnrecoverableWatch,
    WorkerOptions,
    restarts,
    worker_argv,
    worker_options,
    worker_queues,
)
from syndicate.config import Settings, load_settings
from syndicate.worker.app import create_app

if TYPE_CHECKING:
    from conftest import RedisServer

TARGETS = ("ar", "tr", "ckb", "kmr")
SERVE_START_SECONDS = 30.0


def worker_settings(**env: str) -> Settings:
    """Settings from ``env`` (SYNDICATE_* names) over the defaults and the four targets,
    without the project's file."""
    base = {"SYNDICATE_CONFIG": "/nonexistent.toml", "SYNDICATE_DEFAULT_TARGETS": ",".join(TARGETS)}
    return load_settings(base | env)


def _parsed_by_celery(argv: list[str]) -> dict[str, Any]:
    """The options Celery's own ``worker`` command reads from ``argv`` (without starting)."""
    args = argv[argv.index("worker") + 1 :]
    context = CLIContext(app=create_app(Settings()), no_color=True, workdir=None, quiet=True)
    params: dict[str, Any] = celery_worker_command.make_context("worker", args, obj=context).params
    return params


def test_worker_queues_default_to_the_targets_and_installed_packages() -> None:
    queues = worker_queues(None, None, TARGETS, ["ar", "en", "fa"])
    assert queues == (
        "syndicate",
        "translate.ar",
        "translate.tr",
        "translate.ckb",
        "translate.kmr",
        "translate.en",
        "translate.fa",
    )


def test_worker_queues_narrowed_by_languages_or_queues() -> None:
    assert worker_queues(["ckb"], None, TARGETS, ["fa"]) == ("syndicate", "translate.ckb")
    assert worker_queues(None, ["translate.ar"], TARGETS, []) == ("translate.ar",)
    both = worker_queues(["tr"], ["syndicate", "translate.ar"], TARGETS, [])
    assert both == ("syndicate", "translate.ar", "translate.tr")


def test_worker_argv_is_what_celerys_worker_command_reads() -> None:
    options = WorkerOptions(("syndicate", "translate.ar"), 3, "solo", "warning", "w1@%h")
    argv = worker_argv(options)
    assert argv[:2] == ["--quiet", "worker"]
    params = _parsed_by_celery(argv)
    assert params["queues"] == ["syndicate", "translate.ar"]
    assert params["concurrency"] == 3
    assert params["pool"].__module__ == "celery.concurrency.solo"
    assert params["task_events"] is True
    assert params["loglevel"] == 30
    assert params["hostname"].startswith("w1@") and "%" not in params["hostname"]


def test_worker_options_come_from_settings_and_installed_packages(demo_models_dir: Path) -> None:
    settings = worker_settings(
        SYNDICATE_MODELS_DIR=str(demo_models_dir), SYNDICATE_WORKER_CONCURRENCY="3"
    )
    args = cli.build_parser().parse_args(["worker"])
    options = worker_options(args, settings, "json", "INFO")
    assert options.queues[0] == "syndicate"
    assert set(options.queues) == {
        "syndicate",
        "translate.en",
        *(f"translate.{t}" for t in TARGETS),
    }
    assert (options.concurrency, options.pool, options.quiet) == (3, "prefork", True)
    params = _parsed_by_celery(worker_argv(options))
    assert params["concurrency"] == 3
    assert params["pool"].__module__ == "celery.concurrency.prefork"
    assert params["hostname"].startswith("celery@")


def test_worker_options_given_on_the_command_line_win() -> None:
    argv = ["worker", "--languages", "ar,tr", "--concurrency", "1", "--pool", "threads"]
    options = worker_options(
        cli.build_parser().parse_args(argv), worker_settings(), "text", "DEBUG"
    )
    assert options == WorkerOptions(
        ("syndicate", "translate.ar", "translate.tr"),
        1,
        "threads",
        "DEBUG",
        "translate-ar-tr@%h",
        quiet=False,
    )
    assert "--quiet" not in worker_argv(options)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["worker"], None),
        (["worker", "--log-format", "text"], "text"),
        (["--log-format", "text", "worker"], "text"),
        (["--log-format", "text", "serve", "--log-format", "json"], "json"),
        (["serve", "--log-format", "text", "--log-level", "debug"], "text"),
    ],
)
def test_log_format_is_a_global_or_a_command_option(argv: list[str], expected: str | None) -> None:
    assert cli.build_parser().parse_args(argv).log_format == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["worker", "--concurrency", "0"],
        ["worker", "--languages", "a r"],
        ["worker", "--queues", ","],
        ["worker", "--pool", "gevent"],
        ["serve", "--log-format", "xml"],
    ],
)
def test_bad_service_options_are_one_line_and_exit_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = cli.main(argv, worker_settings())
    except SystemExit as exc:  # argparse's own usage errors
        code = int(str(exc.code))
    assert code == 2
    assert len(capsys.readouterr().err.splitlines()) == 1


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_answer(url: str, process: subprocess.Popen[bytes]) -> httpx.Response:
    deadline = time.monotonic() + SERVE_START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            return httpx.get(url, timeout=2.0)
        except httpx.TransportError:
            time.sleep(0.05)  # polling interval, bounded by the deadline
    raise AssertionError(f"syndicate serve did not answer {url}")


def _serve(server: RedisServer, *options: str) -> tuple[httpx.Response, int, list[str]]:
    """Start ``syndicate serve``, GET /healthz, stop it with SIGTERM: the answer, the exit
    code and the log lines."""
    port = _free_port()
    env = {**os.environ, "SYNDICATE_REDIS_URL": server.url, "SYNDICATE_LOG_FORMAT": "json"}
    command = [sys.executable, "-m", "syndicate.cli", "serve", "--port", str(port), *options]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        answer = _wait_for_answer(f"http://127.0.0.1:{port}/healthz", process)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return answer, process.returncode, err.decode().splitlines()


def test_serve_answers_http_logs_json_lines_and_stops_on_sigterm(
    redis_server: RedisServer,
) -> None:
    answer, code, lines = _serve(redis_server)
    assert answer.status_code in (200, 503)
    assert answer.json()["redis"] == "ok"
    assert code == 0
    records = [json.loads(line) for line in lines]
    assert {"ts", "level", "event"} <= set(records[0])
    assert any("/healthz" in json.dumps(r) for r in records[1:])  # the request, logged


def test_serve_logs_text_with_log_format_text(redis_server: RedisServer) -> None:
    answer, code, lines = _serve(redis_server, "--log-format", "text")
    assert answer.json()["redis"] == "ok"
    assert code == 0
    assert lines and not any(line.startswith("{") for line in lines)
    assert any("/healthz" in line for line in lines)


def test_only_an_unrecoverable_error_after_a_real_run_restarts_the_worker() -> None:
    watch = UnrecoverableWatch()
    celery_log = logging.getLogger("celery.worker")
    celery_log.addHandler(watch)
    try:
        celery_log.error("Unrecoverable error: not at critical level")
        assert not watch.seen
        celery_log.critical("Unrecoverable error: %r", AttributeError("'NoneType' object"))
        assert watch.seen
    finally:
        celery_log.removeHandler(watch)
    assert restarts(True, 31.0)
    assert not restarts(True, 5.0)  # a worker that cannot start must not loop
    assert not restarts(False, 3600.0)  # Ctrl-C and a cold shutdown end for good


@pytest.mark.parametrize("command", ["worker", "serve"])
def test_a_visibility_timeout_a_task_can_outlast_refuses_the_start(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = worker_settings(SYNDICATE_VISIBILITY_TIMEOUT="600", SYNDICATE_TASK_TIME_LIMIT="600")
    assert cli.main([command], settings) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"syndicate {command}: ")
    assert "visibility_timeout (600 s)" in lines[0] and "task_time_limit (600 s)" in lines[0]


def test_celerys_own_worker_command_refuses_the_same_start() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE_")}
    env |= {"SYNDICATE_VISIBILITY_TIMEOUT": "300", "SYNDICATE_TASK_TIME_LIMIT": "600"}
    env |= {"SYNDICATE_REDIS_URL": f"redis://127.0.0.1:{_free_port()}/0"}  # never reached
    command = [sys.executable, "-m", "celery", "-A", "worker", "worker", "--pool", "solo"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, lines
    assert "visibility_timeout (300 s)" in lines[0] and "task_time_limit (600 s)" in lines[0]
