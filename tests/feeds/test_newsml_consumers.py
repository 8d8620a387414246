"""Every language's NewsML-G2 feed and items read by installable consumers (issue 10):
IPTC's ``newsmlg2`` reader, ``xmlschema`` with its default settings, and what Superdesk's
NewsML-G2 parser reads (described here in our own words, from running and reading it)."""

from __future__ import annotations

from typing import Any

import NewsMLG2
import pytest
from lxml import etree

from syndicate.feeds.content import body_markup
from syndicate.feeds.newsml import NAR, render_news_item, render_news_message
from syndicate.news.article import Article, ArticleStatus

from feed_samples import NOW, channel, edition_articles, entry

LANGS = ("en", "ar", "tr", "ckb")
NS = {"n": NAR, "h": "http://www.w3.org/1999/xhtml"}


def _message(lang: str) -> bytes:
    entries = [entry(a) for a in edition_articles(lang)]
    return render_news_message(entries, channel(lang, "xml"), now=NOW, limit=50)


def _items(lang: str) -> list[tuple[Article, bytes]]:
    return [(a, render_news_item(*entry(a), now=NOW)) for a in edition_articles(lang)]


def _errors(schema: Any, data: bytes) -> list[str]:
    return [str(e).splitlines()[0] for e in schema.iter_errors(data.decode())]


@pytest.mark.parametrize("lang", LANGS)
def test_xmlschema_with_default_settings_accepts_the_feed_and_every_item(
    newsml_xmlschema: Any, lang: str
) -> None:
    assert _errors(newsml_xmlschema, _message(lang)) == []
    for _, data in _items(lang):
        assert _errors(newsml_xmlschema, data) == []


def _check_item(item: Any, article: Article) -> None:
    """What IPTC's reader gives back for one newsItem of ``article``."""
    assert item.guid == entry(article)[1].guid and item.version == str(article.version)
    assert item.itemmeta.itemclass.qcode == "ninat:text"
    withdrawn = article.status is ArticleStatus.WITHDRAWN
    assert item.itemmeta.pubstatus.qcode == ("stat:canceled" if withdrawn else "stat:usable")
    content = item.contentmeta
    assert str(content.headline) == article.headline and content.language.tag == article.language
    assert [str(k) for k in content.keyword] == list(article.tags)
    if withdrawn:
        return
    assert item.contentset.inlinexml.contenttype == "application/xhtml+xml"
    assert item.contentset.inlinedata.contenttype == "text/html"
    assert str(item.contentset.inlinedata) == " ".join(body_markup(article).split())


@pytest.mark.parametrize("lang", LANGS)
def test_iptcs_reader_reads_the_feed_and_every_item(lang: str) -> None:
    message = NewsMLG2.NewsMLG2Document(filename_or_string=_message(lang)).get_item()
    assert isinstance(message, NewsMLG2.NewsMessage) and str(message.header.sent)
    in_feed = etree.fromstring(_message(lang)).findall("n:itemSet/n:newsItem", NS)
    articles = edition_articles(lang)
    assert len(in_feed) == len(articles)
    by_guid = {entry(a)[1].guid: a for a in articles}
    for element in in_feed:
        item = NewsMLG2.NewsMLG2Document(filename_or_string=etree.tostring(element)).get_item()
        _check_item(item, by_guid[item.guid])
    for article, data in _items(lang):
        _check_item(NewsMLG2.NewsMLG2Document(filename_or_string=data).get_item(), article)


@pytest.mark.parametrize("lang", LANGS)
def test_superdesks_reads_find_every_item_and_the_whole_body(lang: str) -> None:
    """Superdesk's parser needs, on every newsItem of a message: a ``version``, an
    ``itemClass`` and ``pubStatus`` qcode with a prefix, a ``contentSet`` to iterate (a
    canceled item without one made it refuse the whole message), ``contenttype`` on each
    inline rendition; it takes the body from the last rendition, and from an inlineXML it
    would keep only the leading text of each child of ``body``, so the last one is the
    whole body as HTML. It reads the byline from ``by`` and authors from creator names."""
    root = etree.fromstring(_message(lang))
    for element in root.findall("n:itemSet/n:newsItem", NS):
        meta = element.find("n:itemMeta", NS)
        assert element.get("version") and meta is not None
        assert ":" in meta.find("n:itemClass", NS).get("qcode")
        assert ":" in meta.find("n:pubStatus", NS).get("qcode")
        content_set = element.find("n:contentSet", NS)
        assert content_set is not None
        if meta.find("n:pubStatus", NS).get("qcode") == "stat:canceled":
            assert len(content_set) == 0
            continue
        assert all(child.get("contenttype") for child in content_set)
        last = content_set[-1]
        assert last.tag == f"{{{NAR}}}inlineData" and last.get("contenttype") == "text/html"
        html = etree.HTML(last.text)
        xhtml_body = content_set.find("n:inlineXML/h:html/h:body", NS)
        assert _words(html) == _words(xhtml_body)  # the same body, every word
        content_meta = element.find("n:contentMeta", NS)
        assert content_meta.findtext("n:by", namespaces=NS)
        assert content_meta.findtext("n:creator/n:name", namespaces=NS)


def _words(element: Any) -> str:
    return " ".join(" ".join(element.itertext()).split())
