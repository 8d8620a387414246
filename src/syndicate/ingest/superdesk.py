"""Superdesk's HTTP push item (its ninjs formatter's JSON) and ninjs 1.x, onto our article.

Superdesk's ``NINJSFormatter`` writes ninjs 1.x field names (``guid`` for ``uri``,
``body_html``, ``description_text``, ``subject``, ``located``...) plus fields of its own
(``authors``, ``keywords``, ``service``...), so one mapping reads both. Every field either
of them may send is in ``MAPPED`` (it becomes part of the article) or in ``IGNORED`` (we
have no use for it, on purpose); a field in neither is a 422 "unknown field" naming its
JSON path, as ``POST /v1/articles`` answers a typo. docs/operations.md lists both sets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final

from syndicate.errors import FieldError
from syndicate.ingest import draft as d
from syndicate.ingest.draft import PUBSTATUS, Draft
from syndicate.news.payload import ObjectReader, describe, read_object

_MEDIA: Final = MappingProxyType(
    {"picture": "image", "graphic": "image", "video": "video", "audio": "audio"}
)
# The rendition a partner should get: the original, else Superdesk's large ones.
_RENDITIONS: Final = ("original", "baseImage", "viewImage", "16-9", "4-3")
_AUTHOR_FIELDS: Final = frozenset(
    {"code", "name", "role", "biography", "uri", "email", "jobtitle", "avatar_url"}
    | {"twitter", "facebook", "instagram", "_id", "parent", "sub_label"}
)
# Superdesk's formatter (and ninjs 1.x) fields with no article field. Why each is left:
# priority, urgency, slugline, profile, genre, signal, service codes: newsroom workflow;
# mimetype, charcount, wordcount, readtime: recomputed from the body; ednote: a note to
# editors, not for readers; evolvedfrom, rewrite_of, rewrite_sequence, refs, order, label:
# links to other items we do not hold; extra, extra_items, annotations, attachments,
# organisation, person, object, event, products, coverage_id, planning_id,
# publish_schedule: no article field; renditions of a text item: its own file formats;
# ninjs 1.x representationtype, altids, trustindicator, infosource, rightsinfo, title,
# expires, digitalsourcetype, $standard: metadata about the object, not the story.
IGNORED: Final = frozenset(
    {"priority", "urgency", "slugline", "profile", "genre", "signal", "mimetype", "ednote"}
    | {"charcount", "wordcount", "readtime", "evolvedfrom", "rewrite_of", "rewrite_sequence"}
    | {"refs", "order", "label", "extra", "extra_items", "annotations", "attachments"}
    | {"organisation", "person", "object", "event", "products", "coverage_id", "planning_id"}
    | {"publish_schedule", "renditions", "representationtype", "altids", "trustindicator"}
    | {"infosource", "rightsinfo", "title", "expires", "digitalsourcetype", "$standard"}
)
# ninjs 1.x allows any headline_*, body_* and description_* beside the ones we read.
_PATTERNED: Final = re.compile(r"(?:headline|body|description)_[A-Za-z0-9_]+")

Reader = Callable[[Draft, ObjectReader, str], None]


def _text(key: str) -> Reader:
    """A field copied as it is: ``parse_article`` checks it under the sender's name."""

    def read(draft: Draft, r: ObjectReader, name: str) -> None:
        draft.put(key, r.value(name), r.at(name))

    return read


def _date(key: str) -> Reader:
    def read(draft: Draft, r: ObjectReader, name: str) -> None:
        draft.put(key, d.stamp(r.value(name)), r.at(name))

    return read


def _pubstatus(draft: Draft, r: ObjectReader, name: str) -> None:
    value = r.value(name)
    if value is not None and (not isinstance(value, str) or value not in PUBSTATUS):
        draft.fail(r.at(name), f"must be one of: {', '.join(PUBSTATUS)}")
    elif value is not None:
        draft.put("status", PUBSTATUS[value], r.at(name))


def _type(draft: Draft, r: ObjectReader, name: str) -> None:
    """Only a text item is an article: a picture or a package pushed on its own is refused
    (a Superdesk subscriber's content filter keeps them away)."""
    value = r.value(name)
    if value is not None and value != "text":
        shown = value if isinstance(value, str) else describe(value)
        draft.fail(r.at(name), f"only text items can be syndicated, not {shown!r}")


