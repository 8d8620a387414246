"""Credentials: the newsroom's webhook signature and partner API keys (brief section 3).

Pure functions shared by the API (checking), the CLI (issuing keys) and every client that
posts articles (make run, benchmarks, tests), so the scheme is written once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

SIGNATURE_HEADER: Final = "X-Syndicate-Signature"
_SCHEME: Final = "sha256="
_KEY_PREFIX: Final = "syn_"


def sign(body: bytes, secret: str) -> str:
    """``sha256=<hex HMAC-SHA256 of the raw body>``, the value of X-Syndicate-Signature."""
    return _SCHEME + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def is_signed(body: bytes, secret: str, header: str | None) -> bool:
    """True when ``header`` is the signature of ``body``, compared in constant time."""
    if not header or not secret:
        return False
    return hmac.compare_digest(sign(body, secret).encode(), header.strip().encode())


def new_partner_key() -> str:
    """A fresh partner key, shown once; only its digest is stored."""
    return _KEY_PREFIX + secrets.token_urlsafe(32)


def key_digest(key: str) -> str:
    """SHA-256 hex of a partner key: what the store keeps and looks keys up by."""
    return hashlib.sha256(key.encode()).hexdigest()


def is_same_token(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of a bearer token with the configured one (unset: never)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())
