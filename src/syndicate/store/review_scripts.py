"""The Lua scripts of the review desk (issue 18): hold a translation for an editor, edit
it, approve it into an item, or reject it. Built from store/scripts.py's fragments (the
version check, the work index, the item write), so a held translation obeys the same
rules as every other write: a stale version changes nothing.

A held translation's record carries its version, its state (held, rejected) and a revision
every edit bumps: a hold or an approval computed from one revision is refused ('retry')
once an edit changed it, so no edit is ever lost.
"""

from __future__ import annotations

from typing import Final

from syndicate.store import scripts

_HELD: Final = """
local held = redis.call('HMGET', KEYS[10], 'version', 'state', 'rev')
if tonumber(held[1]) ~= tonumber(ARGV[1]) or held[2] ~= 'held' then return 'stale' end
if (held[3] or '') ~= ARGV[10] then return 'retry' end
"""

# KEYS 1-9 and ARGV 1-9 as PUBLISH_ITEM, then KEYS: review record, review queue; ARGV: the
# record's revision the approved article was built from. The item is stored and the
# translation leaves the queue in one step.
APPROVE_ITEM: Final = (
    scripts.CHECK_VERSION
    + _HELD
    + scripts.WRITE_ITEM
    + """
redis.call('DEL', KEYS[10])
redis.call('ZREM', KEYS[11], ARGV[3])
return 'written'
"""
)

# KEYS: article hash, state hash, review record, review queue, held languages set,
# unfinished zset, finished zset.
# ARGV: version, lang, state JSON (in_review), the revision of the record the carried edits
# were read from ('' for none), article id, held-since score, then the record's field,
# value pairs. Replaces any earlier record of the article in lang.
HOLD: Final = (
    scripts.INDEX
    + scripts.CHECK_VERSION
    + """
if (redis.call('HGET', KEYS[3], 'rev') or '') ~= ARGV[4] then return 'retry' end
redis.call('DEL', KEYS[3])
redis.call('HSET', KEYS[3], unpack(ARGV, 7))
redis.call('HSET', KEYS[3], 'rev', (tonumber(ARGV[4]) or 0) + 1)
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[5])
redis.call('SADD', KEYS[5], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
index(KEYS[6], KEYS[7], KEYS[2], ARGV[5], version, ARGV[6], ARGV[6])
return 'written'
"""
)

# KEYS: review record. ARGV: version, field, value. An edit of a held translation of that
# version; bumps the revision.
EDIT: Final = """
local held = redis.call('HMGET', KEYS[1], 'version', 'state')
if not held[1] then return 'missing' end
if tonumber(held[1]) ~= tonumber(ARGV[1]) or held[2] ~= 'held' then return 'stale' end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('HINCRBY', KEYS[1], 'rev', 1)
return 'written'
"""

# KEYS: article hash, state hash, review record, review queue, unfinished zset, finished
# zset. ARGV: version, lang, state JSON (rejected), article id, reason, seconds kept, now
# (epoch s).
REJECT: Final = (
    scripts.INDEX
    + scripts.CHECK_VERSION
    + """
local held = redis.call('HMGET', KEYS[3], 'version', 'state')
if tonumber(held[1]) ~= tonumber(ARGV[1]) or held[2] ~= 'held' then return 'stale' end
redis.call('HSET', KEYS[3], 'state', 'rejected', 'reason', ARGV[5])
redis.call('EXPIRE', KEYS[3], ARGV[6])
redis.call('ZREM', KEYS[4], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
index(KEYS[5], KEYS[6], KEYS[2], ARGV[4], version, ARGV[7], ARGV[7])
return 'written'
"""
)
