"""The review desk's part of the translate step (issue 18): a translation the policy holds
is kept for an editor instead of stored as an item, so no feed, item or push can show it;
approved segments of earlier versions come from the human memory, never from the model.

Holding carries the edits of the record it replaces (an earlier version, or this one
before a retranslation) over to the segments whose source did not change; a hold read
from a record an editor changed meanwhile is made again (``Retry``), so no edit is lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from syndicate.news.states import LanguageState, Outcome
from syndicate.review.held import hold_draft
from syndicate.review.segments import Origin, remembered
from syndicate.store import articles
from syndicate.store import review as store_review
from syndicate.store.client import Client
from syndicate.translation.stage import Draft, Known

ATTEMPTS: Final = 5  # edits racing a hold: each retry reads the record again
SETTLED: Final = frozenset({LanguageState.IN_REVIEW, LanguageState.REJECTED})


def human_memory(client: Client, lang: str) -> Known:
    """The translate stage's ``known``: approved segments of ``lang`` from the store."""

    def lookup(source_keys: Sequence[str]) -> Mapping[str, str]:
        found = store_review.get_human(client, lang, source_keys)
        return {key: entry["text"] for key, entry in found.items()}

    return remembered(lookup)


def is_settled(client: Client, ids: tuple[str, int, str]) -> bool:
    """True when ``lang`` already waits for an editor (or was rejected) in this version: a
    redelivered translation then changes nothing; a retranslation queues it first."""
    article_id, version, lang = ids
    _, states = articles.get_status(client, article_id)
    status = states.get(lang)
    return status is not None and status.version == version and status.state in SETTLED


def hold(client: Client, draft: Draft, now: datetime) -> Outcome:
    """Keep ``draft`` for an editor and mark its language ``in_review``; what the store
    answered (STALE for a superseded version)."""
    article = draft.article
    for _ in range(ATTEMPTS):
        found = store_review.get_held(client, article.id, article.language)
        previous = found.held if found else None
        since = now
        if previous is not None and previous.version == article.version:
            since = previous.held_since  # the same version again: its place in the queue
        held, carried = hold_draft(draft, since, previous)
        try:
            outcome = store_review.hold(client, held, found.rev if found else "", now)
        except store_review.Retry:
            continue
        if outcome is Outcome.WRITTEN:
            event = {"action": "held", "version": article.version, "carried": sorted(carried)}
            store_review.log(client, article.id, article.language, {**event, "at": now.isoformat()})
        return outcome
    raise store_review.Retry(f"{article.id}: edits kept changing the review record")


def from_memory(draft: Draft) -> dict[str, int]:
    """Segments taken from the human memory, for the hit-rate metric."""
    return {str(Origin.HUMAN): sum(len(k) for k in draft.known.values())}
