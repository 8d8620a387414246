"""Parsing articles: every rule of brief section 2, all errors at once, and round trips."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.errors import ArticleInvalid
from syndicate.news.article import (
    MAX_PAYLOAD_BYTES,
    Article,
    ArticleStatus,
    Credit,
    Media,
    MediaType,
    ModelInfo,
    Rights,
    SegmentFlag,
    Translation,
    article_to_dict,
    parse_article,
    parse_article_json,
)
from syndicate.news.credits import format_credit_line
from syndicate.news.roles import ROLES

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


# --- properties --------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
_KEYS = sorted(article_to_dict(parse_article(_sample())))
_FIELD_SOUP = st.dictionaries(
    st.sampled_from([*_KEYS, "credits", "media", "rights", "targets", "translation"]),
    _JSON | st.sampled_from([[{"role": "x", "name": 1}], [{"type": "image"}], ["ar"], {}]),
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_any_json_value_gives_an_article_or_article_invalid(value: Any) -> None:
    try:
        parse_article(value, allow_translation=True)
    except ArticleInvalid as exc:
        assert exc.errors
        assert all(e.field and e.message for e in exc.errors)


@settings(max_examples=300, deadline=None)
@given(_FIELD_SOUP)
def test_a_sample_with_garbage_fields_gives_an_article_or_article_invalid(
    garbage: dict[str, Any],
) -> None:
    try:
        parse_article({**_sample(), **garbage}, allow_translation=True)
    except ArticleInvalid as exc:
        assert {e.field.split("[")[0].split(".")[0] for e in exc.errors} <= {*garbage, "$"} | set(
            _sample()
        )


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes_give_an_article_or_article_invalid(raw: bytes) -> None:
    try:
        parse_article_json(raw)
    except ArticleInvalid as exc:
        assert exc.errors


_PLAIN = st.text(
    st.characters(categories=("L", "N", "Zs"), include_characters=".,'\u2019-?!«»"),
    min_size=1,
    max_size=60,
).filter(str.strip)
_NAME = st.lists(st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True), min_size=1, max_size=3).map(
    " ".join
)
_FLAG_TEXT = st.text(
    st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=9
)
_STAMPS = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=3)), timezone(timedelta(hours=-5))]),
)
_CREDITS = st.lists(
    st.builds(Credit, st.sampled_from(sorted(ROLES)), _NAME, st.none() | _PLAIN.map(str.strip)),
    max_size=4,
)


@st.composite
def _articles(draw: st.DrawFn) -> Article:
    credits = draw(_CREDITS)
    with_line: bool = draw(st.booleans())
    line = format_credit_line(credits[:2], "en") if credits and with_line else None
    status = draw(st.sampled_from(ArticleStatus))
    translation = draw(
        st.none()
        | st.builds(
            Translation,
            st.just("en"),
            st.integers(1, 99),
            st.lists(st.builds(ModelInfo, _PLAIN, _PLAIN, _PLAIN, st.booleans()), max_size=2).map(
                tuple
            ),
            st.lists(
                st.builds(SegmentFlag, st.integers(0, 50), _PLAIN, _FLAG_TEXT), max_size=8
            ).map(tuple),
        )
    )
    return Article(
        id=draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,20}", fullmatch=True)),
        version=draw(st.integers(1, 2**40)),
        language="ar",
        published_at=draw(_STAMPS),
        headline=draw(_PLAIN),
        body_html=draw(st.just("") if status is ArticleStatus.WITHDRAWN else st.just("<p>x</p>")),
        status=status,
        updated_at=draw(st.none() | _STAMPS),
        summary=draw(st.none() | _PLAIN),
        url=draw(st.none() | st.just("https://www.rudaw.net/arabic/x")),
        tags=tuple(draw(st.lists(_PLAIN, max_size=4))),
        credits=tuple(credits),
        credit_line=line,
        media=tuple(
            draw(st.lists(st.builds(Media, st.sampled_from(MediaType), st.none(), _PLAIN)))
        ),
        rights=draw(st.none() | st.builds(Rights, _PLAIN, st.none() | _PLAIN)),
        targets=draw(st.none() | st.just(("en", "ckb"))),
        translation=translation,
    )


@settings(max_examples=150, deadline=None)
@given(_articles())
def test_article_to_dict_then_parse_article_is_the_same_article(article: Article) -> None:
    data = json.loads(json.dumps(article_to_dict(article)))
    assert parse_article(data, allow_translation=True) == article


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
