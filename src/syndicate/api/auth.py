"""Who is calling: the newsroom (signed body), an operator or the metrics scraper (bearer
token) or a partner (API key as a bearer token or ``?key=``, brief section 3).

Partner keys are stored only as SHA-256 digests: a poll hashes the key it was given and
looks the digest up, so no stored secret is ever compared byte by byte with user input;
the found record's digest is still compared in constant time. These functions answer
yes or no (or the partner); the handlers (app.py, newsroom.py, monitoring.py) decide the
status code.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import datetime

from starlette.datastructures import Headers, QueryParams

from syndicate.api import credentials
from syndicate.api.credentials import Verdict
from syndicate.feeds import entitlement
from syndicate.store import partners
from syndicate.store.client import Client
from syndicate.store.partners import Partner


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (scheme case-insensitive), if any."""
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def partner_key(headers: Headers, query: QueryParams) -> str | None:
    """The key from the Authorization header, else from ``?key=`` (for feed readers that
    cannot set headers)."""
    return bearer_token(headers) or query.get("key") or None


def find_partner(client: Client, key: str) -> Partner | None:
    """The partner holding ``key``, or None; one store read."""
    digest = credentials.key_digest(key)
    partner = partners.find_partner(client, digest)
    if partner is None or not hmac.compare_digest(partner.key_sha256, digest):
        return None
    return partner


def is_entitled(partner: Partner, lang: str, fmt: str) -> bool:
    """True when ``partner`` may read ``lang`` in ``fmt`` (feeds/entitlement.py's rule)."""
    return entitlement.is_entitled(partner.languages, partner.formats, lang, fmt)


def reads_language(partner: Partner, lang: str) -> bool:
    """True when ``lang`` is among the partner's languages (or they are ``*``)."""
    return entitlement.reads_language(partner.languages, lang)


def newsroom_verdict(
    headers: Headers, body: bytes, secret: str, now: datetime, tolerance: int
) -> Verdict:
    """What X-Syndicate-Signature says about ``body`` under ``secret`` at ``now``."""
    signature = headers.get(credentials.SIGNATURE_HEADER)
    return credentials.verify(body, secret, signature, now.timestamp(), tolerance)


def holds_token(headers: Headers, *tokens: str | None) -> bool:
    """True for ``Authorization: Bearer <t>`` with ``t`` one of ``tokens``; an unset token
    never matches. Every token is compared, each in constant time."""
    given = bearer_token(headers)
    return any([credentials.is_same_token(given, token) for token in tokens])


def is_operator(headers: Headers, token: str | None) -> bool:
    """True for ``Authorization: Bearer <operator token>`` (never when no token is set)."""
    return holds_token(headers, token)
