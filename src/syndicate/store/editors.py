"""Review desk editors in Redis: who may check machine translations, in which languages,
found by the digest of their token (issue 18).

Like a partner, an editor is kept twice, by name (to list and revoke) and by token digest
(one read per request); both copies are written and deleted in one MULTI under WATCH, so
a name or token is never taken twice. Only the SHA-256 of a token is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import redis

from syndicate.store import keys
from syndicate.store.client import Client, decode_text, decode_time, encode_time, guarded


@dataclass(frozen=True, slots=True)
class Editor:
    name: str
    token_sha256: str
    languages: tuple[str, ...]  # language tags, or "*" for every one
    created: datetime


def _record(editor: Editor) -> list[str]:
    """The hash's fields and values, alternating (HSET's ``items``)."""
    return [
        *("name", editor.name),
        *("token_sha256", editor.token_sha256),
        *("languages", ",".join(editor.languages)),
        *("created", encode_time(editor.created)),
    ]


def _editor(fields: Mapping[bytes, bytes]) -> Editor:
    langs = tuple(filter(None, decode_text(fields[b"languages"]).split(",")))
    return Editor(
        decode_text(fields[b"name"]),
        decode_text(fields[b"token_sha256"]),
        langs,
        decode_time(fields[b"created"]),
    )


@guarded
def add_editor(client: Client, editor: Editor) -> bool:
    """Record an editor (the token only as its digest); False if the name or token is taken."""
    by_name, by_token = keys.editor_key(editor.name), keys.editor_token_key(editor.token_sha256)
    added: list[bool] = []

    def add(pipe: redis.client.Pipeline) -> None:
        taken = pipe.exists(by_name, by_token)
        added[:] = [not taken]
        if taken:
            return
        pipe.multi()
        pipe.hset(by_name, items=_record(editor))
        pipe.hset(by_token, items=_record(editor))
        pipe.sadd(keys.editors_key(), editor.name)

    client.transaction(add, by_name, by_token)
    return added == [True]


@guarded
def find_editor(client: Client, token_sha256: str) -> Editor | None:
    """The editor whose token hashes to ``token_sha256``."""
    fields = cast(dict[bytes, bytes], client.hgetall(keys.editor_token_key(token_sha256)))
    return _editor(fields) if fields else None


@guarded
def get_editor(client: Client, name: str) -> Editor | None:
    fields = cast(dict[bytes, bytes], client.hgetall(keys.editor_key(name)))
    return _editor(fields) if fields else None


@guarded
def list_editors(client: Client) -> list[Editor]:
    names = sorted(decode_text(n) for n in cast(set[bytes], client.smembers(keys.editors_key())))
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.hgetall(keys.editor_key(name))
    return [_editor(fields) for fields in pipe.execute() if fields]


@guarded
def revoke_editor(client: Client, name: str) -> bool:
    """Delete an editor and their token digest together; False if unknown."""
    found: list[bytes] = []

    def revoke(pipe: redis.client.Pipeline) -> None:
        digest = cast(bytes | None, pipe.hget(keys.editor_key(name), "token_sha256"))
        found[:] = [digest] if digest else []
        pipe.multi()
        for digest in found:
            pipe.delete(keys.editor_key(name), keys.editor_token_key(decode_text(digest)))
            pipe.srem(keys.editors_key(), name)

    client.transaction(revoke, keys.editor_key(name))
    return bool(found)
