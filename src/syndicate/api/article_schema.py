"""The ``Article`` schema of ``/openapi.json``: brief section 2 as JSON Schema 2020-12,
typed field by field, so a CMS developer (and schemathesis, in the suite) knows every
type, format, enum, required field and limit without reading the parser.

The parser (news/article.py) stays the authority: it checks what a schema cannot say
(plain text carries no markup, a target is not the article's own language, the body's
HTML) and reports every broken rule at once with 422. Patterns and limits are read from
the parser's own constants, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Final

from syndicate.news.article import (
    _ID,
    MAX_HEADLINE_CHARS,
    MAX_PAYLOAD_BYTES,
    ArticleStatus,
    MediaType,
)
from syndicate.news.languages import LANGUAGE_TAG
from syndicate.news.limits import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_CREDITS,
    MAX_MEDIA,
    MAX_TAGS,
    MAX_TARGETS,
)
from syndicate.news.payload import MAX_INT

Json = dict[str, Any]


def _anchored(pattern: str) -> str:
    return f"^(?:{pattern})$"


def _text(description: str, **limits: Any) -> Json:
    return {"type": "string", "description": description, **limits}


_PLAIN: Final = "plain text: no markup, no character references, no control characters"
_STAMP: Final = _text(
    f"RFC 3339 with an offset, e.g. 2019-02-20T09:30:00Z; from {EARLIEST_DATE.year} to"
    f" {LATEST_DATE.year - 1} in UTC",
    format="date-time",
)
_LANGUAGE: Final = _text("BCP 47 tag, e.g. en, ckb, ar-IQ", pattern=_anchored(LANGUAGE_TAG.pattern))
_URL: Final = _text("absolute http(s) URL", format="uri", pattern="^[Hh][Tt][Tt][Pp][Ss]?://")
_NAMED: Final = _text(_PLAIN, minLength=1)


def _closed(properties: Json, required: list[str], description: str) -> Json:
    """An object that refuses unknown keys (brief section 2: typos surface as 422)."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _list(items: Json, description: str, **limits: Any) -> Json:
    return {"type": "array", "items": items, "description": description, **limits}


def _credit() -> Json:
    properties = {
        "role": _text("a role word or code such as reporting, editing, video_editing", minLength=1),
        "name": _NAMED,
        "location": _text(_PLAIN),
    }
    return _closed(properties, ["role", "name"], "one credited person")


def _media() -> Json:
    properties = {
        "type": {"type": "string", "enum": [str(kind) for kind in MediaType]},
        "url": _URL,
        "caption": _text(_PLAIN),
        "credit": _text(_PLAIN),
    }
    return _closed(properties, ["type"], "an image, video or audio item")


def _rights() -> Json:
    properties = {"holder": _NAMED, "notice": _text(_PLAIN), "usage_terms": _text(_PLAIN)}
    return _closed(properties, ["holder"], "copyright holder, notice and usage terms")


def _properties() -> Json:
    status = [str(s) for s in ArticleStatus]
    return {
        "id": _text("stable across versions", pattern=_anchored(_ID.pattern), maxLength=128),
        "version": {"type": "integer", "minimum": 1, "maximum": MAX_INT},
        "status": {"type": "string", "enum": status, "default": str(ArticleStatus.PUBLISHED)},
        "language": _LANGUAGE,
        "published_at": _STAMP,
        "updated_at": _STAMP,
        "embargo_until": {**_STAMP, "description": "nothing is visible to partners before it"},
        "source": _text(_PLAIN),
        "section": _text(_PLAIN),
        "url": _URL,
        "headline": _text(_PLAIN, minLength=1, maxLength=MAX_HEADLINE_CHARS),
        "summary": _text(_PLAIN),
        "dateline": _text(_PLAIN),
        "body_html": _text(
            "HTML fragment; sanitised; no DOCTYPE or entity declarations; nesting, elements,"
            " blocks, segments and characters to translate are capped (docs/limits.md)"
        ),
        "tags": _list(_NAMED, "kept verbatim in every language", maxItems=MAX_TAGS),
        "credits": _list(_credit(), "explicit credits", maxItems=MAX_CREDITS),
        "credit_line": _text("free text such as 'Reporting by ... in ...'; parsed into credits"),
        "media": _list(_media(), "media items", maxItems=MAX_MEDIA),
        "rights": _rights(),
        "targets": _list(
            _LANGUAGE, "default: the configured targets", uniqueItems=True, maxItems=MAX_TARGETS
        ),
    }


def article_schema() -> Json:
    """The request body of POST /v1/articles; ``body_html`` is required unless withdrawn."""
    withdrawn = {"properties": {"status": {"const": str(ArticleStatus.WITHDRAWN)}}}
    required = ["id", "version", "language", "published_at", "headline"]
    description = (
        f"Brief section 2. At most {MAX_PAYLOAD_BYTES} bytes of UTF-8 JSON; unknown fields"
        " are refused with 422, every broken rule listed at once"
    )
    return {
        **_closed(_properties(), required, description),
        "if": {**withdrawn, "required": ["status"]},
        "else": {"required": ["body_html"]},
    }
