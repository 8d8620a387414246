"""Every Redis key syndicate uses: the only module that spells one (style guide 6).

One prefix, ``syn``, and ``:`` between the parts; one builder per key, and the store
modules build keys only through them (Lua scripts get theirs through ``KEYS``). Stored
data and operators' tools depend on these strings: changing one is a data migration.

| key | type | TTL | writer | meaning |
|---|---|---|---|---|
| ``syn:article:{id}`` | hash | retention (retention.prune) | articles.save_version | ``version``, ``article`` (JSON of the latest version), ``first_created`` (fixes the guid), ``received_at`` |
| ``syn:article:{id}`` field ``dispatched`` | hash field | none | articles.end_dispatch | the version whose ingest task reached the broker |
| ``syn:article:{id}`` field ``dispatch_lease`` | hash field | until the send | articles.save_version, articles.end_dispatch | ``<version>:<until>`` (epoch s, the server's clock): the one request sending that version's ingest; a replay after it lapsed sends it |
| ``syn:article:{id}`` field ``writes:{version}:{lang}`` | hash field | none | articles.publish_item | how often that item was written: 1 (more would be a second publication) |
| ``syn:state:{id}`` | hash | retention (retention.prune) | articles.save_version, articles.set_state, articles.publish_item, review.hold, review.reject | lang -> ``{"version","state","at","reason"}`` of the latest version; reset by a newer version |
| ``syn:items:{lang}`` | hash | none; each entry: retention (retention.prune) | articles.publish_item | id -> latest published item JSON in lang (``first_created``, ``version_created``, ``article``) |
| ``syn:live:{lang}`` | zset | none; each member: retention (retention.prune) | articles.publish_item | ids RSS and ninjs show, scored by visible-since (publish time or embargo end, epoch s) |
| ``syn:withdrawn:{lang}`` | zset | none; each member: retention (retention.prune) | articles.publish_item | withdrawn ids (NewsML shows them canceled), same score |
| ``syn:langs:{id}`` | set | retention (retention.prune) | articles.publish_item | the languages holding an item of the article: every later version goes to them |
| ``syn:generation:{lang}`` | string | none | articles.publish_item, feeds.read_items | counter bumped by every publish in lang, and by the first read after an embargo there ended; an older render never replaces a newer one |
| ``syn:shown:{lang}`` | string | none | articles.publish_item, feeds.read_items | the newest visible-since score (epoch s) the generation accounts for: an embargo ending after it bumps the generation |
| ``syn:seq:{lang}`` | zset | none; each member: retention (retention.prune) | articles.publish_item, review.approve, feeds.read_items, pages.read_since | ids of the items visible in lang, scored by the generation at which their current version became visible (written at once, or at the first read after its embargo ended): the order ``?since=`` pages follow (issue 19) |
| ``syn:feed:{lang}:{body}`` | hash | none | feeds.write_feed | ``body``, ``etag``, ``last_modified``, ``generation``, ``fingerprint`` (of the items shown) of one render: ``rss``, ``newsml``, ``ninjs`` (3.1), ``ninjs-2.2``, ``ninjs-1.6`` (feeds.edition.BODIES); an empty body means no item to show |
| ``syn:partner:{name}`` | hash | none | partners.add_partner, partners.revoke_partner | ``name``, ``key_sha256``, ``languages``, ``formats``, ``created`` |
| ``syn:partner-key:{sha256}`` | hash | none | partners.add_partner, partners.revoke_partner | the same record, found by key digest (one read per poll) |
| ``syn:partners`` | set | none | partners.add_partner, partners.revoke_partner | partner names |
| ``syn:tm:{model}:{sha256}`` | string | 30 days | memory.put_tm | one segment's ``AlignedTranslation`` JSON; model is ``<content digest>:<pair>`` per model of the chain, joined by ``>`` (models/catalogue.py ``memory_name``: a multilingual model's languages never share entries), the digest is of the source text |
| ``syn:workers`` | zset | none | ops.note_worker | worker hostnames, scored by their last heartbeat (epoch s), for ``/healthz`` |
| ``syn:queues`` | set | none | ops.note_worker | the work queues workers consume, noted at each heartbeat: ``/metrics``, ``syndicate status`` and the recovery sweep read them (ops.broker_queues) without scanning the keyspace |
| ``syn:metrics`` | hash | none | ops.count, ops.observe | Prometheus series -> value, written by every process |
| ``syn:failures`` | zset | none (newest 100 kept) | ops.note_failure | JSON ``{id, version, lang, state, reason}`` of failed and no_model languages, scored by time (epoch s), for ``syndicate status`` |
| ``syn:unfinished`` | zset | none (an id leaves once its work ends) | articles.save_version, articles.set_state, articles.publish_item, review.hold, review.reject, recovery.index_absent | article id -> when its latest version got a language queued (received or requeued, epoch s), while one is queued or translating: all the recovery sweep reads, instead of a keyspace scan |
| ``syn:finished`` | zset | none (an id leaves when pruned, or when a version reopens it) | the same, retention.prune | article id -> when its latest version's languages all ended (epoch s): the retention counts from there; an article held for an editor is in neither zset |
| ``syn:indexed`` | string | none | recovery.index_absent | set once the articles stored before the two zsets existed are in them (a store from before issue 16) |
| ``syn:rerender:{lang}:{epoch}`` | string | until the render | ops.claim_rerender | one scheduled re-render per language and embargo end |
| ``syn:replicated`` | string | none | server.confirm_replicated | a counter written just before ``WAIT``, so the wait covers every write made before it |
| ``syn:recovery:{run_id}`` | string | 7 days | recovery.claim_sweep | the worker that sweeps after this Redis server run began (worker/recovery.py) |
| ``syn:deliveries`` | hash | none (acked entries dropped by deliveries.orphaned) | deliveries.note_delivery, deliveries.forget | kombu delivery tag -> the consumer (``hostname#pid``) that received the message |
| ``syn:editor:{name}`` | hash | none | editors.add_editor, editors.revoke_editor | ``name``, ``token_sha256``, ``languages``, ``created`` of a review desk editor |
| ``syn:editor-token:{sha256}`` | hash | none | editors.add_editor, editors.revoke_editor | the same record, found by token digest (one read per request) |
| ``syn:editors`` | set | none | editors.add_editor, editors.revoke_editor | editor names |
| ``syn:review:{id}:{lang}`` | hash | none while held; 30 days once rejected | review.hold, review.save_edit, review.reject, review.approve, review.drop | a translation held for review: ``version``, ``state`` (held, rejected), ``held_since``, ``reason``, ``summary`` (JSON for the queue), ``draft`` (JSON: the machine article, each field's segmented source, the segments), ``edit:{n}`` (JSON: an editor's segment n), ``rev`` (bumped by every edit) |
| ``syn:review-queue:{lang}`` | zset | none | review.hold, review.reject, review.approve, review.drop | ids held in lang, scored by held-since (epoch s): the desk's queue, oldest first |
| ``syn:review-langs`` | set | none | review.hold | languages that ever held a translation (metrics and status read their queues) |
| ``syn:review-log:{id}:{lang}`` | list | none (newest 500 kept); removed with the article after the retention | review.log | JSON events ``{at, who, action, version, segment, detail}``: who held, edited, approved, rejected, retranslated |
| ``syn:tm-human:{lang}:{sha256}`` | string | 365 days | review.approve | an approved segment's translation (placeholder text, editor, time), keyed by the digest of its source with markup (review.segments.source_key); preferred over the model |
| ``syn:session:{sha256}`` | hash | 8 hours | sessions.open_session, sessions.close_session | a review desk login: ``who`` (editor name or operator), ``proof`` (the digest the login was made with), ``csrf`` |
| ``syn:consumers`` | zset | none (a week of silence drops one) | deliveries.note_delivery, deliveries.beat | consumer -> its last beat (epoch s): who is alive to hold messages |
| ``syn:push:{partner}`` | hash | none (finished ones trimmed after ``push_keep_days``) | pushes.create, claim, finish, replay, trim | push delivery id (``<guid>:<version>``) -> the delivery's record JSON (state, attempts, times, last answer, the previous and next version's ids) |
| ``syn:push-due:{partner}`` | zset | none | pushes.create, claim, finish, take_due, replay | deliveries owed an attempt or a look, scored by when (epoch s): pending and retrying ones at their time, a delivering one at its lease's end |
| ``syn:push-busy:{partner}`` | zset | none (expired leases dropped) | pushes.claim, finish | deliveries in flight to the partner, scored by lease end: at most ``push_partner_concurrency`` |
| ``syn:push-last:{partner}`` | hash | none | pushes.create | item guid -> latest version with a delivery to the partner: orders versions, and says who gets a kill |
| ``syn:push-log:{partner}`` | zset | none (trimmed with the records) | pushes.create, trim | delivery ids by creation time (epoch s), newest listed first |
| ``syn:push-count:{partner}`` | hash | none | every pushes script | delivery state -> how many of the partner's deliveries are in it (``/metrics``) |
| ``syn:websub:{id}`` | hash | none (removed when its lease ends) | websub.subscribe, websub.announced, websub.confirm, websub.unsubscribe | a verified WebSub subscription: ``topic``, ``callback``, ``secret``, ``partner``, ``lang``, ``format``, ``expires`` (epoch s), ``etag`` (of the feed last distributed), ``announcing`` (the ETag of a change whose distribution is not yet recorded), ``changes`` (announced so far: the distributions' versions); id: websub.subscription_id |
| ``syn:websub-topic:{lang}:{format}`` | set | none | websub.subscribe, websub.unsubscribe | the subscriptions of one feed (rss, newsml) |
| ``syn:websub-subs`` | zset | none | websub.subscribe, websub.unsubscribe | every subscription, scored by its lease's end (epoch s): the sweep ends the expired |
| ``syn:push-body:{guid}:{version}:{format}`` | string | retry window + ``push_keep_days`` | pushes.put_body | one item version's body in one push format, rendered once when it was published |

Writers are modules of ``syndicate.store``. Writes that belong together are one Lua script
(scripts.py) or one MULTI.

Retention: an article whose latest version finished more than ``retention_days`` (30) ago
and that no feed shows any more (outside the newest ``feed_size`` live and withdrawn items
of each of its languages) is removed with its state, languages set and items in one
script; an update before then keeps it (docs/operations.md, "Retention").

Celery's own keys share the database, outside ``syn:``, written by kombu: the queues
``syndicate`` and ``translate.<lang>`` (lists, named as the queue; ops.queue_depths reads
them), ``unacked`` and ``unacked_index`` (messages being worked on; the worker passes
kombu's name to deliveries.orphaned), and ``_kombu.binding.<exchange>`` (sets of the
queues bound to an exchange; never read: only a keyspace SCAN finds them, ``syn:queues``
names the queues instead).
"""  # noqa: E501

