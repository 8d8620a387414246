"""Every input limit, in one place, each with the reason it has the value it has.

An article over a limit is refused at ingest with a 422 naming the field and the limit
(the CLI: exit 2, one line), before anything is stored: an input error must never look
transient (a 503 makes a CMS retry forever) nor be found only when a feed is rendered (one
unrenderable item used to freeze a whole language). docs/limits.md lists them for
operators; they are constants rather than settings because a feed partner's parser, not
our hardware, sets most of them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

# Brief section 2. Read with the limit enforced while reading (api/http.py).
MAX_PAYLOAD_BYTES: Final = 2 * 1024 * 1024
MAX_HEADLINE_CHARS: Final = 500

# Dates (published_at, updated_at, embargo_until), in UTC, [EARLIEST, LATEST). Python's
# datetime ends at year 9999, so "9999-12-31T23:30-01:00" overflowed when converted to UTC
# and "0001-01-01T00:30+01:00" fell before year 1: both failed every render. Within these
# bounds any offset conversion and any interval the service adds (retry countdowns, TTLs)
# stays far from either end, every format can write the year in four digits (xs:dateTime,
# RFC 822), and partners' databases take the value (SQL Server's datetime starts in 1753).
# An embargo past 2200 is a typo, not an embargo: refused so it does not hide a story.
EARLIEST_DATE: Final = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_DATE: Final = datetime(2200, 1, 1, tzinfo=UTC)

# Counts of list fields. Each entry becomes an element in every format and every language
# (a keyword, a creator, a media:content) of a feed of 50 items; real articles carry a few.
MAX_TAGS: Final = 100
MAX_CREDITS: Final = 100
MAX_MEDIA: Final = 100
# Each target is a queue, a per-language state and a translation. Redis' Lua ``unpack``
# failed near 4,000 (seen as a 503 with Retry-After); 64 is more languages than any
# newsroom translates into.
MAX_TARGETS: Final = 64

# The body, as the sanitiser parses it. libxml2 stops at 256 levels and silently drops the
# rest of the body; feeds wrap the body in up to 8 more levels (NewsML newsMessage to the
# XHTML div), and partners parse feeds with the same default limit. 100 is several times
# what real bodies nest (word processors' spans included) and leaves that margin.
MAX_DEPTH: Final = 100
# Elements (every tag) and blocks (the units translated: paragraphs, list items, headings,
# cells, captions...). A 10,000-word long read has about 1,000 elements and 150 blocks.
MAX_ELEMENTS: Final = 20_000
MAX_BLOCKS: Final = 400
# What the model is sent for the whole article (every translatable field): segments
# (sentences) and their characters. The translate stage makes one batched call per article
# and language on one worker child's core, and a batch that large is slower per segment
# than a small one: 1,891 segments (199,000 characters) took 608 s, past the 600 s
# task_time_limit that kills a task on every retry (docs/limits.md, benchmarks/limits.py).
# 800 segments and 80,000 characters (about 13,000 words) still take a 10,000-word long
# read and stay well under it.
MAX_SEGMENTS: Final = 800
MAX_TEXT_CHARS: Final = 80_000
