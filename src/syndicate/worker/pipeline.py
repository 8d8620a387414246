"""The pipeline's steps: accept a version, publish the source, translate a language, render
a language's feeds. Each takes the store client and plain values, reads what it needs,
calls the core and writes through the store, so tasks.py, api.py and cli.py stay thin and
tests call the steps directly.

Every step is idempotent on (id, version, lang): the store refuses stale versions and
treats a language already published (or withdrawn) for a version as done, so a redelivered
task changes nothing (brief section 3; docs/architecture.md, "Reliability").
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from syndicate.errors import NoModel, NoSuchArticle
from syndicate.feeds.edition import (
    BODIES,
    Edition,
    FeedSite,
    entries_of,
    item_problem,
    render_edition,
)
from syndicate.feeds.record import Entry, derive_publication, is_visible
from syndicate.markup.alignment import AlignedTranslation, SegmentTranslator
from syndicate.models.engine import Engine
from syndicate.news.article import Article, ArticleStatus, ModelInfo
from syndicate.news.languages import primary
from syndicate.news.states import LanguageState, Outcome
from syndicate.store import articles, feeds, memory, ops
from syndicate.store.client import Client
from syndicate.translation.glossary import Glossary
from syndicate.translation.plan import translate_with_memory
from syndicate.translation.stage import translate_article


@dataclass(frozen=True, slots=True)
class Accepted:
    """What ``accept`` stored: WRITTEN for new work, ALREADY_DONE for a replay."""

    article_id: str
    version: int
    outcome: Outcome
    source: str
    targets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Translated:
    """How a translate step ended, for logs and metrics: ``segments`` sent to the model,
    and the translation's segment flags counted by reason (``low_confidence_markup``...)."""

    outcome: Outcome | LanguageState
    segments: int = 0
    flags: Mapping[str, int] = field(default_factory=dict)


def targets_of(article: Article, default_targets: Sequence[str]) -> tuple[str, ...]:
    """The article's own targets, else the configured ones; never its own language."""
    chosen = article.targets or tuple(default_targets)
    source = primary(article.language)
    return tuple(dict.fromkeys(t for t in chosen if primary(t) != source))


def accept(
    client: Client, article: Article, default_targets: Sequence[str], now: datetime
) -> Accepted:
    """Store a version with its source and target languages queued (``StaleVersion`` for
    one older than the stored version). The caller dispatches ``ingest`` when WRITTEN.

    Every language the article already went out in is a target too, whatever this
    version's ``targets`` say: a kill must leave every feed, and an update must not leave
    a stale translation standing where partners already have the story.
    """
    chosen = targets_of(article, default_targets)
    held = articles.held_languages(client, article.id)
    source = primary(article.language)
    targets = (*chosen, *(h for h in held if h not in chosen and primary(h) != source))
    outcome = articles.save_version(client, article, [article.language, *targets], now)
    return Accepted(article.id, article.version, outcome, article.language, targets)


@dataclass(frozen=True, slots=True)
class FanOut:
    """What ingest does with a version's targets: ``translate`` goes to the
    ``translate.<lang>`` queues; ``withdraw`` (a kill) is done at once, needing no model."""

    translate: tuple[str, ...] = ()
    withdraw: tuple[str, ...] = ()


def fan_out(
    client: Client,
    engine: Engine,
    article_id: str,
    version: int,
    configured: Sequence[str],
    now: datetime,
) -> FanOut:
    """Split the target languages ``accept`` queued for ``version`` (none once superseded).

    A kill is taken to every target at once by ingest: it must not wait behind
    translations, nor on a queue no worker reads. A target outside the configured
    languages that no installed package serves has no ``translate.<lang>`` consumer
    (``syndicate worker`` listens to the configured and installed languages), so it ends
    as ``no_model`` now. Configured languages are always queued: a worker for them may run
    elsewhere, with models this process lacks.
    """
    item, states = articles.get_status(client, article_id)
    article = item.article
    if article.version != version:
        return FanOut()
    source = primary(article.language)
    targets = [t for t, st in states.items() if primary(t) != source and st.version == version]
    if article.status is ArticleStatus.WITHDRAWN:
        return FanOut(withdraw=tuple(targets))
    known = {primary(c) for c in configured}
    keep = []
    for target in targets:
        try:
            if primary(target) not in known:
                engine.models_for(source, primary(target))
            keep.append(target)
        except NoModel as exc:
            _record_no_model(client, (article_id, version, target), exc, now)
    return FanOut(translate=tuple(keep))


