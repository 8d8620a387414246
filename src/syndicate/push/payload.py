"""What a push sends: one item (id, version, language) in the partner's format, signed with
the partner's push secret, with an idempotency key (issue 19).

Headers:

- ``X-Syndicate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + raw body>``:
  a receiver recomputes it with the push secret and refuses an old ``t`` (a replay) or a
  wrong HMAC (a forgery);
- ``X-Syndicate-Delivery: <guid>:<version>``: the same for every attempt of one delivery,
  so a receiver that got it before drops it;
- ``X-Syndicate-Item``, ``X-Syndicate-Version``, ``X-Syndicate-Language``,
  ``X-Syndicate-Status`` (``usable`` or ``canceled``): the routing facts without parsing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from syndicate.feeds.newsml import NEWSITEM_TYPE, render_news_item
from syndicate.feeds.ninjs import render_ninjs_item
from syndicate.feeds.record import Channel, Publication
from syndicate.feeds.rss import render_rss_item
from syndicate.feeds.xml import aware
from syndicate.news.article import Article, ArticleStatus
from syndicate.signing import SIGNATURE_HEADER, sign_timestamped

DELIVERY_HEADER: Final = "X-Syndicate-Delivery"
USER_AGENT: Final = "syndicate-push/1"


class PushFormat(StrEnum):
    """``--push-format``: a NewsML-G2 newsItem, a ninjs 3.1 object, or an RSS 2.0 document
    whose channel holds the one item."""

    NEWSML = "newsml"
    NINJS = "ninjs"
    RSS_ITEM = "rss-item"

    @property
    def feed_format(self) -> str:
        """The feed format a partner must be entitled to for this push format."""
        return "rss" if self is PushFormat.RSS_ITEM else str(self)

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]


_MEDIA_TYPES: Final = {
    PushFormat.NEWSML: f"{NEWSITEM_TYPE}; charset=utf-8",
    PushFormat.NINJS: "application/json; charset=utf-8",
    PushFormat.RSS_ITEM: "application/rss+xml; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class ItemRef:
    """Which item version a delivery carries: what its headers say without the body."""

    article_id: str
    version: int
    lang: str
    guid: str
    withdrawn: bool

    @property
    def delivery_id(self) -> str:
        """The idempotency key: ``<guid>:<version>``, the same for every attempt."""
        return f"{self.guid}:{self.version}"


def item_ref(article: Article, pub: Publication) -> ItemRef:
    withdrawn = article.status is ArticleStatus.WITHDRAWN
    return ItemRef(article.id, article.version, article.language, pub.guid, withdrawn)


def render_body(
    fmt: PushFormat, article: Article, pub: Publication, channel: Channel, now: datetime
) -> bytes:
    """The item as pushed: rendered as it shows once visible (at ``now``, or at the end of
    its embargo: it is sent then, never before)."""
    shown = max(aware(now), aware(article.embargo_until or now))
    if fmt is PushFormat.NEWSML:
        return render_news_item(article, pub, now=shown)
    if fmt is PushFormat.NINJS:
        return render_ninjs_item(article, pub, now=shown)
    return render_rss_item(article, pub, channel, now=shown)


def push_headers(
    fmt: PushFormat, body: bytes, secret: str, at: int, ref: ItemRef
) -> dict[str, str]:
    """The headers of one attempt, signed at unix time ``at``."""
    return {
        "Content-Type": fmt.media_type,
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign_timestamped(body, secret, at),
        DELIVERY_HEADER: ref.delivery_id,
        "X-Syndicate-Item": ref.article_id,
        "X-Syndicate-Version": str(ref.version),
        "X-Syndicate-Language": ref.lang,
        "X-Syndicate-Status": "canceled" if ref.withdrawn else "usable",
    }
