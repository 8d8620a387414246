"""Articles in Redis: the stored versions, their per-language states and published items.

Writes that belong together are one Lua script (scripts.py): nothing half-written is
visible, a newer version always wins, a stale or redelivered task changes nothing. Keys
and their table are in keys.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, cast

from syndicate.errors import NoSuchArticle, StaleVersion
from syndicate.feeds.xml import aware
from syndicate.news.article import Article, ArticleStatus, parse_article
from syndicate.news.article_json import article_to_dict
from syndicate.news.states import LanguageState, Outcome
from syndicate.store import keys, scripts, server
from syndicate.store.client import (
    Client,
    decode_text,
    decode_time,
    encode_time,
    guarded,
    run_script,
)


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


def status_json(version: int, state: LanguageState, now: datetime, reason: str | None) -> str:
    at = encode_time(now)
    return json.dumps({"version": version, "state": str(state), "at": at, "reason": reason})


def decode_status(raw: bytes) -> LanguageStatus:
    d = json.loads(raw)
    return LanguageStatus(
        d["version"], LanguageState(d["state"]), decode_time(d["at"]), d["reason"]
    )


def article_json(article: Article) -> str:
    return json.dumps(article_to_dict(article), ensure_ascii=False, separators=(",", ":"))


# How long a sender holds the claim to send a version's ingest (scripts._CLAIM): above the
# longest send (worker/submit.py waits about 2 s for the broker, 5 s of socket timeout).
DISPATCH_CLAIM_SECONDS: Final = 30.0


@dataclass(frozen=True, slots=True)
class Saved:
    """What ``save_version`` did, and whether the caller holds the claim to send the
    version's ingest (a new version; a replay whose ingest never reached the broker)."""

    outcome: Outcome
    dispatch: bool


@guarded
def save_version(
    client: Client,
    article: Article,
    languages: Sequence[str],
    now: datetime,
    claim_seconds: float = DISPATCH_CLAIM_SECONDS,
) -> Saved:
    """Store an incoming version and queue ``languages``, atomically (brief section 3),
    with the claim to dispatch it in the same step.

    A newer version replaces the stored one and resets the states to ``queued``; the same
    version is a replay; an older one raises ``StaleVersion`` and changes nothing. Of any
    number of identical requests at once, one is told to dispatch: the writer, or a
    replay once no ingest reached the broker and the last claim lapsed (its sender died).
    """
    queued = status_json(article.version, LanguageState.QUEUED, now, None)
    states = [part for lang in languages for part in (lang, queued)]
    args = [article.version, article_json(article), encode_time(article.published_at)]
    args += [encode_time(now), repr(float(claim_seconds)), article.id, _epoch(now)]
    ids = [keys.article_key(article.id), keys.state_key(article.id), *keys.work_index_keys()]
    answer, stored, claimed = run_script(client, scripts.SAVE_VERSION, ids, [*args, *states])
    if decode_text(answer) == "stale":
        raise StaleVersion(article.id, article.version, int(stored))
    return Saved(Outcome(decode_text(answer)), bool(int(claimed)))


@guarded
def end_dispatch(client: Client, article_id: str, version: int, *, sent: bool) -> None:
    """The claim ``save_version`` gave ends: ``sent`` marks ``version`` dispatched (a replay
    sends nothing); otherwise the claim is given back, so the next replay sends it."""
    run_script(client, scripts.END_DISPATCH, [keys.article_key(article_id)], [version, int(sent)])


def _record(article_id: str, fields: Mapping[bytes, bytes]) -> Item:
    if not fields:
        raise NoSuchArticle(article_id)
    article = parse_article(json.loads(fields[b"article"]), allow_translation=True, stored=True)
    first, received = decode_time(fields[b"first_created"]), decode_time(fields[b"received_at"])
    return Item(article, first, received)


@guarded
def get_article(client: Client, article_id: str) -> Item:
    """The latest stored version; ``NoSuchArticle`` when the id is unknown."""
    fields = cast(dict[bytes, bytes], client.hgetall(keys.article_key(article_id)))
    return _record(article_id, fields)


@guarded
def get_status(client: Client, article_id: str) -> tuple[Item, dict[str, LanguageStatus]]:
    """The latest version and its per-language states, read in one MULTI."""
    pipe = client.pipeline(transaction=True)
    pipe.hgetall(keys.article_key(article_id))
    pipe.hgetall(keys.state_key(article_id))
    fields, states = pipe.execute()
    by_lang = {decode_text(k): decode_status(v) for k, v in sorted(states.items())}
    return _record(article_id, fields), by_lang


