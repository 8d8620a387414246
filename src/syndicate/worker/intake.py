"""What work a version gets: ``accept`` stores it with its languages queued, ``fan_out``
(at ingest) splits its targets into translations and a kill's withdrawals, and
``requeue`` (``syndicate retry``) puts unfinished languages back.

Each takes the store client and plain values, so worker/tasks.py, worker/submit.py (the
API's and the CLI's way in) stay thin and tests call them directly. All are idempotent on
(id, version, lang): the store refuses stale versions (brief section 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from syndicate.errors import NoModel, UnknownLanguage
from syndicate.models.engine import Engine
from syndicate.news.article import Article, ArticleStatus
from syndicate.news.languages import primary
from syndicate.news.states import LanguageState, Outcome
from syndicate.store import articles
from syndicate.store.client import Client
from syndicate.worker.failures import record_no_model


@dataclass(frozen=True, slots=True)
class Accepted:
    """What ``accept`` stored: WRITTEN for new work, ALREADY_DONE for a replay; ``dispatch``
    when the caller holds the claim to send its ingest (``articles.save_version``)."""

    article_id: str
    version: int
    outcome: Outcome
    source: str
    targets: tuple[str, ...]
    dispatch: bool = False


def targets_of(article: Article, default_targets: Sequence[str]) -> tuple[str, ...]:
    """The article's own targets, else the configured ones; never its own language."""
    chosen = article.targets or tuple(default_targets)
    source = primary(article.language)
    return tuple(dict.fromkeys(t for t in chosen if primary(t) != source))


def accept(
    client: Client, article: Article, default_targets: Sequence[str], now: datetime
) -> Accepted:
    """Store a version with its source and target languages queued (``StaleVersion`` for
    one older than the stored version). The caller sends the ingest when told to
    (``Accepted.dispatch``: the version is new, or its ingest never reached the broker).

    Every language the article already went out in is a target too, whatever this
    version's ``targets`` say: a kill must leave every feed, and an update must not leave
    a stale translation standing where partners already have the story.
    """
    chosen = targets_of(article, default_targets)
    held = articles.held_languages(client, article.id)
    source = primary(article.language)
    targets = (*chosen, *(h for h in held if h not in chosen and primary(h) != source))
    saved = articles.save_version(client, article, [article.language, *targets], now)
    ids = (article.id, article.version, saved.outcome)
    return Accepted(*ids, article.language, targets, saved.dispatch)


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
    keep = []
    for target in targets:
        missing = unserved(engine, configured, source, target)
        if missing is None:
            keep.append(target)
        else:
            record_no_model(client, (article_id, version, target), missing, now)
    return FanOut(translate=tuple(keep))


def unserved(engine: Engine, configured: Sequence[str], source: str, target: str) -> NoModel | None:
    """Why no worker would translate ``source`` into ``target`` (None: one would). A
    configured language always has a consumer (``syndicate worker`` listens to the
    configured and installed languages; it may run elsewhere, with models this process
    lacks); any other needs a package installed here."""
    if primary(target) in {primary(c) for c in configured}:
        return None
    try:
        engine.models_for(primary(source), primary(target))
    except NoModel as exc:
        return exc
    return None


_DONE: Final = (LanguageState.PUBLISHED, LanguageState.WITHDRAWN)


@dataclass(frozen=True, slots=True)
class Requeued:
    """What ``requeue`` did: ``again`` back to ``queued`` (when ``source`` is among them the
    caller sends the ingest, which republishes the source and fans the targets out again,
    otherwise a translation per language); ``no_model`` ended at once, by ingest's rule,
    each with its reason."""

    version: int
    source: str
    again: tuple[str, ...]
    no_model: tuple[tuple[str, str], ...] = ()


def requeue(
    client: Client,
    engine: Engine,
    article_id: str,
    langs: Sequence[str] | None,
    configured: Sequence[str],
    now: datetime,
) -> Requeued:
    """Put the latest version's unfinished languages (or ``langs``), the source included,
    back to ``queued``, for ``syndicate retry``; published and withdrawn ones stay as they
    are. A target no worker would translate ends ``no_model`` instead, as at ingest
    (``fan_out``): queued, it would wait for ever on a queue nobody reads. A language of
    ``langs`` that is neither configured, served by an installed package, nor among the
    article's languages raises ``UnknownLanguage`` before anything changes."""
    item, states = articles.get_status(client, article_id)
    article, version = item.article, item.article.version
    unknown = [
        lang
        for lang in langs or ()
        if lang not in states
        and primary(lang) != primary(article.language)
        and unserved(engine, configured, article.language, lang) is not None
    ]
    if unknown:
        raise UnknownLanguage(article_id, unknown)
    again, ended = [], []
    for lang in langs or states:
        status = states.get(lang)
        if status is not None and status.version == version and status.state in _DONE:
            continue
        missing = _missing_model(engine, configured, article, lang)
        if missing is not None:
            record_no_model(client, (article_id, version, lang), missing, now)
            ended.append((lang, str(missing)))
        elif _queue(client, (article_id, version, lang), now):
            again.append(lang)
    return Requeued(version, article.language, tuple(again), tuple(ended))


def _queue(client: Client, ids: tuple[str, int, str], now: datetime) -> bool:
    return articles.set_state(client, *ids, LanguageState.QUEUED, now) is Outcome.WRITTEN


def _missing_model(
    engine: Engine, configured: Sequence[str], article: Article, lang: str
) -> NoModel | None:
    """``unserved`` for a translation; the source and a kill's languages need no model."""
    if article.status is ArticleStatus.WITHDRAWN or primary(lang) == primary(article.language):
        return None
    return unserved(engine, configured, article.language, lang)
