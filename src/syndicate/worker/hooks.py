"""The Celery signal receivers of one app: logs, metrics, the per-process runtime, the
worker heartbeat (constant work) and the bootstep that stops the upkeep thread it wakes
(upkeep.py: the hand-back of a dead worker's messages, the sweep after a Redis restart,
retention).

Tasks stay thin because everything around them happens here, as Warehouse binds its log
context on ``task_prerun``: the log context (task id, article id, version, lang) is bound
before a task and cleared after it; ``syndicate_tasks_total`` counts each ending; a
translation's duration and segments go to ``syndicate_translation_seconds`` and
``syndicate_segments_total``, its segment flags to ``syndicate_translation_flags_total``
(by language and reason: ``low_confidence_markup`` counts segments whose tags an editor
should check). Celery's signals are process-wide, so each receiver acts only
for its own app's tasks and workers; the app holds the receivers (they are connected
weakly), so an app no longer used takes them with it.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Final

from celery import bootsteps, signals
from celery.exceptions import SecurityWarning

from syndicate import logs
from syndicate.config import guid_domain_problem, visibility_problem
from syndicate.errors import StoreUnavailable
from syndicate.models.catalogue import Catalogue
from syndicate.news.languages import primary
from syndicate.store import deliveries
from syndicate.store import ops as store_ops
from syndicate.worker import orphans
from syndicate.worker.routing import TRANSLATE, default_queues
from syndicate.worker.runtime import SyndicateCelery
from syndicate.worker.upkeep import Upkeep

log = logging.getLogger("syndicate.worker")
SECONDS_BUCKETS: Final = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
# The first words of Celery's multi-line warning for a worker run as root.
_ROOT_WARNING: Final = "You're running the worker with superuser privileges"


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def connect(app: SyndicateCelery) -> None:
    """Connect a receiver set for ``app`` to Celery's signals; ``app`` keeps it alive."""
    receivers = _Receivers(app, Upkeep(app))
    app.receivers.append(receivers)
    app.steps["worker"].add(_upkeep_step(receivers.upkeep))
    signals.celeryd_init.connect(receivers.worker_starting)
    signals.setup_logging.connect(receivers.keep_logging)
    signals.worker_process_init.connect(receivers.process_started)
    signals.task_prerun.connect(receivers.task_starting)
    signals.task_postrun.connect(receivers.task_ended)
    signals.task_success.connect(receivers.task_succeeded)
    signals.task_failure.connect(receivers.task_failed)
    signals.task_retry.connect(receivers.task_retried)
    signals.worker_ready.connect(receivers.worker_ready)
    signals.heartbeat_sent.connect(receivers.heartbeat)
    signals.task_received.connect(receivers.task_received)


def _upkeep_step(upkeep: Upkeep) -> type[bootsteps.StartStopStep]:
    """A worker bootstep owning ``upkeep``: the worker stops its thread when it stops, warm
    or cold (Celery sends worker_shutdown on a warm stop only)."""

    class UpkeepStep(bootsteps.StartStopStep):
        def stop(self, parent: Any) -> None:
            upkeep.stop()

        def terminate(self, parent: Any) -> None:
            upkeep.stop()

    return UpkeepStep