from __future__ import annotations

import hashlib
from typing import Final

_PREFIX: Final = "syn"


def article_key(article_id: str) -> str:
    return f"{_PREFIX}:article:{article_id}"


def item_writes_field(version: int, lang: str) -> str:
    """The article hash's field counting the writes of one (version, lang) item (the Lua
    of scripts.WRITE_ITEM builds the same from its arguments)."""
    return f"writes:{version}:{lang}"


def parse_item_writes_field(name: str) -> tuple[int, str] | None:
    """(version, lang) of an ``item_writes_field``; None for any other field."""
    prefix, _, rest = name.partition(":")
    version, _, lang = rest.partition(":")
    return (int(version), lang) if prefix == "writes" and version.isdigit() and lang else None


def state_key(article_id: str) -> str:
    return f"{_PREFIX}:state:{article_id}"


def article_id_of_state(key: str) -> str:
    """The article id inside a ``state_key`` (the recovery sweep finds them by SCAN)."""
    return key.removeprefix(state_key(""))


def items_key(lang: str) -> str:
    return f"{_PREFIX}:items:{lang}"


def live_key(lang: str) -> str:
    return f"{_PREFIX}:live:{lang}"


def withdrawn_key(lang: str) -> str:
    return f"{_PREFIX}:withdrawn:{lang}"


