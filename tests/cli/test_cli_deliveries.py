"""`syndicate deliveries [NAME]`, `syndicate deliveries replay` and the push block of
`syndicate status`, in-process on a real redis-server (issue 19)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis

from syndicate.cli import main as cli
from syndicate.config import Settings
from syndicate.push.payload import ItemRef
from syndicate.push.rules import DeliveryState
from syndicate.store import ops, partners, pushes
from syndicate.store.partners import Partner, Push
from syndicate.store.pushes import Ending
from syndicate.worker.push import BUCKETS, LATENCY

NOW = datetime.now(UTC)


def _ref(n: int, version: int = 1) -> ItemRef:
    return ItemRef(f"story-{n}", version, "ar", f"urn:newsml:x.org:20261120:story-{n}:ar", False)


def _dead(redis: Redis, partner: str, ref: ItemRef) -> None:
    pushes.create(redis, partner, ref, "ninjs", NOW, NOW)
    pushes.claim(redis, partner, ref.delivery_id, NOW, NOW + timedelta(seconds=30), "t", 9)
    ending = Ending(DeliveryState.DEAD, None, "HTTP 410", 410, "gone")
    pushes.finish(redis, partner, ref.delivery_id, "t", ending, NOW)


@pytest.fixture
def wire(service: Redis) -> Redis:
    for name in ("wire", "agency"):
        push = Push(f"https://{name}.example.com/in", "ninjs", "whsec_x")
        partners.add_partner(service, Partner(name, name * 8, ("ar",), ("ninjs",), NOW, push))
    _dead(service, "wire", _ref(1))
    _dead(service, "wire", _ref(2))
    pushes.create(service, "wire", _ref(3), "ninjs", NOW, NOW)
    return service


def test_deliveries_alone_shows_every_push_partner_by_state(
    service_settings: Settings, wire: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    for seconds in (0.2, 0.3, 0.4, 7.0):  # the latency histogram, as push attempts write it
        ops.observe(wire, LATENCY, {"partner": "wire"}, seconds, BUCKETS)
    assert cli.main(["deliveries"], service_settings) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert rows[0] == [
        "partner",
        "pending",
        "delivering",
        "delivered",
        "retrying",
        "dead",
        "lag",
        "p50",
        "p95",
    ]
    assert [r[:6] + r[7:] for r in rows[1:]] == [
        ["agency", "0", "0", "0", "0", "0", "-", "-"],
        ["wire", "1", "0", "0", "0", "2", "<=0.5s", "<=10s"],
    ]
    assert cli.main(["status", "--json"], service_settings) == 0
    shown = json.loads(capsys.readouterr().out)["push"]
    assert [(p["partner"], p["dead"], p["pending"]) for p in shown] == [
        ("agency", 0, 0),
        ("wire", 2, 1),
    ]
    assert (shown[1]["latency_count"], shown[1]["latency_p95_seconds"]) == (4, 10.0)
    assert shown[1]["lag_seconds"] >= 0
    assert cli.main(["status"], service_settings) == 0  # the same block in the table
    table = [line.split() for line in capsys.readouterr().out.splitlines()]
    wire_row = next(r for r in table if r[:1] == ["wire"])
    assert wire_row[:6] + wire_row[7:] == ["wire", "1", "0", "0", "0", "2", "<=0.5s", "<=10s"]


def test_deliveries_of_one_partner_with_the_reason_each_died(
    service_settings: Settings, wire: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["deliveries", "wire", "--state", "dead"], service_settings) == 0
    out = capsys.readouterr().out
    assert out.startswith("wire: 1 pending, 2 dead; push ninjs https://wire.example.com/in")
    assert out.count("HTTP 410") == 2 and "story-3" not in out
    assert cli.main(["deliveries", "wire", "--json"], service_settings) == 0
    body = json.loads(capsys.readouterr().out)
    assert {d["state"] for d in body["deliveries"]} == {"dead", "pending"}
    assert cli.main(["deliveries", "nobody"], service_settings) == 2
    assert capsys.readouterr().err == "syndicate deliveries: nobody: no such partner\n"


def test_replay_makes_dead_deliveries_pending_again(
    service_settings: Settings, wire: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    one = _ref(1).delivery_id
    assert cli.main(["deliveries", "replay", "wire", one], service_settings) == 0
    assert capsys.readouterr().out == "wire: 1 dead deliveries sent again\n"
    found = pushes.get_delivery(wire, "wire", one)
    assert found is not None and found.state is DeliveryState.PENDING
    assert cli.main(["deliveries", "replay"], service_settings) == 0
    assert "wire: 1 dead deliveries sent again" in capsys.readouterr().out
    assert {d.state for d in pushes.list_deliveries(wire, "wire", 10)} == {DeliveryState.PENDING}
    assert wire.llen("push") >= 1  # the nudges went to the push queue


def test_replay_refuses_what_it_cannot_send_again(
    service_settings: Settings, wire: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    later = _ref(1, version=2)
    pushes.create(wire, "wire", later, "ninjs", NOW, NOW)
    pushes.claim(wire, "wire", later.delivery_id, NOW, NOW + timedelta(seconds=30), "t", 9)
    pushes.finish(wire, "wire", later.delivery_id, "t", Ending(DeliveryState.DELIVERED), NOW)
    argv = ["deliveries", "replay", "wire", _ref(1).delivery_id, "urn:none:1"]
    assert cli.main(argv, service_settings) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"syndicate deliveries replay: wire: {_ref(1).delivery_id}: not replayed (superseded)",
        "syndicate deliveries replay: wire: urn:none:1: not replayed (missing)",
    ]
    assert cli.main(["deliveries", "replay", "nobody"], service_settings) == 2
