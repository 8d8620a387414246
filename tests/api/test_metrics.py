"""The /metrics families built from stored series: names and labels read back, histograms
completed, counters present from the first scrape."""

from __future__ import annotations

from typing import Any

from prometheus_client.core import Metric

from syndicate.api.metrics import bucket_quantile, metric_families, parse_series


def _samples(families: list[Metric]) -> dict[tuple[Any, ...], float]:
    return {
        (s.name, *sorted(s.labels.items())): s.value for family in families for s in family.samples
    }


def test_series_names_are_read_back_into_name_and_labels() -> None:
    series = parse_series(
        {
            'syndicate_tasks_total{state="retry",task="syndicate.publish"}': 2.0,
            'odd_total{note="say \\"hi\\", twice"}': 1.0,
            "syndicate_articles_ingested_total": 5.0,
            "not a series": 9.0,
        }
    )
    assert series["syndicate_tasks_total"] == {
        (("state", "retry"), ("task", "syndicate.publish")): 2.0
    }
    assert series["odd_total"] == {(("note", 'say \\"hi\\", twice'),): 1.0}
    assert series["syndicate_articles_ingested_total"] == {(): 5.0}
    assert "not a series" not in series and "not" not in series


def test_every_family_is_present_before_anything_happened() -> None:
    families = metric_families({}, {"syndicate": 0})
    assert [f.name for f in families] == [
        "syndicate_articles_ingested",
        "syndicate_tasks",
        "syndicate_translation_seconds",
        "syndicate_segments",
        "syndicate_translation_flags",
        "syndicate_queue_depth",
        "syndicate_legacy_signatures",
    ]
    samples = _samples(families)
    assert samples[("syndicate_articles_ingested_total",)] == 0
    assert samples[("syndicate_legacy_signatures_total",)] == 0
    assert samples[("syndicate_queue_depth", ("queue", "syndicate"))] == 0


def test_histogram_bound_missing_for_a_language_keeps_the_buckets_cumulative() -> None:
    stored = {
        'syndicate_translation_seconds_bucket{lang="ar",le="1.0"}': 1.0,
        'syndicate_translation_seconds_bucket{lang="ar",le="5.0"}': 3.0,
        'syndicate_translation_seconds_bucket{lang="ar",le="+Inf"}': 4.0,
        'syndicate_translation_seconds_bucket{lang="tr",le="1.0"}': 2.0,
        'syndicate_translation_seconds_bucket{lang="tr",le="+Inf"}': 2.0,
        'syndicate_translation_seconds_sum{lang="ar"}': 12.5,
        'syndicate_translation_seconds_sum{lang="tr"}': 1.0,
    }
    samples = _samples(metric_families(stored, {}))
    tr_buckets = [
        samples[("syndicate_translation_seconds_bucket", ("lang", "tr"), ("le", le))]
        for le in ("1.0", "5.0", "+Inf")
    ]
    assert tr_buckets == [2.0, 2.0, 2.0]
    assert samples[("syndicate_translation_seconds_count", ("lang", "ar"))] == 4.0
    assert samples[("syndicate_translation_seconds_sum", ("lang", "ar"))] == 12.5


def test_translation_flags_are_counted_by_language_and_reason() -> None:
    stored = {
        'syndicate_translation_flags_total{lang="ar",reason="low_confidence_markup"}': 3.0,
        'syndicate_translation_flags_total{lang="tr",reason="placement"}': 1.0,
    }
    samples = _samples(metric_families(stored, {}))
    key = ("syndicate_translation_flags_total", ("lang", "ar"), ("reason", "low_confidence_markup"))
    assert samples[key] == 3.0
    assert samples[("syndicate_translation_flags_total", ("lang", "tr"), ("reason", "placement"))]


def test_a_quantile_is_the_bound_of_the_bucket_that_reaches_it() -> None:
    buckets = {"0.5": 3.0, "1.0": 3.0, "2.5": 9.0, "+Inf": 10.0}
    assert bucket_quantile(buckets, 0.3) == 0.5
    assert bucket_quantile(buckets, 0.5) == 2.5
    assert bucket_quantile(buckets, 0.95) == float("inf")
    assert bucket_quantile({"0.5": 0.0, "+Inf": 0.0}, 0.5) is None
