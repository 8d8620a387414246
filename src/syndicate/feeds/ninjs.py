"""ninjs JSON: one object per article and language, and a JSON feed per language, in ninjs
3.1 (the default), 2.2 or 1.6 (issue 10).

Each object is built once as 3.1 here and spelled in the version asked for by
ninjs_versions.py, so every version carries the same values. The ninjs schemas describe
a single news object only, so the feed is our own wrapper:
``{"language", "title", "self", "updated", "links", "items": [ninjs objects]}`` (``links``:
RFC 5005's ``next`` and ``prev-archive``, feeds/paging.py), each item valid
against its version's schema. Strings go through the same cleaning as the XML formats,
so every format carries byte-identical text. Field choices (3.1 names): ``uri`` is the
NewsML guid; credits are ``infoSources`` (parties that originated or modified the
content) with the role code; tags are ``subjects`` by name (ninjs has no keywords);
media and the source item of a translation are ``associations``; the story's web page is
the ``web`` rendition; the machine-translation sentence is ``edNote``; ``by`` is the
credit line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from syndicate.feeds.content import body_markup, translation_note
from syndicate.feeds.ninjs_versions import DEFAULT_VERSION, SCHEMA_URIS, NinjsVersion, spell_as
from syndicate.feeds.record import Channel, Entry, Publication, require_visible, select_entries
from syndicate.feeds.xml import clean_text, format_rfc3339
from syndicate.news.article import Article, ArticleStatus, Media
from syndicate.news.roles import REVIEW_ROLE

_NATURE = {"image": "picture", "video": "video", "audio": "audio"}

Json = dict[str, Any]


def _rights(article: Article) -> Json:
    if article.rights is None:
        return {}
    out = {"copyrightHolder": clean_text(article.rights.holder)}
    if article.rights.notice:
        out["copyrightNotice"] = clean_text(article.rights.notice)
    if article.rights.usage_terms:
        out["usageTerms"] = clean_text(article.rights.usage_terms)
    return out


def _times(article: Article, pub: Publication) -> Json:
    out = {
        "firstCreated": format_rfc3339(pub.first_created),
        "versionCreated": format_rfc3339(pub.version_created),
        "contentCreated": format_rfc3339(article.published_at),
    }
    if article.embargo_until is not None:
        out["embargoedUntil"] = format_rfc3339(article.embargo_until)
    return out


def _texts(article: Article) -> Json:
    out: Json = {"headlines": [{"role": "main", "value": clean_text(article.headline)}]}
    if article.summary:
        out["descriptions"] = [{"role": "summary", "value": clean_text(article.summary)}]
    if article.status is not ArticleStatus.WITHDRAWN:
        out["bodies"] = [
            {
                "role": "richtext",
                "contentType": "application/xhtml+xml",
                "value": body_markup(article),
            }
        ]
    if article.dateline:
        out["located"] = clean_text(article.dateline)
    if article.credit_line:
        out["by"] = clean_text(article.credit_line)
    return out


def _parties(article: Article) -> Json:
    sources = [{"name": clean_text(c.name), "role": clean_text(c.role)} for c in article.credits]
    if article.source:
        sources.append({"name": clean_text(article.source), "role": "source"})
    review = article.translation.review if article.translation else None
    if review is not None:  # the editor who approved the machine translation (issue 18)
        sources.append({"name": clean_text(review.editor), "role": REVIEW_ROLE})
    out: Json = {"infoSources": sources} if sources else {}
    if article.tags:
        out["subjects"] = [{"name": clean_text(tag)} for tag in article.tags]
    return out


def _media_association(pub: Publication, index: int, medium: Media) -> Json:
    out: Json = {
        "name": f"media-{index + 1}",
        "uri": f"{pub.guid}:media:{index + 1}",
        "type": _NATURE[str(medium.type)],
        "rel": str(medium.type),
    }
    if medium.url:
        out["renditions"] = [{"name": "original", "href": medium.url}]
    if medium.caption:
        out["descriptions"] = [{"role": "caption", "value": clean_text(medium.caption)}]
    if medium.credit:
        out["by"] = clean_text(medium.credit)
    return out


def _associations(article: Article, pub: Publication) -> Json:
    linked = [_media_association(pub, i, m) for i, m in enumerate(article.media)]
    if article.translation is not None and pub.original_guid:
        linked.append(
            {
                "name": "original",
                "rel": "translationOf",
                "uri": pub.original_guid,
                "version": str(article.translation.source_version),
                "language": article.translation.source_language,
                **_web(pub.origin_page),
            }
        )
    return {"associations": linked} if linked else {}


def _web(page: str | None) -> Json:
    """A story page as a ``web`` rendition: of the item itself, or of a translation's
    original (the English page is not a rendition of the Arabic text)."""
    return (
        {"renditions": [{"name": "web", "href": page, "contentType": "text/html"}]} if page else {}
    )


def _ninjs(article: Article, pub: Publication, version: NinjsVersion) -> Json:
    """The 3.1 object, its ``standard`` naming ``version``, in ``version``'s spelling."""
    withdrawn = article.status is ArticleStatus.WITHDRAWN
    out: Json = {
        "uri": pub.guid,
        "standard": {"name": "ninjs", "version": str(version), "schema": SCHEMA_URIS[version]},
        "type": "text",
        "representationType": "full",
        "version": str(article.version),
        "pubStatus": "canceled" if withdrawn else "usable",
        "language": article.language,
        **_times(article, pub),
        **_rights(article),
        **_texts(article),
        **_parties(article),
        **_associations(article, pub),
    }
    out |= _web(pub.page)
    if article.translation is not None:
        out["edNote"] = translation_note(article.translation)
    return spell_as(out, version)


def build_ninjs_item(
    article: Article,
    pub: Publication,
    *,
    now: datetime,
    version: NinjsVersion = DEFAULT_VERSION,
) -> Json:
    """The ninjs object of one article in one language (``Embargoed`` before its time)."""
    require_visible(article, now)
    return _ninjs(article, pub, version)


def build_ninjs_feed(
    entries: Iterable[Entry],
    channel: Channel,
    *,
    now: datetime,
    limit: int,
    version: NinjsVersion = DEFAULT_VERSION,
) -> Json:
    """The JSON feed: the latest ``limit`` live items, newest first; withdrawn ones leave."""
    chosen = select_entries(entries, channel.lang, now, limit, include_withdrawn=False)
    feed: Json = {
        "language": channel.lang,
        "title": clean_text(channel.title),
        "self": channel.self_url,
        "updated": format_rfc3339(now),
    }
    if channel.links:  # RFC 5005 paging (issue 19)
        feed["links"] = [{"rel": link.rel, "href": link.href} for link in channel.links]
    return feed | {"items": [_ninjs(article, pub, version) for article, pub in chosen]}


def to_json_bytes(value: Json) -> bytes:
    """UTF-8 JSON, non-ASCII kept as is (every string was cleaned of surrogates)."""
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def render_ninjs_item(
    article: Article,
    pub: Publication,
    *,
    now: datetime,
    version: NinjsVersion = DEFAULT_VERSION,
) -> bytes:
    """``build_ninjs_item`` as UTF-8 JSON."""
    return to_json_bytes(build_ninjs_item(article, pub, now=now, version=version))


def render_ninjs_feed(
    entries: Iterable[Entry],
    channel: Channel,
    *,
    now: datetime,
    limit: int,
    version: NinjsVersion = DEFAULT_VERSION,
) -> bytes:
    """``build_ninjs_feed`` as UTF-8 JSON."""
    feed = build_ninjs_feed(entries, channel, now=now, limit=limit, version=version)
    return to_json_bytes(feed)
