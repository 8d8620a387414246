"""`syndicate deliveries [NAME]` and `syndicate deliveries replay [NAME [ID ...]]`: push
deliveries as operators read and redo them (issue 19).

``deliveries`` alone shows every push partner's deliveries by state and its queue lag;
with NAME, that partner's newest deliveries (``--state dead`` for its dead letters), each
with its attempts, last change, next attempt and the reason it is retrying or dead: the
same values as ``GET /v1/partners/{name}/deliveries``. ``replay`` makes dead deliveries
pending again (every one of every partner, every one of NAME, or the IDs given) and sends
them; a dead version is not sent again once a later version of its item reached the
partner (it would overtake it).
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any, Final

from syndicate.api.deliveries import MAX_LIMIT, partner_deliveries
from syndicate.api.metrics import parse_series
from syndicate.api.push_metrics import latency_by_partner
from syndicate.cli.console import (
    connected,
    dispatching,
    environment_guarded,
    fail,
    print_table,
)
from syndicate.clock import system_now
from syndicate.config import Settings
from syndicate.push.rules import DeliveryState
from syndicate.store import ops as store_ops
from syndicate.store import partners, pushes
from syndicate.store.client import Client
from syndicate.worker.nudges import send_nudges
from syndicate.worker.push import push_settings, replay

SHOWN: Final = 50
_STATES: Final = tuple(str(s) for s in DeliveryState)


def push_overview(client: Client, now: datetime) -> list[dict[str, Any]]:
    """Every push partner's deliveries by state, dead letters, queue lag and latency from
    the item showing to the 2xx (the histogram of ``/metrics`` in figures; also in
    ``syndicate status``)."""
    latency = latency_by_partner(parse_series(store_ops.read_metrics(client)))
    rows = []
    for partner in partners.list_partners(client):
        if not partner.push.url:
            continue
        queue = pushes.queue_of(client, partner.name, now)
        lag = 0.0 if queue.oldest_due is None else (now - queue.oldest_due).total_seconds()
        counts = {state: queue.states.get(state, 0) for state in _STATES}
        seen = latency.get(partner.name, {})
        rows.append(
            {"partner": partner.name, **counts, "lag_seconds": round(max(0.0, lag), 1)}
            | {"latency_count": int(seen.get("count") or 0)}
            | {"latency_p50_seconds": seen.get("p50"), "latency_p95_seconds": seen.get("p95")}
        )
    return rows


def _bound(seconds: float | None) -> str:
    """A quantile as its bucket's bound: "<=2.5s", or "-" before any 2xx."""
    return "-" if seconds is None else f"<={seconds:g}s"


def print_overview(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("no push partners (add one with `syndicate partners add NAME ... --push-url URL`)")
        return
    headers = ["partner", *_STATES, "lag", "p50", "p95"]
    print_table(
        headers,
        [
            [str(r[h]) for h in ("partner", *_STATES)]
            + [f"{r['lag_seconds']:g}s", _bound(r["latency_p50_seconds"])]
            + [_bound(r["latency_p95_seconds"])]
            for r in rows
        ],
    )


def _row(d: dict[str, Any]) -> list[str]:
    item = f"{d['article_id']} {d['lang']} v{d['version']}"
    when = (d["next_attempt"] if d["state"] in ("retrying", "pending") else None) or ""
    return [item, d["state"], str(d["attempts"]), d["updated"][:19], when[:19], d["reason"] or ""]


def _show(client: Client, name: str, state: str | None, as_json: bool) -> int:
    chosen = DeliveryState(state) if state else None
    body = partner_deliveries(client, name, SHOWN if not as_json else MAX_LIMIT, chosen, system_now)
    if body is None:
        return fail("deliveries", f"{name}: no such partner", 2)
    if as_json:
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    counts = ", ".join(f"{n} {s}" for s, n in body["counts"].items() if n) or "no deliveries"
    print(f"{name}: {counts}; push {body['push_format'] or '-'} {body['push_url'] or '(none)'}")
    if body["deliveries"]:
        headers = ["item", "state", "attempts", "updated", "next attempt", "reason"]
        print_table(headers, [_row(d) for d in body["deliveries"]])
    return 0


@environment_guarded("deliveries")
def _cmd_deliveries(args: argparse.Namespace, settings: Settings) -> int:
    if args.words[:1] == ["replay"]:
        return _replay(args.words[1:], settings)
    if len(args.words) > 1:
        return fail("deliveries", "one partner NAME, or `replay [NAME [ID ...]]`", 2)
    with connected(settings) as client:
        if args.words:
            return _show(client, args.words[0], args.state, args.json)
        rows = push_overview(client, system_now())
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print_overview(rows)
    return 0


def _replay(words: list[str], settings: Settings) -> int:
    ps = push_settings(settings)
    with dispatching(settings) as (client, celery_app):
        if words:
            if partners.get_partner(client, words[0]) is None:
                return fail("deliveries replay", f"{words[0]}: no such partner", 2)
            names = [words[0]]
        else:
            names = [p.name for p in partners.list_partners(client) if p.push.url]
        refused = 0
        for name in names:
            done, nudges = replay(client, name, words[1:], ps, system_now())
            send_nudges(celery_app, nudges)
            print(f"{name}: {len(done.replayed)} dead deliveries sent again")
            for delivery_id, why in done.refused.items():
                fail("deliveries replay", f"{name}: {delivery_id}: not replayed ({why})", 2)
            refused += len(done.refused) if words[1:] else 0
    return 2 if refused else 0


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``deliveries [NAME]`` and ``deliveries replay [NAME [ID ...]]``."""
    p = commands.add_parser(
        "deliveries", help="push deliveries by partner; `deliveries replay` sends dead ones again"
    )
    p.add_argument("words", nargs="*", metavar="NAME | replay [NAME [ID ...]]")
    p.add_argument("--state", choices=_STATES, help="only deliveries in this state (with NAME)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(handler=_cmd_deliveries)
