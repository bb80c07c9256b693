import type { EntityOp } from './entity-op.js'
import { distinctKey, entityHashKey } from './redis-keys.js'
import { DEFAULT_MAX_DISTINCT_PER_SERIES, RING_BUCKETS } from './store.js'

export { assignResults } from './entity-op.js'

/**
 * The Lua source of `local function record_velocity_entity(keys, argv)`: records one charge for
 * one entity and returns the entity's values. It touches only the keys it is given, which share
 * the entity's hash tag (so it runs on Redis Cluster), and only commands Redis 6.0 has. A bigger
 * script (an idempotency reservation first, then every entity of the charge) can include this
 * source and call the function once per entity with what entityCall returns.
 *
 * keys[1]     the entity's hash: every ring (a count window, or a window of a sum series) of the
 *             entity, as fields `<ring>:h` (head: the newest bucket index), `<ring>:t` (total) and
 *             `<ring>:<slot>` (bucket b lives in slot b % 60; only non-zero buckets are stored),
 *             where <ring> is `c<windowMs>` for a count and `s<windowMs>:<path>` for a sum
 * keys[1 + i]  the sorted set of the entity's i-th distinct series: member = value digest,
 *             score = time it was last seen (ms)
 * argv[1]     the charge's time t (epoch ms, integer)
 * argv[2]     the entity's retention (ms), its longest window: distinct values last seen at or
 *             before t - retention are removed, and every key lives one retention plus one
 *             bucket of that window (retention / 60) after it was last refreshed
 * argv[3]     the most values a distinct series keeps (the least recently seen are dropped)
 * argv[4]     R, the number of rings; then R times:
 *               ring name, bucket width r (ms, windowMs / 60), what the charge adds (integer:
 *               1 for a count, the value for a sum, 0 when the value is unknown)
 * argv[5+3R]  D, the number of distinct series; then D times:
 *               value digest ('' = unknown: read without adding), n windows, n windows (ms)
 *
 * Returns the R ring values (decimal strings: the client's integer parser is not exact near
 * 2^53), then the D series' window counts (integers), in argv order.
 *
 * Keys are refreshed (PEXPIRE) and distinct values trimmed when a ring of the entity starts a new
 * bucket (or the entity has no ring), and a distinct series' key when it gains a value: a key
 * refreshed less than one bucket ago still lives longer than the retention.
 *
 * Commands per call: with rings, HMGET (head, total and current slot of every ring), a second
 * HMGET only when a ring's head moves 2..59 buckets forward, HDEL only when buckets are cleared,
 * HSET, and PEXPIRE only when a ring starts a new bucket; per distinct series with a known value
 * ZADD, PEXPIRE when the value is new or a ring starts a new bucket, and (but for a new entity)
 * ZREMRANGEBYSCORE when a ring starts a new bucket, ZCARD when the value is new
 * (ZREMRANGEBYRANK over the cap); and ZCOUNT per distinct window. None of them grows with the
 * number of charges in a window; a charge in the current bucket of an entity's rings whose values
 * were seen before costs HMGET, HSET, ZADD and ZCOUNT.
 */
