"""An article being built from a foreign document (Superdesk, ninjs, NewsML-G2), with
where each of its fields came from, so every error names the sender's own field.

A mapper fills a ``Draft`` with our JSON form (brief section 2) and notes, for each field
it sets, the sender's path (``authors[1].name``, ``newsItem/contentMeta/headline``). Then
``finish`` reads the draft with ``parse_article`` and ``admit``, exactly what
``POST /v1/articles`` runs, and renames every error back to the sender's path: the same
rules, the same limits, the same answers. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from syndicate.errors import ArticleInvalid, FieldError
from syndicate.markup.sanitiser import parse_fragment, sanitised_fragment
from syndicate.news.article import Article, is_article_id, parse_article
from syndicate.news.payload import describe
from syndicate.translation.admission import admit

# IPTC's publishing status in every format: usable is published; canceled is a kill;
# withheld ("not to be used until further notice") takes the story out of every feed
# until a usable version comes.
PUBSTATUS: Final = MappingProxyType(
    {"usable": "published", "canceled": "withdrawn", "withheld": "withdrawn"}
)
_NOT_ID: Final = re.compile(r"[^A-Za-z0-9._:-]+")
_READABLE_CHARS: Final = 80
_DIGEST_CHARS: Final = 24  # 96 bits: two guids sharing a readable part never collide
# Superdesk writes dates with config.DATE_FORMAT, "%Y-%m-%dT%H:%M:%S+0000": RFC 3339
# wants the colon in the offset.
_COLONLESS_OFFSET: Final = re.compile(r"(T\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2})(\d{2})$")
_PARAGRAPH_BREAK: Final = re.compile(r"\n\s*\n")
_SPACES: Final = re.compile(r"\s+")
_LIST_INDEX: Final = re.compile(r"\[\d+\](?!.*\[\d+\]).*$")  # from the last index on


@dataclass(slots=True)
class Draft:
    """Our article's JSON form, the sender's path of each field, and the mapping's errors."""

    doc: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)

    def put(self, key: str, value: Any, origin: str) -> None:
        """Set ``key`` unless it is set already (the first source named wins) or absent."""
        if value is None or key in self.doc:
            return
        self.doc[key] = value
        self.origins[key] = origin

    def append(
        self, key: str, value: Any, origin: str, parts: dict[str, str] | None = None
    ) -> None:
        """Append to a list field; ``parts`` names the origin of each key of an object. An
        error on the whole list (too many entries) names the list its first entry came
        from (``keywords``, ``authors``, ``newsItem/contentMeta/keyword``)."""
        self.origins.setdefault(key, _LIST_INDEX.sub("", origin))
        items = self.doc.setdefault(key, [])
        path = f"{key}[{len(items)}]"
        items.append(value)
        self.origins[path] = origin
        for name, where in (parts or {}).items():
            self.origins[f"{path}.{name}"] = where

    def tag(self, value: Any, origin: str) -> None:
        """A tag, once: a subject and a keyword often say the same word."""
        if value not in self.doc.get("tags", []):
            self.append("tags", value, origin)

    def fail(self, origin: str, message: str) -> None:
        self.errors.append(FieldError(origin, message))

    def renamed(self, error: FieldError) -> FieldError:
        """``error`` on the sender's path: the longest of our paths it starts with."""
        found = ""
        for ours in self.origins:
            if error.field == ours or error.field.startswith((f"{ours}.", f"{ours}[")):
                found = max(found, ours, key=len)
        if not found:
            return error
        return FieldError(self.origins[found] + error.field[len(found) :], error.message)


def finish(draft: Draft) -> Article:
    """The article the draft holds, checked by ``parse_article`` and ``admit`` (what the
    webhook runs); else ``ArticleInvalid`` with every error on the sender's path. A field
    the mapping already refused is not reported a second time as missing; a document
    that is not an object at all (``$``) is that one error."""
    if any(e.field == "$" for e in draft.errors):
        raise ArticleInvalid(draft.errors)
    try:
        article = admit(parse_article(draft.doc))
    except ArticleInvalid as exc:
        named = {e.field for e in draft.errors}
        later = [e for e in map(draft.renamed, exc.errors) if e.field not in named]
        raise ArticleInvalid(draft.errors + later) from None
    if draft.errors:
        raise ArticleInvalid(draft.errors)
    return article


def article_id(guid: str) -> str:
    """Our id for a foreign guid: the guid itself when brief section 2 allows it, else its
    readable part and a digest of the whole. The same guid gives the same id in every
    version, so an update or a kill reaches the article it names."""
    if is_article_id(guid):
        return guid
    readable = _NOT_ID.sub("-", guid).lstrip("-._:")[:_READABLE_CHARS].rstrip("-._:")
    digest = hashlib.sha256(guid.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST_CHARS]
    return f"{readable}.{digest}" if readable else f"guid.{digest}"


def stamp(value: Any) -> Any:
    """A date as RFC 3339 (Superdesk's ``+0000`` offset gets its colon); any other value
    is passed on as it is, for ``parse_article`` to name what is wrong with it."""
    if isinstance(value, str):
        return _COLONLESS_OFFSET.sub(r"\1\2:\3", value.strip())
    return value


def version(draft: Draft, value: Any, origin: str) -> None:
    """A version as an integer: ninjs and Superdesk send a string of digits."""
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        draft.put("version", int(value.strip()), origin)
    elif isinstance(value, str):
        draft.fail(origin, f"must be a whole number such as 2, not {value[:20]!r}")
    else:
        draft.put("version", value, origin)


def guid(draft: Draft, value: Any, origin: str) -> None:
    if isinstance(value, str) and value.strip():
        draft.put("id", article_id(value.strip()), origin)
    elif value is not None:
        draft.fail(origin, f"must be a non-empty string, not {describe(value)}")


def paragraphs(text: str) -> str:
    """Plain text as HTML paragraphs (a blank line ends one), every character escaped."""
    parts = (p.strip() for p in _PARAGRAPH_BREAK.split(text))
    return "".join(f"<p>{html.escape(p)}</p>".replace("\n", "<br/>") for p in parts if p)


def plain_text(draft: Draft, markup: Any, origin: str) -> str | None:
    """The text of an HTML fragment (a description sent only as HTML), through the one
    HTML parser; its words joined by single spaces."""
    if not isinstance(markup, str):
        if markup is not None:
            draft.fail(origin, f"must be a string, not {describe(markup)}")
        return None
    try:
        fragment = parse_fragment(sanitised_fragment(markup))
    except ArticleInvalid as exc:
        draft.fail(origin, exc.errors[0].message)
        return None
    return _SPACES.sub(" ", "".join(map(str, fragment.itertext()))).strip() or None


def expect_list(draft: Draft, value: Any, origin: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        draft.fail(origin, f"must be a list, not {describe(value)}")
        return []
    return value
