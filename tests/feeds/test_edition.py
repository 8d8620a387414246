"""An edition isolates its items: one that cannot be rendered is left out and reported, the
rest render as if it were not there (issue 9: one item once froze every feed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from syndicate.feeds.edition import FeedSite, entries_of, item_problem, render_edition

from feed_samples import BASE_URL, NOW, PROVIDER, entry, kobani_en, rudaw_sample

SITE = FeedSite(PROVIDER, BASE_URL, ttl=5, size=10)
YEAR_10000_UTC = datetime(9999, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-1)))


def test_an_unrenderable_entry_is_skipped_and_the_rest_render() -> None:
    good = entry(rudaw_sample())
    poison = entry(replace(kobani_en(), updated_at=YEAR_10000_UTC))
    edition = render_edition("en", [poison, good], SITE, now=NOW)
    assert [(s.article_id, s.version) for s in edition.skipped] == [
        (poison[0].id, poison[0].version)
    ]
    assert edition.skipped[0].reason.startswith("OverflowError")
    assert set(edition.bodies) == {"rss", "newsml", "ninjs", "ninjs-2.2", "ninjs-1.6"}
    for body in edition.bodies.values():
        assert good[1].guid.encode() in body and poison[1].guid.encode() not in body
    assert render_edition("en", [good], SITE, now=NOW).bodies == edition.bodies


def test_item_problem_checks_an_embargoed_item_as_it_will_be_shown() -> None:
    """An embargoed item renders (it is not shown yet) until its embargo ends: the check
    before storing must fail it now, not leave it to break the feed later."""
    assert item_problem(entry(rudaw_sample()), SITE, NOW) is None
    body = "<div>" * 300 + "Kobani" + "</div>" * 300  # past MAX_DEPTH: the sanitiser refuses
    hidden = replace(kobani_en(), body_html=body, embargo_until=NOW + timedelta(hours=1))
    assert render_edition("en", [entry(hidden)], SITE, now=NOW).skipped == ()
    assert item_problem(entry(hidden), SITE, NOW) is not None


def test_a_record_the_guid_cannot_carry_is_reported() -> None:
    article = kobani_en()
    entries, skipped = entries_of([(article, YEAR_10000_UTC, NOW), (article, NOW, NOW)], SITE)
    assert len(entries) == 1 and [s.article_id for s in skipped] == [article.id]
