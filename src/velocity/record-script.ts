import type { EntityOp, RingOp } from './entity-op.js'
import { distinctKey, entityHashKey } from './redis-keys.js'
import { bucketOf } from './ring.js'
import { DEFAULT_MAX_DISTINCT_PER_SERIES, RING_BUCKETS } from './store.js'

export { assignResults } from './entity-op.js'

/**
 * The Lua source of `local function record_velocity_entity(K, A, k, a, now, cap, out)`: records
 * one charge for one entity, appends the entity's values to the list out, and returns where the
 * next entity's keys and arguments start; its keys are K[k], K[k + 1]... and its arguments A[a],
 * A[a + 1]... (read in place: a script of several entities copies nothing, and its values go to
 * one list). `now` is the charge's time t (epoch ms, integer text) and `cap` the most values a
 * distinct series keeps (text): the same for every entity of a charge, so a call passes them
 * once, not once per entity. It touches only the keys it is given, which share the entity's hash
 * tag (so it runs on Redis Cluster), and only commands Redis 6.0 has.
 * `record_velocity_entities(K, A, k, a, now, cap, results)` records every entity of a charge laid
 * out as RECORD_MANY_SCRIPT takes them: a bigger script (an idempotency reservation first, then
 * every entity of the charge) can include this source and call it.
 *
 * Below, keys[i] stands for K[k + i - 1] and argv[j] for A[a + j - 1].
 *
 * keys[1]     the entity's hash: every ring (a count window, or a window of a sum series) of the
 *             entity, as fields `<ring>:h` (head: the newest bucket index), `<ring>:t` (total) and
 *             `<ring>:<slot>` (bucket b lives in slot b % 60; only non-zero buckets are stored),
 *             where <ring> is `c<windowMs>` for a count and `s<windowMs>:<path>` for a sum
 * keys[1 + i]  the sorted set of the entity's i-th distinct series: member = value digest,
 *             score = time it was last seen (ms)
 * argv[1]     how long a key lives after its last refresh (ms): the entity's retention (its
 *             longest window) plus one bucket of that window (retention / 60)
 * argv[2]     t - retention: distinct values last seen at or before it are removed
 * argv[3]     R, the number of rings; then, ring after ring, the ring's fields `<ring>:h`,
 *               `<ring>:t` and `<ring>:<slot>` of the charge's bucket b = floor(t / r) (r: the
 *               ring's bucket width in ms, windowMs / 60; slot: b % 60); then each ring's bucket
 *               b; then what the charge adds to each (integer: 1 for a count, the value for a sum,
 *               0 when the value is unknown). The field names are the caller's (ringFields),
 *               read in place by one HMGET: made in Lua, each would cost Redis a new string, and
 *               their list a table
 * argv[4+5R]  D, the number of distinct series; then D times:
 *               value digest ('' = unknown: read without adding), n windows, then per window
 *               `(<t - window>` (the exclusive lower bound of its ZCOUNT)
 * Times and bounds are computed by the client and passed as text: Lua converts numbers to text
 * and back with printf and strtod, which would cost more than the rest of the script.
 *
 * Appends the R ring values, then the D series' window counts, in argv order: integers, or
 * decimal strings for values of 1e14 and more (the client's integer parser is not exact near
 * 2^53).
 *
 * Keys are refreshed (PEXPIRE) and distinct values trimmed when a ring of the entity starts a new
 * bucket (or the entity has no ring), and a distinct series' key when it gains a value: a key
 * refreshed less than one bucket ago still lives longer than the retention.
 *
 * Commands per call: with rings, HMGET (head, total and current slot of every ring); then, when
 * every ring's head is the charge's bucket (and no value is near the clamp), HINCRBY of the total
 * and of the bucket per ring that adds something (Redis adds: no number is converted in Lua);
 * otherwise a second HMGET only when a ring's head moves 2..59 buckets forward, HDEL only when
 * buckets are cleared, HSET, and PEXPIRE only when a ring starts a new bucket; per distinct series with a known value
 * ZADD, PEXPIRE when the value is new or a ring starts a new bucket, and (but for a new entity)
 * ZREMRANGEBYSCORE when a ring starts a new bucket, ZCARD when the value is new
 * (ZREMRANGEBYRANK over the cap); and ZCOUNT per distinct window. None of them grows with the
 * number of charges in a window; a charge in the current bucket of an entity's rings whose values
 * were seen before costs HMGET, two HINCRBY per ring, ZADD and ZCOUNT.
 */
