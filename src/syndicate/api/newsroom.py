"""The newsroom's signature at the API (issue 9): which forms each endpoint accepts, and
why a refused one is refused (401 with the reason, naming X-Syndicate-Signature).

``POST /v1/articles`` takes ``t=<unix>,v1=<hex>`` within ``signature_tolerance`` seconds,
and the brief's ``sha256=<hex>`` too unless ``require_signature_timestamp`` is set; each
use of the plain form is logged as a warning and, once the article passed its checks,
counted (``syndicate_legacy_signatures_total``), so an operator sees which CMS still
sends it before refusing it.
``GET /v1/articles/{id}`` takes the operator token, or the timestamped form over
``GET /v1/articles/<id>`` (credentials.status_message). It was signed over the empty body:
in the plain form that header never changed, so anyone who saw it once read every status
forever (issue 9); in the timestamped form, every status for 300 s (issue 16). The plain
form is refused there; the timestamped one over the empty body only while
``accept_unbound_status_signature`` lets a CMS migrate, each use logged as a warning.
``POST /v1/ingest/superdesk`` takes only Superdesk's own ``x-superdesk-signature:
sha1=<hex>``, with its own secret (``superdesk_secret``): a Superdesk subscriber cannot
send ours, and its token is not the newsroom's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from starlette.datastructures import Headers

from syndicate.api.answers import Refused
from syndicate.api.auth import is_operator, newsroom_verdict
from syndicate.api.credentials import (
    SIGNATURE_HEADER,
    STATUS_SIGNED,
    SUPERDESK_HEADER,
    Verdict,
    is_legacy,
    status_message,
    verify_superdesk,
)
from syndicate.api.metrics import LEGACY_SIGNATURES
from syndicate.config import Settings
from syndicate.store import ops as store_ops
from syndicate.store.client import Client

log = logging.getLogger("syndicate.api")
SIGNED: Final = {"WWW-Authenticate": f'Signature header="{SIGNATURE_HEADER}"'}
_TIMESTAMPED: Final = 't=<unix>,v1=<hex HMAC-SHA256 of "<t>." + body>'
_STATUS_FORM: Final = f"t=<unix>,v1=<hex HMAC-SHA256 of {STATUS_SIGNED}>"
_H: Final = SIGNATURE_HEADER
_BEARER_OR_SIGNED: Final = {"WWW-Authenticate": f"Bearer, {SIGNED['WWW-Authenticate']}"}


@dataclass(frozen=True, slots=True)
class Policy:
    """The settings the checks need (style guide 9: values, not the Settings object)."""

    secret: str | None
    tolerance: int
    require_timestamp: bool
    operator_token: str | None
    superdesk_secret: str | None = None
    unbound_status: bool = False  # accept_unbound_status_signature

    @classmethod
    def of(cls, s: Settings) -> Policy:
        return cls(
            s.newsroom_secret,
            s.signature_tolerance,
            s.require_signature_timestamp,
            s.operator_token,
            s.superdesk_secret,
            s.accept_unbound_status_signature,
        )


def _reason(verdict: Verdict, tolerance: int, signed: str = "the body") -> str:
    reasons = {
        Verdict.MISSING: f"missing {_H}",
        Verdict.MALFORMED: f"{_H} must be {_TIMESTAMPED} (or sha256=<hex>)",
        Verdict.BAD: f"bad {_H}: the HMAC does not match {signed}",
        Verdict.STALE: f"{_H} t= is more than {tolerance} s old: a replay, or the clocks differ",
        Verdict.FUTURE: f"{_H} t= is more than {tolerance} s ahead of the server's clock",
    }
    return reasons.get(verdict, f"{_H} refused ({verdict})")


def _secret(policy: Policy) -> str:
    if not policy.secret:
        message = "the server has no newsroom secret configured (SYNDICATE_NEWSROOM_SECRET)"
        raise Refused(401, message, SIGNED)
    return policy.secret


def check_webhook(policy: Policy, headers: Headers, body: bytes, now: datetime) -> Verdict:
    """VALID or LEGACY (the caller counts it with ``note_legacy``), else ``Refused`` 401."""
    verdict = newsroom_verdict(headers, body, _secret(policy), now, policy.tolerance)
    if verdict is Verdict.LEGACY and policy.require_timestamp:
        message = f"the plain sha256= form of {_H} can be replayed and is refused here"
        raise Refused(401, f"{message} (require_signature_timestamp): send {_TIMESTAMPED}", SIGNED)
    if verdict not in (Verdict.VALID, Verdict.LEGACY):
        raise Refused(401, _reason(verdict, policy.tolerance), SIGNED)
    if verdict is Verdict.LEGACY:
        log.warning("plain sha256= webhook signature accepted; send t=<unix>,v1=<hex> instead")
    return verdict


def count_legacy(client: Client) -> None:
    """Count one plain signature on an article that passed every check (nothing is
    stored for a refused request, not even this counter); a store call."""
    store_ops.count(client, LEGACY_SIGNATURES, {})


def check_status_reader(policy: Policy, headers: Headers, article_id: str, now: datetime) -> None:
    """The operator token, or the timestamped signature of ``GET /v1/articles/<id>``; else
    401. A plain ``sha256=`` header is refused whatever it signs: it never expires."""
    if is_operator(headers, policy.operator_token):
        return
    header = headers.get(SIGNATURE_HEADER)
    if not header:
        message = f"send {_H}: {_STATUS_FORM}, or the operator bearer token"
        raise Refused(401, message, _BEARER_OR_SIGNED)
    if is_legacy(header):
        message = f"a plain sha256= {_H} never expires and is refused here"
        raise Refused(401, f"{message}: send {_STATUS_FORM}", SIGNED)
    secret = _secret(policy)
    verdict = newsroom_verdict(headers, status_message(article_id), secret, now, policy.tolerance)
    if verdict is Verdict.BAD:
        verdict = _unbound(policy, headers, secret, now)
    if verdict is not Verdict.VALID:
        raise Refused(401, _reason(verdict, policy.tolerance, STATUS_SIGNED), SIGNED)


def _unbound(policy: Policy, headers: Headers, secret: str, now: datetime) -> Verdict:
    """The verdict on the old status-read form, over the empty body, for a header that does
    not sign this article: ``Refused`` saying why unless the policy still accepts it."""
    verdict = newsroom_verdict(headers, b"", secret, now, policy.tolerance)
    if verdict is Verdict.BAD:
        return verdict
    if not policy.unbound_status:
        message = f"{_H} signs the empty body, which would read every article: sign"
        raise Refused(401, f"{message} {STATUS_SIGNED} (accept_unbound_status_signature)", SIGNED)
    if verdict is Verdict.VALID:
        log.warning(f"status read signed over the empty body accepted; sign {STATUS_SIGNED}")
    return verdict


SUPERDESK_SIGNED: Final = {"WWW-Authenticate": f'Signature header="{SUPERDESK_HEADER}"'}
_SUPERDESK_REASONS: Final = {
    Verdict.MISSING: f"missing {SUPERDESK_HEADER}: set the subscriber's secret token in Superdesk",
    Verdict.MALFORMED: f"{SUPERDESK_HEADER} must be sha1=<hex HMAC-SHA1 of the body>",
    Verdict.BAD: f"bad {SUPERDESK_HEADER}: the HMAC does not match the body",
}


def check_superdesk(policy: Policy, headers: Headers, body: bytes) -> None:
    """Superdesk's signature of ``body``, else ``Refused``: 401 for a missing or bad one;
    503 while no ``superdesk_secret`` is set. Unconfigured is the server's fault, not the
    sender's: Superdesk's publish queue retries a push that got a 5xx and never one that
    got a 4xx, so a 503 push arrives once the operator sets the secret; a 401 would drop
    it for good and read as a wrong token."""
    if not policy.superdesk_secret:
        message = "Superdesk ingest is not configured on this server (SYNDICATE_SUPERDESK_SECRET)"
        raise Refused(503, message)
    verdict = verify_superdesk(body, policy.superdesk_secret, headers.get(SUPERDESK_HEADER))
    if verdict is not Verdict.VALID:
        raise Refused(401, _SUPERDESK_REASONS[verdict], SUPERDESK_SIGNED)
