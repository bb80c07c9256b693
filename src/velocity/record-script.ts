/**
 * The Lua script that records one charge for one entity and reads all its windows, atomically,
 * in one round trip. Every key it touches is passed in KEYS and shares the entity's hash tag, so it
 * runs on Redis Cluster. Commands are limited to what Redis 6.0 has.
 *
 * KEYS[1]   the entity's events: sorted set, member = charge hash, score = time (ms). It counts
 *           charges and is the idempotency marker: a charge already in it is not recorded again.
 * KEYS[2..] the entity's series, in ARGV order:
 *           distinct: member = value hash, score = time it was last seen
 *           sum:      member = "<charge hash>:<number>", score = time
 * ARGV      charge hash, now, retention ms, cap, #count windows, count windows...,
 *           then per series: kind ('d' | 's'), value ('' = unknown: read only), #windows, windows...
 *
 * Returns the values in ARGV order: counts as integers, sums as decimal strings (clamped to
 * +-(2^53 - 1); the client's integer parser is not exact near 2^53). A window `w` holds the events with `t - w < time`, where `t`
 * is now, or the first recording's time when the charge was recorded before.
 *
 * Each written key is trimmed: events older than the retention (the entity's longest window) are
 * removed, then the oldest beyond `cap`, and its expiry is set to the retention, so no key lives
 * without a TTL and an idle entity disappears one retention after its last charge.
 */
export const RECORD_SCRIPT = `
local ev = KEYS[1]
local charge = ARGV[1]
local now = tonumber(ARGV[2])
local keep = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local old = string.format('%.0f', now - keep)
local t = now
local add = true
local seen = redis.call('ZSCORE', ev, charge)
if seen then
  t = tonumber(seen)
  add = false
end

local function trim(key)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', old)
  local n = redis.call('ZCARD', key)
  if n > cap then redis.call('ZREMRANGEBYRANK', key, 0, n - cap - 1) end
  redis.call('PEXPIRE', key, keep)
end

local function after(w)
  return string.format('(%.0f', t - w)
end

if add then
  redis.call('ZADD', ev, now, charge)
  trim(ev)
end

local out = {}
local i = 5
local n = tonumber(ARGV[i])
for j = i + 1, i + n do
  out[#out + 1] = redis.call('ZCOUNT', ev, after(tonumber(ARGV[j])), '+inf')
end
i = i + n + 1

for k = 2, #KEYS do
  local key = KEYS[k]
  local kind = ARGV[i]
  local v = ARGV[i + 1]
  local nw = tonumber(ARGV[i + 2])
  local w0 = i + 3
  i = w0 + nw
  if add and v ~= '' then
    if kind == 'd' then
      local last = redis.call('ZSCORE', key, v)
      if (not last) or tonumber(last) < now then redis.call('ZADD', key, now, v) end
    else
      redis.call('ZADD', key, now, charge .. ':' .. v)
    end
    trim(key)
  end
  if kind == 'd' then
    for j = w0, i - 1 do
      out[#out + 1] = redis.call('ZCOUNT', key, after(tonumber(ARGV[j])), '+inf')
    end
  else
    local cuts = {}
    local sums = {}
    local from = t
    for j = 1, nw do
      cuts[j] = t - tonumber(ARGV[w0 + j - 1])
      sums[j] = 0
      if cuts[j] < from then from = cuts[j] end
    end
    local rows = redis.call('ZRANGEBYSCORE', key, string.format('(%.0f', from), '+inf', 'WITHSCORES')
    for r = 1, #rows, 2 do
      local m = rows[r]
      local amount = tonumber(string.sub(m, string.find(m, ':', 1, true) + 1))
      local at = tonumber(rows[r + 1])
      for j = 1, nw do
        if at > cuts[j] then sums[j] = sums[j] + amount end
      end
    end
    for j = 1, nw do
      local total = sums[j]
      if total > 9007199254740991 then total = 9007199254740991 elseif total < -9007199254740991 then total = -9007199254740991 end
      out[#out + 1] = string.format('%.0f', total)
    end
  end
end
return out
`

/**
 * RECORD_SCRIPT for several entities in one call, one round trip per charge instead of one per
 * entity. Standalone Redis only: on a Cluster the entities' keys live in different slots.
 *
 * KEYS      every entity's keys, entity after entity, as RECORD_SCRIPT takes them
 * ARGV      number of entities, then per entity: its number of keys, its number of arguments,
 *           its arguments as RECORD_SCRIPT takes them
 *
 * Returns one RECORD_SCRIPT result per entity, in order.
 */
export const RECORD_MANY_SCRIPT = `
local function record(KEYS, ARGV)
${RECORD_SCRIPT}
end

local results = {}
local k = 1
local a = 2
for e = 1, tonumber(ARGV[1]) do
  local nk = tonumber(ARGV[a])
  local na = tonumber(ARGV[a + 1])
  a = a + 2
  local keys = {}
  for j = 1, nk do
    keys[j] = KEYS[k]
    k = k + 1
  end
  local args = {}
  for j = 1, na do
    args[j] = ARGV[a]
    a = a + 1
  end
  results[e] = record(keys, args)
end
return results
`
