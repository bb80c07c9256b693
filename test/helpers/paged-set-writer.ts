import { PAGED_LUA } from '../../src/decision-log/paged-sets.js'
import { createLuaScript } from '../../src/redis/lua-script.js'

/**
 * The writer of paged sets (src/decision-log/paged-sets.ts) as the decision log's append ran it
 * before text pages: what the tests build the layout of that version with, to check that the log
 * still reads and trims it.
 */
export const PAGED_WRITER_LUA = `${PAGED_LUA}
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

`

/** KEYS: the directory. ARGV: page max, TTL ms, then score, member... */
export const pagedAdd = createLuaScript(`${PAGED_WRITER_LUA}
local list = {}
for j = 3, #ARGV do list[#list + 1] = ARGV[j] end
paged_add(KEYS[1], list, tonumber(ARGV[1]), ARGV[2])
return 1`)
