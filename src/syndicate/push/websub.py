"""WebSub (W3C Recommendation, 2018) for the RSS and NewsML feeds: the hub's rules, pure
(issue 19). The hub is ``/v1/websub``; each RSS and NewsML feed names it with
``<link rel="hub">`` beside its ``rel="self"``.

- A subscriber (a partner's key) POSTs ``hub.mode`` (``subscribe`` or ``unsubscribe``),
  ``hub.topic`` (one of this hub's RSS or NewsML feed URLs it is entitled to),
  ``hub.callback``, optionally ``hub.lease_seconds`` and ``hub.secret`` (under 200 bytes).
  The hub answers 202 and verifies the intent: a GET of the callback with ``hub.mode``,
  ``hub.topic``, ``hub.challenge`` (and ``hub.lease_seconds``), which must answer 2xx with
  the challenge as its body.
- When a feed changes, every subscriber of its topic gets the new feed, POSTed with its
  Content-Type, ``Link: <hub>; rel="hub", <topic>; rel="self"`` and, with a secret,
  ``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>``, under the pushes' retry rules.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from syndicate.feeds.record import hub_url as hub_url
from syndicate.news.languages import is_language_tag
from syndicate.signing import sign

MODES: Final = ("subscribe", "unsubscribe")
DEFAULT_LEASE: Final = 10 * 24 * 3600
MAX_LEASE: Final = 30 * 24 * 3600
MAX_SECRET_BYTES: Final = 199  # "MUST be less than 200 bytes"
SIGNATURE_HEADER: Final = "X-Hub-Signature"
TOPICS: Final = {"rss": "rss", "xml": "newsml"}  # a feed URL's extension -> its format


@dataclass(frozen=True, slots=True)
class Intent:
    """A subscriber's request, checked."""

    mode: str
    topic: str
    callback: str
    lease_seconds: int
    secret: str | None


def _lease(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LEASE
    if not (raw.isascii() and raw.isdigit()) or int(raw[:10]) < 1:
        raise ValueError("hub.lease_seconds: a whole number of seconds, at least 1")
    return min(int(raw[:10]), MAX_LEASE)


def read_intent(form: Mapping[str, str]) -> Intent:
    """The request's fields; ``ValueError`` naming the first that is missing or wrong."""
    mode = form.get("hub.mode", "")
    if mode not in MODES:
        raise ValueError(f"hub.mode: one of {', '.join(MODES)}")
    for name in ("hub.topic", "hub.callback"):
        if not form.get(name):
            raise ValueError(f"{name}: required")
    secret = form.get("hub.secret") or None
    if secret is not None and len(secret.encode()) > MAX_SECRET_BYTES:
        raise ValueError(f"hub.secret: at most {MAX_SECRET_BYTES} bytes")
    return Intent(
        mode, form["hub.topic"], form["hub.callback"], _lease(form.get("hub.lease_seconds")), secret
    )


def topic_feed(topic: str, base_url: str) -> tuple[str, str] | None:
    """The (language, format) of a topic that is one of this hub's RSS or NewsML feeds."""
    prefix = f"{base_url.rstrip('/')}/v1/feeds/"
    if not topic.startswith(prefix):
        return None
    lang, _, ext = topic.removeprefix(prefix).rpartition(".")
    if ext not in TOPICS or not is_language_tag(lang):
        return None
    return lang, TOPICS[ext]


def subscription_id(topic: str, callback: str) -> str:
    """One subscription per (topic, callback): subscribing again renews it."""
    return hashlib.sha256(f"{topic}\n{callback}".encode()).hexdigest()[:32]


def distribution_headers(
    media_type: str, body: bytes, hub: str, topic: str, secret: str | None
) -> dict[str, str]:
    """The headers of one content distribution request."""
    headers = {"Content-Type": media_type, "Link": f'<{hub}>; rel="hub", <{topic}>; rel="self"'}
    if secret:
        headers[SIGNATURE_HEADER] = sign(body, secret)
    return headers


def challenge_met(challenge: str, status: int | None, body: str) -> bool:
    """The callback confirmed the intent: a 2xx whose body is the challenge."""
    return status is not None and 200 <= status <= 299 and body.strip() == challenge
