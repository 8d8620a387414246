"""The Redis store: the only module that names keys or calls Redis (issue 4, item 2).

Every function takes the client (``connect``: bytes responses). Writes that belong together
are one Lua script (store_scripts.py) or one MULTI: nothing half-written is visible, a newer
version always wins, a stale or redelivered task changes nothing. Connection errors leave
as ``StoreUnavailable``.

| key | type | TTL | writer | meaning |
|---|---|---|---|---|
| ``syn:article:{id}`` | hash | none | save_version | latest version, its article JSON, first_created, received_at |
| ``syn:state:{id}`` | hash | none | save_version, set_state, publish_item | lang -> state JSON of the latest version |
| ``syn:items:{lang}`` | hash | none | publish_item | id -> latest published item JSON in lang |
| ``syn:live:{lang}`` | zset | none | publish_item | ids shown in feeds, scored by visible-since (epoch s) |
| ``syn:withdrawn:{lang}`` | zset | none | publish_item | withdrawn ids (NewsML only), same score |
| ``syn:langs:{id}`` | set | none | publish_item | the languages holding an item of the article |
| ``syn:generation:{lang}`` | string | none | publish_item | counter bumped by every publish in lang |
| ``syn:feed:{lang}:{format}`` | hash | none | write_feed | body, etag, last_modified, generation of one render |
| ``syn:partner:{name}`` | hash | none | add_partner, revoke_partner | name, key_sha256, languages, formats, created |
| ``syn:partner-key:{sha256}`` | hash | none | add_partner, revoke_partner | the same record, found by key digest |
| ``syn:partners`` | set | none | add_partner, revoke_partner | partner names |
| ``syn:tm:{model}:{sha256}`` | string | 30 days | store_memory.put_tm | AlignedTranslation JSON of one segment |
| ``syn:article:{id}`` field ``dispatched`` | hash field | none | store_ops.mark_dispatched | the version whose ingest task reached the broker |
| ``syn:workers`` | zset | none | store_ops.note_worker | worker hostname, scored by its last heartbeat (epoch s) |
| ``syn:rerender:{lang}:{epoch}`` | string | until the render | store_ops.claim_rerender | a re-render of lang is scheduled for that instant |
| ``syn:metrics`` | hash | none | store_ops.count, store_ops.observe | Prometheus series -> value, shared by all processes |
| ``syn:deliveries`` | hash | none (acked ones dropped) | orphans.note_delivery | kombu delivery tag -> consumer (hostname#pid) holding the message |
| ``syn:consumers`` | zset | none (dropped after a week) | orphans.note_delivery, orphans.beat | consumer, scored by its last beat (epoch s) |
| ``syn:failures`` | zset | none (newest 100 kept) | store_ops.note_failure | JSON {id, version, lang, state, reason} of failed and no_model languages, scored by time (epoch s) |

Celery's own keys (queues ``syndicate`` and ``translate.<lang>`` as lists, ``unacked``,
``unacked_index``, ``_kombu.binding.*``) live in the same database, outside ``syn:``.
"""  # noqa: E501

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final, ParamSpec, TypeVar, cast

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from syndicate.errors import NoSuchArticle, StaleVersion, StoreUnavailable
from syndicate.feeds.xml import aware
from syndicate.news.article import Article, ArticleStatus, article_to_dict, parse_article
from syndicate.news.states import LanguageState, Outcome
from syndicate.store import scripts as lua

PREFIX: Final = "syn"  # every key of the store begins with it
_PARTNERS: Final = f"{PREFIX}:partners"


def _article_key(article_id: str) -> str:
    return f"{PREFIX}:article:{article_id}"


def _state_key(article_id: str) -> str:
    return f"{PREFIX}:state:{article_id}"


def _feed_index_keys(lang: str) -> list[str]:
    """Items, live and withdrawn ids, and the generation counter of one language."""
    kinds = ("items", "live", "withdrawn", "generation")
    return [f"{PREFIX}:{kind}:{lang}" for kind in kinds]


def _langs_key(article_id: str) -> str:
    return f"{PREFIX}:langs:{article_id}"


def _feed_key(lang: str, fmt: str) -> str:
    return f"{PREFIX}:feed:{lang}:{fmt}"


def _partner_key(name: str) -> str:
    return f"{PREFIX}:partner:{name}"


def _partner_digest_key(key_sha256: str) -> str:
    return f"{PREFIX}:partner-key:{key_sha256}"


Client = redis.Redis
_P = ParamSpec("_P")
_R = TypeVar("_R")
_PARTNER_FIELDS: Final = (b"name", b"key_sha256", b"languages", b"formats", b"created")


class FeedFormat(StrEnum):
    RSS = "rss"
    NEWSML = "newsml"
    NINJS = "ninjs"


@dataclass(frozen=True, slots=True)
class LanguageStatus:
    version: int
    state: LanguageState
    at: datetime
    reason: str | None = None  # why failed or no_model


@dataclass(frozen=True, slots=True)
class Item:
    """The latest version received (``get_article``) or a language's published item. The
    guid rests on ``first_created``, version 1's published_at."""

    article: Article
    first_created: datetime
    version_created: datetime


