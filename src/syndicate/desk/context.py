"""What the review desk's handlers (the JSON API's and the pages') need of the ASGI app:
the store client, the Celery app to send the publish step through, the clock, the settings
and the feed site. The API's own context has all of it (api/app.py); this protocol names
only what the desk reads, so the desk sits below the API without importing it."""

from __future__ import annotations

from typing import Protocol, cast

from celery import Celery
from starlette.requests import Request

from syndicate.clock import Clock
from syndicate.config import Settings
from syndicate.feeds.edition import FeedSite
from syndicate.feeds.record import Provider
from syndicate.models.engine import Engine, engine_from
from syndicate.store.client import Client


class DeskContext(Protocol):
    @property
    def settings(self) -> Settings: ...
    @property
    def client(self) -> Client: ...
    @property
    def celery_app(self) -> Celery: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def provider(self) -> Provider: ...


def desk_context(request: Request) -> DeskContext:
    return cast(DeskContext, request.app.state.ctx)


def retry_checks(ctx: DeskContext) -> tuple[Engine, tuple[str, ...]]:
    """What ``syndicate retry``'s checks read (worker/submit.py): the installed models (an
    engine opens only the package list until it translates) and the configured targets."""
    return engine_from(ctx.settings), ctx.settings.default_targets


def feed_site(ctx: DeskContext) -> FeedSite:
    """The site the workers render for (worker/runtime.py): an approval's render check."""
    s = ctx.settings
    return FeedSite(ctx.provider, s.public_base_url, s.feed_ttl, s.feed_size)
