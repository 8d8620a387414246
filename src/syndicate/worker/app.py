"""The Celery app: the only place Celery is configured (style guide 4; issue 4.1).

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
  threads do not survive a fork, and each child gets its own copy.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from celery import Celery, signals

from syndicate import logs
from syndicate.config import Settings, read_glossary, settings
from syndicate.errors import StoreUnavailable
from syndicate.feeds.edition import make_provider
from syndicate.models.engine import Engine, engine_from
from syndicate.news.languages import primary
from syndicate.store import deliveries, ops
from syndicate.store.client import Client, connect
from syndicate.translation.glossary import Glossary
from syndicate.worker import orphans
from syndicate.worker.pipeline import FeedSite

log = logging.getLogger("syndicate.worker")
DEFAULT_QUEUE = "syndicate"  # ingest and publish; translations go to translate.<lang>


def translate_queue(lang: str) -> str:
    """The queue of one target language, so an operator can run a worker per language."""
    return f"translate.{lang}"


def consumed_queues(targets: Sequence[str]) -> tuple[str, ...]:
    """``syndicate`` (ingest, publish) and the translate queue of every target."""
    return tuple(dict.fromkeys([DEFAULT_QUEUE, *(translate_queue(t) for t in targets)]))


def installed_targets(s: Settings) -> list[str]:
    """The languages the installed packages translate into."""
    from syndicate.models.packages import list_packages

    return [p.to_code for p in list_packages(s.models_dir)]


def default_queues(s: Settings) -> tuple[str, ...]:
    """What a worker consumes unless told otherwise: the configured targets' queues and
    those of every installed package's target."""
    return consumed_queues([*s.default_targets, *installed_targets(s)])


def _transport_options(visibility_timeout: int) -> dict[str, object]:
    """Kombu's Redis transport settings (the module docstring explains the first)."""
    return {
        "visibility_timeout": visibility_timeout,
        # Look for messages abandoned by a dead worker every 10 s (kombu's default
        # scans every 100 s): recovery takes visibility_timeout + 10 s at most.
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
        # A broker that vanishes without closing the socket must not hang a publish.
        "socket_timeout": 10,
        "socket_connect_timeout": 5,
        "health_check_interval": 10,
    }


def create_app(s: Settings) -> Celery:
    """A Celery app on ``s.redis_url`` with the settings this module's docstring explains."""
    app = Celery("syndicate", broker=s.redis_url, include=["syndicate.worker.tasks"])
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        task_default_queue=DEFAULT_QUEUE,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_concurrency=s.worker_concurrency,
        task_time_limit=s.task_time_limit,
        task_soft_time_limit=max(1, s.task_time_limit - 30),
        broker_transport_options=_transport_options(s.visibility_timeout),
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        # On a lost broker connection running tasks finish (their work is idempotent, and a
        # redelivery changes nothing) rather than being cancelled and redone.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        task_publish_retry=True,
        task_publish_retry_policy={
            "max_retries": 60,
            "interval_start": 0.2,
            "interval_step": 0.5,
            "interval_max": 2.0,
        },
        worker_send_task_events=True,
        task_send_sent_event=True,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        enable_utc=True,
    )
    return app


@dataclass(frozen=True, slots=True)
class Runtime:
    """What a worker process holds: a store client, the engine with its loaded models, the
    glossary and the feed site; built once per process (per child, after the fork)."""

    client: Client
    engine: Engine
    glossary: Glossary
    site: FeedSite
    source_language: str
    default_targets: tuple[str, ...]
    max_retries: int


@cache
def runtime() -> Runtime:
    s = settings()
    base = s.public_base_url
    engine = engine_from(s)
    provider = make_provider(s.provider_name, s.provider_domain, s.provider_uri, base)
    return Runtime(
        client=connect(s.redis_url),
        engine=engine,
        glossary=read_glossary(s.glossary),
        site=FeedSite(provider, base, s.feed_ttl, s.feed_size),
        source_language=s.source_language,
        default_targets=s.default_targets,
        max_retries=s.task_max_retries,
    )


def now() -> datetime:
    return datetime.now(UTC)


app = create_app(settings())


