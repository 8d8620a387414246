"""Properties: any headline, tag, name or body text gives valid output that round-trips.

Values come back byte-identical except for the documented cleaning: characters XML 1.0
cannot carry are dropped in every format (``clean_text``), and NewsML's single-line strings
(keyword, name) also turn tab, CR and LF into spaces (``clean_line``, the XSD's
g2normalizedString).
"""

from __future__ import annotations

import json
from dataclasses import replace
from xml.sax.saxutils import escape

import feedparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from lxml import etree

from syndicate.feeds.content import body_markup
from syndicate.feeds.newsml import NAR, render_news_item
from syndicate.feeds.ninjs import render_ninjs_item
from syndicate.feeds.rss import CONTENT, DC, MEDIA, byline, render_rss
from syndicate.feeds.xml import clean_line, clean_text, fromstring
from syndicate.news.article import Article
from syndicate.news.credits import Credit

from feed_samples import NOW, channel, entry, kobani_en, kobani_tr

TRICKY = st.sampled_from(
    [
        "]]>",
        "&",
        "&amp;",
        "<b>x</b>",
        "<!-- c -->",
        "\x00\x01\x08\x0b\x1f",
        "\ufffe\uffff",
        "عربي",
        "כותרת",
        "\u202eRTL override",
        "💧🇮🇶👩‍👩‍👧",
        "a\tb\nc\rd",
        " padded ",
        "\x85\x9f",
    ]
)
TEXT = st.one_of(TRICKY, st.text(min_size=1, max_size=40), st.lists(TRICKY).map("".join))
LABELS = st.lists(TEXT, min_size=0, max_size=4)
PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def article(headline: str, tags: list[str], names: list[str]) -> Article:
    credits = tuple(Credit("reporting" if i % 2 else "photography", n) for i, n in enumerate(names))
    return replace(
        kobani_en(),
        headline=headline,
        tags=tuple(tags),
        credits=credits,
        summary=headline,
        credit_line=None,
    )


@PROPERTY
@given(headline=TEXT, tags=LABELS, names=LABELS)
def test_newsml_item_is_valid_and_round_trips(
    newsml_schema: etree.XMLSchema, headline: str, tags: list[str], names: list[str]
) -> None:
    root = fromstring(render_news_item(*entry(article(headline, tags, names)), now=NOW))
    assert newsml_schema.validate(root), newsml_schema.error_log
    ns = {"n": NAR}
    meta = root.find("n:contentMeta", ns)
    assert (meta.findtext("n:headline", namespaces=ns) or "") == clean_text(headline)
    assert (meta.findtext("n:description", namespaces=ns) or "") == clean_text(headline)
    assert [k.text or "" for k in meta.iterfind("n:keyword", ns)] == [clean_line(t) for t in tags]
    parties = (f"{{{NAR}}}creator", f"{{{NAR}}}contributor")
    people = [p.findtext("n:name", namespaces=ns) or "" for p in meta if p.tag in parties]
    assert people == [clean_line(n) for n in names]


@PROPERTY
@given(headline=TEXT, tags=LABELS, names=LABELS)
def test_rss_is_well_formed_and_round_trips(
    headline: str, tags: list[str], names: list[str]
) -> None:
    story = article(headline, tags, names)
    data = render_rss([entry(story)], channel("en"), now=NOW, limit=5)
    assert feedparser.parse(data).bozo == 0
    (item,) = fromstring(data).iterfind("channel/item")
    assert (item.findtext("title") or "") == clean_text(headline)
    assert [c.text or "" for c in item.iterfind("category")] == [clean_text(t) for t in tags]
    creators = [c.text or "" for c in item.iterfind(f"{{{DC}}}creator")]
    line = byline(story)
    assert creators == ([clean_text(line)] if line else [])
    people = [c.text or "" for c in item.iterfind(f"{{{MEDIA}}}credit")]
    assert people == [clean_text(n) for n in names]


@PROPERTY
@given(text=TEXT)
def test_rss_body_survives_cdata(text: str) -> None:
    body = f'<div lang="tr" dir="ltr"><p>{escape(clean_text(text))}</p><!--]]>--></div>'
    translated = replace(kobani_tr(), body_html=body)
    data = render_rss([entry(translated)], channel("tr"), now=NOW, limit=5)
    assert feedparser.parse(data).bozo == 0
    encoded = fromstring(data).findtext(f"channel/item/{{{CONTENT}}}encoded") or ""
    assert encoded.endswith(body_markup(translated))


@PROPERTY
@given(headline=TEXT, tags=LABELS, names=LABELS)
def test_ninjs_is_valid_and_round_trips(
    ninjs_validator: Draft202012Validator, headline: str, tags: list[str], names: list[str]
) -> None:
    value = json.loads(render_ninjs_item(*entry(article(headline, tags, names)), now=NOW))
    ninjs_validator.validate(value)
    assert value["headlines"][0]["value"] == clean_text(headline)
    assert [s["name"] for s in value.get("subjects", [])] == [clean_text(t) for t in tags]
    sources = [s["name"] for s in value["infoSources"] if s["role"] != "source"]
    assert sources == [clean_text(n) for n in names]
