"""The ninjs versions served (1.6, 2.2, 3.1, issue 10), and how 2.2 and 1.6 spell a 3.1 object.

IPTC approved the three together and partners read different ones: Superdesk's ninjs
parser reads only 1.x (a 3.1 object crashes it: ``associations`` is a list there). ninjs.py
builds each object once, as 3.1; this module rewrites it for the version asked for, so
the values (cleaned text, times, URIs) are the same bytes in every version, only the
property names and shapes differ:

- Only 3.1 says how an association relates to the item (``rel``). Without it an
  associated object reads as content of the story, and readers ingest it as an item of
  its own (Superdesk made an empty item under the original's guid), so 2.2 and 1.6 keep
  the associations that are content (they have a ``type``: the media) and leave out the
  link to a translation's original; the ``edNote`` still names the original.
- 2.2 has 3.1's shapes with lower-case names (``firstcreated``, ``contenttype``,
  ``infosources``); 3.1's ``embargoedUntil`` is 2.2's ``embargoed``.
- 1.6 is flat: one ``headline``, ``description_text``, ``body_html`` and ``byline``
  string (what Superdesk copies), ``subject`` and ``infosource`` lists (an infosource's
  3.1 ``role`` is its ``rel``), ``renditions`` and ``associations`` as objects keyed by
  name, ``$standard``, and ``representationtype`` ``complete`` for 3.1's ``full``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Final

Json = dict[str, Any]


class NinjsVersion(StrEnum):
    V1_6 = "1.6"
    V2_2 = "2.2"
    V3_1 = "3.1"


DEFAULT_VERSION: Final = NinjsVersion.V3_1
SCHEMA_URIS: Final = {
    v: f"http://www.iptc.org/std/ninjs/ninjs-schema_{v}.json#" for v in NinjsVersion
}


def find_version(text: str) -> NinjsVersion | None:
    """The version named by ``text``: ``1.6``, ``2.2``, ``3.1``, or a bare major (``1``,
    ``2``, ``3``) for the latest of that major; None for anything else."""
    wanted = text.strip()
    for version in reversed(NinjsVersion):  # declared oldest first: the latest of a major wins
        if wanted in (version.value, version.value.split(".")[0]):
            return version
    return None


def version_of_schema(uri: str) -> NinjsVersion | None:
    """The version whose schema URI is ``uri`` (with or without the ``#``, http or https)."""
    wanted = uri.strip().removesuffix("#").replace("https://", "http://", 1)
    for version, known in SCHEMA_URIS.items():
        if known.removesuffix("#") == wanted:
            return version
    return None


def _children(value: Any, convert: Callable[[Json], Json]) -> Any:
    if isinstance(value, dict):
        return convert(value)
    if isinstance(value, list):
        return [convert(v) if isinstance(v, dict) else v for v in value]
    return value


_PRE_3_NAMES: Final = {"embargoedUntil": "embargoed"}  # the rest is 3.1's name in lower case


def _content(associations: list[Json]) -> list[Json]:
    """The associations that are content, without 3.1's ``rel`` (see the module's notes)."""
    return [{k: v for k, v in a.items() if k != "rel"} for a in associations if "type" in a]


def _as_v2(value: Json) -> Json:
    out: Json = {}
    for key, item in value.items():
        if key == "associations":
            item = _content(item)
            if not item:
                continue
        out[_PRE_3_NAMES.get(key, key.lower())] = _children(item, _as_v2)
    return out


def _first_value(key: str) -> Callable[[list[Json]], Json]:
    return lambda items: {key: items[0]["value"]} if items else {}


def _v1_infosources(items: list[Json]) -> Json:
    return {"infosource": [{"name": i["name"], "rel": i["role"]} for i in items]}


def _v1_renditions(items: list[Json]) -> Json:
    names = {"contentType": "mimetype"}
    keyed = {r["name"]: {names.get(k, k): v for k, v in r.items() if k != "name"} for r in items}
    return {"renditions": keyed}


def _v1_associations(items: list[Json]) -> Json:
    keyed = {
        a["name"]: _as_v1({k: v for k, v in a.items() if k != "name"}) for a in _content(items)
    }
    return {"associations": keyed} if keyed else {}


_REPRESENTATION: Final = {"full": "complete", "partial": "incomplete"}
_V1_FIELDS: Final[dict[str, Callable[[Any], Json]]] = {
    "standard": lambda v: {"$standard": v},
    "representationType": lambda v: {"representationtype": _REPRESENTATION[v]},
    "headlines": _first_value("headline"),
    "descriptions": _first_value("description_text"),
    "bodies": _first_value("body_html"),
    "by": lambda v: {"byline": v},
    "subjects": lambda v: {"subject": v},
    "infoSources": _v1_infosources,
    "renditions": _v1_renditions,
    "associations": _v1_associations,
}


def _as_v1(value: Json) -> Json:
    out: Json = {}
    for key, item in value.items():
        spell = _V1_FIELDS.get(key)
        out.update(spell(item) if spell else {_PRE_3_NAMES.get(key, key.lower()): item})
    return out


def _as_v3(value: Json) -> Json:
    return value


_SPELLINGS: Final[dict[NinjsVersion, Callable[[Json], Json]]] = {
    NinjsVersion.V3_1: _as_v3,
    NinjsVersion.V2_2: _as_v2,
    NinjsVersion.V1_6: _as_v1,
}


def spell_as(value: Json, version: NinjsVersion) -> Json:
    """A ninjs 3.1 object (as ninjs.py builds it) in ``version``'s names and shapes."""
    return _SPELLINGS[NinjsVersion(version)](value)
