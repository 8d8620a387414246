"""NewsML-G2 items and newsMessages: valid against the IPTC 2.35 XSD, field by field."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from syndicate.errors import Embargoed, NaiveDatetime
from syndicate.feeds.newsml import (
    NAR,
    XHTML,
    EmptyFeed,
    render_news_item,
    render_news_message,
)
from syndicate.feeds.record import Publication, make_guid, next_change
from syndicate.feeds.xml import fromstring
from syndicate.news.article import Article
from syndicate.news.roles import is_author_role

from feed_samples import (
    KOBANI_CREDITS,
    NOW,
    PROVIDER,
    STANDARDS,
    channel,
    entry,
    kobani_ar,
    kobani_en,
    kobani_tr,
    rudaw_sample,
    withdrawn,
)

NS = {"n": NAR, "h": XHTML}
SAMPLES = {"rudaw": rudaw_sample, "en": kobani_en, "ar": kobani_ar, "tr": kobani_tr}
# Every element the markup module may emit in a body (brief section 4), plus the wrapper.
XHTML_ELEMENTS = set(
    [
        "html",
        "head",
        "title",
        "body",
        "div",
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "figure",
        "figcaption",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "td",
        "th",
        "caption",
        "dl",
        "dt",
        "dd",
        "a",
        "strong",
        "em",
        "b",
        "i",
        "span",
        "q",
        "cite",
        "sub",
        "sup",
        "br",
        "code",
        "pre",
        "time",
        "iframe",
        "video",
        "audio",
        "source",
        "hr",
    ]
)


def assert_valid(schema: etree.XMLSchema, data: bytes) -> etree._Element:
    root = fromstring(data)
    if not schema.validate(root):
        raise AssertionError("\n".join(f"{e.line}: {e.message}" for e in schema.error_log))
    return root


def item(article: Article, schema: etree.XMLSchema) -> etree._Element:
    return assert_valid(schema, render_news_item(*entry(article), now=NOW))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_item_is_valid(name: str, newsml_schema: etree.XMLSchema) -> None:
    root = item(SAMPLES[name](), newsml_schema)
    assert root.get("standard") == "NewsML-G2" and root.get("standardversion") == "2.35"
    assert root.get("conformance") == "power"


def test_item_carries_the_article_fields(newsml_schema: etree.XMLSchema) -> None:
    article = kobani_en()
    root = item(article, newsml_schema)
    assert root.get("guid") == "urn:newsml:rudaw.net:20250601:kobani-water-2025:en"
    assert root.get("version") == "2"
    assert root.findtext("n:itemMeta/n:versionCreated", namespaces=NS) == "2025-06-01T10:30:00Z"
    assert root.findtext("n:itemMeta/n:firstCreated", namespaces=NS) == "2025-06-01T05:00:00Z"
    assert root.find("n:itemMeta/n:pubStatus", NS).get("qcode") == "stat:usable"
    assert root.find("n:itemMeta/n:signal", NS).get("qcode") == "sig:update"
    meta = root.find("n:contentMeta", NS)
    assert meta.findtext("n:headline", namespaces=NS) == article.headline
    assert [k.text for k in meta.iterfind("n:keyword", NS)] == list(article.tags)
    assert meta.find("n:language", NS).get("tag") == "en"
    assert meta.findtext("n:dateline", namespaces=NS) == "KOBANI, Syria"
    assert meta.findtext("n:located/n:name", namespaces=NS) == "KOBANI, Syria"
    assert meta.findtext("n:description", namespaces=NS) == article.summary
    assert meta.findtext("n:creditline", namespaces=NS) == article.credit_line
    rights = root.find("n:rightsInfo", NS)
    assert rights.findtext("n:copyrightHolder/n:name", namespaces=NS) == "Rudaw Media Network"
    assert rights.findtext("n:usageTerms", namespaces=NS) == "Licensed partners only; no resale."


def test_credits_become_creators_and_contributors_with_roles(
    newsml_schema: etree.XMLSchema,
) -> None:
    meta = item(kobani_en(), newsml_schema).find("n:contentMeta", NS)
    kinds = (f"{{{NAR}}}creator", f"{{{NAR}}}contributor")
    parties = [
        (p.tag.split("}")[1], p.get("role"), p.findtext("n:name", namespaces=NS))
        for p in meta
        if p.tag in kinds
    ]
    expected = [
        ("creator" if is_author_role(c.role) else "contributor", f"exrole:{code}", c.name)
        for c, code in zip(
            KOBANI_CREDITS,
            ["reporting", "additional_reporting", "photography", "video_editing", "other"],
            strict=True,
        )
    ]
    assert parties == expected
    assert parties[0][0] == "creator"
    assert meta.findtext("n:contributor/n:note", namespaces=NS) == "voice over"


def test_translation_links_the_original_and_names_the_model(
    newsml_schema: etree.XMLSchema,
) -> None:
    root = item(kobani_ar(), newsml_schema)
    assert root.get("guid") == "urn:newsml:rudaw.net:20250601:kobani-water-2025:ar"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    assert root.get("dir") == "rtl"
    link = root.find("n:itemMeta/n:link[@rel='exrel:translationOf']", NS)
    assert link.get("residref") == item(kobani_en(), newsml_schema).get("guid")
    assert link.get("version") == "2"
    note = root.findtext("n:itemMeta/n:edNote", namespaces=NS)
    assert "English" in note and "translate-en_ar 1.9 (demo model)" in note
    tr_note = item(kobani_tr(), newsml_schema).findtext("n:itemMeta/n:edNote", namespaces=NS)
    assert "translate-en_tr 1.9" in tr_note and "demo" not in tr_note
    assert root.find("n:itemMeta/n:edNote", NS) is not None
    assert item(kobani_en(), newsml_schema).find("n:itemMeta/n:edNote", NS) is None


def test_body_is_well_formed_xhtml_in_its_namespace(newsml_schema: etree.XMLSchema) -> None:
    for factory in SAMPLES.values():
        root = item(factory(), newsml_schema)
        inline = root.find("n:contentSet/n:inlineXML", NS)
        assert inline.get("contenttype") == "application/xhtml+xml"
        (html,) = inline
        standalone = fromstring(etree.tostring(html))
        for el in standalone.iter(etree.Element):
            namespace, local = el.tag[1:].split("}")
            assert namespace == XHTML and local in XHTML_ELEMENTS, el.tag
        body = standalone.find("h:body", NS)
        assert body.get("dir") == standalone.get("dir") == inline.get("dir")
        assert body.get("{http://www.w3.org/XML/1998/namespace}lang") == inline.get(
            "{http://www.w3.org/XML/1998/namespace}lang"
        )
        # Superdesk reads only body's direct children: the paragraphs, no wrapper div.
        assert [etree.QName(c).localname for c in body][:1] == ["p"]
        assert "".join(body.itertext()).strip()


def test_rtl_body_keeps_its_text(newsml_schema: etree.XMLSchema) -> None:
    root = item(kobani_ar(), newsml_schema)
    text = "".join(root.find("n:contentSet//h:body", NS).itertext())
    assert "يقول المسؤولون إن ]]> ليست مشكلة." in text


def test_every_qcode_scheme_is_declared(newsml_schema: etree.XMLSchema) -> None:
    catalog = fromstring(
        (STANDARDS / "newsml-g2" / "catalog" / "catalog.IPTC-G2-Standards_41.xml").read_bytes()
    )
    known = {s.get("alias") for s in catalog.iter(f"{{{NAR}}}scheme")}
    for factory in SAMPLES.values():
        root = item(factory(), newsml_schema)
        known_here = known | {s.get("alias") for s in root.iterfind("n:catalog/n:scheme", NS)}
        for el in root.iter(f"{{{NAR}}}*"):
            for attr in ("qcode", "role", "rel", "type"):
                for qcode in (el.get(attr) or "").split():
                    assert qcode.split(":")[0] in known_here, qcode


def test_first_version_has_no_update_signal(newsml_schema: etree.XMLSchema) -> None:
    root = item(rudaw_sample(), newsml_schema)
    assert root.find("n:itemMeta/n:signal", NS) is None
    assert root.find("n:itemMeta/n:embargoed", NS) is None


def test_update_keeps_the_guid_and_bumps_the_version(newsml_schema: etree.XMLSchema) -> None:
    first = replace(kobani_en(), version=1, updated_at=None)
    later = replace(kobani_en(), version=3, updated_at=datetime(2025, 6, 3, tzinfo=UTC))
    one, three = item(first, newsml_schema), item(later, newsml_schema)
    assert one.get("guid") == three.get("guid")
    assert (one.get("version"), three.get("version")) == ("1", "3")
    assert three.findtext("n:itemMeta/n:versionCreated", namespaces=NS) == "2025-06-03T00:00:00Z"


def test_withdrawn_item_is_canceled_with_an_empty_content_set(
    newsml_schema: etree.XMLSchema,
) -> None:
    """Empty, not absent: Superdesk iterates every item's contentSet, and refused the
    whole newsMessage for one canceled item without it."""
    root = item(withdrawn(kobani_en()), newsml_schema)
    assert root.find("n:itemMeta/n:pubStatus", NS).get("qcode") == "stat:canceled"
    content_set = root.find("n:contentSet", NS)
    assert content_set is not None and len(content_set) == 0
    assert root.get("guid") == item(kobani_en(), newsml_schema).get("guid")


def test_embargoed_item_is_refused_until_its_time(newsml_schema: etree.XMLSchema) -> None:
    article = replace(kobani_en(), embargo_until=NOW + timedelta(hours=1))
    with pytest.raises(Embargoed):
        render_news_item(*entry(article), now=NOW)
    later = render_news_item(*entry(article), now=NOW + timedelta(hours=1))
    root = assert_valid(newsml_schema, later)
    assert root.findtext("n:itemMeta/n:embargoed", namespaces=NS) == "2025-06-02T13:00:00Z"
    assert next_change([entry(article)], NOW) == NOW + timedelta(hours=1)


def test_news_message_is_valid_newest_first_and_carries_kills(
    newsml_schema: etree.XMLSchema,
) -> None:
    older = replace(rudaw_sample(), language="en")
    killed = replace(withdrawn(kobani_en()), updated_at=datetime(2025, 6, 2, 9, tzinfo=UTC))
    hidden = replace(kobani_en(), id="later-story", embargo_until=NOW + timedelta(days=1))
    entries = [entry(a) for a in (older, killed, hidden)]
    data = render_news_message(entries, channel("en", "xml"), now=NOW, limit=50)
    root = assert_valid(newsml_schema, data)
    assert root.findtext("n:header/n:sent", namespaces=NS) == "2025-06-02T12:00:00Z"
    assert root.findtext("n:header/n:sender", namespaces=NS) == "rudaw.net"
    assert re.fullmatch(
        r"urn:syndicate:rudaw\.net:en:\S+", root.findtext("n:header/n:transmitId", namespaces=NS)
    )
    items = root.findall("n:itemSet/n:newsItem", NS)
    assert [i.get("guid").split(":")[-2] for i in items] == [killed.id, older.id]
    assert items[0].find("n:itemMeta/n:pubStatus", NS).get("qcode") == "stat:canceled"


def test_news_message_keeps_the_latest_n(newsml_schema: etree.XMLSchema) -> None:
    base = kobani_en()
    articles = [
        replace(base, id=f"story-{i}", updated_at=base.published_at + timedelta(minutes=i))
        for i in range(5)
    ]
    data = render_news_message([entry(a) for a in articles], channel("en"), now=NOW, limit=3)
    root = assert_valid(newsml_schema, data)
    ids = [i.get("guid").split(":")[-2] for i in root.iterfind("n:itemSet/n:newsItem", NS)]
    assert ids == ["story-4", "story-3", "story-2"]


def test_empty_news_message_is_refused() -> None:
    with pytest.raises(EmptyFeed):
        render_news_message([], channel("ckb"), now=NOW, limit=50)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2025, 6, 1, 8, 0)
    with pytest.raises(NaiveDatetime):
        Publication("g", naive, naive, "https://x.example/i", PROVIDER)
    with pytest.raises(NaiveDatetime):
        make_guid("rudaw.net", "a", "en", naive)
    with pytest.raises(NaiveDatetime):
        render_news_message([entry(kobani_en())], channel("en"), now=naive, limit=1)
