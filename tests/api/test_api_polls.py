"""The poll path (issue 20): a 304 from the validators alone and never for changed content,
gzip bodies stored beside the plain ones, partner keys cached per process yet a revoked key
refused within 2 s."""

from __future__ import annotations

import gzip
import time

from redis import Redis

from syndicate.store import feeds, partners
from syndicate.store.keys import feed_key

from api_support import (
    WIRE_KEY,
    TestClient,
    add_partners,
    article_data,
    bearer,
    publish_article,
)

FEED = "/v1/feeds/en.rss"


def _poll(api: TestClient, **headers: str) -> tuple[int, str, bytes]:
    answer = api.get(FEED, headers={**bearer(WIRE_KEY), **headers})
    return answer.status_code, answer.headers.get("etag", ""), answer.content


def test_a_304_is_never_served_for_changed_content(api: TestClient, redis: Redis) -> None:
    add_partners(redis)
    held: list[str] = []
    for n in range(4):
        publish_article(redis, article_data(id=f"poll-{n}", headline=f"Story number {n}"))
        for tag in held:  # every tag a partner held before this render, plain or gzip
            status, etag, body = _poll(api, **{"If-None-Match": tag})
            assert status == 200 and etag != tag and f"Story number {n}".encode() in body
        status, plain_tag, _ = _poll(api, **{"Accept-Encoding": "identity"})
        _, gzip_tag, _ = _poll(api, **{"Accept-Encoding": "gzip"})
        assert status == 200 and gzip_tag == plain_tag[:-1] + '-gzip"'
        assert _poll(api, **{"If-None-Match": plain_tag})[0] == 304
        assert _poll(api, **{"If-None-Match": gzip_tag, "Accept-Encoding": "gzip"})[0] == 304
        held += [plain_tag, gzip_tag]


def test_a_304_reads_only_the_validators_in_one_command(api: TestClient, redis: Redis) -> None:
    add_partners(redis)
    publish_article(redis, article_data())
    _, etag, _ = _poll(api)  # the partner's key is now known to this process
    redis.config_resetstat()
    assert _poll(api, **{"If-None-Match": etag})[0] == 304
    stats = redis.info("commandstats")
    reads = {name: s["calls"] for name, s in stats.items() if "config" not in name}
    assert reads == {"cmdstat_hmget": 1}


def test_the_gzip_body_is_stored_and_equals_the_plain_one(api: TestClient, redis: Redis) -> None:
    add_partners(redis)
    publish_article(redis, article_data())
    plain = api.get(FEED, headers={**bearer(WIRE_KEY), "Accept-Encoding": "identity"})
    with api.stream("GET", FEED, headers={**bearer(WIRE_KEY), "Accept-Encoding": "gzip"}) as r:
        assert r.headers["content-encoding"] == "gzip"
        packed = b"".join(r.iter_raw())
    assert packed == redis.hget(feed_key("en", "rss"), "gzip")  # served as stored
    assert gzip.decompress(packed) == plain.content
    stored = feeds.read_feed(redis, "en", feeds.FeedFormat.RSS)
    assert stored is not None and stored.body == plain.content


def test_a_render_stored_without_gzip_is_still_served_gzipped(
    api: TestClient, redis: Redis
) -> None:
    add_partners(redis)
    publish_article(redis, article_data())
    redis.hdel(feed_key("en", "rss"), "gzip")  # as an older release stored it
    plain = api.get(FEED, headers={**bearer(WIRE_KEY), "Accept-Encoding": "identity"})
    zipped = api.get(FEED, headers={**bearer(WIRE_KEY), "Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.content == plain.content


def test_a_revoked_key_is_refused_within_two_seconds(api: TestClient, redis: Redis) -> None:
    add_partners(redis)
    publish_article(redis, article_data())
    assert _poll(api)[0] == 200 and _poll(api)[0] == 200  # known, and cached
    assert partners.revoke_partner(redis, "wire")
    revoked = time.monotonic()
    while (status := _poll(api)[0]) != 401 and time.monotonic() - revoked < 2.0:
        time.sleep(0.05)
    assert status == 401, "a revoked key was still served 2 s after its revocation"
