"""Sending a task message through a broker that may have just failed over or restarted.

Kombu's Redis transport can fail a publish on a pooled connection that a broker outage
closed with an AttributeError from inside kombu ("'NoneType' object has no attribute
'client'": the channel's connection is gone). That is not one of kombu's connection
errors, so neither kombu's publish retry nor the tasks' retry caught it: after a Sentinel
failover in the cluster test (issue 20) an ingest fanning out its translations failed for
good and took its whole version with it. ``send`` tries once more on a new connection,
which asks the sentinels for the master again; a second failure is a broker error
(``OperationalError``): transient, so a task retries and the API answers 503.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery
from kombu.exceptions import OperationalError

log = logging.getLogger("syndicate.worker")


def send(app: Celery, name: str, args: tuple[Any, ...], **options: Any) -> None:
    """``app.tasks[name].apply_async(args, **options)``, once more on a new connection
    when the pooled one is broken."""
    task = app.tasks[name]
    try:
        task.apply_async(args, **options)
        return
    except AttributeError as exc:
        log.warning("broker connection broken; sending on a new one", extra={"error": str(exc)})
    try:
        with app.connection_for_write() as connection:
            app.send_task(name, args, connection=connection, **options)
    except AttributeError as exc:
        raise OperationalError(f"the broker connection is broken: {exc}") from exc
