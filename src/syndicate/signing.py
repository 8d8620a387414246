"""HMAC signatures over bodies: the one place the schemes are spelled.

A core module (stdlib only), so that the API, which checks the newsroom's webhook, and the
worker, which signs what it pushes to partners and WebSub subscribers, compute the same
bytes; api/credentials.py builds the newsroom's checks on top of it.

- ``sign``: ``sha256=<hex HMAC-SHA256 of the body>``, the brief's (replayable) form and
  WebSub's ``X-Hub-Signature`` (WebSub section 8);
- ``sign_timestamped``: ``t=<unix>,v1=<hex HMAC-SHA256 of "<t>." + body>`` (Stripe's scheme),
  which a receiver accepts only near ``t``: a captured request cannot be replayed later.
"""

from __future__ import annotations

import hmac
from typing import Final

SIGNATURE_HEADER: Final = "X-Syndicate-Signature"
SHA256_SCHEME: Final = "sha256="


def hmac_hex(secret: str, message: bytes, digest: str = "sha256") -> str:
    """Hex HMAC of ``message`` keyed with the UTF-8 ``secret``."""
    return hmac.new(secret.encode(), message, digest).hexdigest()


def sign(body: bytes, secret: str) -> str:
    """``sha256=<hex HMAC-SHA256 of the raw body>``."""
    return SHA256_SCHEME + hmac_hex(secret, body)


def sign_timestamped(body: bytes, secret: str, at: int) -> str:
    """``t=<at>,v1=<hex HMAC-SHA256 of "<at>." + body>``: valid only near ``at``."""
    return f"t={at},v1={hmac_hex(secret, f'{at}.'.encode() + body)}"
