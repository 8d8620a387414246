"""Reading an article is CPU work (up to 2 MB of JSON, the parser, the admission cut): both
webhooks do it in the thread pool, never on the event loop, where it would stall every
other request (issue 16). A profiler set for every thread the app starts notes where the
reading functions run, and whether that thread was running an event loop."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import CodeType, FrameType
from typing import Any, Final

import pytest
from redis import Redis

from syndicate.news.article import parse_article
from syndicate.news.payload import decode_json
from syndicate.translation.admission import admit

from api_support import TestClient, api_app, api_settings, article_data, post
from foreign_samples import ROUTE, SUPERDESK_SECRET, superdesk_headers, superdesk_push, transmitted
from redis_servers import RedisServer

WATCHED: Final[dict[CodeType, str]] = {
    decode_json.__code__: "decode",
    parse_article.__code__: "parse",
    admit.__code__: "admit",
}


def _on_the_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@contextmanager
def watching() -> Iterator[list[tuple[str, bool]]]:
    """(function, ran on an event loop) for every call of a watched function in a thread
    started inside the block (the TestClient's loop and its thread pool)."""
    seen: list[tuple[str, bool]] = []
    active = [True]

    def profile(frame: FrameType, event: str, _: Any) -> None:
        if active[0] and event == "call" and (name := WATCHED.get(frame.f_code)):
            seen.append((name, _on_the_loop()))

    threading.setprofile(profile)
    try:
        yield seen
    finally:
        threading.setprofile(None)
        active[0] = False


def _post_article(api: TestClient) -> Any:
    return post(api, article_data())


def _post_superdesk(api: TestClient) -> Any:
    body = transmitted(superdesk_push())
    return api.post(ROUTE, content=body, headers=superdesk_headers(body))


@pytest.mark.parametrize("send", [_post_article, _post_superdesk], ids=["articles", "superdesk"])
def test_both_webhooks_read_the_article_off_the_event_loop(
    redis: Redis, redis_server: RedisServer, send: Callable[[TestClient], Any]
) -> None:
    settings = api_settings(redis_server.url, superdesk_secret=SUPERDESK_SECRET)
    with watching() as seen, TestClient(api_app(settings)) as api:
        answer = send(api)
    assert answer.status_code == 202, answer.text
    assert {name for name, _ in seen} == {"decode", "parse", "admit"}
    assert [name for name, on_loop in seen if on_loop] == []


def test_the_watch_sees_a_call_on_the_loop() -> None:
    async def on_the_loop() -> None:
        decode_json(json.dumps(article_data()).encode(), 1 << 20)

    done: list[list[tuple[str, bool]]] = []
    with watching() as seen:
        thread = threading.Thread(target=lambda: asyncio.run(on_the_loop()))
        thread.start()
        thread.join()
        done.append(list(seen))
    assert done == [[("decode", True)]]
