"""ninjs 1.6, 2.2 and 3.1 (issue 10): every language's feed and item valid against its own
official schema, the same values in every version, and what a ninjs 1.x reader such as
Superdesk's parser reads (described here in our own words, from reading it)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema.protocols import Validator

from syndicate.feeds.ninjs import build_ninjs_feed, build_ninjs_item
from syndicate.feeds.ninjs_versions import (
    DEFAULT_VERSION,
    SCHEMA_URIS,
    NinjsVersion,
    find_version,
    version_of_schema,
)
from syndicate.news.article import Article

from feed_samples import (
    NOW,
    STANDARDS,
    channel,
    edition_articles,
    entry,
    kobani_ar,
    kobani_en,
    withdrawn,
)

LANGS = ("en", "ar", "tr", "ckb")
SUITE = STANDARDS / "ninjs" / "test_suite"
# Superdesk's ninjs parser reads times in these forms only (no fractions, UTC)
SUPERDESK_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|\+0000|\+00:00)")


def _item(article: Article, version: NinjsVersion) -> dict[str, Any]:
    return build_ninjs_item(*entry(article), now=NOW, version=version)


def _feed(lang: str, version: NinjsVersion) -> dict[str, Any]:
    entries = [entry(a) for a in edition_articles(lang)]
    return build_ninjs_feed(entries, channel(lang, "json"), now=NOW, limit=50, version=version)


@pytest.mark.parametrize("version", list(NinjsVersion))
@pytest.mark.parametrize("lang", LANGS)
def test_every_feed_item_is_valid_against_its_own_schema(
    ninjs_validators: dict[str, Validator], lang: str, version: NinjsVersion
) -> None:
    validator = ninjs_validators[version]
    feed = _feed(lang, version)
    objects = [*feed["items"], *(_item(a, version) for a in edition_articles(lang))]
    assert feed["items"] and len(objects) > len(feed["items"])  # the withdrawn item too
    for value in objects:
        assert list(validator.iter_errors(value)) == [], value["uri"]
        standard = value.get("standard") or value["$standard"]
        assert (standard["version"], standard["schema"]) == (version, SCHEMA_URIS[version])
        others = [v for v in NinjsVersion if v is not version]
        assert not any(ninjs_validators[v].is_valid(value) for v in others)


@pytest.mark.parametrize("version", list(NinjsVersion))
def test_the_validators_pass_and_fail_iptcs_own_suite(
    ninjs_validators: dict[str, Validator], version: NinjsVersion
) -> None:
    cases = {k: sorted((SUITE / version / f"should_{k}").glob("*.json")) for k in ("pass", "fail")}
    if not all(cases.values()):
        pytest.skip(f"IPTC's ninjs test suite not found at {SUITE}")
    for path in cases["pass"]:
        assert ninjs_validators[version].is_valid(_load(path)), path
    for path in cases["fail"]:
        assert not ninjs_validators[version].is_valid(_load(path)), path


def _load(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def _v16(article: Article) -> dict[str, Any]:
    return _item(article, NinjsVersion.V1_6)


def test_every_version_carries_the_same_values() -> None:
    article = kobani_ar()
    v31, v22, v16 = (_item(article, v) for v in ("3.1", "2.2", "1.6"))
    assert v31["headlines"] == v22["headlines"] and v16["headline"] == article.headline
    assert v31["bodies"][0]["value"] == v22["bodies"][0]["value"] == v16["body_html"]
    assert v31["descriptions"][0]["value"] == v16["description_text"] == article.summary
    assert v31["by"] == v22["by"] == v16["byline"]
    assert v31["edNote"] == v22["ednote"] == v16["ednote"]
    for key in ("firstCreated", "versionCreated", "pubStatus", "copyrightHolder"):
        assert v31[key] == v22[key.lower()] == v16[key.lower()]
    assert [s["name"] for s in v16["subject"]] == list(article.tags)
    assert [(i["name"], i["rel"]) for i in v16["infosource"]] == [
        (i["name"], i["role"]) for i in v31["infoSources"]
    ]


def test_an_embargo_is_embargoed_before_3_1() -> None:
    held = replace(kobani_en(), embargo_until=NOW)
    v31, v22, v16 = (_item(held, v) for v in ("3.1", "2.2", "1.6"))
    assert v31["embargoedUntil"] == v22["embargoed"] == v16["embargoed"] == "2025-06-02T12:00:00Z"


def test_only_3_1_links_the_original_because_only_it_can_say_rel() -> None:
    """Without ``rel`` an associated object reads as content: Superdesk ingested the link
    to the original as an empty item under the original's guid."""
    article = kobani_ar()
    assert [a["rel"] for a in _item(article, NinjsVersion.V3_1)["associations"]][-1] == (
        "translationOf"
    )
    v22 = _item(article, NinjsVersion.V2_2)["associations"]
    assert [a["name"] for a in v22] == ["media-1", "media-2", "media-3", "media-4"]
    assert all("type" in a and "rel" not in a for a in v22)
    assert sorted(_v16(article)["associations"]) == ["media-1", "media-2", "media-3", "media-4"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_ninjs_1_reader_finds_what_superdesk_reads(lang: str) -> None:
    """Superdesk's parser copies flat strings (headline, body_html, description_text as the
    abstract, byline, located as the dateline city, pubstatus, language, ednote, copyright
    and usage terms), walks ``associations`` and ``renditions`` as objects (a 3.1 list
    crashed it), makes an item of every association from its ``uri``, reads ``subject``
    names, and parses times only as whole UTC seconds."""
    for article in edition_articles(lang):
        value = _v16(article)
        assert value["uri"] and value["type"] == "text" and value["language"] == lang
        assert value["headline"] == article.headline
        for key in ("firstcreated", "versioncreated", "contentcreated"):
            assert SUPERDESK_TIME.fullmatch(value[key]), value[key]
        if value["pubstatus"] == "canceled":
            assert "body_html" not in value
            continue
        assert value["body_html"].startswith(f'<div lang="{lang}"')
        assert value.get("description_text") == article.summary and value["byline"]
        assert value["located"] == article.dateline and value["copyrightholder"]
        assert isinstance(value.get("associations", {}), dict)
        for name, associated in value.get("associations", {}).items():
            assert re.fullmatch(r"[A-Za-z0-9_-]+", name) and associated["uri"]
            assert associated["type"] in ("picture", "video", "audio")
            assert all(isinstance(r, dict) for r in associated.get("renditions", {}).values())


def test_a_withdrawn_item_is_canceled_in_every_version() -> None:
    killed = withdrawn(kobani_en())
    assert _item(killed, NinjsVersion.V3_1)["pubStatus"] == "canceled"
    assert _item(killed, NinjsVersion.V2_2)["pubstatus"] == "canceled"
    assert _v16(killed)["pubstatus"] == "canceled"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.6", "1.6"), ("2.2", "2.2"), ("3.1", "3.1"), ("1", "1.6"), (" 2 ", "2.2"), ("3", "3.1")],
)
def test_a_version_or_its_major_names_a_version(text: str, expected: str) -> None:
    assert find_version(text) == expected


@pytest.mark.parametrize("text", ["", "4", "1.5", "3.0", "3.1.0", "v3", "latest"])
def test_anything_else_names_none(text: str) -> None:
    assert find_version(text) is None


def test_schema_uris_name_their_version_with_or_without_the_fragment() -> None:
    for version, uri in SCHEMA_URIS.items():
        assert version_of_schema(uri) == version
        assert version_of_schema(uri.removesuffix("#").replace("http:", "https:")) == version
    assert version_of_schema("http://www.iptc.org/std/ninjs/ninjs-schema_9.9.json#") is None
    assert DEFAULT_VERSION == "3.1"