export const RECORD_ENTITY_LUA = `
local function record_velocity_entity(keys, argv)
  local MAX = 9007199254740991
  local LAST = ${RING_BUCKETS - 1}
  local now = tonumber(argv[1])
  local keep = tonumber(argv[2])
  local cap = tonumber(argv[3])
  local nr = tonumber(argv[4])
  local out = {}
  local function fmt(x) return string.format('%.0f', x) end
  local function clamp(x)
    if x > MAX then return MAX elseif x < -MAX then return -MAX end
    return x
  end
  local function clip(add, total, cur)
    if add > 0 then return math.min(add, MAX - total, MAX - cur) end
    if add < 0 then return math.max(add, -MAX - total, -MAX - cur) end
    return 0
  end
  local a = 5
  -- the entity's keys live one retention plus one bucket of its longest window after their last
  -- refresh; they are refreshed (and distinct values trimmed) when a ring starts a new bucket, so
  -- a charge within the current bucket of every ring costs no PEXPIRE, trim or cap check
  local ttl = keep + math.floor(keep / ${RING_BUCKETS})
  -- moved: a ring starts a new bucket (or the entity has no ring); fresh: the entity's hash is new
  local moved = nr == 0
  local fresh = false
  if nr > 0 then
    local hash = keys[1]
    local rings = {}
    local fields = {}
    for i = 1, nr do
      local id = argv[a]
      local b = math.floor(now / tonumber(argv[a + 1]))
      local slot = id .. ':' .. (b % ${RING_BUCKETS})
      rings[i] = { id = id, b = b, add = tonumber(argv[a + 2]), slot = slot }
      fields[#fields + 1] = id .. ':h'
      fields[#fields + 1] = id .. ':t'
      fields[#fields + 1] = slot
      a = a + 3
    end
    local got = redis.call('HMGET', hash, unpack(fields))
    -- the slots of buckets leaving the window, other than the current slot
    local more = {}
    for i = 1, nr do
      local r = rings[i]
      local h = tonumber(got[3 * i - 2])
      r.total = tonumber(got[3 * i - 1]) or 0
      r.had = got[3 * i] ~= false
      r.cur = tonumber(got[3 * i]) or 0
      if h == nil then
        moved = true
        fresh = true
        r.h = r.b
        r.total = 0
        r.cur = 0
      elseif r.b > h then
        moved = true
        if r.b - h > LAST then
          r.clear = true
        else
          r.first = #more + 1
          for k = h - LAST, r.b - ${RING_BUCKETS + 1} do
            more[#more + 1] = r.id .. ':' .. (k % ${RING_BUCKETS})
          end
          r.last = #more
        end
        r.h = r.b
      else
        r.h = h
      end
    end
    local old = {}
    if #more > 0 then old = redis.call('HMGET', hash, unpack(more)) end
    local dels = {}
    local sets = {}
    for i = 1, nr do
      local r = rings[i]
      if r.clear then
        local current = r.b % ${RING_BUCKETS}
        for s = 0, LAST do
          if s ~= current then dels[#dels + 1] = r.id .. ':' .. s end
        end
        r.total = 0
        r.cur = 0
      elseif r.first then
        -- oldest bucket first, the current slot (bucket b - 60) last
        for j = r.first, r.last do
          if old[j] then
            r.total = clamp(r.total - tonumber(old[j]))
            dels[#dels + 1] = more[j]
          end
        end
        r.total = clamp(r.total - r.cur)
        r.cur = 0
      end
      local value
      if r.b < r.h - LAST then
        -- stamped before the oldest bucket held: not kept, but the charge counts itself
        value = clamp(r.total + r.add)
      else
        local add = clip(r.add, r.total, r.cur)
        r.cur = r.cur + add
        r.total = r.total + add
        value = r.total
        if r.cur ~= 0 then
          sets[#sets + 1] = r.slot
          sets[#sets + 1] = fmt(r.cur)
        elseif r.had then
          dels[#dels + 1] = r.slot
        end
      end
      sets[#sets + 1] = r.id .. ':h'
      sets[#sets + 1] = fmt(r.h)
      sets[#sets + 1] = r.id .. ':t'
      sets[#sets + 1] = fmt(r.total)
      out[#out + 1] = fmt(value)
    end
    if #dels > 0 then redis.call('HDEL', hash, unpack(dels)) end
    redis.call('HSET', hash, unpack(sets))
    if moved then redis.call('PEXPIRE', hash, ttl) end
  end
  local nd = tonumber(argv[a])
  a = a + 1
  for i = 1, nd do
    local key = keys[1 + i]
    local v = argv[a]
    local nw = tonumber(argv[a + 1])
    a = a + 2
    if v ~= '' then
      local added = redis.call('ZADD', key, argv[1], v)
      -- trimmed by age when a ring starts a new bucket, by the cap when a value is new (a new
      -- entity has nothing to trim)
      if moved and not fresh then redis.call('ZREMRANGEBYSCORE', key, '-inf', fmt(now - keep)) end
      if added == 1 and not fresh then
        local n = redis.call('ZCARD', key)
        if n > cap then redis.call('ZREMRANGEBYRANK', key, 0, n - cap - 1) end
      end
      if moved or added == 1 then redis.call('PEXPIRE', key, ttl) end
    end
    for j = a, a + nw - 1 do
      out[#out + 1] = redis.call('ZCOUNT', key, '(' .. fmt(now - tonumber(argv[j])), '+inf')
    end
    a = a + nw
  end
  return out
end
`

/** One entity per call: what the Redis store runs on a Cluster, one call per entity. */
export const RECORD_SCRIPT = `${RECORD_ENTITY_LUA}
return record_velocity_entity(KEYS, ARGV)
`

/**
 * Every entity of a charge in one call: one round trip per charge. Standalone Redis only: on a
 * Cluster the entities' keys live in different slots.
 *
 * KEYS      every entity's keys, entity after entity, as entityCall gives them
 * ARGV      number of entities, then per entity: its number of keys, its number of arguments,
 *           its arguments as entityCall gives them
 *
 * Returns one record_velocity_entity result per entity, in order.
 */
export const RECORD_MANY_SCRIPT = `${RECORD_ENTITY_LUA}
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
  results[e] = record_velocity_entity(keys, args)
end
return results
`

export interface EntityCallOptions {
  /** the most values a distinct series keeps (default DEFAULT_MAX_DISTINCT_PER_SERIES) */
  maxDistinctPerSeries?: number
}

/** The keys and arguments of record_velocity_entity for one entity (layout above). */
export function entityCall (prefix: string, op: EntityOp, options: EntityCallOptions = {}): { keys: string[], args: string[] } {
  const keys = [entityHashKey(prefix, op.entity)]
  const args = [
    String(op.atMs), String(op.retentionMs),
    String(options.maxDistinctPerSeries ?? DEFAULT_MAX_DISTINCT_PER_SERIES), String(op.rings.length)
  ]
  for (const r of op.rings) args.push(r.id, String(r.widthMs), String(r.add))
  args.push(String(op.distinct.length))
  for (const d of op.distinct) {
    keys.push(distinctKey(prefix, op.entity, d.of))
    args.push(d.value, String(d.windows.length))
    for (const w of d.windows) args.push(String(w.windowMs))
  }
  return { keys, args }
}
