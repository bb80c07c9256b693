/**
 * Paged sorted sets: one index of the decision log (records by decision kind, by fired rule) kept
 * as many small sorted sets instead of one large one, in the same order.
 *
 * Redis keeps a sorted set of at most `zset-max-listpack-entries` members (128 by default) of at
 * most 64 bytes as one packed list: about 36 bytes a member of 22 characters and a time. Past that
 * bound the set becomes a skip list and a hash table: about 120 bytes a member (both measured with
 * `MEMORY USAGE` on Redis 7.0: 100,000 members in one set, and 1,000 sets of 100). An index of the
 * log holds one member per record, or per fired rule of a record, so it is the bulk of what the log
 * costs beside the records themselves.
 *
 * A paged set `D` is a directory and pages:
 *   D          a sorted set: page name -> the page's lower bound (a score)
 *   D:<name>   a page: a sorted set of members by score, about PAGE_MAX members (at most twice)
 * The pages split the scores into ranges: a page holds the scores from its bound up to the next
 * page's bound (a member below the first page's bound lowers it). All members of one score are in
 * one page (a page is never split between two members of the same score), so a position (score,
 * member) is in the page of its score. Read in the directory's order, the pages give the members
 * in the order one sorted set would: by score, then member.
 *
 * Adds go to the page of their score: usually the last page, since records arrive nearly in time
 * order, in one ZADD while it has room. Once the last page holds PAGE_MAX members, a member past
 * its highest score starts a new last page, so pages fill up as the log appends. A page that a
 * late member would take past twice PAGE_MAX is rewritten as several of even size instead (a
 * sorted set that once grew past Redis's bound stays unpacked, even when it shrinks again). A page
 * emptied by trimming leaves the directory (Redis deletes an empty sorted set). A new page is
 * named by its bound, with `+` appended while a key of that name exists.
 *
 * The functions run inside the log's scripts; every key they touch is built from the directory's
 * name, which carries the partition's hash tag, so they stay in the partition's slot.
 */

/**
 * The members of a page before the log starts a new one. A page may grow to twice as many (a
 * record that arrives late goes to the page of its time) before it is rewritten as several,
 * within 128, Redis's default `zset-max-listpack-entries`. Redis finds a packed set's place by
 * scanning it, so smaller pages cost less to insert into, and a page costs a key. Replaying the
 * append calls captured under the bench's load (bench/redis-script-replay.ts, redis-server under
 * `valgrind --tool=callgrind`, 2026-12-06): 6.09 G instructions and 1,699 bytes a record with
 * pages of 64, 5.75 G and 1,722 bytes with 32, 5.79 G and 1,751 with 16; one sorted set per
 * index, 4.67 G and 2,089 bytes.
 */
export const PAGE_MAX = 32

