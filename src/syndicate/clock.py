"""The one definition of "now" in the shell: system time, an aware UTC datetime.

Core code never reads the clock (it takes ``now``); the worker, the API and the CLI take a
``Clock`` from whoever builds them, so a test can hand them its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)
