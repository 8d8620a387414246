"""Feed pages in Redis (issue 19): the items a ``?since=`` or ``?before=`` page shows, read
in one script each after the embargoes that ended are sequenced (scripts._SHOW_ENDED), so a
page never misses an item whose embargo ended a moment ago. feeds/paging.py says what the
cursors mean; keys are in keys.py (``syn:seq:{lang}`` among the feed index keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from syndicate.errors import ArticleInvalid
from syndicate.feeds.xml import aware
from syndicate.store import keys, scripts
from syndicate.store.articles import Item, decode_item
from syndicate.store.client import Client, decode_text, guarded, run_script

# KEYS: the feed index keys. ARGV: now score, limit, after (a seq number).
# The items sequenced after ``after``, oldest first, at most ``limit``: {newest seq, then
# id, seq, item JSON (false once pruned) for each}.
_READ_SINCE: Final = (
    scripts.SHOW_ENDED
    + """
local found = redis.call('ZRANGEBYSCORE', KEYS[6], '(' .. ARGV[3], '+inf', 'WITHSCORES',
                         'LIMIT', 0, ARGV[2])
local top = redis.call('ZREVRANGE', KEYS[6], 0, 0, 'WITHSCORES')
local out, n = {top[2] or '0'}, 1
for i = 1, #found, 2 do
  out[n + 1], out[n + 2] = found[i], found[i + 1]
  out[n + 3] = redis.call('HGET', KEYS[1], found[i]) or false
  n = n + 3
end
return out
"""
)

# KEYS: the feed index keys. ARGV: now score, limit, before (a score), '1' to read the
# withdrawn too. Every item at exactly ``before`` (ties: the caller orders them by guid),
# then the ``limit`` just below, from the live zset (and the withdrawn): {id, item JSON}...
_READ_BEFORE: Final = (
    scripts.SHOW_ENDED
    + """
local upper = ARGV[3]
if tonumber(upper) > tonumber(ARGV[1]) then upper = ARGV[1] end
local zsets = {KEYS[2]}
if ARGV[4] == '1' then zsets[2] = KEYS[3] end
local out = {}
for _, key in ipairs(zsets) do
  local ids = redis.call('ZRANGEBYSCORE', key, upper, upper)
  for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', key, '(' .. upper, '-inf', 'LIMIT', 0,
                                 ARGV[2])) do
    ids[#ids + 1] = id
  end
  for _, id in ipairs(ids) do
    out[#out + 1] = id
    out[#out + 1] = redis.call('HGET', KEYS[1], id) or false
  end
end
return out
"""
)


@dataclass(frozen=True, slots=True)
class SincePage:
    """What a ``since`` page reads: the items in sequence order with their positions, and
    the newest position in the language (the page's ``next`` when it holds nothing)."""

    newest: int
    items: tuple[tuple[int, Item], ...]


def _item(raw: Any) -> Item | None:
    """A stored item, or None once pruned or unreadable (a render reports those)."""
    if not raw:
        return None
    try:
        return decode_item(raw)
    except ArticleInvalid:
        return None


@guarded
def read_since(client: Client, lang: str, now: datetime, after: int, limit: int) -> SincePage:
    args = [repr(aware(now).timestamp()), max(limit, 1), after]
    answer = run_script(client, _READ_SINCE, keys.feed_index_keys(lang), args)
    found = []
    for i in range(1, len(answer), 3):
        item = _item(answer[i + 2])
        if item is not None:
            found.append((int(float(decode_text(answer[i + 1]))), item))
    return SincePage(int(float(decode_text(answer[0]))), tuple(found))


@guarded
def read_before(
    client: Client, lang: str, now: datetime, before: float, limit: int, withdrawn: bool
) -> list[Item]:
    """The items showing at or just before ``before`` (epoch s), withdrawn ones too when
    asked: what the page older than a position is made of."""
    args = [repr(aware(now).timestamp()), max(limit, 1), repr(before), "1" if withdrawn else "0"]
    answer = run_script(client, _READ_BEFORE, keys.feed_index_keys(lang), args)
    found = (_item(answer[i + 1]) for i in range(0, len(answer), 2))
    return [item for item in found if item is not None]


@guarded
def newest_seq(client: Client, lang: str) -> int:
    """The newest position of the language's visibility sequence (0: none): a long poll
    looks at it until something newer than its cursor shows."""
    top = client.zrevrange(keys.seq_key(lang), 0, 0, withscores=True)
    return int(top[0][1]) if top else 0
