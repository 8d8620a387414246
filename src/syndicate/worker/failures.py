"""How a language, or a whole version, ends for good: ``failed`` with the reason operators
will read, or ``no_model`` with the pair. Each is also noted among the recent failures
``syndicate status`` lists (the states keep only an article's latest version). No language
is left ``queued`` for ever (docs/architecture.md, "Reliability").
"""

from __future__ import annotations

from datetime import datetime

from syndicate.errors import NoModel
from syndicate.news.states import LanguageState, Outcome
from syndicate.store import articles, ops
from syndicate.store.client import Client

Ids = tuple[str, int, str]


def record_no_model(client: Client, ids: Ids, exc: NoModel, now: datetime) -> None:
    """``ids[2]`` has no model: a final state, never retried (installing a model and
    ``syndicate retry`` is the cure); ``exc`` names the pair."""
    articles.set_state(client, *ids, LanguageState.NO_MODEL, now, str(exc))
    ops.note_failure(client, *ids, LanguageState.NO_MODEL, str(exc), now)


def fail_language(client: Client, ids: Ids, reason: str, now: datetime) -> Outcome:
    """Record that a language failed for good, with the reason operators will read."""
    article_id, version, lang = ids
    outcome = articles.set_state(
        client, article_id, version, lang, LanguageState.FAILED, now, reason
    )
    if outcome is Outcome.WRITTEN:
        ops.note_failure(client, *ids, LanguageState.FAILED, reason, now)
    return outcome


def fail_version(
    client: Client, article_id: str, version: int, reason: str, now: datetime
) -> list[str]:
    """End every unfinished language of ``version`` as ``failed`` (its ingest failed for
    good, or its source cannot be rendered): no language is left ``queued`` for ever.
    Returns the languages failed."""
    _, states = articles.get_status(client, article_id)
    open_states = (LanguageState.QUEUED, LanguageState.TRANSLATING)
    chosen = [
        lang for lang, st in states.items() if st.version == version and st.state in open_states
    ]
    return [
        lang
        for lang in chosen
        if fail_language(client, (article_id, version, lang), reason, now) is Outcome.WRITTEN
    ]
