"""RSS 2.0 feeds: parsed back with feedparser (bozo 0) and lxml, field by field."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import feedparser

from syndicate.feeds.rss import CONTENT, DC, MEDIA, render_rss
from syndicate.feeds.xml import fromstring
from syndicate.news.article import Article

from feed_samples import (
    NOW,
    channel,
    entry,
    kobani_ar,
    kobani_en,
    kobani_tr,
    rudaw_sample,
    withdrawn,
)

NS = {"dc": DC, "content": CONTENT, "media": MEDIA, "atom": "http://www.w3.org/2005/Atom"}


def rss(*articles: Article, lang: str = "en", limit: int = 50) -> bytes:
    return render_rss([entry(a) for a in articles], channel(lang), now=NOW, limit=limit)


def parsed(data: bytes) -> feedparser.FeedParserDict:
    feed = feedparser.parse(data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def test_channel_follows_the_profile() -> None:
    feed = parsed(rss(kobani_en()))
    assert feed.version == "rss20"
    assert feed.feed.title == "Rudaw (en)"
    assert feed.feed.link == "https://www.rudaw.net/"
    assert feed.feed.subtitle == "Rudaw stories in en"
    assert feed.feed.language == "en"
    assert feed.feed.ttl == "5"
    assert feed.feed.updated == "Mon, 02 Jun 2025 12:00:00 GMT"
    (self_link,) = [link for link in feed.feed.links if link.rel == "self"]
    assert self_link.href == "https://feeds.example.org/v1/feeds/en.rss"


def test_item_fields_round_trip() -> None:
    article = kobani_en()
    (item,) = parsed(rss(article)).entries
    assert item.title == article.headline
    assert item.link == article.url
    assert item.id == "urn:newsml:rudaw.net:20250601:kobani-water-2025:en"
    assert item.guidislink is False
    version_2 = time.struct_time((2025, 6, 1, 10, 30, 0, 6, 152, 0))  # updated_at, not v1's
    assert item.published_parsed == item.updated_parsed == version_2
    assert item.summary == article.summary
    assert [t.term for t in item.tags] == list(article.tags)
    assert item.author == "Hêvî Mustafa, Sîdar Ehmed"  # the reporters, not the last credit
    assert "<strong>queue</strong>" in item.content[0].value
    assert [m["url"] for m in item.media_content] == [m.url for m in article.media if m.url]


def test_creators_categories_and_media_credits() -> None:
    article = kobani_en()
    (item,) = fromstring(rss(article)).iterfind("channel/item")
    assert [c.text for c in item.iterfind("dc:creator", NS)] == ["Hêvî Mustafa, Sîdar Ehmed"]
    people = [(c.get("role"), c.text) for c in item.iterfind("media:credit", NS)]
    assert people == [(c.role, c.name) for c in article.credits]
    assert {c.get("scheme") for c in item.iterfind("media:credit", NS)} == {
        "https://rudaw.net/cv/creditrole/"
    }
    assert [c.text for c in item.iterfind("category")] == list(article.tags)
    media = item.findall("media:content", NS)
    assert [m.get("medium") for m in media] == ["image", "image", "video"]
    assert [m.get("type") for m in media] == ["image/jpeg", "image/jpeg", "video/mp4"]
    assert media[0].findtext("media:credit", namespaces=NS) == "Zana Omer/Rudaw"
    assert media[0].findtext("media:description", namespaces=NS) == article.media[0].caption
    assert media[1].find("media:credit", NS) is None


def test_body_is_cdata_and_translations_carry_the_note() -> None:
    data = rss(kobani_ar(), lang="ar")
    assert b'<content:encoded><![CDATA[<p class="machine-translation-note"' in data
    (item,) = parsed(data).entries
    body = item.content[0].value
    assert "translate-en_ar 1.9 (demo model)" in body and "English (en)" in body
    assert "السكان" in body
    assert item.title == kobani_ar().headline
    assert b"machine-translation-note" not in rss(kobani_en())


def test_a_translation_links_to_its_origin_not_as_its_own_page() -> None:
    (item,) = parsed(rss(kobani_ar(), lang="ar")).entries
    assert "link" not in item  # the English page is not the Arabic item's page
    (via,) = [link for link in item.links if link.rel == "via"]
    assert (via.href, via.hreflang, via.type) == (kobani_en().url, "en", "text/html")
    (source,) = parsed(rss(kobani_en())).entries
    assert source.link == kobani_en().url and all(x.rel != "via" for x in source.links)


def test_an_item_without_a_page_has_no_link_rather_than_the_keyed_api_item() -> None:
    data = rss(replace(kobani_en(), url=None), replace(kobani_tr(), url=None), lang="tr")
    data_en = rss(replace(kobani_en(), url=None))
    for item in parsed(data).entries + parsed(data_en).entries:
        assert "link" not in item and not item.get("links"), item
        assert item.id.startswith("urn:newsml:")
    assert b"/v1/items/" not in data + data_en


def test_cdata_end_marker_inside_a_body_is_split() -> None:
    sneaky = replace(kobani_tr(), body_html='<div lang="tr" dir="ltr"><p>a</p><!-- x]]>y --></div>')
    data = rss(sneaky, lang="tr")
    assert b"x]]]]><![CDATA[>y" in data
    parsed(data)
    text = fromstring(data).findtext("channel/item/content:encoded", namespaces=NS)
    assert text.endswith('<div lang="tr" dir="ltr"><p>a</p><!-- x]]>y --></div>')


def test_markup_like_text_stays_text() -> None:
    article = replace(kobani_en(), summary="a <b>bold</b> & <script>x</script> claim")
    data = rss(article)
    (item,) = fromstring(data).iterfind("channel/item")
    assert item.findtext("title") == article.headline
    assert item.findtext("description") == (
        "a &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt; claim"
    )
    assert b"&#x26;" in data and b"&#x3C;" in data
    assert parsed(data).entries[0].title == article.headline


def test_withdrawn_embargoed_and_other_languages_stay_out() -> None:
    live = rudaw_sample()
    killed = withdrawn(replace(kobani_en(), id="killed"))
    held = replace(kobani_en(), id="held", embargo_until=NOW + timedelta(minutes=1))
    feed = parsed(rss(live, killed, held, kobani_ar()))
    assert [e.id.split(":")[-2] for e in feed.entries] == [live.id]
    later = render_rss([entry(held)], channel("en"), now=NOW + timedelta(minutes=1), limit=5)
    assert len(parsed(later).entries) == 1


def test_latest_n_newest_first_and_updates_keep_the_guid() -> None:
    base = kobani_en()
    stories = [
        replace(base, id=f"s{i}", updated_at=datetime(2025, 6, 1, i, tzinfo=UTC))
        for i in range(1, 5)
    ]
    feed = parsed(rss(*stories, limit=2))
    assert [e.id.split(":")[-2] for e in feed.entries] == ["s4", "s3"]
    update = replace(stories[0], version=9, headline="Updated")
    (first,) = parsed(rss(stories[0])).entries
    (second,) = parsed(rss(update)).entries
    assert first.id == second.id and second.title == "Updated"


def test_empty_feed_is_a_valid_channel() -> None:
    feed = parsed(rss(lang="ckb"))
    assert feed.entries == [] and feed.feed.language == "ckb"


def test_description_without_a_summary_is_the_first_paragraph_not_the_note() -> None:
    text = "Kobani residents queue for water. " * 20
    article = replace(
        kobani_ar(), summary=None, body_html=f'<div lang="ar" dir="rtl"><p>{text}</p></div>'
    )
    (item,) = parsed(rss(article, lang="ar")).entries
    assert item.summary.startswith("Kobani residents queue") and item.summary.endswith("\u2026")
    assert len(item.summary) <= 300 and "Machine translated" not in item.summary
