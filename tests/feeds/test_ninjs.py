"""ninjs 3.1 items and JSON feeds: every object valid against the IPTC schema."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from syndicate.errors import Embargoed
from syndicate.feeds.ninjs import render_ninjs_feed, render_ninjs_item
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

SAMPLES = {"rudaw": rudaw_sample, "en": kobani_en, "ar": kobani_ar, "tr": kobani_tr}


def ninjs(article: Article, validator: Draft202012Validator) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(render_ninjs_item(*entry(article), now=NOW))
    validator.validate(value)
    return value


def feed(articles: list[Article], lang: str, validator: Draft202012Validator) -> dict[str, Any]:
    raw = render_ninjs_feed([entry(a) for a in articles], channel(lang, "json"), now=NOW, limit=50)
    value: dict[str, Any] = json.loads(raw)
    for item in value["items"]:
        validator.validate(item)
    return value


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_is_valid(name: str, ninjs_validator: Draft202012Validator) -> None:
    value = ninjs(SAMPLES[name](), ninjs_validator)
    assert value["uri"].startswith("urn:newsml:rudaw.net:")
    assert value["standard"]["version"] == "3.1"


def test_schema_and_checker_catch_bad_values(ninjs_validator: Draft202012Validator) -> None:
    good = ninjs(kobani_en(), ninjs_validator)
    for bad in (
        {"versionCreated": "yesterday"},
        {"uri": "not a uri"},
        {"pubStatus": "killed"},
        {"keywords": ["x"]},
    ):
        assert not ninjs_validator.is_valid({**good, **bad}), bad


def test_item_fields(ninjs_validator: Draft202012Validator) -> None:
    article = kobani_en()
    value = ninjs(article, ninjs_validator)
    assert value["uri"] == "urn:newsml:rudaw.net:20250601:kobani-water-2025:en"
    assert (value["version"], value["pubStatus"], value["language"]) == ("2", "usable", "en")
    assert value["firstCreated"] == "2025-06-01T05:00:00Z"
    assert value["versionCreated"] == "2025-06-01T10:30:00Z"
    assert value["headlines"] == [{"role": "main", "value": article.headline}]
    assert value["descriptions"] == [{"role": "summary", "value": article.summary}]
    assert [s["name"] for s in value["subjects"]] == list(article.tags)
    assert [(p["name"], p["role"]) for p in value["infoSources"][:5]] == [
        (c.name, c.role) for c in article.credits
    ]
    assert value["located"] == "KOBANI, Syria"
    assert value["copyrightHolder"] == "Rudaw Media Network"
    (body,) = value["bodies"]
    assert body["contentType"] == "application/xhtml+xml" and body["value"].startswith("<div")
    media = [a for a in value["associations"] if a["name"].startswith("media-")]
    assert [m["type"] for m in media] == ["picture", "picture", "video", "audio"]
    assert media[0]["renditions"] == [{"name": "original", "href": article.media[0].url}]
    assert "renditions" not in media[3]
    assert value["renditions"] == [{"name": "web", "href": article.url, "contentType": "text/html"}]
    assert "edNote" not in value


def test_translation_links_the_original(ninjs_validator: Draft202012Validator) -> None:
    value = ninjs(kobani_ar(), ninjs_validator)
    (original,) = [a for a in value["associations"] if a["rel"] == "translationOf"]
    assert original["uri"] == ninjs(kobani_en(), ninjs_validator)["uri"]
    assert original["version"] == "2" and original["language"] == "en"
    web = {"name": "web", "href": kobani_en().url, "contentType": "text/html"}
    assert original["renditions"] == [web] and "renditions" not in value
    assert "translate-en_ar 1.9 (demo model)" in value["edNote"]
    assert value["headlines"][0]["value"] == kobani_ar().headline


def test_withdrawn_item_is_canceled_and_leaves_the_feed(
    ninjs_validator: Draft202012Validator,
) -> None:
    killed = withdrawn(kobani_en())
    value = ninjs(killed, ninjs_validator)
    assert value["pubStatus"] == "canceled" and "bodies" not in value
    assert feed([killed, rudaw_sample()], "en", ninjs_validator)["items"][0]["uri"].endswith(
        "rudaw-20022019-isis-final-moments:en"
    )


def test_feed_is_an_items_object_newest_first(ninjs_validator: Draft202012Validator) -> None:
    held = replace(kobani_en(), id="held", embargo_until=NOW + timedelta(hours=2))
    value = feed([rudaw_sample(), kobani_en(), held, kobani_tr()], "en", ninjs_validator)
    assert value["language"] == "en" and value["updated"] == "2025-06-02T12:00:00Z"
    assert value["self"] == "https://feeds.example.org/v1/feeds/en.json"
    assert [i["uri"].split(":")[-2] for i in value["items"]] == [
        "kobani-water-2025",
        "rudaw-20022019-isis-final-moments",
    ]


def test_embargoed_item_is_refused() -> None:
    held = replace(kobani_en(), embargo_until=NOW + timedelta(seconds=1))
    with pytest.raises(Embargoed):
        render_ninjs_item(*entry(held), now=NOW)
