"""The poll fast path (api/fastpoll.py, issue 20): plain feed polls answered before
Starlette, byte for byte as the route answers them, and every other request handed on
with nothing sent; polls running together never get a 304 for content changed before
they were sent."""

from __future__ import annotations

import gzip
import itertools
import threading
import time
from typing import Any

import pytest
from redis import Redis
from starlette.types import Message

from syndicate.api.fastpoll import PollingApp
from syndicate.store import partners

import api_support as support
from api_support import ALL_KEY, WIRE_KEY, TestClient, bearer

FEED = "/v1/feeds/en.rss"


def _scope(path: str, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode()}
    return scope | {"query_string": b"", "root_path": "", "headers": raw, **changes}


def _fast(api: TestClient, scope: dict[str, Any]) -> tuple[bool, list[Message]]:
    """Whether the fast path answered ``scope``, and what it sent."""
    app = api.app
    assert isinstance(app, PollingApp)
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def answer() -> bool:
        return await app.fast.answered(scope, send)

    assert api.portal is not None  # inside ``with TestClient``: the app's own loop
    return api.portal.call(answer), sent


def _route(api: TestClient, path: str, headers: dict[str, str], key: str) -> tuple[Any, ...]:
    """Status, header lines and bytes (not decoded) of the route's answer: ``?key=``
    always takes the route."""
    with api.stream("GET", path, headers=headers, params={"key": key}) as answer:
        body = b"".join(answer.iter_raw())
        return answer.status_code, answer.headers.multi_items(), body


def _sent(sent: list[Message]) -> tuple[Any, ...]:
    lines = [(k.decode(), v.decode()) for k, v in sent[0]["headers"]]
    return sent[0]["status"], lines, sent[1]["body"]


@pytest.fixture
def published(api: TestClient, redis: Redis) -> str:
    """A feed in en with an item; the ETag of its plain RSS body."""
    support.add_partners(redis)
    support.publish_article(redis, support.article_data())
    return str(api.get(FEED, headers=bearer(WIRE_KEY)).headers["etag"])


def test_plain_polls_are_answered_as_the_route_answers_them(
    api: TestClient, published: str
) -> None:
    gzip_tag = published[:-1] + '-gzip"'
    plain, packed = {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip"}
    asks = [
        plain,
        packed,
        {**plain, "If-None-Match": published},
        {**packed, "If-None-Match": gzip_tag},
        {**packed, "If-None-Match": published},
        {**plain, "If-None-Match": '"stale"'},
        {**plain, "If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    ]
    for ask in asks:
        answered, sent = _fast(api, _scope(FEED, {**bearer(WIRE_KEY), **ask}))
        assert answered and len(sent) == 2
        assert _sent(sent) == _route(api, FEED, ask, WIRE_KEY), ask
    body = _fast(api, _scope(FEED, bearer(WIRE_KEY)))[1][1]["body"]
    zipped = _fast(api, _scope(FEED, {**bearer(WIRE_KEY), **packed}))[1][1]["body"]
    assert gzip.decompress(zipped) == body and zipped != body


def test_ninjs_versions_are_answered_as_the_route_answers_them(
    api: TestClient, published: str
) -> None:
    for accept in ("", 'application/ninjs+json; version="1.6"', "application/json"):
        ask = {**bearer(ALL_KEY), "Accept-Encoding": "identity"}
        ask |= {"Accept": accept} if accept else {}
        answered, sent = _fast(api, _scope("/v1/feeds/en.json", ask))
        assert answered and sent[0]["status"] == 200
        assert _sent(sent) == _route(api, "/v1/feeds/en.json", ask, ALL_KEY), accept


def test_anything_but_a_200_or_304_is_handed_on_with_nothing_sent(
    api: TestClient, redis: Redis, published: str
) -> None:
    wire = bearer(WIRE_KEY)
    handed_on = [
        _scope(FEED, wire, query_string=f"key={WIRE_KEY}".encode()),
        _scope(FEED, wire, query_string=b"wait=5"),
        _scope(FEED, wire, method="HEAD"),
        _scope(FEED, wire, method="POST"),
        _scope(FEED, wire, root_path="/mounted"),
        _scope(FEED + "/", wire),
        _scope(FEED, {}),  # no key: 401
        _scope(FEED, {"Authorization": "Basic d2lyZTp4"}),
        _scope(FEED, bearer("syn_nobody")),  # unknown key: 401
        _scope("/v1/feeds/tr.rss", wire),  # outside the entitlement: 403
        _scope("/v1/feeds/en.json", wire),  # format outside it: 403
        _scope("/v1/feeds/not_a_tag.rss", wire),  # 404
        _scope("/v1/feeds/tr.rss", bearer(ALL_KEY)),  # nothing published: 404
        _scope("/v1/feeds/en.json", {**bearer(ALL_KEY), "Accept": "text/html"}),  # 406
        _scope("/v1/items/api-erbil-1/en.xml", wire),
        _scope("/healthz", {}),
    ]
    for scope in handed_on:
        assert _fast(api, scope) == (False, []), scope
    assert _fast(api, _scope(FEED, wire))[0]  # the key is known, and cached
    assert partners.revoke_partner(redis, "wire")
    revoked = time.monotonic()
    while (found := _fast(api, _scope(FEED, wire))) != (False, []):
        assert time.monotonic() - revoked < 2.0, "a revoked key was served 2 s after"
        time.sleep(0.05)
    assert api.get(FEED, headers=wire).status_code == 401 and found == (False, [])


def test_concurrent_polls_never_get_a_304_for_content_changed_before_them(
    api: TestClient, redis: Redis, published: str
) -> None:
    """Pollers holding the first render's tag poll without pause while the feed changes
    twice; each poll takes a ticket before it is sent, each change after it is stored.
    A poll whose ticket is later than a change's must see that change (200, new tag)."""
    order, lock = itertools.count(), threading.Lock()
    seen: list[tuple[int, int, str]] = []
    changed: list[int] = []  # the ticket taken once each change was stored
    done = threading.Event()

    def poller() -> None:
        while not done.is_set():
            with lock:
                ticket = next(order)
            answer = api.get(FEED, headers={**bearer(WIRE_KEY), "If-None-Match": published})
            seen.append((ticket, answer.status_code, answer.headers.get("etag", "")))

    threads = [threading.Thread(target=poller) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for n in range(2):
            data = support.article_data(id=f"change-{n}", headline=f"Change {n}")
            support.publish_article(redis, data)
            with lock:
                changed.append(next(order))
    finally:
        done.set()
        for thread in threads:
            thread.join(60)
    after = [(status, etag) for ticket, status, etag in seen if ticket > changed[0]]
    assert after, "no poll was sent after the first change"
    assert all(status == 200 and etag != published for status, etag in after)
    assert any(ticket < changed[0] and status == 304 for ticket, status, _ in seen)
