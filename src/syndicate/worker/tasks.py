"""The Celery tasks: ingest -> translate (one per language, queue ``translate.<lang>``) ->
publish. Each takes (article_id, version, lang), calls one pipeline step and enqueues the
next; all are idempotent, because ``acks_late`` redelivers (app.py). Timing, metrics and
log context are Celery signals (hooks.py), so the bodies stay a few lines.

Retries: ``StoreUnavailable`` and broker errors only, with exponential backoff and jitter.
Anything else is final: a translate task records ``failed`` with the reason.
Only this module, submit.py (for the API and the CLI) enqueue, and always after the store
write.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, cast

from celery import Celery, Task
from celery.exceptions import Reject
from kombu.exceptions import OperationalError

from syndicate.errors import StoreUnavailable
from syndicate.news.states import LanguageState, Outcome
from syndicate.store import ops as store_ops
from syndicate.store.client import DEFAULT_MASTER, answers_ping
from syndicate.worker import failures, intake, items, nudges, rendering, translating
from syndicate.worker.routing import INGEST, PUBLISH, TRANSLATE, translate_queue
from syndicate.worker.runtime import Runtime, SyndicateCelery
from syndicate.worker.sending import send

log = logging.getLogger("syndicate.tasks")
TRANSIENT: Final = (StoreUnavailable, OperationalError, ConnectionError)
# What a retry leaves of the hard time limit when it stops waiting for the broker: the
# soft limit's 30 s before it (app.py) and 10 s to send the retry or hand the message back.
RETRY_MARGIN_SECONDS: Final = 40.0
Ids = tuple[str, int, str]


def broker_wait_seconds(time_limit: float, spent: float) -> float:
    """How long a retry may wait for the broker: what is left of the task's hard time limit
    after the ``spent`` seconds, less the margin to send the retry; never negative."""
    return max(0.0, time_limit - spent - RETRY_MARGIN_SECONDS)


class ReliableTask(Task[Any, Any]):
    """Retry transient failures only, with backoff and jitter (app.py explains);
    a translate task that fails for good leaves its language ``failed`` with the reason."""

    autoretry_for = TRANSIENT
    retry_backoff = 1
    retry_backoff_max = 60
    retry_jitter = True

    def before_start(self, task_id: str, args: Any, kwargs: Any) -> None:
        """Note when this run began: a retry waits only within what is left of the limit."""
        self.request.update(started_at=time.monotonic())

    def retry(self, *args: Any, **kwargs: Any) -> Any:
        """Celery's retry, once the broker answers again. Celery sends a retry as a new
        message and, when it cannot send it, rejects the message in hand for good: with
        Redis away, an accepted article was lost (seen in the outage test, issue 9). So
        wait for the broker, within what the hard time limit leaves after the time this
        run already spent (a fixed wait overran it: the pool killed the task before the
        hand-back), and, should the send still fail, hand the message back."""
        broker = str(self.app.conf.broker_url)
        master = self.app.conf.broker_transport_options.get("master_name", DEFAULT_MASTER)
        limit = float(self.time_limit or self.app.conf.task_time_limit or 0)
        started = getattr(self.request, "started_at", None) or time.monotonic()
        spent = time.monotonic() - started
        deadline = time.monotonic() + broker_wait_seconds(limit, spent)
        pause = 0.5
        while not answers_ping(broker, master=master) and time.monotonic() < deadline:
            time.sleep(pause)  # backoff while Redis is away, not synchronisation
            pause = min(pause * 2, 5.0)
        try:
            return super().retry(*args, **kwargs)
        except Reject as rejected:
            reason, requeue = rejected.args  # Reject(reason, requeue); the stubs lack both
            if requeue:
                raise
            log.warning("retry not sent; message handed back", extra={"error": str(reason)})
            raise Reject(reason, requeue=True) from rejected

    @property
    def runtime(self) -> Runtime:
        """The runtime of the app this task is bound to, in this process."""
        return cast(SyndicateCelery, self.app).runtime

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        reason = f"{type(exc).__name__}: {exc}"
        log.error("task failed", extra={"error": reason})
        if len(args) != 3 or self.name not in (INGEST, TRANSLATE):
            return
        rt = self.runtime
        try:
            if self.name == TRANSLATE:
                failures.fail_language(rt.client, tuple(args), reason, rt.clock())
            else:  # no target may wait for ever on an ingest that will not come back
                failures.fail_version(rt.client, args[0], args[1], reason, rt.clock())
        except StoreUnavailable:
            log.warning("could not record the failure: Redis unavailable")


def register(app: Celery, max_retries: int) -> None:
    """Bind the three tasks to ``app`` under their stable names (not shared: a task
    belongs to the app that registered it, whatever other apps the process builds)."""
    runs: tuple[tuple[str, Callable[..., Any]], ...] = (
        (INGEST, ingest),
        (TRANSLATE, translate),
        (PUBLISH, publish),
    )
    for name, run in runs:
        bind = app.task(
            name=name, base=ReliableTask, bind=True, max_retries=max_retries, shared=False
        )
        bind(run)


def enqueue_translation(app: Celery, ids: Ids) -> None:
    """Send one language's translation to its own queue."""
    send(app, TRANSLATE, ids, queue=translate_queue(ids[2]))


