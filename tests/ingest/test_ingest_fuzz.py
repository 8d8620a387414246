"""Any document in any of the three formats gives an article or ``ArticleInvalid``, never
another exception (which the API would answer 500): hypothesis over Superdesk's and
ninjs's own field names with values of every JSON kind, and over NewsML-G2 element soup."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.errors import ArticleInvalid
from syndicate.ingest.formats import Format, decode, read
from syndicate.ingest.ninjs import V2_FIELDS, V3_FIELDS
from syndicate.ingest.superdesk import KNOWN

from foreign_samples import superdesk_push

_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(sorted(KNOWN | {"name", "href", "value", "role", "type", "original"})),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


def _outcome(fmt: Format, raw: bytes, media: str) -> None:
    try:
        read(decode(fmt, raw, media))
    except ArticleInvalid as exc:
        assert exc.errors and all(e.field for e in exc.errors)


@settings(max_examples=150, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(sorted(KNOWN)), _JSON, max_size=5))
def test_a_mangled_superdesk_push_is_an_article_or_field_errors(changes: dict[str, Any]) -> None:
    _outcome(Format.SUPERDESK, json.dumps(superdesk_push(**changes)).encode(), "application/json")


@settings(max_examples=150, deadline=None)
@given(
    doc=st.dictionaries(st.sampled_from(sorted(V2_FIELDS | V3_FIELDS)), _JSON, max_size=8),
    major=st.sampled_from(["1.6", "2.2", "3.1"]),
)
def test_any_ninjs_is_an_article_or_field_errors(doc: dict[str, Any], major: str) -> None:
    _outcome(Format.NINJS, json.dumps(doc).encode(), f"application/ninjs+json; version={major}")


_TAGS = ["itemMeta", "contentMeta", "contentSet", "inlineXML", "inlineData", "headline"]
_TAGS += ["creator", "name", "keyword", "subject", "pubStatus", "contentCreated", "link"]


@st.composite
def _elements(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    attrs = draw(
        st.sampled_from(
            [
                "",
                ' qcode="stat:canceled"',
                ' role="x:y"',
                ' literal=""',
                ' contenttype="text/plain"',
            ]
        )
    )
    text = draw(st.sampled_from(["", "x", "2026-05-01T10:00:00Z", "&amp;", "<![CDATA[<p>]]>"]))
    children = "".join(draw(st.lists(_elements(depth + 1), max_size=3))) if depth < 3 else ""
    return f"<{tag}{attrs}>{text}{children}</{tag}>"


@settings(max_examples=150, deadline=None)
@given(inner=st.lists(_elements(), max_size=4), version=st.sampled_from(["1", "0", "x", ""]))
def test_any_news_item_is_an_article_or_field_errors(inner: list[str], version: str) -> None:
    raw = (
        f'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g" version="{version}">'
        f"{''.join(inner)}</newsItem>"
    )
    _outcome(Format.NEWSML, raw.encode(), "application/xml")
