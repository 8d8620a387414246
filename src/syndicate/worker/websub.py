"""The WebSub hub's steps (issue 19; push/websub.py has its rules): verify a subscriber's
intent, announce a changed feed to its subscribers, send one content distribution, and
the sweep's share (the due distributions, the leases that ended).

A distribution is a push delivery (store/pushes.py) to the target ``websub~<id>``, so it
has the pushes' claims, order, retries, dead letters and metrics. Each new one supersedes
one of the same subscription still waiting, and an attempt sends the feed as it is stored
then: the newest feed holds everything an older one did.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import Final

from syndicate.push import websub as rules
from syndicate.push.payload import DELIVERY_HEADER, ItemRef
from syndicate.push.rules import Answer, describe
from syndicate.store import feeds, pushes
from syndicate.store import websub as store
from syndicate.store.client import Client
from syndicate.store.pushes import Delivery
from syndicate.worker import push_http
from syndicate.worker.push import Nudge, PushSettings, due

log = logging.getLogger("syndicate.push")
EXPIRED_PER_SWEEP: Final = 100
_MEDIA: Final = {
    "rss": "application/rss+xml; charset=utf-8",
    "newsml": "application/xml; charset=utf-8",
}


def verify(
    client: Client,
    intent: rules.Intent,
    where: tuple[str, str, str],
    ps: PushSettings,
    now: datetime,
) -> bool:
    """GET the callback with a challenge; on the echo, subscribe (or unsubscribe). ``where``
    is the partner asking and the topic's language and format."""
    challenge = secrets.token_urlsafe(24)
    query = {"hub.mode": intent.mode, "hub.topic": intent.topic, "hub.challenge": challenge}
    if intent.mode == "subscribe":
        query["hub.lease_seconds"] = str(intent.lease_seconds)
    answer = push_http.get(intent.callback, query, ps.allowed, ps.timeout)
    confirmed = rules.challenge_met(challenge, answer.status, answer.body)
    partner, lang, fmt = where
    sub_id = rules.subscription_id(intent.topic, intent.callback)
    expires = now.timestamp() + intent.lease_seconds
    sub = store.Subscription(
        sub_id, intent.topic, intent.callback, intent.secret, partner, lang, fmt, expires
    )
    if confirmed and intent.mode == "subscribe":
        store.subscribe(client, sub)
    elif confirmed:
        store.unsubscribe(client, sub)
    fields = {
        "partner": partner,
        "topic": intent.topic,
        "mode": intent.mode,
        "confirmed": confirmed,
    }
    log.info("websub verification", extra={**fields, "answer": describe(answer)})
    return confirmed


def announce(client: Client, lang: str, ps: PushSettings, now: datetime) -> list[Nudge]:
    """A distribution of each of the language's RSS and NewsML feeds that changed since its
    subscriber last got it; the ones to send now. A change is confirmed only once its
    delivery is recorded, so a worker killed in between announces it again when the publish
    step runs again (store/websub.py)."""
    nudges: list[Nudge] = []
    for fmt in _MEDIA:
        subs = store.subscribers(client, lang, fmt, now.timestamp())
        feed = feeds.read_feed(client, lang, fmt) if subs else None
        if feed is None or not feed.body:
            continue
        for sub in subs:
            version = store.announced(client, sub.id, feed.etag)
            if version:
                ref = ItemRef(f"{lang}.{fmt}", version, lang, sub.topic, False)
                pushes.create(client, sub.target, ref, fmt, now, now, supersede=True)
                store.confirm(client, sub.id, feed.etag)
                nudges += due(client, sub.target, ps, now)
    return nudges


def send_to_subscriber(client: Client, d: Delivery, ps: PushSettings, at: datetime) -> Answer:
    """One distribution: the feed as stored now, to the subscription's callback."""
    sub = store.get_subscription(client, d.partner.removeprefix(store.TARGET_PREFIX))
    if sub is None or sub.expires <= at.timestamp():
        return Answer(None, "the subscription ended", forbidden=True)
    feed = feeds.read_feed(client, sub.lang, sub.format)
    if feed is None or not feed.body:
        return Answer(None, "the feed shows nothing now", forbidden=True)
    hub = rules.hub_url(_base(sub.topic))
    headers = rules.distribution_headers(_MEDIA[sub.format], feed.body, hub, sub.topic, sub.secret)
    headers[DELIVERY_HEADER] = d.ref.delivery_id
    return push_http.post(sub.callback, feed.body, headers, ps.allowed, ps.timeout)


def _base(topic: str) -> str:
    """The API's base URL a topic (a feed URL of this hub) starts with."""
    return topic.split("/v1/feeds/", 1)[0]


def sweep(client: Client, ps: PushSettings, now: datetime) -> list[Nudge]:
    """The due distributions of every live subscription; the expired ones removed."""
    for sub in store.expired(client, now.timestamp(), EXPIRED_PER_SWEEP):
        store.unsubscribe(client, sub)
    nudges: list[Nudge] = []
    for sub_id in store.live(client, now.timestamp()):
        nudges += due(client, store.TARGET_PREFIX + sub_id, ps, now)
    return nudges
