"""The partner poll path, kept near a bare server's cost (issue 20): partners poll every
minute or so, and when they multiply this is the API's front door.

- A partner key is looked up once per ``PARTNER_TTL`` seconds per process (``Partners``),
  not once per poll: a revoked key is refused within that time on every API process.
- A feed is read on the event loop, with no hop through the thread pool: a conditional
  poll reads only the stored render's validators and answers 304 from them (one round
  trip, never the body); any other poll reads the body in the encoding it is served in,
  the gzip one stored beside the plain one at render time (store/feeds.py).
"""

from __future__ import annotations

import hmac
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Final

from starlette.datastructures import Headers
from starlette.responses import Response

from syndicate.api.answers import Refused
from syndicate.api.credentials import key_digest
from syndicate.api.http import (
    Representation,
    accepts_gzip,
    full_response,
    is_conditional,
    not_modified,
)
from syndicate.store import feeds, partners
from syndicate.store.client import AsyncClient
from syndicate.store.partners import Partner

PARTNER_TTL: Final = 1.0  # seconds a looked-up key is trusted: a revocation takes this long
PARTNERS_KEPT: Final = 10_000  # keys remembered per process (the least recently used go)


@dataclass(eq=False)
class Partners:
    """Partner keys looked up in the last ``ttl`` seconds, found or not, by key digest."""

    ttl: float = PARTNER_TTL
    size: int = PARTNERS_KEPT
    _seen: OrderedDict[str, tuple[float, Partner | None]] = field(default_factory=OrderedDict)

    async def find(self, client: AsyncClient, key: str) -> Partner | None:
        """The partner holding ``key``, or None; a store read at most once per ``ttl``."""
        digest = key_digest(key)
        now = time.monotonic()
        seen = self._seen.get(digest)
        if seen is not None and now - seen[0] < self.ttl:
            self._seen.move_to_end(digest)
            return seen[1]
        found = await partners.poll_partner(client, digest)
        if found is not None and not hmac.compare_digest(found.key_sha256, digest):
            found = None
        self._seen[digest] = (now, found)
        self._seen.move_to_end(digest)
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return found


@dataclass(frozen=True, slots=True)
class FeedRead:
    """Which stored render a poll asks for, and how it is served."""

    lang: str
    name: str  # a body of feeds.edition.BODIES
    media_type: str
    vary: tuple[str, ...]
    max_age: int
    configured: bool  # the language is configured (else known only by its feed)


def _missing(read: FeedRead, stored: bool) -> Refused:
    """404 for a language with no stored render (unknown unless configured) or none shown."""
    if not stored and not read.configured:
        return Refused(404, f"unknown language {read.lang!r}")
    return Refused(404, f"no items published in {read.lang} yet")


async def serve_feed(client: AsyncClient, headers: Headers, read: FeedRead) -> Response:
    """304 from the validators alone, else 200 with the body; 404 (``Refused``) when
    nothing is stored or the render shows no item."""
    if is_conditional(headers):
        validators = await feeds.poll_validators(client, read.lang, read.name)
        if validators is None or validators.empty:
            raise _missing(read, validators is not None)
        etag, modified = validators.etag, validators.last_modified
        unchanged = not_modified(headers, etag, modified, read.vary, read.max_age)
        if unchanged is not None:
            return unchanged
    compressed = accepts_gzip(headers.get("accept-encoding"))
    feed = await feeds.poll_body(client, read.lang, read.name, compressed)
    if feed is None or not feed.body:
        raise _missing(read, feed is not None)
    plain, packed = (b"", feed.body) if compressed else (feed.body, None)
    rep = Representation(plain, feed.etag, feed.last_modified, read.media_type, read.vary)
    return full_response(rep, compressed, read.max_age, packed)
