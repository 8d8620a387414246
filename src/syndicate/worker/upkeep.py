"""The worker's upkeep, on a thread of its own beside the heartbeat: the hand-back of a
dead worker's messages (orphans.py), the sweep after a Redis restart (recovery.py), the
pushes that are due (nudges.py), the feeds a release added a body to, and the retention
of finished articles (store/retention.py).

Why a thread. The heartbeat (hooks.py) runs in the worker's main process, on the event
loop that also consumes messages and sends the event heartbeat. Whatever it does delays the
next beat; a beat later than the orphan window (orphans.GRACE_SECONDS, 20 s) makes the
other workers judge this one dead and hand its messages back, so its translations run
twice. The sweep cannot be made constant-time: it reads what the broker holds, and its
cost follows the queues. So the heartbeat does only constant work (the worker's and the
consumer's beat, one round trip each, and a bookkeeping step of the watch) and wakes this
thread; the thread does the rest at its own pace, every command it sends bounded (the
unfinished-work index instead of a keyspace SCAN, lists and hashes read a page at a time,
at most ``PRUNE_BATCH`` articles pruned a round). Its work is waiting on Redis, which
releases the GIL, so the event loop keeps its pace while a sweep runs. A timer on the
event loop (``hub.call_repeatedly``) would be off the heartbeat's own callback but on the
same loop: a slow reply from Redis in a sweep would still stall the beat. Started by the
first heartbeat (a worker started ``--without-heartbeat`` does no upkeep, as before), it
stops with the worker (a bootstep, hooks.py); the prefork children never run it (they are
forked before it starts, and a child forked later gets no thread).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Final

from syndicate.errors import StoreUnavailable
from syndicate.feeds.edition import BODIES
from syndicate.store import deliveries, feeds, retention, server
from syndicate.worker import nudges, orphans, recovery
from syndicate.worker.rendering import render_language
from syndicate.worker.runtime import SyndicateCelery

log = logging.getLogger("syndicate.worker")
PRUNE_BATCH: Final = 200  # finished articles looked at a round (a round follows each beat)
STOP_SECONDS: Final = 10.0  # how long a stopping worker waits for a round to end
DAY_SECONDS: Final = 24 * 3600


@dataclass(eq=False)
class Upkeep:
    """One worker's upkeep thread and what it remembers between rounds."""

    app: SyndicateCelery
    run_id: str | None = None  # the Redis server run this process last swept for
    feeds_complete: bool = False  # every language has every body (_complete_feeds)
    _reap_due: bool = False  # the watch (orphans.py) said a beat may judge the others
    _stopped: bool = False
    _thread: threading.Thread | None = None
    _wake: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wake(self, *, reap: bool) -> None:
        """From the heartbeat, constant work: note a reap is due, start the thread on the
        first beat, let it run a round."""
        with self._lock:
            if self._stopped:
                return
            self._reap_due = self._reap_due or reap
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="upkeep", daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        """The worker stops, warm or cold (its bootstep, hooks.py): no round starts any
        more; the one in hand may end."""
        with self._lock:
            self._stopped, thread = True, self._thread
        self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(STOP_SECONDS)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopped:
                return
            self.run_round()

    def run_round(self) -> None:
        """Reap if due, sweep once per Redis server run, nudge the pushes that are due
        (nudges.py), complete the feeds once, prune."""
        with self._lock:
            reap, self._reap_due = self._reap_due, False
        try:
            if reap:
                self._reap_orphans()
            self._recover()
            nudges.sweep_pushes(self.app, self.app.runtime.client, self.app.time_source)
            self._complete_feeds()
            self._prune()
        except StoreUnavailable:
            return  # Redis away: the next beat that goes through wakes another round
        except Exception as exc:  # never let the thread die; the next round tries again
            log.warning("upkeep failed", extra={"error": f"{type(exc).__name__}: {exc}"})

    def _reap_orphans(self) -> None:
        """Hand back what consumers silent for the grace period held (orphans.py)."""
        client, moment = self.app.runtime.client, self.app.time_source().timestamp()
        with self.app.connection_for_write() as connection:
            channel: Any = connection.default_channel  # kombu.transport.redis.Channel
            tags = orphans.orphaned(client, channel.unacked_key, moment)
            deliveries.forget(client, tags)
            for tag in tags:
                channel.qos.restore_by_tag(tag, leftmost=True)
        if tags:
            log.warning("restored messages of a dead worker", extra={"messages": len(tags)})

    def _recover(self) -> None:
        """Sweep once per server run: at the first round, and after every restart."""
        client = self.app.runtime.client
        run = server.server_run(client)
        if run.run_id == self.run_id:
            return
        with self.app.connection_for_write() as connection:
            recovery.sweep_once(client, self.app, connection.default_channel, run)
        self.run_id = run.run_id

    def _complete_feeds(self) -> None:
        """Once per process: render every language lacking a stored body, so a body a
        release adds (ninjs 2.2 and 1.6 did) is there at once rather than at that
        language's next publish. Concurrent renders are safe (generation)."""
        if self.feeds_complete:
            return
        rt = self.app.runtime
        rendered = feeds.languages_lacking(rt.client, BODIES)
        for lang in rendered:
            render_language(rt.client, lang, rt.site, self.app.time_source())
        if rendered:
            log.info("rendered feeds lacking a body", extra={"languages": rendered})
        self.feeds_complete = True

    def _prune(self) -> None:
        """Forget up to ``PRUNE_BATCH`` articles finished ``retention_days`` ago that no
        feed shows (store/retention.py); ``retention_days = 0`` keeps them all."""
        days, rt = self.app.settings.retention_days, self.app.runtime
        if days <= 0:
            return
        now = self.app.time_source().timestamp()
        cutoff = now - days * DAY_SECONDS
        done = retention.prune(rt.client, cutoff, rt.site.size, now, PRUNE_BATCH)
        if done["pruned"]:
            log.info("pruned finished articles", extra=dict(done))
