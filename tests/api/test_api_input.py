"""Issue 9's poison list through the real ASGI app: every one a 4xx naming the field, with
nothing stored, or a 202 for an article every format can render."""

from __future__ import annotations

import json
from typing import Any

import pytest
from redis import Redis

from syndicate.news.limits import MAX_DEPTH, MAX_TARGETS
from syndicate.store import articles

from api_support import TestClient, article_data, nothing_stored, post
from render_check import render_everything

POISON = [
    pytest.param({"updated_at": "9999-12-31T23:30:00-01:00"}, "updated_at", id="year-10000"),
    pytest.param({"embargo_until": "0001-01-01T00:30:00+01:00"}, "embargo_until", id="year-0"),
    pytest.param({"published_at": "0001-01-01T00:00:00Z"}, "published_at", id="year-1"),
    pytest.param({"published_at": "9999-12-31T00:00:00Z"}, "published_at", id="year-9999"),
    pytest.param({"headline": "Hi <img src=x onerror=alert(1)//"}, "headline", id="unclosed"),
    pytest.param({"tags": ["Erbil\u202e"]}, "tags[0]", id="bidi-tag"),
    pytest.param({"headline": "a\ufffeb"}, "headline", id="non-character"),
    pytest.param({"targets": [f"ar-x{i}" for i in range(3999)]}, "targets", id="targets"),
    pytest.param(
        {"body_html": "<div>" * 300 + "x" + "</div>" * 300 + "<p>lost</p>"},
        "body_html",
        id="nested-300",
    ),
]


@pytest.mark.parametrize(("changes", "field"), POISON)
def test_poison_is_a_422_naming_the_field_and_stores_nothing(
    api: TestClient, redis: Redis, changes: dict[str, Any], field: str
) -> None:
    answer = post(api, article_data(**changes))
    assert answer.status_code == 422, answer.text
    assert field in {e["field"] for e in answer.json()["errors"]}
    assert nothing_stored(redis)


def test_a_lone_surrogate_in_a_field_name_is_a_422_not_a_500(api: TestClient, redis: Redis) -> None:
    body = json.dumps(article_data()).encode()[:-1] + b', "\\ud800": 1}'
    answer = post(api, body)
    assert answer.status_code == 422
    assert {"field": '$["\\ud800"]', "message": "unknown field"} in answer.json()["errors"]
    assert nothing_stored(redis)


def test_the_limits_are_named_in_the_answer(api: TestClient) -> None:
    errors = post(api, article_data(targets=["tr"] * (MAX_TARGETS + 1))).json()["errors"]
    assert errors == [
        {
            "field": "targets",
            "message": f"has {MAX_TARGETS + 1} entries; the limit is {MAX_TARGETS}",
        }
    ]
    deep = "<b>" * (MAX_DEPTH + 1) + "x"
    (error,) = post(api, article_data(body_html=deep)).json()["errors"]
    assert error["field"] == "body_html" and str(MAX_DEPTH) in error["message"]


@pytest.mark.parametrize(
    "body",
    [
        "<p>a&#xFFFE;b&#xFFFF;c&#0;d&#1;</p>",
        '<p>a</p><iframe src="https://x"/><video/><a id=x/><p>b</p>',
        "<p>" + "<b>" * (MAX_DEPTH - 1) + "deep</p><p>after</p>",
    ],
)
def test_a_body_that_is_accepted_renders_in_every_format(
    api: TestClient, redis: Redis, body: str
) -> None:
    assert post(api, article_data(body_html=body)).status_code == 202
    render_everything(articles.get_article(redis, "api-erbil-1").article)
