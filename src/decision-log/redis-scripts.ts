/**
 * The decision log's Lua scripts (Redis 6.0 commands only). Every script touches the keys of one
 * partition, which share the partition's hash tag (one Redis Cluster slot); see redis-keys.ts.
 *
 * Per partition:
 *   s  stream: one entry per record, fields `d` (the decision's field: 22 base64url characters of
 *      its id) and `r` (the encoded record, src/decision-log/codec.ts)
 *   i  hash: field -> `<body fingerprint>|<stream id>` for every recorded decision, or
 *      `P|<body fingerprint>|<nonce>|<until ms>` while an attempt holds the charge's reservation
 *      (a reservation past its time no longer holds: the next attempt takes it over)
 *   o  hash: field -> `<rank>|<outcome JSON>`, the decision's latest outcome
 * Times are the callers' clocks (epoch ms).
 */

/**
 * What the log holds for a field: {1, fingerprint, record or false, outcome or false} when recorded,
 * {2, fingerprint, nonce} when reserved, {0} when neither. Defined as Lua functions so that the
 * scoring script (velocity and reservation in one call) can run them too.
 */
export const LOOKUP_LUA = `
local function rg_log_lookup(i, s, o, field, now)
  local v = redis.call('HGET', i, field)
  if not v then return {0} end
  if string.sub(v, 1, 2) == 'P|' then
    local fp, nonce, untl = string.match(v, '^P|([^|]*)|([^|]*)|(%d+)$')
    if tonumber(untl) <= tonumber(now) then return {0} end
    return {2, fp, nonce}
  end
  local bar = string.find(v, '|', 1, true)
  local id = string.sub(v, bar + 1)
  local e = redis.call('XRANGE', s, id, id)
  local rec = false
  if e[1] then rec = e[1][2][4] end
  local out = redis.call('HGET', o, field) or false
  return {1, string.sub(v, 1, bar - 1), rec, out}
end

local function rg_log_reserve(i, s, o, field, fingerprint, nonce, now, untl)
  local found = rg_log_lookup(i, s, o, field, now)
  if found[1] ~= 0 then return found end
  redis.call('HSET', i, field, 'P|' .. fingerprint .. '|' .. nonce .. '|' .. untl)
  return {0}
end
`

/** KEYS: i, s, o. ARGV: field, now ms. */
export const LOOKUP_SCRIPT = `${LOOKUP_LUA}
return rg_log_lookup(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])`

/**
 * KEYS: i, s, o. ARGV: field, fingerprint, nonce, now ms, the time the reservation lapses (ms,
 * integer text: Lua converts no number). {0} when reserved now.
 */
export const RESERVE_SCRIPT = `${LOOKUP_LUA}
return rg_log_reserve(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])`

/**
 * Records a batch of one partition, idempotently, then trims the partition.
 * KEYS: s, i, o. ARGV: max records, TTL ms, now ms, then per record: field, fingerprint, nonce
 * (the attempt that decided), time ms, encoded record.
 * Returns per record 1 written, 2 duplicate (already recorded), 3 superseded (another attempt holds
 * the reservation, and it has not lapsed).
 *
 * A record is appended with the stream id `<time>-*` (so time ranges are id ranges), or `*` when
 * the stream holds a later id already. Trimming removes the oldest records beyond the bound, and
 * (checked every 64 records) those older than the TTL, with their index and outcome fields; the
 * partition's keys get the TTL then too, so a log no longer written to goes away.
 */
export const APPEND_SCRIPT = `
local s, i, o = KEYS[1], KEYS[2], KEYS[3]
local maxlen = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local out = {}
local added = 0
for r = 0, (#ARGV - 3) / 5 - 1 do
  local a = 4 + r * 5
  local field, fp, nonce = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local v = redis.call('HGET', i, field)
  local held = false
  if v and string.sub(v, 1, 2) == 'P|' then
    -- the attempt's own reservation (the usual case) is told by its prefix, without a pattern
    local own = 'P|' .. fp .. '|' .. nonce .. '|'
    if string.sub(v, 1, #own) ~= own then
      local pfp, pnonce, untl = string.match(v, '^P|([^|]*)|([^|]*)|(%d+)$')
      held = (pfp ~= fp or pnonce ~= nonce) and tonumber(untl) > now
    end
    v = false
  end
  if v then
    out[#out + 1] = 2
  elseif held then
    out[#out + 1] = 3
  else
    local id = redis.pcall('XADD', s, ARGV[a + 3] .. '-*', 'd', field, 'r', ARGV[a + 4])
    if type(id) == 'table' and id.err then id = redis.call('XADD', s, '*', 'd', field, 'r', ARGV[a + 4]) end
    redis.call('HSET', i, field, fp .. '|' .. id)
    out[#out + 1] = 1
    added = added + 1
  end
end
if added > 0 then
  local n = redis.call('XLEN', s)
  local excess = n - maxlen
  local aged = (n % 64) < added
  if excess > 0 or aged then
    local cutoff = now - ttl
    local budget = added + 2
    while budget > 0 do
      local e = redis.call('XRANGE', s, '-', '+', 'COUNT', 1)[1]
      if not e then break end
      local ms = tonumber(string.match(e[1], '^(%d+)'))
      if excess <= 0 and ms >= cutoff then break end
      redis.call('HDEL', i, e[2][2])
      redis.call('HDEL', o, e[2][2])
      redis.call('XDEL', s, e[1])
      excess = excess - 1
      budget = budget - 1
    end
  end
  if aged or n <= added then
    redis.call('PEXPIRE', s, ttl)
    redis.call('PEXPIRE', i, ttl)
    redis.call('PEXPIRE', o, ttl)
  end
end
return out`

/**
 * Sets an outcome on a recorded decision or one being decided.
 * KEYS: i, o. ARGV: field, `<rank>|<outcome JSON>`, rank, force ('1' replaces whatever is stored).
 * Returns {0} unknown, {1} stored, {2, stored} when a stronger outcome is kept.
 */
export const OUTCOME_SCRIPT = `
local i, o = KEYS[1], KEYS[2]
local field = ARGV[1]
if redis.call('HEXISTS', i, field) == 0 then return {0} end
if ARGV[4] ~= '1' then
  local current = redis.call('HGET', o, field)
  if current and tonumber(string.match(current, '^(%d+)|')) > tonumber(ARGV[3]) then return {2, current} end
end
redis.call('HSET', o, field, ARGV[2])
if redis.call('PTTL', o) == -1 then
  local ttl = redis.call('PTTL', i)
  if ttl > 0 then redis.call('PEXPIRE', o, ttl) end
end
return {1}`
