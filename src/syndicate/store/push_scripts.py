"""The Lua scripts behind push deliveries (store/pushes.py): each state change is one
Redis transaction, so two workers never both send a delivery they both saw pending, and a
count, an index and a record never disagree.

Every script takes the partner's six keys (keys.push_keys): KEYS[1] records (hash of
record JSON), KEYS[2] due (zset), KEYS[3] busy (zset), KEYS[4] last (hash), KEYS[5] log
(zset), KEYS[6] count (hash); FINISH the metrics hash too, as KEYS[7]. A record's fields
are absent rather than null (cjson's null is truthy in Lua). States are
push.rules.DeliveryState values.
"""

from __future__ import annotations

from typing import Final

_HELPERS: Final = """
local function get(id)
  local raw = redis.call('HGET', KEYS[1], id)
  if raw then return cjson.decode(raw) end
  return nil
end
local function put(id, rec) redis.call('HSET', KEYS[1], id, cjson.encode(rec)) end
local function move(from, to)
  if from then redis.call('HINCRBY', KEYS[6], from, -1) end
  if to then redis.call('HINCRBY', KEYS[6], to, 1) end
end
local function final(state) return state == 'delivered' or state == 'dead' end
"""

# ARGV: id, guid, version, record JSON, due score, now score, '1' to supersede.
# A version older than one already recorded is stale. The partner's previous version of
# the item is linked both ways (prev/next): this one waits until that one is final. A
# previous version never sent and not yet due (under an embargo the update came before)
# was never visible: it is dropped, and this one takes its place in the chain; so is one
# waiting (pending or retrying) when this one supersedes it (a feed: the newer one holds
# all the older one did).
CREATE: Final = (
    _HELPERS
    + """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'already_done' end
local version = tonumber(ARGV[3])
local last_raw = redis.call('HGET', KEYS[4], ARGV[2])
local last = tonumber(last_raw)
if last and last >= version then return 'stale' end
local rec = cjson.decode(ARGV[4])
local prev_id = last and (ARGV[2] .. ':' .. last_raw)
local prev = prev_id and get(prev_id)
local unseen = prev and prev.state == 'pending' and (prev.attempts or 0) == 0
  and tonumber(prev.not_before or 0) > tonumber(ARGV[6])
local waiting = prev and (prev.state == 'pending' or prev.state == 'retrying')
if unseen or (ARGV[7] == '1' and waiting) then
  redis.call('HDEL', KEYS[1], prev_id)
  redis.call('ZREM', KEYS[2], prev_id)
  redis.call('ZREM', KEYS[5], prev_id)
  move(prev.state, nil)
  prev_id = prev.prev
  prev = prev_id and get(prev_id)
end
if prev then
  rec.prev = prev_id
  prev.next = ARGV[1]
  put(prev_id, prev)
end
put(ARGV[1], rec)
redis.call('HSET', KEYS[4], ARGV[2], version)
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[6], ARGV[1])
move(nil, 'pending')
return 'written'
"""
)

# ARGV: id, now score, lease end score, claim token, per-partner cap, now ISO.
# Answers {outcome, record JSON when claimed}: 'claimed'; 'missing', 'done' (final),
# 'in_flight' (another attempt's lease runs), 'early' (its time has not come), 'blocked'
# (the previous version is not final: looked at again after a lease, or at once when that
# one ends) or 'throttled' (the partner has its cap of deliveries in flight: taken by the
# next one to end).
CLAIM: Final = (
    _HELPERS
    + """
local id, now = ARGV[1], tonumber(ARGV[2])
local rec = get(id)
if not rec then redis.call('ZREM', KEYS[2], id); return {'missing'} end
if final(rec.state) then redis.call('ZREM', KEYS[2], id); return {'done'} end
if rec.state == 'delivering' and tonumber(rec.lease_until) > now then return {'in_flight'} end
if rec.state ~= 'delivering' and tonumber(rec.not_before or 0) > now then return {'early'} end
local prev = rec.prev and get(rec.prev)
if prev and not final(prev.state) then
  redis.call('ZADD', KEYS[2], ARGV[3], id)
  return {'blocked'}
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('ZREM', KEYS[3], id)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then
  redis.call('ZADD', KEYS[2], now, id)
  return {'throttled'}
end
move(rec.state, 'delivering')
rec.state = 'delivering'
rec.attempts = (rec.attempts or 0) + 1
rec.claim = ARGV[4]
rec.lease_until = ARGV[3]
rec.at = ARGV[6]
rec.window_from = rec.window_from or ARGV[2]
rec.not_before = nil
put(id, rec)
redis.call('ZADD', KEYS[3], ARGV[3], id)
redis.call('ZADD', KEYS[2], ARGV[3], id)
return {'claimed', cjson.encode(rec)}
"""
)

