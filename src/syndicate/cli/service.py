"""`syndicate serve` and `syndicate worker`: the long-running processes, with the project's
defaults; and the registration of every service command (issue 4, item 4).

Both log one JSON object per line on stderr (logs.py) unless ``--log-format text`` or the
``log_format`` setting says otherwise. A worker consumes ``syndicate`` (ingest, publish)
and ``translate.<lang>`` for every default target and every language an installed package
translates into; ``--languages`` or ``--queues`` narrow it, so an operator can run one
worker per language. ``--push`` runs a push worker instead: the ``push`` queue only, on a
pool of ``push_concurrency`` threads (a push waits on the network, not the CPU), named
``push@<host>``; nothing else reads that queue, so a partner that answers slowly holds a
push thread, never an ingest or a translation (issue 19). SIGTERM or Ctrl-C stops either
cleanly (Celery's warm shutdown lets running tasks finish; ``acks_late`` puts back what a
hard kill interrupts).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from types import FrameType
from typing import Any, Final

from syndicate import logs
from syndicate.cli.console import fail
from syndicate.clock import system_now
from syndicate.config import Settings, visibility_problem
from syndicate.models.device import resolve
from syndicate.news.languages import is_language_tag
from syndicate.worker.routing import (
    PUSH_QUEUE,
    consumed_queues,
    installed_targets,
    translate_queue,
)

POOLS: Final = ("prefork", "solo", "threads")
LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """What ``syndicate worker`` passes to Celery's own worker command."""

    queues: tuple[str, ...]
    concurrency: int
    pool: str = "prefork"
    loglevel: str = "INFO"
    hostname: str | None = None
    quiet: bool = True  # no banner on stdout when logs are JSON lines