def generation_key(lang: str) -> str:
    return f"{_PREFIX}:generation:{lang}"


def generation_pattern() -> str:
    """Matches ``generation_key`` of every language that ever had an item published."""
    return f"{_PREFIX}:generation:*"


def shown_key(lang: str) -> str:
    return f"{_PREFIX}:shown:{lang}"


def seq_key(lang: str) -> str:
    return f"{_PREFIX}:seq:{lang}"


def langs_key(article_id: str) -> str:
    return f"{_PREFIX}:langs:{article_id}"


def feed_key(lang: str, body: str) -> str:
    return f"{_PREFIX}:feed:{lang}:{body}"


def partner_key(name: str) -> str:
    return f"{_PREFIX}:partner:{name}"


def partner_digest_key(key_sha256: str) -> str:
    return f"{_PREFIX}:partner-key:{key_sha256}"


def partners_key() -> str:
    return f"{_PREFIX}:partners"


def tm_key(model: str, text: str) -> str:
    """Keyed by a digest: segments are whole sentences, too long and varied for a key."""
    return f"{_PREFIX}:tm:{model}:{hashlib.sha256(text.encode()).hexdigest()}"


def workers_key() -> str:
    return f"{_PREFIX}:workers"


def queues_key() -> str:
    return f"{_PREFIX}:queues"


