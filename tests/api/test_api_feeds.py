"""Partner feeds and items through the API in-process: keys (Bearer or ?key=),
entitlements, unknown languages and items, embargo, ETag, Last-Modified, 304 and gzip, on
content published by calling the pipeline steps directly."""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from redis import Redis

from syndicate.models.engine import Engine
from syndicate.store import feeds

from api_support import (
    ALL_KEY,
    WIRE_KEY,
    TestClient,
    add_partners,
    article_data,
    bearer,
    publish_article,
)

if TYPE_CHECKING:
    pass


@pytest.fixture(scope="module")
def engine(demo_models_dir: Path) -> Engine:
    return Engine(demo_models_dir, beam_size=1)


def test_feed_without_a_valid_key_is_401_with_a_bearer_challenge(
    api: TestClient, redis: Redis
) -> None:
    add_partners(redis)
    publish_article(redis, article_data())
    for answer in (
        api.get("/v1/feeds/en.rss"),
        api.get("/v1/feeds/en.rss?key=nope"),
        api.get("/v1/feeds/en.rss", headers=bearer("nope")),
    ):
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["error"]


def test_feed_with_a_bearer_or_query_key(api: TestClient, redis: Redis) -> None:
    add_partners(redis)
    publish_article(redis, article_data())
    plain = {"Accept-Encoding": "identity"}
    by_header = api.get("/v1/feeds/en.rss", headers={**bearer(WIRE_KEY), **plain})
    by_query = api.get(f"/v1/feeds/en.rss?key={WIRE_KEY}", headers=plain)
    for answer in (by_header, by_query):
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/rss+xml; charset=utf-8"
        assert answer.headers["cache-control"] == "private, max-age=300"
        assert answer.headers["vary"] == "Accept-Encoding"
        assert b"Floods hit Erbil" in answer.content
    stored = feeds.read_feed(redis, "en", feeds.FeedFormat.RSS)
    assert stored is not None and by_header.headers["etag"] == stored.etag
    expected = format_datetime(stored.last_modified.astimezone(UTC), usegmt=True)
    assert by_header.headers["last-modified"] == expected


def test_newsml_and_ninjs_feeds(api: TestClient, redis: Redis) -> None:
    add_partners(redis)
    publish_article(redis, article_data())
    newsml = api.get("/v1/feeds/en.xml", headers=bearer(WIRE_KEY))
    assert newsml.status_code == 200 and newsml.headers["content-type"].startswith("application/")
    assert b"newsMessage" in newsml.content
    ninjs = api.get("/v1/feeds/en.json", headers=bearer(ALL_KEY))
    assert ninjs.status_code == 200
    profile = 'profile="http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"'
    assert ninjs.headers["content-type"] == f"application/json; {profile}"
    assert ninjs.json()["items"][0]["headlines"][0]["value"] == "Floods hit Erbil"


def test_language_or_format_outside_the_entitlement_is_403(api: TestClient, redis: Redis) -> None:
    add_partners(redis)
    publish_article(redis, article_data())
    assert api.get("/v1/feeds/tr.rss", headers=bearer(WIRE_KEY)).status_code == 403
    assert api.get("/v1/feeds/en.json", headers=bearer(WIRE_KEY)).status_code == 403
    answer = api.get("/v1/items/api-erbil-1/en.json", headers=bearer(WIRE_KEY))
    assert answer.status_code == 403 and "wire" in answer.json()["error"]


def test_unknown_language_or_empty_feed_is_404(api: TestClient, redis: Redis) -> None:
    add_partners(redis)
    publish_article(redis, article_data())
    for path in ("/v1/feeds/xx.rss", "/v1/feeds/not_a_tag.rss", "/v1/feeds/en.html"):
        answer = api.get(path, headers=bearer(ALL_KEY))
        assert answer.status_code == 404 and answer.json()["error"]
    answer = api.get("/v1/feeds/tr.rss", headers=bearer(ALL_KEY))
    assert answer.status_code == 404
    assert answer.json() == {"error": "no items published in tr yet"}


