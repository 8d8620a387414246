"""Push syndication's steps (issue 19): announce a published item to the partners that get
it, make one attempt at one delivery, and find what is due. The Celery tasks around them
are in push_tasks.py; the rules in push/, the records in store/pushes.py.

What is guaranteed, and how:

- Every item version published in a language (the publish step marked it ``published``,
  or ``withdrawn`` for a kill) gets a delivery record for every partner with a push URL
  entitled to the language in its push format; a kill gets one for every partner that had
  a delivery of the item, entitled or not any more. ``announce`` runs after the publish
  step on every run of it, and creating a record is idempotent, so a worker killed in
  between loses none: the redelivered task announces again.
- A delivery is sent only when claimed (one attempt at a time, a lease bounding it), after
  the partner's earlier version of the item is final, and when the item shows (an
  embargoed item is due at its end; a held translation is never published, so never
  announced).
- At least once: a claim whose attempt died (kill -9, a lost worker) is taken again when
  its lease ends. A receiver that answered 2xx is sent the same delivery again only if the
  attempt died between reading that answer and recording it (one Redis write, retried
  while Redis is away until the lease ends): the same ``X-Syndicate-Delivery`` then lets
  the receiver drop it.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from syndicate.clock import Clock
from syndicate.config import Settings
from syndicate.errors import SettingsInvalid, StoreUnavailable
from syndicate.feeds.edition import FeedSite, make_channel
from syndicate.feeds.entitlement import is_entitled
from syndicate.feeds.record import derive_publication, visible_since
from syndicate.news.states import LanguageState
from syndicate.push.address import Network, parse_networks
from syndicate.push.payload import ItemRef, PushFormat, item_ref, push_headers, render_body
from syndicate.push.rules import Answer, DeliveryState, RetryPolicy, Verdict, judge
from syndicate.store import articles, pushes
from syndicate.store import ops as store_ops
from syndicate.store import partners as store_partners
from syndicate.store.client import Client
from syndicate.store.partners import Partner
from syndicate.store.pushes import Delivery, Ending
from syndicate.worker import push_http

DELIVERIES: Final = "syndicate_push_deliveries_total"
LATENCY: Final = "syndicate_push_latency_seconds"
BUCKETS: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0)

Nudge = tuple[str, str]  # (partner, delivery id): "look at this delivery now"
TRIM_PER_SWEEP = 100  # finished deliveries dropped per partner and sweep, at most


@dataclass(frozen=True, slots=True)
class PushSettings:
    """The push settings a worker applies (config.py documents each)."""

    allowed: tuple[Network, ...]
    timeout: float
    policy: RetryPolicy
    cap: int
    keep: timedelta

    @property
    def lease(self) -> timedelta:
        """How long a claimed attempt may take before another may take it over: the
        request's connect and read timeouts, and room to record the answer."""
        return timedelta(seconds=2 * self.timeout + 10)


def push_settings(s: Settings) -> PushSettings:
    """The push settings of ``s``; ``SettingsInvalid`` names a network that is not one."""
    try:
        allowed = parse_networks(s.push_allow_networks)
    except ValueError as exc:
        raise SettingsInvalid(f"setting push_allow_networks: {exc}") from None
    policy = RetryPolicy(float(s.push_retry_window), max_seconds=float(s.push_backoff_max))
    keep = timedelta(days=s.push_keep_days)
    return PushSettings(
        allowed, float(s.push_timeout), policy, max(1, s.push_partner_concurrency), keep
    )


def _gets_item(partner: Partner, lang: str) -> bool:
    """Whether a partner's pushes carry ``lang``: a push URL, and the language in the feed
    format its push format is made of."""
    if not partner.push.url:
        return False
    fmt = PushFormat(partner.push.format or PushFormat.NINJS)
    return is_entitled(partner.languages, partner.formats, lang, fmt.feed_format)


def _published(client: Client, ids: tuple[str, int, str]) -> articles.Item | None:
    """The language's item of that version, once the publish step has marked it so, or
    while a newer version is on its way: the newsroom may update between the publish
    step's mark and its announce, and the feeds show this version until the next one is
    published (CREATE refuses it once a later version was announced: never out of order)."""
    article_id, version, lang = ids
    item = articles.get_item(client, article_id, lang)
    if item is None or item.article.version != version:
        return None
    status = articles.get_status(client, article_id)[1].get(lang)
    done = (LanguageState.PUBLISHED, LanguageState.WITHDRAWN)
    if status is None or status.version < version:
        return None
    return item if status.version > version or status.state in done else None