# ARGV: id, claim token, new state, fields JSON (merged into the record), retry score (or
# ''), now score, then metrics series, amount pairs added to KEYS[7] (the metrics hash)
# when the ending is written: the counts never miss an attempt a kill cut short after its
# record. A 2xx is recorded whatever became of the claim meanwhile (it is the truth: the
# receiver has it); any other outcome only by the attempt that still holds the claim. A
# final ending makes the next version of the item due now.
FINISH: Final = (
    _HELPERS
    + """
local id, state = ARGV[1], ARGV[3]
local rec = get(id)
if not rec then return 'missing' end
if rec.state == 'delivered' then return 'already_done' end
if state ~= 'delivered' and (rec.state ~= 'delivering' or rec.claim ~= ARGV[2]) then
  return 'superseded'
end
move(rec.state, state)
for k, v in pairs(cjson.decode(ARGV[4])) do rec[k] = v end
rec.state = state
rec.claim = nil
rec.lease_until = nil
redis.call('ZREM', KEYS[3], id)
if state == 'retrying' then
  rec.not_before = ARGV[5]
  redis.call('ZADD', KEYS[2], ARGV[5], id)
else
  redis.call('ZREM', KEYS[2], id)
end
put(id, rec)
if final(state) and rec.next and get(rec.next) then
  redis.call('ZADD', KEYS[2], ARGV[6], rec.next)
end
for i = 7, #ARGV, 2 do redis.call('HINCRBYFLOAT', KEYS[7], ARGV[i], ARGV[i + 1]) end
return 'written'
"""
)

# ARGV: now score, per-partner cap, grace end score, limit.
# The oldest deliveries due now, as many as the partner has free slots (at most limit);
# each is marked as looked after until the grace ends, so the next sweep does not send a
# second nudge for it while the first is on its way (a lost nudge is sent again then).
TAKE_DUE: Final = """
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
local free = math.min(tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[3]), tonumber(ARGV[4]))
if free <= 0 then return {} end
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, free)
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[2], ARGV[3], id) end
return ids
"""

# ARGV: id, now score, now ISO. A dead delivery becomes pending again, its retry window to
# open at its next attempt. Refused ('superseded') once a later version of the item was
# delivered to the partner: sending this one now would put an older version after it.
REPLAY: Final = (
    _HELPERS
    + """
local id = ARGV[1]
local rec = get(id)
if not rec then return 'missing' end
if rec.state ~= 'dead' then return 'not_dead' end
local later, steps = rec.next, 0
while later and steps < 10000 do
  local found = get(later)
  if not found then break end
  if found.state == 'delivered' then return 'superseded' end
  later, steps = found.next, steps + 1
end
move('dead', 'pending')
rec.state = 'pending'
rec.window_from = nil
rec.at = ARGV[3]
rec.replays = (rec.replays or 0) + 1
put(id, rec)
redis.call('ZADD', KEYS[2], ARGV[2], id)
return 'written'
"""
)

# ARGV: before score, limit. Drops final deliveries created before ``before`` (at most
# ``limit`` looked at); answers how many went.
TRIM: Final = (
    _HELPERS
    + """
local gone = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])) do
  local rec = get(id)
  if not rec or final(rec.state) then
    redis.call('HDEL', KEYS[1], id)
    redis.call('ZREM', KEYS[5], id)
    redis.call('ZREM', KEYS[2], id)
    if rec then move(rec.state, nil) end
    gone = gone + 1
  end
end
return gone
"""
)