def ingest(task: ReliableTask, article_id: str, version: int, lang: str) -> str:
    """Publish the source-language item and its feeds, then fan out one translation per
    target (the render runs here, not queued: see ``translate``). A kill is taken to every
    language here, at once: it needs no model and must not wait behind translations."""
    rt = task.runtime
    outcome = items.publish_source(rt.client, article_id, version, rt.clock(), site=rt.site)
    if outcome in (Outcome.STALE, LanguageState.FAILED):
        return str(outcome)
    _publish(task, (article_id, version, lang))
    fan = intake.fan_out(rt.client, rt.engine, article_id, version, rt.default_targets, rt.clock())
    for target in fan.withdraw:
        _withdraw(task, (article_id, version, target))
    for target in fan.translate:
        enqueue_translation(task.app, (article_id, version, target))
    return str(outcome)


def _withdraw(task: ReliableTask, ids: tuple[str, int, str]) -> None:
    """Take a kill to one language now (the translate step's kill path needs no model)."""
    rt = task.runtime
    translating.translate_language(rt.client, rt.engine, rt.glossary, ids, rt.clock(), site=rt.site)
    _publish(task, ids)


def translate(task: ReliableTask, article_id: str, version: int, lang: str) -> dict[str, Any]:
    """Translate one language with one batched model call, store it, then publish it; the
    outcome, the segments sent to the model and the stored translation's flags by reason go
    to the metrics (hooks.py, task_success).

    The publish step runs here, on the worker that translated, rather than as a queued
    ``syndicate.publish``: under a burst a queued render waited behind every translation
    (measured with benchmarks/service.py: every article became visible only at the end)."""
    rt, ids = task.runtime, (article_id, version, lang)
    done = translating.translate_language(
        rt.client, rt.engine, rt.glossary, ids, rt.clock(), site=rt.site, policy=rt.review
    )
    if done.outcome in (Outcome.WRITTEN, Outcome.ALREADY_DONE):
        _publish(task, ids)  # a translation held for review (in_review) waits for approval
    result = {"outcome": str(done.outcome), "segments": done.segments, "flags": dict(done.flags)}
    return result | {"looked_up": done.looked_up, "found": dict(done.found)}


def publish(task: ReliableTask, article_id: str, version: int, lang: str) -> str:
    """Re-render a language when an embargo ends (scheduled by the publish step); also
    what an operator can send to re-render a language by hand."""
    _publish(task, (article_id, version, lang))
    return "rendered"


def _publish(task: ReliableTask, ids: Ids) -> None:
    """Re-render the language's feeds once, then mark the version published there; when an
    embargo ends later, schedule a render for then. Last, the published item goes to the
    partners it is pushed to (nudges.py): on every run, so a redelivered task announces
    what a killed one did not."""
    rt = task.runtime
    moment = rt.clock()
    edition = rendering.publish_language(rt.client, ids, rt.site, moment)
    for skipped in edition.skipped:
        log.warning("item left out of the feeds", extra=dataclasses.asdict(skipped))
    if edition.stale_at is not None:
        _schedule_render(task, ids, edition.stale_at, moment)
    log.info("published", extra={"formats": sorted(edition.bodies)})
    nudges.after_publish(task.app, rt.client, ids, rt.site, rt.clock)


def _schedule_render(task: ReliableTask, ids: Ids, at: datetime, moment: datetime) -> None:
    """One ``publish`` per language and instant (``claim_rerender``), at most
    ``rerender_within`` ahead: a later end is re-scheduled by that render."""
    rt = task.runtime
    wait = max(1, int(min(at - moment, rt.rerender_within).total_seconds()) + 1)
    if store_ops.claim_rerender(rt.client, ids[2], at, wait):
        send(task.app, PUBLISH, ids, countdown=wait)
