"""Feeds in Redis: the item sets a render reads and the rendered bodies a poll serves.

A render reads a language's items with the generation counter (``read_items``) and stores
its body with that generation (``write_feed``), so a slower render of an older item set
never replaces a newer one; a poll is one command (``read_feed``). Keys are in keys.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import cast

from syndicate.errors import ArticleInvalid
from syndicate.feeds.edition import Skipped
from syndicate.feeds.xml import aware
from syndicate.news.states import Outcome
from syndicate.store import keys, scripts
from syndicate.store.articles import Item, decode_item
from syndicate.store.client import (
    Client,
    decode_text,
    decode_time,
    encode_time,
    guarded,
    run_script,
)


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
    body: bytes
    etag: str  # strong, quoted
    last_modified: datetime


@guarded
def read_items(client: Client, lang: str, now: datetime, limit: int) -> ItemSet:
    """The items a feed of ``limit`` entries may show, in one round trip.

    Holds the newest ``limit`` live and ``limit`` withdrawn items and every item still under
    embargo at ``now``; ``feeds.record.select_entries`` picks from them.
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
    args = [generation, body, etag, encode_time(now), fingerprint]
    answer = run_script(client, scripts.WRITE_FEED, [keys.feed_key(lang, name)], args)
    return Outcome(decode_text(answer))


@guarded
def languages_lacking(client: Client, names: Collection[str]) -> list[str]:
    """Languages with items published but no stored body for one of ``names``: a release
    that adds a body (ninjs 2.2 and 1.6 did) leaves them so until each is rendered again."""
    found = client.scan_iter(match=keys.generation_pattern(), count=500)
    langs = sorted(decode_text(key).removeprefix(keys.generation_key("")) for key in found)
    return [lang for lang in langs if not all(client.exists(keys.feed_key(lang, n)) for n in names)]


@guarded
def read_feed(client: Client, lang: str, name: str) -> RenderedFeed | None:
    """Bytes, ETag and Last-Modified of the stored body ``name``, in one command (a poll)."""
    fields = client.hmget(keys.feed_key(lang, name), ["body", "etag", "last_modified"])
    body, etag, modified = cast(list[bytes | None], fields)
    if body is None or etag is None or modified is None:
        return None
    return RenderedFeed(body, etag.decode(), decode_time(modified))
