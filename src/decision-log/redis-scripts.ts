/**
 * The decision log's Lua scripts (Redis 6.0 commands only). Every script touches the keys of one
 * partition, which share the partition's hash tag (one Redis Cluster slot); see redis-keys.ts.
 *
 * Per partition:
 *   s  stream: one entry per record, fields `d` (the decision's field: 22 base64url characters of
 *      its id) and `r` (the encoded record, src/decision-log/codec.ts)
 *   i  hash: field -> `<body fingerprint>|<stream id>` for every recorded decision
 *   o  hash: field -> `<rank>|<outcome JSON>`, the decision's latest outcome
 *   r:<field>  string: a reservation `<fingerprint>|<nonce>` of a charge being decided, with PX
 */

/**
 * What the log holds for a field: {1, fingerprint, record or false, outcome or false} when recorded,
 * {2, fingerprint, nonce} when reserved, {0} when neither. Defined as a Lua function so that the
 * scoring script (velocity and reservation in one call) can run it too.
 */
export const LOOKUP_LUA = `
local function rg_log_lookup(i, s, o, pend, field)
  local v = redis.call('HGET', i, field)
  if v then
    local bar = string.find(v, '|', 1, true)
    local id = string.sub(v, bar + 1)
    local e = redis.call('XRANGE', s, id, id)
    local rec = false
    if e[1] then rec = e[1][2][4] end
    local out = redis.call('HGET', o, field) or false
    return {1, string.sub(v, 1, bar - 1), rec, out}
  end
  local p = redis.call('GET', pend)
  if p then
    local bar = string.find(p, '|', 1, true)
    return {2, string.sub(p, 1, bar - 1), string.sub(p, bar + 1)}
  end
  return {0}
end

local function rg_log_reserve(i, s, o, pend, field, fingerprint, nonce, pending_ms)
  local found = rg_log_lookup(i, s, o, pend, field)
  if found[1] ~= 0 then return found end
  redis.call('SET', pend, fingerprint .. '|' .. nonce, 'PX', pending_ms)
  return {0}
end
`

/** KEYS: i, s, o, r:<field>. ARGV: field. */
export const LOOKUP_SCRIPT = `${LOOKUP_LUA}
return rg_log_lookup(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1])`

/** KEYS: i, s, o, r:<field>. ARGV: field, fingerprint, nonce, pending ms. {0} when reserved now. */
export const RESERVE_SCRIPT = `${LOOKUP_LUA}
return rg_log_reserve(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4])`

/**
 * Records a batch of one partition, idempotently, then trims the partition.
 * KEYS: s, i, o, then one r:<field> per record. ARGV: max records, TTL ms, now ms, then per record:
 * field, fingerprint, nonce (the attempt that decided), time ms, encoded record.
 * Returns per record 1 written, 2 duplicate (already recorded), 3 superseded (another attempt holds
 * the reservation or is recorded).
 *
 * A record is appended with the stream id `<time>-*` (so time ranges are id ranges), or `*` when
 * the stream holds a later id already. Trimming removes the oldest records beyond the bound or
 * older than the TTL (a few more than were added, so the partition never grows past its bound),
 * with their index and outcome fields.
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
  local pend = KEYS[4 + r]
  if redis.call('HEXISTS', i, field) == 1 then
    out[#out + 1] = 2
  else
    local p = redis.call('GET', pend)
    if p and p ~= fp .. '|' .. nonce then
      out[#out + 1] = 3
    else
      local id = redis.pcall('XADD', s, ARGV[a + 3] .. '-*', 'd', field, 'r', ARGV[a + 4])
      if type(id) == 'table' and id.err then id = redis.call('XADD', s, '*', 'd', field, 'r', ARGV[a + 4]) end
      redis.call('HSET', i, field, fp .. '|' .. id)
      if p then redis.call('DEL', pend) end
      out[#out + 1] = 1
      added = added + 1
    end
  end
end
if added > 0 then
  local excess = redis.call('XLEN', s) - maxlen
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
  redis.call('PEXPIRE', s, ttl)
  redis.call('PEXPIRE', i, ttl)
  redis.call('PEXPIRE', o, ttl)
end
return out`

/**
 * Sets an outcome on a recorded decision or one being decided.
 * KEYS: i, o, r:<field>. ARGV: field, `<rank>|<outcome JSON>`, rank, force ('1' replaces whatever is stored).
 * Returns {0} unknown, {1} stored, {2, stored} when a stronger outcome is kept.
 */
export const OUTCOME_SCRIPT = `
local i, o, pend = KEYS[1], KEYS[2], KEYS[3]
local field = ARGV[1]
if redis.call('HEXISTS', i, field) == 0 and redis.call('EXISTS', pend) == 0 then return {0} end
if ARGV[4] ~= '1' then
  local current = redis.call('HGET', o, field)
  if current and tonumber(string.match(current, '^(%d+)|')) > tonumber(ARGV[3]) then return {2, current} end
end
redis.call('HSET', o, field, ARGV[2])
return {1}`

/** KEYS: i, r:<field>. ARGV: field. 1 when the decision is recorded or being decided. */
export const KNOWN_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 1 end
return 0`