/** Lua functions over paged sets (needs nothing else of the scripts) */
export const PAGED_LUA = `
-- the name of the page whose range holds score s: the last with a bound at or below s, or the
-- first (nothing is below it), then true: s is below every page's bound
local function paged_page_at (d, s)
  local p = redis.call('ZREVRANGEBYSCORE', d, s, '-inf', 'LIMIT', 0, 1)[1]
  if p then return p, false end
  return redis.call('ZRANGE', d, 0, 0)[1], true
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

-- Rewrites page p of d with members held (score, member, score, member...) added, as pages of at
-- most page_max members each (cut only between two scores, into pages of even size); the first
-- keeps p's name and bound. For a page the adds would take past twice page_max (within Redis's
-- packed bound for the log's PAGE_MAX): past that bound Redis would unpack it for good.
local function paged_rewrite (d, p, held, page_max, ttl)
  local key = d .. ':' .. p
  local all = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  local entries, seen = {}, {}
  for j = 1, #all, 2 do
    seen[all[j]] = true
    entries[#entries + 1] = {tonumber(all[j + 1]), all[j + 1], all[j]}
  end
  for j = 1, #held, 2 do
    if not seen[held[j + 1]] then
      seen[held[j + 1]] = true
      entries[#entries + 1] = {tonumber(held[j]), held[j], held[j + 1]}
    end
  end
  table.sort(entries, function (a, b)
    if a[1] ~= b[1] then return a[1] < b[1] end
    return a[3] < b[3]
  end)
  local limit = math.ceil(#entries / math.ceil(#entries / page_max))
  local chunks, cur = {}, {}
  for _, e in ipairs(entries) do
    if #cur >= limit then
      -- a cut before e, or before the members of e's score when the page holds others too
      local r = #cur + 1
      while r > 1 and cur[r - 1][1] == e[1] do r = r - 1 end
      if r > 1 then
        local nxt = {}
        for k = r, #cur do nxt[#nxt + 1] = cur[k] end
        for _ = r, #cur do cur[#cur] = nil end
        chunks[#chunks + 1] = cur
        cur = nxt
      end
    end
    cur[#cur + 1] = e
  end
  chunks[#chunks + 1] = cur
  redis.call('DEL', key)
  for c, chunk in ipairs(chunks) do
    local name = p
    if c > 1 then name = paged_new_name(d, chunk[1][2]) end
    local args = {}
    for _, e in ipairs(chunk) do
      args[#args + 1] = e[2]
      args[#args + 1] = e[3]
    end
    local ck = d .. ':' .. name
    for j = 1, #args, 512 do redis.call('ZADD', ck, unpack(args, j, math.min(j + 511, #args))) end
    redis.call('PEXPIRE', ck, ttl)
    if c > 1 then redis.call('ZADD', d, chunk[1][2], name) end
  end
end

-- adds list's members (score, member, score, member...) to paged set d; every page written and d
-- get the TTL. The log appends: members past the last page's highest score start a new last page
-- once it holds page_max. Others go to the page of their score, rewritten if they would take it
-- past twice page_max. low, when given, is the lowest of list's scores as a number (the caller
-- knows it: tonumber costs a strtod a member)
local function paged_add (d, list, page_max, ttl, low)
  local top = redis.call('ZREVRANGE', d, 0, 0, 'WITHSCORES')
  local last, last_lo = top[1], top[2] and tonumber(top[2])
  if last then
    -- the usual case: all in the last page's range, and room for them there: one ZADD
    if not low then
      low = tonumber(list[1])
      for j = 3, #list, 2 do
        local sc = tonumber(list[j])
        if sc < low then low = sc end
      end
    end
    if low >= last_lo then
      local key = d .. ':' .. last
      if redis.call('ZCARD', key) + #list / 2 <= page_max then
        for j = 1, #list, 512 do redis.call('ZADD', key, unpack(list, j, math.min(j + 511, #list))) end
        redis.call('PEXPIRE', key, ttl)
        redis.call('PEXPIRE', d, ttl)
        return
      end
    end
  end
  -- the last page's size, read when first needed, and the highest score added to it; its highest
  -- score before the adds, read when a page is full; the size of each page before the adds, where known
  local last_n, last_max, last_read
  local pages, names, known = {}, {}, {}
  for j = 1, #list, 2 do
    local st = list[j]
    local sc = tonumber(st)
    local p
    if not last then
      last = paged_new_name(d, st)
      redis.call('ZADD', d, st, last)
      last_lo, last_n, last_read = sc, 0, true
      known[last] = 0
    end
    if sc >= last_lo then
      if not last_n then
        last_n = redis.call('ZCARD', d .. ':' .. last)
        known[last] = last_n
      end
      if last_n >= page_max and (not last_max or sc > last_max) then
        if not last_read then
          local high = redis.call('ZREVRANGE', d .. ':' .. last, 0, 0, 'WITHSCORES')[2]
          if high and (not last_max or tonumber(high) > last_max) then last_max = tonumber(high) end
          last_read = true
        end
        if not last_max or sc > last_max then
          -- a new last page, bounded by this score
          local name = paged_new_name(d, st)
          redis.call('ZADD', d, st, name)
          last, last_lo, last_n, last_max = name, sc, 0, nil
          known[name] = 0
        end
      end
      p = last
      last_n = last_n + 1
      if not last_max or sc > last_max then last_max = sc end
    else
      local below
      p, below = paged_page_at(d, st)
      -- below every page: the first page's bound comes down to it
      if below then redis.call('ZADD', d, st, p) end
    end
    local held = paged_held(pages, names, p)
    held[#held + 1] = st
    held[#held + 1] = list[j + 1]
  end
  for _, p in ipairs(names) do
    local held = pages[p]
    local key = d .. ':' .. p
    local n = (known[p] or redis.call('ZCARD', key)) + #held / 2
    if n > 2 * page_max then
      paged_rewrite(d, p, held, page_max, ttl)
    else
      for j = 1, #held, 512 do redis.call('ZADD', key, unpack(held, j, math.min(j + 511, #held))) end
      redis.call('PEXPIRE', key, ttl)
    end
  end
  redis.call('PEXPIRE', d, ttl)
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

-- Members of paged set d from a position (posMs, posField; '' to start at the near end) in the
-- direction ('d' newest first), to the far bound: those of the position's time past its member,
-- then at most count of later times. Returns a flat list {member, score...} and whether nothing is
-- left past them.
local function paged_read (d, desc, bound, posMs, posField, count)
  local members = {}
  local p
  if posMs == '' then
    if desc then p = redis.call('ZREVRANGE', d, 0, 0)[1] else p = redis.call('ZRANGE', d, 0, 0)[1] end
  else
    p = paged_page_at(d, posMs)
  end
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
    local lo = redis.call('ZSCORE', d, p)
    if desc then
      -- the pages before hold only scores below this page's bound
      if not lo or (far and tonumber(lo) <= far) then break end
      p = redis.call('ZREVRANGEBYSCORE', d, '(' .. lo, '-inf', 'LIMIT', 0, 1)[1]
    else
      if not lo then break end
      local after = redis.call('ZRANGEBYSCORE', d, '(' .. lo, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
      p = after[1]
      if p and far and tonumber(after[2]) > far then break end
    end
    near = desc and '+inf' or '-inf'
  end
  return members, true
end
`
