"""The Celery tasks: ingest -> translate (one per language, queue ``translate.<lang>``) ->
publish. Each takes (article_id, version, lang), calls one pipeline step and enqueues the
next; all are idempotent, because ``acks_late`` redelivers (celery_app.py).

Retries: ``StoreUnavailable`` and broker errors only, with exponential backoff and jitter.
Anything else is final: a translate task records ``failed`` with the reason.
Only this module, api.py and cli.py enqueue, and always after the store write.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any, Final

from celery import Task
from kombu import Connection
from kombu.exceptions import OperationalError

from syndicate.config import settings
from syndicate.errors import StoreUnavailable
from syndicate.news.states import Outcome
from syndicate.store import ops
from syndicate.store.client import Client
from syndicate.worker import pipeline
from syndicate.worker.app import app, now, runtime, translate_queue
from syndicate.worker.pipeline import Accepted

log = logging.getLogger("syndicate.tasks")
TRANSIENT: Final = (StoreUnavailable, OperationalError, ConnectionError)
# A request or command that enqueues waits about two seconds for the broker, then fails
# (503, exit 1); the version is stored, and a replay dispatches it. Tasks enqueueing their
# next step keep celery_app's patient policy.
CALLER_RETRY_POLICY: Final = {"max_retries": 3, "interval_start": 0.2, "interval_step": 0.4}
SECONDS_BUCKETS: Final = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


class ReliableTask(Task[Any, str]):
    """Retry transient failures only, with backoff and jitter (celery_app.py explains);
    a translate task that fails for good leaves its language ``failed`` with the reason."""

    autoretry_for = TRANSIENT
    retry_backoff = 1
    retry_backoff_max = 60
    retry_jitter = True
    max_retries = settings().task_max_retries

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        log.error("task failed", extra={"error": f"{type(exc).__name__}: {exc}"})
        if self.name == translate.name and len(args) == 3:
            reason = f"{type(exc).__name__}: {exc}"
            try:
                pipeline.fail_language(runtime().client, tuple(args), reason, now())
            except StoreUnavailable:
                log.warning("could not record the failure: Redis unavailable")


def dispatch(client: Client, accepted: Accepted, connection: Connection | None = None) -> None:
    """Enqueue the ingest of a stored version, then mark it dispatched (a replay of a
    version stored but never dispatched dispatches it: nothing accepted is lost).

    ``connection`` sends to another broker than the configured one (tests, tools)."""
    args = (accepted.article_id, accepted.version, accepted.source)
    options: dict[str, Any] = {"connection": connection} if connection else {}
    ingest.apply_async(args, retry_policy=CALLER_RETRY_POLICY, **options)
    ops.mark_dispatched(client, accepted.article_id, accepted.version)


@app.task(name="syndicate.ingest", base=ReliableTask)
def ingest(article_id: str, version: int, lang: str) -> str:
    """Publish the source-language item and its feeds, then fan out one translation per
    target (the render runs here, not queued: see ``translate``). A kill is taken to every
    language here, at once: it needs no model and must not wait behind translations."""
    rt = runtime()
    outcome = pipeline.publish_source(rt.client, article_id, version, now())
    if outcome is Outcome.STALE:
        return str(outcome)
    _publish(article_id, version, lang)
    fan = pipeline.fan_out(rt.client, rt.engine, article_id, version, rt.default_targets, now())
    for target in fan.withdraw:
        ids = (article_id, version, target)
        pipeline.translate_language(rt.client, rt.engine, rt.glossary, ids, now())
        _publish(article_id, version, target)
    for target in fan.translate:
        translate.apply_async((article_id, version, target), queue=translate_queue(target))
    return str(outcome)


@app.task(name="syndicate.translate", base=ReliableTask)
def translate(article_id: str, version: int, lang: str) -> str:
    """Translate one language with one batched model call, store it, then publish it.

    The publish step runs here, on the worker that translated, rather than as a queued
    ``syndicate.publish``: under a burst a queued render waited behind every translation
    (measured with benchmarks/service.py: every article became visible only at the end)."""
    rt = runtime()
    started = time.perf_counter()
    done = pipeline.translate_language(
        rt.client, rt.engine, rt.glossary, (article_id, version, lang), now()
    )
    seconds = time.perf_counter() - started
    if done.outcome in (Outcome.WRITTEN, Outcome.ALREADY_DONE):
        _publish(article_id, version, lang)
    if done.segments:
        _record_translation(rt.client, lang, seconds, done.segments)
    log.info(
        "translated",
        extra={
            "outcome": str(done.outcome),
            "duration_ms": round(seconds * 1000),
            "segments": done.segments,
        },
    )
    return str(done.outcome)


def _record_translation(client: Client, lang: str, seconds: float, segments: int) -> None:
    ops.observe(client, "syndicate_translation_seconds", {"lang": lang}, seconds, SECONDS_BUCKETS)
    ops.count(client, "syndicate_segments_total", {"lang": lang}, segments)


@app.task(name="syndicate.publish", base=ReliableTask)
def publish(article_id: str, version: int, lang: str) -> str:
    """Re-render a language when an embargo ends (scheduled by the publish step); also
    what an operator can send to re-render a language by hand."""
    _publish(article_id, version, lang)
    return "rendered"


def _publish(article_id: str, version: int, lang: str) -> None:
    """Re-render ``lang``'s feeds once, then mark the version published there; when an
    embargo ends later, schedule a render for then."""
    rt, moment = runtime(), now()
    edition = pipeline.render_language(rt.client, lang, rt.site, moment)
    pipeline.mark_published(rt.client, (article_id, version, lang), moment)
    if edition.stale_at is not None:
        delay = min(
            edition.stale_at - moment, timedelta(seconds=settings().visibility_timeout // 2)
        )
        wait = max(1, int(delay.total_seconds()) + 1)
        if ops.claim_rerender(rt.client, lang, edition.stale_at, wait):
            publish.apply_async((article_id, version, lang), countdown=wait)
    log.info("published", extra={"formats": sorted(edition.bodies)})
