"""Translations held for review in Redis (issue 18): the record of each, the queue of each
language, the log of who did what, and the human translation memory.

A record (``syn:review:{id}:{lang}``) keeps the model's article and every segment for as
long as the translation is held: the memory keeps alignments for 30 days only, and an
editor may take longer. Holding, editing, approving and rejecting are each one Lua script
(scripts.py) that checks the article's version first; holding and approving also check
the record's revision, so an edit made meanwhile is never lost (``Retry``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, cast

from syndicate.errors import NoSuchArticle
from syndicate.news.article import Article, parse_article
from syndicate.news.states import LanguageState, Outcome
from syndicate.review import codec
from syndicate.review.held import Edit, Held, HeldState, flag_counts
from syndicate.store import keys, review_scripts
from syndicate.store.articles import article_json, item_write, status_json
from syndicate.store.client import Client, decode_text, guarded, run_script

REJECTED_TTL_SECONDS: Final = 30 * 24 * 3600
HUMAN_TM_TTL_SECONDS: Final = 365 * 24 * 3600
LOG_KEPT: Final = 500
_EDIT: Final = "edit:"


class Retry(Exception):
    """The record changed (an edit) between reading it and writing what was made of it."""


@dataclass(frozen=True, slots=True)
class Queued:
    """One held translation as the queue lists it (the record's ``summary``)."""

    article_id: str
    lang: str
    version: int
    held_since: datetime
    headline: str
    flags: Mapping[str, int]
    segments: int


@dataclass(frozen=True, slots=True)
class Waiting:
    """How many translations a language holds, and since when the oldest."""

    held: int
    oldest: datetime | None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _edit_json(edit: Edit) -> str:
    pieces = codec.pieces_json(edit.pieces)
    return _json([pieces, edit.editor, codec.time_json(edit.at), edit.version])


def _read_edit(raw: bytes) -> Edit:
    pieces, editor, at, version = json.loads(raw)
    return Edit(codec.read_pieces(pieces), editor, codec.read_time(at), int(version))


def _summary(held: Held) -> str:
    counts = flag_counts(held.segments)
    return _json([held.article.headline, counts, len(held.segments)])


def _draft_json(held: Held) -> str:
    return _json(
        {
            "article": json.loads(article_json(held.article)),
            "fields": codec.fields_json(held.fields),
            "segments": [codec.segment_json(s) for s in held.segments],
        }
    )


def _record(held: Held) -> list[str]:
    fields = [
        *("version", str(held.version)),
        *("state", str(held.state)),
        *("held_since", codec.time_json(held.held_since)),
        *("summary", _summary(held)),
        *("draft", _draft_json(held)),
    ]
    for n, edit in sorted(held.edits.items()):
        fields += [f"{_EDIT}{n}", _edit_json(edit)]
    return fields


@dataclass(frozen=True, slots=True)
class Found:
    """A record as read: the held translation and the revision it was read at."""

    held: Held
    rev: str


def _held(fields: Mapping[bytes, bytes]) -> Found:
    draft = json.loads(fields[b"draft"])
    article = parse_article(draft["article"], allow_translation=True, stored=True)
    edits = {
        int(decode_text(k)[len(_EDIT) :]): _read_edit(v)
        for k, v in fields.items()
        if decode_text(k).startswith(_EDIT)
    }
    reason = fields.get(b"reason")
    held = Held(
        article=article,
        fields=codec.read_fields(draft["fields"]),
        segments=tuple(codec.read_segment(s) for s in draft["segments"]),
        held_since=codec.read_time(decode_text(fields[b"held_since"])),
        edits=edits,
        state=HeldState(decode_text(fields[b"state"])),
        reason=decode_text(reason) if reason else None,
    )
    return Found(held, decode_text(fields.get(b"rev", b"")))


@guarded
def get_held(client: Client, article_id: str, lang: str) -> Found | None:
    """The record of ``article_id`` in ``lang`` (held or rejected), if any."""
    fields = cast(dict[bytes, bytes], client.hgetall(keys.review_key(article_id, lang)))
    return _held(fields) if fields else None


def _answer(article_id: str, version: int, raw: Any) -> Outcome:
    word = decode_text(raw)
    if word == "retry":
        raise Retry(f"{article_id} v{version}: the review record changed")
    if word == "missing":
        raise NoSuchArticle(f"{article_id} version {version}")
    return Outcome(word)


@guarded
def hold(client: Client, held: Held, rev: str, now: datetime) -> Outcome:
    """Hold a translation (replacing any earlier record of the article in its language) and
    mark the language ``in_review``; ``rev`` is the revision the carried edits were read at
    ('' when there was no record). ``Retry`` when an edit came in meanwhile."""
    a = held.article
    ids = [keys.article_key(a.id), keys.state_key(a.id), keys.review_key(a.id, a.language)]
    ids += [keys.review_queue_key(a.language), keys.review_langs_key(), *keys.work_index_keys()]
    state = status_json(a.version, LanguageState.IN_REVIEW, now, None)
    args = [a.version, a.language, state, rev, a.id, repr(held.held_since.timestamp())]
    return _answer(
        a.id, a.version, run_script(client, review_scripts.HOLD, ids, [*args, *_record(held)])
    )


@guarded
def save_edit(client: Client, article_id: str, lang: str, n: int, edit: Edit) -> Outcome:
    """Record an editor's segment ``n`` of the held version ``edit.version``: STALE when
    the record holds another version (or was rejected), ``NoSuchArticle`` when there is none."""
    ids = [keys.review_key(article_id, lang)]
    answer = run_script(
        client, review_scripts.EDIT, ids, [edit.version, f"{_EDIT}{n}", _edit_json(edit)]
    )
    return _answer(article_id, edit.version, answer)


@guarded
def approve(client: Client, article: Article, rev: str, now: datetime) -> Outcome:
    """Store the approved ``article`` as its language's item and take its record off the
    queue, in one step; ``rev`` is the revision it was built from (``Retry`` otherwise);
    STALE when the record or the article moved on."""
    ids, args = item_write(article, now)
    ids += [keys.review_key(article.id, article.language), keys.review_queue_key(article.language)]
    answer = run_script(client, review_scripts.APPROVE_ITEM, ids, [*args, rev])
    return _answer(article.id, article.version, answer)


@guarded
def reject(
    client: Client, article_id: str, version: int, lang: str, reason: str, now: datetime
) -> Outcome:
    """Mark the held translation ``rejected`` (nothing published) and take it off the
    queue; the record stays a while for a retranslation to carry its edits over."""
    ids = [keys.article_key(article_id), keys.state_key(article_id)]
    ids += [keys.review_key(article_id, lang), keys.review_queue_key(lang)]
    ids += keys.work_index_keys()
    state = status_json(version, LanguageState.REJECTED, now, reason)
    args = [version, lang, state, article_id, reason, REJECTED_TTL_SECONDS, now.timestamp()]
    return _answer(article_id, version, run_script(client, review_scripts.REJECT, ids, args))


@guarded
def drop(client: Client, article_id: str, lang: str) -> bool:
    """Forget the record and take it off the queue (a kill, or a version published without
    a hold); True when there was one."""
    pipe = client.pipeline(transaction=True)
    pipe.delete(keys.review_key(article_id, lang))
    pipe.zrem(keys.review_queue_key(lang), article_id)
    deleted, _ = pipe.execute()
    return bool(deleted)


@guarded
def held_languages(client: Client) -> list[str]:
    """Every language that ever held a translation."""
    members = cast(set[bytes], client.smembers(keys.review_langs_key()))
    return sorted(decode_text(m) for m in members)


@guarded
def waiting(client: Client, langs: Sequence[str]) -> dict[str, Waiting]:
    """Per language, how many translations wait and since when the oldest: one pipeline."""
    pipe = client.pipeline(transaction=False)
    for lang in langs:
        pipe.zcard(keys.review_queue_key(lang))
        pipe.zrange(keys.review_queue_key(lang), 0, 0, withscores=True)
    answers = pipe.execute()
    out = {}
    for lang, count, oldest in zip(langs, answers[::2], answers[1::2], strict=True):
        since = codec.from_epoch(oldest[0][1]) if oldest else None
        out[lang] = Waiting(int(count), since)
    return out


@guarded
def queue(client: Client, lang: str, limit: int) -> list[Queued]:
    """The held translations of ``lang``, oldest first, at most ``limit``."""
    entries = cast(
        list[tuple[bytes, float]],
        client.zrange(keys.review_queue_key(lang), 0, limit - 1, withscores=True),
    )
    pipe = client.pipeline(transaction=False)
    for article_id, _ in entries:
        pipe.hmget(keys.review_key(decode_text(article_id), lang), "version", "summary")
    out = []
    for (raw_id, score), (version, summary) in zip(entries, pipe.execute(), strict=True):
        if version is None or summary is None:
            continue  # dropped between the two reads
        headline, flags, count = json.loads(summary)
        when = codec.from_epoch(score)
        out.append(Queued(decode_text(raw_id), lang, int(version), when, headline, flags, count))
    return out


@guarded
def log(client: Client, article_id: str, lang: str, event: Mapping[str, Any]) -> None:
    """Append an event to the article's review log in ``lang`` (the newest kept)."""
    key = keys.review_log_key(article_id, lang)
    pipe = client.pipeline(transaction=False)
    pipe.rpush(key, _json(event))
    pipe.ltrim(key, -LOG_KEPT, -1)
    pipe.execute()


@guarded
def read_log(client: Client, article_id: str, lang: str) -> list[dict[str, Any]]:
    raws = cast(list[bytes], client.lrange(keys.review_log_key(article_id, lang), 0, -1))
    return [json.loads(raw) for raw in raws]


@guarded
def put_human(client: Client, lang: str, entries: Mapping[str, Mapping[str, str]]) -> None:
    """Remember approved segments (source key -> translation, editor, time)."""
    pipe = client.pipeline(transaction=False)
    for source_key, entry in entries.items():
        pipe.set(keys.human_tm_key(lang, source_key), _json(entry), ex=HUMAN_TM_TTL_SECONDS)
    pipe.execute()


@guarded
def get_human(client: Client, lang: str, source_keys: Sequence[str]) -> dict[str, dict[str, str]]:
    """The approved translations of the segments with ``source_keys``, one MGET."""
    distinct = list(dict.fromkeys(source_keys))
    if not distinct:
        return {}
    raws = cast(list[bytes | None], client.mget([keys.human_tm_key(lang, k) for k in distinct]))
    return {k: json.loads(raw) for k, raw in zip(distinct, raws, strict=True) if raw}
