"""The body as HTML readers see it: RSS content:encoded and ninjs, parsed with html5lib."""

from __future__ import annotations

import json
from dataclasses import replace

import html5lib
import pytest
from lxml import etree

from syndicate.feeds.content import body_element
from syndicate.feeds.newsml import render_news_item
from syndicate.feeds.ninjs import render_ninjs_item
from syndicate.feeds.rss import CONTENT, render_rss
from syndicate.feeds.xhtml1 import XHTML
from syndicate.feeds.xml import fromstring
from syndicate.news.article import Article

from feed_samples import NOW, channel, entry, kobani_en, kobani_tr

EMBEDS = [
    '<iframe src="https://www.youtube.com/embed/x"></iframe>',
    '<iframe src="https://www.youtube.com/embed/x"/>',
    "<video/>",
    "<audio></audio>",
    '<a id="x"></a>',
    "<span></span>",
    "<canvas/>",
]


def _html_tree(markup: str) -> etree._Element:
    """What a browser builds from ``markup`` (WHATWG parsing, as RSS readers do)."""
    parsed = html5lib.parse(markup, treebuilder="lxml", namespaceHTMLElements=False)
    body = parsed.find(".//body")
    assert body is not None
    return body


def _rss_body(article: Article) -> str:
    data = render_rss([entry(article)], channel(article.language), now=NOW, limit=5)
    return fromstring(data).findtext(f"channel/item/{{{CONTENT}}}encoded") or ""


def _ninjs_body(article: Article) -> str:
    value = json.loads(render_ninjs_item(*entry(article), now=NOW))
    (body,) = [b["value"] for b in value["bodies"] if b["role"] == "richtext"]
    return str(body)


def _paragraph_parents(markup: str) -> list[str]:
    """The tag of each body paragraph's parent (the translation note is not one)."""
    paragraphs = _html_tree(markup).iterfind(".//div//p")
    return [str(p.getparent().tag) for p in paragraphs]  # type: ignore[union-attr]


@pytest.mark.parametrize("embed", EMBEDS)
@pytest.mark.parametrize("render", [_rss_body, _ninjs_body])
@pytest.mark.parametrize("article", [kobani_en(), kobani_tr()], ids=["source", "translation"])
def test_the_paragraph_after_an_empty_embed_is_its_sibling_in_html_readers(
    embed: str, render: object, article: Article
) -> None:
    body = f"<p>Before.</p>{embed}<p>After.</p><p>Last.</p>"
    if article.translation is not None:  # a translation is stored as the XHTML markup wrote
        body = f'<div lang="tr" dir="ltr">{body}</div>'
    markup = render(replace(article, body_html=body))  # type: ignore[operator]
    assert _paragraph_parents(markup) == ["div", "div", "div"]


def test_newsml_takes_the_body_as_plain_xml() -> None:
    """The end tags are for HTML readers: the element NewsML builds from is left as XML."""
    article = replace(kobani_en(), body_html='<p>a</p><iframe src="https://x"></iframe><p>b</p>')
    assert '<iframe src="https://x"/>' in etree.tostring(body_element(article), encoding="unicode")
    root = fromstring(render_news_item(*entry(article), now=NOW))
    paragraphs = list(root.iter(f"{{{XHTML}}}p"))
    assert len({p.getparent() for p in paragraphs}) == 1 and len(paragraphs) >= 2