export const RECORD_ENTITY_LUA = `
local MAX = 9007199254740991
local LAST = ${RING_BUCKETS - 1}
-- integers as decimal text: tostring is exact below 1e14 and shorter to run than a format
local function fmt(x)
  if x < 1e14 and x > -1e14 then return tostring(x) end
  return string.format('%.0f', x)
end
local function clamp(x)
  if x > MAX then return MAX elseif x < -MAX then return -MAX end
  return x
end

-- a reply value: an integer, or text from 1e14 on
local function reply(x)
  if x < 1e14 and x > -1e14 then return x end
  return string.format('%.0f', x)
end

-- the rings of an entity when the fast path of record_velocity_entity does not apply: a ring
-- starts a new bucket (or is new, or a charge is stamped in an older bucket), or a value is near
-- the clamp. got is the HMGET of fields (head, total, current slot of every ring). Fills
-- out[base + 1..base + nr];
-- returns moved (a ring started a new bucket) and fresh (the entity's hash is new)
local function record_rings(hash, A, r, nr, got, out, base)
  local moved, fresh = false, false
  local bs, adds, hs, heads, totals, curs = {}, {}, {}, {}, {}, {}
  -- the slots of buckets leaving the window (other than the current slot), read in one HMGET
  local more = nil
  local firsts, lasts = {}, {}
  local dels = nil
  for i = 1, nr do
    local j = r + 3 * i - 3
    -- the ring's name: its head field's, without ':h'
    local id = string.sub(A[j], 1, -3)
    local b = tonumber(A[r + 3 * nr + i - 1])
    bs[i] = b
    adds[i] = tonumber(A[r + 4 * nr + i - 1])
    local h = tonumber(got[3 * i - 2])
    heads[i] = h
    totals[i] = tonumber(got[3 * i - 1]) or 0
    curs[i] = tonumber(got[3 * i]) or 0
    if h == nil then
      moved = true
      fresh = true
      h = b
      totals[i] = 0
      curs[i] = 0
    elseif b > h then
      moved = true
      if b - h > LAST then
        -- idle for a whole window: every other slot goes
        dels = dels or {}
        local current = string.sub(A[j + 2], #id + 2)
        for sl = 0, LAST do
          local name = tostring(sl)
          if name ~= current then dels[#dels + 1] = id .. ':' .. name end
        end
        totals[i] = 0
        curs[i] = 0
      else
        more = more or {}
        firsts[i] = #more + 1
        for kk = h - LAST, b - ${RING_BUCKETS + 1} do more[#more + 1] = id .. ':' .. (kk % ${RING_BUCKETS}) end
        lasts[i] = #more
      end
      h = b
    end
    hs[i] = h
  end
  local old = nil
  if more ~= nil and #more > 0 then old = redis.call('HMGET', hash, unpack(more)) end
  local sets = {}
  local n = 0
  for i = 1, nr do
    local j = r + 3 * i - 3
    local b, add, h = bs[i], adds[i], hs[i]
    local total, cur = totals[i], curs[i]
    if firsts[i] ~= nil then
      -- oldest bucket first, the current slot (bucket b - 60) last
      for q = firsts[i], lasts[i] do
        if old[q] then
          total = clamp(total - tonumber(old[q]))
          dels = dels or {}
          dels[#dels + 1] = more[q]
        end
      end
      total = clamp(total - cur)
      cur = 0
    end
    local value
    if b < h - LAST then
      -- stamped before the oldest bucket held: not kept, but the charge counts itself
      value = clamp(total + add)
    else
      -- what can be added without passing +-MAX in the bucket or the total
      if add > 0 then add = math.min(add, MAX - total, MAX - cur) elseif add < 0 then add = math.max(add, -MAX - total, -MAX - cur) end
      cur = cur + add
      total = total + add
      value = total
      if cur ~= 0 then
        sets[n + 1] = A[j + 2]
        sets[n + 2] = fmt(cur)
        n = n + 2
      elseif got[3 * i] then
        dels = dels or {}
        dels[#dels + 1] = A[j + 2]
      end
    end
    if h ~= heads[i] then
      -- h is b here: its text as the client wrote it
      sets[n + 1] = A[j]
      sets[n + 2] = A[r + 3 * nr + i - 1]
      n = n + 2
    end
    sets[n + 1] = A[j + 1]
    sets[n + 2] = fmt(total)
    n = n + 2
    out[base + i] = reply(value)
  end
  if dels ~= nil and #dels > 0 then redis.call('HDEL', hash, unpack(dels)) end
  redis.call('HSET', hash, unpack(sets))
  return moved, fresh
end

local function record_velocity_entity(K, A, k, a, nowText, capText, out)
  local ttl = A[a]
  local cutoff = A[a + 1]
  -- counts (of rings, series, windows, entities) are one digit, usually, read as its byte:
  -- tonumber parses a floating-point number (strtod), and a Lua function costs about as much
  local w = A[a + 2]
  local nr = #w == 1 and string.byte(w) - 48 or tonumber(w)
  -- the entity's values follow what out holds
  local base = #out
  -- the rings' arguments start at r: their fields, three a ring, then their buckets, then what
  -- the charge adds to each
  local r = a + 3
  a = r + 5 * nr
  -- keys are refreshed (and distinct values trimmed) when a ring starts a new bucket, so a
  -- charge within the current bucket of every ring costs no PEXPIRE, trim or cap check
  -- moved: a ring starts a new bucket (or the entity has no ring); fresh: the entity's hash is new
  local moved = nr == 0
  local fresh = false
  if nr > 0 then
    local hash = K[k]
    -- the fields of every ring, as the caller named them, read in place
    local got = redis.call('HMGET', hash, unpack(A, r, r + 3 * nr - 1))
    -- the fast path, a charge in the newest bucket of every ring: the head's text is the charge's
    -- bucket, and the total, the bucket and what is added have at most 14 characters (within
    -- +-1e14: their sum cannot reach the clamp), so Redis adds them (HINCRBY) and Lua converts
    -- no number to text or back
    local fast = true
    for i = 1, nr do
      local total, cur = got[3 * i - 1], got[3 * i]
      if got[3 * i - 2] ~= A[r + 3 * nr + i - 1] or not total or #total > 14 or (cur and #cur > 14) or #A[r + 4 * nr + i - 1] > 14 then
        fast = false
        break
      end
    end
    if fast then
      for i = 1, nr do
        local add = A[r + 4 * nr + i - 1]
        if add == '0' then
          out[base + i] = tonumber(got[3 * i - 1])
        else
          out[base + i] = redis.call('HINCRBY', hash, A[r + 3 * i - 2], add)
          -- only non-zero buckets are kept
          local slot = A[r + 3 * i - 1]
          if redis.call('HINCRBY', hash, slot, add) == 0 then redis.call('HDEL', hash, slot) end
        end
      end
    else
      moved, fresh = record_rings(hash, A, r, nr, got, out, base)
      if moved then redis.call('PEXPIRE', hash, ttl) end
    end
  end
  w = A[a]
  local nd = #w == 1 and string.byte(w) - 48 or tonumber(w)
  a = a + 1
  for i = 1, nd do
    local key = K[k + i]
    local v = A[a]
    w = A[a + 1]
    local nw = #w == 1 and string.byte(w) - 48 or tonumber(w)
    a = a + 2
    if v ~= '' then
      local added = redis.call('ZADD', key, nowText, v)
      -- trimmed by age when a ring starts a new bucket, by the cap when a value is new (a new
      -- entity has nothing to trim)
      if moved and not fresh then redis.call('ZREMRANGEBYSCORE', key, '-inf', cutoff) end
      if added == 1 and not fresh then
        local count = redis.call('ZCARD', key)
        local cap = tonumber(capText)
        if count > cap then redis.call('ZREMRANGEBYRANK', key, 0, count - cap - 1) end
      end
      if moved or added == 1 then redis.call('PEXPIRE', key, ttl) end
    end
    for j = a, a + nw - 1 do
      out[#out + 1] = redis.call('ZCOUNT', key, A[j], '+inf')
    end
    a = a + nw
  end
  -- and where the next entity's keys and arguments start
  return k + 1 + nd, a
end

-- every entity of a charge: A[a] is their number, then each entity's arguments, one entity after
-- another; their keys follow each other from K[k] (each entity's call says where the next one's
-- start). Each entity's values are appended to the list results, entity after entity: one flat
-- reply (a reply of nested lists costs Redis a conversion per list, about 3% of the scoring script)
local function record_velocity_entities(K, A, k, a, now, cap, results)
  local w = A[a]
  -- a one-digit count read as its byte (record_velocity_entity)
  local ne = #w == 1 and string.byte(w) - 48 or tonumber(w)
  a = a + 1
  for _ = 1, ne do k, a = record_velocity_entity(K, A, k, a, now, cap, results) end
  return results
end
`

