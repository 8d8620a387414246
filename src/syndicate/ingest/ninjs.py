"""Generic ninjs 2.x and 3.x (IPTC) onto our article: an agency wire re-syndicated.

ninjs 2 moved headline, body and description into lists of ``{role, value}`` objects
(``headlines``, ``bodies``, ``descriptions``) and pluralised the concept lists; ninjs 3
writes the same names in camelCase (``versionCreated``, ``infoSources``) and renames
``embargoed`` to ``embargoedUntil``. One mapping reads both through the lower-cased name.
Every top-level property of the version's schema is either mapped (``MAPPED``) or left on
purpose (``IGNORED``); anything else is a 422 "unknown field", as the ninjs schemas
themselves refuse it (``unevaluatedProperties: false``). ninjs 1.x is read by superdesk.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final

from syndicate.ingest import draft as d
from syndicate.ingest.draft import PUBSTATUS, Draft
from syndicate.news.payload import describe, read_object

# Properties of ninjs 2.2's and 3.1's root schema (../shared/standards/ninjs).
V2_FIELDS: Final = frozenset(
    {"altids", "associations", "bodies", "by", "contentcreated", "copyrightholder"}
    | {"copyrightnotice", "descriptions", "digitalsourcetype", "ednote", "embargoed"}
    | {"events", "expires", "firstcreated", "genres", "headlines", "infosources", "language"}
    | {"located", "objects", "organisations", "people", "places", "profile", "pubstatus"}
    | {"renditions", "representationtype", "rightsinfo", "slugline", "standard", "subjects"}
    | {"title", "trustindicators", "type", "urgency", "uri", "usageterms", "version"}
    | {"versioncreated"}
)
V3_FIELDS: Final = frozenset(
    {"altIds", "associations", "bodies", "by", "contentCreated", "copyrightHolder"}
    | {"copyrightNotice", "descriptions", "digitalSourceType", "edNote", "embargoedUntil"}
    | {"eventDetails", "events", "expires", "firstCreated", "genres", "headlines"}
    | {"infoSources", "language", "located", "objects", "organisations", "people", "places"}
    | {"plannedCoverage", "profile", "pubStatus", "renditions", "representationType"}
    | {"rightsInfo", "slugline", "standard", "subjects", "title", "trustIndicators", "type"}
    | {"urgency", "uri", "usageTerms", "version", "versionCreated"}
)
# Left on purpose: metadata about the object (standard, representation, profile, ids,
# trust indicators, digital source, expiry), newsroom workflow (urgency, slugline, title,
# edNote, genres) and concepts we have no field for (people, organisations, objects,
# events, planned coverage); rightsInfo is the structured twin of the copyright fields.
IGNORED: Final = frozenset(
    {"standard", "representationtype", "profile", "altids", "trustindicators", "expires"}
    | {"digitalsourcetype", "urgency", "slugline", "title", "ednote", "genres", "people"}
    | {"organisations", "objects", "events", "eventdetails", "plannedcoverage", "rightsinfo"}
)
_MEDIA: Final = MappingProxyType(
    {"picture": "image", "graphic": "image", "video": "video", "audio": "audio"}
)
_HTML: Final = ("text/html", "application/xhtml+xml")
_SOURCE_ROLES: Final = frozenset(
    {"source", "originator", "originfo", "origcont", "cont", "aggregator", "distributor"}
    | {"publisher", "provider", "supplier", "enhancer", "creditline"}
)

Reader = Callable[[Draft, Any, str], None]


def _lower(value: Any) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, dict) else {}


def _objects(draft: Draft, value: Any, at: str) -> list[tuple[dict[str, Any], str]]:
    """The objects of a list with their paths, keys lower-cased; the rest are reported."""
    found = []
    for i, item in enumerate(d.expect_list(draft, value, at)):
        if isinstance(item, dict):
            found.append((_lower(item), f"{at}[{i}]"))
        else:
            draft.fail(f"{at}[{i}]", f"must be an object, not {describe(item)}")
    return found


def _chosen(items: list[tuple[dict[str, Any], str]], roles: tuple[str, ...]) -> Any:
    """The item with the first of ``roles``, else the first item."""
    for role in roles:
        for item in items:
            if item[0].get("role") == role:
                return item
    return items[0] if items else None


def _is_html(item: dict[str, Any]) -> bool:
    return str(item.get("contenttype", "text/html")).split(";")[0].strip().lower() in _HTML


def _headlines(draft: Draft, value: Any, at: str) -> None:
    if found := _chosen(_objects(draft, value, at), ("main", "")):
        draft.put("headline", found[0].get("value"), f"{found[1]}.value")


def _bodies(draft: Draft, value: Any, at: str) -> None:
    items = _objects(draft, value, at)
    found = next((item for item in items if _is_html(item[0])), None) or _chosen(items, ())
    if found is None:
        return
    text, where = found[0].get("value"), f"{found[1]}.value"
    html = text if _is_html(found[0]) or not isinstance(text, str) else d.paragraphs(text)
    draft.put("body_html", html, where)


def _descriptions(draft: Draft, value: Any, at: str) -> None:
    if found := _chosen(_objects(draft, value, at), ("summary", "")):
        text, where = found[0].get("value"), f"{found[1]}.value"
        summary = d.plain_text(draft, text, where) if _is_html(found[0]) else text
        draft.put("summary", summary, where)


def _subjects(draft: Draft, value: Any, at: str) -> None:
    for item, where in _objects(draft, value, at):
        if item.get("name") is not None:
            draft.tag(item["name"], f"{where}.name")


def _places(draft: Draft, value: Any, at: str) -> None:
    for item, where in _objects(draft, value, at):
        draft.put("dateline", item.get("name"), f"{where}.name")


def _is_source_role(role: Any) -> bool:
    """A role that names where the story came from rather than who made it: none, ours
    (``source``), IPTC's infosource roles, or any QCode or URI."""
    if not isinstance(role, str) or not role.strip():
        return True
    return role.strip().lower() in _SOURCE_ROLES or ":" in role or "/" in role


