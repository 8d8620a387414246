"""The article: plain frozen values for brief section 2, and their JSON form.

Everything downstream (markup, translation, feeds, store) works on these dataclasses; JSON
is only read and written at the edges through ``parse_article`` and
``article_json.article_to_dict``.
Parsing checks every rule of brief section 2 and reports all broken ones at once, each
named by its JSON path, so a newsroom fixes a payload in one round trip (the generic
field reading lives in ``payload``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final, TypeVar

# A module object, not names: credits builds Credit values from this module (a cycle).
from syndicate.errors import ArticleInvalid, FieldError
from syndicate.news.credits import Credit, parse_credit_line
from syndicate.news.languages import is_language_tag, primary
from syndicate.news.limits import MAX_CREDITS, MAX_MEDIA, MAX_SEGMENTS, MAX_TAGS, MAX_TARGETS
from syndicate.news.limits import MAX_HEADLINE_CHARS as MAX_HEADLINE_CHARS
from syndicate.news.limits import MAX_PAYLOAD_BYTES as MAX_PAYLOAD_BYTES
from syndicate.news.payload import ObjectReader, decode_json, read_object
from syndicate.news.roles import normalise_role


class ArticleStatus(StrEnum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class MediaType(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


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
    license: str = ""  # metadata.json "license" ("unknown" when it has none); "" before it was kept


@dataclass(frozen=True, slots=True)
class SegmentFlag:
    """An output check that fired: ``reason`` is empty, untranslated, runaway, placement or
    low_confidence_markup (markup/segments.py says when each fires)."""

    segment: int
    reason: str
    text: str


@dataclass(frozen=True, slots=True)
class Review:
    """Who approved a machine translation on the review desk, and when (issue 18): feeds
    name the editor as a contributor and say the translation was reviewed."""

    editor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Translation:
    """Provenance of a translated article: its source and the model chain (two for a pivot)."""

    source_language: str
    source_version: int
    models: tuple[ModelInfo, ...]
    flags: tuple[SegmentFlag, ...] = ()
    review: Review | None = None


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


# --- reading (brief section 2) -------------------------------------------------------------

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)  # a placeholder: its error is raised
_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

_ARTICLE_FIELDS: Final = frozenset(
    {"id", "version", "status", "language", "published_at", "updated_at", "embargo_until"}
    | {"source", "section", "url", "headline", "summary", "dateline", "body_html", "tags"}
    | {"credits", "credit_line", "media", "rights", "targets"}
)
_CREDIT_FIELDS: Final = frozenset({"role", "name", "location"})
_MEDIA_FIELDS: Final = frozenset({"type", "url", "caption", "credit"})
_RIGHTS_FIELDS: Final = frozenset({"holder", "notice", "usage_terms"})
_TRANSLATION_FIELDS: Final = frozenset(
    {"source_language", "source_version", "models", "flags", "review"}
)
_REVIEW_FIELDS: Final = frozenset({"editor", "at"})
_MODEL_FIELDS: Final = frozenset({"pair", "code", "version", "demo", "license"})
_FLAG_FIELDS: Final = frozenset({"segment", "reason", "text"})
_MAX_MODELS: Final = 8  # a chain is one model, or two through an English pivot
_MAX_FLAGS: Final = 4 * MAX_SEGMENTS  # a segment gets at most a few flags

_T = TypeVar("_T")


def _each(
    r: ObjectReader,
    key: str,
    read: Callable[[ObjectReader], _T],
    known: frozenset[str],
    most: int,
) -> tuple[_T, ...]:
    return tuple(read(item) for item in r.objects(key, known, most))


def _credit(r: ObjectReader) -> Credit:
    """An explicit credit; its role word becomes a canonical code where one is known."""
    location = r.text("location")
    return Credit(
        normalise_role(r.need_text("role", line=True)),
        r.need_text("name", line=True).strip(),
        location.strip() if location else None,
    )


def _media(r: ObjectReader) -> Media:
    kind = r.choice("type", MediaType) or MediaType.IMAGE
    return Media(kind, r.url("url"), r.text("caption"), r.text("credit", line=True))


def _rights(r: ObjectReader) -> Rights | None:
    rights = r.object("rights", _RIGHTS_FIELDS)
    if rights is None:
        return None
    holder = rights.need_text("holder", line=True)
    return Rights(holder, rights.text("notice"), rights.text("usage_terms"))


def _model(r: ObjectReader) -> ModelInfo:
    pair, code, version = r.need_text("pair"), r.need_text("code"), r.need_text("version")
    return ModelInfo(pair, code, version, r.boolean("demo"), r.text("license", line=True) or "")


def _flag(r: ObjectReader) -> SegmentFlag:
    segment, reason = r.integer("segment", minimum=0), r.need_text("reason")
    return SegmentFlag(segment, reason, r.need_text("text", plain=False, empty_ok=True))


def _translation(r: ObjectReader) -> Translation | None:
    """The provenance block ``syndicate translate`` writes, read back (``allow_translation``)."""
    t = r.object("translation", _TRANSLATION_FIELDS)
    if t is None:
        return None
    return Translation(
        source_language=t.language("source_language", required=True) or "",
        source_version=t.integer("source_version", minimum=1),
        models=_each(t, "models", _model, _MODEL_FIELDS, _MAX_MODELS),
        flags=_each(t, "flags", _flag, _FLAG_FIELDS, _MAX_FLAGS),
        review=_review(t),
    )


def _review(r: ObjectReader) -> Review | None:
    review = r.object("review", _REVIEW_FIELDS)
    if review is None:
        return None
    at = review.stamp("at", required=True) or _EPOCH
    return Review(review.need_text("editor", line=True), at)


def _targets(r: ObjectReader, language: str | None) -> tuple[str, ...] | None:
    """Target languages: real tags, none twice, none the article's own language."""
    if r.value("targets") is None:
        return None
    targets: list[str] = []
    for path, tag in r.strings("targets", MAX_TARGETS):
        if not is_language_tag(tag):
            problem = "must be a BCP 47 language tag such as ar or ckb"
        elif language and primary(tag) == primary(language):
            problem = f"is the article's own language ({language})"
        elif tag.lower() in (t.lower() for t in targets):
            problem = f"lists {tag} twice"
        else:
            targets.append(tag)
            continue
        r.errors.append(FieldError(path, problem))
    return tuple(targets)


