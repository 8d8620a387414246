"""The publish step: render a language's feeds from the store, then mark the version
``published`` there, so the state a client reads never runs ahead of the feeds.

A render from an item set older than the stored render's is dropped by the store
(``syn:generation:{lang}``), so concurrent publishes in one language leave the newest feed.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from datetime import datetime

from syndicate.feeds.edition import BODIES, Edition, FeedSite, entries_of, render_edition
from syndicate.feeds.record import Entry, is_visible
from syndicate.news.article import ArticleStatus
from syndicate.news.states import LanguageState, Outcome
from syndicate.store import articles, feeds
from syndicate.store.client import Client
from syndicate.worker.failures import fail_language


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
    edition = render_edition(lang, entries, site, now=now, since=item_set.generation)
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
