"""Properties of article parsing: any JSON value, garbage fields or bytes give an article or
ArticleInvalid (never another exception), and the JSON form round-trips any article."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.errors import ArticleInvalid
from syndicate.news.article import (
    Article,
    ArticleStatus,
    Media,
    MediaType,
    ModelInfo,
    Rights,
    SegmentFlag,
    Translation,
    parse_article,
    parse_article_json,
)
from syndicate.news.article_json import article_to_dict
from syndicate.news.credits import Credit, format_credit_line
from syndicate.news.roles import ROLES

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"
SAMPLE = SAMPLES / "rudaw-isis-final-moments.json"


def _sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE.read_text())
    return data


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


_TRANSLATIONS = st.none() | st.builds(
    Translation,
    st.just("en"),
    st.integers(1, 99),
    st.lists(st.builds(ModelInfo, _PLAIN, _PLAIN, _PLAIN, st.booleans()), max_size=2).map(tuple),
    st.lists(st.builds(SegmentFlag, st.integers(0, 50), _PLAIN, _FLAG_TEXT), max_size=8).map(tuple),
)


@st.composite
def _articles(draw: st.DrawFn) -> Article:
    credits = draw(_CREDITS)
    with_line: bool = draw(st.booleans())
    line = format_credit_line(credits[:2], "en") if credits and with_line else None
    status = draw(st.sampled_from(ArticleStatus))
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
        translation=draw(_TRANSLATIONS),
    )


@settings(max_examples=150, deadline=None)
@given(_articles())
def test_article_to_dict_then_parse_article_is_the_same_article(article: Article) -> None:
    data = json.loads(json.dumps(article_to_dict(article)))
    assert parse_article(data, allow_translation=True) == article
