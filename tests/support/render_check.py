"""Render an accepted article the way the service will: every format, source and translation.

The fuzz and input tests use it to prove that whatever was accepted (202) can be published:
an item that cannot be rendered used to freeze its language's feeds (issue 9).
"""

from __future__ import annotations

import json
from datetime import timedelta

from syndicate.feeds.edition import BODIES, FeedSite, render_edition
from syndicate.feeds.newsml import render_news_item
from syndicate.feeds.record import derive_publication
from syndicate.feeds.xml import fromstring
from syndicate.news.article import Article, ModelInfo, parse_article
from syndicate.news.article_json import article_to_dict
from syndicate.translation.glossary import parse_glossary
from syndicate.translation.stage import translate_article

import stub_translators
from feed_samples import BASE_URL, NOW, PROVIDER

_SITE = FeedSite(PROVIDER, BASE_URL, ttl=5, size=5)
_MODELS = (ModelInfo("en-ar", "translate-en_ar", "1.0+demo.tiny", demo=True),)


def render_everything(article: Article) -> None:
    """Every feed format and the NewsML item of ``article`` once visible, then the same for
    its translation into Arabic (stored and read back as the service does); raises if any
    render fails or gives a document its own parser refuses."""
    translated = translate_article(
        article, "ar", stub_translators.upper, _MODELS, parse_glossary({})
    )
    stored = parse_article(
        json.loads(json.dumps(article_to_dict(translated))), allow_translation=True
    )
    for version in (article, stored):
        _render(version)


def _render(article: Article) -> None:
    now = max(NOW, article.published_at, article.embargo_until or NOW) + timedelta(seconds=1)
    pub = derive_publication(article, PROVIDER, BASE_URL)
    entries = [(article, pub)]
    edition = render_edition(article.language, entries, _SITE, now=now)
    assert not edition.skipped, edition.skipped
    for name, body in edition.bodies.items():
        json.loads(body) if BODIES[name][0] == "ninjs" else fromstring(body)
    fromstring(render_news_item(article, pub, now=now))
