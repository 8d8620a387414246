"""The items a version stores, one per language: the source's, a translation's, and what a
kill leaves in a language that went out (its last item, marked withdrawn).

Every item is render-checked before the store takes it: a poison item is its own failure,
never its feed's (issue 9). Storing is idempotent on (id, version, lang): the store refuses
a stale version and a language already done (docs/architecture.md, "Reliability").
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from syndicate.errors import NoSuchArticle
from syndicate.feeds.edition import FeedSite, item_problem
from syndicate.feeds.record import derive_publication
from syndicate.news.article import Article, ArticleStatus
from syndicate.news.languages import primary
from syndicate.news.states import LanguageState, Outcome
from syndicate.store import articles
from syndicate.store.client import Client
from syndicate.worker.failures import fail_language, fail_version


def current(client: Client, article_id: str, version: int) -> Article | None:
    """The stored article if ``version`` is still its latest, else None (superseded)."""
    try:
        article = articles.get_article(client, article_id).article
    except NoSuchArticle:
        return None
    return article if article.version == version else None


def stored_version(client: Client, article_id: str, lang: str) -> int | None:
    """The version of ``article_id`` that ``lang`` holds an item of, if any."""
    item = articles.get_item(client, article_id, lang)
    return None if item is None else item.article.version


def withdrawal(client: Client, article: Article, lang: str) -> Article | None:
    """The item to publish when ``article`` (a kill) reaches ``lang``: the language's last
    published item, marked withdrawn at the kill's version; None if it never went out."""
    previous = articles.get_item(client, article.id, lang)
    if previous is None:
        return article if primary(article.language) == primary(lang) else None
    return dataclasses.replace(
        previous.article, version=article.version, status=ArticleStatus.WITHDRAWN
    )


def render_problem(article: Article, site: FeedSite, now: datetime) -> str | None:
    """Why ``article`` cannot go into its language's feeds (None: it can), checked before
    the store takes it: a poison item is its own failure, never its feed's (issue 9)."""
    pub = derive_publication(article, site.provider, site.base_url, version_created=now)
    return item_problem((article, pub), site, now)


def publish_source(
    client: Client, article_id: str, version: int, now: datetime, *, site: FeedSite
) -> Outcome | LanguageState:
    """Store the source-language item of ``version`` (the source has a feed too).

    A source item that cannot be rendered ends the whole version as ``failed``: its
    translations would carry the same dates and markup, and no language may stay queued.
    """
    article = current(client, article_id, version)
    if article is None:
        return Outcome.STALE
    if article.status is ArticleStatus.WITHDRAWN:
        article = withdrawal(client, article, article.language) or article
    problem = render_problem(article, site, now)
    if problem is not None:
        fail_version(client, article_id, version, f"cannot be rendered: {problem}", now)
        return LanguageState.FAILED
    return articles.publish_item(client, article, now)


def store_item(
    client: Client, article: Article, site: FeedSite, now: datetime
) -> Outcome | LanguageState:
    """``publish_item`` after the render check; an item that fails it ends ``failed``."""
    problem = render_problem(article, site, now)
    if problem is None:
        return articles.publish_item(client, article, now)
    ids = (article.id, article.version, article.language)
    fail_language(client, ids, f"cannot be rendered: {problem}", now)
    return LanguageState.FAILED


def withdraw_language(client: Client, article: Article, lang: str, now: datetime) -> Outcome:
    """Take a kill to ``lang``: republish its last item as withdrawn, or, when it never
    went out, just record the language ``withdrawn``."""
    withdrawn = withdrawal(client, article, lang)
    if withdrawn is None:
        return articles.set_state(
            client, article.id, article.version, lang, LanguageState.WITHDRAWN, now
        )
    return articles.publish_item(client, withdrawn, now)
