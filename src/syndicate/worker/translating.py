"""The translate step: one language of one version, translated in one batched model call
behind the shared translation memory, then stored as that language's item.

Idempotent on (id, version, lang): a superseded version, or a language already holding an
item of this version, returns without work (a redelivered task changes nothing).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from syndicate.errors import NoModel
from syndicate.feeds.edition import FeedSite
from syndicate.markup.alignment import AlignedTranslation, SegmentTranslator
from syndicate.models.engine import Engine
from syndicate.news.article import ArticleStatus, ModelInfo
from syndicate.news.languages import primary
from syndicate.news.states import LanguageState, Outcome
from syndicate.store import articles, memory
from syndicate.store.client import Client
from syndicate.translation.glossary import Glossary
from syndicate.translation.plan import translate_with_memory
from syndicate.translation.stage import translate_article
from syndicate.worker.failures import record_no_model
from syndicate.worker.items import current, store_item, stored_version, withdraw_language


@dataclass(frozen=True, slots=True)
class Translated:
    """How a translate step ended, for logs and metrics: ``segments`` sent to the model,
    and the translation's segment flags counted by reason (``low_confidence_markup``...)."""

    outcome: Outcome | LanguageState
    segments: int = 0
    flags: Mapping[str, int] = field(default_factory=dict)


def _tm_name(models: Sequence[ModelInfo]) -> str:
    return ">".join(f"{m.code}@{m.version}" for m in models)


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
) -> Translated:
    """Translate version ``ids[1]`` of article ``ids[0]`` into ``ids[2]`` and store it.

    A superseded version, or a language already done, returns without work; a pair with no
    model ends as ``no_model`` (no retry: installing a model and ``syndicate retry`` is the
    cure); a kill republishes the language's last item as withdrawn.
    """
    article_id, version, lang = ids
    article = current(client, article_id, version)
    if article is None:
        return Translated(Outcome.STALE)
    if stored_version(client, article_id, lang) == version:
        return Translated(Outcome.ALREADY_DONE)  # stored, its feeds not yet rendered
    started = articles.set_state(client, article_id, version, lang, LanguageState.TRANSLATING, now)
    if started is not Outcome.WRITTEN:
        return Translated(started)
    if article.status is ArticleStatus.WITHDRAWN:
        return Translated(withdraw_language(client, article, lang, now))
    try:
        models = engine.models_for(primary(article.language), primary(lang))
    except NoModel as exc:
        record_no_model(client, ids, exc, now)
        return Translated(LanguageState.NO_MODEL)
    sent: list[int] = []
    base = engine.translator(primary(article.language), primary(lang))
    translator = _remembering(client, _counting(base, sent), _tm_name(models))
    translated = translate_article(article, lang, translator, models, glossary)
    stored = store_item(client, translated, site, now)
    flags = translated.translation.flags if translated.translation else ()
    reasons = Counter(f.reason for f in flags) if stored is Outcome.WRITTEN else Counter()
    return Translated(stored, sum(sent), dict(reasons))
