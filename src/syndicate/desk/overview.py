"""The desk's queue page values (issue 18): what waits in each language the editor
reviews, oldest first, with filters; and the languages that failed or found no model,
for the operator to retry."""

from __future__ import annotations

from typing import Any, Final

from syndicate.desk import views
from syndicate.desk.access import Actor
from syndicate.errors import NoSuchArticle
from syndicate.news.states import LanguageState
from syndicate.store import articles, ops
from syndicate.store import review as store_review
from syndicate.store.client import Client

SHOWN: Final = 200
FAILURES_SHOWN: Final = 20
_FAILED: Final = (LanguageState.FAILED, LanguageState.NO_MODEL)


def _still_failed(client: Client, failure: ops.Failure) -> bool:
    """A failure not retried since (the failures list keeps every event)."""
    try:
        _, states = articles.get_status(client, failure.article_id)
    except NoSuchArticle:
        return False
    status = states.get(failure.lang)
    return status is not None and status.version == failure.version and status.state in _FAILED


def overview(client: Client, actor: Actor, lang: str | None, flagged: bool) -> dict[str, Any]:
    """Languages with their counts and oldest waits, the held items shown, the failures."""
    langs = [x for x in store_review.held_languages(client) if actor.may_review(x)]
    waiting = store_review.waiting(client, langs)
    items = []
    for x in [lang] if lang in langs else langs:
        items += store_review.queue(client, x, SHOWN)
    items.sort(key=lambda q: (q.held_since, q.article_id))
    shown = [views.queued_json(q) for q in items if not flagged or any(q.flags.values())]
    recent = ops.recent_failures(client, FAILURES_SHOWN)
    failures = [f for f in recent if actor.may_review(f.lang) and _still_failed(client, f)]
    return {
        "langs": [{"lang": x, "held": waiting[x].held, "oldest": waiting[x].oldest} for x in langs],
        "items": shown,
        "failures": failures,
    }
