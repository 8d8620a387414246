"""The safe parser and the cleaning rule every XML renderer relies on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml import etree

from syndicate.errors import NaiveDatetime
from syndicate.feeds.xml import clean_line, clean_text, format_rfc3339, fromstring


def test_clean_text_drops_only_what_xml_cannot_carry() -> None:
    assert clean_text("a\x00b\x08c\x0bd\x1fe\ud800f\ufffeg\uffffh") == "abcdefgh"
    kept = "\t\n\r ]]> & <x> \x85 \u202e عربي 💧 \U0010fffd"
    assert clean_text(kept) == kept
    assert clean_line("a\tb\nc\rd") == "a b c d"


def test_parser_expands_no_entities_and_fetches_nothing() -> None:
    bomb = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    root = fromstring(bomb)
    assert "root:" not in etree.tostring(root, encoding="unicode")
    with pytest.raises(etree.XMLSyntaxError):
        fromstring(b"<x>]]></x><y/>")


def test_dates_are_utc_rfc3339_and_naive_ones_are_refused() -> None:
    plus3 = timezone(timedelta(hours=3))
    assert (
        format_rfc3339(datetime(2025, 6, 1, 8, 0, 30, 999, tzinfo=plus3)) == "2025-06-01T05:00:30Z"
    )
    assert format_rfc3339(datetime(2025, 6, 1, tzinfo=UTC)) == "2025-06-01T00:00:00Z"
    with pytest.raises(NaiveDatetime):
        format_rfc3339(datetime(2025, 6, 1))