def _body_text(draft: Draft, r: ObjectReader, name: str) -> None:
    value = r.value(name)
    if isinstance(value, str):
        draft.put("body_html", d.paragraphs(value), r.at(name))
    else:
        draft.put("body_html", value, r.at(name))


def _summary_html(draft: Draft, r: ObjectReader, name: str) -> None:
    draft.put("summary", d.plain_text(draft, r.value(name), r.at(name)), r.at(name))


def _names(draft: Draft, r: ObjectReader, name: str) -> list[tuple[Any, str]]:
    """The names of a list of concepts (``{"code", "name", "scheme"}``) with their paths;
    a concept sent with a code only has no name a reader could see, so it is left out."""
    found = []
    for i, item in enumerate(d.expect_list(draft, r.value(name), r.at(name))):
        at = f"{r.at(name)}[{i}]"
        if not isinstance(item, dict):
            draft.fail(at, f"must be an object, not {describe(item)}")
        elif item.get("name") is not None:
            found.append((item["name"], f"{at}.name"))
    return found


def _subject(draft: Draft, r: ObjectReader, name: str) -> None:
    for value, at in _names(draft, r, name):
        draft.tag(value, at)


def _keywords(draft: Draft, r: ObjectReader, name: str) -> None:
    for i, word in enumerate(d.expect_list(draft, r.value(name), r.at(name))):
        draft.tag(word, f"{r.at(name)}[{i}]")


def _place(draft: Draft, r: ObjectReader, name: str) -> None:
    """The first place names the dateline when ``located`` does not."""
    for i, item in enumerate(d.expect_list(draft, r.value(name), r.at(name))):
        if isinstance(item, dict) and item.get("name") is not None:
            draft.put("dateline", item["name"], f"{r.at(name)}[{i}].name")


def _service(draft: Draft, r: ObjectReader, name: str) -> None:
    for value, at in _names(draft, r, name)[:1]:
        draft.put("section", value, at)


def _authors(draft: Draft, r: ObjectReader, name: str) -> None:
    """Each author a credit: Superdesk's role word (``writer``, ``editor``,
    ``photographer``) becomes our role code; an author with no role is the reporter."""
    for i, item in enumerate(d.expect_list(draft, r.value(name), r.at(name))):
        author = read_object(item, f"{r.at(name)}[{i}]", draft.errors, _AUTHOR_FIELDS)
        if author is None:
            continue
        role = author.value("role")
        credit = {
            "role": role if role not in (None, "") else "reporting",
            "name": author.value("name"),
        }
        parts = {"role": author.at("role"), "name": author.at("name")}
        draft.append("credits", credit, author.at("name"), parts)


def _byline(draft: Draft, r: ObjectReader, name: str) -> None:
    """The byline is read as a credit line, unless ``authors`` names the same people with
    their roles (reading both would credit each author twice)."""
    if r.value("authors") is None:
        draft.put("credit_line", r.value(name), r.at(name))


def _rights(draft: Draft, r: ObjectReader, name: str) -> None:
    """copyrightholder, copyrightnotice and usageterms are one ``rights`` object."""
    keys = {"copyrightholder": "holder", "copyrightnotice": "notice", "usageterms": "usage_terms"}
    if "rights" in draft.doc:
        return
    given = {ours: r.value(theirs) for theirs, ours in keys.items() if _given(r.value(theirs))}
    if given:
        parts = {ours: r.at(theirs) for theirs, ours in keys.items()}
        draft.doc["rights"] = given
        draft.origins.update({f"rights.{ours}": at for ours, at in parts.items()})
        draft.origins["rights"] = r.at("copyrightholder")


