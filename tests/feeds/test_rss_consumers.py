"""Every language's RSS feed read by installable feed readers, as partners' software reads
it (issue 10): feedparser (what Superdesk's RSS ingest runs), atoma and fastfeedparser.

Each reader must parse the feed whole, show the byline and the abstract a person would
expect (the reporter, not the last credit; the summary, not the machine-translation
note), keep the media with their types, and see an update and a lifted embargo as new
to a poller that remembers its last poll time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import atoma
import fastfeedparser
import feedparser
import pytest
from dateutil.parser import isoparse
from lxml import etree

from syndicate.feeds.content import body_markup
from syndicate.feeds.rss import byline, render_rss
from syndicate.news.article import Article, ArticleStatus

from feed_samples import NOW, channel, edition_articles, entry, kobani_en, rudaw_sample

LANGS = ("en", "ar", "tr", "ckb")


def _rss(articles: list[Article], lang: str, now: datetime = NOW) -> bytes:
    return render_rss([entry(a) for a in articles], channel(lang), now=now, limit=50)


def _text(html: str) -> str:
    """The words of an HTML fragment, as a reader shows them (readers reserialise markup)."""
    return " ".join("".join(etree.HTML(f"<div>{html}</div>").itertext()).split())


def _live(lang: str) -> list[Article]:
    return [a for a in edition_articles(lang) if a.status is not ArticleStatus.WITHDRAWN]


@pytest.mark.parametrize("lang", LANGS)
def test_feedparser_reads_byline_abstract_body_and_media(lang: str) -> None:
    feed = feedparser.parse(_rss(edition_articles(lang), lang))
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.language == lang
    live = _live(lang)
    assert [e.id for e in feed.entries] == [entry(a)[1].guid for a in live]
    story, parsed = live[0], feed.entries[0]
    assert parsed.author == byline(story) and parsed.author.startswith("Hêvî Mustafa")
    assert parsed.summary == story.summary and "Machine translated" not in parsed.summary
    assert parsed.title == story.headline
    assert _text(body_markup(story)) in _text(parsed.content[0].value)  # whole: CDATA splits too
    types = [m.get("type") for m in parsed.media_content]
    assert types[:2] == ["image/jpeg", "image/jpeg"] and "video/mp4" in types


@pytest.mark.parametrize("lang", LANGS)
def test_atoma_reads_every_item(lang: str) -> None:
    feed = atoma.parse_rss_bytes(_rss(edition_articles(lang), lang))
    live = _live(lang)
    assert feed.language == lang and len(feed.items) == len(live)
    story, parsed = live[0], feed.items[0]
    assert parsed.guid == entry(story)[1].guid and parsed.title == story.headline
    assert parsed.description == story.summary
    assert parsed.pub_date is not None and parsed.pub_date.tzinfo is not None
    assert _text(body_markup(story)) in _text(parsed.content_encoded or "")
    assert [c for c in parsed.categories] == list(story.tags)


@pytest.mark.parametrize("lang", LANGS)
def test_fastfeedparser_reads_every_item(lang: str) -> None:
    feed = fastfeedparser.parse(_rss(edition_articles(lang), lang))
    live = _live(lang)
    assert [e["id"] for e in feed["entries"]] == [entry(a)[1].guid for a in live]
    story, parsed = live[0], feed["entries"][0]
    assert parsed["author"] == byline(story)
    assert parsed["description"] == story.summary
    assert [m["type"] for m in parsed["media_content"]][:2] == ["image/jpeg", "image/jpeg"]


def _feedparser_times(data: bytes) -> dict[str, datetime]:
    feed = feedparser.parse(data)
    assert feed.bozo == 0
    return {e.id: datetime(*e.updated_parsed[:6], tzinfo=UTC) for e in feed.entries}


def _atoma_times(data: bytes) -> dict[str, datetime]:
    return {i.guid: i.pub_date for i in atoma.parse_rss_bytes(data).items if i.guid and i.pub_date}


def _fastfeedparser_times(data: bytes) -> dict[str, datetime]:
    entries: list[dict[str, Any]] = fastfeedparser.parse(data)["entries"]
    return {e["id"]: isoparse(e.get("updated") or e["published"]) for e in entries}


READERS: dict[str, Callable[[bytes], dict[str, datetime]]] = {
    "feedparser": _feedparser_times,
    "atoma": _atoma_times,
    "fastfeedparser": _fastfeedparser_times,
}


@pytest.mark.parametrize("reader", sorted(READERS))
def test_an_update_and_a_lifted_embargo_look_new_to_a_poller(reader: str) -> None:
    """A poller that keeps the items newer than its last poll (Superdesk, most aggregators)
    must see version 2 and an item whose embargo ended after that poll."""
    times = READERS[reader]
    last_poll = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
    v1 = replace(kobani_en(), version=1, updated_at=None, published_at=last_poll - timedelta(1))
    v2 = replace(v1, version=2, updated_at=last_poll + timedelta(minutes=5))
    held = replace(rudaw_sample(), published_at=last_poll - timedelta(hours=3))
    held = replace(held, embargo_until=last_poll + timedelta(minutes=30))
    seen_at_last_poll = times(_rss([v1, held], "en", now=last_poll))
    assert list(seen_at_last_poll) == [entry(v1)[1].guid]  # the embargoed one is hidden
    assert all(t <= last_poll for t in seen_at_last_poll.values())
    now = times(_rss([v2, held], "en"))
    assert sorted(guid for guid, t in now.items() if t > last_poll) == sorted(
        [entry(v2)[1].guid, entry(held)[1].guid]
    )
