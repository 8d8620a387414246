"""After a Redis restart, send again what the crash took from the broker, so every article
accepted with a 202 is published without a client replaying it.

With ``appendfsync always`` (docs/operations.md, "Durability") a crash loses no write
Redis answered: the stored version, its queued states and the messages all survive. What
does not survive is what lived in the worker's memory and connections:

- a message a worker had popped from its queue (BRPOP) but not yet recorded in kombu's
  ``unacked`` hash (a second command): the message is gone, its article stays ``queued``;
- a message delivered before the restart: the connection it went to is closed, no worker
  will acknowledge it, and kombu hands it back only after ``visibility_timeout`` (an hour).

So once per server run (``store.server.server_run``: a new ``run_id`` after a restart) the
first worker process to notice sweeps (``store.recovery``): it hands back the messages
delivered before the run began (kombu's ``restore_by_tag``), then looks at every version
received before the run began that still has a language ``queued`` or ``translating``
(the work index the Lua scripts keep, ``syn:unfinished``: the sweep's cost follows the
work in flight, never the articles stored, and every read is a bounded page). A version
with no message of its own in the broker gets its ingest again (which fans out to every
target); one whose ingest is done but some target has no message gets that target's
translation. Both are idempotent on (id, version, lang): a message that was not lost after
all runs once more and changes nothing. The sweep runs on the worker's upkeep thread
(upkeep.py), never on the heartbeat; a first start on a Redis counts as a run too, so a
crash while no worker ran is swept when the first one starts. The first sweep on a store
from before the work index builds it first (``store.recovery.index_absent``, once).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from celery import Celery

from syndicate.store import deliveries, ops, recovery, server
from syndicate.store.client import Client
from syndicate.store.recovery import Unfinished
from syndicate.worker.routing import DEFAULT_QUEUE, INGEST, translate_queue
from syndicate.worker.submit import dispatch
from syndicate.worker.tasks import enqueue_translation

log = logging.getLogger("syndicate.worker")
CLAIM_SECONDS: Final = 7 * 24 * 3600  # one sweep per server run; a week outlives any run check
Ids = tuple[str, int, str]


def message_ids(envelope: Mapping[str, Any]) -> tuple[str, Ids] | None:
    """The task name and (article_id, version, lang) of a Celery message (protocol 2, JSON
    body, base64 in kombu's Redis envelope); None for anything else."""
    try:
        body = envelope["body"]
        if envelope.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        return str(envelope["headers"]["task"]), (str(args[0]), int(args[1]), str(args[2]))
    except (KeyError, IndexError, TypeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class Plan:
    """What to send again: ingests (id, version, source) and translations (id, version, lang)."""

    ingest: list[Ids] = field(default_factory=list)
    translate: list[Ids] = field(default_factory=list)


def plan(unfinished: Iterable[Unfinished], live: Iterable[tuple[str, Ids]]) -> Plan:
    """Which unfinished versions lost their messages (the module docstring says why)."""
    by_version: dict[tuple[str, int], set[tuple[str, str]]] = {}
    for task, (article_id, version, lang) in live:
        by_version.setdefault((article_id, version), set()).add((task, lang))
    todo = Plan()
    for u in unfinished:
        held = by_version.get((u.article_id, u.version), set())
        if any(task == INGEST for task, _ in held):
            continue
        if not held or u.source in u.languages:
            todo.ingest.append((u.article_id, u.version, u.source))
            continue
        covered = {lang for _, lang in held}
        for lang in u.languages:
            if lang not in covered:
                todo.translate.append((u.article_id, u.version, lang))
    return todo


@dataclass(frozen=True, slots=True)
class Swept:
    """What one sweep did, for the log line and tests."""

    restored: int
    plan: Plan


def sweep_once(
    client: Client, celery_app: Celery, channel: Any, run: server.ServerRun
) -> Swept | None:
    """Sweep if no worker has swept since the server run ``run`` began; None if one has.
    ``channel`` is kombu's Redis channel (its unacked keys, its ``restore_by_tag``)."""
    if not recovery.claim_sweep(client, run.run_id, CLAIM_SECONDS):
        return None
    try:
        indexed = recovery.index_absent(client)  # once per store: one from before the index
        if indexed:
            log.info("work index built", extra={"articles": indexed})
        return _sweep(client, celery_app, channel, run.started)
    except BaseException:
        recovery.release_sweep(client, run.run_id)
        raise


def _queues(client: Client, unfinished: Iterable[Unfinished]) -> list[str]:
    """Where a message of these versions can wait: ``syndicate`` and their languages'
    translate queues (the list of queues may be gone with a Redis that lost its data), and
    every queue a worker consumes."""
    langs = {lang for u in unfinished for lang in u.languages}
    names = [DEFAULT_QUEUE, *(translate_queue(lang) for lang in sorted(langs))]
    return list(dict.fromkeys([*names, *ops.broker_queues(client)]))


def _sweep(client: Client, celery_app: Celery, channel: Any, started: float) -> Swept:
    """Hand back what a closed connection held, then send what lost its message. The
    versions are read again once the messages are: one that went on meanwhile (its message
    taken and done while the lists were read) is not sent twice."""
    candidates = recovery.unfinished_ids(client, started)
    queues = _queues(client, recovery.unfinished_versions(client, candidates))
    unacked = (channel.unacked_key, channel.unacked_index_key)
    found = recovery.broker_messages(client, queues, unacked, started, message_ids)
    deliveries.forget(client, list(found.stale))
    for tag in found.stale:
        channel.qos.restore_by_tag(tag, leftmost=True)
    live = [*found.live, *(ids for ids in found.stale.values() if ids is not None)]
    todo = plan(recovery.unfinished_versions(client, candidates), live)
    for ids in todo.ingest:
        dispatch(client, celery_app, ids)
    for ids in todo.translate:
        enqueue_translation(celery_app, ids)
    counts = {"restored": len(found.stale), "ingests": len(todo.ingest)}
    counts |= {"translations": len(todo.translate), "versions": len(candidates)}
    if found.stale or todo.ingest or todo.translate:
        log.warning("recovered after a Redis restart", extra=counts)
    else:
        log.info("recovery sweep: nothing lost", extra=counts)
    return Swept(len(found.stale), todo)
