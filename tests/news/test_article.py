"""Parsing articles: every rule of brief section 2, all errors at once, and round trips."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from syndicate.errors import ArticleInvalid
from syndicate.news.article import (
    MAX_PAYLOAD_BYTES,
    ArticleStatus,
    Media,
    MediaType,
    Rights,
    Translation,
    parse_article,
    parse_article_json,
)
from syndicate.news.article_json import article_to_dict
from syndicate.news.credits import Credit

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"
DATA = Path(__file__).resolve().parents[1] / "data"


def _sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / "rudaw-isis-final-moments.json").read_text())
    return data


def _errors(data: Any, **options: bool) -> dict[str, str]:
    with pytest.raises(ArticleInvalid) as caught:
        parse_article(data, **options)
    return {e.field: e.message for e in caught.value.errors}


def _with(**changes: Any) -> dict[str, Any]:
    data = _sample()
    data.update(changes)
    return data


def test_the_rudaw_sample_parses_with_credits_from_its_credit_line() -> None:
    article = parse_article_json((SAMPLES / "rudaw-isis-final-moments.json").read_bytes())
    assert article.id == "rudaw-20022019-isis-final-moments"
    assert article.published_at == datetime(2019, 2, 20, tzinfo=UTC)
    assert article.status is ArticleStatus.PUBLISHED
    assert article.headline == "The final moments of the ISIS \u2018caliphate\u2019"
    assert article.tags[:3] == ("SDF", "YPG", "ISIS")
    assert article.rights == Rights("Rudaw")
    assert article.targets is None
    assert article.credits == (
        Credit("reporting", "Vivyan Fatah", "Syria"),
        Credit("production", "Ayub Nuri"),
        Credit("video_editing", "Masoud Mustafa"),
    )


def test_explicit_credits_come_first_and_the_credit_line_adds_only_new_people() -> None:
    data = _with(credits=[{"role": "Reporter", "name": " Vivyan Fatah ", "location": "Syria"}])
    credits = parse_article(data).credits
    assert credits[0] == Credit("reporting", "Vivyan Fatah", "Syria")
    assert [c.name for c in credits] == ["Vivyan Fatah", "Ayub Nuri", "Masoud Mustafa"]


def test_an_unknown_credit_role_is_kept_as_written_but_stripped() -> None:
    credits = parse_article(_with(credits=[{"role": " Fixer ", "name": "Ali"}])).credits
    assert credits[0] == Credit("Fixer", "Ali")


def test_the_test_data_article_parses_every_optional_field() -> None:
    article = parse_article_json((DATA / "erbil-floods.json").read_text("utf-8"))
    assert article.published_at.utcoffset() == timedelta(hours=3)
    assert article.targets == ("ar", "tr", "ckb", "kmr")
    assert article.media[1] == Media(
        MediaType.VIDEO,
        "https://www.youtube.com/watch?v=abc123",
        "Rescue teams at work",
        "Rudaw TV",
    )
    assert [c.role for c in article.credits] == ["reporting", "photography", "writing", "editing"]


@pytest.mark.parametrize(
    "path", [SAMPLES / "rudaw-isis-final-moments.json", DATA / "erbil-floods.json"]
)
def test_samples_round_trip_through_article_to_dict(path: Path) -> None:
    article = parse_article_json(path.read_bytes())
    assert parse_article(article_to_dict(article)) == article


def test_every_broken_rule_is_reported_at_once_with_its_path() -> None:
    data = _with(
        id="-bad id",
        version=0,
        language="english!",
        headline="",
        url="ftp://example.org/x",
        tags=["ok", 3, ""],
        credits=[{"role": "reporting", "name": "A"}, {"role": "editing"}, "Jane"],
        media=[{"type": "pdf", "url": "javascript:alert(1)"}],
        rights={"notice": "x"},
        targets=["ar", "ar", "en"],
    )
    errors = _errors(data)
    assert set(errors) == {
        "id",
        "version",
        "language",
        "headline",
        "url",
        "tags[1]",
        "tags[2]",
        "credits[1].name",
        "credits[2]",
        "media[0].type",
        "media[0].url",
        "rights.holder",
        "targets[1]",
    }


def test_the_own_language_as_a_target_is_refused() -> None:
    assert "own language" in _errors(_with(targets=["ar", "en-GB"]))["targets[1]"]


@pytest.mark.parametrize("field", ["id", "version", "language", "published_at", "headline"])
def test_required_fields_are_required(field: str) -> None:
    data = _sample()
    del data[field]
    assert _errors(data) == {field: "is required"}


def test_body_is_required_when_published_but_not_when_withdrawn() -> None:
    data = _sample()
    del data["body_html"]
    assert _errors(data) == {"body_html": "is required"}
    withdrawn = parse_article({**data, "status": "withdrawn"})
    assert withdrawn.status is ArticleStatus.WITHDRAWN
    assert withdrawn.body_html == ""


def test_status_defaults_to_published_and_rejects_other_words() -> None:
    data = _sample()
    del data["status"]
    assert parse_article(data).status is ArticleStatus.PUBLISHED
    assert "published, withdrawn" in _errors(_with(status="killed"))["status"]


@pytest.mark.parametrize(
    "bad_id",
    ["", "-starts-with-dash", "has space", "a" * 129, "slash/inside", "new\nline", "é"],
)
def test_ids_outside_the_pattern_are_refused(bad_id: str) -> None:
    assert "id" in _errors(_with(id=bad_id))


@pytest.mark.parametrize("good_id", ["a", "A" * 128, "rudaw:2019.02_20-x"])
def test_ids_inside_the_pattern_are_accepted(good_id: str) -> None:
    assert parse_article(_with(id=good_id)).id == good_id


@pytest.mark.parametrize("version", [0, -1, True, 1.0, "1", 2**63])
def test_version_must_be_a_positive_integer(version: Any) -> None:
    assert "version" in _errors(_with(version=version))


@pytest.mark.parametrize(
    "stamp",
    [
        "2019-02-20T00:00:00",
        "2019-02-20",
        "20 Feb 2019",
        "2019-02-30T00:00:00Z",
        "2019-02-20T00:00:00+0300",
    ],
)
def test_published_at_must_be_rfc3339_with_an_offset(stamp: str) -> None:
    assert "RFC 3339" in _errors(_with(published_at=stamp))["published_at"]


def test_rfc3339_variants_give_aware_datetimes() -> None:
    article = parse_article(
        _with(
            published_at="2019-02-20t09:30:00.123456789z",
            updated_at="2019-02-20 12:30:00-05:30",
            embargo_until="2019-02-21T00:00:00+03:00",
        )
    )
    assert article.published_at == datetime(2019, 2, 20, 9, 30, 0, 123456, tzinfo=UTC)
    assert article.updated_at is not None
    assert article.updated_at.utcoffset() == -timedelta(hours=5, minutes=30)
    assert article.embargo_until == datetime(2019, 2, 20, 21, tzinfo=UTC)


@pytest.mark.parametrize(
    "headline",
    ["", "   ", "a" * 501, "<b>Breaking</b> news", "Tom &amp; Jerry", "tab\x07bell", 42, None],
)
def test_headline_must_be_plain_text_of_1_to_500_characters(headline: Any) -> None:
    assert "headline" in _errors(_with(headline=headline))


def test_a_500_character_headline_with_symbols_is_accepted() -> None:
    headline = "A < B & C > D " + "x" * 486
    assert parse_article(_with(headline=headline)).headline == headline


@pytest.mark.parametrize(
    "url",
    ["https://www.rudaw.net/english/x?id=1#top", "http://[::1]:8080/", "HTTP://example.org"],
)
def test_http_urls_with_a_host_are_accepted(url: str) -> None:
    assert parse_article(_with(url=url)).url == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org",
        "https://",
        "https:///path",
        "//example.org",
        "https://a b.org",
        "rudaw.net",
    ],
)
def test_other_urls_are_refused(url: str) -> None:
    assert "url" in _errors(_with(url=url))


def test_unknown_fields_are_refused_everywhere_with_a_suggestion() -> None:
    errors = _errors(
        _with(
            headlne="x",
            credits=[{"role": "reporting", "name": "A", "place": "Erbil"}],
            media=[{"type": "image", "alt": "x"}],
            rights={"holder": "Rudaw", "licence": "x"},
        )
    )
    assert errors["headlne"] == "unknown field (did you mean 'headline'?)"
    assert errors["credits[0].place"].startswith("unknown field")
    assert errors["media[0].alt"].startswith("unknown field")
    assert errors["rights.licence"].startswith("unknown field")


def test_null_optional_fields_count_as_absent() -> None:
    article = parse_article(_with(summary=None, tags=None, rights=None, targets=None, url=""))
    assert (article.summary, article.tags, article.rights, article.targets) == (
        None,
        (),
        None,
        None,
    )
    assert article.url is None


@pytest.mark.parametrize("value", [None, [], "article", 3, True])
def test_a_payload_that_is_not_an_object_is_one_error_on_the_root(value: Any) -> None:
    assert list(_errors(value)) == ["$"]


def test_wrong_container_types_are_reported_not_raised() -> None:
    errors = _errors(_with(tags="SDF", credits={"role": "x"}, media=[None], rights=["Rudaw"]))
    assert errors["tags"] == "must be a list, not a string"
    assert errors["credits"] == "must be a list, not an object"
    assert errors["media[0]"] == "must be an object, not null"
    assert errors["rights"] == "must be an object, not a list"


def test_lone_surrogates_and_nul_are_refused_even_in_the_body() -> None:
    errors = _errors(_with(body_html="<p>\x00</p>", summary="bad \ud800 text"))
    assert set(errors) == {"body_html", "summary"}


def test_translation_is_refused_unless_allowed() -> None:
    block = {"source_language": "en", "source_version": 1, "models": [], "flags": []}
    assert _errors(_with(translation=block))["translation"].startswith("unknown field")
    article = parse_article(_with(translation=block), allow_translation=True)
    assert article.translation == Translation("en", 1, ())


def test_a_translation_block_is_checked_like_the_rest() -> None:
    block = {
        "source_language": "en",
        "source_version": 0,
        "models": [{"pair": "en-ar", "code": "translate-en_ar", "version": "1", "demo": "yes"}],
        "flags": [{"segment": -1, "reason": "empty", "text": "", "extra": 1}],
    }
    errors = _errors(_with(translation=block), allow_translation=True)
    assert set(errors) == {
        "translation.source_version",
        "translation.models[0].demo",
        "translation.flags[0].segment",
        "translation.flags[0].extra",
    }


def test_a_translation_reads_back_whatever_text_its_model_wrote() -> None:
    block = {"source_language": "en", "source_version": 1, "models": []}
    data = _with(language="tr", headline="<I", translation=block)
    assert parse_article(data, allow_translation=True).headline == "<I"
    assert set(_errors({**data, "translation": None}, allow_translation=True)) == {"headline"}


def test_a_translated_credit_line_is_not_parsed_back() -> None:
    data = _with(
        language="ar",
        credit_line="تقرير: Hana Aziz",
        credits=[],
        translation={"source_language": "en", "source_version": 1, "models": []},
    )
    assert parse_article(data, allow_translation=True).credits == ()
    assert parse_article({**data, "translation": None}, allow_translation=True).credits


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(ArticleInvalid) as caught:
        parse_article_json(b'{\n  "id": "x",\n  "version": }')
    [error] = caught.value.errors
    assert error.field == "$"
    assert "line 3, column 14" in error.message


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"id": "a", "id": "b"}', "twice"),
        (b'{"version": NaN}', "NaN"),
        (b'{"version": ' + b"9" * 5000 + b"}", "digits"),
        (b"[" * 100_000, "nested"),
        (b"", "line 1, column 1"),
    ],
)
def test_undecodable_payloads_are_one_root_error(raw: bytes, words: str) -> None:
    with pytest.raises(ArticleInvalid) as caught:
        parse_article_json(raw)
    [error] = caught.value.errors
    assert error.field == "$"
    assert words in error.message


def test_a_utf8_byte_order_mark_is_tolerated() -> None:
    raw = "\ufeff".encode() + (SAMPLES / "rudaw-isis-final-moments.json").read_bytes()
    assert parse_article_json(raw).id == "rudaw-20022019-isis-final-moments"


def test_payloads_over_two_megabytes_are_refused_before_parsing() -> None:
    raw = json.dumps(_with(body_html="<p>" + "x" * MAX_PAYLOAD_BYTES + "</p>"))
    with pytest.raises(ArticleInvalid) as caught:
        parse_article_json(raw)
    assert [e.field for e in caught.value.errors] == ["$"]
    assert str(MAX_PAYLOAD_BYTES) in caught.value.errors[0].message


def test_parsing_does_not_change_its_input() -> None:
    data = _sample()
    before = copy.deepcopy(data)
    parse_article(data)
    assert data == before


@pytest.mark.parametrize(
    "body",
    [
        "<!DOCTYPE html><p>x</p>",
        '<!ENTITY xxe SYSTEM "file:///etc/passwd"><p>&xxe;</p>',
        "<p>x</p><! doctype html>",
    ],
)
def test_a_body_with_markup_declarations_is_refused_at_ingest(body: str) -> None:
    assert "declarations" in _errors(_with(body_html=body))["body_html"]
