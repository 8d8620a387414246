"""What one delivery attempt's answer means, and when to try again.

A 2xx is done. A 429 or 5xx, a timeout or a refused connection is retried with exponential
backoff and "equal jitter" (half the step fixed, half drawn: never sooner than half the
step, so a receiver that just came back is not hit by every retry at once), honouring
``Retry-After``, as long as the retry falls inside the retry window that opened with the
first attempt. Anything else (another 4xx, a 3xx: no redirect is followed, an address a
push may not reach) is final: the delivery is dead, kept with the answer for a replay.

Times are unix seconds (floats), passed in; the jitter's draw is passed in too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Final


class DeliveryState(StrEnum):
    """A delivery's life: pending -> delivering -> delivered, or -> retrying -> delivering
    ... -> dead (a replay makes a dead one pending again)."""

    PENDING = "pending"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    RETRYING = "retrying"
    DEAD = "dead"


FINAL: Final = frozenset({DeliveryState.DELIVERED, DeliveryState.DEAD})
ANSWER_KEPT_CHARS: Final = 1000  # of a refusing answer's body, for the dead letter


@dataclass(frozen=True, slots=True)
class Answer:
    """What one attempt got: an HTTP status, or none (``error`` says why: a timeout, a
    refused connection, a name that did not resolve). ``forbidden`` marks an address a
    push may not reach: never retried."""

    status: int | None
    error: str | None = None
    retry_after: str | None = None
    body: str = ""
    forbidden: bool = False


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long a failing delivery keeps being tried, and how the waits grow."""

    window_seconds: float
    base_seconds: float = 1.0
    max_seconds: float = 600.0


@dataclass(frozen=True, slots=True)
class Verdict:
    """The state an attempt leads to; ``next_at`` when retrying, ``reason`` unless
    delivered."""

    state: DeliveryState
    next_at: float | None = None
    reason: str | None = None


def is_retried_status(status: int) -> bool:
    """429 and every 5xx are worth another try; any other non-2xx is not."""
    return status == 429 or 500 <= status <= 599


def backoff_seconds(attempts: int, policy: RetryPolicy, draw: float) -> float:
    """The wait after the ``attempts``-th failure: base * 2^(attempts-1), at most the
    maximum, of which the second half is scaled by ``draw`` in [0, 1)."""
    step = min(policy.max_seconds, policy.base_seconds * 2.0 ** max(0, attempts - 1))
    return step / 2 + step / 2 * min(max(draw, 0.0), 1.0)


def retry_after_seconds(raw: str | None, now: float) -> float | None:
    """``Retry-After`` as seconds from ``now``: delta-seconds or an HTTP-date (RFC 9110
    10.2.3); None when absent or unreadable."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if text.isascii() and text.isdigit():
        return float(text[:12])
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def describe(answer: Answer) -> str:
    """One line for the delivery record and the logs."""
    if answer.status is None:
        return answer.error or "no answer"
    return f"HTTP {answer.status}" + (f": {answer.error}" if answer.error else "")


def judge(
    answer: Answer,
    attempts: int,
    window_opened: float,
    now: float,
    policy: RetryPolicy,
    draw: float,
) -> Verdict:
    """The verdict on attempt number ``attempts`` (1 for the first) of a delivery whose
    retry window opened at ``window_opened``."""
    if answer.status is not None and 200 <= answer.status <= 299:
        return Verdict(DeliveryState.DELIVERED)
    reason = describe(answer)
    retried = not answer.forbidden and (answer.status is None or is_retried_status(answer.status))
    if not retried:
        return Verdict(DeliveryState.DEAD, reason=reason)
    wait = backoff_seconds(attempts, policy, draw)
    asked = retry_after_seconds(answer.retry_after, now)
    if asked is not None:
        wait = max(wait, asked)
    closes = window_opened + policy.window_seconds
    if now + wait > closes:
        return Verdict(DeliveryState.DEAD, reason=f"{reason}; retry window closed")
    return Verdict(DeliveryState.RETRYING, next_at=now + wait, reason=reason)
