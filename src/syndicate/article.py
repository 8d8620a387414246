"""The article: plain frozen values for brief section 2, and their JSON form.

Everything downstream (markup, translation, feeds, store) works on these dataclasses; JSON
is only read and written at the edges through ``parse_article`` and ``article_to_dict``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class ArticleStatus(StrEnum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class MediaType(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


@dataclass(frozen=True, slots=True)
class Credit:
    """A credited person. ``role`` is a canonical code from ``credits.ROLES`` when known."""

    role: str
    name: str
    location: str | None = None


@dataclass(frozen=True, slots=True)
class Media:
    type: MediaType
    url: str | None = None
    caption: str | None = None
    credit: str | None = None


@dataclass(frozen=True, slots=True)
class Rights:
    holder: str
    notice: str | None = None
    usage_terms: str | None = None


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Which Argos package produced a translation; feeds cite it (brief section 4)."""

    pair: str  # "en-ar"
    code: str  # package code, e.g. "translate-en_ar"
    version: str  # package_version from metadata.json
    demo: bool  # a gloss model built by `models build-demo`


@dataclass(frozen=True, slots=True)
class SegmentFlag:
    """An output check that fired: ``reason`` is empty, untranslated, runaway or placement."""

    segment: int
    reason: str
    text: str


@dataclass(frozen=True, slots=True)
class Translation:
    """Provenance of a translated article: its source and the model chain (two for a pivot)."""

    source_language: str
    source_version: int
    models: tuple[ModelInfo, ...]
    flags: tuple[SegmentFlag, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """One version of one article in one language (the original or a translation)."""

    id: str
    version: int
    language: str
    published_at: datetime
    headline: str
    body_html: str
    status: ArticleStatus = ArticleStatus.PUBLISHED
    updated_at: datetime | None = None
    embargo_until: datetime | None = None
    source: str | None = None
    section: str | None = None
    url: str | None = None
    summary: str | None = None
    dateline: str | None = None
    tags: tuple[str, ...] = ()
    credits: tuple[Credit, ...] = ()
    credit_line: str | None = None
    media: tuple[Media, ...] = ()
    rights: Rights | None = None
    targets: tuple[str, ...] | None = None
    translation: Translation | None = field(default=None)

    @property
    def is_translation(self) -> bool:
        return self.translation is not None


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
            for m in t.models
        ],
        "flags": [{"segment": f.segment, "reason": f.reason, "text": f.text} for f in t.flags],
    }


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
        "credits": [_drop_none({"role": c.role, "name": c.name, "location": c.location})
                    for c in a.credits],
        "credit_line": a.credit_line,
        "media": [_drop_none({"type": str(m.type), "url": m.url, "caption": m.caption,
                              "credit": m.credit}) for m in a.media],
        "rights": _drop_none({"holder": a.rights.holder, "notice": a.rights.notice,
                              "usage_terms": a.rights.usage_terms}) if a.rights else None,
        "targets": list(a.targets) if a.targets is not None else None,
        "translation": _translation_to_dict(a.translation) if a.translation else None,
    }
    return _drop_none(out)