def _chosen(client: Client, ref: ItemRef) -> list[Partner]:
    with_push = [p for p in store_partners.list_partners(client) if p.push.url]
    if not ref.withdrawn:
        return [p for p in with_push if _gets_item(p, ref.lang)]
    had = set(pushes.recipients(client, [p.name for p in with_push], ref.guid))
    return [p for p in with_push if p.name in had]


def announce(
    client: Client, ids: tuple[str, int, str], site: FeedSite, ps: PushSettings, now: datetime
) -> list[Nudge]:
    """Record a delivery of the published item ``ids`` for every partner that gets it,
    its body rendered once per push format; the deliveries to send now."""
    item = _published(client, ids)
    if item is None:
        return []
    article = item.article
    pub = derive_publication(
        article,
        site.provider,
        site.base_url,
        first_created=item.first_created,
        version_created=item.version_created,
    )
    ref, shows = item_ref(article, pub), visible_since((article, pub))
    keep = int(
        (ps.keep + max(shows - now, timedelta(0))).total_seconds() + ps.policy.window_seconds
    )
    channel = make_channel(ref.lang, "rss", site.provider, site.base_url, site.ttl)
    rendered: set[PushFormat] = set()
    nudges: list[Nudge] = []
    for partner in _chosen(client, ref):
        fmt = PushFormat(partner.push.format or PushFormat.NINJS)
        if fmt not in rendered:
            pushes.put_body(client, ref, fmt, render_body(fmt, article, pub, channel, now), keep)
            rendered.add(fmt)
        pushes.create(client, partner.name, ref, fmt, shows, now)
        nudges += due(client, partner.name, ps, now)
    return nudges


def due(client: Client, partner: str, ps: PushSettings, now: datetime) -> list[Nudge]:
    """The partner's deliveries to send now, as many as it has free slots."""
    ids = pushes.take_due(client, partner, now, ps.cap, now + ps.lease, ps.cap)
    return [(partner, delivery_id) for delivery_id in ids]


def sweep(client: Client, ps: PushSettings, now: datetime) -> list[Nudge]:
    """What is due for every partner with a push URL (a retry's time has come, a lease
    ran out, a nudge was lost), and the partner's old finished deliveries dropped."""
    nudges: list[Nudge] = []
    for partner in store_partners.list_partners(client):
        if partner.push.url:
            nudges += due(client, partner.name, ps, now)
            pushes.trim(client, partner.name, now - ps.keep, TRIM_PER_SWEEP)
    return nudges


@dataclass(frozen=True, slots=True)
class Attempted:
    """How one look at a delivery ended: ``outcome`` is the state it was left in, or why
    it was not attempted (``in_flight``, ``blocked``, ...)."""

    outcome: str
    delivery: Delivery | None = None
    verdict: Verdict | None = None
    ended: datetime | None = None


Sender = Callable[[Client, Delivery, "PushSettings", datetime], Answer]


def send_to_partner(client: Client, d: Delivery, ps: PushSettings, at: datetime) -> Answer:
    """One attempt to a partner: the stored body, signed now, to its current push URL."""
    partner = store_partners.get_partner(client, d.partner)
    if partner is None or not partner.push.url:
        return Answer(None, "the partner was revoked or has no push URL any more", forbidden=True)
    fmt = PushFormat(d.format)
    body = pushes.get_body(client, d.ref, fmt)
    if body is None:
        return Answer(None, "the body is no longer kept (push_keep_days)", forbidden=True)
    headers = push_headers(fmt, body, partner.push.secret, int(at.timestamp()), d.ref)
    return push_http.post(partner.push.url, body, headers, ps.allowed, ps.timeout)


