"""The review desk's actions on a held translation (issue 18), shared by the JSON API and
the desk's pages: edit a segment, approve, reject, retranslate.

Each acts on the version the editor saw (``version``, when given) and refuses with
``ReviewConflict`` once the article moved on: a newer version arriving while an editor
works gets 409 on approve, and its hold carries the edits over. Approving stores the
item and takes it off the queue in one step, teaches the human memory every approved
segment, and sends the language's publish step (the worker renders, then marks the
language published: what partners, polls and pushes see). Every action is logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from celery import Celery

from syndicate.errors import EditInvalid, FieldError, NotHeld, ReviewConflict
from syndicate.feeds.edition import FeedSite
from syndicate.models.engine import Engine
from syndicate.news.article import Article
from syndicate.news.states import Outcome
from syndicate.review.held import Edit, Held, HeldState, approved_article, memory_entries
from syndicate.review.placeholders import EditRefused, read, write
from syndicate.store import articles
from syndicate.store import review as store_review
from syndicate.store.client import Client
from syndicate.worker import submit
from syndicate.worker.items import render_problem
from syndicate.worker.routing import PUBLISH
from syndicate.worker.sending import send

ATTEMPTS: Final = 5


def _log(client: Client, held: Held, who: str, action: str, now: datetime, **more: Any) -> None:
    event = {"at": now.isoformat(), "who": who, "action": action, "version": held.version}
    store_review.log(client, held.article.id, held.lang, event | more)


def held_now(client: Client, article_id: str, lang: str, version: int | None) -> store_review.Found:
    """The translation of ``article_id`` held in ``lang`` (``NotHeld`` when none waits),
    checked against the version the editor saw."""
    found = store_review.get_held(client, article_id, lang)
    if found is None or found.held.state is not HeldState.HELD:
        raise NotHeld(f"no translation of {article_id} waits for review in {lang}")
    if version is not None and version != found.held.version:
        raise ReviewConflict(
            f"version {found.held.version} is held now, not version {version}: reload",
            found.held.version,
        )
    return found


def edit_segment(
    client: Client,
    ids: tuple[str, str, int],
    text: str,
    editor: str,
    version: int | None,
    now: datetime,
) -> Held:
    """Record ``editor``'s translation of segment ``ids[2]``; ``EditInvalid`` naming the
    segment and every broken tag or changed protected text."""
    article_id, lang, n = ids
    held = held_now(client, article_id, lang, version).held
    if not 0 <= n < len(held.segments):
        raise NotHeld(f"{article_id} in {lang} has no segment {n}")
    segment = held.segments[n]
    try:
        pieces = read(text, segment.tags, segment.protected, empty_ok=not segment.has_words)
    except EditRefused as refused:
        field = f"segments[{n}].translation"
        problems = [FieldError(field, f"segment {n}: {p}") for p in refused.problems]
        raise EditInvalid(problems) from None
    edit = Edit(pieces, editor, now, held.version)
    if store_review.save_edit(client, article_id, lang, n, edit) is not Outcome.WRITTEN:
        raise ReviewConflict(f"{article_id} in {lang} changed while editing: reload")
    before = write(held.translation_of(n), segment.tags)
    _log(
        client,
        held,
        editor,
        "edited",
        now,
        segment=n,
        before=before,
        after=write(pieces, segment.tags),
    )
    return held


def _approvable(client: Client, found: store_review.Found) -> Held:
    held = found.held
    latest = articles.get_article(client, held.article.id).article.version
    if latest != held.version:
        raise ReviewConflict(
            f"version {latest} of {held.article.id} arrived: it will be held again with"
            " the edits of unchanged segments; approve that one",
            latest,
        )
    return held


def approve(
    client: Client,
    celery_app: Celery,
    ids: tuple[str, str],
    editor: str,
    version: int | None,
    site: FeedSite,
    now: datetime,
) -> Article:
    """Publish the held translation with its edits, reviewed by ``editor``."""
    article_id, lang = ids
    for _ in range(ATTEMPTS):
        found = held_now(client, article_id, lang, version)
        held = _approvable(client, found)
        article = approved_article(held, editor, now)
        problem = render_problem(article, site, now)
        if problem is not None:
            message = f"the approved translation cannot be published: {problem}"
            raise EditInvalid([FieldError("translation", message)])
        try:
            outcome = store_review.approve(client, article, found.rev, now)
        except store_review.Retry:
            continue  # an edit came in meanwhile: approve what it changed too
        if outcome is not Outcome.WRITTEN:
            raise ReviewConflict(f"{article_id} in {lang} was decided or moved on: reload")
        _approved(client, celery_app, held, editor, now)
        return article
    raise ReviewConflict(f"{article_id} in {lang} kept changing while approving: try again")


def _approved(client: Client, celery_app: Celery, held: Held, editor: str, now: datetime) -> None:
    """Teach the memory, log, and send the publish step (the worker renders the feeds)."""
    entries = {
        key: {"text": text, "editor": editor, "at": now.isoformat()}
        for key, text in memory_entries(held).items()
    }
    store_review.put_human(client, held.lang, entries)
    _log(client, held, editor, "approved", now, edited=sorted(held.edits))
    ids = (held.article.id, held.version, held.lang)
    send(celery_app, PUBLISH, ids, retry_policy=submit.CALLER_RETRY_POLICY)


def reject(
    client: Client,
    ids: tuple[str, str],
    editor: str,
    reason: str,
    version: int | None,
    now: datetime,
) -> Held:
    """Refuse the held translation: state ``rejected``, nothing published."""
    held = held_now(client, *ids, version).held
    if (
        store_review.reject(client, held.article.id, held.version, held.lang, reason, now)
        is not Outcome.WRITTEN
    ):
        raise ReviewConflict(f"{ids[0]} in {ids[1]} moved on: reload")
    _log(client, held, editor, "rejected", now, reason=reason)
    return held


def retranslate(
    client: Client,
    celery_app: Celery,
    ids: tuple[str, str],
    editor: str,
    now: datetime,
    *,
    engine: Engine,
    configured: Sequence[str],
) -> int:
    """Translate the language again (after a model or glossary change); its edits carry
    over to the new translation. The version queued (``syndicate retry``'s checks:
    ``engine`` and the ``configured`` targets say whether a worker would translate it)."""
    article_id, lang = ids
    found = store_review.get_held(client, article_id, lang)
    if found is None:
        raise NotHeld(f"no translation of {article_id} is held or rejected in {lang}")
    done = submit.retry(client, celery_app, engine, article_id, [lang], configured, now)
    if done.no_model:
        raise ReviewConflict(f"{article_id} in {lang}: {done.no_model[0][1]}")
    if lang not in done.again:
        raise ReviewConflict(f"{article_id} in {lang} is published or withdrawn already")
    _log(client, found.held, editor, "retranslated", now)
    return done.version
