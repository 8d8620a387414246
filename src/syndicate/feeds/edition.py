"""An edition: one language's feeds in every format, rendered from one set of entries.

The service renders an edition each time something is published in a language (brief
section 5: a poll is a read, never a render); ``syndicate feeds render`` renders one format
of it from files. Both build the provider and the channels here, so a feed looks the same
whichever way it was made.

One item must never stop a feed (issue 9: an extreme date or an illegal character once
froze every feed of a language). ``render_edition`` renders optimistically; when that
fails it tries each entry alone, leaves out the ones that fail, reports them in
``Edition.skipped`` and renders the rest. ``item_problem`` runs the same trial on one item
before the store takes it, so a poison item is the item's failure, not the feed's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Final, Protocol

from syndicate.errors import EmptyFeed
from syndicate.feeds import paging
from syndicate.feeds.content import language_name
from syndicate.feeds.newsml import render_news_message
from syndicate.feeds.ninjs import render_ninjs_feed
from syndicate.feeds.ninjs_versions import DEFAULT_VERSION, NinjsVersion
from syndicate.feeds.record import (
    Channel,
    Entry,
    Provider,
    derive_publication,
    feed_url,
    hub_url,
    next_change,
)
from syndicate.feeds.rss import render_rss
from syndicate.news.article import Article


class Renderer(Protocol):
    """The shape every feed renderer shares (``render_rss``, ``render_news_message``, ...)."""

    def __call__(
        self, entries: Iterable[Entry], channel: Channel, *, now: datetime, limit: int
    ) -> bytes: ...


# format name -> (renderer, extension of its URL under /v1/feeds/); ninjs renders 3.1 here
FORMATS: Final[dict[str, tuple[Renderer, str]]] = {
    "rss": (render_rss, "rss"),
    "newsml": (render_news_message, "xml"),
    "ninjs": (render_ninjs_feed, "json"),
}


def body_name(fmt: str, version: NinjsVersion | None = None) -> str:
    """The name an edition (and the store) gives one body: the format, and for ninjs
    versions other than the default the version too (``ninjs-1.6``); the default keeps
    the plain name it was stored under before there were versions."""
    if fmt != "ninjs" or version in (None, DEFAULT_VERSION):
        return fmt
    return f"{fmt}-{version}"


def _bodies() -> dict[str, tuple[str, Renderer]]:
    bodies: dict[str, tuple[str, Renderer]] = {f: (f, r) for f, (r, _) in FORMATS.items()}
    for version in NinjsVersion:
        bodies[body_name("ninjs", version)] = ("ninjs", partial(render_ninjs_feed, version=version))
    return bodies


# the formats whose feeds name the WebSub hub (WebSub topics: RSS and NewsML)
WEBSUB_FORMATS: Final = ("rss", "newsml")

# body name -> (its format, its renderer): what an edition renders, every ninjs version
# included, so the isolation and item_problem screen every body a partner can ask for
BODIES: Final = _bodies()


@dataclass(frozen=True, slots=True)
class Skipped:
    """An item a render left out because it cannot be rendered, and why (for the logs and
    the item's ``failed`` state)."""

    article_id: str
    version: int
    reason: str


@dataclass(frozen=True, slots=True)
class Edition:
    """The bytes of each body of ``BODIES`` (a NewsML feed with no item is absent: the XSD
    forbids an empty itemSet), when the edition goes stale (an embargo ends), if ever, and
    the items left out because they could not be rendered."""

    bodies: dict[str, bytes]
    stale_at: datetime | None
    skipped: tuple[Skipped, ...] = ()


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
    version: NinjsVersion | None = None,
) -> bytes:
    """One format of a feed (for ninjs, in ``version``, default 3.1); ``EmptyFeed`` for a
    NewsML feed with nothing to carry."""
    _, renderer = BODIES[body_name(fmt, version)]
    return renderer(entries, channel, now=now, limit=limit)


@dataclass(frozen=True, slots=True)
class FeedSite:
    """Where and by whom a language's feeds are published: what every render needs."""

    provider: Provider
    base_url: str
    ttl: int
    size: int


def _version_of(name: str) -> str | None:
    """The ninjs version a body's URL asks for (``ninjs-2.2`` -> 2.2), else None."""
    return name.partition("-")[2] or None


