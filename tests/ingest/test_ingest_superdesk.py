"""Superdesk's pushed item onto our article: every field it sends mapped or ignored on
purpose, errors on Superdesk's own field names."""

from __future__ import annotations

import json
from typing import Any

import pytest

from syndicate.errors import ArticleInvalid
from syndicate.ingest.draft import article_id
from syndicate.ingest.formats import Decoded, Format, decode, read
from syndicate.ingest.superdesk import IGNORED, KNOWN, MAPPED
from syndicate.news.article import ArticleStatus, MediaType

from foreign_samples import superdesk_push, transmitted


def _read(item: Any) -> Any:
    return read(decode(Format.SUPERDESK, transmitted(item), "application/json"))


def _fields(item: Any) -> dict[str, str]:
    with pytest.raises(ArticleInvalid) as caught:
        _read(item)
    return {e.field: e.message for e in caught.value.errors}


def test_the_push_becomes_the_article_it_describes() -> None:
    a = _read(superdesk_push())
    assert a.id == superdesk_push()["guid"] and a.version == 1 and a.language == "en"
    assert a.headline == "Floods hit Erbil after a night of heavy rain"
    assert a.status is ArticleStatus.PUBLISHED and a.dateline == "Erbil"
    assert a.summary == "Roads flooded and schools closed in the Kurdistan Region's capital."
    assert a.tags == ("flood", "weather", "Kurdistan Region", "floods")
    assert [(c.role, c.name) for c in a.credits] == [
        ("writing", "Vivyan Fatah"),
        ("editing", "Ayub Nuri"),
        ("photography", "Masoud Mustafa"),
    ]
    assert a.published_at.isoformat() == "2026-05-01T10:05:00+00:00"  # firstpublished
    assert a.source == "Rudaw" and a.section == "News" and a.rights is None
    (medium,) = a.media
    assert medium.type is MediaType.IMAGE
    assert medium.url == "https://sd.news.test/api/upload-raw/5c8e1e2a.jpg"
    assert medium.caption == "Cars stand in a flooded street in Erbil on Monday."
    assert medium.credit == "Masoud Mustafa"


def test_canceled_is_a_withdrawal_and_withheld_too() -> None:
    for status in ("canceled", "withheld"):
        a = _read(superdesk_push(pubstatus=status, version="2"))
        assert a.status is ArticleStatus.WITHDRAWN and a.version == 2


# Every key NINJSFormatter, NINJS2Formatter and NewsroomNinjsFormatter write.
_WRITTEN = frozenset(
    [
        "guid",
        "version",
        "type",
        "byline",
        "located",
        "versioncreated",
        "usageterms",
        "language",
        "headline",
        "copyrightnotice",
        "urgency",
        "pubstatus",
        "mimetype",
        "copyrightholder",
        "ednote",
        "body_text",
        "body_html",
        "slugline",
        "keywords",
        "firstcreated",
        "firstpublished",
        "source",
        "extra",
        "annotations",
        "description_html",
        "place",
        "profile",
        "associations",
        "extra_items",
        "embargoed",
        "priority",
        "subject",
        "service",
        "renditions",
        "order",
        "description_text",
        "organisation",
        "evolvedfrom",
        "genre",
        "signal",
        "attachments",
        "charcount",
        "wordcount",
        "readtime",
        "authors",
        "publish_schedule",
        "rewrite_sequence",
        "rewrite_of",
        "products",
        "refs",
    ]
)


def test_every_field_the_formatter_writes_is_mapped_or_ignored() -> None:
    assert _WRITTEN <= KNOWN and not set(MAPPED) & IGNORED


def test_an_unknown_field_is_named_with_its_path() -> None:
    item = superdesk_push(headlnie="x")
    item["associations"]["featuremedia"]["colour"] = "red"
    errors = _fields(item)
    assert errors["headlnie"].startswith("unknown field (did you mean 'headline'")
    assert errors["associations.featuremedia.colour"].startswith("unknown field")