@signals.worker_process_init.connect
def _load_models(**_: Any) -> None:
    """A fresh runtime per child (no connection or thread crosses the fork), with the
    configured pairs' models loaded before the first task arrives."""
    runtime.cache_clear()
    rt = runtime()
    for target in rt.default_targets:
        try:
            rt.engine.preload(primary(rt.source_language), primary(target))
        except Exception:
            continue


@signals.celeryd_init.connect
def _consume_default_queues(instance: Any, options: dict[str, Any], **_: Any) -> None:
    """``celery -A worker worker`` without ``-Q`` consumes what ``syndicate worker`` does:
    Celery alone would read only the ``syndicate`` queue, and no translation would run."""
    if options.get("queues"):
        return
    queues = instance.app.amqp.queues
    for name in default_queues(settings()):
        queues.select_add(queues[name])  # declared as a sender declares a missing queue


@signals.setup_logging.connect
def _setup_logging(**_: Any) -> None:
    s = settings()
    logs.configure(s.log_format, s.log_level)


@signals.task_prerun.connect
def _bind_task(task_id: str, task: Any, args: tuple[Any, ...], **_: Any) -> None:
    logs.clear()
    names = ("article_id", "version", "lang")
    logs.bind(task_id=task_id, task=task.name, **dict(zip(names, args, strict=False)))


@signals.task_postrun.connect
def _unbind_task(**_: Any) -> None:
    logs.clear()


def _count_task(sender: Any, state: str) -> None:
    try:
        ops.count(runtime().client, "syndicate_tasks_total", {"task": sender.name, "state": state})
    except Exception:
        return


@signals.task_success.connect
def _task_succeeded(sender: Any, **_: Any) -> None:
    _count_task(sender, "success")


@signals.task_failure.connect
def _task_failed(sender: Any, **_: Any) -> None:
    _count_task(sender, "failure")


@signals.task_retry.connect
def _task_retried(sender: Any, **_: Any) -> None:
    _count_task(sender, "retry")


def _note_worker(hostname: str) -> None:
    try:
        ops.note_worker(runtime().client, hostname, now())
    except Exception:
        return


@signals.worker_ready.connect
def _worker_ready(sender: Any, **_: Any) -> None:
    _note_worker(sender.hostname)


@signals.heartbeat_sent.connect
def _heartbeat(sender: Any, **_: Any) -> None:
    """Workers seen, for /healthz, and the consumer's own beat, after which it hands back
    what dead workers held (orphans.py); on the worker's event heartbeat, every 2 s."""
    hostname = sender.eventer.hostname
    _note_worker(hostname)
    try:
        _reap_orphans(orphans.consumer_id(hostname), time.time())
    except StoreUnavailable:
        return  # Redis away: the watch starts again once beats go through
    except Exception as exc:  # never let the heartbeat die; the next one tries again
        log.warning("orphan check failed", extra={"error": f"{type(exc).__name__}: {exc}"})


_WATCH = orphans.Watch()


def _reap_orphans(consumer: str, moment: float) -> None:
    client = runtime().client
    orphans.beat(client, consumer, moment)
    if not _WATCH.may_reap(moment):
        return
    with app.connection_for_write() as connection:
        channel: Any = connection.default_channel  # kombu.transport.redis.Channel
        tags = orphans.orphaned(client, channel.unacked_key, moment)
        deliveries.forget(client, tags)
        for tag in tags:
            channel.qos.restore_by_tag(tag, leftmost=True)
    if tags:
        log.warning("restored messages of a dead worker", extra={"messages": len(tags)})


@signals.task_received.connect
def _task_received(sender: Any, request: Any, **_: Any) -> None:
    """Record which consumer holds the message (orphans.py), if this process beats."""
    moment = time.time()
    if not _WATCH.beating(moment):
        return
    try:
        tag = request.message.delivery_tag
        deliveries.note_delivery(
            runtime().client, tag, orphans.consumer_id(sender.hostname), moment
        )
    except Exception as exc:  # the message still runs; only fast recovery is lost
        log.warning("delivery not recorded", extra={"error": f"{type(exc).__name__}: {exc}"})