/**
 * One entity per call: what the Redis store runs on a Cluster, one call per entity.
 *
 * KEYS      the entity's keys, as entityCall gives them
 * ARGV      the charge's time, the cap of a distinct series, then the entity's arguments, as
 *           entityCall gives them
 */
export const RECORD_SCRIPT = `${RECORD_ENTITY_LUA}
local values = {}
record_velocity_entity(KEYS, ARGV, 1, 3, ARGV[1], ARGV[2], values)
return values
`

/**
 * Every entity of a charge in one call: one round trip per charge. Standalone Redis only: on a
 * Cluster the entities' keys live in different slots.
 *
 * KEYS      every entity's keys, entity after entity, as pushEntityCalls gives them
 * ARGV      the charge's time, then what pushEntityCalls gives: the cap of a distinct series, the
 *           number of entities, then every entity's arguments, entity after entity (each
 *           entity's own counts say where the next one starts)
 *
 * Returns the values of every entity, entity after entity, in one list: each entity's as
 * record_velocity_entity returns them (assignResults reads them from its offset).
 */
export const RECORD_MANY_SCRIPT = `${RECORD_ENTITY_LUA}
return record_velocity_entities(KEYS, ARGV, 1, 3, ARGV[1], ARGV[2], {})
`

export interface EntityCallOptions {
  /** the most values a distinct series keeps (default DEFAULT_MAX_DISTINCT_PER_SERIES) */
  maxDistinctPerSeries?: number
}

