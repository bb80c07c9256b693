/**
 * Paged sorted sets: how the decision log's kind and rule indexes were kept before text pages
 * (text-pages.ts), read beside them and trimmed until empty; and the directory that text pages
 * share with them.
 *
 * A paged set `D` is a directory and pages:
 *   D          a sorted set: page name -> the page's lower bound (a score)
 *   D:<name>   a page: a small sorted set of members by score (Redis keeps it packed)
 * The pages split the scores into ranges: a page holds the scores from its bound up to the next
 * page's bound (a member below the first page's bound lowers it). All members of one score are in
 * one page, so a position (score, member) is in the page of its score. Read in the directory's
 * order, the pages give the members in the order one sorted set would: by score, then member. A
 * page emptied by trimming leaves the directory (Redis deletes an empty sorted set). A new page is
 * named by its bound, with `+` appended while a key of that name exists.
 *
 * Nothing adds to a paged set any more: a sorted-set page cost Redis a search of its packed list
 * and an insert a member, where a text page costs an APPEND (docs/performance.md). The tests keep
 * the earlier writer (test/helpers/paged-set-writer.ts) to build what it left.
 *
 * The functions run inside the log's scripts; every key they touch is built from the directory's
 * name, which carries the partition's hash tag, so they stay in the partition's slot.
 */

/** Lua functions over paged sets (needs nothing else of the scripts) */
export const PAGED_LUA = `
-- the name of the page whose range holds score s: the last with a bound at or below s, or the
-- first (nothing is below it), then true: s is below every page's bound
local function paged_page_at (d, s)
  local p = redis.call('ZREVRANGEBYSCORE', d, s, '-inf', 'LIMIT', '0', '1')[1]
  if p then return p, false end
  return redis.call('ZRANGE', d, '0', '0')[1], true
end

-- at most n members of sorted set key with their scores, from near to far (both range bounds as
-- ZRANGEBYSCORE takes them), newest first when desc
local function paged_range (key, desc, near, far, n)
  if desc then return redis.call('ZREVRANGEBYSCORE', key, near, far, 'WITHSCORES', 'LIMIT', 0, n) end
  return redis.call('ZRANGEBYSCORE', key, near, far, 'WITHSCORES', 'LIMIT', 0, n)
end

-- the list of members held for page p (a new one is named in names, in order)
local function paged_held (pages, names, p)
  local held = pages[p]
  if not held then
    held = {}
    pages[p] = held
    names[#names + 1] = p
  end
  return held
end

-- the members of sorted set key at time posMs past member posField, in the direction (newest
-- first when desc), appended to out as member, time
local function paged_same_time (key, posMs, posField, desc, out)
  local same = redis.call('ZRANGEBYSCORE', key, posMs, posMs)
  if desc then
    for j = #same, 1, -1 do if same[j] < posField then out[#out + 1] = same[j]; out[#out + 1] = posMs end end
  else
    for j = 1, #same do if same[j] > posField then out[#out + 1] = same[j]; out[#out + 1] = posMs end end
  end
end

-- a name for a new page of d bounded at lo (lo as Redis writes scores), no key of which exists
local function paged_new_name (d, lo)
  local name = lo
  while redis.call('EXISTS', d .. ':' .. name) == 1 do name = name .. '+' end
  return name
end

-- removes members (score, member, score, member...) from paged set d; a page left empty leaves the
-- directory. nums, when given, holds each score as a number (score, score...: list's layout)
local function paged_remove (d, list, nums)
  -- most are the oldest: in the first page, below the second page's bound
  local head = redis.call('ZRANGE', d, 0, 1, 'WITHSCORES')
  if not head[1] then return end
  local hi = head[4] and tonumber(head[4])
  local pages, names = {}, {}
  for j = 1, #list, 2 do
    local s = list[j]
    local p = head[1]
    if hi and (nums and nums[j] or tonumber(s)) >= hi then p = paged_page_at(d, s) end
    local held = paged_held(pages, names, p)
    held[#held + 1] = list[j + 1]
  end
  for _, p in ipairs(names) do
    local key = d .. ':' .. p
    redis.call('ZREM', key, unpack(pages[p]))
    if redis.call('EXISTS', key) == 0 then redis.call('ZREM', d, p) end
  end
end

-- the bound of a range as a number ('(' dropped), or nil for an infinite one
local function paged_bound (b)
  if b == '-inf' or b == '+inf' then return nil end
  return tonumber((string.gsub(b, '^%(', '')))
end

-- the page of directory d a read starts in: the page of time posMs, or when posMs is '' the last
-- page (desc) or the first; nil when d holds none
local function paged_first (d, desc, posMs)
  if posMs ~= '' then return paged_page_at(d, posMs) end
  if desc then return redis.call('ZREVRANGE', d, '0', '0')[1] end
  return redis.call('ZRANGE', d, '0', '0')[1]
end

-- the page of directory d after page p in the direction (the one before it when desc), or nil
-- when none is left or the next holds only scores past far (a number, or nil for no bound)
local function paged_next (d, p, desc, far)
  local lo = redis.call('ZSCORE', d, p)
  if not lo then return nil end
  if desc then
    -- the pages before hold only scores below this page's bound
    if far and tonumber(lo) <= far then return nil end
    return redis.call('ZREVRANGEBYSCORE', d, '(' .. lo, '-inf', 'LIMIT', '0', '1')[1]
  end
  local after = redis.call('ZRANGEBYSCORE', d, '(' .. lo, '+inf', 'WITHSCORES', 'LIMIT', '0', '1')
  if after[1] and far and tonumber(after[2]) > far then return nil end
  return after[1]
end

-- Members of paged set d from a position (posMs, posField; '' to start at the near end) in the
-- direction ('d' newest first), to the far bound: those of the position's time past its member,
-- then at most count of later times. Returns a flat list {member, score...} and whether nothing is
-- left past them.
local function paged_read (d, desc, bound, posMs, posField, count)
  local members = {}
  local p = paged_first(d, desc, posMs)
  if not p then return members, true end
  local near = desc and '+inf' or '-inf'
  local far = paged_bound(bound)
  if posMs ~= '' then
    near = '(' .. posMs
    -- the position's time is within the bound (when an earlier read gave it, always)
    local pos, open = tonumber(posMs), string.sub(bound, 1, 1) == '('
    if far and ((desc and (pos < far or (open and pos == far))) or (not desc and (pos > far or (open and pos == far)))) then return members, true end
    paged_same_time(d .. ':' .. p, posMs, posField, desc, members)
  end
  local got = 0
  while p do
    local key = d .. ':' .. p
    local more = paged_range(key, desc, near, bound, count - got)
    for j = 1, #more do members[#members + 1] = more[j] end
    got = got + #more / 2
    if got >= count then return members, false end
    p = paged_next(d, p, desc, far)
    near = desc and '+inf' or '-inf'
  end
  return members, true
end
`