@dataclass(frozen=True, slots=True)
class Requeued:
    """What ``requeue`` put back to ``queued``: when ``source`` is among ``again`` the caller
    sends the ingest (it republishes the source and fans the targets out again), otherwise
    a translation per language."""

    version: int
    source: str
    again: tuple[str, ...]


def requeue(
    client: Client, article_id: str, langs: Sequence[str] | None, now: datetime
) -> Requeued:
    """Put the latest version's unfinished languages (or ``langs``), the source included,
    back to ``queued``, for ``syndicate retry``. Published and withdrawn languages stay as
    they are."""
    item, states = articles.get_status(client, article_id)
    version = item.article.version
    done = (LanguageState.PUBLISHED, LanguageState.WITHDRAWN)
    again = []
    for lang in langs or states:
        status = states.get(lang)
        if status is not None and status.version == version and status.state in done:
            continue
        if (
            articles.set_state(client, article_id, version, lang, LanguageState.QUEUED, now)
            is Outcome.WRITTEN
        ):
            again.append(lang)
    return Requeued(version, item.article.language, tuple(again))


def _current(client: Client, article_id: str, version: int) -> Article | None:
    """The stored article if ``version`` is still its latest, else None (superseded)."""
    try:
        article = articles.get_article(client, article_id).article
    except NoSuchArticle:
        return None
    return article if article.version == version else None


def _withdrawal(client: Client, article: Article, lang: str) -> Article | None:
    """The item to publish when ``article`` (a kill) reaches ``lang``: the language's last
    published item, marked withdrawn at the kill's version; None if it never went out."""
    previous = articles.get_item(client, article.id, lang)
    if previous is None:
        return article if primary(article.language) == primary(lang) else None
    return dataclasses.replace(
        previous.article, version=article.version, status=ArticleStatus.WITHDRAWN
    )


def publish_source(
    client: Client, article_id: str, version: int, now: datetime, *, site: FeedSite
) -> Outcome | LanguageState:
    """Publish the source-language item of ``version`` (the source has a feed too).

    A source item that cannot be rendered ends the whole version as ``failed``: its
    translations would carry the same dates and markup, and no language may stay queued.
    """
    article = _current(client, article_id, version)
    if article is None:
        return Outcome.STALE
    if article.status is ArticleStatus.WITHDRAWN:
        article = _withdrawal(client, article, article.language) or article
    problem = render_problem(article, site, now)
    if problem is not None:
        fail_version(client, article_id, version, f"cannot be rendered: {problem}", now)
        return LanguageState.FAILED
    return articles.publish_item(client, article, now, mark_done=False)


def render_problem(article: Article, site: FeedSite, now: datetime) -> str | None:
    """Why ``article`` cannot go into its language's feeds (None: it can), checked before
    the store takes it: a poison item is its own failure, never its feed's (issue 9)."""
    pub = derive_publication(article, site.provider, site.base_url, version_created=now)
    return item_problem((article, pub), site, now)


def _store_item(
    client: Client, article: Article, site: FeedSite, now: datetime
) -> Outcome | LanguageState:
    """``publish_item`` after the render check; an item that fails it ends ``failed``."""
    problem = render_problem(article, site, now)
    if problem is None:
        return articles.publish_item(client, article, now, mark_done=False)
    ids = (article.id, article.version, article.language)
    fail_language(client, ids, f"cannot be rendered: {problem}", now)
    return LanguageState.FAILED


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
    """Translate version ``ids[1]`` of article ``ids[0]`` into ``ids[2]`` and publish it.

    A superseded version, or a language already done, returns without work; a pair with no
    model ends as ``no_model`` (no retry: installing a model and ``syndicate retry`` is the
    cure); a kill republishes the language's last item as withdrawn.
    """
    article_id, version, lang = ids
    article = _current(client, article_id, version)
    if article is None:
        return Translated(Outcome.STALE)
    if _stored_version(client, article_id, lang) == version:
        return Translated(Outcome.ALREADY_DONE)  # stored, its feeds not yet rendered
    started = articles.set_state(client, article_id, version, lang, LanguageState.TRANSLATING, now)
    if started is not Outcome.WRITTEN:
        return Translated(started)
    if article.status is ArticleStatus.WITHDRAWN:
        return Translated(_withdraw_language(client, article, lang, now))
    try:
        models = engine.models_for(primary(article.language), primary(lang))
    except NoModel as exc:
        _record_no_model(client, ids, exc, now)
        return Translated(LanguageState.NO_MODEL)
    sent: list[int] = []
    base = engine.translator(primary(article.language), primary(lang))
    translator = _remembering(client, _counting(base, sent), _tm_name(models))
    translated = translate_article(article, lang, translator, models, glossary)
    stored = _store_item(client, translated, site, now)
    flags = translated.translation.flags if translated.translation else ()
    reasons = Counter(f.reason for f in flags) if stored is Outcome.WRITTEN else Counter()
    return Translated(stored, sum(sent), dict(reasons))