def test_language_known_only_by_its_stored_feed_is_served(api: TestClient, redis: Redis) -> None:
    add_partners(redis)
    publish_article(redis, article_data(language="fr", targets=[]))
    assert api.get("/v1/feeds/fr.rss", headers=bearer(ALL_KEY)).status_code == 200
    # outside the configuration and the entitlement: unknown to this partner (issue 9)
    assert api.get("/v1/feeds/fr.rss", headers=bearer(WIRE_KEY)).status_code == 404


def test_if_none_match_gives_304(api: TestClient, redis: Redis) -> None:
    add_partners(redis)
    publish_article(redis, article_data())
    etag = api.get("/v1/feeds/en.rss", headers=bearer(WIRE_KEY)).headers["etag"]
    for sent in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        answer = api.get("/v1/feeds/en.rss", headers={**bearer(WIRE_KEY), "If-None-Match": sent})
        assert answer.status_code == 304 and answer.content == b""
        assert answer.headers["etag"] == etag
    other = {**bearer(WIRE_KEY), "If-None-Match": '"other"'}
    assert api.get("/v1/feeds/en.rss", headers=other).status_code == 200


def test_if_modified_since_gives_304_unless_if_none_match_differs(
    api: TestClient, redis: Redis
) -> None:
    add_partners(redis)
    publish_article(redis, article_data())
    first = api.get("/v1/feeds/en.rss", headers=bearer(WIRE_KEY))
    since = {**bearer(WIRE_KEY), "If-Modified-Since": first.headers["last-modified"]}
    answer = api.get("/v1/feeds/en.rss", headers=since)
    assert answer.status_code == 304 and answer.headers["etag"] == first.headers["etag"]
    earlier = format_datetime(datetime.now(UTC) - timedelta(days=1), usegmt=True)
    for changed in ({"If-Modified-Since": earlier}, {"If-None-Match": '"x"'}):
        assert api.get("/v1/feeds/en.rss", headers={**since, **changed}).status_code == 200


def test_gzip_when_asked_with_its_own_etag(api: TestClient, redis: Redis) -> None:
    add_partners(redis)
    publish_article(redis, article_data())
    identity = {**bearer(WIRE_KEY), "Accept-Encoding": "identity"}
    plain = api.get("/v1/feeds/en.rss", headers=identity)
    assert "content-encoding" not in plain.headers
    asks = {**bearer(WIRE_KEY), "Accept-Encoding": "gzip, deflate"}
    with api.stream("GET", "/v1/feeds/en.rss", headers=asks) as zipped:
        raw = b"".join(zipped.iter_raw())
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(raw) == plain.content
    assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    again = api.get("/v1/feeds/en.rss", headers={**asks, "If-None-Match": zipped.headers["etag"]})
    assert again.status_code == 304
    refused = {**bearer(WIRE_KEY), "Accept-Encoding": "gzip;q=0"}
    assert "content-encoding" not in api.get("/v1/feeds/en.rss", headers=refused).headers


def test_either_representations_etag_gives_304(api: TestClient, redis: Redis) -> None:
    """A client that switched Accept-Encoding still holds the current render."""
    add_partners(redis)
    publish_article(redis, article_data())
    identity = {**bearer(WIRE_KEY), "Accept-Encoding": "identity"}
    zipped = {**bearer(WIRE_KEY), "Accept-Encoding": "gzip"}
    plain_tag = api.get("/v1/feeds/en.rss", headers=identity).headers["etag"]
    gzip_tag = api.get("/v1/feeds/en.rss", headers=zipped).headers["etag"]
    assert plain_tag != gzip_tag
    for asks, held in ((zipped, plain_tag), (identity, gzip_tag)):
        again = api.get("/v1/feeds/en.rss", headers={**asks, "If-None-Match": held})
        assert again.status_code == 304 and again.content == b""
    stale = {**zipped, "If-None-Match": plain_tag[:-1] + 'x-gzip"'}
    assert api.get("/v1/feeds/en.rss", headers=stale).status_code == 200


