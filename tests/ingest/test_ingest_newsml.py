"""A NewsML-G2 newsItem onto our article: our own output reads back; a DTD, an entity,
another root or another item class is refused; errors name the element path."""

from __future__ import annotations

from typing import Any

import pytest

from syndicate.errors import ArticleInvalid
from syndicate.feeds.newsml import render_news_item
from syndicate.ingest.formats import Format, decode, read
from syndicate.news.article import Article, ArticleStatus

from feed_samples import NOW, entry, kobani_ar, kobani_en, rudaw_sample, withdrawn

ITEM_TYPE = "application/vnd.iptc.g2.newsitem+xml"


def _read(raw: bytes, media: str = ITEM_TYPE) -> Article:
    return read(decode(Format.NEWSML, raw, media))


def _refusal(raw: bytes) -> dict[str, str]:
    with pytest.raises(ArticleInvalid) as caught:
        _read(raw)
    return {e.field: e.message for e in caught.value.errors}


@pytest.mark.parametrize("make", [kobani_en, kobani_ar, rudaw_sample])
def test_our_own_news_item_reads_back(make: Any) -> None:
    article = make()
    back = _read(render_news_item(*entry(article), now=NOW))
    assert back.version == article.version and back.language == article.language
    assert back.headline == article.headline and back.tags == article.tags
    assert back.summary == article.summary and back.dateline == article.dateline
    assert back.published_at == article.published_at and back.source == article.source
    assert [(c.role, c.name) for c in back.credits] == [(c.role, c.name) for c in article.credits]
    assert back.rights == article.rights
    assert back.body_html.startswith("<") and "xmlns" not in back.body_html
    assert back.embargo_until == article.embargo_until


def test_a_canceled_item_is_a_withdrawal() -> None:
    back = _read(render_news_item(*entry(withdrawn(kobani_en())), now=NOW))
    assert back.status is ArticleStatus.WITHDRAWN and back.body_html == ""


def _item(meta: str = "", content: str = "", attrs: str = 'guid="urn:x:1" version="1"') -> bytes:
    return f"""<?xml version="1.0"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" {attrs} xml:lang="en"
  standard="NewsML-G2" standardversion="2.35">
 <itemMeta><itemClass qcode="ninat:text"/><provider literal="wire"/>
  <versionCreated>2026-05-01T10:00:00Z</versionCreated>{meta}</itemMeta>
 <contentMeta><contentCreated>2026-05-01T09:00:00+03:00</contentCreated>
  <creator role="crol:photographer"><name>Masoud Mustafa</name></creator>
  <creator literal="Vivyan Fatah"/>
  <subject qcode="medtop:20000151"><name>flood</name></subject>
  <subject qcode="medtop:1"/>
  <headline>Floods hit Erbil</headline>{content}</contentMeta>
 <contentSet><inlineData contenttype="text/plain">One.

Two &amp; three.</inlineData></contentSet>
</newsItem>""".encode()


def test_an_agency_item_with_plain_text_and_literals() -> None:
    a = _read(_item())
    assert a.id == "urn:x:1" and a.body_html == "<p>One.</p><p>Two &amp; three.</p>"
    assert [(c.role, c.name) for c in a.credits] == [
        ("photography", "Masoud Mustafa"),
        ("reporting", "Vivyan Fatah"),
    ]
    assert a.tags == ("flood",) and a.published_at.isoformat() == "2026-05-01T09:00:00+03:00"


def test_errors_name_the_element_path() -> None:
    errors = _refusal(
        _item(content="<headline>second</headline>").replace(b"Floods hit Erbil", b"")
    )
    assert "newsItem/contentMeta/headline[1]" in errors
    errors = _refusal(_item(attrs='guid="urn:x:1" version="v2"'))
    assert list(errors) == ["newsItem/@version"]
    errors = _refusal(_item(meta='<pubStatus qcode="stat:gone"/>'))
    assert list(errors) == ["newsItem/itemMeta/pubStatus/@qcode"]
    errors = _refusal(_item().replace(b"ninat:text", b"ninat:picture"))
    assert list(errors) == ["newsItem/itemMeta/itemClass/@qcode"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><newsItem/>', "DTD"),
        (b'<!DOCTYPE newsItem SYSTEM "http://evil.test/x.dtd"><newsItem/>', "DTD"),
        (b"<newsItem", "not well-formed"),
        (b'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"/>', "must be a NewsML-G2"),
        (b"<newsItem/>", "must be a NewsML-G2"),
    ],
)
def test_hostile_or_foreign_xml_is_refused_before_reading(raw: bytes, reason: str) -> None:
    with pytest.raises(ArticleInvalid) as caught:
        decode(Format.NEWSML, raw, ITEM_TYPE)
    (error,) = caught.value.errors
    assert error.field == "$" and reason in error.message


def test_an_entity_bomb_expands_nothing() -> None:
    lol = "".join(f'<!ENTITY l{i} "{"&l" + str(i - 1) + ";" * 10}">' for i in range(1, 10))
    raw = f'<?xml version="1.0"?><!DOCTYPE n [<!ENTITY l0 "lol">{lol}]><newsItem>&l9;</newsItem>'
    with pytest.raises(ArticleInvalid):
        decode(Format.NEWSML, raw.encode(), ITEM_TYPE)


def test_a_body_with_tails_comments_and_foreign_namespaces_is_kept_as_html() -> None:
    body = (
        '<inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml">'
        "<body>Lead &amp; more<p>One</p> tail &lt;b&gt;<!-- note --><p>Two</p></body></html>"
        "</inlineXML>"
    )
    raw = _item().replace(
        b'<inlineData contenttype="text/plain">One.\n\nTwo &amp; three.</inlineData>',
        body.encode(),
    )
    a = _read(raw)
    assert a.body_html.startswith("Lead &amp; more<p>One</p> tail &lt;b&gt;")
    assert "<p>Two</p>" in a.body_html and "xmlns" not in a.body_html
