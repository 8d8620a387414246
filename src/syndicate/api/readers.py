"""Who may read which feed or item (brief section 3, issue 9): the partner a key names,
the language asked for, the entitlement, and the representation (ninjs version).

Shared by the routes (app.py) and the poll fast path (fastpoll.py), so both refuse and
choose alike. Every check raises ``Refused`` with the status the brief names; none reads
the store but the partner lookup, which is cached per process (``Partners``): a key is
looked up once per ``PARTNER_TTL`` seconds, so a revoked key is refused within that time
on every API process.
"""

from __future__ import annotations

import hmac
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from syndicate.api import auth as api_auth
from syndicate.api.answers import Refused
from syndicate.api.coalesce import Coalesced
from syndicate.api.credentials import key_digest
from syndicate.api.negotiation import choose_ninjs_version, ninjs_media_type
from syndicate.config import Settings
from syndicate.feeds.ninjs_versions import NinjsVersion
from syndicate.news.languages import is_language_tag
from syndicate.store import partners
from syndicate.store.client import AsyncClient
from syndicate.store.feeds import FeedFormat
from syndicate.store.partners import Partner

PARTNER_TTL: Final = 1.0  # seconds a looked-up key is trusted: a revocation takes this long
PARTNERS_KEPT: Final = 10_000  # keys remembered per process (the least recently used go)
_BEARER: Final = {"WWW-Authenticate": "Bearer"}
_MEDIA: Final = {
    FeedFormat.RSS: "application/rss+xml; charset=utf-8",
    FeedFormat.NEWSML: "application/xml; charset=utf-8",
}


@dataclass(eq=False)
class Partners:
    """Partner keys looked up in the last ``ttl`` seconds, found or not, by key digest."""

    ttl: float = PARTNER_TTL
    size: int = PARTNERS_KEPT
    _seen: OrderedDict[str, tuple[float, Partner | None]] = field(default_factory=OrderedDict)
    # the polls of one key when its time is up share one read (coalesce.py)
    _reads: Coalesced[str, Partner | None] = field(default_factory=Coalesced)

    async def find(self, client: AsyncClient, key: str) -> Partner | None:
        """The partner holding ``key``, or None; a store read at most once per ``ttl``."""
        digest = key_digest(key)
        now = time.monotonic()
        seen = self._seen.get(digest)
        if seen is not None and now - seen[0] < self.ttl:
            self._seen.move_to_end(digest)
            return seen[1]
        found = await self._reads.read(digest, lambda: partners.poll_partner(client, digest))
        if found is not None and not hmac.compare_digest(found.key_sha256, digest):
            found = None
        self._seen[digest] = (now, found)
        self._seen.move_to_end(digest)
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return found

    async def require(self, client: AsyncClient, key: str | None) -> Partner:
        """The partner of ``key`` (header or ``?key=``), else 401."""
        found = None if key is None else await self.find(client, key)
        if found is None:
            message = "a valid partner key is required (Authorization: Bearer <key> or ?key=)"
            raise Refused(401, message, _BEARER)
        return found


def configured_languages(settings: Settings) -> frozenset[str]:
    """The source and target languages, lower-cased (``language``'s ``configured``)."""
    return frozenset(c.lower() for c in (settings.source_language, *settings.default_targets))


def language(lang: str, configured: frozenset[str]) -> tuple[str, bool]:
    """The requested language and whether it is ``configured`` (else known only by its
    feed)."""
    if not is_language_tag(lang):
        raise Refused(404, f"unknown language {lang!r}")
    return lang, lang.lower() in configured


def require_entitled(partner: Partner, lang: str, fmt: FeedFormat, configured: bool) -> None:
    """Decided by the key and the configuration alone, before any store read, so a partner
    learns nothing about feeds or ids it may not read (issue 9). The brief wants 403 for a
    language or format outside the entitlement and 404 for an unknown language: a language
    outside both the configuration and the entitlement is unknown to this partner, whether
    or not some feed is stored under it."""
    if api_auth.is_entitled(partner, lang, str(fmt)):
        return
    if not configured and not api_auth.reads_language(partner, lang):
        raise Refused(404, f"unknown language {lang!r}")
    raise Refused(403, f"partner {partner.name!r} is not entitled to {lang} in {fmt}")


@dataclass(frozen=True, slots=True)
class Variant:
    """What one read serves: the ninjs version (None for XML), its media type, and the
    request headers that chose it."""

    version: NinjsVersion | None
    media_type: str
    vary: tuple[str, ...]


def variant(fmt: FeedFormat, query: Mapping[str, str], accept: str | None) -> Variant:
    """The representation asked for: ninjs in the version of ``?version=`` or Accept
    (400 or 406 otherwise, api/negotiation.py); RSS and NewsML have one each."""
    if fmt is not FeedFormat.NINJS:
        return Variant(None, _MEDIA[fmt], ())
    version = choose_ninjs_version(query, accept)
    return Variant(version, ninjs_media_type(version), ("Accept",))
