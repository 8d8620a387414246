"""Fuzzing the webhook (issue 9): hostile articles through the real ASGI app and Redis.

Never a 5xx; a 422 names a field and a reason and stores nothing; a 202 is an article that
every format can render, source and translation. The budget is small (``max_examples``)
so the suite stays fast; a failure prints the payload that broke it.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis import Redis

from syndicate.errors import NoSuchArticle
from syndicate.store import articles

from api_support import TestClient, post
from article_strategies import articles as article_payloads
from article_strategies import payload
from render_check import render_everything

_IDS = itertools.count()
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _stored(redis: Redis, article_id: str) -> bool:
    try:
        articles.get_article(redis, article_id)
    except NoSuchArticle:
        return False
    return True


@FUZZ
@given(data=st.data())
def test_no_article_gets_a_5xx_and_every_accepted_one_renders(
    api: TestClient, redis: Redis, data: st.DataObject
) -> None:
    article_id = f"fuzz-{next(_IDS)}"
    body = payload(data.draw(article_payloads(article_id)))
    answer = post(api, body)
    assert answer.status_code in (202, 422), answer.text
    if answer.status_code == 422:
        errors = answer.json()["errors"]
        assert errors and all(e["field"] and e["message"] for e in errors)
        assert not _stored(redis, article_id)
    else:
        render_everything(articles.get_article(redis, article_id).article)
