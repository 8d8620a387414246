"""The Celery app factory: the only place Celery is configured (style guide 4; issue 8).

Reliability settings, and why (docs/architecture.md, "Reliability"):

- ``task_acks_late`` and ``task_reject_on_worker_lost``: a message is acknowledged only
  when its task has finished, so a child killed mid-translation puts it back on the queue.
  Every task is idempotent on (id, version, lang), so running it again changes nothing.
- ``worker_prefetch_multiplier = 1``: a child holds one message at a time; a long article
  never strands short ones behind it in another child's buffer.
- ``visibility_timeout`` above ``task_time_limit``: Redis hands an unacknowledged message to
  another worker only after that long, so a slow task is never run twice at once. A worker
  killed outright (its messages unacknowledged) loses nothing and need not wait that hour:
  the other workers hand its messages back once it has been silent for 20 s (orphans.py,
  on the heartbeat). A child killed alone is noticed by its parent at once
  (``task_reject_on_worker_lost`` requeues the message).
- Retries with exponential backoff and jitter for transient failures only (Redis away,
  a broker error); bad input and ``NoModel`` are final states, never retried.
- Task events on, for Flower; the root logger stays ours (JSON lines).
- Models are loaded in each child after the fork (``worker_process_init``): CTranslate2
  threads do not survive a fork, and each child gets its own runtime.

Nothing here runs at import: ``create_app`` builds an app, binds the tasks to it and
connects its signal receivers (hooks.py), which act only for that app's tasks and workers.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from syndicate.clock import Clock, system_now
from syndicate.config import Settings, settings
from syndicate.worker import hooks, push_tasks, tasks
from syndicate.worker.routing import DEFAULT_QUEUE
from syndicate.worker.runtime import SyndicateCelery


def _transport_options(s: Settings) -> dict[str, object]:
    """Kombu's Redis transport settings (the module docstring explains the first; a
    ``sentinel://`` broker URL is kombu's Sentinel transport, for ``master_name``)."""
    return {
        "visibility_timeout": s.visibility_timeout,
        "master_name": s.redis_master,
        # Look for messages abandoned by a dead worker every 10 s (kombu's default
        # scans every 100 s): recovery takes visibility_timeout + 10 s at most.
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
        # A broker that vanishes without closing the socket must not hang a publish.
        "socket_timeout": 10,
        "socket_connect_timeout": 5,
        "health_check_interval": 10,
    }


def _configuration(s: Settings) -> dict[str, Any]:
    """Every Celery setting (the module docstring explains the reliability ones)."""
    return {
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_serializer": "json",
        "task_ignore_result": True,
        "task_default_queue": DEFAULT_QUEUE,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_concurrency": s.worker_concurrency,
        "task_time_limit": s.task_time_limit,
        "task_soft_time_limit": max(1, s.task_time_limit - 30),
        "broker_transport_options": _transport_options(s),
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        # On a lost broker connection running tasks finish (their work is idempotent, and a
        # redelivery changes nothing) rather than being cancelled and redone.
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "task_publish_retry": True,
        "task_publish_retry_policy": {
            "max_retries": 60,
            "interval_start": 0.2,
            "interval_step": 0.5,
            "interval_max": 2.0,
        },
        "worker_send_task_events": True,
        "task_send_sent_event": True,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
        "enable_utc": True,
    }


def create_app(s: Settings, clock: Clock = system_now) -> Celery:
    """A Celery app on ``s.redis_url`` with the tasks and signal receivers bound to it;
    its tasks read the time from ``clock``."""
    app = SyndicateCelery(s, clock)
    app.conf.update(_configuration(s))
    tasks.register(app, s.task_max_retries)
    push_tasks.register(app, s.task_max_retries)
    hooks.connect(app)
    return app


def create_default_app() -> Celery:
    """The app of ``celery -A worker``: the process settings and the system clock."""
    return create_app(settings())
