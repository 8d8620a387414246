"""Hypothesis strategies for hostile articles (issue 9): what a buggy CMS or an attacker
sends.

Dates at the extremes of what RFC 3339 can spell, text from every Unicode category
(surrogates, non-characters, private use, unassigned, bidi and zero-width controls, NUL),
markup in plain fields, bodies nested past libxml2's limit, and list fields from empty to
far past their limits. Payloads are JSON text (``ensure_ascii``), so a lone surrogate
travels as ``\\ud800`` exactly as a CMS's JSON library would send it.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from syndicate.news.limits import (
    MAX_BLOCKS,
    MAX_CREDITS,
    MAX_DEPTH,
    MAX_MEDIA,
    MAX_TAGS,
    MAX_TARGETS,
)

SPECIALS = [
    "\x00",
    "\x01",
    "\x0b",
    "\x7f",
    "\x85",
    "\ud800",
    "\udfff",
    "\ufffe",
    "\uffff",
    "\U0010fffe",
    "\ufdd0",
    "\ue000",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u2060",
    "\ufeff",
    "<",
    "<img src=x onerror=alert(1)//",
    "</",
    "<!",
    "&",
    "&amp;",
    "&#xFFFE;",
    "]]>",
    "هەولێر",
    "👩\u200d👩\u200d👧",
]
# Every category, surrogates (Cs) included: hypothesis leaves them out unless told.
ANY_CHAR = st.characters(codec=None, exclude_categories=()) | st.sampled_from(SPECIALS)
TEXT = st.one_of(
    st.sampled_from(["Floods hit Erbil", "هەولێر", "A < B", "x"]),
    st.lists(ANY_CHAR | st.sampled_from(["Erbil ", "rain. "]), min_size=1, max_size=12).map(
        "".join
    ),
)

# Text a field accepts, tricky all the same: letters of every script, marks, emoji, ZWNJ,
# ZWJ and direction marks, "<" that opens no tag.
FAIR_TEXT = (
    st.lists(
        st.characters(categories=("L", "M", "N", "P", "S", "Zs"))
        | st.sampled_from(["\u200c", "\u200d", "\u200e", "\u200f", "A < B", " & "]),
        min_size=1,
        max_size=12,
    )
    .map("".join)
    .filter(str.strip)
)


def mostly(fair: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any]) -> Any:
    """``fair`` seven times in eight: an article has a dozen fields, and accepted ones
    (about a quarter) must get rendered too."""
    return st.integers(0, 7).flatmap(lambda k: hostile if k == 0 else fair)


_YEARS = st.sampled_from([1, 2, 1899, 1900, 1970, 2026, 2199, 2200, 9998, 9999])
_OFFSETS = st.sampled_from(["Z", "+00:00", "-01:00", "+01:00", "+14:00", "-12:00", "+23:59"])


@st.composite
def stamps(draw: st.DrawFn) -> str:
    """An RFC 3339 string near the ends of every range that matters, or nearly one."""
    year, offset = draw(_YEARS | st.integers(1, 9999)), draw(_OFFSETS)
    month, day = draw(st.sampled_from([(1, 1), (12, 31), (2, 29), (6, 15)]))
    hour, minute = draw(st.sampled_from([(0, 0), (0, 30), (23, 30), (23, 59)]))
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00{offset}"


def _counted(element: st.SearchStrategy[Any], limit: int) -> Any:
    """A short list of drawn elements, or one repeated to just under, at or past ``limit``."""
    sizes = st.sampled_from([limit - 1, limit, limit + 1, 4000])
    repeated = st.tuples(element, sizes).map(lambda pair: [pair[0]] * pair[1])
    return mostly(st.lists(element, max_size=3), repeated)


def _distinct_targets() -> Any:
    """Distinct regional tags (``ar-x0``, ``ar-x1``...) just under, at or past the limit."""
    sizes = st.sampled_from([MAX_TARGETS - 1, MAX_TARGETS, MAX_TARGETS + 1, 3999])
    return sizes.map(lambda n: [f"ar-x{i}" for i in range(n)])


_TAGS = ("div", "p", "b", "a", "span", "iframe", "video", "li", "table", "td", "svg", "x-y")


@st.composite
def bodies(draw: st.DrawFn) -> str:
    """A body: text from every category, entities, empty embeds, deep nesting, many blocks."""
    depth = draw(st.sampled_from([0, 1, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 255, 300]))
    tag = draw(st.sampled_from(_TAGS))
    inner = draw(mostly(FAIR_TEXT, TEXT))
    nested = f"<{tag}>" * depth + inner + f"</{tag}>" * depth
    blocks = draw(st.sampled_from([1, 3, MAX_BLOCKS, MAX_BLOCKS + 1]))
    paragraph = draw(st.sampled_from(["<p>Rain fell.</p>", "<p>A. B. C.</p>", "<p/>"]))
    extra = draw(st.sampled_from(['<iframe src="https://x"/>', "<video/>", "<a id=x/>", ""]))
    return f"{nested}{extra}{paragraph * blocks}<p>{draw(mostly(FAIR_TEXT, TEXT))}</p>"


_FIELD = mostly(FAIR_TEXT, TEXT)
_CREDIT = st.fixed_dictionaries(
    {"role": st.sampled_from(["reporting", "photography"]), "name": _FIELD},
    optional={"location": _FIELD},
)
_MEDIUM = st.fixed_dictionaries(
    {"type": st.sampled_from(["image", "video"])}, optional={"caption": _FIELD, "credit": _FIELD}
)
_TARGET = mostly(st.sampled_from(["ar", "tr", "ckb", "ar-IQ"]), TEXT)
_FAIR_STAMP = st.sampled_from(
    ["2026-05-01T10:00:00Z", "1900-01-01T00:00:00Z", "2199-12-31T23:00:00-00:59"]
)


@st.composite
def articles(draw: st.DrawFn, article_id: str) -> dict[str, Any]:
    """An article payload with ``article_id``: every field drawn from the hostile values."""
    data: dict[str, Any] = {
        "id": article_id,
        "version": 1,
        "language": "en",
        "published_at": draw(mostly(_FAIR_STAMP, stamps())),
        "headline": draw(_FIELD),
        "body_html": draw(bodies() | TEXT),
    }
    optional = {
        "updated_at": mostly(_FAIR_STAMP, stamps()),
        "embargo_until": mostly(_FAIR_STAMP, stamps()),
        "summary": _FIELD,
        "dateline": _FIELD,
        "source": _FIELD,
        "tags": _counted(_FIELD, MAX_TAGS),
        "credits": _counted(_CREDIT, MAX_CREDITS),
        "media": _counted(_MEDIUM, MAX_MEDIA),
        "targets": mostly(st.lists(_TARGET, max_size=3), _distinct_targets()),
        "rights": st.fixed_dictionaries({"holder": _FIELD}),
    }
    for key in draw(st.sets(st.sampled_from(sorted(optional)), max_size=4)):
        data[key] = draw(optional[key])
    if draw(st.integers(0, 7)) == 0:
        data[draw(TEXT)] = draw(TEXT)  # an unknown key, surrogates and all
    return data


def payload(data: dict[str, Any]) -> bytes:
    """The JSON bytes a CMS sends (non-ASCII and lone surrogates as ``\\u`` escapes)."""
    return json.dumps(data, ensure_ascii=True).encode("ascii")