def test_errors_name_superdesks_fields_not_ours() -> None:
    item = superdesk_push(headline="", versioncreated="yesterday", firstpublished=None)
    item["firstcreated"] = None
    item["authors"][1]["name"] = "<b>Ayub</b>"
    item["keywords"] = ["ok", 7]
    item["associations"]["featuremedia"]["renditions"]["original"]["href"] = "ftp://x"
    errors = _fields(item)
    assert set(errors) == {
        "headline",
        "versioncreated",
        "authors[1].name",
        "keywords[1]",
        "associations.featuremedia.renditions.original.href",
    }
    assert "must be a string" in errors["keywords[1]"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"version": "two"}, "version"),
        ({"version": None}, "version"),
        ({"pubstatus": "killed"}, "pubstatus"),
        ({"type": "picture"}, "type"),
        ({"subject": "flood"}, "subject"),
        ({"subject": ["flood"]}, "subject[0]"),
        ({"authors": [{"name": "A", "role": "writer", "shoe": 1}]}, "authors[0].shoe"),
        ({"associations": []}, "associations"),
        ({"language": "english language"}, "language"),
        ({"guid": 5}, "guid"),
        ({"body_html": "<!DOCTYPE x><p>x</p>"}, "body_html"),
        ({"copyrightnotice": "(c) Rudaw"}, "copyrightholder"),
    ],
)
def test_a_wrong_value_is_refused_on_its_field(changes: dict[str, Any], field: str) -> None:
    assert field in _fields(superdesk_push(**changes))


def test_a_guid_our_rule_refuses_gets_a_stable_id_of_its_own() -> None:
    guid = "tag:sd.news.test,2026:item/3b2d 2c4f?x=1"
    first, again = article_id(guid), article_id(guid)
    assert first == again and first != article_id(guid + "2")
    assert first.startswith("tag:sd.news.test-2026:item-3b2d-2c4f-x-1.")
    assert _read(superdesk_push(guid=guid)).id == first
    assert article_id("x" * 300) != article_id("x" * 299) and len(article_id("é" * 200)) < 128


def test_body_text_becomes_escaped_paragraphs_when_there_is_no_html() -> None:
    a = _read(superdesk_push(body_html=None, body_text="One <two>.\n\nThree & four."))
    assert a.body_html == "<p>One &lt;two&gt;.</p><p>Three &amp; four.</p>"


def test_the_byline_is_read_only_without_authors() -> None:
    a = _read(superdesk_push(authors=None, byline="Reporting by Vivyan Fatah in Erbil"))
    assert [(c.role, c.name, c.location) for c in a.credits] == [
        ("reporting", "Vivyan Fatah", "Erbil")
    ]
    assert a.credit_line == "Reporting by Vivyan Fatah in Erbil"


def test_rights_and_embargo() -> None:
    a = _read(
        superdesk_push(
            copyrightholder="Rudaw",
            copyrightnotice="(c) Rudaw 2026",
            embargoed="2026-05-02T06:00:00+00:00",
        )
    )
    assert a.rights is not None and (a.rights.holder, a.rights.notice) == (
        "Rudaw",
        "(c) Rudaw 2026",
    )
    assert a.embargo_until is not None and a.embargo_until.hour == 6


def test_a_body_that_is_not_an_object_is_one_error() -> None:
    decoded = Decoded(Format.SUPERDESK, json.loads("[1, 2]"))
    with pytest.raises(ArticleInvalid) as caught:
        read(decoded)
    assert [e.field for e in caught.value.errors] == ["$"]


def test_an_author_without_a_role_is_the_reporter_and_a_nameless_one_is_named() -> None:
    authors = [{"code": "1", "name": "Vivyan Fatah", "role": "", "biography": ""}]
    assert [(c.role, c.name) for c in _read(superdesk_push(authors=authors)).credits] == [
        ("reporting", "Vivyan Fatah")
    ]
    authors = [{"code": "1", "name": "", "role": "writer", "biography": ""}]
    assert "authors[0].name" in _fields(superdesk_push(authors=authors))


def test_too_many_tags_names_the_list_they_came_from() -> None:
    errors = _fields(superdesk_push(subject=None, keywords=[f"tag {i}" for i in range(101)]))
    assert errors == {"keywords": "has 101 entries; the limit is 100"}
