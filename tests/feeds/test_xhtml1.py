"""The NewsML-G2 body under a second validator: ``xmlschema`` with its default settings,
which checks the XHTML namespace against XHTML 1.0 Strict (issue 10: it refused a whole
newsMessage for one HTML5 ``<figure>``), and against the official XSD through libxml2."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from lxml import etree

from syndicate.feeds.newsml import render_news_item, render_news_message
from syndicate.news.article import Article

from feed_samples import (
    NOW,
    channel,
    entry,
    kobani_ar,
    kobani_en,
    kobani_tr,
    rudaw_sample,
)

H = "{http://www.w3.org/1999/xhtml}"

BODIES = {
    "figure": '<figure><img src="https://x.test/a.jpg"/><figcaption>A tank</figcaption></figure>',
    "sections": "<section><header><h2>Title</h2></header><p>Text <mark>marked</mark></p></section>",
    "loose text and inline": 'Loose text <a href="https://x.test">a link</a> and <b>bold</b>',
    "text after a block": "<p>One</p> then loose <em>text</em>",
    "embeds": '<video src="https://x.test/v.mp4" controls></video><iframe src="https://x.test/e"></iframe>',
    "blockquote with text": "<blockquote>Quoted <cite>someone</cite></blockquote>",
    "unknown attributes": '<p data-x="1">a</p><img src="https://x.test/b.png" loading="lazy"/>',
    "time and small": '<p><time datetime="2025-01-01">New year</time> <small>print</small></p>',
}


def _errors(schema: Any, data: bytes) -> list[str]:
    return [str(e).splitlines()[0] for e in schema.iter_errors(data.decode())]


@pytest.mark.parametrize("factory", [kobani_en, kobani_ar, kobani_tr, rudaw_sample])
def test_every_sample_item_passes_xmlschema(
    newsml_xmlschema: Any, factory: Callable[[], Article]
) -> None:
    article = factory()
    assert _errors(newsml_xmlschema, render_news_item(article, entry(article)[1], now=NOW)) == []


def test_a_news_message_passes_xmlschema(newsml_xmlschema: Any) -> None:
    entries = [entry(kobani_en()), entry(rudaw_sample())]
    data = render_news_message(entries, channel("en", "xml"), now=NOW, limit=5)
    assert _errors(newsml_xmlschema, data) == []


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_html5_bodies_become_strict_and_keep_their_text(
    newsml_xmlschema: Any, newsml_schema: etree.XMLSchema, body: str
) -> None:
    article = replace(kobani_en(), body_html=body)
    data = render_news_item(article, entry(article)[1], now=NOW)
    assert _errors(newsml_xmlschema, data) == []
    root = etree.fromstring(data)
    newsml_schema.assertValid(root)
    html_body = root.find(f".//{H}body")
    assert html_body is not None
    text = " ".join("".join(html_body.itertext()).split())
    source_text = " ".join("".join(etree.HTML(body).itertext()).split())
    assert source_text in text  # nothing lost (embeds add their link)
