/**
 * The merchant webhook delivery queue's Lua scripts (Redis 6.0 commands only). Every script is
 * given all six keys of the queue, which share one hash tag (one Redis Cluster slot):
 *
 *   KEYS[1] b  hash: event id -> the event's JSON body, exactly as sent
 *   KEYS[2] m  hash: event id -> `<type>|<decision id>|<created ms>|<failures>|<claims>`
 *   KEYS[3] d  sorted set: the events that are due, by time due (or by the end of their lease
 *              while claimed); only the first waiting event of each decision is in it
 *   KEYS[4] c  hash: decision id -> its waiting event ids in order, space-separated
 *   KEYS[5] s  sorted set: `<decision id>:<type>` of every event queued, by when (trimmed after
 *              the TTL): a resent event is a duplicate, and a review.closed knows its review.opened
 *   KEYS[6] a  sorted set: event id -> created ms (depth and the oldest event's age)
 * Times are the callers' clocks (epoch ms, integer text).
 */

const META = `
local function rg_meta(v)
  return string.match(v, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
end
`

/**
 * ARGV: now, seen TTL ms, opened wait ms, then per event: id, type, decision id, created ms, body.
 * One result per event: 1 queued, 0 duplicate, 2 waiting (a review.closed whose review.opened
 * was not queued yet, made less than the opened wait ago), 3 superseded (a review.opened that
 * came after its decision's review.closed: never sent, it would tell to hold a closed review).
 */
export const ENQUEUE_SCRIPT = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', '(' .. (now - tonumber(ARGV[2])))
local out = {}
for i = 4, #ARGV, 5 do
  local id, kind, decision, created, body = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local mark = decision .. ':' .. kind
  if redis.call('HEXISTS', KEYS[2], id) == 1 or redis.call('ZSCORE', KEYS[5], mark) then
    out[#out + 1] = 0
  elseif kind == 'review.opened' and redis.call('ZSCORE', KEYS[5], decision .. ':review.closed') then
    out[#out + 1] = 3
  elseif kind == 'review.closed' and not redis.call('ZSCORE', KEYS[5], decision .. ':review.opened')
      and now < tonumber(created) + tonumber(ARGV[3]) then
    out[#out + 1] = 2
  else
    redis.call('ZADD', KEYS[5], ARGV[1], mark)
    redis.call('HSET', KEYS[1], id, body)
    redis.call('HSET', KEYS[2], id, kind .. '|' .. decision .. '|' .. created .. '|0|0')
    redis.call('ZADD', KEYS[6], created, id)
    local chain = redis.call('HGET', KEYS[4], decision)
    if chain then
      redis.call('HSET', KEYS[4], decision, chain .. ' ' .. id)
    else
      redis.call('HSET', KEYS[4], decision, id)
      redis.call('ZADD', KEYS[3], ARGV[1], id)
    end
    out[#out + 1] = 1
  end
end
return out
`

/**
 * ARGV: now, lease end, max. Per claimed event: {id, type, decision id, created ms, failures,
 * claims (the claim's token), body}. A claim moves the event's due time to the end of its lease.
 */
export const CLAIM_SCRIPT = `${META}
local ids = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('HGET', KEYS[2], id)
  if v then
    local kind, decision, created, failures, claims = rg_meta(v)
    claims = tostring(tonumber(claims) + 1)
    redis.call('HSET', KEYS[2], id, kind .. '|' .. decision .. '|' .. created .. '|' .. failures .. '|' .. claims)
    redis.call('ZADD', KEYS[3], ARGV[2], id)
    out[#out + 1] = {id, kind, decision, created, failures, claims, redis.call('HGET', KEYS[1], id) or ''}
  else
    redis.call('ZREM', KEYS[3], id)
  end
end
return out
`

/**
 * Settles a claim, if it still holds (its token is the event's latest claim). ARGV: event id,
 * token, `retry` or `remove`, time (retry: when due again; remove: now, when the decision's next
 * event is due), failures (retry). 1 when settled, 0 when the claim no longer held.
 */
export const SETTLE_SCRIPT = `${META}
local id = ARGV[1]
local v = redis.call('HGET', KEYS[2], id)
if not v then return 0 end
local kind, decision, created, failures, claims = rg_meta(v)
if claims ~= ARGV[2] then return 0 end
if ARGV[3] == 'retry' then
  redis.call('HSET', KEYS[2], id, kind .. '|' .. decision .. '|' .. created .. '|' .. ARGV[5] .. '|' .. claims)
  redis.call('ZADD', KEYS[3], ARGV[4], id)
  return 1
end
redis.call('HDEL', KEYS[1], id)
redis.call('HDEL', KEYS[2], id)
redis.call('ZREM', KEYS[3], id)
redis.call('ZREM', KEYS[6], id)
local chain = redis.call('HGET', KEYS[4], decision)
if chain then
  local rest = {}
  for other in string.gmatch(chain, '%S+') do
    if other ~= id then rest[#rest + 1] = other end
  end
  if #rest == 0 then
    redis.call('HDEL', KEYS[4], decision)
  else
    redis.call('HSET', KEYS[4], decision, table.concat(rest, ' '))
    redis.call('ZADD', KEYS[3], 'NX', ARGV[4], rest[1])
  end
end
return 1
`
