"""Which ninjs version a partner reads (issue 10): ``?version=``, else the Accept header.

IPTC approved ninjs 1.6, 2.2 and 3.1 together and partners' systems read different ones
(Superdesk reads only 1.x), so each is served on request from the same stored edition:

- ``?version=1.6`` (``2.2``, ``3.1``; ``1``, ``2``, ``3`` for the latest of that major)
  wins, because many feed readers cannot set headers; an unknown one is a 400;
- else the Accept media range with the highest q that names a version:
  ``application/json; profile="<schema URI>"`` or ``application/ninjs+json; version=1.6``;
  ``application/json`` without a profile, ``application/*``, ``*/*`` or no Accept at all
  mean the default, 3.1; an Accept that allows nothing we serve is a 406.

Every answer is ``application/json; profile="<schema URI of the version served>"`` with
``Vary: Accept`` (the version is part of the representation, and so is its ETag).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from syndicate.api.answers import Refused
from syndicate.feeds.ninjs_versions import (
    DEFAULT_VERSION,
    SCHEMA_URIS,
    NinjsVersion,
    find_version,
    version_of_schema,
)

VERSION_PARAMETER: Final = "version"
NINJS_MEDIA: Final = "application/ninjs+json"
_OFFERED: Final = ", ".join(NinjsVersion)
_ANY: Final = frozenset({"*/*", "application/*"})


def ninjs_media_type(version: NinjsVersion) -> str:
    """The Content-Type of a ninjs answer: JSON, profiled by the version's schema."""
    return f'application/json; profile="{SCHEMA_URIS[version]}"'


def _parameters(parts: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for part in parts:
        name, _, value = part.partition("=")
        params[name.strip().lower()] = value.strip().strip('"')
    return params


def _quality(params: Mapping[str, str]) -> float:
    try:
        return max(0.0, min(1.0, float(params.get("q", "1"))))
    except ValueError:
        return 0.0


def _version_of_range(media: str, params: Mapping[str, str]) -> NinjsVersion | None:
    """The version one media range asks for, or None when it allows none we serve."""
    if media in _ANY:
        return DEFAULT_VERSION
    if media == "application/json":
        profiles = params.get("profile", "").split()
        if not profiles:
            return DEFAULT_VERSION
        return next(filter(None, map(version_of_schema, profiles)), None)
    if media == NINJS_MEDIA:
        return find_version(params["version"]) if "version" in params else DEFAULT_VERSION
    return None


def _ranges(accept: str) -> Iterator[tuple[float, NinjsVersion | None]]:
    for raw in accept.split(","):
        media, *parts = (p.strip() for p in raw.split(";"))
        if media:
            params = _parameters(parts)
            yield _quality(params), _version_of_range(media.lower(), params)


def _from_accept(accept: str) -> NinjsVersion:
    wanted = [(q, v) for q, v in _ranges(accept) if q > 0 and v is not None]
    if not wanted:
        raise Refused(
            406,
            f"Accept allows no ninjs version served here: offered {_OFFERED} as"
            ' application/json; profile="<schema URI>" or application/ninjs+json; version=<v>',
        )
    best = max(q for q, _ in wanted)
    return next(v for q, v in wanted if q == best)


def choose_ninjs_version(query: Mapping[str, str], accept: str | None) -> NinjsVersion:
    """The version to serve: the ``version`` query parameter, else Accept, else 3.1."""
    asked = query.get(VERSION_PARAMETER)
    if asked is not None:
        version = find_version(asked)
        if version is None:
            raise Refused(
                400,
                f"{VERSION_PARAMETER}: unknown ninjs version {asked!r}; offered {_OFFERED}"
                " (or 1, 2, 3 for the latest of a major)",
            )
        return version
    if accept is None or not accept.strip():
        return DEFAULT_VERSION
    return _from_accept(accept)
