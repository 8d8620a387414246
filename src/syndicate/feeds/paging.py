"""Catching up (issue 19): RFC 5005 links in every feed, and the two cursors pages take.

A feed shows a language's newest ``limit`` items. A partner that was away reads on from
there in one of two ways:

- ``?since=<cursor>``: what became visible after the cursor, oldest first, ``limit`` at a
  time. The cursor is a position in the language's visibility sequence (the generation at
  which an item's current version showed, store/keys.py ``syn:seq``), so commits, not
  clocks, order it: no item is skipped because its task started early and finished late.
  Every document links ``rel="next"`` to the ``since`` cursor of what it holds; a partner
  keeps that link and follows it, and gets every item it has not seen, once, in order,
  however far the feed has rolled on (an item updated meanwhile comes again as its new
  version).
- ``?before=<cursor>``: RFC 5005 archives, ``rel="prev-archive"``: the ``limit`` items
  just older than a document's oldest, in the feed's own order (when each showed, then
  guid), so an archive page starts exactly where the feed or the page before it ended.

Cursors are opaque to partners: ``since`` is a number, ``before`` a URL-safe token.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from syndicate.feeds.record import Entry, Link, select_entries, visible_since

Position = tuple[float, str]  # when the entry showed (epoch s), its guid: the feed's order


def position(entry: Entry) -> Position:
    return visible_since(entry).timestamp(), entry[1].guid


def encode_before(at: Position) -> str:
    raw = f"{at[0]!r} {at[1]}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_before(cursor: str) -> Position:
    """The position a ``before`` cursor names; ``ValueError`` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        score, guid = raw.split(" ", 1)
        return float(score), guid
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("before: not a cursor this feed gave") from None


def decode_since(cursor: str) -> int:
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:
        raise ValueError("since: not a cursor this feed gave")
    return int(cursor)


def with_query(url: str, **query: str | None) -> str:
    """``url`` with the given query parameters (values are URL-safe: digits, tokens)."""
    pairs = [f"{name}={value}" for name, value in query.items() if value is not None]
    return f"{url}?{'&'.join(pairs)}" if pairs else url


def shown(entries: Sequence[Entry], lang: str, fmt: str, now: datetime, limit: int) -> list[Entry]:
    """What a document of ``fmt`` shows of ``entries``: NewsML keeps kills, RSS and ninjs
    drop them; newest first."""
    return select_entries(entries, lang, now, limit, include_withdrawn=fmt == "newsml")


def before_page(
    entries: Sequence[Entry], at: Position, lang: str, fmt: str, now: datetime, limit: int
) -> list[Entry]:
    """The ``limit`` entries a document of ``fmt`` shows just older than ``at``."""
    older = [e for e in entries if position(e) < at]
    return shown(older, lang, fmt, now, limit)


@dataclass(frozen=True, slots=True)
class Paging:
    """Where a document sits: its feed's URL and query (the ninjs version), the ``since``
    cursor that follows it, and whether it is an archive page."""

    feed_url: str
    version: str | None = None
    since: int | None = None
    archive: bool = False
    hub: str | None = None
    page: tuple[str, str] | None = None  # the query naming a page: ("since", "12")

    @property
    def self_url(self) -> str:
        """The document's own URL: the feed's, or the page's."""
        asked = {self.page[0]: self.page[1]} if self.page else {}
        return with_query(self.feed_url, version=self.version, **asked)


def links(paging: Paging, shown_entries: Sequence[Entry], limit: int) -> tuple[Link, ...]:
    """``next`` (what shows after it, for a current feed or a ``since`` page);
    ``prev-archive`` when the document is full (older items may exist); ``current`` on an
    archive page; ``hub`` where WebSub serves the feed. ``self`` is the channel's own."""
    found: list[Link] = []
    if paging.since is not None and not paging.archive:
        found.append(
            Link(
                "next", with_query(paging.feed_url, version=paging.version, since=str(paging.since))
            )
        )
    if shown_entries and len(shown_entries) >= limit:
        cursor = encode_before(position(shown_entries[-1]))
        found.append(
            Link("prev-archive", with_query(paging.feed_url, version=paging.version, before=cursor))
        )
    if paging.archive:
        found.append(Link("current", with_query(paging.feed_url, version=paging.version)))
    if paging.hub is not None:
        found.append(Link("hub", paging.hub))
    return tuple(found)
