"""The 304s of plain polls counted, one ``requests`` line per path and window (issue 20).

Partners poll every minute or so, and nearly every poll is a 304: one access line each
was about a tenth of what a 304 cost (docs/performance.md, "Polls"), for lines that say
the same thing again and again. With ``access_log_304 = "summary"`` (the default) the
poll fast path (fastpoll.py) counts its 304s per path instead: how many, the mean and the
longest duration; a path's ``requests`` line is written once its window (10 s) has
passed, by the first request the process answers after that, and every count still
waiting is written at shutdown (the app's lifespan). No timer and no thread: the check
on a request is one clock read. Every other answer keeps its own line (http.py's
``log_request``); ``access_log_304 = "each"`` gives the 304s theirs back.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from starlette.types import Scope

from syndicate import logs
from syndicate.api.http import logged_path

log = logging.getLogger("syndicate.api")
WINDOW_S: Final = 10.0


@dataclass(slots=True)
class _Window:
    """One path's 304s since its last line (durations in seconds)."""

    opened: float
    count: int = 0
    total: float = 0.0
    longest: float = 0.0


class NotModifiedTally:
    """304s counted per path (``add``), written as one ``requests`` line per path once
    ``window`` seconds of ``clock`` have passed (``write_due``) or at shutdown
    (``write_all``). Used on the event loop only, so nothing here takes a lock."""

    def __init__(self, window: float = WINDOW_S, clock: Callable[[], float] = time.monotonic):
        self.window, self.clock = window, clock
        self._windows: dict[str, _Window] = {}
        self._due = math.inf  # when the oldest window ends

    def add(self, scope: Scope, started: float) -> None:
        """Count the 304 answered to ``scope`` (``started``: its ``time.perf_counter``)."""
        duration = time.perf_counter() - started
        path = logged_path(scope)
        counted = self._windows.get(path)
        if counted is None:
            counted = self._windows[path] = _Window(self.clock())
            self._due = min(self._due, counted.opened + self.window)
        counted.count += 1
        counted.total += duration
        counted.longest = max(counted.longest, duration)

    def write_due(self) -> None:
        """Write the lines of the windows that have ended; one clock read when none has."""
        now = self.clock()
        if now < self._due:
            return
        for path, counted in list(self._windows.items()):
            if now >= counted.opened + self.window:
                self._write(path, self._windows.pop(path), now)
        self._due = min((c.opened + self.window for c in self._windows.values()), default=math.inf)

    def write_all(self) -> None:
        """Write every count still waiting (the process is stopping)."""
        now = self.clock()
        for path, counted in self._windows.items():
            self._write(path, counted, now)
        self._windows.clear()
        self._due = math.inf

    @staticmethod
    def _write(path: str, counted: _Window, now: float) -> None:
        fields = {"method": "GET", "path": path, "status": 304, "count": counted.count}
        fields["duration_ms_avg"] = round(counted.total / counted.count * 1000, 2)
        fields["duration_ms_max"] = round(counted.longest * 1000, 2)
        fields["window_s"] = round(now - counted.opened, 1)
        logs.write_event(log, "requests", fields)
