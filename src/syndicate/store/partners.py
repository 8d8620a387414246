"""Partners in Redis: the agencies that poll feeds, found by the digest of their key.

Each record is stored twice, by name (to list and revoke) and by key digest (one read per
poll), and both copies are written and deleted together. Keys are in keys.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final, cast

import redis

from syndicate.store import keys, scripts
from syndicate.store.client import (
    AsyncClient,
    Client,
    decode_text,
    decode_time,
    encode_time,
    guarded,
    guarded_async,
    run_script,
)

_FIELDS: Final = (b"name", b"key_sha256", b"languages", b"formats", b"created")


@dataclass(frozen=True, slots=True)
class Partner:
    name: str
    key_sha256: str
    languages: tuple[str, ...]
    formats: tuple[str, ...]
    created: datetime


def _partner(f: Mapping[bytes, bytes]) -> Partner:
    name, digest, langs, formats, created = (f[k].decode() for k in _FIELDS)
    split = tuple(filter(None, langs.split(","))), tuple(filter(None, formats.split(",")))
    return Partner(name, digest, *split, decode_time(created))


@guarded
def add_partner(client: Client, partner: Partner) -> bool:
    """Record a partner (its key only as SHA-256 hex); False if the name or key is taken."""
    p = partner
    ids = [keys.partner_key(p.name), keys.partner_digest_key(p.key_sha256), keys.partners_key()]
    args = [p.name, p.key_sha256, ",".join(p.languages), ",".join(p.formats)]
    args.append(encode_time(p.created))
    return bool(run_script(client, scripts.ADD_PARTNER, ids, args))


@guarded
def find_partner(client: Client, key_sha256: str) -> Partner | None:
    """The partner whose key hashes to ``key_sha256``: one read per poll."""
    fields = cast(dict[bytes, bytes], client.hgetall(keys.partner_digest_key(key_sha256)))
    return _partner(fields) if fields else None


@guarded_async
async def poll_partner(client: AsyncClient, key_sha256: str) -> Partner | None:
    """``find_partner`` on the API's event loop (the poll path)."""
    fields = cast(dict[bytes, bytes], await client.hgetall(keys.partner_digest_key(key_sha256)))
    return _partner(fields) if fields else None


@guarded
def list_partners(client: Client) -> list[Partner]:
    names = sorted(decode_text(n) for n in cast(set[bytes], client.smembers(keys.partners_key())))
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.hgetall(keys.partner_key(name))
    return [_partner(fields) for fields in pipe.execute() if fields]


@guarded
def revoke_partner(client: Client, name: str) -> bool:
    """Delete a partner and its key digest together (WATCH/MULTI); False if unknown."""
    found: list[bytes] = []

    def revoke(pipe: redis.client.Pipeline) -> None:
        digest = cast(bytes | None, pipe.hget(keys.partner_key(name), "key_sha256"))
        found[:] = [digest] if digest else []
        pipe.multi()
        for digest in found:
            pipe.delete(keys.partner_key(name), keys.partner_digest_key(digest.decode()))
            pipe.srem(keys.partners_key(), name)

    client.transaction(revoke, keys.partner_key(name))
    return bool(found)