/** A ring's field names in its entity's hash (layout above), made once per ring name. */
interface RingFields {
  head: string
  total: string
  /** by slot, 0 to RING_BUCKETS - 1 */
  slots: readonly string[]
}

/** by ring name: the rule sets' windows and sum paths, a few dozen at most */
const ringFieldsById = new Map<string, RingFields>()

function ringFields (ring: RingOp): RingFields {
  let fields = ringFieldsById.get(ring.id)
  if (fields === undefined) {
    const id = ring.id
    fields = { head: `${id}:h`, total: `${id}:t`, slots: Array.from({ length: RING_BUCKETS }, (_, slot) => `${id}:${slot}`) }
    ringFieldsById.set(id, fields)
  }
  return fields
}

/** The keys and arguments of RECORD_SCRIPT for one entity: the charge's time, the cap, the entity's (layout above). */
export function entityCall (prefix: string, op: EntityOp, options: EntityCallOptions = {}): { keys: string[], args: string[] } {
  const keys: string[] = []
  const args: string[] = [String(op.atMs), capWord(options)]
  pushEntityCall(prefix, op, keys, args)
  return { keys, args }
}

function capWord (options: EntityCallOptions): string {
  return String(options.maxDistinctPerSeries ?? DEFAULT_MAX_DISTINCT_PER_SERIES)
}

/** one entity's keys and arguments (layout above) appended to a call's own */
function pushEntityCall (prefix: string, op: EntityOp, keys: string[], args: string[]): void {
  keys.push(entityHashKey(prefix, op.entity))
  args.push(String(op.retentionMs + Math.floor(op.retentionMs / RING_BUCKETS)), String(op.atMs - op.retentionMs), String(op.rings.length))
  // the rings' fields (ring after ring), then their buckets, then what the charge adds to each
  for (const r of op.rings) {
    const b = bucketOf(op.atMs, r.widthMs)
    const fields = ringFields(r)
    args.push(fields.head, fields.total, fields.slots[((b % RING_BUCKETS) + RING_BUCKETS) % RING_BUCKETS] as string)
  }
  for (const r of op.rings) args.push(String(bucketOf(op.atMs, r.widthMs)))
  for (const r of op.rings) args.push(String(r.add))
  args.push(String(op.distinct.length))
  for (const d of op.distinct) {
    keys.push(distinctKey(prefix, op.entity, d.of))
    args.push(d.value, String(d.windows.length))
    for (const w of d.windows) args.push(`(${op.atMs - w.windowMs}`)
  }
}

/**
 * Appends every entity of a charge to a call's keys and arguments as record_velocity_entities
 * reads them (RECORD_MANY_SCRIPT, and the scoring script after its reservation's arguments): the
 * cap of a distinct series, the number of entities, then each entity's arguments; the keys one
 * entity after another. The charge's time is the call's own word (each script says where).
 */
export function pushEntityCalls (prefix: string, ops: readonly EntityOp[], options: EntityCallOptions, keys: string[], args: string[]): void {
  args.push(capWord(options), String(ops.length))
  for (const op of ops) pushEntityCall(prefix, op, keys, args)
}
