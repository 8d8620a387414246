"""The Lua scripts behind the store's atomic writes (articles, feeds, partners).

Every key arrives through KEYS, built by store/keys.py: a script never spells one.

Each script is one Redis transaction: it checks the stored article version first, so a
stale or redelivered task changes nothing, and writes everything that belongs together.
Answers are the values of news.states.Outcome, plus 'missing' for a version never stored;
the states they compare are news.states.LanguageState values.
"""

from __future__ import annotations

from typing import Final

# The work index, kept by every script that changes a language's state, in the same step:
# an article whose latest version has a language queued or translating is in the unfinished
# zset (scored by when it became so: received, or requeued), one whose languages all ended
# is in the finished zset (scored by when they did: retention counts from there); one held
# for an editor (in_review) is in neither. The recovery sweep reads the first, the pruning
# of finished articles the second: neither scans the keyspace (store/recovery.py,
# store/retention.py). index(unfinished, finished, states, id, version, opened, closed).
INDEX: Final = """
local function index(unfinished, finished, states, id, version, opened, closed)
  local open, held = false, false
  for _, raw in ipairs(redis.call('HVALS', states)) do
    local s = cjson.decode(raw)
    if s.version == version and (s.state == 'queued' or s.state == 'translating') then
      open = true
    elseif s.version == version and s.state == 'in_review' then
      held = true
    end
  end
  if open then
    redis.call('ZREM', finished, id)
    redis.call('ZADD', unfinished, 'NX', opened, id)
    return
  end
  redis.call('ZREM', unfinished, id)
  if held then
    redis.call('ZREM', finished, id)
  else
    redis.call('ZADD', finished, 'NX', closed, id)
  end
end
"""

# The dispatch claim (worker/submit.py): whoever stores a version, or replays one whose
# ingest never reached the broker once the claim of its sender lapsed, is told to send the
# ingest, and holds field dispatch_lease ('<version>:<until, epoch s>') meanwhile: of any
# number of identical requests at once, exactly one sends. Times are the server's (TIME).
_CLAIM: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local function claim(version, seconds)
  local sent = tonumber(redis.call('HGET', KEYS[1], 'dispatched'))
  if sent and sent >= version then return 0 end
  local lease = redis.call('HGET', KEYS[1], 'dispatch_lease')
  if lease then
    local v, untl = string.match(lease, '^(%d+):(.+)$')
    if tonumber(v) == version and tonumber(untl) > now then return 0 end
  end
  redis.call('HSET', KEYS[1], 'dispatch_lease', version .. ':' .. (now + seconds))
  return 1
end
"""

# KEYS: article hash, state hash, unfinished zset, finished zset.
# ARGV: version, article JSON, first_created, received_at, claim seconds, article id,
# received (epoch s), then lang, state JSON pairs.
# Answers {outcome, stored version, 1 when the caller must send the ingest}.
SAVE_VERSION: Final = (
    _CLAIM
    + """
local stored = tonumber(redis.call('HGET', KEYS[1], 'version'))
local version = tonumber(ARGV[1])
if stored and version < stored then return {'stale', stored, 0} end
if stored and version == stored then
  return {'already_done', stored, claim(version, tonumber(ARGV[5]))}
end
local first = redis.call('HGET', KEYS[1], 'first_created') or ARGV[3]
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'article', ARGV[2],
           'first_created', first, 'received_at', ARGV[4])
redis.call('DEL', KEYS[2])
if #ARGV > 7 then redis.call('HSET', KEYS[2], unpack(ARGV, 8)) end
redis.call('ZADD', KEYS[3], ARGV[7], ARGV[6])
redis.call('ZREM', KEYS[4], ARGV[6])
return {'written', version, claim(version, tonumber(ARGV[5]))}
"""
)

# KEYS: article hash. ARGV: version, '1' when its ingest reached the broker ('0': the send
# failed, the claim is given back for the next replay). The dispatched version never moves
# back; a newer version's claim stays.
END_DISPATCH: Final = """
local version = tonumber(ARGV[1])
local sent = tonumber(redis.call('HGET', KEYS[1], 'dispatched'))
if ARGV[2] == '1' and (not sent or sent < version) then
  redis.call('HSET', KEYS[1], 'dispatched', version)