@dataclass(eq=False)
class _Receivers:
    app: SyndicateCelery
    upkeep: Upkeep
    watch: orphans.Watch = field(default_factory=orphans.Watch)
    started: dict[str, float] = field(default_factory=dict)  # task id -> perf_counter

    def worker_starting(self, instance: Any, options: dict[str, Any], **_: Any) -> None:
        """A worker started from the command line (a test worker sends no celeryd_init):
        refused, exit code 2, on a visibility timeout a task can outlast (config.py),
        JSON logs from the first line, one short line instead of Celery's root warning,
        and ``celery -A worker worker`` without ``-Q`` consuming what ``syndicate worker``
        does (Celery alone would read only ``syndicate``, and nothing would translate)."""
        if instance.app is not self.app:
            return
        if (problem := visibility_problem(self.app.settings)) is not None:
            print(f"celery worker: {problem}", file=sys.stderr)
            raise SystemExit(2)  # Celery logs and swallows an Exception from a receiver
        logs.configure(self.app.settings.log_format, self.app.settings.log_level)
        warnings.filterwarnings("ignore", _ROOT_WARNING, SecurityWarning)
        if os.geteuid() == 0:
            log.warning("the worker runs as root; prefer an unprivileged user (--uid)")
        if (problem := guid_domain_problem(self.app.settings)) is not None:
            log.warning(problem)
        self._report_models()
        if options.get("queues"):
            return
        queues = instance.app.amqp.queues
        for name in default_queues(self.app.settings):
            queues.select_add(queues[name])  # declared as a sender declares a missing queue

    def _report_models(self) -> None:
        """Which packages share one model, which have no licence, which commercial use
        leaves out (models/catalogue.py): once, when the worker starts."""
        s = self.app.settings
        try:
            lines = Catalogue.scan(s.models_dir, s.commercial_use).report()
        except Exception as exc:  # a broken package must not stop the worker starting
            log.warning("installed packages not read", extra={"error": _reason(exc)})
            return
        for warning, line in lines:
            (log.warning if warning else log.info)(line)

    def keep_logging(self, **_: Any) -> None:
        """Answering setup_logging keeps Celery's hands off logging: a command-line worker
        configured it at celeryd_init (prefork children inherit it), a test worker keeps
        its host's."""

    def process_started(self, **_: Any) -> None:
        """A fresh runtime per child (no connection or thread crosses the fork), with the
        configured pairs' models loaded before the first task arrives."""
        self.app.drop_runtime()
        rt = self.app.runtime
        source = primary(rt.source_language)
        pairs = []
        for target in rt.default_targets:
            try:
                rt.engine.preload(source, primary(target))
                pairs.append(f"{source}->{primary(target)}")
            except Exception as exc:  # the task will say no_model, or fail, with the reason
                pair = f"{source}->{primary(target)}"
                log.warning("model not preloaded", extra={"pair": pair, "error": _reason(exc)})
        log.info("models loaded", extra={"models": rt.engine.loaded(), "pairs": pairs})

    def task_starting(self, task_id: str, task: Any, args: tuple[Any, ...], **_: Any) -> None:
        if task.app is not self.app:
            return
        logs.clear()
        names = ("article_id", "version", "lang")
        logs.bind(task_id=task_id, task=task.name, **dict(zip(names, args, strict=False)))
        self.started[task_id] = time.perf_counter()

    def task_ended(self, task_id: str, task: Any, **_: Any) -> None:
        if task.app is not self.app:
            return
        self.started.pop(task_id, None)
        logs.clear()

    def task_succeeded(self, sender: Any, result: Any, **_: Any) -> None:
        if sender.app is not self.app:
            return
        self._count(sender.name, "success")
        if sender.name == TRANSLATE and isinstance(result, dict):
            self._translated(sender.request, result)

    def _translated(self, request: Any, result: dict[str, Any]) -> None:
        """The "translated" line; when the model was called, its time and segments; the
        stored translation's flags by reason (a translation from memory has them too)."""
        seconds = time.perf_counter() - self.started.get(request.id, time.perf_counter())
        segments = int(result.get("segments", 0))
        flags = result.get("flags") or {}
        lang = str(request.args[2])
        try:
            client = self.app.runtime.client
            if segments:
                labels = {"lang": lang}
                store_ops.observe(
                    client, "syndicate_translation_seconds", labels, seconds, SECONDS_BUCKETS
                )
                store_ops.count(client, "syndicate_segments_total", labels, segments)
            for reason, n in sorted(flags.items()):
                labels = {"lang": lang, "reason": str(reason)}
                store_ops.count(client, "syndicate_translation_flags_total", labels, int(n))
            _count_memory(client, lang, result)
        except Exception as exc:  # the translation is done; only its metrics are lost
            log.warning("translation metrics not recorded", extra={"error": _reason(exc)})
        outcome = result.get("outcome")
        extra = {"outcome": outcome, "duration_ms": round(seconds * 1000), "segments": segments}
        log.info("translated", extra=extra)

    def task_failed(self, sender: Any, **_: Any) -> None:
        if sender.app is self.app:
            self._count(sender.name, "failure")

    def task_retried(self, sender: Any, **_: Any) -> None:
        if sender.app is self.app:
            self._count(sender.name, "retry")

    def _count(self, task: str, state: str) -> None:
        series = {"task": task, "state": state}
        try:
            store_ops.count(self.app.runtime.client, "syndicate_tasks_total", series)
        except Exception as exc:  # the task ended as it did; only the count is lost
            log.warning("task not counted", extra={"error": _reason(exc)})

    def worker_ready(self, sender: Any, **_: Any) -> None:
        if sender.app is not self.app:
            return
        try:
            self._note_worker(sender.hostname)
        except Exception as exc:  # the heartbeat notes it again within 2 s
            log.warning("worker not noted", extra={"error": _reason(exc)})

    def heartbeat(self, sender: Any, **_: Any) -> None:
        """Workers seen and the queues they consume, for /healthz and /metrics, and the
        consumer's own beat (orphans.py); then the upkeep thread is woken for the rest
        (upkeep.py: the hand-back of dead workers' messages, the sweep after a Redis
        restart, the pushes that are due, retention). On the worker's event heartbeat,
        every 2 s: constant work, two round trips, whatever Redis holds, so this worker
        never looks dead to the others."""
        if sender.eventer.app is not self.app:
            return
        hostname = sender.eventer.hostname
        consumer = orphans.consumer_id(hostname)
        try:
            self._note_worker(hostname)
            moment = self.app.time_source().timestamp()
            orphans.beat(self.app.runtime.client, consumer, moment)
        except StoreUnavailable:
            return  # Redis away: the watch starts again once beats go through
        except Exception as exc:  # never let the heartbeat die; the next one tries again
            log.warning("heartbeat not noted", extra={"error": _reason(exc)})
            return
        self.upkeep.wake(reap=self.watch.may_reap(moment))

    def _note_worker(self, hostname: str) -> None:
        """This worker is alive (/healthz), consuming these queues (/metrics reads them)."""
        consumed = list(self.app.amqp.queues.consume_from)
        client, moment = self.app.runtime.client, self.app.time_source()
        store_ops.note_worker(client, hostname, moment, consumed)

    def task_received(self, sender: Any, request: Any, **_: Any) -> None:
        """Record which consumer holds the message (orphans.py), if this process beats."""
        moment = self.app.time_source().timestamp()
        if sender.app is not self.app or not self.watch.beating(moment):
            return
        try:
            consumer = orphans.consumer_id(sender.hostname)
            client = self.app.runtime.client
            deliveries.note_delivery(client, request.message.delivery_tag, consumer, moment)
        except Exception as exc:  # the message still runs; only fast recovery is lost
            log.warning("delivery not recorded", extra={"error": _reason(exc)})


def _count_memory(client: Any, lang: str, result: dict[str, Any]) -> None:
    """The translation memories' use (issue 18): texts looked up, and found by origin
    (``human``: approved on the review desk; ``machine``: the model's, remembered)."""
    looked_up = int(result.get("looked_up", 0))
    if looked_up:
        store_ops.count(client, "syndicate_tm_lookups_total", {"lang": lang}, looked_up)
    for origin, n in sorted((result.get("found") or {}).items()):
        if n:
            labels = {"lang": lang, "origin": str(origin)}
            store_ops.count(client, "syndicate_tm_hits_total", labels, int(n))