def _record_no_model(
    client: Client, ids: tuple[str, int, str], exc: NoModel, now: datetime
) -> None:
    articles.set_state(client, *ids, LanguageState.NO_MODEL, now, str(exc))
    ops.note_failure(client, *ids, LanguageState.NO_MODEL, str(exc), now)


def _withdraw_language(client: Client, article: Article, lang: str, now: datetime) -> Outcome:
    withdrawn = _withdrawal(client, article, lang)
    if withdrawn is None:
        return articles.set_state(
            client, article.id, article.version, lang, LanguageState.WITHDRAWN, now
        )
    return articles.publish_item(client, withdrawn, now, mark_done=False)


def _stored_version(client: Client, article_id: str, lang: str) -> int | None:
    item = articles.get_item(client, article_id, lang)
    return None if item is None else item.article.version


def mark_published(client: Client, ids: tuple[str, int, str], now: datetime) -> Outcome | None:
    """Once ``lang``'s feeds are rendered, mark the version ``published`` there (``withdrawn``
    for a kill): the state a client reads never runs ahead of the feeds. None when the
    language holds no item of that version (a superseded task, or a kill of a language that
    never went out)."""
    article_id, version, lang = ids
    item = articles.get_item(client, article_id, lang)
    if item is None or item.article.version != version:
        return None
    withdrawn = item.article.status is ArticleStatus.WITHDRAWN
    state = LanguageState.WITHDRAWN if withdrawn else LanguageState.PUBLISHED
    return articles.set_state(client, article_id, version, lang, state, now)


def fail_language(client: Client, ids: tuple[str, int, str], reason: str, now: datetime) -> Outcome:
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


def render_language(client: Client, lang: str, site: FeedSite, now: datetime) -> Edition:
    """Render ``lang``'s feeds from the store and store them with their ETags.

    A render from an item set older than the stored render's is dropped by the store, so
    concurrent publishes in one language leave the newest feed. A format with nothing to
    show is stored empty, so a poll never serves items that have left the feed. Items that
    cannot be read or rendered are left out and reported in ``Edition.skipped``.
    """
    item_set = feeds.read_items(client, lang, now, site.size)
    records = [(i.article, i.first_created, i.version_created) for i in item_set.items]
    entries, unusable = entries_of(records, site)
    edition = render_edition(lang, entries, site, now=now)
    left_out = {(s.article_id, s.version) for s in edition.skipped}
    shown = [e for e in entries if (e[0].id, e[0].version) not in left_out]
    fingerprint = _fingerprint(shown, site, now)
    for name in BODIES:
        body = edition.bodies.get(name, b"")
        feeds.write_feed(client, lang, name, body, item_set.generation, now, fingerprint)
    skipped = (*item_set.unreadable, *unusable, *edition.skipped)
    return dataclasses.replace(edition, skipped=skipped)


def publish_language(
    client: Client, ids: tuple[str, int, str], site: FeedSite, now: datetime
) -> Edition:
    """The publish step: render the language, then mark the version published there, unless
    the render had to leave it out; every item left out ends ``failed`` with the reason."""
    edition = render_language(client, ids[2], site, now)
    for skipped in edition.skipped:
        reason = f"left out of the feeds: {skipped.reason}"
        fail_language(client, (skipped.article_id, skipped.version, ids[2]), reason, now)
    if not any((s.article_id, s.version) == ids[:2] for s in edition.skipped):
        mark_published(client, ids, now)
    return edition


def _fingerprint(entries: Sequence[Entry], site: FeedSite, now: datetime) -> str:
    """What a render shows, without its render time: the same items at the same versions,
    statuses and visibility, on the same site, render the same feed (but for <sent> and
    lastBuildDate)."""
    parts = sorted(
        f"{a.id}|{a.version}|{a.status}|{is_visible(a, now)}|{p.version_created.isoformat()}"
        for a, p in entries
    )
    return hashlib.sha256("\n".join([repr(site), *parts]).encode()).hexdigest()
