"""The partner poll path, kept near a bare server's cost (issue 20): partners poll every
minute or so, and when they multiply this is the API's front door.

- A partner key is looked up once per second per process (readers.py's ``Partners``).
- A feed is read on the event loop, with no hop through the thread pool: a conditional
  poll reads only the stored render's validators and answers 304 from them (one round
  trip, never the body); any other poll reads the body in the encoding it is served in,
  the gzip one stored beside the plain one at render time (store/feeds.py).
- Polls of the same feed arriving together share those reads (coalesce.py), each poll
  answered from a read sent after it arrived, never from an older one.

The routes (app.py) and the fast path in front of them (fastpoll.py) both go through
``Polls``: the same checks in the same order, the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.responses import Response

from syndicate.api import readers
from syndicate.api.answers import Refused
from syndicate.api.coalesce import Coalesced
from syndicate.api.http import (
    Answer,
    Representation,
    accepts_gzip,
    full_answer,
    is_conditional,
    not_modified_answer,
)
from syndicate.config import Settings
from syndicate.feeds.edition import body_name
from syndicate.store import feeds
from syndicate.store.client import LoopClient
from syndicate.store.feeds import FeedFormat, RenderedFeed, Validators


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


@dataclass(eq=False)
class Polls:
    """What the poll path keeps per process: its Redis client on the event loop, the
    partner keys seen, and the reads polls share."""

    redis: LoopClient
    settings: Settings
    partners: readers.Partners = field(default_factory=readers.Partners)
    configured: frozenset[str] = field(init=False)  # readers.configured_languages
    _validators: Coalesced[tuple[str, str], Validators | None] = field(default_factory=Coalesced)
    _bodies: Coalesced[tuple[str, str, bool], RenderedFeed | None] = field(
        default_factory=Coalesced
    )

    def __post_init__(self) -> None:
        self.configured = readers.configured_languages(self.settings)

    async def feed_read(
        self,
        key: str | None,
        lang: str,
        fmt: FeedFormat,
        query: Mapping[str, str],
        accept: str | None,
    ) -> FeedRead:
        """401, 404 unknown language, 403, 400/406 (ninjs version), in that order; then
        the stored render the poll reads."""
        partner = await self.partners.require(self.redis(), key)
        lang, configured = readers.language(lang, self.configured)
        readers.require_entitled(partner, lang, fmt, configured)
        v = readers.variant(fmt, query, accept)
        max_age = self.settings.feed_ttl * 60
        return FeedRead(lang, body_name(fmt, v.version), v.media_type, v.vary, max_age, configured)

    async def answer(self, headers: Mapping[str, str], read: FeedRead) -> Answer:
        """304 from the validators alone, else 200 with the body; 404 (``Refused``) when
        nothing is stored or the render shows no item."""
        if is_conditional(headers):
            validators = await self._read_validators(read.lang, read.name)
            if validators is None or validators.empty:
                raise _missing(read, validators is not None)
            etag, modified = validators.etag, validators.last_modified
            unchanged = not_modified_answer(headers, etag, modified, read.vary, read.max_age)
            if unchanged is not None:
                return unchanged
        compressed = accepts_gzip(headers.get("accept-encoding"))
        feed = await self._read_body(read.lang, read.name, compressed)
        if feed is None or not feed.body:
            raise _missing(read, feed is not None)
        plain, packed = (b"", feed.body) if compressed else (feed.body, None)
        rep = Representation(plain, feed.etag, feed.last_modified, read.media_type, read.vary)
        return full_answer(rep, compressed, read.max_age, packed)

    async def serve(self, headers: Mapping[str, str], read: FeedRead) -> Response:
        """``answer`` as a Response (the routes)."""
        return (await self.answer(headers, read)).response()

    async def _read_validators(self, lang: str, name: str) -> Validators | None:
        client = self.redis()
        return await self._validators.read(
            (lang, name), lambda: feeds.poll_validators(client, lang, name)
        )

    async def _read_body(self, lang: str, name: str, gzip: bool) -> RenderedFeed | None:
        client = self.redis()
        return await self._bodies.read(
            (lang, name, gzip), lambda: feeds.poll_body(client, lang, name, gzip)
        )
