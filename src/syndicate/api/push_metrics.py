"""Push syndication's series in ``/metrics`` (issue 19), per partner:

- ``syndicate_push_deliveries_total{partner,state}``: attempts ended, by the state they
  left the delivery in (``delivered``, ``retrying``, ``dead``)
- ``syndicate_push_latency_seconds{partner}``: histogram of the time from the moment an
  item showed (published, or its embargo's end) to the receiver's 2xx
- ``syndicate_push_deliveries{partner,state}``: the partner's deliveries in each state now
- ``syndicate_push_lag_seconds{partner}``: how long the oldest delivery due has waited for
  a push worker (0: none waits); it grows when push workers fall behind
- ``syndicate_push_dead_letters{partner}``: dead deliveries kept for ``deliveries replay``

The first two come with the stored series; the rest from one pipeline of two reads per
partner with a push URL (``store.pushes.queue_of``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from syndicate.api.metrics import Series, bucket_quantile, counter, histogram
from syndicate.clock import Clock
from syndicate.push.rules import DeliveryState
from syndicate.store import partners, pushes
from syndicate.store.client import Client
from syndicate.worker.push import DELIVERIES, LATENCY

STATES: Final = "syndicate_push_deliveries"
LAG: Final = "syndicate_push_lag_seconds"
DEAD: Final = "syndicate_push_dead_letters"


def push_families(series: Series) -> list[Metric]:
    """The attempt counter and the latency histogram, from the stored series."""
    ended = "Push attempts ended, by the state they left the delivery in."
    return [
        counter(series, DELIVERIES, ended, ["partner", "state"]),
        histogram(series, LATENCY, "Seconds from an item showing to its push's 2xx.", "partner"),
    ]


def latency_by_partner(series: Series) -> dict[str, dict[str, float | None]]:
    """Each partner's latency histogram in three figures, for ``syndicate status``: how
    many 2xx it counts, and the bucket bounds its median and 95th percentile fall under."""
    per: dict[str, dict[str, float]] = {}
    for labels, value in series.get(f"{LATENCY}_bucket", {}).items():
        given = dict(labels)
        per.setdefault(given.get("partner", ""), {})[given.get("le", "+Inf")] = value
    return {
        partner: {
            "count": max(buckets.values(), default=0.0),
            "p50": bucket_quantile(buckets, 0.5),
            "p95": bucket_quantile(buckets, 0.95),
        }
        for partner, buckets in per.items()
    }


class PushCollector(Collector):
    """Each push partner's deliveries by state, queue lag and dead letters, at every scrape."""

    def __init__(self, client: Client, clock: Clock) -> None:
        self.client = client
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        now = self.clock()
        states = GaugeMetricFamily(STATES, "Push deliveries by state.", labels=["partner", "state"])
        lag = GaugeMetricFamily(LAG, "Seconds the oldest due push has waited.", labels=["partner"])
        dead = GaugeMetricFamily(DEAD, "Dead push deliveries kept for replay.", labels=["partner"])
        for partner in partners.list_partners(self.client):
            if not partner.push.url:
                continue
            queue = pushes.queue_of(self.client, partner.name, now)
            for state in DeliveryState:
                states.add_metric(
                    [partner.name, str(state)], float(queue.states.get(str(state), 0))
                )
            waited = 0.0 if queue.oldest_due is None else (now - queue.oldest_due).total_seconds()
            lag.add_metric([partner.name], max(0.0, waited))
            dead.add_metric([partner.name], float(queue.states.get(str(DeliveryState.DEAD), 0)))
        yield from (states, lag, dead)
