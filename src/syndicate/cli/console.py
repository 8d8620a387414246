"""What the service commands share: a store client from the settings, store and broker
errors mapped to exit codes, and plain-text tables.

Every handler is ``handler(args, settings) -> int``: main.py reads the settings once and
passes them down, so nothing here reads a process-wide global and a test hands a command
the Settings it built.

Exit codes follow main.py: 0 done, 1 the environment failed (Redis or the broker away),
2 bad input. Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kombu.exceptions import OperationalError

from syndicate.clock import system_now
from syndicate.config import Settings
from syndicate.errors import StoreUnavailable
from syndicate.store.client import Client, RedisError
from syndicate.worker.store_client import store_client

if TYPE_CHECKING:
    from celery import Celery

Handler = Callable[[argparse.Namespace, Settings], int]


def say(message: str) -> None:
    """One line of a long-running command's progress, shown at once."""
    print(message, flush=True)


def fail(command: str, message: str, code: int) -> int:
    """Say what went wrong on one line of stderr; return the exit code."""
    print(f"syndicate {command}: {message}", file=sys.stderr)
    return code


@contextmanager
def connected(s: Settings) -> Iterator[Client]:
    """A store client on the configured Redis, closed afterwards."""
    client = store_client(s)
    try:
        yield client
    finally:
        client.close()


@contextmanager
def dispatching(s: Settings) -> Iterator[tuple[Client, Celery]]:
    """A store client and a Celery app on ``s.redis_url``, both closed afterwards (the app
    needs all of ``s``: its broker, time limits and retry policy)."""
    from syndicate.worker.app import create_app  # Celery loads only for commands that enqueue

    celery_app = create_app(s, system_now)
    with connected(s) as client:
        try:
            yield client, celery_app
        finally:
            celery_app.close()


def environment_guarded(command: str) -> Callable[[Handler], Handler]:
    """Turn Redis or broker outages inside a handler into one line and exit code 1."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(args: argparse.Namespace, settings: Settings) -> int:
            try:
                return handler(args, settings)
            except StoreUnavailable as exc:
                return fail(command, str(exc), 1)
            except (OperationalError, ConnectionError) as exc:
                return fail(command, f"broker unavailable: {exc}", 1)
            except RedisError as exc:  # e.g. a read-only replica, a full memory
                return fail(command, f"Redis refused: {type(exc).__name__}: {exc}", 1)

        return run

    return wrap


def moment(at: datetime) -> str:
    """An instant as operators read it: UTC, seconds, ``Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Columns padded to their widest cell; the last column is never padded."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, *rows]:
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip())


def command_group(
    commands: argparse._SubParsersAction[Any], name: str, help: str
) -> argparse._SubParsersAction[Any]:
    """A command with subcommands (``models list``, ``partners add``): each group module
    registers its actions on what this returns."""
    group: argparse.ArgumentParser = commands.add_parser(name, help=help)
    return group.add_subparsers(dest=f"{name}_command", required=True, parser_class=type(group))
