"""Generic ninjs 1.x, 2.x and 3.x: each fixture valid against its IPTC schema, read into
the same article; the version from the media type, the document or its field names."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import validators

from syndicate.errors import ArticleInvalid
from syndicate.feeds.ninjs import render_ninjs_item
from syndicate.ingest.formats import Format, decode, read
from syndicate.ingest.ninjs import IGNORED, MAPPED, RIGHTS, V2_FIELDS, V3_FIELDS
from syndicate.news.article import ArticleStatus, MediaType

from feed_samples import NOW, STANDARDS, entry, kobani_en, withdrawn
from foreign_samples import ninjs_document


def _valid(doc: dict[str, Any], version: str) -> None:
    schema = json.loads((STANDARDS / "ninjs" / f"ninjs-schema_{version}.json").read_text())
    validator = validators.validator_for(schema)(schema)
    assert [e.message for e in validator.iter_errors(doc)] == []


def _read(doc: dict[str, Any], media: str = "application/ninjs+json") -> Any:
    return read(decode(Format.NINJS, json.dumps(doc).encode(), media))


@pytest.mark.parametrize("version", ["1.6", "2.2"])
def test_a_wire_story_in_ninjs_1_and_2_is_read_whole(version: str) -> None:
    doc = ninjs_document(version)
    _valid(doc, version)
    a = _read(doc)
    assert a.id.startswith("http:-wire.test-items-2026-erbil-floods.")
    assert a.headline == "Floods hit Erbil after a night of heavy rain"
    assert a.body_html == "<p>Heavy rain flooded roads across Erbil on Monday, officials said.</p>"
    assert a.summary == "Roads flooded and schools closed in the Kurdistan Region's capital."
    assert a.dateline == "Erbil" and a.tags == ("flood",) and a.language == "en"
    assert ("reporting", "Vivyan Fatah") in [(c.role, c.name) for c in a.credits]
    assert a.rights is not None and a.rights.holder == "Wire Test"
    (medium,) = a.media
    assert (medium.type, medium.url) == (MediaType.IMAGE, "https://wire.test/media/erbil.jpg")
    assert medium.caption == "Cars stand in a flooded street in Erbil on Monday."


def test_the_same_uri_gives_the_same_id_in_every_version() -> None:
    assert _read(ninjs_document("1.6")).id == _read(ninjs_document("2.2")).id


@pytest.mark.parametrize("article", [kobani_en(), withdrawn(kobani_en())])
def test_our_own_ninjs_3_1_reads_back(article: Any) -> None:
    doc = json.loads(render_ninjs_item(*entry(article), now=NOW))
    _valid(doc, "3.1")
    back = _read(doc, "application/json")  # its standard.schema names ninjs 3.1
    assert back.version == article.version and back.status is article.status
    assert back.headline == article.headline and back.tags == article.tags
    assert back.published_at == article.published_at and back.language == article.language
    if article.status is ArticleStatus.PUBLISHED:
        assert [(c.role, c.name) for c in back.credits] == [
            (c.role, c.name) for c in article.credits
        ]
        assert [m.url for m in back.media] == [m.url for m in article.media]
        assert "Kobani" in back.body_html or back.body_html


@pytest.mark.parametrize(
    ("media", "doc", "major"),
    [
        ("application/ninjs+json; version=2.2", {"uri": "a"}, 2),
        (
            'application/ninjs+json; profile="http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"',
            {"uri": "a"},
            3,
        ),
        (
            "application/ninjs+json",
            {"uri": "a", "$schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json#"},
            2,
        ),
        ("application/ninjs+json", {"uri": "a", "pubStatus": "usable"}, 3),
        ("application/ninjs+json", {"uri": "a", "headlines": []}, 2),
        ("application/ninjs+json", {"uri": "a", "headline": "x"}, 1),
        ("application/json", {"uri": "a", "standard": {"version": "3.0"}}, 3),
    ],
)
def test_the_major_version_is_found(media: str, doc: dict[str, Any], major: int) -> None:
    decoded = decode(
        Format.NINJS if "ninjs" in media else Format.SUPERDESK, json.dumps(doc).encode(), media
    )
    assert (decoded.format, decoded.major) == (Format.NINJS, major)


def test_every_property_of_the_2_and_3_schemas_is_mapped_or_ignored() -> None:
    for version, fields in (("2.2", V2_FIELDS), ("3.1", V3_FIELDS)):
        schema = json.loads((STANDARDS / "ninjs" / f"ninjs-schema_{version}.json").read_text())
        assert set(schema["$defs"]["ninjsType"]["properties"]) == fields
        covered = set(MAPPED) | set(RIGHTS) | IGNORED
        assert {f.lower() for f in fields} <= covered


def test_a_3_x_field_in_2_x_spelling_is_unknown_and_named() -> None:
    doc = {**ninjs_document("2.2"), "pubStatus": "usable"}
    with pytest.raises(ArticleInvalid) as caught:
        _read(doc, "application/ninjs+json; version=2")
    assert [e.field for e in caught.value.errors] == ["pubStatus"]


def test_errors_name_the_ninjs_path() -> None:
    doc = ninjs_document("2.2")
    doc["headlines"][0]["value"] = ""
    doc["associations"][0]["renditions"][0]["href"] = "javascript:alert(1)"
    with pytest.raises(ArticleInvalid) as caught:
        _read(doc)
    assert {e.field for e in caught.value.errors} == {
        "headlines[0].value",
        "associations[0].renditions[0].href",
    }
