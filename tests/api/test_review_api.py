"""The review desk's JSON API (issue 18) over the ASGI app on a real redis-server: editor
and operator tokens, languages, the queue, segments with placeholders, 422 naming the
segment and the tag, approve, reject, retranslate, 409 when a newer version arrived."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis

from syndicate.desk.access import new_editor_token, token_digest
from syndicate.news.article import parse_article
from syndicate.news.states import LanguageState
from syndicate.store import articles, editors, ops
from syndicate.store import review as store_review
from syndicate.translation.glossary import parse_glossary
from syndicate.translation.stage import draft_translation
from syndicate.worker import holding, intake

from api_support import TOKEN, TestClient, api_app, api_settings
from redis_servers import RedisServer
from stub_translators import upper

NOW = datetime.now(UTC)
BODY = "<p>Rudaw said <a href='/x'>the <b>mayor</b></a> left at <time>12:30</time>.</p>"


def _held(redis: Redis, article_id: str, version: int = 1, lang: str = "ckb", age: int = 0) -> None:
    data = {
        "id": article_id,
        "version": version,
        "language": "en",
        "published_at": "2026-05-01T10:00:00Z",
        "headline": f"Floods {article_id}",
        "body_html": BODY,
    }
    article = parse_article(data)
    intake.accept(redis, article, [lang], NOW)
    draft = draft_translation(article, lang, upper, (), parse_glossary({"keep": ["Rudaw"]}))
    holding.hold(redis, draft, NOW - timedelta(minutes=age))


def _editor(redis: Redis, name: str, langs: tuple[str, ...]) -> dict[str, str]:
    token = new_editor_token()
    editors.add_editor(redis, editors.Editor(name, token_digest(token), langs, NOW))
    return {"Authorization": f"Bearer {token}"}


OPERATOR = {"Authorization": f"Bearer {TOKEN}"}


def _segment(api: TestClient, auth: dict[str, str], article_id: str) -> dict[str, Any]:
    answer = api.get(f"/v1/review/{article_id}/ckb", headers=auth)
    assert answer.status_code == 200, answer.text
    return next(s for s in answer.json()["segments"] if "<1>" in s["translation"])


def test_tokens_and_languages_decide_who_reviews(api: TestClient, redis: Redis) -> None:
    _held(redis, "a1")
    sorani = _editor(redis, "dilan", ("ckb", "kmr"))
    arabic = _editor(redis, "omar", ("ar",))
    assert api.get("/v1/review?lang=ckb").status_code == 401
    assert (
        api.get("/v1/review?lang=ckb", headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    assert api.get("/v1/review?lang=ckb", headers=arabic).status_code == 403
    assert api.get("/v1/review/a1/ckb", headers=arabic).status_code == 403
    assert api.post("/v1/review/a1/ckb/approve", headers=arabic).status_code == 403
    assert api.get("/v1/review", headers=arabic).json() == {"items": []}
    for auth in (sorani, OPERATOR):
        assert [i["id"] for i in api.get("/v1/review?lang=ckb", headers=auth).json()["items"]] == [
            "a1"
        ]


def test_the_queue_is_oldest_first_with_what_an_editor_needs(api: TestClient, redis: Redis) -> None:
    _held(redis, "new", age=1)
    _held(redis, "old", age=30)
    items = api.get("/v1/review?lang=ckb", headers=OPERATOR).json()["items"]
    assert [i["id"] for i in items] == ["old", "new"]
    assert {"id", "version", "lang", "headline", "flags", "held_since"} <= items[0].keys()
    assert items[0]["headline"] == "FLOODS OLD" and items[0]["version"] == 1


def test_segments_carry_placeholders_flags_and_confidences(api: TestClient, redis: Redis) -> None:
    _held(redis, "a1")
    held = api.get("/v1/review/a1/ckb", headers=OPERATOR).json()
    assert held["version"] == 1 and held["dir"] == "rtl"
    assert [s["n"] for s in held["segments"]] == list(range(len(held["segments"])))
    body = _segment(api, OPERATOR, "a1")
    assert body["source"] == "Rudaw said <1>the <2>mayor</2></1> left at <3>12:30</3>."
    assert body["translation"] == "Rudaw SAID <1>THE <2>MAYOR</2></1> LEFT AT <3>12:30</3>."
    assert {"flags", "confidences", "edited", "origin"} <= body.keys()
    assert body["edited"] is False and [c["tag"] for c in body["confidences"]] == [1, 2]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda t: t.replace("</1>", ""), "tag </1> is missing"),
        (lambda t: t + " <2>x</2>", "tag <2> is doubled"),
        (lambda t: t.replace("<1>THE <2>MAYOR</2></1>", "<1>THE <2>MAYOR</1></2>"), "badly nested"),
        (lambda t: t.replace("12:30", "12:31"), "tag <3> holds protected text '12:30'"),
        (lambda t: t.replace("Rudaw", "Rûdaw"), "protected text 'Rudaw' was changed"),
    ],
)
def test_a_broken_edit_is_422_naming_the_segment_and_the_tag(
    api: TestClient, redis: Redis, change: Any, named: str
) -> None:
    _held(redis, "a1")
    segment = _segment(api, OPERATOR, "a1")
    path = f"/v1/review/a1/ckb/segments/{segment['n']}"
    answer = api.put(path, json={"translation": change(segment["translation"])}, headers=OPERATOR)
    assert answer.status_code == 422, answer.text
    messages = [e["message"] for e in answer.json()["errors"]]
    assert any(named in m and f"segment {segment['n']}" in m for m in messages), messages


def test_edit_then_approve_publishes_the_edit(api: TestClient, redis: Redis) -> None:
    _held(redis, "a1")
    auth = _editor(redis, "dilan", ("ckb",))
    segment = _segment(api, auth, "a1")
    moved = "<1><2>MAYOR</2> THE</1> LEFT, SAID Rudaw, AT <3>12:30</3>."
    path = f"/v1/review/a1/ckb/segments/{segment['n']}"
    edited = api.put(path, json={"translation": moved, "version": 1}, headers=auth)
    assert edited.status_code == 200, edited.text
    assert edited.json()["translation"] == moved and edited.json()["edited_by"] == "dilan"
    approved = api.post("/v1/review/a1/ckb/approve", json={"version": 1}, headers=auth)
    assert approved.status_code == 200, approved.text
    item = articles.get_item(redis, "a1", "ckb")
    assert item is not None
    assert (
        '<a href="/x"><b>MAYOR</b> THE</a> LEFT, SAID Rudaw, AT <time>12:30</time>.'
        in item.article.body_html
    )
    assert item.article.translation is not None and item.article.translation.review is not None
    assert api.get("/v1/review/a1/ckb", headers=auth).status_code == 404
    assert api.post("/v1/review/a1/ckb/approve", headers=auth).status_code == 404


def test_a_newer_version_gets_409_on_approve(api: TestClient, redis: Redis) -> None:
    _held(redis, "a1")
    article = articles.get_article(redis, "a1").article

    intake.accept(redis, replace(article, version=2), ["ckb"], NOW)
    answer = api.post("/v1/review/a1/ckb/approve", headers=OPERATOR)
    assert answer.status_code == 409 and answer.json()["version"] == 2
    assert articles.get_item(redis, "a1", "ckb") is None


@pytest.fixture
def sorani_api(redis: Redis, redis_server: RedisServer) -> Iterator[TestClient]:
    """The API of a service that translates into Sorani (retranslate's checks want it)."""
    settings = api_settings(redis_server.url, default_targets=("ar", "tr", "ckb"))
    with TestClient(api_app(settings)) as client:
        yield client


def test_reject_publishes_nothing_and_retranslate_queues(
    sorani_api: TestClient, redis: Redis
) -> None:
    api = sorani_api
    _held(redis, "a1")
    assert api.post("/v1/review/a1/ckb/reject", json={}, headers=OPERATOR).status_code == 422
    rejected = api.post(
        "/v1/review/a1/ckb/reject", json={"reason": "names wrong"}, headers=OPERATOR
    )
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    status = articles.get_status(redis, "a1")[1]["ckb"]
    assert (status.state, status.reason) == (LanguageState.REJECTED, "names wrong")
    assert articles.get_item(redis, "a1", "ckb") is None
    assert api.get("/v1/review?lang=ckb", headers=OPERATOR).json() == {"items": []}
    again = api.post("/v1/review/a1/ckb/retranslate", headers=OPERATOR)
    assert again.status_code == 202 and again.json()["state"] == "queued"
    assert articles.get_status(redis, "a1")[1]["ckb"].state is LanguageState.QUEUED
    log = [e["action"] for e in store_review.read_log(redis, "a1", "ckb")]
    assert log == ["held", "rejected", "retranslated"]


def test_the_article_status_shows_in_review(api: TestClient, redis: Redis) -> None:
    _held(redis, "a1")
    status = api.get("/v1/articles/a1", headers=OPERATOR).json()
    assert status["languages"]["ckb"]["state"] == "in_review"


def test_metrics_show_the_held_queue_and_the_memory_hit_rate(api: TestClient, redis: Redis) -> None:
    _held(redis, "new", age=1)
    _held(redis, "old", age=30)
    ops.count(redis, "syndicate_tm_lookups_total", {"lang": "ckb"}, 10)
    ops.count(redis, "syndicate_tm_hits_total", {"lang": "ckb", "origin": "human"}, 4)
    ops.count(redis, "syndicate_tm_hits_total", {"lang": "ckb", "origin": "machine"}, 1)
    text = api.get("/metrics", headers=OPERATOR).text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("syndicate_review_held", (("lang", "ckb"),))] == 2
    assert 29 * 60 < samples[("syndicate_review_oldest_seconds", (("lang", "ckb"),))] < 40 * 60
    human = (("lang", "ckb"), ("origin", "human"))
    assert samples[("syndicate_tm_hits_total", human)] == 4
    assert samples[("syndicate_tm_hit_ratio", human)] == pytest.approx(0.4)
    assert samples[
        ("syndicate_tm_hit_ratio", (("lang", "ckb"), ("origin", "machine")))
    ] == pytest.approx(0.1)
