"""Partners in Redis: the agencies that poll feeds, found by the digest of their key, and
where their pushes go (issue 19).

Each record is stored twice, by name (to list, change and revoke) and by key digest (one
read per poll), and both copies are written, changed and deleted together. Keys are in
keys.py. The push secret is kept as it is: the worker signs every push with it.
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
_PUSH_FIELDS: Final = ("push_url", "push_format", "push_secret")


@dataclass(frozen=True, slots=True)
class Push:
    """Where and how a partner's items are pushed: no URL, no push."""

    url: str = ""
    format: str = ""
    secret: str = ""


@dataclass(frozen=True, slots=True)
class Partner:
    name: str
    key_sha256: str
    languages: tuple[str, ...]
    formats: tuple[str, ...]
    created: datetime
    push: Push = Push()


def _split(raw: str) -> tuple[str, ...]:
    return tuple(filter(None, raw.split(",")))


def _partner(f: Mapping[bytes, bytes]) -> Partner:
    name, digest, langs, formats, created = (f[k].decode() for k in _FIELDS)
    push = Push(*(f.get(k.encode(), b"").decode() for k in _PUSH_FIELDS))
    return Partner(name, digest, _split(langs), _split(formats), decode_time(created), push)


def _push_pairs(push: Push) -> list[str]:
    return ["push_url", push.url, "push_format", push.format, "push_secret", push.secret]


@guarded
def add_partner(client: Client, partner: Partner) -> bool:
    """Record a partner (its key only as SHA-256 hex); False if the name or key is taken."""
    p = partner
    ids = [keys.partner_key(p.name), keys.partner_digest_key(p.key_sha256), keys.partners_key()]
    args = [p.name, p.key_sha256, ",".join(p.languages), ",".join(p.formats)]
    args += [encode_time(p.created), *_push_pairs(p.push)]
    return bool(run_script(client, scripts.ADD_PARTNER, ids, args))


@guarded
def get_partner(client: Client, name: str) -> Partner | None:
    fields = cast(dict[bytes, bytes], client.hgetall(keys.partner_key(name)))
    return _partner(fields) if fields else None


@guarded
def update_partner(client: Client, partner: Partner) -> bool:
    """Replace a partner's languages, formats and push settings, both copies together
    (WATCH/MULTI); False if no partner has that name. Its key stays."""
    p = partner
    pairs = ["languages", ",".join(p.languages), "formats", ",".join(p.formats)]
    pairs += _push_pairs(p.push)
    found: list[bytes] = []

    def update(pipe: redis.client.Pipeline) -> None:
        digest = cast(bytes | None, pipe.hget(keys.partner_key(p.name), "key_sha256"))
        found[:] = [digest] if digest else []
        pipe.multi()
        for digest in found:
            for key in (keys.partner_key(p.name), keys.partner_digest_key(digest.decode())):
                pipe.hset(key, mapping=dict(zip(pairs[::2], pairs[1::2], strict=True)))

    client.transaction(update, keys.partner_key(p.name))
    return bool(found)


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