def metrics_key() -> str:
    return f"{_PREFIX}:metrics"


def failures_key() -> str:
    return f"{_PREFIX}:failures"


def rerender_key(lang: str, epoch: int) -> str:
    return f"{_PREFIX}:rerender:{lang}:{epoch}"


def unfinished_key() -> str:
    return f"{_PREFIX}:unfinished"


def finished_key() -> str:
    return f"{_PREFIX}:finished"


def indexed_key() -> str:
    return f"{_PREFIX}:indexed"


def work_index_keys() -> list[str]:
    """The unfinished and finished zsets, in the order the scripts that change a state take
    them (scripts.INDEX)."""
    return [unfinished_key(), finished_key()]


def recovery_key(run_id: str) -> str:
    return f"{_PREFIX}:recovery:{run_id}"


def replication_probe_key() -> str:
    return f"{_PREFIX}:replicated"


def deliveries_key() -> str:
    return f"{_PREFIX}:deliveries"


def consumers_key() -> str:
    return f"{_PREFIX}:consumers"


def editor_key(name: str) -> str:
    return f"{_PREFIX}:editor:{name}"


def editor_token_key(token_sha256: str) -> str:
    return f"{_PREFIX}:editor-token:{token_sha256}"


def editors_key() -> str:
    return f"{_PREFIX}:editors"


def review_key(article_id: str, lang: str) -> str:
    return f"{_PREFIX}:review:{article_id}:{lang}"


def review_queue_key(lang: str) -> str:
    return f"{_PREFIX}:review-queue:{lang}"


def review_langs_key() -> str:
    return f"{_PREFIX}:review-langs"


def review_log_key(article_id: str, lang: str) -> str:
    return f"{_PREFIX}:review-log:{article_id}:{lang}"


def human_tm_key(lang: str, source_key: str) -> str:
    """By target language and the digest review.segments.source_key already is."""
    return f"{_PREFIX}:tm-human:{lang}:{source_key}"


def session_key(session_sha256: str) -> str:
    return f"{_PREFIX}:session:{session_sha256}"


def push_records_key(partner: str) -> str:
    return f"{_PREFIX}:push:{partner}"


def push_due_key(partner: str) -> str:
    return f"{_PREFIX}:push-due:{partner}"


def push_busy_key(partner: str) -> str:
    return f"{_PREFIX}:push-busy:{partner}"


def push_last_key(partner: str) -> str:
    return f"{_PREFIX}:push-last:{partner}"


def push_log_key(partner: str) -> str:
    return f"{_PREFIX}:push-log:{partner}"


def push_count_key(partner: str) -> str:
    return f"{_PREFIX}:push-count:{partner}"


def push_keys(partner: str) -> list[str]:
    """A partner's push records, due, busy, last, log and count keys, in the order
    push_scripts take them."""
    builders = (push_records_key, push_due_key, push_busy_key, push_last_key, push_log_key)
    return [build(partner) for build in (*builders, push_count_key)]


def websub_key(subscription: str) -> str:
    return f"{_PREFIX}:websub:{subscription}"


def websub_topic_key(lang: str, fmt: str) -> str:
    return f"{_PREFIX}:websub-topic:{lang}:{fmt}"


def websub_subs_key() -> str:
    return f"{_PREFIX}:websub-subs"


def push_body_key(guid: str, version: int, fmt: str) -> str:
    return f"{_PREFIX}:push-body:{guid}:{version}:{fmt}"


def feed_index_keys(lang: str) -> list[str]:
    """Items, live and withdrawn ids, the generation counter, the shown mark and the
    visibility sequence of one language, in the order scripts.PUBLISH_ITEM and
    scripts.READ_ITEMS take them."""
    return [
        items_key(lang),
        live_key(lang),
        withdrawn_key(lang),
        generation_key(lang),
        shown_key(lang),
        seq_key(lang),
    ]
