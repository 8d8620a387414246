"""A translation approved on the review desk (issue 18): every format says it was reviewed,
and NewsML-G2 and ninjs name the editor as a contributor with the editing role, still
valid against the official schemas."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from jsonschema import Draft202012Validator
from lxml import etree

from syndicate.feeds.newsml import render_news_item
from syndicate.feeds.ninjs import render_ninjs_item
from syndicate.feeds.xml import fromstring
from syndicate.news.article import Article, Review

from feed_samples import NOW, entry, kobani_ckb

G2 = "{http://iptc.org/std/nar/2006-10-01/}"
AT = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)


def _reviewed() -> Article:
    article = kobani_ckb()
    assert article.translation is not None
    translation = replace(article.translation, flags=(), review=Review("dilan", AT))
    return replace(article, translation=translation)


def test_newsml_names_the_reviewing_editor_and_stays_valid(newsml_schema: etree.XMLSchema) -> None:
    data = render_news_item(*entry(_reviewed()), now=NOW)
    root = fromstring(data)
    newsml_schema.assertValid(root)
    (party,) = [p for p in root.iter(f"{G2}contributor") if p.findtext(f"{G2}name") == "dilan"]
    assert party.get("role") == "exrole:editing"
    assert "2026-05-01T12:30:00Z" in (party.findtext(f"{G2}note") or "")
    note = root.findtext(f".//{G2}edNote") or ""
    assert "Reviewed and approved by editor dilan at 2026-05-01T12:30:00Z" in note


def test_ninjs_names_the_reviewing_editor_and_stays_valid(
    ninjs_validator: Draft202012Validator,
) -> None:
    value = json.loads(render_ninjs_item(*entry(_reviewed()), now=NOW))
    ninjs_validator.validate(value)
    assert {"name": "dilan", "role": "editing"} in value["infoSources"]
    assert "Reviewed and approved by editor dilan" in value["edNote"]


def test_an_unreviewed_translation_names_no_editor() -> None:
    value = json.loads(render_ninjs_item(*entry(kobani_ckb()), now=NOW))
    assert "Reviewed" not in value["edNote"]
    assert all(s["role"] != "editing" for s in value.get("infoSources", []))
