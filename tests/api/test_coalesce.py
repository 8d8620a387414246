"""Shared poll reads (api/coalesce.py, issue 20): polls of one key share a read, yet each
is answered from a read sent after it arrived, so none sees a value older than itself.

The interleavings are built step by step on one event loop: ``Store`` stands for Redis,
its value read when a read is *sent* (as Redis executes a command it received), its answer
held until the test lets it travel back."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from syndicate.api.coalesce import Coalesced
from syndicate.errors import StoreUnavailable


@dataclass
class Store:
    value: int = 1
    sent: list[int] = field(default_factory=list)  # the value each read found
    answers: list[asyncio.Event] = field(default_factory=list)  # one per read, set to answer
    failing: bool = False

    async def fetch(self) -> int:
        found = self.value
        self.sent.append(found)
        answer = asyncio.Event()
        self.answers.append(answer)
        await answer.wait()
        if self.failing:
            self.failing = False
            raise StoreUnavailable("Redis unavailable: gone")
        return found


async def _turns(n: int = 5) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


def test_a_poll_arriving_while_a_read_is_out_waits_for_the_next() -> None:
    async def scenario() -> None:
        store, reads = Store(), Coalesced[str, int]()
        first = asyncio.create_task(reads.read("feed", store.fetch))
        await _turns()
        assert store.sent == [1]  # the read is out, its answer not back
        store.value = 2  # a write that completes before the next polls arrive
        later = [asyncio.create_task(reads.read("feed", store.fetch)) for _ in range(3)]
        await _turns()
        assert store.sent == [1], "a second read went out while one was out"
        store.answers[0].set()
        assert await first == 1
        await _turns()
        assert store.sent == [1, 2]  # one read for all three, sent after they arrived
        store.answers[1].set()
        assert await asyncio.gather(*later) == [2, 2, 2]

    asyncio.run(scenario())


def test_polls_arriving_together_share_one_read() -> None:
    async def scenario() -> None:
        store, reads = Store(), Coalesced[str, int]()
        polls = [asyncio.create_task(reads.read("feed", store.fetch)) for _ in range(5)]
        other = asyncio.create_task(reads.read("other", store.fetch))
        await _turns()
        assert len(store.sent) == 2  # one read per key
        for answer in store.answers:
            answer.set()
        assert await asyncio.gather(*polls) == [1] * 5 and await other == 1

    asyncio.run(scenario())


def test_a_failed_read_fails_its_polls_only() -> None:
    async def scenario() -> None:
        store, reads = Store(failing=True), Coalesced[str, int]()
        first = asyncio.create_task(reads.read("feed", store.fetch))
        await _turns()
        later = asyncio.create_task(reads.read("feed", store.fetch))
        store.answers[0].set()
        with pytest.raises(StoreUnavailable):
            await first
        await _turns()
        store.answers[1].set()
        assert await later == 1

    asyncio.run(scenario())


def test_a_cancelled_poll_leaves_the_read_to_the_others() -> None:
    async def scenario() -> None:
        store, reads = Store(), Coalesced[str, int]()
        gone = asyncio.create_task(reads.read("feed", store.fetch))
        stays = asyncio.create_task(reads.read("feed", store.fetch))
        await _turns()
        gone.cancel()
        await _turns()
        store.answers[0].set()
        assert await stays == 1 and gone.cancelled()
        again = asyncio.create_task(reads.read("feed", store.fetch))
        await _turns()
        store.answers[1].set()
        assert await again == 1 and len(store.sent) == 2  # the key is free for new reads

    asyncio.run(scenario())