def _given(value: Any) -> bool:
    """Superdesk sends its rights vocabulary's blanks ("") when a field has no value."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def _associations(draft: Draft, r: ObjectReader, name: str) -> None:
    """Pictures, video and audio become media; associated text (related stories) is
    ignored: we syndicate that story when it is pushed itself."""
    value = r.value(name)
    if value is None:
        return
    if not isinstance(value, dict):
        draft.fail(r.at(name), f"must be an object, not {describe(value)}")
        return
    keys = ObjectReader(value, r.at(name), draft.errors)  # paths as the webhook writes them
    for key, item in value.items():
        at = keys.at(str(key))
        associated = _object(item, at, draft.errors) if item is not None else None
        if associated is not None:
            _medium(draft, associated, at)


def _medium(draft: Draft, r: ObjectReader, at: str) -> None:
    kind = _MEDIA.get(str(r.value("type")))
    if kind is None:
        return
    medium: dict[str, Any] = {"type": kind}
    parts: dict[str, str] = {"type": r.at("type")}
    href, where = _rendition(draft, r)
    for key, value, origin in (
        ("url", href, where),
        ("caption", r.value("description_text") or r.value("headline"), r.at("description_text")),
        ("credit", r.value("byline") or r.value("copyrightholder"), r.at("byline")),
    ):
        if value is not None:
            medium[key], parts[key] = value, origin
    draft.append("media", medium, at, parts)


def _rendition(draft: Draft, r: ObjectReader) -> tuple[Any, str]:
    renditions = r.value("renditions")
    if not isinstance(renditions, dict):
        if renditions is not None:
            draft.fail(r.at("renditions"), f"must be an object, not {describe(renditions)}")
        return None, r.at("renditions")
    names = [n for n in _RENDITIONS if n in renditions] + sorted(map(str, renditions))
    for name in names:
        rendition = renditions.get(name)
        if isinstance(rendition, dict) and rendition.get("href") is not None:
            return rendition["href"], f"{r.at('renditions')}.{name}.href"
    return None, r.at("renditions")


MAPPED: Final[Mapping[str, Reader]] = MappingProxyType(
    {
        "guid": lambda draft, r, name: d.guid(draft, r.value(name), r.at(name)),
        "uri": lambda draft, r, name: d.guid(draft, r.value(name), r.at(name)),
        "version": lambda draft, r, name: d.version(draft, r.value(name), r.at(name)),
        "type": _type,
        "pubstatus": _pubstatus,
        "language": _text("language"),
        "headline": _text("headline"),
        "body_html": _text("body_html"),
        "body_text": _body_text,
        "body_xhtml": _text("body_html"),
        "description_text": _text("summary"),
        "description_html": _summary_html,
        "located": _text("dateline"),
        "place": _place,
        "source": _text("source"),
        "service": _service,
        "firstpublished": _date("published_at"),
        "contentcreated": _date("published_at"),
        "firstcreated": _date("published_at"),
        "versioncreated": _date("updated_at"),
        "embargoed": _date("embargo_until"),
        "subject": _subject,
        "keywords": _keywords,
        "authors": _authors,
        "byline": _byline,
        "copyrightholder": _rights,
        "copyrightnotice": _rights,
        "usageterms": _rights,
        "associations": _associations,
    }
)
KNOWN: Final = frozenset(MAPPED) | IGNORED
# Read in this order, so the first source of a field wins (body_html before body_text,
# firstpublished before firstcreated, the explicit dateline before a place).
_ORDER: Final = tuple(MAPPED)


def _object(data: Any, path: str, errors: list[FieldError]) -> ObjectReader | None:
    """A reader once every unknown key is reported (the patterned ninjs 1.x keys pass)."""
    keys = map(str, data) if isinstance(data, dict) else ()
    patterned = {key for key in keys if _PATTERNED.fullmatch(key)}
    return read_object(data, path, errors, KNOWN | patterned)


def map_superdesk(data: Any) -> Draft:
    """The draft article of one Superdesk push or ninjs 1.x object (see the module doc).
    Without a publication date the version's own date stands in (``versioncreated``)."""
    draft = Draft()
    reader = _object(data, "", draft.errors)
    if reader is None:
        return draft
    for name in _ORDER:
        if reader.value(name) is not None:
            MAPPED[name](draft, reader, name)
    if "updated_at" in draft.doc:
        draft.put("published_at", draft.doc["updated_at"], draft.origins["updated_at"])
    draft.origins.setdefault("published_at", "firstcreated")
    draft.origins.setdefault("id", "guid")
    return draft
