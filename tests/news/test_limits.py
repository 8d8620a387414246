"""Input limits at parse time: dates feeds can write, list counts, odd field names.

Each case here was accepted (or a 500) before issue 9: a date that overflowed when turned
into UTC, 4,000 targets, a lone surrogate in a key. Each must now be one FieldError naming
the field and the limit.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from syndicate.errors import ArticleInvalid
from syndicate.news.article import parse_article, parse_article_json
from syndicate.news.limits import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_CREDITS,
    MAX_MEDIA,
    MAX_TAGS,
    MAX_TARGETS,
)

from refusals import MINIMAL, refusals

BASE: dict[str, Any] = MINIMAL
_errors = refusals


@pytest.mark.parametrize(
    ("field", "stamp"),
    [
        ("updated_at", "9999-12-31T23:30:00-01:00"),  # year 10000 in UTC: overflowed
        ("embargo_until", "0001-01-01T00:30:00+01:00"),  # year 0 in UTC
        ("published_at", "0001-01-01T00:00:00Z"),
        ("published_at", "9999-12-31T23:59:59Z"),
        ("published_at", "1899-12-31T23:59:59Z"),
        ("embargo_until", "2200-01-01T00:00:00Z"),
        ("updated_at", "1900-01-01T00:30:00+01:00"),  # 1899 in UTC
    ],
)
def test_a_date_outside_the_accepted_range_names_its_field(field: str, stamp: str) -> None:
    message = _errors(**{field: stamp})[field]
    assert f"{EARLIEST_DATE.year} to {LATEST_DATE.year - 1}" in message


@pytest.mark.parametrize("stamp", ["1900-01-01T00:00:00Z", "2199-12-31T23:59:59Z"])
def test_the_ends_of_the_date_range_are_accepted(stamp: str) -> None:
    article = parse_article({**BASE, "published_at": stamp, "embargo_until": stamp})
    assert article.embargo_until == article.published_at


@pytest.mark.parametrize(
    ("field", "most", "element"),
    [
        ("tags", MAX_TAGS, "t"),
        ("credits", MAX_CREDITS, {"role": "reporting", "name": "Hana Aziz"}),
        ("media", MAX_MEDIA, {"type": "image"}),
    ],
)
def test_a_list_over_its_limit_is_one_error_naming_the_limit(
    field: str, most: int, element: Any
) -> None:
    values = [f"{element}{i}" if isinstance(element, str) else element for i in range(most)]
    assert len(getattr(parse_article({**BASE, field: values}), field)) == most
    errors = _errors(**{field: [*values, element]})
    assert errors == {field: f"has {most + 1} entries; the limit is {most}"}


def test_thousands_of_targets_are_refused_before_any_store_sees_them() -> None:
    errors = _errors(targets=[f"ar-x{i}" for i in range(4000)])
    assert errors == {"targets": f"has 4000 entries; the limit is {MAX_TARGETS}"}


def test_a_lone_surrogate_in_a_field_name_is_reported_readably() -> None:
    with pytest.raises(ArticleInvalid) as caught:
        parse_article_json(json.dumps({**BASE, "head\ud800line": "x"}))
    (error,) = caught.value.errors
    assert error.field == '$["head\\ud800line"]'
    json.dumps(error.to_dict(), ensure_ascii=False).encode("utf-8")  # an answer can carry it


def test_a_huge_unknown_field_name_is_cut_short_in_the_path() -> None:
    (field,) = _errors(**{"k" * 10_000: 1})
    assert len(field) < 100 and field.endswith('..."]')


def test_a_stored_record_is_read_back_without_the_content_rules() -> None:
    """A record stored under older rules stays readable: render isolation judges it, and
    one unreadable record would fail every read of its language."""
    record = {
        **BASE,
        "updated_at": "9999-12-31T23:30:00-01:00",
        "headline": "Hi <img src=x onerror=alert(1)//",
        "tags": [f"t{i}\u202e" for i in range(MAX_TAGS + 1)],
    }
    assert set(_errors(**record)) == {"updated_at", "headline", "tags"}
    article = parse_article(record, stored=True)
    assert article.updated_at is not None and article.updated_at.year == 9999
    assert len(article.tags) == MAX_TAGS + 1