end
local lease = redis.call('HGET', KEYS[1], 'dispatch_lease')
if lease and tonumber(string.match(lease, '^(%d+):')) == version then
  redis.call('HDEL', KEYS[1], 'dispatch_lease')
end
"""

# A language is done for a version once published or withdrawn: nothing moves it back.
CHECK_VERSION: Final = """
local stored = tonumber(redis.call('HGET', KEYS[1], 'version'))
local version = tonumber(ARGV[1])
if not stored or version > stored then return 'missing' end
if version < stored then return 'stale' end
local current = redis.call('HGET', KEYS[2], ARGV[2])
if current then
  local c = cjson.decode(current)
  if c.version == version and (c.state == 'published' or c.state == 'withdrawn') then
    return 'already_done'
  end
end
"""

# KEYS: article hash, state hash, unfinished zset, finished zset.
# ARGV: version, lang, state JSON, article id, now (epoch s).
SET_STATE: Final = (
    INDEX
    + CHECK_VERSION
    + """
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
index(KEYS[3], KEYS[4], KEYS[2], ARGV[4], version, ARGV[5], ARGV[5])
return 'written'
"""
)

# The visibility sequence (issue 19): each item visible in a language is in its seq zset,
# scored by the generation at which its current version became visible, so ``?since=``
# pages follow the order of commits, never of the clocks that stamped the items. Items
# whose embargo ended in (mark, upto] of the live and withdrawn zsets are sequenced now.
_RELEASE: Final = """
local function release(live, withdrawn, generation, seq, mark, upto)
  for _, key in ipairs({live, withdrawn}) do
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', key, '(' .. mark, upto)) do
      redis.call('ZADD', seq, redis.call('INCR', generation), id)
    end
  end
end
"""

# Stores an item: KEYS 1-9 and ARGV 1-9 as PUBLISH_ITEM says. Counts the write in the
# article hash (field keys.item_writes_field: writes:<version>:<lang>), so a second
# publication of one item would show. An item shown at once moves the shown mark, first
# sequencing the items whose embargo ended before it, then itself.
WRITE_ITEM: Final = (
    _RELEASE
    + """
redis.call('HINCRBY', KEYS[1], 'writes:' .. ARGV[1] .. ':' .. ARGV[2], 1)
local first = redis.call('HGET', KEYS[1], 'first_created')
local item = '{"first_created":"' .. first .. '","version_created":"' .. ARGV[5]
             .. '","article":' .. ARGV[4] .. '}'
redis.call('HSET', KEYS[3], ARGV[3], item)
local mark = redis.call('GET', KEYS[7]) or '0'
if ARGV[9] == '1' and tonumber(ARGV[6]) > tonumber(mark) then
  release(KEYS[4], KEYS[5], KEYS[6], KEYS[8], mark, ARGV[6])
  redis.call('SET', KEYS[7], ARGV[6])
end
local into, out = KEYS[4], KEYS[5]
if ARGV[8] == '1' then into, out = KEYS[5], KEYS[4] end
redis.call('ZADD', into, ARGV[6], ARGV[3])
redis.call('ZREM', out, ARGV[3])
local generation = redis.call('INCR', KEYS[6])
if ARGV[9] == '1' then
  redis.call('ZADD', KEYS[8], generation, ARGV[3])
else
  redis.call('ZREM', KEYS[8], ARGV[3])
end
redis.call('SADD', KEYS[9], ARGV[2])
if ARGV[7] ~= '' then redis.call('HSET', KEYS[2], ARGV[2], ARGV[7]) end
"""
)

# KEYS: article hash, state hash, items hash, live zset, withdrawn zset, generation counter,
# shown mark, seq zset, the article's languages set.
# ARGV: version, lang, article id, article JSON, version_created, score, state JSON (or ''
# to leave the state for the caller to set once the feeds show the item), '1' when the
# article is withdrawn, '1' when it shows at once (no embargo ahead).
# The language's item already at this version is done: two runs of one task (a message
# handed back while its first run went on) write it once.
_ITEM_WRITTEN: Final = """
local held = redis.call('HGET', KEYS[3], ARGV[3])
if held and cjson.decode(held).article.version == version then return 'already_done' end
"""
# Then KEYS: unfinished zset, finished zset; ARGV: now (epoch s), for a state written here.
PUBLISH_ITEM: Final = (
    INDEX
    + CHECK_VERSION
    + _ITEM_WRITTEN
    + WRITE_ITEM
    + """
if ARGV[7] ~= '' then index(KEYS[10], KEYS[11], KEYS[2], ARGV[3], version, ARGV[10], ARGV[10]) end
return 'written'
"""
)

# KEYS: items hash, live zset, withdrawn zset, generation counter, shown mark, seq zset.
# ARGV: now score, limit.
# The newest `limit` live and `limit` withdrawn items, plus every one still under embargo.
# An item whose embargo ended since the mark (the newest visible-since the generation
# accounts for) bumps the generation, and is sequenced: a render computed before the end is
# then older than one computed after it, whichever is written last (WRITE_FEED). Pages read
# after it too (store/pages.py).
SHOW_ENDED: Final = (
    _RELEASE
    + """
local mark = redis.call('GET', KEYS[5]) or '0'
local shown = tonumber(mark)
local newest = nil
for _, key in ipairs({KEYS[2], KEYS[3]}) do
  local top = redis.call('ZREVRANGEBYSCORE', key, ARGV[1], '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if top[2] and tonumber(top[2]) > (tonumber(newest) or shown) then newest = top[2] end
end
if newest then
  release(KEYS[2], KEYS[3], KEYS[4], KEYS[6], mark, newest)
  redis.call('INCR', KEYS[4])
  redis.call('SET', KEYS[5], newest)
end
"""
)
READ_ITEMS: Final = (
    SHOW_ENDED
    + """
local limit = tonumber(ARGV[2])
local ids, seen = {}, {}
for _, key in ipairs({KEYS[2], KEYS[3]}) do
  local n = redis.call('ZCOUNT', key, '(' .. ARGV[1], '+inf') + limit
  if n > 0 then
    for _, id in ipairs(redis.call('ZREVRANGE', key, 0, n - 1)) do
      if not seen[id] then seen[id] = true; ids[#ids + 1] = id end
    end
  end
end
local generation = tonumber(redis.call('GET', KEYS[4])) or 0
if #ids == 0 then return {generation} end
local items = redis.call('HMGET', KEYS[1], unpack(ids))
table.insert(items, 1, generation)
return items
"""
)

# KEYS: feed hash. ARGV: generation, body, etag, last_modified, fingerprint, gzip body.
# A render from an older item set never replaces a newer one; a render of the same content
# (same bytes, or the same fingerprint of what it shows: a redelivered publish renders a
# new <sent> time) keeps the stored bytes, ETag and Last-Modified, so polls stay 304. The
# gzip body is stored beside the plain one, from the same render.
WRITE_FEED: Final = """
local stored = tonumber(redis.call('HGET', KEYS[1], 'generation'))
if stored and tonumber(ARGV[1]) < stored then return 'stale' end
local same_bytes = redis.call('HGET', KEYS[1], 'etag') == ARGV[3]
local same_content = ARGV[5] ~= '' and redis.call('HGET', KEYS[1], 'fingerprint') == ARGV[5]
if same_bytes or same_content then
  redis.call('HSET', KEYS[1], 'generation', ARGV[1])
  return 'already_done'
end
redis.call('HSET', KEYS[1], 'generation', ARGV[1], 'body', ARGV[2], 'etag', ARGV[3],
           'last_modified', ARGV[4], 'fingerprint', ARGV[5], 'gzip', ARGV[6])
return 'written'
"""

# KEYS: partner hash (by name), partner hash (by key digest), partner name set.
# ARGV: name, key digest, languages, formats, created, then field, value pairs (push).
ADD_PARTNER: Final = """
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
local record = {'name', ARGV[1], 'key_sha256', ARGV[2], 'languages', ARGV[3],
                'formats', ARGV[4], 'created', ARGV[5], unpack(ARGV, 6)}
redis.call('HSET', KEYS[1], unpack(record))
redis.call('HSET', KEYS[2], unpack(record))
redis.call('SADD', KEYS[3], ARGV[1])
return 1
"""


# KEYS: unfinished zset, finished zset, then per article: article hash, state hash.
# ARGV: per article: id, received (epoch s: it scores either zset, the finishing time being
# unknown). Indexes the articles in neither zset (stored before the index existed:
# worker/recovery.py has it done once); one a script indexed meanwhile is left as it is.
INDEX_ABSENT: Final = (
    INDEX
    + """
for i = 1, #ARGV, 2 do
  local id = ARGV[i]
  if not redis.call('ZSCORE', KEYS[1], id) and not redis.call('ZSCORE', KEYS[2], id) then
    local version = tonumber(redis.call('HGET', KEYS[i + 2], 'version'))
    if version then
      index(KEYS[1], KEYS[2], KEYS[i + 3], id, version, ARGV[i + 1], ARGV[i + 1])
    end
  end
end
return 'written'
"""
)

# KEYS: finished zset, article hash, state hash, languages set, then per language: items
# hash, live zset, withdrawn zset, seq zset, review log (the desk's audit trail goes with it).
# ARGV: article id, finished before (epoch s), feed size, now (epoch s), then the languages.
# Removes an article finished before the cutoff with everything stored about it ('pruned'),
# unless a feed still shows it ('shown': looked at again a retention later), the languages
# changed since they were read ('changed'), or it is not finished or not that old ('kept').
PRUNE: Final = """
local id = ARGV[1]
local finished = tonumber(redis.call('ZSCORE', KEYS[1], id))
if not finished or finished > tonumber(ARGV[2]) then return 'kept' end
for _, raw in ipairs(redis.call('HVALS', KEYS[3])) do
  local s = cjson.decode(raw).state
  if s == 'queued' or s == 'translating' or s == 'in_review' then
    redis.call('ZREM', KEYS[1], id)
    return 'kept'
  end
end
if redis.call('SCARD', KEYS[4]) ~= #ARGV - 4 then return 'changed' end
for i = 5, #ARGV do
  if redis.call('SISMEMBER', KEYS[4], ARGV[i]) == 0 then return 'changed' end
  local base = 4 + (i - 5) * 5
  for _, z in ipairs({KEYS[base + 2], KEYS[base + 3]}) do
    local rank = redis.call('ZREVRANK', z, id)
    local ahead = redis.call('ZCOUNT', z, '(' .. ARGV[4], '+inf')
    if rank and rank < tonumber(ARGV[3]) + ahead then
      redis.call('ZADD', KEYS[1], ARGV[4], id)
      return 'shown'
    end
  end
end
for i = 5, #ARGV do
  local base = 4 + (i - 5) * 5
  redis.call('HDEL', KEYS[base + 1], id)
  redis.call('ZREM', KEYS[base + 2], id)
  redis.call('ZREM', KEYS[base + 3], id)
  redis.call('ZREM', KEYS[base + 4], id)
  redis.call('DEL', KEYS[base + 5])
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
redis.call('ZREM', KEYS[1], id)
return 'pruned'
"""
