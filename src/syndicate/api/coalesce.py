"""Polls of one feed share their store reads, without ever answering from a stale one.

Under load many partners poll the same few feeds at once, and each read costs the event
loop more than the rest of a poll (redis-py's asyncio client: tens of µs a command). A
poll here joins the *next* read of its key: one sent after the poll arrived, never one
already on its way, since a read sent earlier may have been answered by Redis before a
write that completed before this poll came in. So every poll is answered from a read
issued after it arrived, exactly as if it had sent its own (a 304 is never served for
content changed before the poll), and the reads of a key are one at a time: while one is
out, the polls that arrive wait for the next, sent as soon as it comes back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar, cast

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


class Coalesced(Generic[_K, _V]):
    """Reads by key, each shared by the polls that arrived while it was not yet sent.

    State belongs to one event loop (its futures do): a test client that runs a loop per
    request starts from nothing on each, as ``store.client.LoopClient`` does.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: dict[_K, list[asyncio.Future[_V]]] = {}  # for the next read, unsent
        self._out: dict[_K, asyncio.Task[None]] = {}  # the task sending a key's reads

    async def read(self, key: _K, fetch: Callable[[], Awaitable[_V]]) -> _V:
        """The value of a ``fetch`` of ``key`` sent after this call. ``fetch`` must read
        what ``key`` names and nothing else: the first poll's is used for the next reads
        of the key while polls keep coming."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._waiting, self._out = loop, {}, {}
        mine: asyncio.Future[_V] = loop.create_future()
        self._waiting.setdefault(key, []).append(mine)
        if key not in self._out:
            self._out[key] = loop.create_task(self._drive(key, fetch))
        return await mine  # cancelling this poll cancels its own future, not the read

    async def _drive(self, key: _K, fetch: Callable[[], Awaitable[_V]]) -> None:
        """Send reads of ``key`` one after the other while polls wait: each read first
        takes the polls waiting, so one arriving after that waits for the next read."""
        waiting: list[asyncio.Future[_V]] = []
        try:
            while (taken := self._waiting.pop(key, None)) is not None:
                waiting = taken
                try:
                    value = await fetch()
                except Exception as exc:  # each poll of this read gets the store's error
                    _settle(waiting, cast(_V, None), exc)
                else:
                    _settle(waiting, value, None)
        except asyncio.CancelledError:  # the loop is closing: nobody will read for them
            for future in [*waiting, *self._waiting.pop(key, [])]:
                future.cancel()
            raise
        finally:
            self._out.pop(key, None)


def _settle(waiting: list[asyncio.Future[_V]], value: _V, error: Exception | None) -> None:
    """Answer each poll still waiting (a cancelled one is done already): with ``error``
    when the read failed, else with ``value``."""
    for future in waiting:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)
