"""Catching up through the ASGI app on a real redis-server (issue 19): a partner away while
60 items were published gets every one, once, in order, across feed rollover, by following
``next`` (``?since=``) or ``prev-archive`` (``?before=``) in RSS, NewsML and ninjs; the long
poll answers as soon as something shows."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from lxml import etree
from redis import Redis

from syndicate.feeds.edition import FeedSite, make_provider
from syndicate.news.article import parse_article
from syndicate.worker import intake, items, rendering

from api_support import (
    ALL_KEY,
    BASE,
    TestClient,
    add_partners,
    api_app,
    api_settings,
    article_data,
    bearer,
)

SIZE = 25  # the feed's size: 60 items roll over it twice
ATOM = "{http://www.w3.org/2005/Atom}"
NAR = "{http://iptc.org/std/nar/2006-10-01/}"
FORMATS = {"rss": "/v1/feeds/en.rss", "newsml": "/v1/feeds/en.xml", "ninjs": "/v1/feeds/en.json"}


@pytest.fixture
def api(redis: Redis, redis_server: Any) -> Any:
    add_partners(redis)
    with TestClient(api_app(api_settings(redis_server.url, feed_size=SIZE))) as client:
        yield client


def _site() -> FeedSite:
    return FeedSite(make_provider("Test News", "news.test", "", BASE), BASE, 5, SIZE)


def _publish(redis: Redis, first: int, count: int, **changes: Any) -> list[str]:
    """Accept and publish ``count`` English items, then render the feeds once; their ids."""
    ids = []
    for n in range(first, first + count):
        data = article_data(id=f"story-{n:03}", targets=[], **changes)
        article, now = parse_article(data), datetime.now(UTC)
        intake.accept(redis, article, [], now)
        items.publish_source(redis, article.id, article.version, now, site=_site())
        ids.append(article.id)
    rendering.render_language(redis, "en", _site(), datetime.now(UTC))
    return ids


def _read(api: TestClient, url: str) -> tuple[list[str], dict[str, str]]:
    """The article ids a feed document holds, newest first, and its links by rel."""
    answer = api.get(url.removeprefix(BASE), headers=bearer(ALL_KEY))
    assert answer.status_code in (200, 204), answer.text
    if answer.status_code == 204:
        links = {rel: href for href, rel in _link_header(answer.headers["link"])}
        return [], links
    if url.split("?")[0].endswith(".json"):
        body = answer.json()
        return [i["uri"].split(":")[-2] for i in body["items"]], {
            k["rel"]: k["href"] for k in body.get("links", [])
        }
    root = etree.fromstring(answer.content)
    guids = [g.text or "" for g in root.iter("guid")] or [
        i.get("guid", "") for i in root.iter(f"{NAR}newsItem")
    ]
    links = {k.get("rel", ""): k.get("href", "") for k in root.iter(f"{ATOM}link")}
    return [g.split(":")[-2] for g in guids], links


def _link_header(raw: str) -> list[tuple[str, str]]:
    found = []
    for part in raw.split(","):
        href, _, rel = part.partition(";")
        found.append((href.strip()[1:-1], rel.split("=")[1].strip('"')))
    return found


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_partner_away_for_60_items_follows_next_and_gets_each_once_in_order(
    api: TestClient, redis: Redis, fmt: str
) -> None:
    _publish(redis, 0, 3)
    _, links = _read(api, FORMATS[fmt])
    missed = _publish(redis, 3, 60)
    got, url = [], links["next"]
    while True:
        page, links = _read(api, url)
        if not page:
            break
        got += reversed(page)  # a page lists newest first; pages come oldest first
        url = links["next"]
    assert got == missed
    assert links["next"] == url  # nothing new: the same cursor to ask again


@pytest.mark.parametrize("fmt", FORMATS)
def test_prev_archive_pages_hold_every_item_once_after_the_feed(
    api: TestClient, redis: Redis, fmt: str
) -> None:
    published = _publish(redis, 0, 63)
    got, links = _read(api, FORMATS[fmt])
    assert len(got) == SIZE
    while "prev-archive" in links:
        page, links = _read(api, links["prev-archive"])
        assert "current" in links
        got += page
    assert got == list(reversed(published))


def test_a_kill_is_in_a_newsml_page_but_an_rss_page_steps_over_it(
    api: TestClient, redis: Redis
) -> None:
    _publish(redis, 0, 2)
    cursors = {fmt: _read(api, FORMATS[fmt])[1]["next"] for fmt in ("rss", "newsml")}
    _publish(redis, 0, 1, version=2, status="withdrawn")
    newsml, after = _read(api, cursors["newsml"])
    assert newsml == ["story-000"]
    rss, links = _read(api, cursors["rss"])
    assert rss == [] and links["next"].split("?")[1] == after["next"].split("?")[1]


def test_bad_cursors_are_refused_naming_the_parameter(api: TestClient, redis: Redis) -> None:
    _publish(redis, 0, 1)
    for query, word in [("since=x", "since"), ("before=%25%25", "before"), ("wait=31", "wait")]:
        answer = api.get(f"/v1/feeds/en.rss?{query}", headers=bearer(ALL_KEY))
        assert answer.status_code == 400 and word in answer.json()["error"]
    answer = api.get("/v1/feeds/en.rss?since=1&before=abc", headers=bearer(ALL_KEY))
    assert answer.status_code == 400


def test_a_long_poll_waits_and_answers_once_an_item_shows(api: TestClient, redis: Redis) -> None:
    _publish(redis, 0, 1)
    nxt = _read(api, FORMATS["ninjs"])[1]["next"].removeprefix(BASE)
    started = time.monotonic()
    empty = api.get(f"{nxt}&wait=1", headers=bearer(ALL_KEY))
    assert empty.json()["items"] == [] and time.monotonic() - started >= 1  # it waited
    answers: list[Any] = []
    waiting = threading.Thread(
        target=lambda: answers.append(api.get(f"{nxt}&wait=30", headers=bearer(ALL_KEY)))
    )
    started = time.monotonic()
    waiting.start()
    _publish(redis, 1, 1)
    waiting.join(40)
    assert [i["uri"].split(":")[-2] for i in answers[0].json()["items"]] == ["story-001"]
    assert time.monotonic() - started < 30


def test_a_long_poll_on_the_feed_answers_when_it_changes(api: TestClient, redis: Redis) -> None:
    _publish(redis, 0, 1)
    held = api.get("/v1/feeds/en.rss", headers=bearer(ALL_KEY)).headers["etag"]
    unchanged = api.get(
        "/v1/feeds/en.rss?wait=1", headers={**bearer(ALL_KEY), "If-None-Match": held}
    )
    assert unchanged.status_code == 304
    answers: list[Any] = []
    headers = {**bearer(ALL_KEY), "If-None-Match": held}
    waiting = threading.Thread(
        target=lambda: answers.append(api.get("/v1/feeds/en.rss?wait=30", headers=headers))
    )
    waiting.start()
    _publish(redis, 1, 1)
    waiting.join(40)
    assert answers[0].status_code == 200 and answers[0].headers["etag"] != held


def test_rss_and_newsml_feeds_name_the_websub_hub_and_ninjs_does_not(
    api: TestClient, redis: Redis
) -> None:
    _publish(redis, 0, 1)
    for fmt, url in FORMATS.items():
        _, links = _read(api, url)
        assert links.get("hub") == (None if fmt == "ninjs" else f"{BASE}/v1/websub"), fmt
