"""The review desk's and the translation memories' series in ``/metrics`` (issue 18):

- ``syndicate_review_held{lang}``: translations waiting for an editor
- ``syndicate_review_oldest_seconds{lang}``: how long the oldest of them has waited (0: none)
- ``syndicate_tm_lookups_total{lang}``: texts the translate step looked up in the memories
- ``syndicate_tm_hits_total{lang,origin}``: found there, by origin: ``human`` (approved on
  the desk, preferred over the model) or ``machine`` (the model's, remembered)
- ``syndicate_tm_hit_ratio{lang,origin}``: hits over lookups, since the counters began
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Final

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from syndicate.api.metrics import Series
from syndicate.clock import Clock
from syndicate.store import review as store_review
from syndicate.store.client import Client

HELD: Final = "syndicate_review_held"
OLDEST: Final = "syndicate_review_oldest_seconds"
LOOKUPS: Final = "syndicate_tm_lookups_total"
HITS: Final = "syndicate_tm_hits_total"
RATIO: Final = "syndicate_tm_hit_ratio"
ORIGINS: Final = ("human", "machine")


def review_families(waiting: dict[str, store_review.Waiting], now: datetime) -> list[Metric]:
    held = GaugeMetricFamily(HELD, "Translations waiting for an editor.", labels=["lang"])
    oldest = GaugeMetricFamily(
        OLDEST, "Seconds the oldest held translation has waited.", labels=["lang"]
    )
    for lang, w in sorted(waiting.items()):
        held.add_metric([lang], float(w.held))
        age = (now - w.oldest).total_seconds() if w.oldest else 0.0
        oldest.add_metric([lang], max(0.0, age))
    return [held, oldest]


def memory_families(series: Series) -> list[Metric]:
    lookups = CounterMetricFamily(LOOKUPS, "Texts looked up in the memories.", labels=["lang"])
    hits = CounterMetricFamily(HITS, "Memory hits, by origin.", labels=["lang", "origin"])
    ratio = GaugeMetricFamily(
        RATIO, "Memory hits over lookups, by origin.", labels=["lang", "origin"]
    )
    asked = {dict(labels).get("lang", ""): n for labels, n in series.get(LOOKUPS, {}).items()}
    found = {
        (dict(labels).get("lang", ""), dict(labels).get("origin", "")): n
        for labels, n in series.get(HITS, {}).items()
    }
    for lang, n in sorted(asked.items()):
        lookups.add_metric([lang], n)
        for origin in ORIGINS:
            got = found.get((lang, origin), 0.0)
            hits.add_metric([lang, origin], got)
            ratio.add_metric([lang, origin], got / n if n else 0.0)
    return [lookups, hits, ratio]


class ReviewCollector(Collector):
    """Reads the review queues at every scrape: one SMEMBERS, then one pipeline of two
    reads per language that ever held a translation (the memory counters come with the
    other stored series: ``memory_families``)."""

    def __init__(self, client: Client, clock: Clock) -> None:
        self.client = client
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        langs = store_review.held_languages(self.client)
        yield from review_families(store_review.waiting(self.client, langs), self.clock())
