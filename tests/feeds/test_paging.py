"""Catch-up paging (feeds/paging.py): cursors partners cannot tell apart from noise, the
archive page that starts exactly where a feed ends (ties included), and the links."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from syndicate.feeds import paging
from syndicate.feeds.record import Entry

from feed_samples import NOW, entry, kobani_ar, withdrawn


def _entries(n: int, tied: int = 0) -> list[Entry]:
    """``n`` Arabic entries a minute apart, the last ``tied`` showing at the same instant."""
    found = []
    for i in range(n):
        at = NOW - timedelta(minutes=min(i, n - tied))
        article = replace(kobani_ar(), id=f"story-{i:03}", updated_at=at)
        found.append(entry(article))
    return found


def test_cursors_round_trip_and_refuse_noise() -> None:
    at = (1_800_000_000.123456, "urn:newsml:x:20261120:a:ar")
    assert paging.decode_before(paging.encode_before(at)) == at
    assert paging.decode_since("42") == 42
    for bad in ("", "-1", "4.2", "x", "9" * 19):
        with pytest.raises(ValueError, match="since"):
            paging.decode_since(bad)
    for bad in ("%%%", "bm9zcGFjZQ", ""):
        with pytest.raises(ValueError, match="before"):
            paging.decode_before(bad)


@pytest.mark.parametrize("tied", [0, 7])
def test_archive_pages_follow_the_feed_with_no_gap_and_no_repeat(tied: int) -> None:
    entries = _entries(23, tied)
    later = NOW + timedelta(hours=1)
    seen = paging.shown(entries, "ar", "rss", later, 5)
    collected = [e[1].guid for e in seen]
    while seen:
        seen = paging.before_page(entries, paging.position(seen[-1]), "ar", "rss", later, 5)
        collected += [e[1].guid for e in seen]
    assert sorted(collected) == sorted(e[1].guid for e in entries)
    assert len(set(collected)) == len(collected)


def test_kills_are_in_newsml_pages_only() -> None:
    entries = [*_entries(3), entry(withdrawn(replace(kobani_ar(), id="killed")))]
    later = NOW + timedelta(hours=1)
    assert len(paging.shown(entries, "ar", "newsml", later, 10)) == 4
    assert len(paging.shown(entries, "ar", "rss", later, 10)) == 3


def test_links_name_next_prev_archive_current_and_hub() -> None:
    entries = _entries(5)
    feed = "https://feeds.example.org/v1/feeds/ar.json"
    at = paging.Paging(feed, version="2.2", since=17, hub="https://feeds.example.org/v1/websub")
    found = {k.rel: k.href for k in paging.links(at, entries, 5)}
    assert found["next"] == f"{feed}?version=2.2&since=17"
    assert found["prev-archive"].startswith(f"{feed}?version=2.2&before=")
    assert found["hub"] == "https://feeds.example.org/v1/websub"
    assert "prev-archive" not in {k.rel for k in paging.links(at, entries[:4], 5)}
    archive = paging.Paging(feed, archive=True, page=("before", "abc"))
    assert {k.rel for k in paging.links(archive, entries[:2], 5)} == {"current"}
    assert archive.self_url == f"{feed}?before=abc"
