"""Review desk logins in Redis: a session is found by the digest of its cookie and lasts
``SESSION_SECONDS`` (issue 18). Only the digest is a key, so the store never holds a
cookie an attacker could replay."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, cast

from syndicate.store import keys
from syndicate.store.client import Client, decode_text, guarded

SESSION_SECONDS: Final = 8 * 3600  # a working day; then the editor logs in again


@dataclass(frozen=True, slots=True)
class Session:
    """``who``: an editor's name, or the operator; ``proof``: the digest of the token the
    login was made with (a revoked or replaced token ends the session); ``csrf``: the
    token every form of the session carries."""

    who: str
    proof: str
    csrf: str


@guarded
def open_session(client: Client, digest: str, session: Session) -> None:
    key = keys.session_key(digest)
    pipe = client.pipeline(transaction=True)
    pipe.hset(key, items=["who", session.who, "proof", session.proof, "csrf", session.csrf])
    pipe.expire(key, SESSION_SECONDS)
    pipe.execute()


@guarded
def get_session(client: Client, digest: str) -> Session | None:
    fields = cast(dict[bytes, bytes], client.hgetall(keys.session_key(digest)))
    if not fields:
        return None
    who, proof, csrf = (decode_text(fields[k]) for k in (b"who", b"proof", b"csrf"))
    return Session(who, proof, csrf)


@guarded
def close_session(client: Client, digest: str) -> None:
    client.delete(keys.session_key(digest))
