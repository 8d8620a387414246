"""What one worker process holds (store client, engine with its models, glossary, feed
site, clock, limits), and the Celery app class that carries it with the settings.

The runtime is built on first use in each process and dropped after a fork
(``worker_process_init``, hooks.py): no Redis connection or CTranslate2 thread crosses a fork.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from celery import Celery

from syndicate.clock import Clock
from syndicate.config import Settings, read_glossary
from syndicate.feeds.edition import FeedSite, make_provider
from syndicate.models.engine import Engine, engine_from
from syndicate.review.policy import ReviewPolicy
from syndicate.store.client import Client
from syndicate.translation.glossary import Glossary
from syndicate.worker.store_client import store_client


@dataclass(frozen=True, slots=True)
class Runtime:
    """The values and connections every task of one process uses."""

    client: Client
    engine: Engine
    glossary: Glossary
    site: FeedSite
    source_language: str
    default_targets: tuple[str, ...]
    clock: Clock
    rerender_within: timedelta  # a scheduled re-render waits at most this long
    review: ReviewPolicy  # which translations wait for an editor (issue 18)


def build_runtime(s: Settings, clock: Clock) -> Runtime:
    """A runtime from the settings: connects to Redis and opens the models directory."""
    base = s.public_base_url
    provider = make_provider(s.provider_name, s.provider_domain, s.provider_uri, base)
    return Runtime(
        client=store_client(s),
        engine=engine_from(s),
        glossary=read_glossary(s.glossary),
        site=FeedSite(provider, base, s.feed_ttl, s.feed_size),
        source_language=s.source_language,
        default_targets=s.default_targets,
        clock=clock,
        # below the visibility timeout, so a countdown message is never redelivered early
        rerender_within=timedelta(seconds=s.visibility_timeout // 2),
        review=ReviewPolicy(s.review_hold, s.review_hold_flagged),
    )


class SyndicateCelery(Celery):
    """A Celery app that carries its settings, its clock and this process's runtime."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        super().__init__("syndicate", broker=settings.redis_url)
        self.settings = settings
        self.time_source = clock  # not ``clock``: Celery's own LamportClock is app.clock
        self._runtime: Runtime | None = None
        # Celery's signals hold receivers weakly; the app holds its own, so they live
        # exactly as long as it does.
        self.receivers: list[object] = []

    @property
    def runtime(self) -> Runtime:
        """This process's runtime, built on first use."""
        if self._runtime is None:
            self._runtime = build_runtime(self.settings, self.time_source)
        return self._runtime

    def drop_runtime(self) -> None:
        """Forget the runtime (after a fork): the next use builds this process's own."""
        self._runtime = None
