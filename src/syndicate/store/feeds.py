"""Feeds in Redis: the item sets a render reads and the rendered bodies a poll serves.

A render reads a language's items with the generation counter (``read_items``) and stores
its body, and the body's gzip form, with that generation (``write_feed``), so a slower
render of an older item set never replaces a newer one. A poll is one command on the API's
event loop: a conditional one reads only the validators (``poll_validators``), anything
else the body in the encoding it is served in with them (``poll_body``); ``read_feed`` is
the same read for the workers and tools. Keys are in keys.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, cast

from syndicate.errors import ArticleInvalid
from syndicate.feeds.edition import Skipped
from syndicate.feeds.encoding import gzipped
from syndicate.feeds.xml import aware
from syndicate.news.states import Outcome
from syndicate.store import keys, scripts
from syndicate.store.articles import Item, decode_item
from syndicate.store.client import (
    AsyncClient,
    Client,
    decode_text,
    decode_time,
    encode_time,
    guarded,
    guarded_async,
    run_script,
)

_EMPTY_ETAG: Final = f'"{hashlib.sha256(b"").hexdigest()}"'  # the stored ETag of no items


class FeedFormat(StrEnum):
    """The formats a partner is entitled to; the bodies stored per language are named by
    ``feeds.edition.BODIES`` (these three, and ``ninjs-2.2``, ``ninjs-1.6``)."""

    RSS = "rss"
    NEWSML = "newsml"
    NINJS = "ninjs"


@dataclass(frozen=True, slots=True)
class ItemSet:  # what a feed render needs; pass generation back to write_feed
    generation: int
    items: tuple[Item, ...]
    unreadable: tuple[Skipped, ...] = ()  # stored items the article model now refuses


@dataclass(frozen=True, slots=True)
class RenderedFeed:
    body: bytes  # plain, or gzip when read so (``poll_body``)
    etag: str  # strong, quoted: the plain body's
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional poll compares: the stored render's ETag and Last-Modified."""

    etag: str
    last_modified: datetime

    @property
    def empty(self) -> bool:
        """The render shows no item (its body is empty: a 404, never a 304)."""
        return self.etag == _EMPTY_ETAG


@guarded
def read_items(client: Client, lang: str, now: datetime, limit: int) -> ItemSet:
    """The items a feed of ``limit`` entries may show, in one round trip.

    Holds the newest ``limit`` live and ``limit`` withdrawn items and every item still under
    embargo at ``now``; ``feeds.record.select_entries`` picks from them. The first read
    after an embargo ended bumps the generation (scripts.READ_ITEMS): a render computed
    before the end can never overwrite one computed after it.
    """
    args = [repr(aware(now).timestamp()), max(limit, 0)]
    answer = run_script(client, scripts.READ_ITEMS, keys.feed_index_keys(lang), args)
    items: list[Item] = []
    unreadable: list[Skipped] = []
    for raw in answer[1:]:
        if raw is None:
            continue
        try:
            items.append(decode_item(raw))
        except ArticleInvalid as exc:  # stored before a rule was tightened: leave it out
            unreadable.append(_unreadable(raw, str(exc)))
    return ItemSet(int(answer[0]), tuple(items), tuple(unreadable))


def _unreadable(raw: bytes, reason: str) -> Skipped:
    """What a render reports for an item it could not decode (id and version if legible)."""
    article = json.loads(raw).get("article", {})
    return Skipped(str(article.get("id", "?")), int(article.get("version", 0)), reason)


@guarded
def write_feed(
    client: Client,
    lang: str,
    name: str,
    body: bytes,
    generation: int,
    now: datetime,
    fingerprint: str = "",
) -> Outcome:
    """Store one render (the body ``name`` of ``feeds.edition.BODIES``) with its strong
    ETag and Last-Modified (``now``) together.

    ``generation`` comes from the ``read_items`` the render used, so a slower render of an
    older item set never replaces a newer one. A render whose ``fingerprint`` (of the items
    it shows) matches the stored one changes nothing: ETags move only when content does.
    """
    etag = f'"{hashlib.sha256(body).hexdigest()}"'
    args = [generation, body, etag, encode_time(now), fingerprint, gzipped(body)]
    answer = run_script(client, scripts.WRITE_FEED, [keys.feed_key(lang, name)], args)
    return Outcome(decode_text(answer))


@guarded
def languages_lacking(client: Client, names: Collection[str]) -> list[str]:
    """Languages with items published but no stored body for one of ``names``: a release
    that adds a body (ninjs 2.2 and 1.6 did) leaves them so until each is rendered again."""
    found = client.scan_iter(match=keys.generation_pattern(), count=500)
    langs = sorted(decode_text(key).removeprefix(keys.generation_key("")) for key in found)
    return [lang for lang in langs if not all(client.exists(keys.feed_key(lang, n)) for n in names)]


_VALIDATORS: Final = ("etag", "last_modified")


def _rendered(fields: list[bytes | None]) -> RenderedFeed | None:
    body, etag, modified = fields
    if body is None or etag is None or modified is None:
        return None
    return RenderedFeed(body, etag.decode(), decode_time(modified))


@guarded
def read_feed(client: Client, lang: str, name: str) -> RenderedFeed | None:
    """Bytes, ETag and Last-Modified of the stored body ``name``, in one command."""
    fields = client.hmget(keys.feed_key(lang, name), ["body", *_VALIDATORS])
    return _rendered(cast(list[bytes | None], fields))


@guarded_async
async def poll_validators(client: AsyncClient, lang: str, name: str) -> Validators | None:
    """The ETag and Last-Modified of the stored body ``name``, without the body: a
    conditional poll that matches costs this one read."""
    found = await client.hmget(keys.feed_key(lang, name), list(_VALIDATORS))
    etag, modified = cast(list[bytes | None], found)
    if etag is None or modified is None:
        return None
    return Validators(etag.decode(), decode_time(modified))


@guarded_async
async def poll_body(client: AsyncClient, lang: str, name: str, gzip: bool) -> RenderedFeed | None:
    """The stored body ``name`` with its validators, gzipped when ``gzip``, in one read. A
    render stored before gzip bodies were (an older release) is compressed per poll until
    its language is rendered again."""
    key = keys.feed_key(lang, name)
    wanted = ["gzip" if gzip else "body", *_VALIDATORS]
    fields = cast(list[bytes | None], await client.hmget(key, wanted))
    if not gzip or fields[0] is not None or fields[1] is None:
        return _rendered(fields)
    plain = cast(bytes | None, await client.hget(key, "body"))
    return _rendered([None if plain is None else gzipped(plain), *fields[1:]])