def page_channel(
    lang: str, name: str, site: FeedSite, shown: Sequence[Entry], at: paging.Paging
) -> Channel:
    """The channel of one body of ``lang``'s feed (or of a page of it), linking where
    ``at`` says (feeds/paging.py)."""
    fmt, _ = BODIES[name]
    channel = make_channel(lang, fmt, site.provider, site.base_url, site.ttl)
    at = replace(at, feed_url=channel.self_url, version=_version_of(name))
    links = paging.links(at, shown, site.size)
    return replace(channel, links=links, self_url=at.self_url if at.page else channel.self_url)


def render_page(
    lang: str, name: str, shown: Sequence[Entry], site: FeedSite, at: paging.Paging, now: datetime
) -> bytes:
    """One page of ``lang``'s feed (``?since=`` or ``?before=``, ``at.page``): ``shown`` in
    the body ``name``, with the links of ``at``; ``EmptyFeed`` for a NewsML page with
    nothing in it."""
    _, renderer = BODIES[name]
    channel = page_channel(lang, name, site, shown, at)
    return renderer(shown, channel, now=now, limit=max(len(shown), 1))


def _render_all(
    lang: str, entries: Sequence[Entry], site: FeedSite, now: datetime, since: int | None = None
) -> Edition:
    bodies: dict[str, bytes] = {}
    for name, (fmt, renderer) in BODIES.items():
        channel = make_channel(lang, fmt, site.provider, site.base_url, site.ttl)
        if since is not None:  # the service's render: RFC 5005 links to go on from it
            shown = paging.shown(entries, lang, fmt, now, site.size)
            hub = hub_url(site.base_url) if fmt in WEBSUB_FORMATS else None
            channel = page_channel(lang, name, site, shown, paging.Paging("", since=since, hub=hub))
        try:
            bodies[name] = renderer(entries, channel, now=now, limit=site.size)
        except EmptyFeed:
            continue
    return Edition(bodies, next_change(entries, now))


def _attempt(
    lang: str, entries: Sequence[Entry], site: FeedSite, now: datetime, since: int | None = None
) -> Edition | str:
    """The edition of ``entries``, or why it cannot be rendered. The one place a render
    error of any kind is caught: the caller reports it with the item it belongs to."""
    try:
        return _render_all(lang, entries, site, now, since)
    except Exception as exc:  # the isolation boundary: reported, with the item, as its reason
        return f"{type(exc).__name__}: {exc}"


def _failure(lang: str, entries: Sequence[Entry], site: FeedSite, now: datetime) -> str | None:
    outcome = _attempt(lang, entries, site, now)
    return outcome if isinstance(outcome, str) else None


def entries_of(
    records: Iterable[tuple[Article, datetime, datetime]], site: FeedSite
) -> tuple[list[Entry], list[Skipped]]:
    """Entries from stored items (article, first created, version created), and the items
    whose publication record cannot be made (a date the guid cannot carry, say)."""
    entries: list[Entry] = []
    skipped: list[Skipped] = []
    for article, first, version in records:
        try:
            pub = derive_publication(
                article, site.provider, site.base_url, first_created=first, version_created=version
            )
        except Exception as exc:  # the isolation boundary: reported, with the item
            skipped.append(Skipped(article.id, article.version, f"{type(exc).__name__}: {exc}"))
            continue
        entries.append((article, pub))
    return entries, skipped


def item_problem(entry: Entry, site: FeedSite, now: datetime) -> str | None:
    """Why one item cannot go into its language's feeds, or None: it is rendered alone in
    every format as it is at ``now`` and as it will be once any embargo ends."""
    article, pub = entry
    lang = article.language
    shown = (replace(article, embargo_until=None), pub)
    return _failure(lang, [entry], site, now) or _failure(lang, [shown], site, now)


def render_edition(
    lang: str, entries: Sequence[Entry], site: FeedSite, *, now: datetime, since: int | None = None
) -> Edition:
    """Every format of ``lang``'s feed as of ``now`` (brief section 5), without the entries
    that cannot be rendered (``Edition.skipped`` says which and why). The service passes
    ``since``, the visibility sequence its item set was read at: each body then links
    ``next`` and ``prev-archive`` (feeds/paging.py)."""
    whole = _attempt(lang, entries, site, now, since)
    if isinstance(whole, Edition):
        return whole  # the usual case: rendered once
    usable: list[Entry] = []
    skipped: list[Skipped] = []
    for entry in entries:
        reason = _failure(lang, [entry], site, now)
        if reason is None:
            usable.append(entry)
        else:
            skipped.append(Skipped(entry[0].id, entry[0].version, reason))
    return replace(_render_all(lang, usable, site, now, since), skipped=tuple(skipped))
