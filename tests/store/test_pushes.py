"""Push delivery records (store/pushes.py) on a real redis-server: one claim at a time, an
update after the earlier version, a lease that runs out, the per-partner cap, replay and
retention, and counts that agree with the records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis

from syndicate.news.states import Outcome
from syndicate.push.payload import ItemRef
from syndicate.push.rules import DeliveryState
from syndicate.store import ops, pushes
from syndicate.store.pushes import Ending

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
GUID = "urn:newsml:example.org:20261120:story:ar"


def ref(version: int, guid: str = GUID, withdrawn: bool = False) -> ItemRef:
    return ItemRef("story", version, "ar", guid, withdrawn)


def create(redis: Redis, version: int, at: datetime = NOW, shows: datetime | None = None) -> None:
    outcome = pushes.create(redis, "p", ref(version), "ninjs", shows or at, at)
    assert outcome is Outcome.WRITTEN


def claim(redis: Redis, version: int, at: datetime = NOW, token: str = "t", cap: int = 2) -> str:
    return pushes.claim(redis, "p", ref(version).delivery_id, at, at + LEASE, token, cap).outcome


def finish(redis: Redis, version: int, state: DeliveryState, token: str = "t") -> str:
    ending = Ending(state, NOW + timedelta(seconds=5) if state is DeliveryState.RETRYING else None)
    return pushes.finish(redis, "p", ref(version).delivery_id, token, ending, NOW)


def state(redis: Redis, version: int) -> DeliveryState:
    found = pushes.get_delivery(redis, "p", ref(version).delivery_id)
    assert found is not None
    return found.state


def counts(redis: Redis) -> dict[str, int]:
    return {k: v for k, v in pushes.queue_of(redis, "p", NOW).states.items() if v}


def test_a_delivery_is_claimed_once_and_a_delivered_one_never_again(redis: Redis) -> None:
    create(redis, 1)
    assert pushes.create(redis, "p", ref(1), "ninjs", NOW, NOW) is Outcome.ALREADY_DONE
    assert claim(redis, 1, token="a") == "claimed"
    assert claim(redis, 1, token="b") == "in_flight"
    assert counts(redis) == {"delivering": 1}
    assert finish(redis, 1, DeliveryState.DELIVERED, token="a") == "written"
    assert claim(redis, 1, at=NOW + 2 * LEASE) == "done"
    assert finish(redis, 1, DeliveryState.DELIVERED, token="b") == "already_done"
    found = pushes.get_delivery(redis, "p", ref(1).delivery_id)
    assert found is not None and (found.state, found.attempts) == (DeliveryState.DELIVERED, 1)
    assert found.delivered_at == NOW
    assert counts(redis) == {"delivered": 1}


def test_an_update_waits_for_the_earlier_version_to_be_final(redis: Redis) -> None:
    create(redis, 1)
    create(redis, 2)
    assert pushes.create(redis, "p", ref(1), "ninjs", NOW, NOW) is Outcome.ALREADY_DONE
    assert claim(redis, 2) == "blocked"
    assert claim(redis, 1) == "claimed"
    assert claim(redis, 2) == "blocked"
    assert finish(redis, 1, DeliveryState.RETRYING) == "written"
    assert claim(redis, 2) == "blocked"  # a retrying earlier version still holds it back
    assert claim(redis, 1) == "early"  # its next attempt is five seconds away
    assert claim(redis, 1, at=NOW + timedelta(seconds=6)) == "claimed"
    finish(redis, 1, DeliveryState.DEAD)
    assert pushes.take_due(redis, "p", NOW, 2, NOW + LEASE, 5)[0] == ref(2).delivery_id
    assert claim(redis, 2) == "claimed"  # dead is final: the update goes


def test_an_older_version_after_a_newer_one_is_stale(redis: Redis) -> None:
    create(redis, 3)
    assert pushes.create(redis, "p", ref(2), "ninjs", NOW, NOW) is Outcome.STALE


def test_a_version_never_sent_under_embargo_gives_way_to_its_update(redis: Redis) -> None:
    create(redis, 1, shows=NOW + timedelta(hours=1))
    assert claim(redis, 1) == "early"
    create(redis, 2)
    assert pushes.get_delivery(redis, "p", ref(1).delivery_id) is None
    assert claim(redis, 2) == "claimed"
    assert counts(redis) == {"delivering": 1}


def test_a_lease_that_runs_out_lets_another_attempt_take_over(redis: Redis) -> None:
    create(redis, 1)
    assert claim(redis, 1, token="dead-worker") == "claimed"
    later = NOW + LEASE + timedelta(seconds=1)
    assert pushes.take_due(redis, "p", later, 2, later + LEASE, 5) == [ref(1).delivery_id]
    assert claim(redis, 1, at=later, token="next") == "claimed"
    assert finish(redis, 1, DeliveryState.RETRYING, token="dead-worker") == "superseded"
    assert finish(redis, 1, DeliveryState.DELIVERED, token="next") == "written"
    found = pushes.get_delivery(redis, "p", ref(1).delivery_id)
    assert found is not None and found.attempts == 2
    assert counts(redis) == {"delivered": 1}


def test_a_2xx_is_recorded_even_after_the_claim_moved_on(redis: Redis) -> None:
    create(redis, 1)
    claim(redis, 1, token="slow")
    later = NOW + LEASE + timedelta(seconds=1)
    claim(redis, 1, at=later, token="next")
    assert finish(redis, 1, DeliveryState.DELIVERED, token="slow") == "written"
    assert finish(redis, 1, DeliveryState.DELIVERED, token="next") == "already_done"
    assert counts(redis) == {"delivered": 1}


def test_a_partner_gets_at_most_its_cap_at_once_and_the_rest_when_slots_free(redis: Redis) -> None:
    for n in range(5):
        pushes.create(redis, "p", ref(1, f"urn:{n}"), "ninjs", NOW, NOW)
    taken = pushes.take_due(redis, "p", NOW, 2, NOW + LEASE, 10)
    assert taken == [ref(1, "urn:0").delivery_id, ref(1, "urn:1").delivery_id]
    for delivery_id in taken:
        assert pushes.claim(redis, "p", delivery_id, NOW, NOW + LEASE, "t", 2).outcome == "claimed"
    assert pushes.take_due(redis, "p", NOW, 2, NOW + LEASE, 10) == []
    third = ref(1, "urn:2").delivery_id
    assert pushes.claim(redis, "p", third, NOW, NOW + LEASE, "t", 2).outcome == "throttled"
    pushes.finish(redis, "p", taken[0], "t", Ending(DeliveryState.DELIVERED), NOW)
    assert pushes.take_due(redis, "p", NOW, 2, NOW + LEASE, 10) == [third]


def test_a_dead_delivery_is_replayed_unless_a_later_version_was_delivered(redis: Redis) -> None:
    create(redis, 1)
    claim(redis, 1)
    pushes.finish(
        redis,
        "p",
        ref(1).delivery_id,
        "t",
        Ending(DeliveryState.DEAD, None, "HTTP 410", 410, "gone"),
        NOW,
    )
    dead = pushes.get_delivery(redis, "p", ref(1).delivery_id)
    assert dead is not None and (dead.status, dead.answer, dead.reason) == (410, "gone", "HTTP 410")
    assert pushes.replay(redis, "p", ref(1).delivery_id, NOW) == "written"
    assert pushes.replay(redis, "p", ref(1).delivery_id, NOW) == "not_dead"
    assert state(redis, 1) is DeliveryState.PENDING
    assert claim(redis, 1) == "claimed"
    finish(redis, 1, DeliveryState.DEAD)
    create(redis, 2)
    claim(redis, 2)
    finish(redis, 2, DeliveryState.DELIVERED)
    assert pushes.replay(redis, "p", ref(1).delivery_id, NOW) == "superseded"
    assert pushes.replay(redis, "p", "urn:none:1", NOW) == "missing"
    assert counts(redis) == {"dead": 1, "delivered": 1}


def test_kills_go_to_every_partner_that_had_the_item(redis: Redis) -> None:
    pushes.create(redis, "a", ref(1), "ninjs", NOW, NOW)
    pushes.create(redis, "c", ref(1), "newsml", NOW, NOW)
    assert pushes.recipients(redis, ["a", "b", "c"], GUID) == ["a", "c"]


def test_finished_deliveries_are_trimmed_after_the_retention(redis: Redis) -> None:
    create(redis, 1, at=NOW - timedelta(days=8))
    create(redis, 1 + 1, at=NOW - timedelta(days=8))
    claim(redis, 1)
    finish(redis, 1, DeliveryState.DELIVERED)
    assert pushes.trim(redis, "p", NOW - timedelta(days=7), 10) == 1
    assert [d.ref.version for d in pushes.list_deliveries(redis, "p", 10)] == [2]
    assert counts(redis) == {"pending": 1}


def test_the_queue_reports_its_oldest_overdue_delivery(redis: Redis) -> None:
    assert pushes.queue_of(redis, "p", NOW).oldest_due is None
    create(redis, 1, at=NOW - timedelta(seconds=40))
    assert pushes.queue_of(redis, "p", NOW).oldest_due == NOW - timedelta(seconds=40)


def test_an_endings_counts_are_written_with_it_and_only_once(redis: Redis) -> None:
    """A worker killed right after recording an attempt must not lose its counts, and a
    2xx recorded twice (a redelivered attempt) must not count twice."""
    counted = (*ops.counter_increments("attempts_total", {"partner": "p"}), ("other", 0.5))
    create(redis, 1)
    assert claim(redis, 1) == "claimed"
    ending = Ending(DeliveryState.DELIVERED, counted=counted)
    delivery = ref(1).delivery_id
    assert pushes.finish(redis, "p", delivery, "t", ending, NOW) == "written"
    assert pushes.finish(redis, "p", delivery, "t", ending, NOW) == "already_done"
    assert ops.read_metrics(redis) == {'attempts_total{partner="p"}': 1.0, "other": 0.5}
