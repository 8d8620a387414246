"""Credentials: the newsroom's webhook signature and partner API keys (brief section 3).

Pure functions shared by the API (checking), the CLI (issuing keys) and every client that
posts articles (make run, benchmarks, tests), so the scheme is written once; the signing
itself is the core's (syndicate/signing.py), which the worker signs partner pushes with.

Two signature forms (issue 9): the brief's ``sha256=<hex HMAC of the body>``, which a
captured request replays forever, and the timestamped ``t=<unix>,v1=<hex HMAC of
"<t>." + body>`` (Stripe's scheme), which the API accepts only within a tolerance of its
own clock. A sender rotating its secret may send several ``v1=`` values; one HMAC is
computed on our side and every given value is compared with it in constant time.

A status read (``GET /v1/articles/<id>``) has no body; it signs its method and path
instead (``status_message``), so a captured header reads that one article and no other
(issue 16): ``t=<unix>,v1=<hex HMAC-SHA256 of "<t>.GET /v1/articles/<id>">``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from syndicate.signing import SHA256_SCHEME as _SCHEME
from syndicate.signing import SIGNATURE_HEADER as SIGNATURE_HEADER
from syndicate.signing import hmac_hex as _hmac
from syndicate.signing import sign as sign
from syndicate.signing import sign_timestamped as sign_timestamped

SUPERDESK_HEADER: Final = "X-Superdesk-Signature"
_SUPERDESK_SCHEME: Final = "sha1="
_KEY_PREFIX: Final = "syn_"
_PUSH_SECRET_PREFIX: Final = "whsec_"
_MAX_DIGESTS: Final = 8  # v1= values looked at: rotation needs two
_MAX_TIME_DIGITS: Final = 12
STATUS_SIGNED: Final = '"<t>.GET /v1/articles/<id>"'  # what status_message signs, for people


class Verdict(StrEnum):
    """What a signature header says about a body; the API maps each to its answer."""

    VALID = "valid"  # timestamped, the HMAC matches, the time is within the tolerance
    LEGACY = "legacy"  # the plain sha256= form, and it matches
    MISSING = "missing"
    MALFORMED = "malformed"  # neither form: t= and v1= missing or t not an integer
    BAD = "bad"  # the HMAC does not match
    STALE = "stale"  # matches, but t is older than the tolerance
    FUTURE = "future"  # matches, but t is further ahead than the tolerance


@dataclass(frozen=True, slots=True)
class Timestamped:
    """A parsed ``t=<unix>,v1=<hex>[,v1=<hex>...]`` header."""

    at: int
    digests: tuple[str, ...]


def status_message(article_id: str) -> bytes:
    """What a status read signs after ``"<t>."``: ``GET /v1/articles/<id>``, the id as the
    article gave it (ids are URL-safe), no query string, no body."""
    return f"GET /v1/articles/{article_id}".encode()


def sign_status_read(article_id: str, secret: str, at: int) -> str:
    """``X-Syndicate-Signature`` of a status read of ``article_id``, valid only near ``at``."""
    return sign_timestamped(status_message(article_id), secret, at)


def is_legacy(header: str) -> bool:
    """True for the brief's plain ``sha256=`` form."""
    return header.strip().startswith(_SCHEME)


def _is_unix_time(value: str) -> bool:
    """Plain ASCII digits, at most 12 of them (year 33658): no sign, no 4000-digit int."""
    return value.isascii() and value.isdigit() and len(value) <= _MAX_TIME_DIGITS


def parse_timestamped(header: str) -> Timestamped | None:
    """The timestamp and v1 digests of a header, or None when it is not that form.
    Unknown keys (another scheme's ``v0=``) are ignored, as Stripe's clients do."""
    at: int | None = None
    digests: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and _is_unix_time(value) and at is None:
            at = int(value)
        elif key == "t":
            return None  # twice, or not a plain integer
        elif key == "v1" and value:
            digests.append(value.strip())
    if at is None or not digests:
        return None
    return Timestamped(at, tuple(digests[:_MAX_DIGESTS]))


def is_signed(body: bytes, secret: str, header: str | None) -> bool:
    """True when ``header`` is the plain signature of ``body``, compared in constant time."""
    if not header or not secret:
        return False
    return hmac.compare_digest(sign(body, secret).encode(), header.strip().encode())


def _matches(expected: str, given: tuple[str, ...]) -> bool:
    """Every given digest is compared (no early exit), each in constant time."""
    results = [hmac.compare_digest(expected.encode(), digest.encode()) for digest in given]
    return any(results)


def verify(body: bytes, secret: str, header: str | None, now: float, tolerance: int) -> Verdict:
    """The verdict on ``header`` for ``body`` at unix time ``now``: the HMAC first (so
    nobody without the secret learns anything about our clock), then the timestamp,
    accepted while ``|now - t| <= tolerance``."""
    if not header or not header.strip():
        return Verdict.MISSING
    if is_legacy(header):
        return Verdict.LEGACY if is_signed(body, secret, header) else Verdict.BAD
    parsed = parse_timestamped(header)
    if parsed is None:
        return Verdict.MALFORMED
    expected = _hmac(secret, f"{parsed.at}.".encode() + body)
    if not _matches(expected, parsed.digests):
        return Verdict.BAD
    if now - parsed.at > tolerance:
        return Verdict.STALE
    if parsed.at - now > tolerance:
        return Verdict.FUTURE
    return Verdict.VALID


def sign_superdesk(body: bytes, secret: str) -> str:
    """``sha1=<hex HMAC-SHA1 of the raw body>``, keyed with the UTF-8 secret token: what
    Superdesk's HTTP push transmitter sends in ``x-superdesk-signature``. SHA-1 is its
    choice, not ours; as an HMAC it still needs the secret to forge."""
    return _SUPERDESK_SCHEME + _hmac(secret, body, "sha1")


def verify_superdesk(body: bytes, secret: str, header: str | None) -> Verdict:
    """VALID, MISSING, MALFORMED (not ``sha1=<hex>``) or BAD, compared in constant time.
    Superdesk signs no timestamp, so a captured push can be sent again: it is then a
    replay of a known version (200, nothing new), as on ``POST /v1/articles``."""
    if not header or not header.strip():
        return Verdict.MISSING
    if not header.strip().startswith(_SUPERDESK_SCHEME):
        return Verdict.MALFORMED
    expected = sign_superdesk(body, secret).encode()
    return Verdict.VALID if hmac.compare_digest(expected, header.strip().encode()) else Verdict.BAD


def new_partner_key() -> str:
    """A fresh partner key, shown once; only its digest is stored."""
    return _KEY_PREFIX + secrets.token_urlsafe(32)


def new_push_secret() -> str:
    """A fresh push secret, shown once. Stored as it is: the worker needs it to sign every
    push, so it is a shared secret like the newsroom's, not a password."""
    return _PUSH_SECRET_PREFIX + secrets.token_urlsafe(32)


def key_digest(key: str) -> str:
    """SHA-256 hex of a partner key: what the store keeps and looks keys up by."""
    return hashlib.sha256(key.encode()).hexdigest()


def is_same_token(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of a bearer token with the configured one (unset: never)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())
