"""``/metrics``: the system's counters in Prometheus text, read from Redis at scrape time.

Workers and API processes write their series into Redis (ops.count/observe), so any
API process shows the whole system; this module only reads them back (a prometheus_client
custom Collector) and adds the broker's queue depths (issue 4, item 3):

- ``syndicate_articles_ingested_total``: versions newly stored by the webhook
- ``syndicate_tasks_total{task,state}``: task outcomes (success, failure, retry)
- ``syndicate_translation_seconds{lang}``: histogram of one language's translation time
- ``syndicate_segments_total{lang}``: texts sent to the models (segments, and the span
  check's fragments where attention left a tag unclear)
- ``syndicate_translation_flags_total{lang,reason}``: segments of stored translations
  flagged by an output check (``empty``, ``untranslated``, ``runaway``, ``placement``,
  ``low_confidence_markup``: tags placed on unclear attention; the article's
  ``translation.flags`` name the segments)
- ``syndicate_queue_depth{queue}``: messages waiting in each Celery queue
- the review desk's and the translation memories' series (api/review_metrics.py)
- ``syndicate_legacy_signatures_total``: webhook posts accepted with the brief's plain,
  replayable ``sha256=`` signature (issue 9): zero for a while means
  ``require_signature_timestamp`` can be turned on
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Final

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from syndicate.store import ops
from syndicate.store.client import Client

INGESTED: Final = "syndicate_articles_ingested_total"
TASKS: Final = "syndicate_tasks_total"
TRANSLATION_SECONDS: Final = "syndicate_translation_seconds"
SEGMENTS: Final = "syndicate_segments_total"
FLAGS: Final = "syndicate_translation_flags_total"
QUEUE_DEPTH: Final = "syndicate_queue_depth"
LEGACY_SIGNATURES: Final = "syndicate_legacy_signatures_total"
_SERIES: Final = re.compile(r"([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?")
_LABEL: Final = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')

Labels = tuple[tuple[str, str], ...]  # sorted (name, value) pairs
Series = dict[str, dict[Labels, float]]  # metric name -> labels -> value
SeriesReader = Callable[[Series], Iterable[Metric]]  # more families from the stored series


def parse_series(values: Mapping[str, float]) -> Series:
    """``ops.read_metrics`` output (``name{k="v",...}`` -> value) by name and labels;
    names that are not Prometheus series are skipped."""
    series: Series = defaultdict(dict)
    for text, value in values.items():
        match = _SERIES.fullmatch(text)
        if match is None:
            continue
        labels = tuple(sorted(_LABEL.findall(match.group(2) or "")))
        series[match.group(1)][labels] = value
    return series


def _without(labels: Labels, name: str) -> Labels:
    return tuple(pair for pair in labels if pair[0] != name)


def counter(series: Series, name: str, doc: str, label_names: Sequence[str]) -> Metric:
    family = CounterMetricFamily(name, doc, labels=list(label_names))
    for labels, value in sorted(series.get(name, {}).items()):
        given = dict(labels)
        family.add_metric([given.get(n, "") for n in label_names], value)
    return family


def _le_key(le: str) -> float:
    return float("inf") if le == "+Inf" else float(le)


def histogram(series: Series, name: str, doc: str, label: str = "lang") -> Metric:
    """Cumulative buckets per ``label`` (a language, a partner). A bound missing for one of
    them (the bucket list changed since its first observation) gets the count of the bound
    below it, so each shows every bound and the buckets stay cumulative."""
    buckets: dict[Labels, dict[str, float]] = defaultdict(dict)
    for labels, value in series.get(f"{name}_bucket", {}).items():
        buckets[_without(labels, "le")][dict(labels).get("le", "+Inf")] = value
    bounds = sorted({le for per in buckets.values() for le in per} | {"+Inf"}, key=_le_key)
    sums = series.get(f"{name}_sum", {})
    family = HistogramMetricFamily(name, doc, labels=[label])
    for labels, per in sorted(buckets.items()):
        pairs, below = [], 0.0
        for le in bounds:
            below = per.get(le, below)
            pairs.append((le, below))
        family.add_metric([dict(labels).get(label, "")], pairs, sums.get(labels, 0.0))
    return family


def bucket_quantile(buckets: Mapping[str, float], q: float) -> float | None:
    """The bound of the first cumulative bucket (``le`` -> count) holding at least the
    share ``q`` of the observations: "p95 <= that many seconds"; None without any."""
    ordered = sorted(buckets.items(), key=lambda pair: _le_key(pair[0]))
    total = ordered[-1][1] if ordered else 0.0
    if total <= 0:
        return None
    return next(_le_key(le) for le, below in ordered if below >= q * total)


def metric_families(values: Mapping[str, float], depths: Mapping[str, int]) -> list[Metric]:
    """The seven families of this module's docstring from stored series and queue depths."""
    series = parse_series(values)
    ingested = CounterMetricFamily(INGESTED, "Article versions newly stored by the webhook.")
    ingested.add_metric([], series.get(INGESTED, {}).get((), 0.0))
    legacy = CounterMetricFamily(LEGACY_SIGNATURES, "Webhook posts signed in the plain form.")
    legacy.add_metric([], series.get(LEGACY_SIGNATURES, {}).get((), 0.0))
    depth = GaugeMetricFamily(QUEUE_DEPTH, "Messages waiting in a queue.", labels=["queue"])
    for queue, waiting in sorted(depths.items()):
        depth.add_metric([queue], float(waiting))
    return [
        ingested,
        counter(series, TASKS, "Celery tasks finished, by task and state.", ["task", "state"]),
        histogram(series, TRANSLATION_SECONDS, "Seconds to translate one article language."),
        counter(series, SEGMENTS, "Segments sent to translation models.", ["lang"]),
        counter(series, FLAGS, "Translated segments flagged, by reason.", ["lang", "reason"]),
        depth,
        legacy,
    ]


class StoreCollector(Collector):
    """Reads Redis at every scrape: the series and the depth of every broker queue (those
    Celery declared, plus ``queues``, so an idle queue shows 0 rather than nothing)."""

    def __init__(
        self, client: Client, queues: Iterable[str], readers: Sequence[SeriesReader] = ()
    ) -> None:
        self.client = client
        self.queues = tuple(queues)
        self.readers = tuple(readers)

    def collect(self) -> Iterator[Metric]:
        values = ops.read_metrics(self.client)
        for reader in self.readers:  # more families from the same read of the series
            yield from reader(parse_series(values))
        names = sorted({*ops.broker_queues(self.client), *self.queues})
        yield from metric_families(values, ops.queue_depths(self.client, names))


def render_metrics(
    client: Client,
    queues: Iterable[str],
    *more: Collector,
    readers: Sequence[SeriesReader] = (),
) -> bytes:
    """Prometheus text of one scrape (serve with ``prometheus_client.CONTENT_TYPE_LATEST``);
    raises ``StoreUnavailable`` when Redis is away."""
    registry = CollectorRegistry(auto_describe=False)
    for collector in (StoreCollector(client, queues, readers), *more):
        registry.register(collector)
    return generate_latest(registry)
