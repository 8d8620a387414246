"""``GET /v1/partners/{name}/deliveries`` and the push series of ``/metrics`` through the
ASGI app on a real redis-server (issue 19): the operator token only, states with their
attempts, next attempt and the answer that killed a delivery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis

from syndicate.push.payload import ItemRef
from syndicate.push.rules import DeliveryState
from syndicate.store import ops, partners, pushes
from syndicate.store.partners import Partner, Push
from syndicate.store.pushes import Ending
from syndicate.worker.push import BUCKETS, LATENCY

from api_support import TOKEN, TestClient, bearer

NOW = datetime.now(UTC)
LEASE = timedelta(seconds=30)


def _ref(n: int) -> ItemRef:
    return ItemRef(f"story-{n}", 1, "ar", f"urn:newsml:example.org:20261120:story-{n}:ar", False)


def _wire(redis: Redis) -> None:
    """A push partner with one delivery in each final or waiting state."""
    push = Push("https://wire.example.com/in", "ninjs", "whsec_x")
    partners.add_partner(redis, Partner("wire", "d" * 64, ("ar",), ("ninjs",), NOW, push))
    earlier = NOW - timedelta(seconds=90)
    for n in range(3):
        pushes.create(redis, "wire", _ref(n), "ninjs", earlier, earlier)
    for n, ending in [
        (0, Ending(DeliveryState.DELIVERED)),
        (1, Ending(DeliveryState.DEAD, None, "HTTP 410", 410, "gone for good")),
    ]:
        pushes.claim(redis, "wire", _ref(n).delivery_id, NOW, NOW + LEASE, "t", 5)
        pushes.finish(redis, "wire", _ref(n).delivery_id, "t", ending, NOW)


def test_the_operator_reads_a_partners_deliveries_and_their_states(
    api: TestClient, redis: Redis
) -> None:
    _wire(redis)
    assert api.get("/v1/partners/wire/deliveries").status_code == 401
    assert api.get("/v1/partners/wire/deliveries", headers=bearer("wrong")).status_code == 401
    answer = api.get("/v1/partners/wire/deliveries", headers=bearer(TOKEN))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["counts"] == {
        "pending": 1,
        "delivering": 0,
        "delivered": 1,
        "retrying": 0,
        "dead": 1,
    }
    assert (body["partner"], body["push_format"]) == ("wire", "ninjs")
    by_id = {d["id"]: d for d in body["deliveries"]}
    dead = by_id[_ref(1).delivery_id]
    assert (dead["state"], dead["attempts"], dead["reason"]) == ("dead", 1, "HTTP 410")
    assert dead["response"] == {"status": 410, "body": "gone for good"}
    assert by_id[_ref(0).delivery_id]["delivered"] is not None
    assert body["oldest_waiting"] is not None  # the pending one, due 90 s ago
    only = api.get("/v1/partners/wire/deliveries?state=dead", headers=bearer(TOKEN)).json()
    assert [d["id"] for d in only["deliveries"]] == [_ref(1).delivery_id]


def test_bad_queries_and_unknown_partners_are_refused(api: TestClient, redis: Redis) -> None:
    _wire(redis)
    for query, status in [("?limit=0", 400), ("?limit=x", 400), ("?state=lost", 400)]:
        answer = api.get(f"/v1/partners/wire/deliveries{query}", headers=bearer(TOKEN))
        assert answer.status_code == status and "error" in answer.json()
    assert api.get("/v1/partners/nobody/deliveries", headers=bearer(TOKEN)).status_code == 404


def test_metrics_show_each_push_partners_states_lag_dead_letters_and_latency(
    api: TestClient, redis: Redis
) -> None:
    _wire(redis)
    ops.observe(redis, LATENCY, {"partner": "wire"}, 0.3, BUCKETS)
    text = api.get("/metrics", headers=bearer(TOKEN)).text
    assert 'syndicate_push_deliveries{partner="wire",state="dead"} 1.0' in text
    assert 'syndicate_push_dead_letters{partner="wire"} 1.0' in text
    assert 'syndicate_push_latency_seconds_bucket{le="0.5",partner="wire"} 1.0' in text
    lag = next(line for line in text.splitlines() if line.startswith("syndicate_push_lag_seconds{"))
    assert 80 <= float(lag.split()[-1]) <= 3600
