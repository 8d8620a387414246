"""Who acts on the review desk (issue 18): an editor, by the token ``syndicate editors add``
printed once, or the operator, by the operator token; each only in their languages (the
operator in every one).

Tokens are stored only as SHA-256 digests: a request hashes the token it was given and
looks the digest up (one read), and the found record is compared again in constant time.
A desk login keeps the digest it was made with, so revoking an editor, or giving the name
a new token, ends their sessions at their next request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Final

from syndicate.review.policy import EVERY, covers
from syndicate.store import editors
from syndicate.store.client import Client

OPERATOR: Final = "operator"
_TOKEN_PREFIX: Final = "syned_"


@dataclass(frozen=True, slots=True)
class Actor:
    """An editor (or the operator) and the languages they may act on."""

    name: str
    languages: tuple[str, ...]
    proof: str  # the digest of the token they showed

    @property
    def is_operator(self) -> bool:
        return self.name == OPERATOR and self.languages == (EVERY,)

    def may_review(self, lang: str) -> bool:
        return covers(self.languages, lang)


def new_editor_token() -> str:
    """A fresh editor token, shown once; only its digest is stored."""
    return _TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_for(client: Client, token: str | None, operator_token: str | None) -> Actor | None:
    """The operator, the editor holding ``token``, or None."""
    if not token:
        return None
    digest = token_digest(token)
    if operator_token and hmac.compare_digest(digest, token_digest(operator_token)):
        return Actor(OPERATOR, (EVERY,), digest)
    editor = editors.find_editor(client, digest)
    if editor is None or not hmac.compare_digest(editor.token_sha256, digest):
        return None
    return Actor(editor.name, editor.languages, digest)


def actor_again(client: Client, who: str, proof: str, operator_token: str | None) -> Actor | None:
    """The actor of a session, if the token it was opened with still holds: the operator's
    token unchanged, the editor not revoked nor given a new token."""
    if who == OPERATOR:
        same = bool(operator_token) and hmac.compare_digest(
            proof, token_digest(operator_token or "")
        )
        return Actor(OPERATOR, (EVERY,), proof) if same else None
    editor = editors.get_editor(client, who)
    if editor is None or not hmac.compare_digest(editor.token_sha256, proof):
        return None
    return Actor(editor.name, editor.languages, proof)
