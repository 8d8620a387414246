"""Partners in the store (store/partners.py) on a real redis-server: found by key digest,
unique by name and key, revoked together."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from redis import Redis

from syndicate.store import partners
from syndicate.store.partners import Partner

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _partner(name: str, key: str) -> Partner:
    digest = hashlib.sha256(key.encode()).hexdigest()
    return Partner(name, digest, ("ar", "tr"), ("rss", "newsml"), NOW)


def test_partner_is_found_by_key_digest_and_listed(redis: Redis) -> None:
    agency = _partner("agency", "secret-1")
    assert partners.add_partner(redis, agency) is True
    assert partners.find_partner(redis, agency.key_sha256) == agency
    assert partners.find_partner(redis, hashlib.sha256(b"wrong").hexdigest()) is None
    assert partners.list_partners(redis) == [agency]


def test_partner_name_and_key_are_unique(redis: Redis) -> None:
    partners.add_partner(redis, _partner("agency", "secret-1"))
    assert partners.add_partner(redis, _partner("agency", "secret-2")) is False
    assert partners.add_partner(redis, _partner("other", "secret-1")) is False
    assert [p.name for p in partners.list_partners(redis)] == ["agency"]


def test_revoked_partner_key_stops_working(redis: Redis) -> None:
    agency, other = _partner("agency", "k1"), _partner("other", "k2")
    partners.add_partner(redis, agency)
    partners.add_partner(redis, other)
    assert partners.revoke_partner(redis, "agency") is True
    assert partners.find_partner(redis, agency.key_sha256) is None
    assert partners.list_partners(redis) == [other]
    assert partners.revoke_partner(redis, "agency") is False
    assert partners.add_partner(redis, agency) is True
