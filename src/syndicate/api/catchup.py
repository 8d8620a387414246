"""Catching up on the feeds (issue 19): ``?since=<cursor>`` and ``?before=<cursor>`` pages,
and the ``?wait=<seconds>`` long poll. feeds/paging.py says what the cursors mean; the
feed handler (app.py) hands a request here once the partner, the language and the
entitlement are checked.

- ``?since=C``: what became visible after C, oldest first, a feed's size at a time, as a
  feed document whose ``rel="next"`` link carries the cursor to ask with next time. With
  ``&wait=N`` (at most 30 s) an empty answer waits until something shows; a NewsML page
  with nothing in it is 204 (its XSD wants an item), with the ``next`` link in ``Link``.
- ``?before=C``: the archive page just older than C (``rel="prev-archive"`` links to it).
- ``?wait=N`` alone, with ``If-None-Match``: the feed answers as soon as it changes, or
  304 after N seconds.

Pages are rendered per request (they are read once, by the partner that was away); the
feed itself stays a stored render (polls.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, QueryParams
from starlette.responses import Response

from syndicate.api.answers import Refused
from syndicate.api.http import Representation, accepts_gzip, full_response, strong_etag
from syndicate.api.polls import FeedRead, Polls
from syndicate.errors import EmptyFeed
from syndicate.feeds import paging
from syndicate.feeds.edition import BODIES, FeedSite, entries_of, page_channel, render_page
from syndicate.feeds.record import Entry
from syndicate.store import feeds, pages
from syndicate.store.articles import Item
from syndicate.store.client import AsyncClient, Client

MAX_WAIT: Final = 30
LOOK_EVERY: Final = 0.25  # seconds between two looks of a long poll (one small read each)


@dataclass(frozen=True, slots=True)
class Ask:
    """What a feed request's query asks beyond the feed: a page, a wait, or both."""

    since: int | None = None
    before: paging.Position | None = None
    wait: float = 0.0


def asked(query: QueryParams) -> Ask | None:
    """None for a plain poll; else the page or wait asked for (400 naming a bad value)."""
    since, before, wait = (query.get(name) for name in ("since", "before", "wait"))
    if since is None and before is None and wait is None:
        return None
    if since is not None and before is not None:
        raise Refused(400, "since and before: one cursor at a time")
    try:
        return Ask(
            paging.decode_since(since) if since is not None else None,
            paging.decode_before(before) if before is not None else None,
            _wait(wait),
        )
    except ValueError as exc:
        raise Refused(400, str(exc)) from None


def _wait(raw: str | None) -> float:
    if raw is None:
        return 0.0
    if not (raw.isascii() and raw.isdigit()) or int(raw[:4]) > MAX_WAIT:
        raise ValueError(f"wait: whole seconds from 0 to {MAX_WAIT}")
    return float(raw)


@dataclass(frozen=True, slots=True)
class Reader:
    """What a page needs of the app: the store's clients, the clock, the feed site."""

    client: Client
    redis: AsyncClient
    now: Callable[[], datetime]
    site: FeedSite
    polls: Polls  # the feed itself, once it changed (a ``?wait=`` alone)


async def _until(ready: Callable[[], Awaitable[bool]], seconds: float) -> None:
    """Look every ``LOOK_EVERY`` s until ``ready`` or ``seconds`` have passed."""
    with anyio.move_on_after(seconds):
        while not await ready():
            await anyio.sleep(LOOK_EVERY)


async def serve(reader: Reader, headers: Headers, read: FeedRead, ask: Ask) -> Response:
    """The page or the long poll ``ask`` names, for the body ``read`` names."""
    if ask.since is not None:
        after = ask.since

        async def shown_after() -> bool:
            return await run_in_threadpool(pages.newest_seq, reader.client, read.lang) > after

        await _until(shown_after, ask.wait)
        return await run_in_threadpool(_since_page, reader, read, after, headers)
    if ask.before is not None:
        return await run_in_threadpool(_before_page, reader, read, ask.before, headers)
    await _until(lambda: _changed(reader.redis, headers, read), ask.wait)
    return await reader.polls.serve(headers, read)


async def _changed(redis: AsyncClient, headers: Headers, read: FeedRead) -> bool:
    """The stored feed is not the one the request holds (If-None-Match): answer now."""
    held = headers.get("if-none-match")
    found = await feeds.poll_validators(redis, read.lang, read.name)
    if held is None or found is None:
        return True
    return found.etag.strip('"') not in held


def _entries(items: list[Item], site: FeedSite) -> list[Entry]:
    records = [(i.article, i.first_created, i.version_created) for i in items]
    return entries_of(records, site)[0]  # an item that cannot be dated is in no feed either


def _fmt(read: FeedRead) -> str:
    return BODIES[read.name][0]


def _since_page(reader: Reader, read: FeedRead, after: int, headers: Headers) -> Response:
    """The items shown after ``after``, its ``next`` the last of them (or ``after`` again)."""
    now, site = reader.now(), reader.site
    page = pages.read_since(reader.client, read.lang, now, after, site.size)
    following = max((seq for seq, _ in page.items), default=after)
    entries = _entries([item for _, item in page.items], site)
    shown = paging.shown(entries, read.lang, _fmt(read), now, len(entries))
    at = paging.Paging("", since=following, page=("since", str(after)))
    return _answer(read, shown, site, at, headers, now)


def _before_page(
    reader: Reader, read: FeedRead, before: paging.Position, headers: Headers
) -> Response:
    """The archive page just older than ``before``."""
    now, site, fmt = reader.now(), reader.site, _fmt(read)
    items = pages.read_before(reader.client, read.lang, now, before[0], site.size, fmt == "newsml")
    shown = paging.before_page(_entries(items, site), before, read.lang, fmt, now, site.size)
    at = paging.Paging("", archive=True, page=("before", paging.encode_before(before)))
    return _answer(read, shown, site, at, headers, now)


def _answer(
    read: FeedRead,
    shown: list[Entry],
    site: FeedSite,
    at: paging.Paging,
    headers: Headers,
    now: datetime,
) -> Response:
    """200 with the page (an archive page cached like the feed, a ``since`` page not);
    204 with its links in ``Link`` for a NewsML page of nothing."""
    channel = page_channel(read.lang, read.name, site, shown, at)
    try:
        body = render_page(read.lang, read.name, shown, site, at, now)
    except EmptyFeed:
        links = ", ".join(f'<{k.href}>; rel="{k.rel}"' for k in channel.links)
        return Response(status_code=204, headers={"Link": links})
    etag = strong_etag(hashlib.sha256(body).hexdigest())
    rep = Representation(body, etag, now, read.media_type, read.vary)
    max_age = read.max_age if at.archive else 0
    return full_response(rep, accepts_gzip(headers.get("accept-encoding")), max_age)