def test_items_as_newsml_and_ninjs_with_etag_from_their_bytes(
    api: TestClient, redis: Redis
) -> None:
    add_partners(redis)
    publish_article(redis, article_data())
    plain = {"Accept-Encoding": "identity"}
    xml = api.get("/v1/items/api-erbil-1/en.xml", headers={**bearer(WIRE_KEY), **plain})
    assert xml.status_code == 200 and b"newsItem" in xml.content
    assert xml.headers["etag"] == f'"{hashlib.sha256(xml.content).hexdigest()}"'
    assert b"urn:newsml:news.test:20260501:api-erbil-1:en" in xml.content
    again = {**bearer(WIRE_KEY), **plain, "If-None-Match": xml.headers["etag"]}
    assert api.get("/v1/items/api-erbil-1/en.xml", headers=again).status_code == 304
    ninjs = api.get(f"/v1/items/api-erbil-1/en.json?key={ALL_KEY}")
    assert ninjs.status_code == 200 and ninjs.json()["uri"].endswith(":api-erbil-1:en")


def test_unknown_or_embargoed_item_is_404(api: TestClient, redis: Redis) -> None:
    add_partners(redis)
    later = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    publish_article(redis, article_data(id="api-later", embargo_until=later))
    for path in (
        "/v1/items/api-later/en.xml",
        "/v1/items/api-nothing/en.xml",
        "/v1/items/api-later/ar.json",
    ):
        answer = api.get(path, headers=bearer(ALL_KEY))
        assert answer.status_code == 404 and answer.json()["error"]
    assert api.get("/v1/items/api-later/en.xml").status_code == 401


def test_translated_feed_and_item(api: TestClient, redis: Redis, engine: Engine) -> None:
    add_partners(redis)
    publish_article(redis, article_data(), engine=engine, lang="ar")
    feed = api.get("/v1/feeds/ar.xml", headers=bearer(WIRE_KEY))
    assert feed.status_code == 200 and b"api-erbil-1:ar" in feed.content
    item = api.get("/v1/items/api-erbil-1/ar.json", headers=bearer(ALL_KEY))
    assert item.status_code == 200 and item.json()["language"] == "ar"


def test_outside_the_entitlement_403_whether_or_not_the_thing_exists(
    api: TestClient, redis: Redis
) -> None:
    """Decided by the key and the configuration alone (issue 9): the answer is the same
    for a feed or id that exists and for one that does not. A configured language outside
    the entitlement is 403 (brief); any other language is unknown to this partner, 404."""
    add_partners(redis)
    publish_article(redis, article_data(language="fr", targets=[]))
    publish_article(redis, article_data(id="api-tr-1", language="tr", targets=[]))
    same = {
        (403, "is not entitled to tr"): ("api-tr-1/tr.xml", "api-nothing/tr.xml"),
        (404, "unknown language 'fr'"): ("api-erbil-1/fr.xml", "api-nothing/fr.xml"),
    }
    for (status, error), items in same.items():
        for path in (f"/v1/items/{items[0]}", f"/v1/items/{items[1]}"):
            answer = api.get(path, headers=bearer(WIRE_KEY))
            assert (answer.status_code, error in answer.json()["error"]) == (status, True), path
    assert api.get("/v1/feeds/tr.rss", headers=bearer(WIRE_KEY)).status_code == 403
    assert api.get("/v1/feeds/fr.rss", headers=bearer(WIRE_KEY)).status_code == 404
    assert api.get("/v1/feeds/de.rss", headers=bearer(WIRE_KEY)).status_code == 404
    assert api.get("/v1/items/api-erbil-1/en.json", headers=bearer(WIRE_KEY)).status_code == 403
