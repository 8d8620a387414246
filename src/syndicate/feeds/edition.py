"""An edition: one language's feeds in every format, rendered from one set of entries.

The service renders an edition each time something is published in a language (brief
section 5: a poll is a read, never a render); ``syndicate feeds render`` renders one format
of it from files. Both build the provider and the channels here, so a feed looks the same
whichever way it was made.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from syndicate.errors import EmptyFeed
from syndicate.feeds.content import language_name
from syndicate.feeds.newsml import render_news_message
from syndicate.feeds.ninjs import render_ninjs_feed
from syndicate.feeds.record import Channel, Entry, Provider, feed_url, next_change
from syndicate.feeds.rss import render_rss
from syndicate.news.article import Article


class Renderer(Protocol):
    """The shape every feed renderer shares (``render_rss``, ``render_news_message``, ...)."""

    def __call__(
        self, entries: Iterable[Entry], channel: Channel, *, now: datetime, limit: int
    ) -> bytes: ...


# format name -> (renderer, extension of its URL under /v1/feeds/)
FORMATS: Final[dict[str, tuple[Renderer, str]]] = {
    "rss": (render_rss, "rss"),
    "newsml": (render_news_message, "xml"),
    "ninjs": (render_ninjs_feed, "json"),
}


@dataclass(frozen=True, slots=True)
class Edition:
    """The bytes of each format (a NewsML feed with no item is absent: the XSD forbids an
    empty itemSet) and when the edition goes stale (an embargo ends), if ever."""

    bodies: dict[str, bytes]
    stale_at: datetime | None


def make_provider(
    name: str, domain: str, uri: str, base_url: str, articles: Sequence[Article] = ()
) -> Provider:
    """The configured provider; an unset name falls back to the articles' most common
    ``source`` (config.py fills an unset domain from the host of ``public_base_url``)."""
    host = domain or "localhost"
    sources = Counter(a.source for a in articles if a.source)
    fallback = sources.most_common(1)[0][0] if sources else host
    return Provider(name=name or fallback, domain=host, uri=uri or base_url.rstrip("/") + "/")


def make_channel(lang: str, fmt: str, provider: Provider, base_url: str, ttl: int) -> Channel:
    """The channel of ``lang``'s feed in ``fmt``, its self link on the API."""
    return Channel(
        lang=lang,
        title=f"{provider.name} ({lang})",
        description=f"{provider.name} stories in {language_name(lang)}",
        link=provider.uri,
        self_url=feed_url(base_url, lang, FORMATS[fmt][1]),
        provider=provider,
        ttl_minutes=ttl,
    )


def render_format(
    fmt: str,
    entries: Sequence[Entry],
    channel: Channel,
    *,
    now: datetime,
    limit: int,
) -> bytes:
    """One format of a feed; ``EmptyFeed`` for a NewsML feed with nothing to carry."""
    renderer, _ = FORMATS[fmt]
    return renderer(entries, channel, now=now, limit=limit)


def render_edition(
    lang: str,
    entries: Sequence[Entry],
    provider: Provider,
    base_url: str,
    *,
    ttl: int,
    now: datetime,
    limit: int,
) -> Edition:
    """Every format of ``lang``'s feed as of ``now`` (brief section 5)."""
    bodies: dict[str, bytes] = {}
    for fmt in FORMATS:
        channel = make_channel(lang, fmt, provider, base_url, ttl)
        try:
            bodies[fmt] = render_format(fmt, entries, channel, now=now, limit=limit)
        except EmptyFeed:
            continue
    return Edition(bodies, next_change(entries, now))