def _info_sources(draft: Draft, value: Any, at: str) -> None:
    """A party in a credit role (reporting, editing, "voice over"...) is a credit, its
    role word made our code where we know it; a source role names the source (the first
    one wins)."""
    for item, where in _objects(draft, value, at):
        role = item.get("role")
        if _is_source_role(role):
            draft.put("source", item.get("name"), f"{where}.name")
            continue
        parts = {"role": f"{where}.role", "name": f"{where}.name"}
        draft.append("credits", {"role": role, "name": item.get("name")}, where, parts)


def _by(draft: Draft, value: Any, at: str) -> None:
    """``by`` is read as a credit line unless infoSources named the people with roles
    (reading both would credit each of them twice)."""
    if "credits" not in draft.doc:
        draft.put("credit_line", value, at)


def _web_rendition(draft: Draft, value: Any, at: str) -> None:
    for item, where in _objects(draft, value, at):
        if item.get("name") == "web":
            draft.put("url", item.get("href"), f"{where}.href")


def _associations(draft: Draft, value: Any, at: str) -> None:
    """Pictures, video and audio become media; other associations (the original of a
    translation, related stories) are not part of this story."""
    for item, where in _objects(draft, value, at):
        kind = _MEDIA.get(str(item.get("type")))
        if kind is None:
            continue
        medium, parts = {"type": kind}, {"type": f"{where}.type"}
        renditions = _objects(draft, item.get("renditions"), f"{where}.renditions")
        if found := _chosen(renditions, ("original",)):
            medium["url"], parts["url"] = found[0].get("href"), f"{found[1]}.href"
        captions = _objects(draft, item.get("descriptions"), f"{where}.descriptions")
        if found := _chosen(captions, ("caption", "summary")):
            medium["caption"], parts["caption"] = found[0].get("value"), f"{found[1]}.value"
        if item.get("by") is not None:
            medium["credit"], parts["credit"] = item["by"], f"{where}.by"
        draft.append("media", {k: v for k, v in medium.items() if v is not None}, where, parts)


def _date(key: str) -> Reader:
    return lambda draft, value, at: draft.put(key, d.stamp(value), at)


def _copy(key: str) -> Reader:
    return lambda draft, value, at: draft.put(key, value, at)


def _pubstatus(draft: Draft, value: Any, at: str) -> None:
    if not isinstance(value, str) or value not in PUBSTATUS:
        draft.fail(at, f"must be one of: {', '.join(PUBSTATUS)}")
    else:
        draft.put("status", PUBSTATUS[value], at)


def _type(draft: Draft, value: Any, at: str) -> None:
    if value != "text":
        shown = value if isinstance(value, str) else describe(value)
        draft.fail(at, f"only text items can be syndicated, not {shown!r}")


# By lower-cased name, in reading order: the first source of a field wins.
MAPPED: Final[Mapping[str, Reader]] = MappingProxyType(
    {
        "uri": d.guid,
        "version": d.version,
        "type": _type,
        "pubstatus": _pubstatus,
        "language": _copy("language"),
        "headlines": _headlines,
        "bodies": _bodies,
        "descriptions": _descriptions,
        "located": _copy("dateline"),
        "places": _places,
        "infosources": _info_sources,
        "by": _by,
        "subjects": _subjects,
        "contentcreated": _date("published_at"),
        "firstcreated": _date("published_at"),
        "versioncreated": _date("updated_at"),
        "embargoed": _date("embargo_until"),
        "embargoeduntil": _date("embargo_until"),
        "renditions": _web_rendition,
        "associations": _associations,
    }
)
RIGHTS: Final = MappingProxyType(
    {"copyrightholder": "holder", "copyrightnotice": "notice", "usageterms": "usage_terms"}
)


def _gather_rights(draft: Draft, fields: dict[str, tuple[Any, str]]) -> None:
    """copyrightHolder, copyrightNotice and usageTerms as our one ``rights`` object."""
    given = {ours: fields[theirs] for theirs, ours in RIGHTS.items() if theirs in fields}
    if not given:
        return
    draft.doc["rights"] = {ours: value for ours, (value, _) in given.items()}
    draft.origins["rights"] = fields.get("copyrightholder", next(iter(given.values())))[1]
    draft.origins.update({f"rights.{ours}": at for ours, (_, at) in given.items()})


def map_ninjs(data: Any, major: int) -> Draft:
    """The draft article of a ninjs ``major`` (2 or 3) object (see the module doc)."""
    draft = Draft()
    known = V3_FIELDS if major >= 3 else V2_FIELDS
    reader = read_object(data, "", draft.errors, known)
    if reader is None:
        return draft
    fields = {k.lower(): (v, reader.at(k)) for k, v in data.items() if k in known and v is not None}
    _gather_rights(draft, fields)
    for name, read in MAPPED.items():
        if name in fields:
            read(draft, *fields[name])
    if "updated_at" in draft.doc:
        draft.put("published_at", draft.doc["updated_at"], draft.origins["updated_at"])
    draft.origins.setdefault("published_at", "contentCreated" if major >= 3 else "contentcreated")
    draft.origins.setdefault("id", "uri")
    return draft
