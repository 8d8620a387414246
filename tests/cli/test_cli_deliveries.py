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
from syndicate.store import partners, pushes
from syndicate.store.partners import Partner, Push
from syndicate.store.pushes import Ending

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
    assert cli.main(["deliveries"], service_settings) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert rows[0] == ["partner", "pending", "delivering", "delivered", "retrying", "dead", "lag"]
    assert [r[:6] for r in rows[1:]] == [
        ["agency", "0", "0", "0", "0", "0"],
        ["wire", "1", "0", "0", "0", "2"],
    ]
    assert cli.main(["status", "--json"], service_settings) == 0
    shown = json.loads(capsys.readouterr().out)["push"]
    assert [(p["partner"], p["dead"]) for p in shown] == [("agency", 0), ("wire", 2)]


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
