"""The JSON form of an article (brief section 2, plus ``translation`` for a translated
one): what the store keeps and ``syndicate translate`` prints. ``article.parse_article``
reads it back, so the two stay each other's inverse (tests/news/test_article.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from syndicate.news.article import Article, Media, Rights, Translation
from syndicate.news.credits import Credit


def _rfc3339(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _translation_to_dict(t: Translation) -> dict[str, Any]:
    return {
        "source_language": t.source_language,
        "source_version": t.source_version,
        "models": [
            {"pair": m.pair, "code": m.code, "version": m.version, "demo": m.demo}
            | ({"license": m.license} if m.license else {})
            for m in t.models
        ],
        "flags": [{"segment": f.segment, "reason": f.reason, "text": f.text} for f in t.flags],
    } | ({"review": {"editor": t.review.editor, "at": _rfc3339(t.review.at)}} if t.review else {})


def article_to_dict(article: Article) -> dict[str, Any]:
    """The JSON form of brief section 2 (plus ``translation`` for a translated article)."""
    a = article
    out: dict[str, Any] = {
        "id": a.id,
        "version": a.version,
        "status": str(a.status),
        "language": a.language,
        "published_at": _rfc3339(a.published_at),
        "updated_at": _rfc3339(a.updated_at) if a.updated_at else None,
        "embargo_until": _rfc3339(a.embargo_until) if a.embargo_until else None,
        "source": a.source,
        "section": a.section,
        "url": a.url,
        "headline": a.headline,
        "summary": a.summary,
        "dateline": a.dateline,
        "body_html": a.body_html,
        "tags": list(a.tags),
        "credits": [_credit_to_dict(c) for c in a.credits],
        "credit_line": a.credit_line,
        "media": [_media_to_dict(m) for m in a.media],
        "rights": _rights_to_dict(a.rights) if a.rights else None,
        "targets": list(a.targets) if a.targets is not None else None,
        "translation": _translation_to_dict(a.translation) if a.translation else None,
    }
    return _drop_none(out)


def _credit_to_dict(c: Credit) -> dict[str, Any]:
    return _drop_none({"role": c.role, "name": c.name, "location": c.location})


def _media_to_dict(m: Media) -> dict[str, Any]:
    return _drop_none({"type": str(m.type), "url": m.url, "caption": m.caption, "credit": m.credit})


def _rights_to_dict(r: Rights) -> dict[str, Any]:
    return _drop_none({"holder": r.holder, "notice": r.notice, "usage_terms": r.usage_terms})