def _split(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    return [part.strip() for part in raw.split(",") if part.strip()]


def worker_queues(
    languages: Sequence[str] | None,
    queues: Sequence[str] | None,
    default_targets: Sequence[str],
    installed_targets: Sequence[str],
) -> tuple[str, ...]:
    """The queues a worker consumes: ``syndicate`` and ``translate.<lang>`` for the default
    targets and installed packages' targets; with ``queues`` exactly those (plus
    ``languages``' translate queues); with ``languages`` only, ``syndicate`` and theirs."""
    if languages is None and queues is None:
        return consumed_queues([*default_targets, *installed_targets])
    if queues is None:
        return consumed_queues(languages or ())
    return tuple(dict.fromkeys([*queues, *(translate_queue(lang) for lang in languages or ())]))


def worker_argv(options: WorkerOptions) -> list[str]:
    """Arguments for Celery's ``worker`` command (task events on, for Flower)."""
    argv = ["--quiet"] if options.quiet else []
    argv += [
        "worker",
        f"--queues={','.join(options.queues)}",
        f"--concurrency={options.concurrency}",
        f"--pool={options.pool}",
        "--task-events",
        f"--loglevel={options.loglevel.upper()}",
    ]
    if options.hostname:
        argv.append(f"--hostname={options.hostname}")
    return argv


def _configure_logs(
    args: argparse.Namespace, fmt_setting: str, level_setting: str
) -> tuple[str, str]:
    """Logs in the chosen format from here on (the options, else the settings), Python
    warnings included (Celery warns through ``warnings``); returns the format and level."""
    fmt: str = getattr(args, "log_format", None) or fmt_setting
    level: str = getattr(args, "log_level", None) or level_setting
    logs.configure(fmt, level)
    logging.captureWarnings(True)
    return fmt, level


def _run_celery(argv: list[str], s: Settings) -> int:
    """Celery's command line in this process, on an app built from ``s``, returning the
    worker's exit code (the app's own ``worker_main`` discards it)."""
    import click
    from celery.bin.celery import celery as celery_command

    from syndicate.worker.app import create_app

    app = create_app(s, system_now)
    celery_command.params[0].default = app
    try:
        code = celery_command.main(args=argv, standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        return fail("worker", exc.format_message(), 2)
    finally:
        celery_command.params[0].default = None
    return code if isinstance(code, int) else 0


def worker_options(args: argparse.Namespace, s: Settings, fmt: str, level: str) -> WorkerOptions:
    """The worker ``syndicate worker ARGS`` starts: queues from the options, else from the
    settings and the installed packages; concurrency from the option, else the setting. A
    worker for some languages is named after them, so one per language can share a host."""
    if args.push:
        concurrency = args.concurrency or s.push_concurrency
        name = args.hostname or "push@%h"
        return WorkerOptions((PUSH_QUEUE,), concurrency, "threads", level, name, fmt == "json")
    languages, queues = _split(args.languages), _split(args.queues)
    default = languages is None and queues is None
    installed = installed_targets(s) if default else []
    named = f"translate-{'-'.join(languages)}@%h" if languages else None
    return WorkerOptions(
        worker_queues(languages, queues, s.default_targets, installed),
        args.concurrency or s.worker_concurrency,
        args.pool,
        level,
        args.hostname or named,
        quiet=fmt == "json",
    )


def _worker_problem(args: argparse.Namespace) -> str | None:
    if args.concurrency is not None and args.concurrency < 1:
        return "--concurrency: at least 1"
    if args.push and (args.languages or args.queues):
        return "--push: a push worker reads the push queue only (no --languages, --queues)"
    bad = [lang for lang in _split(args.languages) or [] if not is_language_tag(lang)]
    if bad or _split(args.languages) == []:
        return f"--languages: not language tags: {args.languages!r}"
    if _split(args.queues) == []:
        return f"--queues: no queue named: {args.queues!r}"
    return None


log = logging.getLogger("syndicate.worker")

RESTART_AFTER_SECONDS: Final = 30.0  # a worker that dies sooner is broken: it must not loop


class UnrecoverableWatch(logging.Handler):
    """Notes Celery's "Unrecoverable error" line: the one exit a worker comes back from.
    Its exit code says nothing (Ctrl-C and a cold shutdown end with the same 1)."""

    def __init__(self) -> None:
        super().__init__(logging.CRITICAL)
        self.seen = False

    def emit(self, record: logging.LogRecord) -> None:
        self.seen = self.seen or record.getMessage().startswith("Unrecoverable error")


def restarts(unrecoverable: bool, ran_seconds: float) -> bool:
    """Whether a worker that ended after ``ran_seconds`` starts again. kombu's Redis
    transport can die inside its own reconnect after a Redis crash ("Unrecoverable error:
    AttributeError ... 'NoneType'"), seen in about 1 run in 4 of the durability test: the
    messages it held are safe in Redis, but nothing consumes them until a worker runs."""
    return unrecoverable and ran_seconds >= RESTART_AFTER_SECONDS


def _cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    problem = _worker_problem(args) or visibility_problem(settings)
    if problem:
        return fail("worker", problem, 2)
    resolve(settings.device, settings.compute_type)  # a bad device refuses the start, in one line
    fmt, level = _configure_logs(args, settings.log_format, settings.log_level)
    options = worker_options(args, settings, fmt, level)
    watch, started = UnrecoverableWatch(), time.monotonic()
    logging.getLogger("celery.worker.worker").addHandler(watch)
    # The app's celeryd_init receiver configures the logs again, from the app's settings.
    code = _run_celery(worker_argv(options), replace(settings, log_format=fmt, log_level=level))
    if restarts(watch.seen, time.monotonic() - started):
        log.warning("the worker stopped on an unrecoverable error; starting it again")
        os.execv(sys.executable, [sys.executable, "-m", "syndicate.cli", *sys.argv[1:]])
    return code


class _Stopped(Exception):
    """SIGTERM or SIGINT reached ``serve`` outside uvicorn's own handling of them."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Stopped(signum)


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from syndicate.api.server import server_options

    if args.workers < 1:
        return fail("serve", "--workers: at least 1", 2)
    if (problem := visibility_problem(settings)) is not None:  # the API enqueues
        return fail("serve", problem, 2)
    fmt, level = _configure_logs(args, settings.log_format, settings.log_level)
    options = server_options(settings.header_timeout, args.workers)
    where = {"host": args.host, "port": args.port, "log_level": level.lower()}
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        # read deadlines (api/server.py, api/http.py), logs through logs.py, no access log
        if args.workers == 1:
            uvicorn.run(_single_app(settings), **where, **options)
        else:  # each spawned process reads its settings, the chosen logs too, from here
            os.environ.update(SYNDICATE_LOG_FORMAT=fmt, SYNDICATE_LOG_LEVEL=level)
            factory = "syndicate.api.server:served_app"
            uvicorn.run(factory, factory=True, workers=args.workers, **where, **options)
    except _Stopped:
        pass  # uvicorn shut down gracefully, then passed the signal on: exit 0, no traceback
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _single_app(settings: Settings) -> Any:
    from syndicate.api import app as api
    from syndicate.worker.app import create_app

    return api.create_app(settings, create_app(settings, system_now), system_now)


def _add_log_options(p: argparse.ArgumentParser) -> None:
    # SUPPRESS keeps a global ``syndicate --log-format text serve`` from being overwritten.
    p.add_argument(
        "--log-format",
        choices=logs.FORMATS,
        default=argparse.SUPPRESS,
        help="json (one object per line) or text (default: the log_format setting)",
    )
    p.add_argument(
        "--log-level",
        type=str.upper,
        choices=LEVELS,
        default=argparse.SUPPRESS,
        help="default: the log_level setting",
    )


def register(commands: argparse._SubParsersAction[Any]) -> None:
    p = commands.add_parser("serve", help="run the HTTP API (uvicorn)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    p.add_argument("--workers", type=int, default=1, help="API processes sharing the port (1)")
    _add_log_options(p)
    p.set_defaults(handler=_cmd_serve)
    p = commands.add_parser("worker", help="run a Celery worker with the project's defaults")
    p.add_argument("--languages", help="only these translate.<lang> queues (plus syndicate)")
    p.add_argument("--queues", help="exactly these queues, comma-separated")
    p.add_argument("--concurrency", type=int, help="child processes or threads (setting)")
    p.add_argument("--pool", choices=POOLS, default="prefork", help="default: prefork")
    p.add_argument(
        "--push", action="store_true", help="a push worker: the push queue on a thread pool"
    )
    p.add_argument(
        "--hostname",
        help="node name (default: celery@<host>, translate-<langs>@<host> with --languages)",
    )
    _add_log_options(p)
    p.set_defaults(handler=_cmd_worker)
