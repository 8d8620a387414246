"""A retry while the broker is away (worker/tasks.py ``ReliableTask.retry``): it waits for
the broker only within what the task's hard time limit leaves, then hands the message back.
A real task of a real app, on a port where no Redis answers."""

from __future__ import annotations

import threading
import time

from celery.exceptions import Reject

from syndicate.config import load_settings
from syndicate.errors import StoreUnavailable
from syndicate.worker.app import create_app
from syndicate.worker.routing import INGEST
from syndicate.worker.tasks import RETRY_MARGIN_SECONDS, broker_wait_seconds

from e2e_processes import free_port

LIMIT = 60


def test_the_wait_is_what_the_time_limit_leaves_less_the_margin() -> None:
    assert broker_wait_seconds(600, 0) == 600 - RETRY_MARGIN_SECONDS
    assert broker_wait_seconds(600, 500) == 100 - RETRY_MARGIN_SECONDS
    assert broker_wait_seconds(600, 590) == 0.0


def test_a_retry_late_in_the_run_waits_only_for_what_is_left_then_hands_back() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens: the broker is away
    env = {"SYNDICATE_CONFIG": "/nonexistent.toml", "SYNDICATE_REDIS_URL": url}
    app = create_app(load_settings(env | {"SYNDICATE_TASK_TIME_LIMIT": str(LIMIT)}))
    # the send itself fails at once, so the test measures the wait alone
    app.conf.task_publish_retry = False
    options = app.conf.broker_transport_options
    app.conf.broker_transport_options = options | {"max_retries": 1, "interval_start": 0}
    task = app.tasks[INGEST]
    spent = LIMIT - RETRY_MARGIN_SECONDS - 1  # one second of the budget is left
    outcome: list[BaseException] = []

    def run() -> None:
        request = {"id": "retry-1", "args": ("a", 1, "en"), "kwargs": {}, "retries": 0}
        task.push_request(**request, called_directly=False, started_at=time.monotonic() - spent)
        try:
            task.retry(exc=StoreUnavailable("Redis unavailable"), countdown=1)
        except BaseException as exc:
            outcome.append(exc)
        finally:
            task.pop_request()

    started = time.monotonic()
    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(timeout=60)  # a fixed 300 s wait (issue 16) outlasts this
    took = time.monotonic() - started
    app.close()
    assert not runner.is_alive(), "the retry waited past what the time limit leaves"
    assert len(outcome) == 1 and isinstance(outcome[0], Reject)
    assert outcome[0].requeue  # handed back, never dropped
    assert took >= 1.0  # it did wait for the broker, for the second that was left
