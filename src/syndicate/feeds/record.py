"""Publication records: what the store knows about an item beyond the article, and selection.

The renderers are pure: they take the article, its ``Publication`` (guid, times, URLs,
provider) and ``now``, and never read the clock or the store. This module also owns the
guid scheme and the rules every feed shares (brief section 5): nothing is visible before
its embargo, a withdrawn article leaves the RSS and JSON feeds while NewsML carries it as
canceled, and feeds list the latest N items, newest first.

Guid scheme: ``urn:newsml:<provider domain>:<YYYYMMDD>:<article id>:<lang>``, where the date
is the UTC day of the first version's ``published_at`` and ``lang`` is the item's language
tag in lower case. Every language, the source included, ends in its tag, so the guid is
unique per language (an article id may contain ``:`` or ``-``, a language tag never holds
``:``) and stable across versions; the store computes it once, at version 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from syndicate.errors import Embargoed
from syndicate.feeds.xml import aware
from syndicate.news.article import Article, ArticleStatus


@dataclass(frozen=True, slots=True)
class Provider:
    """The newsroom as partners see it: ``domain`` goes into guids and scheme URIs."""

    name: str
    domain: str
    uri: str

    def scheme_uri(self, vocabulary: str) -> str:
        """Where the provider's own controlled vocabularies (exrole:, exrel:) live."""
        return f"https://{self.domain}/cv/{vocabulary}/"


@dataclass(frozen=True, slots=True)
class Publication:
    """One published language version of an article, as the store recorded it.

    ``first_created`` is when this language version first went out and ``version_created``
    when the current version did; both must be aware. ``item_url`` is the NewsML item's URL
    on the API and ``web_url`` the story's human-readable page (the article's ``url``: for a
    translation that is the source-language page, as newsrooms publish one page per story).
    A translation also carries the source item's guid and API URL.
    """

    guid: str
    first_created: datetime
    version_created: datetime
    item_url: str
    provider: Provider
    web_url: str | None = None
    original_guid: str | None = None
    original_url: str | None = None

    def __post_init__(self) -> None:
        aware(self.first_created)
        aware(self.version_created)

    @property
    def page(self) -> str | None:
        """The web page of this very item, in its language: a reader's ``<link>``.

        A translation has none (the story's page is in the source language: that is the
        item's origin, not its page), and the API item is no page either: it answers a
        reader without a partner key with 401. So a link never lands on the wrong thing.
        """
        return None if self.original_guid else self.web_url

    @property
    def origin_page(self) -> str | None:
        """The source-language page a translation was made from, for attribution."""
        return self.web_url if self.original_guid else None


@dataclass(frozen=True, slots=True)
class Link:
    """A feed document's link to another (RFC 5005 ``next``, ``prev-archive``,
    ``current``; WebSub's ``hub``): feeds/paging.py says which."""

    rel: str
    href: str


@dataclass(frozen=True, slots=True)
class Channel:
    """One language feed: where it lives, how it introduces itself, and the documents it
    links to besides itself."""

    lang: str
    title: str
    description: str
    link: str
    self_url: str
    provider: Provider
    ttl_minutes: int = 5
    links: tuple[Link, ...] = ()


Entry = tuple[Article, Publication]


def make_guid(domain: str, article_id: str, lang: str, first_published: datetime) -> str:
    """The item guid of the scheme in this module's docstring."""
    day = aware(first_published).astimezone(UTC).strftime("%Y%m%d")
    return f"urn:newsml:{domain}:{day}:{article_id}:{lang.lower()}"


def item_url(base_url: str, article_id: str, lang: str) -> str:
    """``GET /v1/items/{id}/{lang}.xml`` on the API (brief section 3).

    Article ids (``[A-Za-z0-9._:-]``) and language tags are safe in a URL path as they are.
    """
    return f"{base_url.rstrip('/')}/v1/items/{article_id}/{lang}.xml"


def feed_url(base_url: str, lang: str, extension: str) -> str:
    """``GET /v1/feeds/{lang}.{rss,xml,json}`` on the API (brief section 3)."""
    return f"{base_url.rstrip('/')}/v1/feeds/{lang}.{extension}"


def hub_url(base_url: str) -> str:
    """The WebSub hub on the API (``POST /v1/websub``) that RSS and NewsML feeds name."""
    return f"{base_url.rstrip('/')}/v1/websub"


def derive_publication(
    article: Article,
    provider: Provider,
    base_url: str,
    *,
    first_created: datetime | None = None,
    version_created: datetime | None = None,
) -> Publication:
    """The publication record of ``article``; the store passes the times it recorded.

    Without them (CLI, tests) ``published_at`` is the first-version date and ``updated_at``
    (else ``published_at``) the version time.
    """
    first = first_created or article.published_at
    source = article.translation.source_language if article.translation else None
    return Publication(
        guid=make_guid(provider.domain, article.id, article.language, first),
        first_created=first,
        version_created=version_created or article.updated_at or first,
        item_url=item_url(base_url, article.id, article.language),
        provider=provider,
        web_url=article.url,
        original_guid=make_guid(provider.domain, article.id, source, first) if source else None,
        original_url=item_url(base_url, article.id, source) if source else None,
    )


def is_visible(article: Article, now: datetime) -> bool:
    """False while the article is under embargo: partners see nothing before it."""
    return article.embargo_until is None or aware(article.embargo_until) <= aware(now)


def require_visible(article: Article, now: datetime) -> None:
    """Raise ``Embargoed`` for a single-item render before the embargo ends."""
    if not is_visible(article, now):
        raise Embargoed(
            f"{article.id} ({article.language}) is embargoed until {article.embargo_until}"
        )


def visible_since(entry: Entry) -> datetime:
    """When this version of the item showed: its version time, or its embargo's end if later."""
    article, pub = entry
    if article.embargo_until is None:
        return pub.version_created
    return max(pub.version_created, article.embargo_until)


def _belongs(article: Article, lang: str, now: datetime, include_withdrawn: bool) -> bool:
    return (
        article.language.lower() == lang.lower()
        and is_visible(article, now)
        and (include_withdrawn or article.status is not ArticleStatus.WITHDRAWN)
    )


def select_entries(
    entries: Iterable[Entry], lang: str, now: datetime, limit: int, *, include_withdrawn: bool
) -> list[Entry]:
    """The latest ``limit`` visible entries in ``lang``, newest first (by when they showed).

    RSS and JSON drop withdrawn articles; NewsML keeps them so partners learn of the kill.
    """
    chosen = [e for e in entries if _belongs(e[0], lang, now, include_withdrawn)]
    chosen.sort(key=lambda e: (visible_since(e), e[1].guid), reverse=True)
    return chosen[: max(limit, 0)]


def next_change(entries: Sequence[Entry], now: datetime) -> datetime | None:
    """The earliest embargo still ahead: when a feed rendered at ``now`` goes stale."""
    ahead = [a.embargo_until for a, _ in entries if a.embargo_until and not is_visible(a, now)]
    return min(ahead, default=None)