def _checked(article_id: str, version: int, answer: Any) -> Outcome:
    word = decode_text(answer)
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
    withdrawn in ``lang``; ``NoSuchArticle`` for a version never stored. A language is
    marked published (or withdrawn) only once what was written before is on the required
    replicas (``NotReplicated`` otherwise: the task retries).
    """
    if state in (LanguageState.PUBLISHED, LanguageState.WITHDRAWN):
        server.confirm_replicated(client)  # the item and feeds written before it
    ids = [keys.article_key(article_id), keys.state_key(article_id), *keys.work_index_keys()]
    args = [version, lang, status_json(version, state, now, reason), article_id, _epoch(now)]
    return _checked(article_id, version, run_script(client, scripts.SET_STATE, ids, args))


@guarded
def publish_item(
    client: Client, article: Article, now: datetime, *, mark_done: bool = False
) -> Outcome:
    """Store ``article`` (a translation or the source) as its language's item, in one write;
    idempotent on (id, version, lang). The item goes to the top of its feed at ``now`` (or
    when its embargo ends).

    The language's item already at this version makes it ALREADY_DONE: each (id, version,
    lang) is written once, and ``item_writes`` counts the writes to show it.

    The language's state is left as it is: the service marks it published once the feeds
    are rendered (``worker.rendering.mark_published``), so a client that sees ``published``
    finds the item in the feeds. ``mark_done`` marks it in the same write (withdrawn for a
    kill), for a caller that renders no feeds.
    """
    ids, args = item_write(article, now, mark_done=mark_done)
    ids, args = [*ids, *keys.work_index_keys()], [*args, _epoch(now)]
    answer = run_script(client, scripts.PUBLISH_ITEM, ids, args)
    return _checked(article.id, article.version, answer)


def item_write(
    article: Article, now: datetime, *, mark_done: bool = False
) -> tuple[list[str], list[Any]]:
    """The keys and arguments of scripts.PUBLISH_ITEM (and of scripts that store an item
    the same way: the review desk's approval)."""
    lang = article.language
    withdrawn = article.status is ArticleStatus.WITHDRAWN
    state = LanguageState.WITHDRAWN if withdrawn else LanguageState.PUBLISHED
    shows = max(aware(now), aware(article.embargo_until or now))
    ids = [keys.article_key(article.id), keys.state_key(article.id)]
    ids += [*keys.feed_index_keys(lang), keys.langs_key(article.id)]
    args: list[Any] = [article.version, lang, article.id, article_json(article)]
    args.append(encode_time(now))
    done = status_json(article.version, state, now, None) if mark_done else ""
    at_once = "1" if shows <= aware(now) else "0"
    args += [repr(shows.timestamp()), done, "1" if withdrawn else "0", at_once]
    return ids, args


@guarded
def item_writes(client: Client, article_id: str) -> dict[tuple[int, str], int]:
    """How often each (version, lang) item of the article was written by ``publish_item``:
    1 each, or something was published twice (the cluster's faults count them)."""
    fields = cast(dict[bytes, bytes], client.hgetall(keys.article_key(article_id)))
    found = {}
    for name, count in fields.items():
        parsed = keys.parse_item_writes_field(decode_text(name))
        if parsed is not None:
            found[parsed] = int(count)
    return found


def _epoch(moment: datetime) -> str:
    """A time as the work index scores it (scripts.INDEX): epoch seconds."""
    return repr(aware(moment).timestamp())


def decode_item(raw: bytes) -> Item:
    """An item as ``publish_item`` stores it in ``syn:items:{lang}`` (feeds read them too)."""
    d = json.loads(raw)
    article = parse_article(d["article"], allow_translation=True, stored=True)
    return Item(article, decode_time(d["first_created"]), decode_time(d["version_created"]))


@guarded
def get_item(client: Client, article_id: str, lang: str) -> Item | None:
    """The latest published item of ``article_id`` in ``lang`` (withdrawn ones too)."""
    raw = cast(bytes | None, client.hget(keys.items_key(lang), article_id))
    return None if raw is None else decode_item(raw)


@guarded
def held_languages(client: Client, article_id: str) -> list[str]:
    """The languages holding an item of ``article_id`` (published or withdrawn)."""
    members = cast(set[bytes], client.smembers(keys.langs_key(article_id)))
    return sorted(decode_text(m) for m in members)
