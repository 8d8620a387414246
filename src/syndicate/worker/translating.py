"""The translate step: one language of one version, translated in one batched model call
behind the shared translation memory, then stored as that language's item.

Idempotent on (id, version, lang): a superseded version, or a language already holding an
item of this version, returns without work (a redelivered task changes nothing).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from syndicate.errors import NoModel
from syndicate.feeds.edition import FeedSite
from syndicate.markup.alignment import AlignedTranslation, SegmentTranslator
from syndicate.models.engine import Engine
from syndicate.news.article import Article, ArticleStatus, ModelInfo
from syndicate.news.languages import primary
from syndicate.news.states import LanguageState, Outcome
from syndicate.review.policy import ReviewPolicy
from syndicate.store import articles, memory
from syndicate.store import review as store_review
from syndicate.store.client import Client
from syndicate.translation.glossary import Glossary
from syndicate.translation.plan import translate_with_memory
from syndicate.translation.stage import Draft, draft_translation
from syndicate.worker import holding
from syndicate.worker.failures import record_no_model
from syndicate.worker.items import current, store_item, stored_version, withdraw_language


@dataclass(frozen=True, slots=True)
class Translated:
    """How a translate step ended, for logs and metrics: ``segments`` sent to the model,
    the translation's segment flags counted by reason (``low_confidence_markup``...), the
    texts looked up in the memories and those found there by origin (human, machine)."""

    outcome: Outcome | LanguageState
    segments: int = 0
    flags: Mapping[str, int] = field(default_factory=dict)
    looked_up: int = 0
    found: Mapping[str, int] = field(default_factory=dict)


def _remembering(client: Client, translator: SegmentTranslator, model: str) -> SegmentTranslator:
    """``translator`` behind the shared translation memory: known segments come from Redis,
    only the rest go to the model, and what it returns is remembered."""

    def run(texts: Sequence[str]) -> list[AlignedTranslation]:
        results, fresh = translate_with_memory(
            texts, translator, memory.get_tm(client, model, texts)
        )
        if fresh:
            memory.put_tm(client, model, fresh)
        return results

    return run


def _counting(translator: SegmentTranslator, sent: list[int]) -> SegmentTranslator:
    def run(texts: Sequence[str]) -> list[AlignedTranslation]:
        sent.append(len(texts))
        return translator(texts)

    return run


def translate_language(
    client: Client,
    engine: Engine,
    glossary: Glossary,
    ids: tuple[str, int, str],
    now: datetime,
    *,
    site: FeedSite,
    policy: ReviewPolicy | None = None,
) -> Translated:
    """Translate version ``ids[1]`` of article ``ids[0]`` into ``ids[2]`` and store it, or
    hold it for an editor where ``policy`` says so (``in_review``: nothing is stored).

    A superseded version, or a language already done or held, returns without work; a pair
    with no model ends as ``no_model`` (no retry: installing a model and ``syndicate
    retry`` is the cure); a kill republishes the language's last item as withdrawn and
    takes the article off the review queue.
    """
    begun = _begin(client, engine, ids, now)
    if isinstance(begun, Translated):
        return begun
    (article, models), lang = begun, ids[2]
    pair = (primary(article.language), primary(lang))
    sent: list[int] = []
    asked: list[int] = []
    model = _counting(engine.translator(*pair), sent)
    remembered = _remembering(client, model, engine.memory_key(*pair))
    known = holding.human_memory(client, lang)
    draft = draft_translation(article, lang, _counting(remembered, asked), models, glossary, known)
    human = holding.from_memory(draft)
    counted = Translated(
        Outcome.WRITTEN,
        sum(sent),
        looked_up=sum(asked) + sum(human.values()),
        found={**human, "machine": sum(asked) - sum(sent)},
    )
    return _held_or_stored(client, draft, counted, policy or ReviewPolicy(), site, now)


def _begin(
    client: Client, engine: Engine, ids: tuple[str, int, str], now: datetime
) -> Translated | tuple[Article, tuple[ModelInfo, ...]]:
    """The article and the pair's models, the language marked ``translating``; or how the
    step ends at once: superseded, done or held already, a kill, no model."""
    article_id, version, lang = ids
    article = current(client, article_id, version)
    if article is None:
        return Translated(Outcome.STALE)
    if stored_version(client, article_id, lang) == version:
        return Translated(Outcome.ALREADY_DONE)  # stored, its feeds not yet rendered
    if holding.is_settled(client, ids):
        return Translated(LanguageState.IN_REVIEW)  # held already: redelivered
    started = articles.set_state(client, article_id, version, lang, LanguageState.TRANSLATING, now)
    if started is not Outcome.WRITTEN:
        return Translated(started)
    if article.status is ArticleStatus.WITHDRAWN:
        store_review.drop(client, article_id, lang)  # a kill leaves the review queue too
        return Translated(withdraw_language(client, article, lang, now))
    try:
        return article, engine.models_for(primary(article.language), primary(lang))
    except NoModel as exc:
        record_no_model(client, ids, exc, now)
        return Translated(LanguageState.NO_MODEL)


def _held_or_stored(
    client: Client,
    draft: Draft,
    counted: Translated,
    policy: ReviewPolicy,
    site: FeedSite,
    now: datetime,
) -> Translated:
    """Hold the translation for an editor where the policy says so, else store it; the
    outcome with the flags (of a held or newly stored translation) by reason."""
    article = draft.article
    flags = article.translation.flags if article.translation else ()
    reasons = dict(Counter(f.reason for f in flags))
    if policy.holds(article.language, bool(flags)):
        held = holding.hold(client, draft, now)
        outcome = LanguageState.IN_REVIEW if held is Outcome.WRITTEN else held
        return dataclasses.replace(counted, outcome=outcome, flags=reasons)
    stored = store_item(client, article, site, now)
    if stored is Outcome.WRITTEN:  # an earlier version held before the policy changed
        store_review.drop(client, article.id, article.language)
    shown = reasons if stored is Outcome.WRITTEN else {}
    return dataclasses.replace(counted, outcome=stored, flags=shown)