@dataclass(frozen=True, slots=True)
class ItemSet:  # what a feed render needs; pass generation back to write_feed
    generation: int
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class RenderedFeed:
    body: bytes
    etag: str  # strong, quoted
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class Partner:
    name: str
    key_sha256: str
    languages: tuple[str, ...]
    formats: tuple[str, ...]
    created: datetime


def guarded(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return fn(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            raise StoreUnavailable(f"Redis unavailable: {exc}") from exc

    return wrapper


def _iso(moment: datetime) -> str:
    return aware(moment).astimezone(UTC).isoformat()


def _time(raw: bytes | str) -> datetime:
    return datetime.fromisoformat(_text(raw))


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _run(client: Client, script: str, keys: Sequence[str], args: Iterable[Any]) -> Any:
    return client.register_script(script)(keys=keys, args=list(args), client=client)


def _status_json(version: int, state: LanguageState, now: datetime, reason: str | None) -> str:
    return json.dumps({"version": version, "state": str(state), "at": _iso(now), "reason": reason})


def _status(raw: bytes) -> LanguageStatus:
    d = json.loads(raw)
    return LanguageStatus(d["version"], LanguageState(d["state"]), _time(d["at"]), d["reason"])


def _article_json(article: Article) -> str:
    return json.dumps(article_to_dict(article), ensure_ascii=False, separators=(",", ":"))


def connect(url: str) -> Client:
    """A client for ``url`` with bytes responses and bounded timeouts (fail fast, retry)."""
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


@guarded
def is_reachable(client: Client) -> bool:
    """PING for /healthz; raises StoreUnavailable when Redis is away."""
    return bool(client.ping())


@guarded
def save_version(
    client: Client, article: Article, languages: Sequence[str], now: datetime
) -> Outcome:
    """Store an incoming version and queue ``languages``, atomically (brief section 3).

    A newer version replaces the stored one and resets the states to ``queued``; the same
    version is a replay; an older one raises ``StaleVersion`` and changes nothing.
    """
    queued = _status_json(article.version, LanguageState.QUEUED, now, None)
    states = [part for lang in languages for part in (lang, queued)]
    args = [article.version, _article_json(article), _iso(article.published_at), _iso(now)]
    keys = [_article_key(article.id), _state_key(article.id)]
    answer, stored = _run(client, lua.SAVE_VERSION, keys, [*args, *states])
    if _text(answer) == "stale":
        raise StaleVersion(article.id, article.version, int(stored))
    return Outcome(_text(answer))


def _record(article_id: str, fields: Mapping[bytes, bytes]) -> Item:
    if not fields:
        raise NoSuchArticle(article_id)
    article = parse_article(json.loads(fields[b"article"]), allow_translation=True)
    return Item(article, _time(fields[b"first_created"]), _time(fields[b"received_at"]))


@guarded
def get_article(client: Client, article_id: str) -> Item:
    """The latest stored version; ``NoSuchArticle`` when the id is unknown."""
    fields = cast(dict[bytes, bytes], client.hgetall(_article_key(article_id)))
    return _record(article_id, fields)


@guarded
def get_status(client: Client, article_id: str) -> tuple[Item, dict[str, LanguageStatus]]:
    """The latest version and its per-language states, read in one MULTI."""
    pipe = client.pipeline(transaction=True)
    pipe.hgetall(_article_key(article_id))
    pipe.hgetall(_state_key(article_id))
    fields, states = pipe.execute()
    return _record(article_id, fields), {_text(k): _status(v) for k, v in sorted(states.items())}


def _checked(article_id: str, version: int, answer: Any) -> Outcome:
    word = _text(answer)
    if word == "missing":
        raise NoSuchArticle(f"{article_id} version {version}")
    return Outcome(word)


@guarded
def set_state(
    client: Client,
    article_id: str,
    version: int,
    lang: str,
    state: LanguageState,
    now: datetime,
    reason: str | None = None,
) -> Outcome:
    """Record a language's state for ``version`` only while it is the stored version.

    STALE when a newer version is stored; ALREADY_DONE once that version is published or
    withdrawn in ``lang``; ``NoSuchArticle`` for a version never stored.
    """
    keys = [_article_key(article_id), _state_key(article_id)]
    args = [version, lang, _status_json(version, state, now, reason)]
    return _checked(article_id, version, _run(client, lua.SET_STATE, keys, args))


@guarded
def publish_item(
    client: Client, article: Article, now: datetime, *, mark_done: bool = True
) -> Outcome:
    """Store ``article`` (a translation or the source) as its language's item, in one write;
    idempotent on (id, version, lang). The item goes to the top of its feed at ``now`` (or
    when its embargo ends).

    ``mark_done`` also marks the language published (withdrawn for a kill); the service
    passes False and marks it once the feeds are rendered (``pipeline.mark_published``), so a
    client that
    sees ``published`` finds the item in the feeds.
    """
    lang = article.language
    withdrawn = article.status is ArticleStatus.WITHDRAWN
    state = LanguageState.WITHDRAWN if withdrawn else LanguageState.PUBLISHED
    shows = max(aware(now), aware(article.embargo_until or now))
    keys = [_article_key(article.id), _state_key(article.id), *_feed_index_keys(lang)]
    keys.append(_langs_key(article.id))
    args = [article.version, lang, article.id, _article_json(article), _iso(now)]
    done = _status_json(article.version, state, now, None) if mark_done else ""
    args += [repr(shows.timestamp()), done, "1" if withdrawn else "0"]
    return _checked(article.id, article.version, _run(client, lua.PUBLISH_ITEM, keys, args))


def _item(raw: bytes) -> Item:
    d = json.loads(raw)
    article = parse_article(d["article"], allow_translation=True)
    return Item(article, _time(d["first_created"]), _time(d["version_created"]))


@guarded
def get_item(client: Client, article_id: str, lang: str) -> Item | None:
    """The latest published item of ``article_id`` in ``lang`` (withdrawn ones too)."""
    raw = cast(bytes | None, client.hget(_feed_index_keys(lang)[0], article_id))
    return None if raw is None else _item(raw)


@guarded
def held_languages(client: Client, article_id: str) -> list[str]:
    """The languages holding an item of ``article_id`` (published or withdrawn)."""
    return sorted(_text(m) for m in cast(set[bytes], client.smembers(_langs_key(article_id))))


@guarded
def read_items(client: Client, lang: str, now: datetime, limit: int) -> ItemSet:
    """The items a feed of ``limit`` entries may show, in one round trip.

    Holds the newest ``limit`` live and ``limit`` withdrawn items and every item still under
    embargo at ``now``; ``feeds.record.select_entries`` picks from them.
    """
    keys = _feed_index_keys(lang)
    answer = _run(client, lua.READ_ITEMS, keys, [repr(aware(now).timestamp()), max(limit, 0)])
    return ItemSet(int(answer[0]), tuple(_item(raw) for raw in answer[1:] if raw is not None))


@guarded
def write_feed(
    client: Client,
    lang: str,
    fmt: FeedFormat,
    body: bytes,
    generation: int,
    now: datetime,
    fingerprint: str = "",
) -> Outcome:
    """Store one render with its strong ETag and Last-Modified (``now``) together.

    ``generation`` comes from the ``read_items`` the render used, so a slower render of an
    older item set never replaces a newer one. A render whose ``fingerprint`` (of the items
    it shows) matches the stored one changes nothing: ETags move only when content does.
    """
    etag = f'"{hashlib.sha256(body).hexdigest()}"'
    args = [generation, body, etag, _iso(now), fingerprint]
    return Outcome(_text(_run(client, lua.WRITE_FEED, [_feed_key(lang, fmt)], args)))


@guarded
def read_feed(client: Client, lang: str, fmt: FeedFormat) -> RenderedFeed | None:
    """Bytes, ETag and Last-Modified of the stored render, in one command (a poll)."""
    fields = client.hmget(_feed_key(lang, fmt), ["body", "etag", "last_modified"])
    body, etag, modified = cast(list[bytes | None], fields)
    if body is None or etag is None or modified is None:
        return None
    return RenderedFeed(body, etag.decode(), _time(modified))


def _partner(f: Mapping[bytes, bytes]) -> Partner:
    name, digest, langs, formats, created = (f[k].decode() for k in _PARTNER_FIELDS)
    split = tuple(filter(None, langs.split(","))), tuple(filter(None, formats.split(",")))
    return Partner(name, digest, *split, _time(created))


@guarded
def add_partner(client: Client, partner: Partner) -> bool:
    """Record a partner (its key only as SHA-256 hex); False if the name or key is taken."""
    p = partner
    keys = [_partner_key(p.name), _partner_digest_key(p.key_sha256), _PARTNERS]
    args = [p.name, p.key_sha256, ",".join(p.languages), ",".join(p.formats), _iso(p.created)]
    return bool(_run(client, lua.ADD_PARTNER, keys, args))


@guarded
def find_partner(client: Client, key_sha256: str) -> Partner | None:
    """The partner whose key hashes to ``key_sha256``: one read per poll."""
    fields = cast(dict[bytes, bytes], client.hgetall(_partner_digest_key(key_sha256)))
    return _partner(fields) if fields else None


@guarded
def list_partners(client: Client) -> list[Partner]:
    names = sorted(_text(n) for n in cast(set[bytes], client.smembers(_PARTNERS)))
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.hgetall(_partner_key(name))
    return [_partner(fields) for fields in pipe.execute() if fields]


@guarded
def revoke_partner(client: Client, name: str) -> bool:
    """Delete a partner and its key digest together (WATCH/MULTI); False if unknown."""
    found: list[bytes] = []

    def revoke(pipe: redis.client.Pipeline) -> None:
        digest = cast(bytes | None, pipe.hget(_partner_key(name), "key_sha256"))
        found[:] = [digest] if digest else []
        pipe.multi()
        for digest in found:
            pipe.delete(_partner_key(name), _partner_digest_key(digest.decode()))
            pipe.srem(_PARTNERS, name)

    client.transaction(revoke, _partner_key(name))
    return bool(found)