def attempt(
    client: Client,
    target: str,
    delivery_id: str,
    ps: PushSettings,
    clock: Clock,
    send: Sender = send_to_partner,
    draw: Callable[[], float] = random.random,
) -> Attempted:
    """Claim the delivery, ``send`` it, record how it went (push/rules.py judges)."""
    now, token = clock(), uuid.uuid4().hex
    claim = pushes.claim(client, target, delivery_id, now, now + ps.lease, token, ps.cap)
    if claim.delivery is None:
        return Attempted(claim.outcome)
    d = claim.delivery
    answer = send(client, d, ps, now)
    ended = clock()
    opened = d.window_from if d.window_from is not None else now.timestamp()
    verdict = judge(answer, d.attempts, opened, ended.timestamp(), ps.policy, draw())
    ending = Ending(
        verdict.state,
        datetime.fromtimestamp(verdict.next_at, ended.tzinfo) if verdict.next_at else None,
        verdict.reason,
        answer.status,
        answer.body or None,
        _counted(target, verdict.state, (ended - d.published).total_seconds()),
    )
    outcome = _record(client, (target, delivery_id), token, ending, clock, now + ps.lease)
    return Attempted(outcome if outcome != "written" else str(verdict.state), d, verdict, ended)


def _counted(target: str, state: DeliveryState, latency: float) -> tuple[tuple[str, float], ...]:
    """The attempt's count by state, and for a 2xx its latency from the moment the item
    showed: written with the record (``Ending.counted``)."""
    counted = store_ops.counter_increments(DELIVERIES, {"partner": target, "state": str(state)})
    if state is DeliveryState.DELIVERED:
        labels = {"partner": target}
        counted += store_ops.histogram_increments(LATENCY, labels, max(0.0, latency), BUCKETS)
    return tuple(counted)


def _record(
    client: Client,
    which: Nudge,
    token: str,
    ending: Ending,
    clock: Clock,
    until: datetime,
) -> str:
    """``pushes.finish``, tried again while Redis is away until the lease ends: a 2xx not
    recorded is a delivery sent again (with the same idempotency key)."""
    pause = 0.2
    while True:
        try:
            return pushes.finish(client, *which, token, ending, clock())
        except StoreUnavailable:
            if clock() >= until:
                raise
            time.sleep(pause)  # backoff while Redis is away, bounded by the lease
            pause = min(pause * 2, 2.0)


REPLAY_LOOKS_AT = 10_000  # a partner's newest deliveries a replay of "every dead one" reads


@dataclass(frozen=True, slots=True)
class Replayed:
    """What a replay did: the deliveries made pending again, and why the others were not
    (``missing``, ``not_dead``, ``superseded``: a later version reached the partner)."""

    partner: str
    replayed: tuple[str, ...]
    refused: dict[str, str]


def replay(
    client: Client, partner: str, delivery_ids: Sequence[str], ps: PushSettings, now: datetime
) -> tuple[Replayed, list[Nudge]]:
    """Make the partner's dead deliveries (``delivery_ids``, or every dead one) pending
    again, each with a fresh retry window; and the ones to send now."""
    chosen = list(delivery_ids) or [
        d.ref.delivery_id
        for d in pushes.list_deliveries(client, partner, REPLAY_LOOKS_AT)
        if d.state is DeliveryState.DEAD
    ]
    outcomes = {
        delivery_id: pushes.replay(client, partner, delivery_id, now) for delivery_id in chosen
    }
    done = tuple(i for i, outcome in outcomes.items() if outcome == "written")
    refused = {i: outcome for i, outcome in outcomes.items() if outcome != "written"}
    return Replayed(partner, done, refused), due(client, partner, ps, now)


def _moment(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def delivery_record(d: Delivery) -> dict[str, object]:
    """A delivery as ``GET /v1/partners/{name}/deliveries`` and ``syndicate deliveries
    --json`` show it."""
    answer = None if d.status is None else {"status": d.status, "body": d.answer}
    return {
        "id": d.ref.delivery_id,
        "article_id": d.ref.article_id,
        "version": d.ref.version,
        "lang": d.ref.lang,
        "guid": d.ref.guid,
        "status": "canceled" if d.ref.withdrawn else "usable",
        "format": d.format,
        "state": str(d.state),
        "attempts": d.attempts,
        "created": _moment(d.created),
        "published": _moment(d.published),
        "updated": _moment(d.at),
        "next_attempt": _moment(d.next_at) if d.state is not DeliveryState.DELIVERED else None,
        "reason": d.reason if d.state is not DeliveryState.DELIVERED else None,
        "response": answer,
        "delivered": _moment(d.delivered_at),
    }
