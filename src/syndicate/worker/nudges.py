"""Nudges: the ``syndicate.push`` messages that say "look at this delivery now", sent
after the publish step announces an item, after each attempt and on every heartbeat's
sweep (issue 19). Apart from the task itself (push_tasks.py), so that the tasks that
publish and the heartbeat send them without importing it.

A nudge carries no state: the delivery record decides (store/pushes.py). One that cannot
be sent (the broker away) is logged and left to the sweep, which sends it once its
delivery is due again: the publish step never fails for a push.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final, cast

from celery import Celery
from kombu.exceptions import OperationalError

from syndicate.clock import Clock
from syndicate.config import Settings
from syndicate.feeds.edition import FeedSite
from syndicate.store.client import Client
from syndicate.worker import websub
from syndicate.worker.push import Nudge, announce, push_settings, sweep
from syndicate.worker.routing import PUSH, PUSH_QUEUE
from syndicate.worker.runtime import SyndicateCelery
from syndicate.worker.sending import send

log = logging.getLogger("syndicate.push")
# A nudge waits about two seconds for the broker; a nudge not sent is sent by the sweep.
NUDGE_RETRY_POLICY: Final = {"max_retries": 3, "interval_start": 0.2, "interval_step": 0.4}


def settings_of(app: Celery) -> Settings:
    return cast(SyndicateCelery, app).settings


def send_nudges(app: Celery, nudges: Sequence[Nudge]) -> None:
    """One ``syndicate.push`` message per delivery to look at now, sent as every task
    message is (sending.py: once more on a new connection when the pooled one broke)."""
    for partner, delivery_id in nudges:
        try:
            send(
                app, PUSH, (partner, delivery_id), queue=PUSH_QUEUE, retry_policy=NUDGE_RETRY_POLICY
            )
        except (OperationalError, ConnectionError) as exc:
            log.warning("push not queued; the sweep sends it", extra={"error": str(exc)})


def after_publish(
    app: Celery, client: Client, ids: tuple[str, int, str], site: FeedSite, clock: Clock
) -> None:
    """The publish step's last act: announce the published item to its partners, and the
    language's changed feeds to their WebSub subscribers."""
    settings = push_settings(settings_of(app))
    nudges = announce(client, ids, site, settings, clock())
    send_nudges(app, [*nudges, *websub.announce(client, ids[2], settings, clock())])


def sweep_pushes(app: Celery, client: Client, clock: Clock) -> None:
    """After a worker's heartbeat, on its upkeep thread (upkeep.py): nudge what is due for
    every partner and WebSub subscriber, and end the subscriptions whose lease ran out."""
    settings = push_settings(settings_of(app))
    due = [*sweep(client, settings, clock()), *websub.sweep(client, settings, clock())]
    send_nudges(app, due)
