"""The running system end to end: a real redis-server, a real worker and the API under
uvicorn as subprocesses, driven over real HTTP as the CMS and the partners drive it."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from string import ascii_lowercase
from typing import Any

import httpx
import pytest
from lxml import etree
from running_service import OPERATOR_TOKEN, running_service

from syndicate.api.credentials import SIGNATURE_HEADER, sign
from syndicate.store.client import connect

from e2e_processes import wait_for
from redis_servers import RedisServer

TESTS = Path(__file__).resolve().parents[1]
SAMPLE = TESTS.parents[1] / "shared" / "samples" / "rudaw-isis-final-moments.json"
OWN = [TESTS / "data" / "erbil-floods.json", TESTS / "data" / "basra-water.json"]
SECRET = "newsroom-test-secret"
G2 = "{http://iptc.org/std/nar/2006-10-01/}"
MODELLED = {"en": "published", "ar": "published", "tr": "published"}
FINAL = MODELLED | {"ckb": "no_model", "kmr": "no_model"}


@dataclass
class Service:
    base: str
    redis: RedisServer
    partner_key: str
    http: httpx.Client

    def post(self, article: dict[str, Any], **headers: str) -> httpx.Response:
        return self.post_raw(json.dumps(article).encode(), **headers)

    def post_raw(self, body: bytes, **headers: str) -> httpx.Response:
        signed = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, SECRET)}
        return self.http.post(f"{self.base}/v1/articles", content=body, headers=signed | headers)

    def status(self, article_id: str) -> dict[str, Any]:
        auth = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
        answer = self.http.get(f"{self.base}/v1/articles/{article_id}", headers=auth)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def states(self, article_id: str, version: int) -> dict[str, str] | None:
        status = self.status(article_id)
        langs = status["languages"]
        if status["version"] != version or any(s["version"] != version for s in langs.values()):
            return None
        return {lang: s["state"] for lang, s in langs.items()}

    def wait_states(self, article_id: str, version: int, expected: dict[str, str]) -> None:
        wait_for(lambda: self.states(article_id, version) == expected, 90, f"{article_id} done")

    def feed(self, path: str, **headers: str) -> httpx.Response:
        auth = {"Authorization": f"Bearer {self.partner_key}"}
        return self.http.get(f"{self.base}{path}", headers=auth | headers)


@pytest.fixture(scope="module")
def service(
    partial_models_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    directory = tmp_path_factory.mktemp("service")
    langs, formats = ("en", "ar", "tr"), ("rss", "newsml")
    secret = {"SYNDICATE_NEWSROOM_SECRET": SECRET}
    with running_service(directory, partial_models_dir, langs, formats, **secret) as up:
        yield Service(up.base, up.redis, up.partner_key, up.http)


def _load(path: Path, **changes: Any) -> dict[str, Any]:
    article: dict[str, Any] = json.loads(path.read_text("utf-8"))
    article.pop("targets", None)  # the configured targets: ar, tr, ckb, kmr
    return article | changes


def _rss_guids(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [g.text or "" for g in etree.fromstring(answer.content).iter("guid")]


def test_articles_are_published_in_every_language_with_a_model(
    service: Service, newsml_schema: etree.XMLSchema
) -> None:
    articles = [_load(SAMPLE), *(_load(p) for p in OWN)]
    for article in articles:
        answer = service.post(article)
        assert answer.status_code == 202, answer.text
        assert answer.json() == {
            "id": article["id"],
            "version": 1,
            "status": "queued",
            "targets": ["ar", "tr", "ckb", "kmr"],
        }
    for article in articles:
        service.wait_states(article["id"], 1, FINAL)
    ids = {a["id"] for a in articles}
    for lang in ("en", "ar", "tr"):
        guids = _rss_guids(service.feed(f"/v1/feeds/{lang}.rss"))
        assert {g.split(":")[-2] for g in guids} >= ids
        newsml = service.feed(f"/v1/feeds/{lang}.xml")
        newsml_schema.assertValid(etree.fromstring(newsml.content))
        item = service.feed(f"/v1/items/{articles[1]['id']}/{lang}.xml")
        assert item.status_code == 200
        assert etree.fromstring(item.content).get("guid", "").endswith(f":{lang}")


def test_partner_access_is_checked_and_polls_are_conditional(service: Service) -> None:
    service.post(_load(OWN[0]))
    service.wait_states(_load(OWN[0])["id"], 1, FINAL)
    assert service.http.get(f"{service.base}/v1/feeds/ar.rss").status_code == 401
    wrong = {"Authorization": "Bearer syn_not-a-key"}
    assert service.http.get(f"{service.base}/v1/feeds/ar.rss", headers=wrong).status_code == 401
    assert service.feed("/v1/feeds/ckb.rss").status_code == 403  # language not entitled
    assert service.feed("/v1/feeds/ar.json").status_code == 403  # format not entitled
    assert service.feed("/v1/feeds/xx.rss").status_code == 404
    by_query = service.http.get(f"{service.base}/v1/feeds/ar.rss?key={service.partner_key}")
    first = service.feed("/v1/feeds/ar.rss")
    assert by_query.status_code == first.status_code == 200
    assert first.headers["ETag"].startswith('"') and first.headers["Last-Modified"]
    again = service.feed("/v1/feeds/ar.rss", **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_update_keeps_the_guid_and_a_late_older_version_is_refused(service: Service) -> None:
    article = _load(OWN[1], id="e2e-update")
    assert service.post(article).status_code == 202
    service.wait_states("e2e-update", 1, FINAL)
    before = service.feed("/v1/items/e2e-update/ar.xml")
    update = article | {"version": 2, "headline": "Basra families still wait for clean water"}
    assert service.post(update).status_code == 202
    service.wait_states("e2e-update", 2, FINAL)
    after = etree.fromstring(service.feed("/v1/items/e2e-update/ar.xml").content)
    assert after.get("guid") == etree.fromstring(before.content).get("guid")
    assert after.get("version") == "2"
    assert [s.get("qcode") for s in after.iter(f"{G2}signal")] == ["sig:update"]
    assert service.post(update).status_code == 200  # a replay: no new work
    late = service.post(article)
    assert late.status_code == 409 and late.json()["error"]
    assert service.status("e2e-update")["version"] == 2


def test_withdrawal_leaves_rss_and_cancels_newsml_in_every_language(service: Service) -> None:
    article = _load(OWN[0], id="e2e-kill")
    assert service.post(article).status_code == 202
    service.wait_states("e2e-kill", 1, FINAL)
    kill = article | {"version": 2, "status": "withdrawn"}
    del kill["body_html"]
    assert service.post(kill).status_code == 202
    withdrawn = dict.fromkeys(FINAL, "withdrawn")
    service.wait_states("e2e-kill", 2, withdrawn)
    for lang in ("en", "ar", "tr"):
        guid = f"urn:newsml:example.org:20261120:e2e-kill:{lang}"
        wait_for(
            lambda lg=lang, g=guid: g not in _rss_guids(service.feed(f"/v1/feeds/{lg}.rss")),
            30,
            f"the kill to reach the {lang} feed",
        )
        newsml = etree.fromstring(service.feed(f"/v1/feeds/{lang}.xml").content)
        items = [i for i in newsml.iter(f"{G2}newsItem") if i.get("guid") == guid]
        assert [s.get("qcode") for i in items for s in i.iter(f"{G2}pubStatus")] == [
            "stat:canceled"
        ]


def _bad_requests(service: Service) -> list[tuple[str, int, bytes, dict[str, str]]]:
    good = json.dumps(_load(OWN[0], id="e2e-bad")).encode()
    invalid = json.dumps(_load(OWN[0], id="e2e-bad", headline="")).encode()
    json_type = {"Content-Type": "application/json"}

    def signed(body: bytes) -> dict[str, str]:
        return json_type | {SIGNATURE_HEADER: sign(body, SECRET)}

    huge = b'{"id": "e2e-bad", "pad": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    return [
        ("unsigned", 401, good, json_type),
        ("wrong signature", 401, good, json_type | {SIGNATURE_HEADER: sign(good, "other")}),
        ("not JSON", 400, b"{not json", signed(b"{not json")),
        ("text/plain", 415, good, signed(good) | {"Content-Type": "text/plain"}),
        ("too large", 413, huge, signed(huge)),
        ("invalid", 422, invalid, signed(invalid)),
    ]


def test_every_bad_request_gets_its_status_and_stores_nothing(service: Service) -> None:
    for name, status, body, headers in _bad_requests(service):
        answer = service.http.post(f"{service.base}/v1/articles", content=body, headers=headers)
        assert answer.status_code == status, name
        assert answer.headers["content-type"].startswith("application/json"), name
        assert answer.json(), name
    invalid = service.http.post(
        f"{service.base}/v1/articles",
        content=_bad_requests(service)[-1][2],
        headers=_bad_requests(service)[-1][3],
    )
    assert {e["field"] for e in invalid.json()["errors"]} == {"headline"}
    client = connect(service.redis.url)
    try:
        assert client.keys("syn:*e2e-bad*") == []
    finally:
        client.close()
    assert service.http.get(f"{service.base}/healthz").status_code == 200


def _poisons() -> dict[str, bytes]:
    """Issue 9's poison articles, each of which once froze a feed, stuck a language or made
    a 5xx; the bodies are raw so that a lone surrogate can be sent."""

    def article(name: str, **changes: Any) -> dict[str, Any]:
        return _load(OWN[0], id=f"poison-{name}", targets=["ar"]) | changes

    def raw(value: dict[str, Any]) -> bytes:
        return json.dumps(value).encode()

    deep = "<div>" * 300 + "<p>deep</p>" + "</div>" * 300 + "<p>after the depth</p>"
    many = [
        "".join(t) for t in itertools.islice(itertools.product(ascii_lowercase, repeat=3), 4000)
    ]
    surrogate_key = raw(article("surrogate-key"))[:-1] + b', "\\ud800": 1}'
    return {
        "updated_at past 9999": raw(article("late", updated_at="9999-12-31T23:30:00-01:00")),
        "embargo before year 1": raw(article("early", embargo_until="0001-01-01T00:30:00+01:00")),
        "published_at year 1": raw(article("year-1", published_at="0001-01-01T00:00:00+00:30")),
        "published_at 9999": raw(article("year-9999", published_at="9999-12-31T23:59:59-05:00")),
        "non-characters": raw(article("fffe", body_html="<p>a &#xFFFE; b &#xFFFF;</p>")),
        "surrogate in a field name": surrogate_key,
        "nesting 300 deep": raw(article("deep", body_html=deep)),
        "4000 targets": raw(article("targets", targets=many)),
        "unclosed tag in the headline": raw(article("tag", headline="Hi <img src=x onerror=a//")),
        "regional target": raw(article("regional", targets=["ar-IQ"])),
    }


FINAL_STATES = {"published", "failed", "no_model", "withdrawn"}


def test_no_poison_stops_the_articles_posted_after_it(service: Service) -> None:
    """Each poison gets a 4xx, or a 202 and a final state in every language; the article
    posted after each is published, in its feed, in every language."""
    accepted: list[str] = []
    after: list[str] = []
    for name, body in _poisons().items():
        answer = service.post_raw(body)
        assert answer.status_code in (202, 400, 413, 422), (name, answer.status_code, answer.text)
        assert answer.json(), name
        if answer.status_code == 202:
            accepted.append(answer.json()["id"])
        good = _load(OWN[1], id=f"after-{len(after)}", targets=["ar"], body_html="<p>Water.</p>")
        assert service.post(good).status_code == 202, name
        after.append(good["id"])
    for article_id in after:
        service.wait_states(article_id, 1, {"en": "published", "ar": "published"})
    for lang in ("en", "ar"):
        guids = {g.split(":")[-2] for g in _rss_guids(service.feed(f"/v1/feeds/{lang}.rss"))}
        assert set(after) <= guids, lang
    for article_id in accepted:
        wait_for(
            lambda a=article_id: (
                set((service.states(a, 1) or {"": "queued"}).values()) <= FINAL_STATES
            ),
            90,
            f"{article_id} in a final state",
        )
