"""The push task, ``syndicate.push(partner, delivery_id)`` on the ``push`` queue (issue 19).

A message only says "look at this delivery now" (nudges.py): the record in Redis
(store/pushes.py) says whether it is due, and a claim lets one attempt at a time send it.
So a message sent twice, or restored from a dead worker, is harmless, and one lost is sent
again by the sweep once its delivery is due. After each attempt the task nudges the
partner's next due deliveries, so a backlog drains at the partner's concurrency without
waiting for a sweep.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery

from syndicate.push.rules import DeliveryState
from syndicate.push.websub import Intent
from syndicate.store.websub import TARGET_PREFIX
from syndicate.worker.nudges import send_nudges, settings_of
from syndicate.worker.push import Attempted, attempt, due, push_settings, send_to_partner
from syndicate.worker.routing import PUSH, WEBSUB_VERIFY
from syndicate.worker.tasks import ReliableTask
from syndicate.worker.websub import send_to_subscriber, verify

log = logging.getLogger("syndicate.push")


def register(app: Celery, max_retries: int) -> None:
    """Bind ``syndicate.push`` and ``syndicate.websub.verify`` to ``app`` (their transient
    failures retried like the others)."""
    for name, run in ((PUSH, push), (WEBSUB_VERIFY, websub_verify)):
        bind = app.task(
            name=name, base=ReliableTask, bind=True, max_retries=max_retries, shared=False
        )
        bind(run)


def push(task: ReliableTask, target: str, delivery_id: str) -> str:
    """Attempt one delivery (to a partner, or a WebSub subscriber), then nudge the
    target's next due ones."""
    rt = task.runtime
    settings = push_settings(settings_of(task.app))
    send = send_to_subscriber if target.startswith(TARGET_PREFIX) else send_to_partner
    done = attempt(rt.client, target, delivery_id, settings, rt.clock, send)
    if done.delivery is not None:
        _observe(target, done)
    send_nudges(task.app, due(rt.client, target, settings, rt.clock()))
    return done.outcome


def websub_verify(task: ReliableTask, intent: dict[str, Any], where: list[str]) -> bool:
    """Verify a WebSub subscriber's intent (worker/websub.py): on the push queue, as the
    callback is someone else's server."""
    rt = task.runtime
    partner, lang, fmt = where
    settings = push_settings(settings_of(task.app))
    return verify(rt.client, Intent(**intent), (partner, lang, fmt), settings, rt.clock())


def _observe(partner: str, done: Attempted) -> None:
    """The attempt's log line (its counts went with its record: ``push._counted``)."""
    d, verdict = done.delivery, done.verdict
    if d is None or verdict is None or done.ended is None:
        return
    fields = {"partner": partner, "delivery": d.ref.delivery_id, "attempt": d.attempts}
    fields |= {"state": str(verdict.state), "reason": verdict.reason}
    log.log(
        logging.WARNING if verdict.state is DeliveryState.DEAD else logging.INFO,
        "push",
        extra=fields,
    )
