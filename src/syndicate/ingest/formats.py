"""Which foreign format a request body is, by Content-Type, and its reading into our article.

``POST /v1/ingest/superdesk`` takes three formats (docs/operations.md, "Superdesk and
agency wires"):

- ``application/json``: what Superdesk's HTTP push sends, its ninjs formatter's item;
  a JSON object whose ``$schema`` or ``standard`` names an IPTC ninjs schema is read as
  that ninjs instead.
- ``application/ninjs+json``: IPTC ninjs 1.x, 2.x or 3.x. The major version comes from a
  ``version=`` or ``profile=`` parameter of the media type, else the document's
  ``standard``/``$standard``/``$schema``, else its field names (camelCase is 3, the
  ``headlines``/``bodies`` lists are 2, the rest 1).
- ``application/vnd.iptc.g2.newsitem+xml`` (also ``application/xml`` and ``text/xml``):
  a NewsML-G2 newsItem.

``decode`` reads the bytes (a failure is the request's syntax: 400), ``read`` maps them and
runs the webhook's own checks (422 naming the sender's field). Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from syndicate.ingest.draft import Draft, finish
from syndicate.ingest.newsml import decode_newsml, map_newsml
from syndicate.ingest.ninjs import V2_FIELDS, V3_FIELDS, map_ninjs
from syndicate.ingest.superdesk import map_superdesk
from syndicate.news.article import MAX_PAYLOAD_BYTES, Article
from syndicate.news.payload import decode_json


class Format(StrEnum):
    SUPERDESK = "superdesk"
    NINJS = "ninjs"
    NEWSML = "newsml"


JSON_TYPE: Final = "application/json"
NINJS_TYPE: Final = "application/ninjs+json"
NEWSITEM_TYPES: Final = ("application/vnd.iptc.g2.newsitem+xml", "application/xml", "text/xml")
MEDIA_TYPES: Final = (JSON_TYPE, NINJS_TYPE, *NEWSITEM_TYPES)
_SCHEMA: Final = re.compile(r"ninjs-schema_(\d+)\.\d+\.json")
_VERSION: Final = re.compile(r"\s*(\d+)(?:\.\d+)*\s*")
_SCHEMA_KEYS: Final = ("$schema",)  # names the schema: read for the version, not mapped
_PLURAL: Final = frozenset({"headlines", "bodies", "descriptions", "subjects", "infosources"})


@dataclass(frozen=True, slots=True)
class Decoded:
    """A body read as JSON or XML, the format it is in, and the ninjs major version."""

    format: Format
    data: Any
    major: int = 1


def media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    """The lower-cased media type and its parameters (quotes taken off)."""
    kind, *params = (content_type or "").split(";")
    pairs = (p.partition("=") for p in params)
    return kind.strip().lower(), {k.strip().lower(): v.strip().strip('"') for k, _, v in pairs}


def choose_format(content_type: str | None) -> Format | None:
    """The format a Content-Type announces, or None (415)."""
    kind, _ = media_type(content_type)
    if kind == JSON_TYPE:
        return Format.SUPERDESK
    if kind == NINJS_TYPE:
        return Format.NINJS
    return Format.NEWSML if kind in NEWSITEM_TYPES else None


def _major_of(text: Any) -> int | None:
    if not isinstance(text, str):
        return None
    if found := _SCHEMA.search(text):
        return int(found[1])
    found = _VERSION.fullmatch(text)
    return int(found[1]) if found else None


def _declared_major(data: dict[str, Any]) -> int | None:
    """The version a document says it is: ``$schema``, ``standard`` (2.x, 3.x) or
    ``$standard`` (1.x), by schema URI or version string."""
    for key in ("standard", "$standard"):
        block = data.get(key)
        if isinstance(block, dict):
            for name in ("schema", "version"):
                if (major := _major_of(block.get(name))) is not None:
                    return major
    return _major_of(data.get("$schema"))


def _guessed_major(data: dict[str, Any]) -> int:
    keys = set(map(str, data))
    if any(k in V3_FIELDS and k not in V2_FIELDS for k in keys):
        return 3
    return 2 if keys & _PLURAL else 1


def decode(fmt: Format, raw: bytes, content_type: str | None) -> Decoded:
    """The body as a value of ``fmt``; ``ArticleInvalid`` on ``$`` when it cannot be read."""
    if fmt is Format.NEWSML:
        return Decoded(fmt, decode_newsml(raw))
    data = decode_json(raw, MAX_PAYLOAD_BYTES)
    if not isinstance(data, dict):
        return Decoded(fmt, data)
    params = media_type(content_type)[1]
    declared = _major_of(params.get("version")) or _major_of(params.get("profile"))
    declared = declared or _declared_major(data)
    if fmt is Format.SUPERDESK and declared is None:
        return Decoded(fmt, data)
    return Decoded(Format.NINJS, data, declared or _guessed_major(data))


def _draft(decoded: Decoded) -> Draft:
    if decoded.format is Format.NEWSML:
        return map_newsml(decoded.data)
    data = decoded.data
    if isinstance(data, dict) and decoded.format is Format.NINJS:
        data = {k: v for k, v in data.items() if k not in _SCHEMA_KEYS}
    if decoded.format is Format.NINJS and decoded.major >= 2:
        return map_ninjs(data, decoded.major)
    return map_superdesk(data)


def read(decoded: Decoded) -> Article:
    """The article ``decoded`` holds, through the webhook's checks (``ArticleInvalid``
    naming the sender's fields)."""
    return finish(_draft(decoded))
