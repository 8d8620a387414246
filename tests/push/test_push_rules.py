"""The delivery rules (push/rules.py): which answers are done, retried or dead, and when
the next attempt comes."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from syndicate.push.rules import (
    Answer,
    DeliveryState,
    RetryPolicy,
    backoff_seconds,
    judge,
    retry_after_seconds,
)

NOW = 1_800_000_000.0
POLICY = RetryPolicy(window_seconds=3600, base_seconds=1, max_seconds=600)


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_any_2xx_is_delivered(status: int) -> None:
    assert judge(Answer(status), 1, NOW, NOW, POLICY, 0.5).state is DeliveryState.DELIVERED


@pytest.mark.parametrize("status", [301, 302, 400, 401, 403, 404, 408, 410, 422])
def test_a_redirect_or_another_4xx_is_dead_with_the_status(status: int) -> None:
    verdict = judge(Answer(status, body="gone"), 1, NOW, NOW, POLICY, 0.5)
    assert verdict.state is DeliveryState.DEAD
    assert verdict.next_at is None
    assert verdict.reason == f"HTTP {status}"


@pytest.mark.parametrize(
    "answer",
    [Answer(429), Answer(500), Answer(503), Answer(599), Answer(None, "timed out")],
)
def test_429_5xx_timeouts_and_refusals_are_retried_later(answer: Answer) -> None:
    verdict = judge(answer, 1, NOW, NOW, POLICY, 0.0)
    assert verdict.state is DeliveryState.RETRYING
    assert verdict.next_at is not None and verdict.next_at > NOW


def test_a_forbidden_address_is_never_retried() -> None:
    answer = Answer(None, "push URL 10.0.0.1 is a private address", forbidden=True)
    assert judge(answer, 1, NOW, NOW, POLICY, 0.5).state is DeliveryState.DEAD


def test_backoff_doubles_with_half_of_each_step_jittered_and_stops_at_the_maximum() -> None:
    for attempts, step in [(1, 1), (2, 2), (3, 4), (4, 8), (11, 600), (40, 600)]:
        low, high = backoff_seconds(attempts, POLICY, 0.0), backoff_seconds(attempts, POLICY, 1.0)
        assert (low, high) == (step / 2, step)
        assert low <= backoff_seconds(attempts, POLICY, 0.37) <= high


def test_retry_after_in_seconds_is_honoured_over_a_shorter_backoff() -> None:
    assert retry_after_seconds("120", NOW) == 120
    assert retry_after_seconds("soon", NOW) is None
    assert retry_after_seconds(None, NOW) is None
    verdict = judge(Answer(503, retry_after="120"), 1, NOW, NOW, POLICY, 1.0)
    assert verdict.next_at == NOW + 120


def test_an_http_date_counts_from_now() -> None:
    when = formatdate(NOW + 90, usegmt=True)
    assert retry_after_seconds(when, NOW) == pytest.approx(90)
    assert retry_after_seconds(formatdate(NOW - 90, usegmt=True), NOW) == 0


def test_no_retry_falls_after_the_window_closes() -> None:
    opened = NOW - 3590  # ten seconds of the hour left
    assert judge(Answer(500), 3, opened, NOW, POLICY, 0.0).state is DeliveryState.RETRYING
    late = judge(Answer(500), 5, opened, NOW, POLICY, 1.0)  # 16 s away: past the window
    assert late.state is DeliveryState.DEAD
    assert late.reason == "HTTP 500; retry window closed"
    asked = judge(Answer(429, retry_after="3601"), 1, NOW, NOW, POLICY, 0.0)
    assert asked.state is DeliveryState.DEAD
