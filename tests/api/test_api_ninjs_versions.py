"""ninjs 1.6, 2.2 and 3.1 on request (issue 10): ``?version=`` or Accept, 3.1 by default,
each with its own Content-Type profile, ETag and 304, ``Vary: Accept``, 400 for an unknown
version and 406 for an Accept that allows none; feeds come from the publish-time render."""

from __future__ import annotations

import pytest
from redis import Redis

from syndicate.store import feeds

from api_support import ALL_KEY, TestClient, add_partners, article_data, bearer, publish_article

SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_{}.json#"
FEED = "/v1/feeds/en.json"
ITEM = "/v1/items/api-erbil-1/en.json"
PLAIN = {**bearer(ALL_KEY), "Accept-Encoding": "identity"}


def _version(body: dict[str, object]) -> str:
    standard = body.get("standard") or body.get("$standard")
    assert isinstance(standard, dict)
    return str(standard["version"])


def _served(answer_json: dict[str, object]) -> str:
    items = answer_json.get("items")
    return _version(items[0] if isinstance(items, list) else answer_json)


@pytest.fixture
def published(redis: Redis) -> None:
    add_partners(redis)
    publish_article(redis, article_data())


@pytest.mark.parametrize("path", [FEED, ITEM])
@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("", None, "3.1"),
        ("", "*/*", "3.1"),
        ("", "application/json", "3.1"),
        ("?version=1.6", None, "1.6"),
        ("?version=2", None, "2.2"),
        ("?version=3", None, "3.1"),
        ("", f'application/json; profile="{SCHEMA.format("1.6")}"', "1.6"),
        ("", f"application/json;profile={SCHEMA.format('2.2')}", "2.2"),
        ("", "application/ninjs+json; version=1.6", "1.6"),
        ("", "application/ninjs+json;version=2.2, application/json;q=0.5", "2.2"),
        ("", "text/html, application/ninjs+json;version=1.6;q=0.9, */*;q=0.1", "1.6"),
        ("?version=2.2", "application/ninjs+json; version=1.6", "2.2"),  # the query wins
    ],
)
def test_the_version_asked_for_is_served_with_its_profile(
    api: TestClient, published: None, path: str, query: str, accept: str | None, expected: str
) -> None:
    headers = PLAIN if accept is None else {**PLAIN, "Accept": accept}
    answer = api.get(path + query, headers=headers)
    assert answer.status_code == 200, answer.text
    assert _served(answer.json()) == expected
    assert (
        answer.headers["content-type"] == f'application/json; profile="{SCHEMA.format(expected)}"'
    )
    assert answer.headers["vary"] == "Accept, Accept-Encoding"


def test_each_version_is_stored_at_publish_with_its_own_etag(
    api: TestClient, redis: Redis, published: None
) -> None:
    tags = {}
    for version, name in (("1.6", "ninjs-1.6"), ("2.2", "ninjs-2.2"), ("3.1", "ninjs")):
        stored = feeds.read_feed(redis, "en", name)
        assert stored is not None
        answer = api.get(f"{FEED}?version={version}", headers=PLAIN)
        assert answer.content == stored.body and answer.headers["etag"] == stored.etag
        tags[version] = stored.etag
        again = {**PLAIN, "If-None-Match": stored.etag}
        assert api.get(f"{FEED}?version={version}", headers=again).status_code == 304
    assert len(set(tags.values())) == 3
    stale = {**PLAIN, "If-None-Match": tags["3.1"]}
    assert api.get(f"{FEED}?version=1.6", headers=stale).status_code == 200


@pytest.mark.parametrize("path", [FEED, ITEM])
@pytest.mark.parametrize("asked", ["4", "1.5", "", "latest", "3.1.0"])
def test_an_unknown_version_is_400_naming_the_parameter_and_the_offer(
    api: TestClient, published: None, path: str, asked: str
) -> None:
    answer = api.get(f"{path}?version={asked}", headers=PLAIN)
    assert answer.status_code == 400
    message = answer.json()["error"]
    assert message.startswith("version:") and "1.6, 2.2, 3.1" in message


@pytest.mark.parametrize(
    "accept",
    [
        "text/html",
        'application/json; profile="http://www.iptc.org/std/ninjs/ninjs-schema_9.9.json#"',
        "application/ninjs+json; version=0.1",
        "application/json; q=0",
    ],
)
def test_an_accept_that_allows_no_version_is_406(
    api: TestClient, published: None, accept: str
) -> None:
    answer = api.get(FEED, headers={**PLAIN, "Accept": accept})
    assert answer.status_code == 406 and "1.6, 2.2, 3.1" in answer.json()["error"]


def test_rss_and_newsml_ignore_the_version_and_vary_on_encoding_only(
    api: TestClient, published: None
) -> None:
    answer = api.get("/v1/feeds/en.rss?version=9", headers={**PLAIN, "Accept": "text/html"})
    assert answer.status_code == 200 and answer.headers["vary"] == "Accept-Encoding"


def test_openapi_documents_the_version_parameter_and_the_accept_forms(api: TestClient) -> None:
    document = api.get("/openapi.json").json()
    for path in ("/v1/feeds/{lang}.json", "/v1/items/{id}/{lang}.json"):
        get = document["paths"][path]["get"]
        params = {p["name"]: p for p in get["parameters"]}
        assert params["version"]["schema"]["enum"] == ["1.6", "2.2", "3.1", "1", "2", "3"]
        assert "3.1" in params["version"]["description"]
        assert "profile=" in get["description"] and "application/ninjs+json" in get["description"]
        assert {"400", "406"} <= set(get["responses"])
