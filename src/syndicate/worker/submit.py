"""The one way work enters the queues from outside a worker: the API webhook, ``syndicate
enqueue``, ``syndicate backfill`` (``submit``) and ``syndicate retry`` (``retry``).

Always store first, then send. Accept-and-enqueue is one atomic step: the Lua script that
stores the version (``intake.accept``, ``articles.save_version``) also hands out the claim
to send its ingest, to one caller only, with a lease (30 s). Twenty identical POSTs at once
store one version (one 202, nineteen 200s) and send one ingest: one translation per
language. The sender marks the version dispatched once the message is on the broker. A
replay of a version stored but never dispatched dispatches it: at once when its sender's
send failed (the claim is given back), after the lease when the sender died in between.

Why a claim and not an outbox: an outbox row needs a relay process to move it to the
broker (one more process to run and watch), or the Lua script must write kombu's message
envelope itself (the broker's private format); the claim keeps the send where it was, in
the request, and the one thing the race needed, deciding who sends, inside the same
script as the save (docs/architecture.md, "The service, request by request").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from celery import Celery

from syndicate.models.engine import Engine
from syndicate.news.article import Article
from syndicate.news.states import Outcome
from syndicate.store import articles, server
from syndicate.store.client import Client
from syndicate.worker import intake
from syndicate.worker.intake import Accepted, Requeued
from syndicate.worker.routing import INGEST
from syndicate.worker.sending import send
from syndicate.worker.tasks import enqueue_translation

# A request or command that enqueues waits about two seconds for the broker, then fails
# (503, exit 1); the version is stored, and a replay dispatches it. Tasks enqueueing their
# next step keep the app's patient policy.
CALLER_RETRY_POLICY: Final = {"max_retries": 3, "interval_start": 0.2, "interval_step": 0.4}


@dataclass(frozen=True, slots=True)
class Submitted:
    """What ``submit`` did: the stored version, and whether this call sent its ingest."""

    accepted: Accepted
    dispatched: bool


def submit(
    client: Client,
    celery_app: Celery,
    article: Article,
    default_targets: Sequence[str],
    now: datetime,
    on_new: Callable[[Accepted], None] | None = None,
) -> Submitted:
    """Store a version and dispatch its ingest when it is new work, or a replay whose
    ingest never reached the broker (``StaleVersion`` for an older version, nothing sent);
    return once all of it is on the required replicas (``NotReplicated`` otherwise: the
    answer is 503, and the client's retry is a replay).
    ``on_new`` runs once a new version is stored, before its dispatch (the API counts it)."""
    accepted = intake.accept(client, article, default_targets, now)
    if accepted.outcome is Outcome.WRITTEN and on_new is not None:
        on_new(accepted)
    if not accepted.dispatch:  # sent already, or being sent by the request holding the claim
        server.confirm_replicated(client)  # a replay is an acknowledgement too
        return Submitted(accepted, dispatched=False)
    dispatch(client, celery_app, (accepted.article_id, accepted.version, accepted.source))
    server.confirm_replicated(client)  # the version, its states and its message
    return Submitted(accepted, dispatched=True)


def dispatch(client: Client, celery_app: Celery, ids: tuple[str, int, str]) -> None:
    """Enqueue the ingest of stored version ``ids[1]`` (source ``ids[2]``), then mark it
    dispatched; a failed send gives the claim back, so a replay sends it at once. Also
    what worker/recovery.py and ``retry`` send."""
    try:
        send(celery_app, INGEST, ids, retry_policy=CALLER_RETRY_POLICY)
    except BaseException:
        articles.end_dispatch(client, ids[0], ids[1], sent=False)
        raise
    articles.end_dispatch(client, ids[0], ids[1], sent=True)


def retry(
    client: Client,
    celery_app: Celery,
    engine: Engine,
    article_id: str,
    langs: Sequence[str] | None,
    configured: Sequence[str],
    now: datetime,
) -> Requeued:
    """Put the latest version's unfinished languages (or ``langs``) back to ``queued`` and
    send their work, with ingest's checks (``intake.requeue``: ``NoSuchArticle``,
    ``UnknownLanguage``; a target no worker would translate ends ``no_model``): the ingest
    when the source is among them (it fans the targets out again), else one translation
    per language."""
    done = intake.requeue(client, engine, article_id, langs, configured, now)
    if done.source in done.again:
        dispatch(client, celery_app, (article_id, done.version, done.source))
    else:
        for lang in done.again:
            enqueue_translation(celery_app, (article_id, done.version, lang))
    return done