def is_article_id(value: str) -> bool:
    """Whether ``value`` is an id brief section 2 allows (the ingest routes derive one
    from a foreign guid that is not)."""
    return _ID.fullmatch(value) is not None


def _article_id(r: ObjectReader) -> str:
    value = r.need_text("id")
    if value and not is_article_id(value):
        r.fail("id", "must be 1-128 of A-Z a-z 0-9 . _ : - and start with a letter or digit")
    return value


def _headline(r: ObjectReader) -> str:
    headline = r.need_text("headline")
    if len(headline) > MAX_HEADLINE_CHARS:
        r.fail("headline", f"must be at most {MAX_HEADLINE_CHARS} characters, not {len(headline)}")
    return headline


def _merge_credits(
    explicit: tuple[Credit, ...], credit_line: str | None, translated: bool
) -> tuple[Credit, ...]:
    """Explicit credits, then each credit-line credit naming someone new in that role.

    A translated credit line was composed from the label table, so it is not read back.
    """
    if not credit_line or translated:
        return explicit
    merged = list(explicit)
    for credit in parse_credit_line(credit_line):
        if all((c.role, c.name) != (credit.role, credit.name) for c in merged):
            merged.append(credit)
    return tuple(merged)


def _body_html(r: ObjectReader, status: ArticleStatus) -> str:
    """The HTML body; refused here, at ingest, if no parser may ever see it (XXE, bombs)."""
    body = r.text("body_html", required=status is ArticleStatus.PUBLISHED, plain=False) or ""
    if problem := declaration_problem(body):
        r.fail("body_html", problem)
    return body


def _read_article(r: ObjectReader, allow_translation: bool) -> Article:
    """Every field of brief section 2; each problem is noted and none stops the others."""
    status = r.choice("status", ArticleStatus, ArticleStatus.PUBLISHED) or ArticleStatus.PUBLISHED
    language = r.language("language", required=True)
    translation = _translation(r) if allow_translation else None
    credit_line = r.text("credit_line")
    explicit = _each(r, "credits", _credit, _CREDIT_FIELDS, MAX_CREDITS)
    return Article(
        id=_article_id(r),
        version=r.integer("version", minimum=1),
        language=language or "",
        published_at=r.stamp("published_at", required=True) or _EPOCH,
        headline=_headline(r),
        body_html=_body_html(r, status),
        status=status,
        updated_at=r.stamp("updated_at"),
        embargo_until=r.stamp("embargo_until"),
        source=r.text("source", line=True),
        section=r.text("section", line=True),
        url=r.url("url"),
        summary=r.text("summary"),
        dateline=r.text("dateline"),
        tags=tuple(tag for _, tag in r.strings("tags", MAX_TAGS)),
        credits=_merge_credits(explicit, credit_line, translated=translation is not None),
        credit_line=credit_line,
        media=_each(r, "media", _media, _MEDIA_FIELDS, MAX_MEDIA),
        rights=_rights(r),
        targets=_targets(r, language),
        translation=translation,
    )


def parse_article(data: Any, *, allow_translation: bool = False, stored: bool = False) -> Article:
    """The article a newsroom sent, checked against every rule of brief section 2.

    Every broken rule is collected with its JSON path into one ``ArticleInvalid``; any
    input shape gives either an Article or that error. ``allow_translation`` accepts the
    ``translation`` block ``syndicate translate`` writes (``article_to_dict``). ``stored``
    reads back a record the store wrote, without the content rules (``ObjectReader``).
    A translation is read the same way: the rules held for its source, and its text is what
    a model wrote (a headline may come out as ``<I``), which feeds escape like any text.
    """
    errors: list[FieldError] = []
    known = _ARTICLE_FIELDS | ({"translation"} if allow_translation else set())
    if allow_translation and isinstance(data, dict) and data.get("translation") is not None:
        stored = True
    reader = read_object(data, "", errors, known, stored=stored)
    article = _read_article(reader, allow_translation) if reader else None
    if errors or article is None:
        raise ArticleInvalid(errors)
    return article


def parse_article_json(raw: bytes | str, *, allow_translation: bool = False) -> Article:
    """``parse_article`` over a raw payload: UTF-8 JSON of at most ``MAX_PAYLOAD_BYTES``.

    Bad size, encoding or syntax is one error on field ``$`` with its line and column.
    """
    data = decode_json(raw, MAX_PAYLOAD_BYTES)
    return parse_article(data, allow_translation=allow_translation)


_DECLARATION: Final = re.compile(r"<!\s*[A-Za-z\[]")


def declaration_problem(html: str) -> str | None:
    """Why a body may not be parsed at all, or None: checked at ingest and again here."""
    if _DECLARATION.search(html):
        return "markup declarations such as <!DOCTYPE> or <!ENTITY> are not allowed"
    return None
